/* The siting page (/analysis/siting/): where an industry fits. With ?industry=... (and ?zone=...)
   it asks /api/analysis/suitability/ and draws the suitability surface (a PNG whose bounds come
   in the X-Bounds header) over the offline basemap, the candidate sites (conflicts dashed) with
   the breakdown of their score, and the tables. Planners save a site as a proposed industry.
   The page's texts come from the template (#siting-texts); texts from the data go in as text,
   never as HTML. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("siting-config").textContent);
  const chosen = JSON.parse(document.getElementById("siting-chosen").textContent);
  const T = {};
  document.querySelectorAll("#siting-texts [data-text]").forEach((node) => { T[node.dataset.text] = node.textContent; });

  const map = L.map("siting-map", {zoomSnap: 0.25, attributionControl: Boolean(config.tiles)});
  // The basemap under the surface, the surface under the outlines and sites (overlayPane).
  map.createPane("basemap").style.zIndex = 250;
  map.createPane("surface").style.zIndex = 350;
  if (config.basemap) L.imageOverlay(config.basemap.url, config.basemap.bounds, {pane: "basemap"}).addTo(map);
  if (config.tiles) L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution,
                                                   subdomains: config.tiles.subdomains || "abc"}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  if (config.basemap) map.fitBounds(config.basemap.bounds); else map.setView([0, 0], 2);

  const STYLE = {
    site: {color: "#08306b", weight: 2, fillColor: "#2171b5", fillOpacity: 0.35},
    conflict: {color: "#c51b7d", weight: 2.5, dashArray: "6 4", fillColor: "#c51b7d", fillOpacity: 0.2},
  };
  const siteStyle = (p, selected) => Object.assign({}, p.conflict ? STYLE.conflict : STYLE.site,
                                                   selected ? {weight: 4.5, fillOpacity: 0.5} : {});
  const sitesLayer = L.geoJSON(null, {style: (f) => siteStyle(f.properties, false)});
  const state = {map, ready: null, data: null, surface: null, sites: sitesLayer, selected: null};
  window.gisplanSiting = state;

  // ---- small helpers ----
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else if (v !== null && v !== undefined) node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }
  const known = (x) => x !== null && x !== undefined && !(typeof x === "number" && Number.isNaN(x));
  const fixed = (x, digits) => (known(x) ? Number(x).toFixed(digits) : "—");
  const cell = (text, numeric) => el("td", {class: numeric ? "n" : null, text: text === "" || !known(text) ? "—" : String(text)});
  const yesNo = (b) => (b ? T.yes : T.no);
  const zoneNames = {};
  document.querySelectorAll("#zone option").forEach((o) => { if (o.value) zoneNames[o.value] = o.textContent; });
  const zoneName = (code) => zoneNames[code] || code || "—";

  function fill(id, rows) {
    const body = document.querySelector(`#${id} tbody`);
    body.replaceChildren(...rows);
    return body;
  }

  function say(id, text) {
    const box = document.getElementById(id);
    box.textContent = text || "";
    box.hidden = !text;
  }

  async function call(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({credentials: "same-origin"}, options || {}));
    } catch (problem) {
      throw new Error(T.failed + problem.message);
    }
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json().catch(() => ({})) : null;
    if (!response.ok) {
      const problem = new Error(data && data.error ? data.error
        : T.failed + response.status + " " + response.statusText);
      problem.status = response.status;
      throw problem;
    }
    return {data, response};
  }

  function busy(on) {
    document.getElementById("siting-loading").hidden = !on;
    document.getElementById("run").disabled = on;
    document.getElementById("siting-panel").setAttribute("aria-busy", on ? "true" : "false");
  }

  // ---- the form: which zones are planned for the chosen industry ----
  function showIntended() {
    const industry = document.getElementById("industry").value;
    const codes = Object.keys(config.preferred).filter((code) => (config.preferred[code] || []).includes(industry));
    document.querySelectorAll("#zone option").forEach((o) => {
      if (!o.value) return;
      o.textContent = zoneNames[o.value] + (codes.includes(o.value) ? " ★" : "");
    });
    document.getElementById("intended-names").textContent = codes.length ? codes.map(zoneName).join(T.separator) : T.none;
  }
  document.getElementById("industry").addEventListener("change", showIntended);
  showIntended();

  // ---- the legend ----
  const legend = L.control({position: "bottomright"});
  legend.onAdd = () => {
    const box = document.getElementById("siting-legend");
    box.hidden = false;
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };

  function showThreshold(threshold) {
    if (!known(threshold)) return;
    const mark = document.getElementById("legend-threshold");
    mark.style.left = (threshold * 100) + "%";
    mark.hidden = false;
    document.getElementById("legend-threshold-text").textContent = T.threshold + " " + threshold;
    document.getElementById("legend-threshold-label").hidden = false;
  }

  // ---- a site: popup and the side panel ----
  function breakdownRows(p) {
    return (p.criteria || []).map((c) => el("tr", {}, [
      el("td", {class: "name", text: c.label}), cell(fixed(c.weight, 2), true),
      cell(c.value, typeof c.value === "number"),
      cell(fixed(c.score, 2), true), cell(fixed(c.contribution, 3), true)]));
  }

  function siteTitle(p) {
    return T.site + " " + p.rank;
  }

  function siteFacts(p) {
    return [[T.score, fixed(p.score, 2)], [T.area, fixed(p.area_ha, 1)],
            [T.zone, p.zone_name || "—"], [T.village, p.village_name || "—"]];
  }

  function popup(p) {
    const head = document.querySelector("#breakdown thead").cloneNode(true);
    const facts = el("table", {class: "facts"}, siteFacts(p).map(([k, v]) => el("tr", {}, [el("th", {text: k}), el("td", {text: v})])));
    const box = el("div", {class: "popup site-popup"}, [el("h3", {text: siteTitle(p)}), facts]);
    if (p.conflict) box.appendChild(el("p", {class: "conflict-note", text: "⚠ " + T.conflict}));
    box.appendChild(el("table", {class: "figures breakdown"}, [head, el("tbody", {}, breakdownRows(p))]));
    return box;
  }

  function layerOf(id) {
    let found = null;
    sitesLayer.eachLayer((layer) => { if (layer.feature.id === id) found = layer; });
    return found;
  }

  function select(id, zoom) {
    const layer = layerOf(id);
    if (!layer) return;
    const p = layer.feature.properties;
    const before = state.selected !== null ? layerOf(state.selected) : null;
    if (before) {
      before.setStyle(siteStyle(before.feature.properties, false));
      const label = before.getTooltip() && before.getTooltip().getElement();
      if (label) label.classList.remove("selected");
    }
    state.selected = id;
    layer.setStyle(siteStyle(p, true));
    layer.bringToFront();
    const label = layer.getTooltip() && layer.getTooltip().getElement();
    if (label) label.classList.add("selected");
    document.querySelectorAll("#sites-table tbody tr").forEach((row) => {
      row.classList.toggle("selected", row.dataset.site === id);
      row.setAttribute("aria-selected", row.dataset.site === id ? "true" : "false");
    });
    document.getElementById("site-title").textContent = siteTitle(p);
    const meta = siteFacts(p).map(([k, v]) => k + " " + v).join(T.separator);
    document.getElementById("site-meta").textContent = meta + (p.conflict ? T.separator + "⚠ " + T.conflict : "");
    fill("breakdown", breakdownRows(p));
    document.getElementById("site-detail").hidden = false;
    const result = document.getElementById("save-result");
    if (result) { result.hidden = true; result.className = ""; result.replaceChildren(); }
    if (zoom) {
      // The site low in the map, its popup above it.
      map.fitBounds(layer.getBounds(), {maxZoom: 15, paddingTopLeft: [40, 330], paddingBottomRight: [40, 40]});
      layer.openPopup(layer.getBounds().getCenter());
    }
  }

  // ---- the tables ----
  function drawTables(data) {
    const sites = data.sites.features;
    document.getElementById("no-sites").hidden = sites.length > 0;
    document.getElementById("sites-table").hidden = sites.length === 0;
    fill("sites-table", sites.map((f) => {
      const p = f.properties;
      const row = el("tr", {"data-site": f.id, tabindex: "0", class: p.conflict ? "conflict" : null}, [
        cell(p.rank, true), cell(fixed(p.score, 2), true), cell(fixed(p.area_ha, 1), true),
        el("td", {class: "name", text: p.zone_name || "—"}), el("td", {class: "name", text: p.village_name || "—"}),
        el("td", {text: p.conflict ? "⚠ " + T.yes : "—", title: p.conflict ? T.conflict : null})]);
      row.addEventListener("click", () => select(f.id, true));
      row.addEventListener("keydown", (event) => { if (event.key === "Enter") select(f.id, true); });
      return row;
    }));

    const zones = data.zones;
    const total = zones.reduce((t, z) => ({scored: t.scored + z.scored_km2, suitable: t.suitable + z.suitable_km2,
                                          conflict: t.conflict + z.conflict_km2,
                                          sum: t.sum + (known(z.mean_score) ? z.mean_score * z.scored_km2 : 0)}),
                               {scored: 0, suitable: 0, conflict: 0, sum: 0});
    const zoneRows = zones.map((z) => el("tr", {"data-zone": z.code, class: z.intended ? "intended" : null}, [
      el("td", {class: "name", text: (z.name || z.code) + (z.intended ? " ★" : "")}), cell(yesNo(z.intended)),
      cell(fixed(z.scored_km2, 1), true), cell(fixed(z.suitable_km2, 1), true), cell(fixed(z.mean_score, 2), true),
      el("td", {class: "n" + (z.conflict_km2 > 0 ? " conflict" : ""), text: fixed(z.conflict_km2, 1)})]));
    if (zones.length > 1) {
      zoneRows.push(el("tr", {class: "total"}, [el("td", {class: "name", text: T.county}), cell(""),
        cell(fixed(total.scored, 1), true), cell(fixed(total.suitable, 1), true),
        cell(total.scored ? fixed(total.sum / total.scored, 2) : "—", true), cell(fixed(total.conflict, 1), true)]));
    }
    fill("zones-table", zoneRows);

    fill("excluded-table", data.excluded.map((x) => el("tr", {}, [el("td", {text: x.constraint}), cell(fixed(x.km2, 1), true)])));

    document.getElementById("no-existing").hidden = data.existing.length > 0;
    document.getElementById("existing-table").hidden = data.existing.length === 0;
    fill("existing-table", data.existing.map((x) => el("tr", {class: x.conflicts.length ? "conflict" : null}, [
      el("td", {class: "name", text: x.name}), cell(T["status-" + x.status] || x.status), cell(zoneName(x.zone)),
      cell(fixed(x.score, 2), true), el("td", {text: x.conflicts.length ? "⚠ " + x.conflicts.join(T.separator) : "—"})])));

    fill("sensitivity-table", data.sensitivity.map((s) => el("tr", {class: s.top_unchanged ? null : "changed"}, [
      el("td", {text: s.label}), cell(s.change, true), cell(s.moved, true), cell(yesNo(s.top_unchanged)),
      cell(fixed(s.tau, 2), true)])));

    fill("villages-table", data.villages.map((v) => el("tr", {}, [
      el("td", {class: "name", text: v.name}), cell(fixed(v.suitable_km2, 2), true), cell(fixed(v.mean_score, 2), true)])));
  }

  // ---- the map ----
  async function drawSurface(url) {
    const {response} = await call(url);
    const [south, west, north, east] = JSON.parse(response.headers.get("X-Bounds"));
    const image = URL.createObjectURL(await response.blob());
    const overlay = L.imageOverlay(image, [[south, west], [north, east]],
                                   {pane: "surface", className: "siting-surface", interactive: false});
    const loaded = new Promise((resolve, reject) => { overlay.once("load", resolve); overlay.once("error", reject); });
    overlay.addTo(map);
    state.surface = overlay;
    await loaded;
  }

  function drawSites(data) {
    sitesLayer.clearLayers();
    sitesLayer.addData(data.sites);
    sitesLayer.eachLayer((layer) => {
      const p = layer.feature.properties;
      layer.bindPopup(() => popup(p), {maxWidth: 460, minWidth: 340, autoPanPaddingTopLeft: [10, 10]});
      layer.bindTooltip(el("span", {text: String(p.rank)}), {permanent: true, direction: "center", className: "site-rank" + (p.conflict ? " conflict" : "")});
      layer.on("click", () => select(layer.feature.id, false));
    });
    sitesLayer.addTo(map);
  }

  function setDownloads(data) {
    document.getElementById("download-tif").href = data.surface.tif;
    const query = new URLSearchParams({format: "geojson", industry: data.industry});
    if (data.zone) query.set("zone", data.zone);
    document.getElementById("download-geojson").href = config.urls.suitability + "?" + query.toString();
  }

  // ---- planners: save a site as a proposed industry ----
  const saveForm = document.getElementById("save-form");
  if (saveForm && config.can_save) {
    saveForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = document.getElementById("save-result");
      const button = document.getElementById("save-site");
      const name = document.getElementById("save-name").value.trim();
      const data = state.data;
      if (!data || state.selected === null) return;
      button.disabled = true;
      result.className = "";
      result.replaceChildren(T.saving);
      result.hidden = false;
      try {
        const {data: saved} = await call(config.urls.save, {
          method: "POST",
          headers: {"Content-Type": "application/json",
                    "X-CSRFToken": saveForm.querySelector("[name=csrfmiddlewaretoken]").value},
          body: JSON.stringify({industry: data.industry, zone: data.zone, site: state.selected, name})});
        result.className = "ok";
        result.replaceChildren("✓ " + T.saved + " ", el("strong", {text: saved.name}));
        if (T.admin && saved.admin) result.append(" · ", el("a", {href: saved.admin, text: T.admin}));
      } catch (problem) {
        result.className = "errors";
        result.replaceChildren(problem.message);
      } finally {
        button.disabled = false;
      }
    });
  } else if (saveForm) {
    saveForm.remove();
  }

  // ---- run ----
  async function run() {
    const query = new URLSearchParams({industry: chosen.industry});
    if (chosen.zone) query.set("zone", chosen.zone);
    busy(true);
    try {
      const {data} = await call(config.urls.suitability + "?" + query.toString());
      state.data = data;
      say("siting-summary", data.summary);
      setDownloads(data);
      drawTables(data);
      document.getElementById("siting-results").hidden = false;
      drawSites(data);
      showThreshold(data.threshold);
      legend.addTo(map);
      if (data.sites.features.length) select(data.sites.features[0].id, false);
      try {
        await drawSurface(data.surface.png);
      } catch (problem) {
        say("map-message", T.surface_failed + problem.message);
      }
    } catch (problem) {
      say("siting-error", problem.message);
    } finally {
      busy(false);
    }
  }

  async function start() {
    const county = call(config.urls.county).then(({data}) => {
      const outline = L.geoJSON(data, {style: {color: "#333", weight: 2.5, fill: false}, interactive: false}).addTo(map);
      if (!chosen.zone) map.fitBounds(outline.getBounds());
    });
    const zones = call(config.urls.zones).then(({data}) => {
      const layer = L.geoJSON(data, {style: {color: "#555", weight: 1.5, opacity: 0.9, fill: false}, interactive: false}).addTo(map);
      layer.eachLayer((l) => l.bindTooltip(el("span", {text: l.feature.properties.name}), {permanent: true, direction: "center", className: "zone-label"}));
      layer.eachLayer((l) => {
        if (chosen.zone && l.feature.properties.code === chosen.zone) map.fitBounds(l.getBounds());
      });
    });
    const layers = Promise.all([county, zones]).catch((problem) => say("map-message", problem.message));
    if (chosen.industry) await run();
    await layers;
    sitesLayer.bringToFront();
    document.body.dataset.ready = "1";
  }
  state.ready = start();
})();
