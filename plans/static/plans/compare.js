/* The comparison map (/plan/compare/) on the page's map (maps/static/maps/map.js): the second
   version's zones, the first's as dashed outlines, and the land that changed zone filled in the
   colour of the zone it goes to. */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {page} = gm;
  const into = (key) => (layer) => gm.group(key).addLayer(layer);

  async function start() {
    const [a, b] = await Promise.all([gm.json(page.urls.a), gm.json(page.urls.b), gm.county]);
    const colour = {};
    b.zones.features.forEach((f) => { colour[f.properties.code] = f.properties.color; });
    L.geoJSON(a.zones, {style: {color: "#555", weight: 1.5, dashArray: "5 4", fill: false}}).eachLayer(into("a"));
    L.geoJSON(b.zones, {style: (f) => ({color: f.properties.color, weight: 2, fillOpacity: 0.08})})
      .eachLayer((layer) => into("b")(layer.bindTooltip(gm.text(layer.feature.properties.name), {sticky: true})));
    L.geoJSON(page.changed, {style: (f) => ({color: "#000", weight: 1, fillColor: colour[f.properties.to] || "#f00",
                                            fillOpacity: 0.7})})
      .eachLayer((layer) => {
        const p = layer.feature.properties;
        into("changed")(layer.bindTooltip(gm.text(p.from + " → " + p.to + " · " + gm.number(p.area_km2, 3) + " km²"), {sticky: true}));
      });
  }
  start().catch((problem) => gm.say(problem.message)).finally(() => { document.body.dataset.ready = "1"; });
})();
