"""The analysis pages under /analysis/: coverage of the villages by a kind of service center, and
where new centers should go."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gisplan.api import Refusal
from layers.models import County, ServiceCenter, Zone
from layers.roles import RUN_ANALYSIS
from maps.frame import Overlay, map_frame, section

from .api import coverage_data, coverage_options, locate_data, locate_options
from .runs import DEFAULT_METRES, DEFAULT_MINUTES, MODELS, run_coverage, run_locate

UNDERSERVED_LISTED = 30
UNCOVERED = "#c0392b"  # the dashed outline of a village out of reach


@permission_required(RUN_ANALYSIS, raise_exception=True)
def coverage_page(request):
    """Choose a service, a mode and a threshold; see catchments, the uncovered and the figures;
    with a model, also where new centers should go and what they add. Before any run the map
    shows the villages and the centers of the chosen service."""
    service = request.GET.get("service") or ServiceCenter.Kind.values[0]
    context = {"kinds": ServiceCenter.Kind.choices, "params": request.GET, "service": service,
               "models": MODELS,
               "defaults": {"network": f"{DEFAULT_MINUTES:g}", "euclidean": f"{DEFAULT_METRES:g}"}}
    run = proposal = None
    if request.GET.get("service"):
        params = request.GET.copy()  # the form sends both thresholds; the mode picks one
        params.pop("max_distance" if params.get("mode") != "euclidean" else "max_minutes", None)
        if not params.get("model"):
            params.pop("model", None)
            params.pop("p", None)
        try:
            run = run_coverage(coverage_options(params))
            proposal = run_locate(locate_options(params)) if params.get("model") else None
        except Refusal as problem:
            context["problem"] = str(problem)
            run = proposal = None
        else:
            zones = dict(Zone.objects.in_force().values_list("code", "name"))
            rows = list(run.rows())
            context.update(run=run, shares=[(zones.get(k, k) if k else _("County"), s)
                                            for k, s in run.shares.items()],
                           underserved=[rows[i] for i in run.underserved[:UNDERSERVED_LISTED]],
                           download=reverse("access_api:coverage") + "?" + params.urlencode(),
                           proposal=proposal,
                           locate_download=reverse("access_api:locate") + "?" + params.urlencode())
    context["frame"] = coverage_map(service, run, proposal, request.GET.get("isochrones") == "1")
    return render(request, "access/coverage.html", context)


def coverage_map(service, run, proposal, isochrones):
    """The page's map: the villages by the center they are nearest to, the uncovered outlined,
    the centers, their isochrones and the proposed sites; before a run, the villages and the
    centers of `service`."""
    overlays = [Overlay("county", _("County boundary")), Overlay("villages", _("Villages")),
                Overlay("isochrones", _("Isochrones")), Overlay("centers", _("Service centers")),
                Overlay("proposed", _("Proposed sites"))]
    legend = [section(_("Coverage"),
                      {"kind": "note", "label": _("Villages are coloured by the center nearest to them.")},
                      {"kind": "swatch", "fill": "#ffffff", "outline": UNCOVERED, "dash": True,
                       "label": _("village out of reach")},
                      {"kind": "symbol", "shape": "circle", "color": "#333333",
                       "label": _("a center of the chosen service")},
                      {"kind": "symbol", "shape": "star", "color": "#cc0000", "label": _("proposed site")},
                      {"kind": "line", "color": "#555555", "label": _("isochrone: the reach of a center")},
                      {"kind": "line", "color": "#333333", "weight": 2.5, "label": _("County boundary")})]
    texts = {"min": _("min"), "m": _("m"), "covered": _("within reach"),
             "uncovered": _("out of reach"), "villages": _("villages")}
    return map_frame(County.objects.first(), overlays, legend, texts, page={
        "service": service, "uncovered": UNCOVERED,
        "data": coverage_data(run, isochrones=isochrones) if run else None,
        "proposal": locate_data(proposal) if proposal else None,
        "urls": {"villages": reverse("layers:layer", args=["villages"]),
                 "county": reverse("layers:layer", args=["county"]),
                 "centers": reverse("layers:layer", args=["centers"])}})
