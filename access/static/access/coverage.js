/* The coverage map (/analysis/coverage/) on the page's map (maps/static/maps/map.js): villages
   coloured by the center they are nearest to (their catchment), uncovered villages outlined in
   red, centers as circles, isochrones, proposed sites as stars. A run's figures come with the
   page; village outlines from /api/layers/villages/. Before a run, the villages and the centers
   of the chosen service. Texts from the data go in as text, never as HTML. */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {page, t, el} = gm;
  const data = page.data;
  window.gisplanAnalysis = {map: gm.map, ready: null};

  const PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
                   "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ffff99"];
  const colour = (center) => (center < 0 ? "#999999" : PALETTE[center % PALETTE.length]);
  const byCode = {};
  if (data) data.villages.features.forEach((f) => { byCode[f.properties.code] = f.properties; });

  function popup(p) {
    const facts = [p.zone, p.nearest_center || "—",
                   p.travel_min !== null && p.travel_min !== undefined ? gm.number(p.travel_min, 1) + " " + t("min") : null,
                   p.distance_m !== null ? gm.number(p.distance_m) + " " + t("m") : null,
                   p.covered ? t("covered") : t("uncovered")];
    return el("div", {class: "popup"}, [el("h3", {text: p.name}),
                                        ...facts.filter((f) => f).map((f) => el("div", {text: f}))]);
  }

  function villageStyle(f) {
    if (!data) return {color: "#555", weight: 0.6, fillColor: "#ffffff", fillOpacity: 0.3};
    const p = byCode[f.properties.code] || {center: -1, covered: false};
    return p.covered ? {color: "#fff", weight: 0.5, fillColor: colour(p.center), fillOpacity: 0.55}
      : {color: page.uncovered, weight: 2, fillColor: colour(p.center), fillOpacity: 0.15, dashArray: "3 3"};
  }

  function drawCenters(centers) {
    const target = gm.group("centers");
    target.clearLayers();
    L.geoJSON(centers, {pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: 7, color: "#000", weight: 2, fillOpacity: 1,
      fillColor: data ? colour(f.properties.index) : "#333333"})
      .bindTooltip(gm.text(data ? f.properties.name + " · " + f.properties.villages + " " + t("villages")
                                : f.properties.name))}).eachLayer((layer) => target.addLayer(layer));
  }

  // Before a run: the centers of the service chosen in the form.
  async function loadCenters(kind) {
    drawCenters(await gm.json(page.urls.centers + "?" + new URLSearchParams({kind})));
  }

  async function start() {
    const villages = await gm.json(page.urls.villages);
    L.geoJSON(villages, {style: villageStyle, onEachFeature: (f, layer) => {
      const p = byCode[f.properties.code];
      layer.bindTooltip(gm.text(f.properties.label), {sticky: true});
      if (p) layer.bindPopup(() => popup(p));
    }}).eachLayer((layer) => gm.group("villages").addLayer(layer));
    if (!data) {
      await loadCenters(page.service);
      const select = document.getElementById("service");
      if (select) select.addEventListener("change", () => loadCenters(select.value).catch((p) => gm.say(p.message)));
      return;
    }
    if (data.isochrones) {
      // Over the villages without taking their clicks (the center's name is on its circle).
      L.geoJSON(data.isochrones, {...gm.pane("gisplan-isochrones", 410),
                                  style: (f) => ({color: colour(f.properties.index), weight: 2, fill: false})})
        .eachLayer((layer) => gm.group("isochrones").addLayer(layer));
    }
    drawCenters(data.centers);
    if (page.proposal) {
      L.geoJSON(page.proposal.sites, {filter: (f) => f.properties.new, pointToLayer: (f, latlng) => L.marker(latlng, {
        icon: L.divIcon({className: "proposed-site", html: "★", iconSize: [24, 24]})})
        .bindTooltip(gm.text(f.properties.site))}).eachLayer((layer) => gm.group("proposed").addLayer(layer));
    }
  }
  window.gisplanAnalysis.ready = Promise.all([start(), gm.county]).catch((problem) => gm.say(problem.message))
    .finally(() => { document.body.dataset.ready = "1"; });
})();
