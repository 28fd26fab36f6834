"""The map of the coverage page (maps/frame.py): its layer groups, legend, words and data."""
from django.urls import reverse
from django.utils.translation import gettext as _

from maps.frame import Overlay, map_frame, section

from .api import coverage_data, locate_data

UNCOVERED = "#c0392b"  # the dashed outline of a village out of reach


def coverage_map(county, service, run, proposal, isochrones):
    """The page's map: the villages by the center they are nearest to, the uncovered outlined,
    the centers, their isochrones and the proposed sites; before a run, the villages and the
    centers of `service`."""
    overlays = [Overlay("villages", _("Villages")),
                Overlay("isochrones", _("Isochrones")), Overlay("centers", _("Service centers")),
                Overlay("proposed", _("Proposed sites"))]
    legend = [section(_("Coverage"),
                      {"kind": "note", "label": _("Villages are coloured by the center nearest to them.")},
                      {"kind": "swatch", "fill": "#ffffff", "outline": UNCOVERED, "dash": True,
                       "label": _("village out of reach")},
                      {"kind": "symbol", "shape": "circle", "color": "#333333",
                       "label": _("a center of the chosen service")},
                      {"kind": "symbol", "shape": "star", "color": "#cc0000", "label": _("proposed site")},
                      {"kind": "line", "color": "#555555", "label": _("isochrone: the reach of a center")})]
    texts = {"min": _("min"), "m": _("m"), "covered": _("within reach"),
             "uncovered": _("out of reach"), "villages": _("villages")}
    return map_frame(overlays, legend, texts, page={
        "service": service, "uncovered": UNCOVERED,
        "data": coverage_data(run, isochrones=isochrones) if run else None,
        "proposal": locate_data(proposal) if proposal else None,
        "urls": {"villages": reverse("layers:layer", args=["villages"]),
                 "centers": reverse("layers:layer", args=["centers"])}}, area=county)
