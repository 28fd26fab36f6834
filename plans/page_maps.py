"""The maps of the zone-plan pages (maps/frame.py): the editor's and the comparison's layer
groups, legends, words and URLs."""
from django.urls import reverse
from django.utils.translation import gettext as _

from maps.frame import Overlay, map_frame, section

from . import compare

def layer_urls(*names):
    return {name: reverse("layers:layer", args=[name]) for name in names}


def editor_map(plan, figures, can_edit, csrf):
    """The version's zones over the layers planners draw along (the villages are the ones
    "pick villages" picks), and where a change and a recorded state are drawn."""
    return map_frame([
        Overlay("zones", _("Zones")),
        Overlay("towns", _("Towns")), Overlay("roads", _("Roads")),
        Overlay("villages", _("Villages"))], [
        section(_("Zones of this version"),
                *({"kind": "swatch", "fill": f.color, "label": f.name} for f in figures)),
        section(_("Reference layers"),
                {"kind": "line", "color": "#444444", "weight": 1.2, "dash": True, "label": _("Towns")},
                {"kind": "line", "color": "#7b5a2e", "weight": 2, "label": _("Roads")},
                {"kind": "swatch", "fill": "transparent", "outline": "#666666", "label": _("Villages")}),
        section(_("Changes"),
                {"kind": "line", "color": "#000000", "dash": True,
                 "label": _("the zones after the change (preview)")},
                {"kind": "line", "color": "#c0392b", "dash": True, "label": _("a recorded state: before")},
                {"kind": "line", "color": "#1f4e9c", "label": _("a recorded state: after")}),
    ], {
        "stale": _("Someone else changed this zone meanwhile: the map has been reloaded; make your "
                   "change again."),
        "no_moves": _("This change moves nothing."),
        "restore": _("Restore this state"), "show": _("Show"), "before": _("before"),
        "after": _("after"), "confirm_restore": _("Bring every zone back to its state at this change?"),
        "picked": _("villages picked"), "no_history": _("No changes recorded yet."),
    }, page={"can_edit": can_edit, "csrf": csrf, "urls": {
        **layer_urls("towns", "roads", "villages"),
        "plan": reverse("plans_api:version", args=[plan.pk]),
        "history": reverse("plans_api:history", args=[plan.pk]),
        "restore": reverse("plans_api:restore", args=[plan.pk]),
        "zone": reverse("plans_api:zone", args=[plan.pk, "ZONE"]),
        "preview": reverse("plans_api:preview", args=[plan.pk, "ZONE"])}}, area=plan.county)


def compare_map(result):
    """Version B's zones, version A's outlines, and the land that changes zone (a
    compare.Comparison)."""
    a, b = result.first, result.second
    return map_frame([
        Overlay("a", _("A: %(name)s") % {"name": a.name}),
        Overlay("b", _("B: %(name)s") % {"name": b.name}),
        Overlay("changed", _("Land that changes zone"))], [
        section(_("A: %(name)s") % {"name": a.name},
                {"kind": "line", "color": "#555555", "dash": True, "label": _("its zones' outlines")}),
        section(_("B: %(name)s") % {"name": b.name},
                *({"kind": "swatch", "fill": f.color, "label": f.name}
                  for _code, _a, f in result.rows if f is not None)),
        section(_("Land that changes zone"),
                {"kind": "swatch", "fill": "#888888", "outline": "#000000",
                 "label": _("filled in the colour of the zone it goes to")})],
        page={"changed": compare.comparison_data(result)["changed"], "urls": {
            "a": reverse("plans_api:version", args=[a.pk]),
            "b": reverse("plans_api:version", args=[b.pk])}}, area=b.county)
