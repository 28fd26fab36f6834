"""The analysis pages under /analysis/: coverage of the villages by a kind of service center, and
where new centers should go."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gisplan.api import Refusal, flag
from layers.models import ServiceCenter, Zone
from layers.regions import county_of
from layers.roles import RUN_ANALYSIS

from .api import coverage_options, locate_options
from .page_map import coverage_map
from .runs import CAPACITATED, DEFAULT_METRES, DEFAULT_MINUTES, MODELS, run_coverage, run_locate

UNDERSERVED_LISTED = 30


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
        # The capacities box is coverage's, and the proposal's where its model takes capacities.
        located = params.copy()
        if params.get("model") not in CAPACITATED or not flag(params, "capacities"):
            located.pop("capacities", None)
            located.pop("new_capacity", None)
        try:
            county = county_of(request).adcode
            run = run_coverage(coverage_options(params, county))
            proposal = run_locate(locate_options(located, county)) if params.get("model") else None
        except Refusal as problem:
            context["problem"] = str(problem)
            run = proposal = None
        else:
            zones = dict(Zone.objects.of_county(county_of(request)).in_force()
                         .values_list("code", "name"))
            rows = list(run.rows())
            context.update(run=run, shares=[(zones.get(k, k) if k else _("County"), s)
                                            for k, s in run.shares.items()],
                           underserved=[rows[i] for i in run.underserved[:UNDERSERVED_LISTED]],
                           download=reverse("access_api:coverage") + "?" + params.urlencode(),
                           proposal=proposal,
                           locate_download=reverse("access_api:locate") + "?" + located.urlencode())
    context["frame"] = coverage_map(county_of(request), service, run, proposal,
                                    request.GET.get("isochrones") == "1")
    return render(request, "access/coverage.html", context)
