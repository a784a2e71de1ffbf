/* The component's page: the map, fed by Streamlit's render messages. */
(function () {
  "use strict";
  var Z = ZLmap.create(document.getElementById("map"),
                       {base: ZLcore.basePath(location.pathname), send: ZLst.setValue});
  var height = null;
  ZLst.onRender(function (args) {
    var spec = args.spec;
    if (!spec) { return; }
    if (spec.height !== height) {
      height = spec.height;
      document.getElementById("map").style.height = height + "px";
      ZLst.setHeight(height);
      Z.map.invalidateSize();
    }
    Z.render(spec);
  });
  ZLst.ready();
})();
