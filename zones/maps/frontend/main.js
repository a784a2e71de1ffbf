/* The component's page: the map, fed by Streamlit's render messages (two maps in step
   when the spec asks to compare: compare.js). */
(function () {
  "use strict";
  var el = document.getElementById("map"), Z = null, height = null;
  var options = {base: ZLcore.basePath(location.pathname), send: ZLst.setValue,
                 setHeight: ZLst.setHeight};
  ZLst.onRender(function (args) {
    var spec = args.spec;
    if (!spec) { return; }
    if (!Z) {  // one kind of map per component instance, known from its first spec
      Z = spec.compare ? ZLcompare.create(el, options) : ZLmap.create(el, options);
    }
    if (spec.height !== height) {
      height = spec.height;
      el.style.height = height + "px";
      ZLst.setHeight(height);
      (Z.invalidateSize || function () { Z.map.invalidateSize(); })();
    }
    Z.render(spec);
  });
  ZLst.ready();
})();
