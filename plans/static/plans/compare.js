/* The comparison map (/plan/compare/): the second version's zones, the first's as dashed
   outlines, and the land that changed zone filled in the colour of the zone it goes to. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("plan-config").textContent);
  const map = L.map("plan-map", {zoomSnap: 0.25, attributionControl: Boolean(config.tiles)});
  if (config.basemap) L.imageOverlay(config.basemap.url, config.basemap.bounds).addTo(map);
  if (config.tiles) L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  const get = (url) => fetch(url, {credentials: "same-origin"}).then((r) => r.json());
  Promise.all([get(config.urls.county), get(config.urls.a), get(config.urls.b)]).then(([county, a, b]) => {
    const colour = {};
    b.zones.features.forEach((f) => { colour[f.properties.code] = f.properties.color; });
    const outline = L.geoJSON(county, {style: {color: "#333", weight: 2, fill: false}}).addTo(map);
    L.geoJSON(a.zones, {style: {color: "#555", weight: 1.5, dashArray: "5 4", fill: false}}).addTo(map);
    L.geoJSON(b.zones, {style: (f) => ({color: f.properties.color, weight: 2, fillOpacity: 0.08})})
      .eachLayer((layer) => layer.bindTooltip(layer.feature.properties.name, {sticky: true})).addTo(map);
    L.geoJSON(config.changed, {style: (f) => ({color: "#000", weight: 1, fillColor: colour[f.properties.to] || "#f00",
                                              fillOpacity: 0.7})})
      .eachLayer((layer) => {
        const p = layer.feature.properties;
        layer.bindTooltip(p.from + " → " + p.to + " · " + p.area_km2 + " km²", {sticky: true});
      }).addTo(map);
    map.fitBounds(outline.getBounds());
    document.body.dataset.ready = "1";
  });
})();
