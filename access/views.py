"""The analysis pages under /analysis/: coverage of the villages by a kind of service center."""
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from layers.models import ServiceCenter, Zone
from maps.views import basemaps

from .api import PERMISSION, coverage_data, coverage_options, locate_data, locate_options
from .runs import DEFAULT_METRES, DEFAULT_MINUTES, MODELS, BadOptions, run_coverage, run_locate


UNDERSERVED_LISTED = 30


@permission_required(PERMISSION, raise_exception=True)
def coverage_page(request):
    """Choose a service, a mode and a threshold; see catchments, the uncovered and the figures;
    with a model, also where new centers should go and what they add."""
    context = {"kinds": ServiceCenter.Kind.choices, "params": request.GET,
               "defaults": {"network": f"{DEFAULT_MINUTES:g}", "euclidean": f"{DEFAULT_METRES:g}"}}
    if request.GET.get("service"):
        params = request.GET.copy()  # the form sends both thresholds; the mode picks one
        params.pop("max_distance" if params.get("mode") != "euclidean" else "max_minutes", None)
        if not params.get("model"):
            params.pop("model", None)
            params.pop("p", None)
        try:
            run = run_coverage(coverage_options(params))
            proposal = run_locate(locate_options(params)) if params.get("model") else None
        except BadOptions as problem:
            context["problem"] = str(problem)
        else:
            zones = dict(Zone.objects.in_force().values_list("code", "name"))
            rows = list(run.rows())
            context.update(run=run, shares=[(zones.get(k, k) if k else _("County"), s)
                                            for k, s in run.shares.items()],
                           underserved=[rows[i] for i in run.underserved[:UNDERSERVED_LISTED]],
                           download=reverse("analysis_api:coverage") + "?" + params.urlencode(),
                           proposal=proposal, models=MODELS,
                           locate_download=reverse("analysis_api:locate") + "?" + params.urlencode(),
                           config={**basemaps(), "data": coverage_data(
                               run, isochrones=params.get("isochrones") == "1"),
                                   "proposal": locate_data(proposal) if proposal else None,
                                   "urls": {"county": reverse("layers:layer", args=["county"]),
                                            "villages": reverse("layers:layer", args=["villages"])}})
    return render(request, "access/coverage.html", context)
