"""The portal's words and symbols, in the user's language: layer names, popup fields, the
styles portal.js draws with and the legend that explains them."""
from django.utils.translation import gettext as _

from layers.models import Industry, Road, ServiceCenter, Village

from .frame import section

# Poverty-incidence classes of the village choropleth: upper bounds and colours.
INCIDENCE_CLASSES = ((0.03, "#1a9850"), (0.10, "#a6d96a"), (0.20, "#fee08b"), (0.30, "#fdae61"),
                     (0.40, "#f46d43"), (None, "#a50026"))
NO_DATA = "#999999"  # no registered population
EXIT_COLORS = {"exited": "#1a9850", "poor": "#d73027", "non_poor": "#bdbdbd"}
CENTER_STYLE = {  # kind -> (shape, colour): a shape of its own for each of the plan's five
    "relief": ("circle", "#e41a1c"), "agri_policy": ("square", "#4daf4a"),
    "elderly_care": ("triangle", "#ff7f00"), "children_care": ("star", "#984ea3"),
    "health_check": ("pentagon", "#377eb8"), "town_health_center": ("cross", "#08306b"),
    "village_clinic": ("cross", "#41b6c4"),
}
INDUSTRY_COLORS = {"modern_agriculture": "#66a61e", "livestock": "#a6761d", "planting": "#1b9e77",
                   "tourism": "#e7298a", "manufacturing": "#7570b3", "commerce_logistics": "#d95f02"}
# Roads in dark and neutral tones, apart from the reds and greens of the incidence map.
ROAD_STYLE = {"national": ("#111111", 4), "provincial": ("#4a4a4a", 3.5), "county": ("#7b5a2e", 3),
              "township": ("#5e3c99", 2), "village": ("#8a8a8a", 1.3)}


def map_labels():
    return {
        "towns": _("Towns"), "zones": _("Zones"),
        "villages_incidence": _("Villages: poverty incidence"),
        "villages_exit": _("Villages: exit status"), "rivers": _("Rivers"), "roads": _("Roads"),
        "centers": _("Service centers"), "clinics": _("Village clinics"),
        "industries": _("Industries"),
    }


def popup_labels():
    return {
        "code": _("Code"), "town": _("Town"), "zone": _("Zone"), "households": _("Households"),
        "population": _("Population"), "poor_households": _("Poor households"),
        "poor_population": _("Poor population"), "incidence": _("Poverty incidence"),
        "exit_status": _("Exit status"), "exit_year": _("Exit year"),
        "standard_failed": _("Standard module: criteria not met"),
        "demonstration_failed": _("Demonstration module: criteria not met"),
        "exit_assessment": _("Exit assessment"),
        "not_assessed": _("not assessed: a residents' committee that was never a poor village"),
        "all_met": _("all met"), "separator": _("; "), "kind": _("Type"), "status": _("Status"),
        "capacity": _("Capacity"), "driven": _("Poor households driven"),
        "investment": _("Investment (10,000 yuan)"),
        "search": _("Search villages by name or code"), "no_match": _("No village matches."),
        "export": _("Save the map as PNG"), "exporting": _("Preparing the image…"),
        "export_failed": _("The map could not be saved as an image."),
        "no_data": _("no data"), "open_county": _("Open the county's portal"),
    }


def incidence_classes():
    """The village choropleth's classes: upper bound (None: no bound), colour and label."""
    return share_classes(INCIDENCE_CLASSES)


def choropleth_section(title, classes, no_data=False):
    """A legend section of a choropleth's classes (`share_classes`' dicts), and "no data" if
    asked."""
    return section(title, *({"kind": "swatch", "color": c["color"], "label": c["label"]}
                            for c in classes),
                   *([{"kind": "swatch", "color": NO_DATA, "label": _("no data")}] if no_data else []))


def incidence_section():
    return choropleth_section(_("Poverty incidence"), incidence_classes(), no_data=True)


def share_classes(table):
    """A choropleth of shares from (upper bound, colour) pairs: upper bound, colour and label."""
    classes, lower = [], 0.0
    for upper, color in table:
        text = f"≥ {lower:.0%}" if upper is None else f"{lower:.0%} – {upper:.0%}"
        classes.append({"upper": upper, "color": color, "label": text})
        lower = upper if upper is not None else lower
    return classes


def exit_labels():
    """A village's exit status by its code, as the popups of its tile say it."""
    return {code: str(label) for code, label in Village.ExitStatus.choices}


def styles():
    """What portal.js draws each feature with, by its kind."""
    return {"incidence": incidence_classes(), "no_data": NO_DATA, "exit": EXIT_COLORS,
            "centers": {k: {"shape": shape, "color": color} for k, (shape, color) in CENTER_STYLE.items()},
            "industries": INDUSTRY_COLORS,
            "roads": {k: {"color": color, "weight": weight} for k, (color, weight) in ROAD_STYLE.items()}}


def legend():
    """The legend: incidence, exit status, centers, industries, roads."""
    return [
        incidence_section(),
        exit_section(),
        section(_("Service centers"), *({"kind": "symbol", "shape": CENTER_STYLE[k][0],
                                         "color": CENTER_STYLE[k][1], "label": label}
                                        for k, label in ServiceCenter.Kind.choices)),
        section(_("Industries"),
                *({"kind": "symbol", "shape": "diamond", "color": INDUSTRY_COLORS[k], "label": label}
                  for k, label in Industry.Kind.choices),
                {"kind": "note", "label": _("Faded symbols are planned, not yet built.")}),
        roads_section(),
    ]


def exit_section():
    return section(_("Exit status"), *({"kind": "swatch", "color": EXIT_COLORS[k], "label": label}
                                       for k, label in Village.ExitStatus.choices))


def roads_section():
    return section(_("Roads"), *({"kind": "line", "color": ROAD_STYLE[k][0], "weight": ROAD_STYLE[k][1],
                                  "label": label} for k, label in Road.RoadClass.choices))
