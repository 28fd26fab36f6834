/* The coverage map (/analysis/coverage/): villages coloured by the center they are nearest to
   (their catchment), uncovered villages outlined in red, centers as circles, proposed sites as stars. The data
   comes with the page (analysis-config); village outlines from /api/layers/villages/. Texts from
   the data go in as text, never as HTML. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("analysis-config").textContent);
  const data = config.data;
  const map = L.map("analysis-map", {zoomSnap: 0.25, attributionControl: Boolean(config.tiles)});
  if (config.basemap) L.imageOverlay(config.basemap.url, config.basemap.bounds).addTo(map);
  if (config.tiles) L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  window.gisplanAnalysis = {map, ready: null};

  const PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                   "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ffff99"];
  const colour = (center) => (center < 0 ? "#999999" : PALETTE[center % PALETTE.length]);
  const byCode = {};
  data.villages.features.forEach((f) => { byCode[f.properties.code] = f.properties; });

  function popup(p) {
    const box = document.createElement("div");
    box.className = "popup";
    const title = document.createElement("h3");
    title.textContent = p.name;
    box.appendChild(title);
    const lines = [[p.zone], [p.nearest_center || "—"],
                   [p.travel_min !== null && p.travel_min !== undefined ? p.travel_min + " min" : null],
                   [p.distance_m !== null ? p.distance_m + " m" : null], [p.covered ? "✓" : "✗"]];
    lines.filter(([t]) => t).forEach(([t]) => { const line = document.createElement("div"); line.textContent = t; box.appendChild(line); });
    return box;
  }

  async function start() {
    const get = (url) => fetch(url, {credentials: "same-origin"}).then((r) => r.json());
    const [county, villages] = await Promise.all([get(config.urls.county), get(config.urls.villages)]);
    const outline = L.geoJSON(county, {style: {color: "#333", weight: 2, fill: false}}).addTo(map);
    map.fitBounds(outline.getBounds());
    L.geoJSON(villages, {style: (f) => {
      const p = byCode[f.properties.code] || {center: -1, covered: false};
      return p.covered ? {color: "#fff", weight: 0.5, fillColor: colour(p.center), fillOpacity: 0.55}
        : {color: "#c0392b", weight: 2, fillColor: colour(p.center), fillOpacity: 0.15, dashArray: "3 3"};
    }, onEachFeature: (f, layer) => {
      const p = byCode[f.properties.code];
      if (p) layer.bindPopup(() => popup(p));
    }}).addTo(map);
    if (data.isochrones) {
      L.geoJSON(data.isochrones, {style: (f) => ({color: colour(f.properties.index), weight: 2, fill: false})})
        .eachLayer((layer) => layer.bindTooltip(layer.feature.properties.name, {sticky: true})).addTo(map);
    }
    L.geoJSON(data.centers, {pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: 7, color: "#000", weight: 2, fillColor: colour(f.properties.index), fillOpacity: 1})
      .bindTooltip(f.properties.name + " · " + f.properties.villages)}).addTo(map);
    if (config.proposal) {
      L.geoJSON(config.proposal.sites, {filter: (f) => f.properties.new, pointToLayer: (f, latlng) => L.marker(latlng, {
        icon: L.divIcon({className: "proposed-site", html: "★", iconSize: [24, 24]})})
        .bindTooltip(f.properties.site)}).addTo(map);
    }
    document.body.dataset.ready = "1";
  }
  window.gisplanAnalysis.ready = start();
})();
