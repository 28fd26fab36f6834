/* The map portal: fills the layer groups of the map (maps/static/maps/map.js): the villages and
   the roads from the vector tiles (/tiles/, drawn by Leaflet.VectorGrid), the other layers from
   /api/layers/; with popups, village search, zone zoom and PNG export. Every text from the data
   goes in as text (DOM nodes), never as HTML. */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {map, page, t, el, number, percent} = gm;
  const styles = page.styles;
  // Layers loaded for the visible area only (and reloaded when the view leaves it).
  const BY_VIEW = ["centers", "industries"];
  const loadedExtent = {};
  const requestCount = {};  // layer name -> requests made, so that a late answer is dropped
  window.gisplanPortal = {ready: null};

  function table(title, rows) {
    const body = rows.filter((r) => r).map(([k, v]) => el("tr", {}, [el("th", {text: k}), el("td", {text: v})]));
    return el("div", {class: "popup"}, [el("h3", {text: title}), el("table", {}, body)]);
  }

  function listItem(items) {
    return items.length ? items.join(t("separator")) : t("all_met");
  }

  // A village goes by its label: its name, with its town where the name repeats in the county.
  function villagePopup(p) {
    return table(p.label, [
      [t("code"), p.code], [t("kind"), p.kind_label], [t("town"), p.town], [t("zone"), p.zone || "—"],
      [t("households"), number(p.households)], [t("population"), number(p.population)],
      [t("poor_households"), number(p.poor_households)], [t("poor_population"), number(p.poor_population)],
      [t("incidence"), percent(p.incidence)],
      [t("exit_status"), p.exit_status_label + (p.exit_year ? " (" + p.exit_year + ")" : "")],
      ...(p.exit_assessed ? [[t("standard_failed"), listItem(p.standard_failed)],
                             [t("demonstration_failed"), listItem(p.demonstration_failed)]]
        : [[t("exit_assessment"), t("not_assessed")]]),
    ]);
  }

  function incidenceColor(share) {
    if (share === null || share === undefined) return styles.no_data;  // no registered population
    for (const c of styles.incidence) if (c.upper === null || share < c.upper) return c.color;
    return styles.no_data;
  }

  // Popups keep clear of the controls at the map's edges.
  const POPUP = {maxWidth: 440, autoPanPaddingTopLeft: [60, 20], autoPanPaddingBottomRight: [60, 20]};
  const center = (p) => styles.centers[p.kind];
  const layerStyles = {
    towns: {style: () => ({color: "#555", weight: 1.2, dashArray: "4 3", fill: false}),
            tooltip: (p) => p.name},
    // On a zone's page its own outline stands out and the other zones step back.
    zones: {style: (f) => {
              const mine = !page.zone || f.properties.code === page.zone;
              return {color: f.properties.color, weight: page.zone && mine ? 5 : 3,
                      opacity: mine ? 1 : 0.45, fill: false};
            },
            label: (p) => p.name},
    rivers: {style: () => ({color: "#2b83ba", weight: 2})},
    centers: {marker: (p) => gm.symbol(center(p).shape, center(p).color, 16, p.status !== "existing"),
              tooltip: (p) => p.status === "existing" ? p.name : p.name + " (" + p.status_label + ")",
              popup: (p) => table(p.name, [[t("kind"), p.kind_label], [t("status"), p.status_label],
                                           p.capacity ? [t("capacity"), number(p.capacity)] : null, [t("zone"), p.zone || "—"]])},
    clinics: {marker: () => gm.symbol("cross", styles.centers.village_clinic.color, 10), tooltip: (p) => p.name},
    industries: {marker: (p) => gm.symbol("diamond", styles.industries[p.kind], 15, p.status !== "existing"),
                 tooltip: (p) => p.status === "existing" ? p.name : p.name + " (" + p.status_label + ")",
                 popup: (p) => table(p.name, [[t("kind"), p.kind_label], [t("status"), p.status_label],
                                              [t("driven"), number(p.poor_households_driven)],
                                              [t("investment"), number(p.investment_10k_yuan)], [t("zone"), p.zone || "—"]])},
  };

  // The villages' tiles lie at the bottom and take the mouse (their tooltips and popups, below);
  // the rivers, the roads' tiles and the outlines of towns and zones lie above them without
  // taking it (the county's outline, above them all, is the bootstrap's); points are markers.
  const PANES = {rivers: gm.pane("gisplan-rivers", 402), towns: gm.pane("gisplan-towns", 410),
                 zones: gm.pane("gisplan-zones", 420)};

  function fill(key, found) {
    const spec = layerStyles[key];
    const target = gm.group(key);
    target.clearLayers();
    L.geoJSON({type: "FeatureCollection", features: found}, {
      ...(PANES[key] || {pane: "markerPane"}),
      interactive: key in PANES ? PANES[key].interactive && Boolean(spec.popup || spec.tooltip) : true,
      style: spec.style,
      pointToLayer: (f, latlng) => L.marker(latlng, {icon: spec.marker(f.properties), keyboard: false}),
      onEachFeature: (f, layer) => {
        layer.feature = f;
        if (spec.tooltip) layer.bindTooltip(gm.text(spec.tooltip(f.properties)), {sticky: !spec.marker});
        if (spec.label) layer.bindTooltip(gm.text(spec.label(f.properties)), {permanent: true, direction: "center", className: "zone-label"});
        if (spec.popup) layer.bindPopup(() => spec.popup(f.properties), POPUP);
      },
    }).eachLayer((layer) => target.addLayer(layer));
  }

  function fetchLayer(name, params) {
    const query = new URLSearchParams(params || {}).toString();
    return gm.json(page.api.replace("{name}", name) + (query ? "?" + query : ""));
  }

  function viewExtent() {
    const b = map.getBounds().pad(0.25);
    const clamp = (v, limit) => Math.max(-limit, Math.min(limit, v));
    return L.latLngBounds([clamp(b.getSouth(), 85), clamp(b.getWest(), 180)],
                          [clamp(b.getNorth(), 85), clamp(b.getEast(), 180)]);
  }

  function bboxParam(b) {
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
  }

  const targets = {  // layer endpoint -> the group keys it fills
    towns: ["towns"], zones: ["zones"], rivers: ["rivers"], centers: ["centers"],
    industries: ["industries"],
  };

  function load(name, byView) {
    const extent = byView ? viewExtent() : null;
    const mine = requestCount[name] = (requestCount[name] || 0) + 1;
    return fetchLayer(name, extent ? {bbox: bboxParam(extent)} : {}).then((data) => {
      if (mine !== requestCount[name]) return;  // a newer request for this layer went out
      if (extent) loadedExtent[name] = extent;
      let features = data.features;
      if (name === "centers") {
        fill("clinics", features.filter((f) => f.properties.kind === "village_clinic"));
        features = features.filter((f) => f.properties.kind !== "village_clinic");
      }
      targets[name].forEach((key) => fill(key, features));
    }).catch((problem) => gm.say(problem.message));
  }

  /* Villages and roads from the vector tiles (layers/tiles.py) ----------------------------- */
  // A village is a point below the zoom its polygon shows at, with only what colours it.
  const villageStyle = (fillColor) => (p, zoom, dimension) => dimension === 1
    ? {radius: 3, weight: 0.5, color: "#ffffff", fill: true, fillColor: fillColor(p), fillOpacity: 0.9}
    : {weight: 0.6, color: "#ffffff", opacity: 0.7, fill: true, fillColor: fillColor(p), fillOpacity: 0.55};
  const VILLAGE_FILLS = {
    villages_incidence: (p) => incidenceColor(p.incidence),
    villages_exit: (p) => styles.exit[p.exit_status] || styles.no_data,
  };
  const tiles = {
    ...Object.fromEntries(Object.entries(VILLAGE_FILLS).map(([key, fill]) => [key,
      gm.vectorTiles(page.tiles.villages, "gisplan-villages", 400,
                     {interactive: true, vectorTileLayerStyles: {villages: villageStyle(fill)}})])),
    roads: gm.vectorTiles(page.tiles.roads, "gisplan-roads", 404, {interactive: false,
      vectorTileLayerStyles: {roads: (p) => ({color: styles.roads[p.road_class].color,
                                              weight: styles.roads[p.road_class].weight, opacity: 0.9})}}),
  };

  /* A village's popup. A tile holds what the map shows of it; this county's villages have
     their exit assessment too, from the layer API (computed there, not in the tiles). A
     neighbouring county's village says what its tile holds and leads to its county's portal. */
  function openVillage(p, latlng) {
    if (!p.code) return;  // a point of the smaller scales: zoom in
    if (p.code.slice(0, 6) !== page.county) {
      L.popup(POPUP).setLatLng(latlng).setContent(gm.villageSummary(p)).openOn(map);
      return;
    }
    fetchLayer("villages", {q: p.code}).then((data) => {
      const found = data.features.find((f) => f.properties.code === p.code);
      if (found) L.popup(POPUP).setLatLng(latlng).setContent(villagePopup(found.properties)).openOn(map);
    }).catch((problem) => gm.say(problem.message));
  }

  const loaded = [];  // the tiles of the layers shown at first
  Object.entries(tiles).forEach(([key, layer]) => {
    if (key in VILLAGE_FILLS) {
      gm.hoverTooltip(layer, (p) => p.label || "");
      layer.on("click", (event) => openVillage(event.layer.properties, event.latlng));
    }
    if (map.hasLayer(gm.group(key))) loaded.push(new Promise((resolve) => layer.once("load", () => resolve())));
    gm.group(key).addLayer(layer);
  });

  function loadAll() {
    return Promise.all([gm.county, ...loaded,
                        ...Object.keys(targets).map((name) => load(name, BY_VIEW.includes(name)))]);
  }

  map.on("moveend", () => {
    BY_VIEW.forEach((name) => {
      if (loadedExtent[name] && !loadedExtent[name].contains(map.getBounds())) load(name, true);
    });
  });

  /* Search ---------------------------------------------------------------------------- */
  function searchControl() {
    const control = L.control({position: "topleft"});
    control.onAdd = () => {
      const input = el("input", {type: "search", placeholder: t("search"), "aria-label": t("search"), id: "village-search"});
      const results = el("ul", {class: "search-results"});
      const box = el("div", {class: "search"}, [input, results]);
      L.DomEvent.disableClickPropagation(box);
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || !input.value.trim()) return;
        fetchLayer("villages", {q: input.value.trim()}).then((data) => {
          results.replaceChildren();
          if (!data.features.length) results.appendChild(el("li", {text: t("no_match")}));
          data.features.forEach((f) => {
            const item = el("li", {}, [el("a", {href: "#", text: f.properties.label + " " + f.properties.code})]);
            item.addEventListener("click", (e) => { e.preventDefault(); results.replaceChildren(); showVillage(f); });
            results.appendChild(item);
          });
          if (data.features.length === 1) showVillage(data.features[0]);
        }).catch((problem) => gm.say(problem.message));
      });
      return box;
    };
    return control;
  }

  function showVillage(feature) {
    const bounds = feature.geometry ? L.geoJSON(feature).getBounds() : null;
    if (bounds && bounds.isValid()) map.fitBounds(bounds, {maxZoom: 13});
    const where = bounds && bounds.isValid() ? bounds.getCenter() : map.getCenter();
    L.popup(POPUP).setLatLng(where).setContent(villagePopup(feature.properties)).openOn(map);
  }

  /* Zoom to a zone -------------------------------------------------------------------- */
  function zoomToZone(code) {
    gm.group("zones").eachLayer((layer) => {
      if (layer.feature.properties.code === code) map.fitBounds(layer.getBounds());
    });
  }
  document.querySelectorAll("[data-zoom-zone]").forEach((button) => {
    button.addEventListener("click", () => zoomToZone(button.dataset.zoomZone));
  });

  /* Export ---------------------------------------------------------------------------- */
  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = el("script", {src: src});
      script.onload = resolve; script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  // CRC-32, the checksum of a PNG chunk.
  const CRC_TABLE = Array.from({length: 256}, (_, n) => {
    for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
    return n >>> 0;
  });
  function crc32(bytes) {
    let crc = 0xffffffff;
    for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  // The PNG `png` (bytes) with an international text chunk (iTXt, UTF-8: no compression, no
  // language) after the header, where image viewers and exiftool read it: as siting/overlay.py.
  function withText(png, keyword, text) {
    const utf8 = new TextEncoder();
    const body = new Uint8Array([...utf8.encode(keyword), 0, 0, 0, 0, 0, ...utf8.encode(text)]);
    const chunk = new Uint8Array(12 + body.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, body.length);
    chunk.set(utf8.encode("iTXt"), 4);
    chunk.set(body, 8);
    view.setUint32(8 + body.length, crc32(chunk.subarray(4, 8 + body.length)));
    const headerEnd = 8 + 4 + 4 + 13 + 4;  // the signature and the IHDR chunk
    return new Blob([png.subarray(0, headerEnd), chunk, png.subarray(headerEnd)], {type: "image/png"});
  }

  function exportPng() {
    const button = document.getElementById("export-png");
    button.disabled = true; button.textContent = t("exporting");
    const ready = window.html2canvas ? Promise.resolve() : loadScript(page.html2canvas);
    return ready.then(() => window.html2canvas(map.getContainer(), {
      useCORS: true, backgroundColor: "#ffffff",
      scale: 2,
      // The legend, the scale bar and the attributions stay in the picture; the buttons do not.
      ignoreElements: (node) => node.classList && ["leaflet-control-zoom", "leaflet-control-layers", "search",
        "leaflet-control-measure", "leaflet-control-zoom-fullscreen"].some((c) => node.classList.contains(c)),
      // Drawn word by word, the small print ran over its spaces; letter by letter it keeps them.
      onclone: (copy) => copy.querySelectorAll(".leaflet-control-attribution, .leaflet-control-scale-line")
        .forEach((node) => { node.style.letterSpacing = "0.01px"; }),
    })).then((canvas) => new Promise((resolve) => canvas.toBlob(resolve, "image/png")))
      .then((blob) => {
        // The data's attributions (the control's text, without a prefix: map.js) go in as well.
        const credits = map.attributionControl ? map.attributionControl.getContainer().textContent.trim() : "";
        return credits ? blob.arrayBuffer().then((png) => withText(new Uint8Array(png), "Copyright", credits)) : blob;
      }).then((png) => {
        const href = URL.createObjectURL(png);
        const link = el("a", {download: page.export_name, href: href});
        document.body.appendChild(link); link.click(); link.remove();
        setTimeout(() => URL.revokeObjectURL(href), 60000);  // once the download has read it
      }).catch(() => gm.say(t("export_failed")))  // e.g. tiles from another host taint the canvas
      .finally(() => { button.disabled = false; button.textContent = t("export"); });
  }
  const exportButton = document.getElementById("export-png");
  if (exportButton) exportButton.addEventListener("click", exportPng);

  // The two village layers colour the same polygons: one at a time.
  const villageLayers = [gm.group("villages_incidence"), gm.group("villages_exit")];
  map.on("overlayadd", (event) => {
    villageLayers.forEach((layer) => {
      if (villageLayers.includes(event.layer) && layer !== event.layer && map.hasLayer(layer)) map.removeLayer(layer);
    });
  });

  searchControl().addTo(map);
  gm.fit();  // the search box is a control too: keep it off the county
  window.gisplanPortal.ready = loadAll();
})();
