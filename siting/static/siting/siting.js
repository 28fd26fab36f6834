/* The siting page (/analysis/siting/) on the page's map (maps/static/maps/map.js): where an
   industry fits. With ?industry=... (and ?zone=...) it asks /api/analysis/suitability/ and draws
   the suitability surface (a PNG whose bounds come in the X-Bounds header) over the offline
   basemap, the candidate sites (conflicts dashed) with the breakdown of their score, and the
   tables. Planners save a site as a proposed industry. Texts from the data go in as text, never
   as HTML. */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {map, page, t, el} = gm;
  const chosen = page.chosen;
  // The surface under the outlines and sites (overlayPane).
  map.createPane("surface").style.zIndex = 350;

  const STYLE = {
    site: {color: page.site.outline, weight: 2, fillColor: page.site.fill, fillOpacity: 0.35},
    conflict: {color: page.conflict.outline, weight: 2.5, dashArray: "6 4", fillColor: page.conflict.fill, fillOpacity: 0.2},
  };
  const siteStyle = (p, selected) => Object.assign({}, p.conflict ? STYLE.conflict : STYLE.site,
                                                   selected ? {weight: 4.5, fillOpacity: 0.5} : {});
  // Sites as SVG paths, which stay crisp and clickable above the surface image.
  const sitesLayer = L.geoJSON(null, {style: (f) => siteStyle(f.properties, false), renderer: L.svg()});
  gm.group("sites").addLayer(sitesLayer);
  const state = {map, ready: null, data: null, surface: null, sites: sitesLayer, selected: null};
  window.gisplanSiting = state;

  // ---- small helpers ----
  const known = (x) => x !== null && x !== undefined && !(typeof x === "number" && Number.isNaN(x));
  const fixed = (x, digits) => (known(x) ? Number(x).toFixed(digits) : "—");
  const cell = (text, numeric) => el("td", {class: numeric ? "n" : null, text: text === "" || !known(text) ? "—" : String(text)});
  const yesNo = (b) => (b ? t("yes") : t("no"));
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

  function busy(on) {
    gm.busy(on);
    document.getElementById("run").disabled = on;
    document.getElementById("siting-panel").setAttribute("aria-busy", on ? "true" : "false");
  }

  // ---- the form: which zones are planned for the chosen industry ----
  function showIntended() {
    const industry = document.getElementById("industry").value;
    const codes = Object.keys(page.preferred).filter((code) => (page.preferred[code] || []).includes(industry));
    document.querySelectorAll("#zone option").forEach((o) => {
      if (!o.value) return;
      o.textContent = zoneNames[o.value] + (codes.includes(o.value) ? " ★" : "");
    });
    document.getElementById("intended-names").textContent = codes.length ? codes.map(zoneName).join(t("separator")) : t("none");
  }
  document.getElementById("industry").addEventListener("change", showIntended);
  showIntended();

  // ---- the legend: a mark at the threshold on the ramp ----
  function showThreshold(threshold) {
    const mark = document.getElementById("legend-threshold");
    if (!known(threshold) || !mark) return;
    mark.style.left = (threshold * 100) + "%";
    mark.hidden = false;
    mark.closest(".ramp-entry").lastChild.textContent = t("threshold") + " " + threshold;
  }

  // ---- a site: popup and the side panel ----
  function breakdownRows(p) {
    return (p.criteria || []).map((c) => el("tr", {}, [
      el("td", {class: "name", text: c.label}), cell(fixed(c.weight, 2), true),
      cell(c.value, typeof c.value === "number"),
      cell(fixed(c.score, 2), true), cell(fixed(c.contribution, 3), true)]));
  }

  function siteTitle(p) {
    return t("site") + " " + p.rank;
  }

  function siteFacts(p) {
    return [[t("score"), fixed(p.score, 2)], [t("area"), fixed(p.area_ha, 1)],
            [t("zone"), p.zone_name || "—"], [t("village"), p.village_name || "—"]];
  }

  function popup(p) {
    const head = document.querySelector("#breakdown thead").cloneNode(true);
    const facts = el("table", {class: "facts"}, siteFacts(p).map(([k, v]) => el("tr", {}, [el("th", {text: k}), el("td", {text: v})])));
    const box = el("div", {class: "popup site-popup"}, [el("h3", {text: siteTitle(p)}), facts]);
    if (p.conflict) box.appendChild(el("p", {class: "conflict-note", text: "⚠ " + t("conflict")}));
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
    const meta = siteFacts(p).map(([k, v]) => k + " " + v).join(t("separator"));
    document.getElementById("site-meta").textContent = meta + (p.conflict ? t("separator") + "⚠ " + t("conflict") : "");
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
        el("td", {text: p.conflict ? "⚠ " + t("yes") : "—", title: p.conflict ? t("conflict") : null})]);
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
      zoneRows.push(el("tr", {class: "total"}, [el("td", {class: "name", text: t("county")}), cell(""),
        cell(fixed(total.scored, 1), true), cell(fixed(total.suitable, 1), true),
        cell(total.scored ? fixed(total.sum / total.scored, 2) : "—", true), cell(fixed(total.conflict, 1), true)]));
    }
    fill("zones-table", zoneRows);

    fill("excluded-table", data.excluded.map((x) => el("tr", {}, [el("td", {text: x.constraint}), cell(fixed(x.km2, 1), true)])));

    document.getElementById("no-existing").hidden = data.existing.length > 0;
    document.getElementById("existing-table").hidden = data.existing.length === 0;
    fill("existing-table", data.existing.map((x) => el("tr", {class: x.conflicts.length ? "conflict" : null}, [
      el("td", {class: "name", text: x.name}), cell(t("status-" + x.status)), cell(zoneName(x.zone)),
      cell(fixed(x.score, 2), true), el("td", {text: x.conflicts.length ? "⚠ " + x.conflicts.join(t("separator")) : "—"})])));

    fill("sensitivity-table", data.sensitivity.map((s) => el("tr", {class: s.top_unchanged ? null : "changed"}, [
      el("td", {text: s.label}), cell(s.change, true), cell(s.moved, true), cell(yesNo(s.top_unchanged)),
      cell(fixed(s.tau, 2), true)])));

    fill("villages-table", data.villages.map((v) => el("tr", {}, [
      el("td", {class: "name", text: v.name}), cell(fixed(v.suitable_km2, 2), true), cell(fixed(v.mean_score, 2), true)])));
  }

  // ---- the map ----
  async function drawSurface(url) {
    const response = await gm.request(url);
    const [south, west, north, east] = JSON.parse(response.headers.get("X-Bounds"));
    const image = URL.createObjectURL(await response.blob());
    const overlay = L.imageOverlay(image, [[south, west], [north, east]],
                                   {pane: "surface", className: "siting-surface", interactive: false});
    const loaded = new Promise((resolve, reject) => { overlay.once("load", resolve); overlay.once("error", reject); });
    gm.group("surface").addLayer(overlay);
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
  }

  function setDownloads(data) {
    document.getElementById("download-tif").href = data.surface.tif;
    const query = new URLSearchParams({format: "geojson", industry: data.industry});
    if (data.zone) query.set("zone", data.zone);
    document.getElementById("download-geojson").href = page.urls.suitability + "?" + query.toString();
  }

  // ---- planners: save a site as a proposed industry ----
  const saveForm = document.getElementById("save-form");
  if (saveForm && page.can_save) {
    saveForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = document.getElementById("save-result");
      const button = document.getElementById("save-site");
      const name = document.getElementById("save-name").value.trim();
      const data = state.data;
      if (!data || state.selected === null) return;
      button.disabled = true;
      result.className = "";
      result.replaceChildren(t("saving"));
      result.hidden = false;
      try {
        const saved = await gm.json(page.urls.save, {
          method: "POST",
          headers: {"Content-Type": "application/json",
                    "X-CSRFToken": saveForm.querySelector("[name=csrfmiddlewaretoken]").value},
          body: JSON.stringify({industry: data.industry, zone: data.zone, site: state.selected, name})});
        result.className = "ok";
        result.replaceChildren("✓ " + t("saved") + " ", el("strong", {text: saved.name}));
        if (page.staff && saved.admin) result.append(" · ", el("a", {href: saved.admin, text: t("admin")}));
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
      const data = await gm.json(page.urls.suitability + "?" + query.toString());
      state.data = data;
      say("siting-summary", data.summary);
      setDownloads(data);
      drawTables(data);
      document.getElementById("siting-results").hidden = false;
      drawSites(data);
      showThreshold(data.threshold);
      if (data.sites.features.length) select(data.sites.features[0].id, false);
      try {
        await drawSurface(data.surface.png);
      } catch (problem) {
        gm.say(t("surface_failed") + problem.message);
      }
    } catch (problem) {
      say("siting-error", problem.message);
    } finally {
      busy(false);
    }
  }

  async function start() {
    const zones = gm.json(page.urls.zones).then((data) => {
      L.geoJSON(data, {...gm.pane("gisplan-zones", 410), style: {color: "#555", weight: 1.5, opacity: 0.9, fill: false}})
        .eachLayer((l) => {
          gm.group("zones").addLayer(l.bindTooltip(gm.text(l.feature.properties.name),
                                                   {permanent: true, direction: "center", className: "zone-label"}));
          if (chosen.zone && l.feature.properties.code === chosen.zone) map.fitBounds(l.getBounds());
        });
    });
    const layers = Promise.all([gm.county, zones]).catch((problem) => gm.say(problem.message));
    if (chosen.industry) await run();
    await layers;
    sitesLayer.bringToFront();
    document.body.dataset.ready = "1";
  }
  state.ready = start();
})();
