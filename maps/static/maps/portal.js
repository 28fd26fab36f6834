/* The map portal: fills folium's empty layer groups from /api/layers/, draws legends, popups,
   village search, zone zoom and PNG export. Every text from the data goes in as text (DOM
   nodes or escaped), never as HTML. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("portal-config").textContent);
  const map = window[config.map];
  const group = (key) => window[config.groups[key]];
  const L$ = config.labels;
  const legend = config.legend;
  // Layers loaded for the visible area only (and reloaded when the view leaves it).
  const BY_VIEW = ["villages", "centers", "industries", "roads"];
  const loadedExtent = {};
  const requestCount = {};  // layer name -> requests made, so that a late answer is dropped
  window.gisplanPortal = {ready: null};

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }

  const LANG = document.documentElement.lang;
  function number(value, digits) {
    if (value === null || value === undefined) return "—";
    // Written as the statistics panel writes it: Chinese without thousands separators.
    return Number(value).toLocaleString(LANG, {maximumFractionDigits: digits || 0,
                                               useGrouping: !LANG.startsWith("zh")});
  }

  function percent(share) {
    return share === null || share === undefined ? "—" : (100 * share).toFixed(1) + "%";
  }

  function table(title, rows) {
    const body = rows.filter((r) => r).map(([k, v]) => el("tr", {}, [el("th", {text: k}), el("td", {text: v})]));
    return el("div", {class: "popup"}, [el("h3", {text: title}), el("table", {}, body)]);
  }

  function listItem(items) {
    return items.length ? items.join(L$.separator) : L$.all_met;
  }

  function villagePopup(p) {
    return table(p.name, [
      [L$.code, p.code], [L$.town, p.town], [L$.zone, p.zone || "—"],
      [L$.households, number(p.households)], [L$.population, number(p.population)],
      [L$.poor_households, number(p.poor_households)], [L$.poor_population, number(p.poor_population)],
      [L$.incidence, percent(p.incidence)],
      [L$.exit_status, p.exit_status_label + (p.exit_year ? " (" + p.exit_year + ")" : "")],
      [L$.standard_failed, listItem(p.standard_failed)],
      [L$.demonstration_failed, listItem(p.demonstration_failed)],
    ]);
  }

  const NO_DATA = "#999999";
  function incidenceColor(share) {
    if (share === null || share === undefined) return NO_DATA;  // no registered population
    for (const c of legend.incidence) if (c.upper === null || share < c.upper) return c.color;
    return NO_DATA;
  }

  // Popups keep clear of the controls at the map's edges.
  const POPUP = {maxWidth: 440, autoPanPaddingTopLeft: [60, 20], autoPanPaddingBottomRight: [60, 20]};
  const exitColor = Object.fromEntries(legend.exit.map((e) => [e.key, e.color]));
  const centerStyle = Object.fromEntries(legend.centers.map((c) => [c.key, c]));
  const industryColor = Object.fromEntries(legend.industries.map((c) => [c.key, c.color]));
  const roadStyle = Object.fromEntries(legend.roads.map((r) => [r.key, r]));

  function shapeSvg(shape, color, size) {
    const s = size, h = s / 2;
    const paths = {
      circle: `<circle cx="${h}" cy="${h}" r="${h - 1.5}"/>`,
      square: `<rect x="1.5" y="1.5" width="${s - 3}" height="${s - 3}"/>`,
      triangle: `<polygon points="${h},1 ${s - 1},${s - 1.5} 1,${s - 1.5}"/>`,
      diamond: `<polygon points="${h},1 ${s - 1},${h} ${h},${s - 1} 1,${h}"/>`,
      star: `<polygon points="${[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => {
        const r = i % 2 ? h * 0.45 : h - 1, a = Math.PI / 5 * i - Math.PI / 2;
        return (h + r * Math.cos(a)).toFixed(1) + "," + (h + r * Math.sin(a)).toFixed(1); }).join(" ")}"/>`,
      pentagon: `<polygon points="${[0, 1, 2, 3, 4].map((i) => {
        const a = 2 * Math.PI / 5 * i - Math.PI / 2;
        return (h + (h - 1) * Math.cos(a)).toFixed(1) + "," + (h + (h - 1) * Math.sin(a)).toFixed(1); }).join(" ")}"/>`,
      cross: `<polygon points="${s * .35},1 ${s * .65},1 ${s * .65},${s * .35} ${s - 1},${s * .35} ${s - 1},${s * .65} ${s * .65},${s * .65} ${s * .65},${s - 1} ${s * .35},${s - 1} ${s * .35},${s * .65} 1,${s * .65} 1,${s * .35} ${s * .35},${s * .35}"/>`,
    };
    // shape and colour come from the server's own legend table, never from user data
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" fill="${color}" stroke="#fff" stroke-width="1.2">${paths[shape]}</svg>`;
  }

  function symbol(shape, color, size, planned) {
    return L.divIcon({className: planned ? "symbol planned" : "symbol", html: shapeSvg(shape, color, size),
                      iconSize: [size, size]});
  }

  const layerStyles = {
    county: {style: () => ({color: "#333", weight: 2.5, fill: false})},
    towns: {style: () => ({color: "#555", weight: 1.2, dashArray: "4 3", fill: false}),
            tooltip: (p) => p.name},
    // On a zone's page its own outline stands out and the other zones step back.
    zones: {style: (f) => {
              const mine = !config.zone || f.properties.code === config.zone;
              return {color: f.properties.color, weight: config.zone && mine ? 5 : 3,
                      opacity: mine ? 1 : 0.45, fill: false};
            },
            label: (p) => p.name},
    villages_incidence: {style: (f) => ({color: "#ffffff", weight: 0.6, opacity: 0.7, fillColor: incidenceColor(f.properties.incidence), fillOpacity: 0.55}),
                         tooltip: (p) => p.name, popup: villagePopup},
    villages_exit: {style: (f) => ({color: "#ffffff", weight: 0.6, opacity: 0.7, fillColor: exitColor[f.properties.exit_status], fillOpacity: 0.6}),
                    tooltip: (p) => p.name, popup: villagePopup},
    rivers: {style: () => ({color: "#2b83ba", weight: 2})},
    roads: {style: (f) => ({color: roadStyle[f.properties.road_class].color, weight: roadStyle[f.properties.road_class].weight, opacity: 0.9}),
            tooltip: (p) => (p.name ? p.name + " · " : "") + p.road_class_label},
    centers: {marker: (p) => symbol(centerStyle[p.kind].shape, centerStyle[p.kind].color, 16, p.status !== "existing"),
              tooltip: (p) => p.status === "existing" ? p.name : p.name + " (" + p.status_label + ")",
              popup: (p) => table(p.name, [[L$.kind, p.kind_label], [L$.status, p.status_label],
                                           p.capacity ? [L$.capacity, number(p.capacity)] : null, [L$.zone, p.zone || "—"]])},
    clinics: {marker: (p) => symbol("cross", centerStyle.village_clinic.color, 10), tooltip: (p) => p.name},
    industries: {marker: (p) => symbol("diamond", industryColor[p.kind], 15, p.status !== "existing"),
                 tooltip: (p) => p.status === "existing" ? p.name : p.name + " (" + p.status_label + ")",
                 popup: (p) => table(p.name, [[L$.kind, p.kind_label], [L$.status, p.status_label],
                                              [L$.driven, number(p.poor_households_driven)],
                                              [L$.investment, number(p.investment_10k_yuan)], [L$.zone, p.zone || "—"]])},
  };

  function textNode(text) {
    return el("span", {text: text});  // Leaflet sets string tooltips as HTML; a node stays text
  }

  // Each overlay draws in a pane of its own, stacked in this order whatever order the data
  // arrive in: areas at the bottom, lines over them, the outlines of zones and county on top.
  const DRAW_ORDER = ["villages_incidence", "villages_exit", "towns", "rivers", "roads", "zones", "county"];
  const renderers = {};
  DRAW_ORDER.forEach((key, i) => {
    const pane = map.createPane("gisplan-" + key);
    pane.style.zIndex = 400 + i;
    renderers[key] = L.canvas({pane: "gisplan-" + key});
  });

  function fill(key, features) {
    const spec = layerStyles[key];
    const target = group(key);
    target.clearLayers();
    L.geoJSON({type: "FeatureCollection", features: features}, {
      renderer: renderers[key], pane: renderers[key] ? "gisplan-" + key : "markerPane",
      style: spec.style,
      pointToLayer: (f, latlng) => L.marker(latlng, {icon: spec.marker(f.properties), keyboard: false}),
      onEachFeature: (f, layer) => {
        layer.feature = f;
        if (spec.tooltip) layer.bindTooltip(textNode(spec.tooltip(f.properties)), {sticky: !spec.marker});
        if (spec.label) layer.bindTooltip(textNode(spec.label(f.properties)), {permanent: true, direction: "center", className: "zone-label"});
        if (spec.popup) layer.bindPopup(() => spec.popup(f.properties), POPUP);
      },
    }).eachLayer((layer) => target.addLayer(layer));
  }

  function fetchLayer(name, extraParams) {
    const params = new URLSearchParams(extraParams || {});
    const url = config.api.replace("{name}", name) + (params.toString() ? "?" + params : "");
    return fetch(url, {credentials: "same-origin"}).then((r) => {
      if (!r.ok) throw new Error(L$.failed + ": " + name);
      return r.json();
    });
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

  function warn(message) {
    const box = document.getElementById("map-message");
    if (box) { box.textContent = message; box.hidden = false; }
  }

  const targets = {  // layer endpoint -> (group keys, query)
    county: [["county"], {}], towns: [["towns"], {}], zones: [["zones"], {}], rivers: [["rivers"], {}],
    villages: [["villages_incidence", "villages_exit"], {}], roads: [["roads"], {}],
    centers: [["centers"], {}], industries: [["industries"], {}],
  };

  function load(name, byView) {
    const [keys, query] = targets[name];
    const params = Object.assign({}, query);
    const extent = byView ? viewExtent() : null;
    if (extent) params.bbox = bboxParam(extent);
    const mine = requestCount[name] = (requestCount[name] || 0) + 1;
    return fetchLayer(name, params).then((data) => {
      if (mine !== requestCount[name]) return;  // a newer request for this layer went out
      if (extent) loadedExtent[name] = extent;
      let features = data.features;
      if (name === "centers") {
        fill("clinics", features.filter((f) => f.properties.kind === "village_clinic"));
        features = features.filter((f) => f.properties.kind !== "village_clinic");
      }
      keys.forEach((key) => fill(key, features));
    }).catch((problem) => warn(problem.message || L$.failed));
  }

  function loadAll() {
    return Promise.all(Object.keys(targets).map((name) => load(name, BY_VIEW.includes(name))));
  }

  map.on("moveend", () => {
    BY_VIEW.forEach((name) => {
      if (loadedExtent[name] && !loadedExtent[name].contains(map.getBounds())) load(name, true);
    });
  });

  /* Legend ---------------------------------------------------------------------------- */
  function legendControl() {
    const control = L.control({position: "bottomleft"});
    control.onAdd = () => {
      const box = el("details", {class: "legend"}, [el("summary", {text: legend.title})]);
      box.open = window.innerHeight >= 900;  // on small screens the legend waits to be opened
      const section = (title, items) => {
        box.appendChild(el("h4", {text: title}));
        items.forEach((node) => box.appendChild(node));
      };
      const swatch = (color) => el("span", {class: "swatch", style: "background:" + color});
      section(legend.incidence_title, legend.incidence.map((c) => el("div", {}, [swatch(c.color), c.label]))
        .concat([el("div", {}, [swatch(NO_DATA), L$.no_data])]));
      section(legend.exit_title, legend.exit.map((c) => el("div", {}, [swatch(c.color), c.label])));
      section(legend.centers_title, legend.centers.map((c) => {
        const icon = el("span", {class: "icon"}); icon.innerHTML = shapeSvg(c.shape, c.color, 12);
        return el("div", {}, [icon, c.label]);
      }));
      section(legend.industries_title, legend.industries.map((c) => {
        const icon = el("span", {class: "icon"}); icon.innerHTML = shapeSvg("diamond", c.color, 12);
        return el("div", {}, [icon, c.label]);
      }));
      box.appendChild(el("p", {class: "note", text: legend.planned_note}));
      section(legend.roads_title, legend.roads.map((r) => el("div", {}, [
        el("span", {class: "line", style: `background:${r.color};height:${Math.max(2, r.weight)}px`}), r.label])));
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  /* Search ---------------------------------------------------------------------------- */
  function searchControl() {
    const control = L.control({position: "topleft"});
    control.onAdd = () => {
      const input = el("input", {type: "search", placeholder: L$.search, "aria-label": L$.search, id: "village-search"});
      const results = el("ul", {class: "search-results"});
      const box = el("div", {class: "search"}, [input, results]);
      L.DomEvent.disableClickPropagation(box);
      input.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || !input.value.trim()) return;
        fetchLayer("villages", {q: input.value.trim()}).then((data) => {
          results.replaceChildren();
          if (!data.features.length) results.appendChild(el("li", {text: L$.no_match}));
          data.features.forEach((f) => {
            const item = el("li", {}, [el("a", {href: "#", text: f.properties.name + " " + f.properties.code})]);
            item.addEventListener("click", (e) => { e.preventDefault(); results.replaceChildren(); showVillage(f); });
            results.appendChild(item);
          });
          if (data.features.length === 1) showVillage(data.features[0]);
        });
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
    group("zones").eachLayer((layer) => {
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

  function exportPng() {
    const button = document.getElementById("export-png");
    button.disabled = true; button.textContent = L$.exporting;
    const ready = window.html2canvas ? Promise.resolve() : loadScript(config.html2canvas);
    return ready.then(() => window.html2canvas(map.getContainer(), {
      useCORS: true, backgroundColor: "#ffffff",
      scale: 2,
      // The legend and the scale bar stay in the picture; the buttons do not.
      ignoreElements: (node) => node.classList && ["leaflet-control-zoom", "leaflet-control-layers", "search",
        "leaflet-control-measure", "leaflet-control-zoom-fullscreen"].some((c) => node.classList.contains(c)),
    })).then((canvas) => {
      const link = el("a", {download: config.export_name, href: canvas.toDataURL("image/png")});
      document.body.appendChild(link); link.click(); link.remove();
    }).catch(() => warn(L$.export_failed))  // e.g. tiles from another host taint the canvas
      .finally(() => { button.disabled = false; button.textContent = L$.export; });
  }
  const exportButton = document.getElementById("export-png");
  if (exportButton) exportButton.addEventListener("click", exportPng);

  // The two village layers colour the same polygons: one at a time.
  const villageLayers = [group("villages_incidence"), group("villages_exit")];
  map.on("overlayadd", (event) => {
    villageLayers.forEach((layer) => {
      if (villageLayers.includes(event.layer) && layer !== event.layer && map.hasLayer(layer)) map.removeLayer(layer);
    });
  });
  // A single basemap needs no radio button.
  document.querySelectorAll(".leaflet-control-layers-base").forEach((base) => {
    if (base.querySelectorAll("input").length < 2) {
      base.hidden = true;
      const separator = base.parentElement.querySelector(".leaflet-control-layers-separator");
      if (separator) separator.hidden = true;
    }
  });

  map.attributionControl.setPrefix(false);
  L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
  legendControl().addTo(map);
  searchControl().addTo(map);
  window.gisplanPortal.ready = loadAll();
})();
