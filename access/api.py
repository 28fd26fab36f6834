"""The analysis endpoints under /api/analysis/ for analysts (and planners): coverage, and the
files it downloads as. Errors are JSON {"error": "..."}: 400 bad options, 401 anonymous, 403
without layers.run_analysis."""
import tempfile
from functools import wraps
from pathlib import Path

import numpy as np
import pyproj
import shapely
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from .runs import BadOptions, CoverageOptions, LocateOptions, run_coverage, run_locate
from .tables import SUFFIXES, feature_collection, write_table

PERMISSION = "layers.run_analysis"


def error(status, message):
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def analysis_endpoint(view):
    """401 for anonymous callers, 403 without the analysts' permission, 400 for bad options."""
    @login_not_required  # answers 401 itself: an API caller wants a status, not a login page
    @require_GET
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error(401, _("sign in first"))
        if not request.user.has_perm(PERMISSION):
            return error(403, _("your role may not run analyses"))
        try:
            return view(request, *args, **kwargs)
        except BadOptions as problem:
            return error(400, str(problem))
    return checked


def number(params, name):
    if not params.get(name):
        return None
    try:
        return float(params[name])
    except ValueError:
        raise BadOptions(_("%(name)s must be a number") % {"name": name}) from None


def coverage_options(params):
    """CoverageOptions from query parameters (service, mode, max_distance, max_minutes, planned)."""
    if not params.get("service"):
        raise BadOptions(_("give the service type: ?service=..."))
    max_distance = number(params, "max_distance")
    mode = params.get("mode") or ("euclidean" if max_distance is not None else "network")
    return CoverageOptions(params["service"], mode, max_distance, number(params, "max_minutes"),
                           params.get("planned") in ("1", "true", "on"))


def locate_options(params):
    """LocateOptions from query parameters (coverage's, and model, p, keep_existing, time_limit)."""
    reach = coverage_options(params)
    if not params.get("model"):
        raise BadOptions(_("give the model: ?model=lscp|mclp|pmedian|pcenter"))
    p = number(params, "p")
    if p is not None and not p.is_integer():
        raise BadOptions(_("p must be a whole number"))
    time_limit = number(params, "time_limit")
    return LocateOptions(reach.service, params["model"], None if p is None else int(p), reach.mode,
                         reach.max_distance, reach.max_minutes,
                         params.get("keep_existing") in ("1", "true", "on"),
                         time_limit if time_limit is not None else LocateOptions.time_limit)


def locate_data(run):
    """The proposal as JSON-ready data: summary, the solver's answer, what it adds, the sites."""
    s, i = run.solution, run.impact
    rows = list(run.rows())
    return {"summary": run.summary(), "model": run.options.model,
            "solution": {"objective": s.objective, "gap": s.gap, "optimal": s.optimal,
                         "status": s.status, "sites": s.sites.tolist(), "new_sites": s.new_sites.tolist(),
                         "unreachable": [run.villages.extra["code"][k] for k in s.unreachable]},
            "impact": {"covered_before": i.covered_before, "covered_after": i.covered_after,
                       "newly_covered": i.newly_covered,
                       "mean_cost_before": _finite(i.mean_cost_before),
                       "mean_cost_after": _finite(i.mean_cost_after)},
            "sites": feature_collection(rows, run.sites.xy[s.sites])}


def _finite(value):
    return float(value) if np.isfinite(value) else None


def isochrone_collection(run):
    """Each center's isochrone as a lon/lat GeoJSON feature."""
    to_lonlat = pyproj.Transformer.from_crs(settings.STORAGE_SRID, 4326, always_xy=True)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"index": i, "name": run.centers.names[i]},
         "geometry": shapely.geometry.mapping(shapely.transform(area, to_lonlat.transform, interleaved=False))}
        for i, area in enumerate(run.isochrones()) if not area.is_empty]}


def coverage_data(run, isochrones=False):
    """The run as JSON-ready data: summary, shares per zone, villages, centers, underserved."""
    def share_data(key, share):
        return {"zone": key, "villages": share.villages, "covered_villages": share.covered_villages,
                "population": share.population, "covered_population": share.covered_population,
                "poor_population": share.poor_population,
                "covered_poor_population": share.covered_poor_population,
                "poor_share": share.poor_share, "population_share": share.population_share}

    rows = list(run.rows())
    for row, center in zip(rows, run.coverage.center):
        row["center"] = int(center)
    catchments = run.catchments
    centers = feature_collection([
        {"index": i, "name": name, "status": run.centers.extra["status"][i],
         "villages": len(catchments[i].villages), "population": catchments[i].population,
         "poor_population": catchments[i].poor_population,
         "covered_poor_population": catchments[i].covered_poor_population}
        for i, name in enumerate(run.centers.names)], run.centers.xy)
    codes = run.villages.extra["code"]
    return {"summary": run.summary(), "threshold": run.options.threshold, "mode": run.options.mode,
            "service": run.options.service,
            "shares": [share_data(k, s) for k, s in run.shares.items()],
            "villages": feature_collection(rows, run.villages.xy), "centers": centers,
            "underserved": [codes[i] for i in run.underserved],
            "isochrones": isochrone_collection(run) if isochrones else None}


class NumpyEncoder(DjangoJSONEncoder):
    """Also numpy scalars, which the analysis arrays hand out."""

    def default(self, o):
        return o.item() if isinstance(o, np.generic) else super().default(o)


def download(rows, xy, name):
    """`rows` written to a file called `name` (its format from the extension), as an attachment."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write_table(rows, path, xy)
        response = HttpResponse(path.read_bytes(), content_type=CONTENT_TYPES[path.suffix])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".geojson": "application/geo+json",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@analysis_endpoint
@gzip_page
def coverage(request):
    """Coverage of the villages by a kind of center; ?isochrones=1 adds each center's isochrone
    (network mode); ?format=csv|xlsx|geojson downloads the rows."""
    run = run_coverage(coverage_options(request.GET))
    fmt = request.GET.get("format")
    if fmt:
        if f".{fmt}" not in SUFFIXES:
            raise BadOptions(_("format is csv, xlsx or geojson"))
        return download(run.rows(), run.villages.xy, f"coverage-{run.options.service}.{fmt}")
    data = coverage_data(run, isochrones=request.GET.get("isochrones") in ("1", "true", "on"))
    return JsonResponse(data, encoder=NumpyEncoder,
                        json_dumps_params={"ensure_ascii": False, "allow_nan": False})


@analysis_endpoint
@gzip_page
def locate(request):
    """Where new centers should go (?model=lscp|mclp|pmedian|pcenter&p=...), and what they add;
    ?format=csv|xlsx|geojson downloads the open sites."""
    run = run_locate(locate_options(request.GET))
    fmt = request.GET.get("format")
    if fmt:
        if f".{fmt}" not in SUFFIXES:
            raise BadOptions(_("format is csv, xlsx or geojson"))
        return download(run.rows(), run.sites.xy[run.solution.sites],
                        f"locate-{run.options.service}-{run.options.model}.{fmt}")
    return JsonResponse(locate_data(run), encoder=NumpyEncoder,
                        json_dumps_params={"ensure_ascii": False, "allow_nan": False})

