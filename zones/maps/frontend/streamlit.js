/* Streamlit's component protocol (components v1), by hand: the page's frame sends
   "streamlit:render" with the arguments of each run; the component answers
   "streamlit:componentReady" once, "streamlit:setFrameHeight" and
   "streamlit:setComponentValue" (which reruns the page with the value). The few lines
   of streamlit-component-lib that matter, without its bundle. */
(function (root) {
  "use strict";
  function post(type, fields) {
    var msg = {isStreamlitMessage: true, type: type};
    Object.keys(fields).forEach(function (k) { msg[k] = fields[k]; });
    root.parent.postMessage(msg, "*");
  }
  root.ZLst = {
    ready: function () { post("streamlit:componentReady", {apiVersion: 1}); },
    setHeight: function (h) { post("streamlit:setFrameHeight", {height: h}); },
    setValue: function (v) { post("streamlit:setComponentValue", {value: v, dataType: "json"}); },
    onRender: function (callback) {
      root.addEventListener("message", function (e) {
        if (e.source === root.parent && e.data && e.data.type === "streamlit:render") {
          callback(e.data.args || {});
        }
      });
    }
  };
})(window);
