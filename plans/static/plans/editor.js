/* The zone editor and viewer (/plan/<id>/) on the page's map (maps/static/maps/map.js): the
   version's zones over the villages, towns and roads planners draw along; on a draft, a planner
   draws the area a zone should take or picks villages, sees what the change moves, and saves it
   with the zone's ETag. Also the history, with restore. Texts from the data go in as text, never
   as HTML. */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {map, page, t, el} = gm;
  const urls = page.urls;
  // The reference layers above the zones, whatever answers first: the villages are what a
  // planner picks; previews and recorded states above both, under the county's outline.
  const references = gm.pane("references", 430, true);
  const changes = gm.pane("changes", 440);
  const zonesLayer = L.geoJSON(null, {style: (f) => ({color: f.properties.color, weight: 2,
                                                     fillOpacity: 0.25, fillColor: f.properties.color})});
  gm.group("zones").addLayer(zonesLayer);
  const previewLayer = L.geoJSON(null, {...changes, style: {color: "#000", weight: 2, dashArray: "6 4", fill: false}}).addTo(map);
  const historyLayer = L.geoJSON(null, {...changes, style: (f) => ({color: f.properties.when === "before" ? "#c0392b" : "#1f4e9c",
                                                                   weight: 2, dashArray: f.properties.when === "before" ? "4 4" : null,
                                                                   fillOpacity: 0.1})}).addTo(map);
  const picked = new Set();
  let picking = false;
  const etags = {};
  let zoneFeatures = {};
  let villages = null;
  window.gisplanEditor = {ready: null, etags, map};

  const zoneName = (code) => (zoneFeatures[code] ? zoneFeatures[code].properties.name : code);

  function send(url, method, body, headers) {
    return gm.json(url, {method, body: JSON.stringify(body), headers: Object.assign(
      {"Content-Type": "application/json", "X-CSRFToken": page.csrf}, headers || {})});
  }

  async function loadPlan() {
    const data = await gm.json(urls.plan);
    zonesLayer.clearLayers();
    zonesLayer.addData(data.zones);
    zoneFeatures = {};
    data.zones.features.forEach((f) => { etags[f.properties.code] = f.properties.etag; zoneFeatures[f.properties.code] = f; });
    zonesLayer.eachLayer((layer) => layer.bindTooltip(gm.text(layer.feature.properties.name), {sticky: true}));
    return data;
  }

  // ---- the reference layers ----
  function villageStyle(f) {
    return picked.has(f.properties.code) ? {color: "#000", weight: 2, fillColor: "#ffd400", fillOpacity: 0.6}
      : {color: "#666", weight: 0.6, fillOpacity: 0};
  }

  async function loadReferences() {
    const [towns, roads, found] = await Promise.all(["towns", "roads", "villages"].map((name) => gm.json(urls[name])));
    L.geoJSON(towns, {...references, interactive: false,
                      style: {color: "#444", weight: 1.2, dashArray: "4 3", fill: false}})
      .eachLayer((layer) => gm.group("towns").addLayer(layer));
    L.geoJSON(roads, {...references, interactive: false, style: {color: "#7b5a2e", weight: 2, opacity: 0.8}})
      .eachLayer((layer) => gm.group("roads").addLayer(layer));
    villages = L.geoJSON(found, {...references, style: villageStyle,
                                 onEachFeature: (f, layer) => {
      layer.bindTooltip(gm.text(f.properties.label), {sticky: true});
      layer.on("click", () => {
        if (!picking) return;
        if (picked.has(f.properties.code)) picked.delete(f.properties.code); else picked.add(f.properties.code);
        layer.setStyle(villageStyle(f));
        gm.say(picked.size + " " + t("picked"));
      });
    }});
    gm.group("villages").addLayer(villages);
    window.gisplanEditor.villages = villages;
  }

  // ---- history ----
  async function loadHistory() {
    const list = document.getElementById("history");
    const data = await gm.json(urls.history);
    list.replaceChildren();
    if (!data.length) list.appendChild(el("li", {text: t("no_history")}));
    data.forEach((change, i) => {
      const zones = change.zones.map((z) => z.code + " " + z.area_km2 + " km²").join(", ");
      const item = el("li", {}, [el("strong", {text: gm.time(change.at), class: "when"}),
                                 " " + (change.user || "—") + " · " + change.note + " · " + zones]);
      const show = el("button", {type: "button", text: t("show")});
      show.addEventListener("click", () => showRecord(change.zones[0].history_id).catch((problem) => gm.say(problem.message)));
      item.appendChild(show);
      if (page.can_edit && i > 0) {  // the newest state is the present one
        const restore = el("button", {type: "button", text: t("restore"), "data-at": change.at});
        restore.addEventListener("click", () => restoreTo(change.at));
        item.appendChild(restore);
      }
      list.appendChild(item);
    });
  }

  async function showRecord(historyId) {
    const data = await gm.json(urls.history + historyId + "/");
    historyLayer.clearLayers();
    if (data.before) historyLayer.addData({type: "Feature", geometry: data.before, properties: {when: "before"}});
    historyLayer.addData({type: "Feature", geometry: data.after, properties: {when: "after"}});
    gm.say(data.code + ": " + t("before") + " ┅ / " + t("after") + " ━");
    map.fitBounds(historyLayer.getBounds());
  }

  async function restoreTo(at) {
    if (!window.confirm(t("confirm_restore"))) return;
    try {
      await send(urls.restore, "POST", {at});
      window.location.reload();
    } catch (problem) { gm.say(problem.message); }
  }

  // ---- editing (drafts, planners) ----
  if (page.can_edit) {
    const zoneSelect = document.getElementById("edit-zone");
    const preview = document.getElementById("preview");
    const pickButton = document.getElementById("pick-villages");
    const previewPicked = document.getElementById("preview-picked");
    const cancelButton = document.getElementById("cancel-edit");
    const drawn = L.featureGroup().addTo(map);
    let pending = null;  // the body of the change being previewed
    const drawer = new L.Draw.Polygon(map, {allowIntersection: false, showArea: false,
                                            shapeOptions: {color: "#000", weight: 2}});

    const zoneUrl = (kind) => urls[kind].replace("/ZONE/", "/" + zoneSelect.value + "/");

    function reset() {
      drawer.disable(); drawn.clearLayers(); previewLayer.clearLayers(); picked.clear();
      picking = false;
      if (villages) villages.setStyle(villageStyle);
      pending = null; preview.hidden = true; cancelButton.hidden = true; previewPicked.hidden = true;
      pickButton.setAttribute("aria-pressed", "false");
      gm.say("");
    }

    async function showPreview(body) {
      pending = body;
      const data = await send(zoneUrl("preview"), "POST", body);
      previewLayer.clearLayers();
      previewLayer.addData(data.zones);
      const rows = document.querySelector("#preview-table tbody");
      rows.replaceChildren();
      data.moves.forEach((m) => rows.appendChild(el("tr", {}, [
        el("td", {text: zoneName(m.from)}), el("td", {text: zoneName(m.to)}),
        el("td", {class: "n", text: m.area_km2.toFixed(2)}), el("td", {class: "n", text: String(m.villages.length)}),
        el("td", {class: "n", text: String(m.households)}), el("td", {class: "n", text: String(m.poor_population)})])));
      if (!data.moves.length) rows.appendChild(el("tr", {}, [el("td", {colspan: "6", text: t("no_moves")})]));
      preview.hidden = false; cancelButton.hidden = false;
    }

    async function previewOrSay(body) {
      try { await showPreview(body); } catch (problem) { gm.say(problem.message); }
    }

    map.on(L.Draw.Event.CREATED, (event) => {
      drawn.clearLayers(); drawn.addLayer(event.layer);
      previewOrSay({take: event.layer.toGeoJSON().geometry, srid: 4326});
    });
    document.getElementById("draw-area").addEventListener("click", () => { reset(); drawer.enable(); cancelButton.hidden = false; });
    cancelButton.addEventListener("click", reset);

    pickButton.addEventListener("click", () => {
      reset();
      picking = true;
      if (!map.hasLayer(gm.group("villages"))) map.addLayer(gm.group("villages"));
      pickButton.setAttribute("aria-pressed", "true"); cancelButton.hidden = false; previewPicked.hidden = false;
    });
    previewPicked.addEventListener("click", () => previewOrSay({villages: Array.from(picked)}));

    document.getElementById("save-edit").addEventListener("click", async () => {
      const code = zoneSelect.value;
      const body = Object.assign({note: document.getElementById("edit-note").value}, pending);
      try {
        await send(zoneUrl("zone"), "PATCH", body, {"If-Match": etags[code]});
        window.location.reload();
      } catch (problem) {
        if (problem.status === 412) { await loadPlan(); await loadHistory(); reset(); gm.say(t("stale")); }
        else gm.say(problem.message);
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
      } catch (problem) {
        gm.say(problem.status === 412 ? t("stale") : problem.message);
        if (problem.status === 412) await loadPlan();
      }
    });
    window.gisplanEditor.afterLoad = fillForm;
  }

  window.gisplanEditor.ready = Promise.all([loadReferences(), loadPlan(), gm.county]).then(loadHistory).then(() => {
    if (window.gisplanEditor.afterLoad) window.gisplanEditor.afterLoad();
    document.body.dataset.ready = "1";
  }).catch((problem) => gm.say(problem.message));
})();
