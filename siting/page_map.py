"""The map of the siting page (maps/frame.py): its layer groups, legend, words and URLs."""
from django.urls import reverse
from django.utils.translation import gettext as _

from maps.frame import Overlay, map_frame, section

from .overlay import RAMP

SITE = {"outline": "#08306b", "fill": "#2171b5"}
CONFLICT = {"outline": "#c51b7d", "fill": "#c51b7d"}


def siting_map(county, chosen, can_save, staff, preferred):
    """The county and its zones, the suitability surface under the candidate sites; `chosen`
    industry and zone, whether the user may save a site (and, `staff`, open it in the admin),
    and the industries each zone prefers."""
    return map_frame([
        Overlay("zones", _("Zones")),
        Overlay("surface", _("Suitability")), Overlay("sites", _("Candidate sites"))], [
        section(_("Suitability"),
                {"kind": "ramp", "colors": [f"rgb{tuple(int(v) for v in c)}" for c in RAMP],
                 "low": "0 " + _("unsuitable"), "high": _("suitable") + " 1", "id": "legend-threshold",
                 "label": _("a mark at the threshold: suitable at or above")},
                {"kind": "swatch", "fill": "transparent", "outline": "#999999",
                 "label": _("excluded by a constraint (transparent)")}),
        section(_("Candidate sites"),
                {"kind": "swatch", "outline": SITE["outline"], "fill": SITE["fill"] + "59",
                 "label": _("candidate site, with its rank")},
                {"kind": "swatch", "outline": CONFLICT["outline"], "fill": CONFLICT["fill"] + "33",
                 "dash": True, "label": _("candidate site in a zone not planned for the industry")},
                {"kind": "line", "color": "#555555", "weight": 1.5, "label": _("zone boundary")}),
    ], {
        "loading": _("Running the analysis…"),
        "yes": _("yes"), "no": _("no"), "none": _("none"), "site": _("Candidate site"),
        "score": _("Score"), "area": _("Area (ha)"), "zone": _("Zone"), "village": _("Village"),
        "conflict": _("in a zone not planned for this industry"),
        "threshold": _("threshold: suitable at or above"), "separator": _("; "),
        "county": _("County"), "saving": _("Saving…"), "saved": _("Saved as a proposed industry:"),
        "admin": _("open it in data administration"),
        "surface_failed": _("The suitability map could not be loaded: "),
        "status-existing": _("existing"), "status-planned": _("planned"),
        "status-proposed": _("proposed"),
    }, page={
        "chosen": chosen, "can_save": can_save, "staff": staff, "site": SITE, "conflict": CONFLICT,
        "preferred": preferred,
        "urls": {"suitability": reverse("siting_api:suitability"), "save": reverse("siting_api:save"),
                 "zones": reverse("layers:layer", args=["zones"])}}, area=county)
