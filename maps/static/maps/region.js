/* The region portal: the counties of a city or the province coloured by an indicator (poverty
   incidence or the share of villages exited), each with a popup and a link to its own portal.
   The counties and their figures come in the page (maps/region.py). */
(function () {
  "use strict";
  const gm = window.gisplanMap;
  const {page, t, el, number, percent} = gm;
  const styles = page.styles;
  let indicator = "incidence";

  function color(value) {
    if (value === null || value === undefined) return styles.no_data;
    for (const c of styles[indicator]) if (c.upper === null || value < c.upper) return c.color;
    return styles.no_data;
  }

  function popup(p) {
    const link = el("a", {href: page.portal + "?county=" + encodeURIComponent(p.adcode), text: t("open")});
    const rows = [[t("incidence"), percent(p.incidence)], [t("poor_population"), number(p.poor_population)],
                  [t("villages"), p.villages ? number(p.villages) : "—"],
                  [t("exited_share"), percent(p.exited_share)]];
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
      l.bindPopup(() => popup(f.properties));
    },
  });
  gm.group("counties").addLayer(layer);

  document.querySelectorAll("#indicator [data-indicator]").forEach((button) => {
    button.addEventListener("click", () => {
      indicator = button.dataset.indicator;
      document.querySelectorAll("#indicator [data-indicator]").forEach((b) =>
        b.setAttribute("aria-pressed", String(b === button)));
      layer.setStyle((f) => ({fillColor: color(f.properties[indicator])}));
    });
  });
})();
