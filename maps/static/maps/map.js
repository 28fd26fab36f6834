/* The one map bootstrap, in the browser (its server side: maps/frame.py). Every map page loads
   this after folium's script: it finishes the map that folium made (scale, legend, the layer
   control, a view that keeps the county clear of the controls) and gives the page's own script
   what all of them need, as window.gisplanMap:

     map, group(key)     the Leaflet map and the layer group of an overlay
     county              a promise: the county's outline is drawn (every map has it)
     page, t(key)        the page's data and its words, from the server (#map-config)
     request(url, opts)  fetch that checks response.ok and throws the server's {"error"}
     json(url, opts)     the same, read as JSON
     say(text), busy(on) a message over the map; a "loading" sign
     el, text            DOM nodes (data always goes in as text, never as HTML)
     symbol, shapeSvg    the point symbols of the legend and the map
     number, percent, time   figures and times as the page's language and the site's time zone
     fit()               fit the county (or zone) again, clear of the controls
     pane(name, z, interactive)  the options of a layer drawn in a pane of its own
     vectorTiles(url, name, z, options)  a layer of vector tiles in a pane of its own
     hoverTooltip(layer, text)   a vector-tile layer's features named under the mouse
     villageSummary(p)   a village's popup from what its tile holds, leading to its county

   Every text comes from the config, translated on the server. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const map = window[config.map];
  const words = config.texts || {};
  const LANG = config.language || document.documentElement.lang;

  function t(key) {
    return key in words ? words[key] : key;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }

  function text(value) {
    return el("span", {text: value});  // Leaflet sets string tooltips as HTML; a node stays text
  }

  function number(value, digits) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    // Written as the tables write it: Chinese without thousands separators.
    return Number(value).toLocaleString(LANG, {maximumFractionDigits: digits || 0,
                                               minimumFractionDigits: digits || 0,
                                               useGrouping: !LANG.startsWith("zh")});
  }

  function percent(share) {
    return share === null || share === undefined ? "—" : (100 * share).toFixed(1) + "%";
  }

  function time(iso) {
    // In the site's time zone, as the server writes times, whatever the computer's zone.
    return new Date(iso).toLocaleString(LANG, {timeZone: config.time_zone, hour12: false});
  }

  function say(message) {
    const box = document.getElementById("map-message");
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
  }

  function busy(on) {
    const sign = document.getElementById("map-busy");
    if (sign) sign.hidden = !on;
  }

  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({credentials: "same-origin"}, options || {}));
    } catch (problem) {
      throw new Error(t("failed") + problem.message);
    }
    if (!response.ok) {
      const type = response.headers.get("Content-Type") || "";
      const data = type.includes("json") ? await response.json().catch(() => null) : null;
      const problem = new Error(data && data.error ? data.error
        : t("failed") + response.status + " " + response.statusText);
      problem.status = response.status;
      throw problem;
    }
    return response;
  }

  async function json(url, options) {
    return (await request(url, options)).json();
  }

  /* Symbols ----------------------------------------------------------------------------- */
  function shapeSvg(shape, color, size) {
    const s = size, h = s / 2;
    const ring = (n, r, turn) => [...Array(n).keys()].map((i) => {
      const radius = typeof r === "function" ? r(i) : r, a = turn * i - Math.PI / 2;
      return (h + radius * Math.cos(a)).toFixed(1) + "," + (h + radius * Math.sin(a)).toFixed(1);
    }).join(" ");
    const paths = {
      circle: `<circle cx="${h}" cy="${h}" r="${h - 1.5}"/>`,
      square: `<rect x="1.5" y="1.5" width="${s - 3}" height="${s - 3}"/>`,
      triangle: `<polygon points="${h},1 ${s - 1},${s - 1.5} 1,${s - 1.5}"/>`,
      diamond: `<polygon points="${h},1 ${s - 1},${h} ${h},${s - 1} 1,${h}"/>`,
      star: `<polygon points="${ring(10, (i) => (i % 2 ? h * 0.45 : h - 1), Math.PI / 5)}"/>`,
      pentagon: `<polygon points="${ring(5, h - 1, 2 * Math.PI / 5)}"/>`,
      cross: `<polygon points="${s * .35},1 ${s * .65},1 ${s * .65},${s * .35} ${s - 1},${s * .35} ${s - 1},${s * .65} ${s * .65},${s * .65} ${s * .65},${s - 1} ${s * .35},${s - 1} ${s * .35},${s * .65} 1,${s * .65} 1,${s * .35} ${s * .35},${s * .35}"/>`,
    };
    // Shapes and colours come from the server's own tables, never from user data.
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${s}" height="${s}" fill="${color}" stroke="#fff" stroke-width="1.2">${paths[shape]}</svg>`;
  }

  function symbol(shape, color, size, planned) {
    return L.divIcon({className: planned ? "symbol planned" : "symbol", html: shapeSvg(shape, color, size),
                      iconSize: [size, size]});
  }

  /* Legend ------------------------------------------------------------------------------ */
  function legendEntry(entry) {
    if (entry.kind === "note") return el("p", {class: "note", text: entry.label});
    let mark;
    if (entry.kind === "symbol") {
      mark = el("span", {class: "icon"});
      mark.innerHTML = shapeSvg(entry.shape, entry.color, 12);
    } else if (entry.kind === "line") {
      mark = el("span", {class: "line", style: `border-top: ${Math.max(2, entry.weight || 2)}px ${entry.dash ? "dashed" : "solid"} ${entry.color}`});
    } else if (entry.kind === "ramp") {
      return el("div", {class: "ramp-entry"}, [
        el("div", {class: "ramp-box"}, [
          el("div", {class: "ramp", style: `background: linear-gradient(to right, ${entry.colors.join(", ")})`}),
          el("div", {class: "ramp-threshold", id: entry.id || null, hidden: "hidden"})]),
        el("div", {class: "ramp-ends"}, [el("span", {text: entry.low}), el("span", {text: entry.high})]),
        el("div", {text: entry.label})]);
    } else {
      const style = `background: ${entry.fill || entry.color}` + (entry.outline ? `; border: 2px ${entry.dash ? "dashed" : "solid"} ${entry.outline}` : "");
      mark = el("span", {class: "swatch", style: style});
    }
    return el("div", {class: "entry"}, [mark, entry.label]);
  }

  function legendControl() {
    const control = L.control({position: "bottomleft"});
    control.onAdd = () => {
      const box = el("details", {class: "legend", id: "map-legend"}, [el("summary", {text: t("legend")})]);
      (config.legend || []).forEach((section) => {
        if (section.title) box.appendChild(el("h4", {text: section.title}));
        section.entries.forEach((entry) => box.appendChild(legendEntry(entry)));
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  /* Fitting the county clear of the controls --------------------------------------------- */
  function inside(point, ring) {
    let hit = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > point[1]) !== (yj > point[1]) && point[0] < (xj - xi) * (point[1] - yi) / (yj - yi) + xi) hit = !hit;
    }
    return hit;
  }

  function controlBoxes() {
    const origin = map.getContainer().getBoundingClientRect();
    return [...map.getContainer().querySelectorAll(".leaflet-control")].map((node) => {
      const r = node.getBoundingClientRect();
      return {left: r.left - origin.left, top: r.top - origin.top, right: r.right - origin.left,
              bottom: r.bottom - origin.top};
    }).filter((b) => b.right > b.left && b.bottom > b.top);
  }

  /* The controls that cover part of the outline, in the current view. */
  function covering() {
    const rings = (config.outline || []).map((ring) => ring.map((ll) => {
      const p = map.latLngToContainerPoint(ll);
      return [p.x, p.y];
    }));
    return controlBoxes().filter((b) => {
      const corners = [[b.left, b.top], [b.right, b.top], [b.left, b.bottom], [b.right, b.bottom]];
      return rings.some((ring) => ring.some(([x, y]) => x >= b.left && x <= b.right && y >= b.top && y <= b.bottom)
        || corners.some((c) => inside(c, ring)));
    });
  }

  /* Fit the bounds; while a control covers the outline, pad the side (left or right, top or
     bottom) that costs the least zoom, and fit again. */
  function fit() {
    const bounds = L.latLngBounds(config.bounds);
    const pad = {left: 10, top: 10, right: 10, bottom: 10};
    const options = () => ({paddingTopLeft: [pad.left, pad.top], paddingBottomRight: [pad.right, pad.bottom]});
    map.fitBounds(bounds, Object.assign({animate: false}, options()));
    if (!(config.outline || []).length) return;
    const size = map.getSize();
    for (let round = 0; round < 8; round++) {
      const boxes = covering();
      if (!boxes.length) return;
      const b = boxes[0];
      const sides = [b.left + b.right < size.x ? ["left", b.right + 8] : ["right", size.x - b.left + 8],
                     b.top + b.bottom < size.y ? ["top", b.bottom + 8] : ["bottom", size.y - b.top + 8]];
      const tries = sides.map(([side, value]) => {
        const trial = Object.assign({}, pad, {[side]: Math.max(pad[side], value)});
        const zoom = map.getBoundsZoom(bounds, false, L.point(trial.left + trial.right, trial.top + trial.bottom));
        return {trial, zoom};
      }).sort((a, c) => c.zoom - a.zoom);
      if (JSON.stringify(tries[0].trial) === JSON.stringify(pad)) return;  // nothing more to gain
      Object.assign(pad, tries[0].trial);
      map.fitBounds(bounds, Object.assign({animate: false}, options()));
    }
  }

  /* Panes ------------------------------------------------------------------------------------ */
  /* Options that draw a layer on a canvas in pane `name`, stacked at `zIndex` whatever order the
     data arrive in. A canvas takes the mouse over the whole map, whatever it draws: a pane that
     is not `interactive` lets it through to the panes below (the villages under the outlines). */
  function pane(name, zIndex, interactive) {
    if (!map.getPane(name)) {
      const created = map.createPane(name);
      created.style.zIndex = zIndex;
      if (!interactive) created.style.pointerEvents = "none";
    }
    return {pane: name, renderer: L.canvas({pane: name}), interactive: Boolean(interactive)};
  }

  /* Vector tiles ----------------------------------------------------------------------------- */
  // Leaflet.VectorGrid 1.3.0 stops a click on a feature with L.DomEvent.fakeStop, which Leaflet
  // 1.8 removed (VectorGrid issue #274): what it did, for the map to leave that click alone.
  if (!L.DomEvent.fakeStop) L.DomEvent.fakeStop = (e) => { (e.originalEvent || e)._stopped = true; };

  /* The layer of vector tiles at `url` (/tiles/<layer>/{z}/{x}/{y}.pbf: layers/tiles.py), drawn
     by the vendored Leaflet.VectorGrid on canvases in pane `name` at `zIndex`; `options` are
     VectorGrid's (vectorTileLayerStyles, interactive, minZoom, ...). Every feature keeps its id. */
  function vectorTiles(url, name, zIndex, options) {
    return L.vectorGrid.protobuf(url, {
      pane: pane(name, zIndex, options.interactive).pane, rendererFactory: L.canvas.tile,
      maxNativeZoom: 20, getFeatureId: (f) => f.id, ...options});
  }

  /* A tooltip that follows the mouse over the features of vector-tile `layer`, its words
     `words(properties)` (as text, never as HTML; none when they are empty). */
  function hoverTooltip(layer, words) {
    const tip = L.tooltip({direction: "top", offset: [0, -8]});
    layer.on("mouseover mousemove", (event) => {
      const said = words(event.layer.properties);
      if (!said) return;
      tip.setLatLng(event.latlng).setContent(text(said));
      if (!map.hasLayer(tip)) map.openTooltip(tip);
    });
    layer.on("mouseout", () => map.closeTooltip(tip));
  }

  /* A village's popup from the properties its tile holds (code, town, incidence, poor
     population, exit status), with a link to its county's portal (page.portal). */
  function villageSummary(p) {
    const rows = [[t("code"), p.code], [t("town"), p.town], [t("incidence"), percent(p.incidence)],
                  [t("poor_population"), number(p.poor_population)],
                  [t("exit_status"), (config.page.exit_labels || {})[p.exit_status] || ""]];
    const href = config.page.portal + "?county=" + encodeURIComponent(p.code.slice(0, 6));
    return el("div", {class: "popup"}, [
      el("h3", {text: p.label}),
      el("table", {}, rows.map(([k, v]) => el("tr", {}, [el("th", {text: k}), el("td", {text: v})]))),
      el("p", {}, [el("a", {href: href, text: t("open_county")})])]);
  }

  /* Finishing the map --------------------------------------------------------------------- */
  if (map.attributionControl) map.attributionControl.setPrefix(false);
  L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
  const legend = (config.legend || []).length ? legendControl().addTo(map) : null;
  if (legend) legend.getContainer().open = window.innerHeight >= 900;  // small screens: on demand
  // A single basemap needs no radio button.
  document.querySelectorAll(".leaflet-control-layers-base").forEach((base) => {
    if (base.querySelectorAll("input").length < 2) {
      base.hidden = true;
      const separator = base.parentElement.querySelector(".leaflet-control-layers-separator");
      if (separator) separator.hidden = true;
    }
  });
  fit();

  // The county's outline, on every map, above the page's areas and lines, under its points.
  const county = json(config.county).then((data) => {
    L.geoJSON(data, {...pane("gisplan-county", 450), style: {color: "#333", weight: 2.5, fill: false}})
      .eachLayer((layer) => window[config.groups.county].addLayer(layer));
  }).catch((problem) => say(problem.message));

  window.gisplanMap = {
    map, config, page: config.page || {}, legend, county,
    group: (key) => window[config.groups[key]],
    t, el, text, number, percent, time, say, busy, request, json, shapeSvg, symbol, fit, pane,
    vectorTiles, hoverTooltip, villageSummary,
  };
})();
