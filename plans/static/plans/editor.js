/* The zone editor and viewer (/plan/<id>/): draws the version's zones over the offline
   basemap; on a draft, a planner draws the area a zone should take or picks villages, sees what
   the change moves, and saves it with the zone's ETag. Also the history, with restore.
   Texts from the data go in as text, never as HTML. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("plan-config").textContent);
  const L$ = config.labels;
  const map = L.map("plan-map", {zoomSnap: 0.25, attributionControl: Boolean(config.tiles)});
  if (config.basemap) L.imageOverlay(config.basemap.url, config.basemap.bounds).addTo(map);
  if (config.tiles) L.tileLayer(config.tiles.url, {attribution: config.tiles.attribution,
                                                   subdomains: config.tiles.subdomains || "abc"}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  const message = document.getElementById("map-message");
  const zonesLayer = L.geoJSON(null, {style: (f) => ({color: f.properties.color, weight: 2,
                                                     fillOpacity: 0.25, fillColor: f.properties.color})}).addTo(map);
  const previewLayer = L.geoJSON(null, {style: {color: "#000", weight: 2, dashArray: "6 4", fill: false}}).addTo(map);
  const historyLayer = L.geoJSON(null, {style: (f) => ({color: f.properties.when === "before" ? "#c0392b" : "#1f4e9c",
                                                       weight: 2, dashArray: f.properties.when === "before" ? "4 4" : null,
                                                       fillOpacity: 0.1})}).addTo(map);
  const etags = {};
  let zoneFeatures = {};
  window.gisplanEditor = {ready: null, etags, map};

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(typeof c === "string" ? document.createTextNode(c) : c));
    return node;
  }

  const zoneName = (code) => (zoneFeatures[code] ? zoneFeatures[code].properties.name : code);

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  async function call(url, options) {
    const response = await fetch(url, Object.assign({credentials: "same-origin"}, options || {}));
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const problem = new Error(data.error || response.statusText);
      problem.status = response.status;
      throw problem;
    }
    return {data, response};
  }

  function send(url, method, body, headers) {
    return call(url, {method, body: JSON.stringify(body), headers: Object.assign(
      {"Content-Type": "application/json", "X-CSRFToken": config.csrf}, headers || {})});
  }

  async function loadPlan() {
    const {data} = await call(config.urls.plan);
    zonesLayer.clearLayers();
    zonesLayer.addData(data.zones);
    zoneFeatures = {};
    data.zones.features.forEach((f) => { etags[f.properties.code] = f.properties.etag; zoneFeatures[f.properties.code] = f; });
    zonesLayer.eachLayer((layer) => layer.bindTooltip(layer.feature.properties.name, {sticky: true}));
    return data;
  }

  async function start() {
    const county = (await call(config.urls.county)).data;
    const outline = L.geoJSON(county, {style: {color: "#333", weight: 2, fill: false}}).addTo(map);
    map.fitBounds(outline.getBounds());
    await loadPlan();
    await loadHistory();
  }

  // ---- history ----
  async function loadHistory() {
    const list = document.getElementById("history");
    const {data} = await call(config.urls.history);
    list.replaceChildren();
    if (!data.length) list.appendChild(el("li", {text: L$.no_history}));
    data.forEach((change, i) => {
      const when = new Date(change.at).toLocaleString(document.documentElement.lang);
      const zones = change.zones.map((z) => z.code + " " + z.area_km2 + " km²").join(", ");
      const item = el("li", {}, [el("strong", {text: when}), " " + (change.user || "—") + " · " + change.note + " · " + zones]);
      const show = el("button", {type: "button", text: L$.show});
      show.addEventListener("click", () => showRecord(change.zones[0].history_id));
      item.appendChild(show);
      if (config.can_edit && i > 0) {  // the newest state is the present one
        const restore = el("button", {type: "button", text: L$.restore, "data-at": change.at});
        restore.addEventListener("click", () => restoreTo(change.at));
        item.appendChild(restore);
      }
      list.appendChild(item);
    });
  }

  async function showRecord(historyId) {
    const {data} = await call(config.urls.history + historyId + "/");
    historyLayer.clearLayers();
    if (data.before) historyLayer.addData({type: "Feature", geometry: data.before, properties: {when: "before"}});
    historyLayer.addData({type: "Feature", geometry: data.after, properties: {when: "after"}});
    say(data.code + ": " + L$.before + " ┅ / " + L$.after + " ━");
    map.fitBounds(historyLayer.getBounds());
  }

  async function restoreTo(at) {
    if (!window.confirm(L$.confirm_restore)) return;
    try {
      await send(config.urls.restore, "POST", {at});
      window.location.reload();
    } catch (problem) { say(L$.failed + problem.message); }
  }

  // ---- editing (drafts, planners) ----
  if (config.can_edit) {
    const zoneSelect = document.getElementById("edit-zone");
    const preview = document.getElementById("preview");
    const pickButton = document.getElementById("pick-villages");
    const previewPicked = document.getElementById("preview-picked");
    const cancelButton = document.getElementById("cancel-edit");
    const drawn = L.featureGroup().addTo(map);
    const picked = new Set();
    let villages = null;
    let pending = null;  // the body of the change being previewed
    const drawer = new L.Draw.Polygon(map, {allowIntersection: false, showArea: false,
                                            shapeOptions: {color: "#000", weight: 2}});

    const zoneUrl = (kind) => config.urls[kind].replace("/ZONE/", "/" + zoneSelect.value + "/");

    function reset() {
      drawer.disable(); drawn.clearLayers(); previewLayer.clearLayers(); picked.clear();
      if (villages) villages.setStyle(villageStyle);
      pending = null; preview.hidden = true; cancelButton.hidden = true; previewPicked.hidden = true;
      pickButton.setAttribute("aria-pressed", "false");
      say("");
    }

    function villageStyle(f) {
      return picked.has(f.properties.code) ? {color: "#000", weight: 2, fillColor: "#ffd400", fillOpacity: 0.6}
        : {color: "#555", weight: 0.5, fillOpacity: 0};
    }

    async function showPreview(body) {
      pending = body;
      const {data} = await send(zoneUrl("preview"), "POST", body);
      previewLayer.clearLayers();
      previewLayer.addData(data.zones);
      const rows = document.querySelector("#preview-table tbody");
      rows.replaceChildren();
      data.moves.forEach((m) => rows.appendChild(el("tr", {}, [
        el("td", {text: zoneName(m.from)}), el("td", {text: zoneName(m.to)}),
        el("td", {class: "n", text: m.area_km2.toFixed(2)}), el("td", {class: "n", text: String(m.villages.length)}),
        el("td", {class: "n", text: String(m.households)}), el("td", {class: "n", text: String(m.poor_population)})])));
      if (!data.moves.length) rows.appendChild(el("tr", {}, [el("td", {colspan: "6", text: L$.no_moves})]));
      preview.hidden = false; cancelButton.hidden = false;
    }

    async function previewOrSay(body) {
      try { await showPreview(body); } catch (problem) { say(L$.failed + problem.message); }
    }

    map.on(L.Draw.Event.CREATED, (event) => {
      drawn.clearLayers(); drawn.addLayer(event.layer);
      previewOrSay({take: event.layer.toGeoJSON().geometry, srid: 4326});
    });
    document.getElementById("draw-area").addEventListener("click", () => { reset(); drawer.enable(); cancelButton.hidden = false; });
    cancelButton.addEventListener("click", reset);

    pickButton.addEventListener("click", async () => {
      reset();
      pickButton.setAttribute("aria-pressed", "true"); cancelButton.hidden = false; previewPicked.hidden = false;
      if (!villages) {
        say(L$.loading);
        const {data} = await call(config.urls.villages);
        villages = L.geoJSON(data, {style: villageStyle, onEachFeature: (f, layer) => {
          layer.bindTooltip(f.properties.name, {sticky: true});
          layer.on("click", () => {
            if (pickButton.getAttribute("aria-pressed") !== "true") return;
            if (picked.has(f.properties.code)) picked.delete(f.properties.code); else picked.add(f.properties.code);
            layer.setStyle(villageStyle(f));
            say(picked.size + " " + L$.picked);
          });
        }}).addTo(map);
        window.gisplanEditor.villages = villages;
        say("");
      }
    });
    previewPicked.addEventListener("click", () => previewOrSay({villages: Array.from(picked)}));

    document.getElementById("save-edit").addEventListener("click", async () => {
      const code = zoneSelect.value;
      const body = Object.assign({note: document.getElementById("edit-note").value}, pending);
      try {
        await send(zoneUrl("zone"), "PATCH", body, {"If-Match": etags[code]});
        window.location.reload();
      } catch (problem) {
        if (problem.status === 412) { await loadPlan(); await loadHistory(); reset(); say(L$.stale); }
        else say(L$.failed + problem.message);
      }
    });

    // The zone's description.
    const form = document.getElementById("describe-form");
    function fillForm() {
      const p = zoneFeatures[zoneSelect.value].properties;
      form.elements.name.value = p.name; form.elements.theme.value = p.theme; form.elements.color.value = p.color;
      form.querySelectorAll("[name=preferred_industries]").forEach((box) => { box.checked = p.preferred_industries.includes(box.value); });
    }
    zoneSelect.addEventListener("change", () => { reset(); fillForm(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const code = zoneSelect.value;
      const body = {name: form.elements.name.value, theme: form.elements.theme.value, color: form.elements.color.value,
                    preferred_industries: Array.from(form.querySelectorAll("[name=preferred_industries]:checked"), (b) => b.value)};
      try {
        await send(zoneUrl("zone"), "PATCH", body, {"If-Match": etags[code]});
        window.location.reload();
      } catch (problem) { say(problem.status === 412 ? L$.stale : L$.failed + problem.message); if (problem.status === 412) await loadPlan(); }
    });
    window.gisplanEditor.afterLoad = fillForm;
  }

  window.gisplanEditor.ready = start().then(() => {
    if (window.gisplanEditor.afterLoad) window.gisplanEditor.afterLoad();
    document.body.dataset.ready = "1";
  }).catch((problem) => say(L$.failed + problem.message));
})();
