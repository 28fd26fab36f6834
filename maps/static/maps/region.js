/* The region portal: the counties of a city or the province coloured by an indicator (poverty
   incidence, the share of villages exited, or one of the latest batch's), each with a popup and
   a link to its own portal.
   The counties and their figures come in the page (maps/region.py); zoomed in, the villages
   (coloured by incidence or exit status, with a popup) and the roads come from the vector
   tiles, drawn by Leaflet.VectorGrid. */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {map, page, t, el, number, percent} = gm;
  const styles = page.styles;
  let indicator = "incidence";

  function color(value) {
    if (value === null || value === undefined) return styles.no_data;
    for (const c of styles[indicator]) if (c.upper === null || value < c.upper) return c.color;
    return styles.no_data;
  }

  function popup(p) {
    const link = el("a", {href: page.portal + "?county=" + encodeURIComponent(p.adcode), text: t("open_county")});
    const rows = [[t("incidence"), percent(p.incidence)], [t("poor_population"), number(p.poor_population)],
                  [t("villages"), p.villages ? number(p.villages) : "—"],
                  [t("exited_share"), percent(p.exited_share)]];
    // The latest batch's indicator the map shows: a share, or an industry's land in km².
    if (indicator in page.indicators) {
      const value = p[indicator];
      rows.push([page.indicators[indicator], indicator.startsWith("suitability:")
        ? (value === null || value === undefined ? "—" : number(Math.round(value)) + " km²")
        : percent(value)]);
    }
    return el("div", {class: "popup"}, [
      el("h3", {text: p.name}),
      el("table", {}, rows.map(([k, v]) => el("tr", {}, [el("th", {text: k}), el("td", {text: v})]))),
      el("p", {}, [link])]);
  }

  const layer = L.geoJSON(page.counties, {
    ...gm.pane("gisplan-counties", 410, true),
    style: (f) => ({color: "#ffffff", weight: 1, fillColor: color(f.properties[indicator]), fillOpacity: 0.75}),
    onEachFeature: (f, l) => {
      l.bindTooltip(gm.text(f.properties.name), {sticky: true});
      // Zoomed in, a click is for the village under it (below), not for its county.
      l.on("click", (event) => {
        if (map.getZoom() < page.villages_from_zoom) {
          L.popup().setLatLng(event.latlng).setContent(popup(f.properties)).openOn(map);
        }
      });
    },
  });
  gm.group("counties").addLayer(layer);

  /* Villages and roads from the vector tiles ------------------------------------------- */
  function villageColor(p) {
    return indicator === "incidence" ? color(p.incidence) : styles.exit[p.exit_status] || styles.no_data;
  }

  const villages = gm.vectorTiles(page.tiles.villages, "gisplan-villages", 420, {
    interactive: true, minZoom: page.villages_from_zoom,
    // A village is a point below the zoom its polygon shows at (layers/tiles.py).
    vectorTileLayerStyles: {villages: (p, zoom, dimension) => dimension === 1
      ? {radius: 3, weight: 0.5, color: "#ffffff", fill: true, fillColor: villageColor(p), fillOpacity: 0.9}
      : {weight: 0.5, color: "#ffffff", fill: true, fillColor: villageColor(p), fillOpacity: 0.7}},
  });
  const roads = gm.vectorTiles(page.tiles.roads, "gisplan-roads", 430, {
    interactive: false,
    vectorTileLayerStyles: {roads: (p) => ({color: styles.roads[p.road_class].color, opacity: 0.9,
                                            weight: Math.max(1, styles.roads[p.road_class].weight - 1)})},
  });
  gm.group("villages").addLayer(villages);
  gm.group("roads").addLayer(roads);

  // A village's popup: what its tile holds, and a link to its county's portal.
  villages.on("click", (event) => {
    if (event.layer.properties.code) {
      L.popup({maxWidth: 400}).setLatLng(event.latlng)
        .setContent(gm.villageSummary(event.layer.properties)).openOn(map);
    }
  });

  // Zoomed in on a county, its villages show through.
  function countyFill() {
    return map.getZoom() >= page.villages_from_zoom ? 0.15 : 0.75;
  }
  map.on("zoomend", () => layer.setStyle({fillOpacity: countyFill()}));
  layer.setStyle({fillOpacity: countyFill()});

  document.querySelectorAll("#indicator [data-indicator]").forEach((button) => {
    button.addEventListener("click", () => {
      indicator = button.dataset.indicator;
      document.querySelectorAll("#indicator [data-indicator]").forEach((b) =>
        b.setAttribute("aria-pressed", String(b === button)));
      layer.setStyle((f) => ({fillColor: color(f.properties[indicator])}));
      // Added again rather than redrawn: Leaflet 1.9's GridLayer.redraw asks for the tiles of a
      // fractional zoom (the map snaps to quarters).
      gm.group("villages").removeLayer(villages).addLayer(villages);
    });
  });
})();
