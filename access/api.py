"""The analysis endpoints under /api/analysis/ for analysts (and planners): coverage and
location-allocation, and the files they download as. Errors are JSON {"error": "..."}: 400 bad
options, 401 anonymous, 403 without layers.run_analysis (gisplan/api.py).

The options parsers and the JSON writers here are also those of the background jobs."""
import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.gzip import gzip_page

from gisplan.api import Refusal, answer, attachment, endpoint, flag
from layers.geojson import collection, feature, lonlat, points
from layers.regions import county_of, region_name
from layers.roles import RUN_ANALYSIS

from .runs import CoverageOptions, LocateOptions, region_summary, run_coverage, run_locate
from .tables import SUFFIXES, write_table

DENIED = gettext_lazy("your role may not run analyses")


def number(params, name):
    if not params.get(name):
        return None
    try:
        return float(params[name])
    except ValueError:
        raise Refusal(_("%(name)s must be a number") % {"name": name}) from None


def coverage_options(params, county):
    """CoverageOptions of `county` (its code) from query parameters (service, mode,
    max_distance, max_minutes, planned, across_borders, capacities)."""
    if not params.get("service"):
        raise Refusal(_("give the service type: ?service=..."))
    max_distance = number(params, "max_distance")
    mode = params.get("mode") or ("euclidean" if max_distance is not None else "network")
    return CoverageOptions(params["service"], mode, max_distance, number(params, "max_minutes"),
                           flag(params, "planned"), county=county,
                           across_borders=flag(params, "across_borders"),
                           capacities=flag(params, "capacities"))


def locate_options(params, county):
    """LocateOptions of `county` (its code) from query parameters (coverage's, and model, p,
    keep_existing, time_limit, capacities, new_capacity)."""
    reach = coverage_options(params, county)
    if not params.get("model"):
        raise Refusal(_("give the model: ?model=lscp|mclp|pmedian|pcenter"))
    p = number(params, "p")
    if p is not None and not p.is_integer():
        raise Refusal(_("p must be a whole number"))
    time_limit = number(params, "time_limit")
    return LocateOptions(reach.service, params["model"], None if p is None else int(p), reach.mode,
                         reach.max_distance, reach.max_minutes, flag(params, "keep_existing"),
                         time_limit if time_limit is not None else LocateOptions.time_limit,
                         county, reach.across_borders, flag(params, "capacities"),
                         number(params, "new_capacity"))


def locate_data(run):
    """The proposal as JSON-ready data: summary, the solver's answer, what it adds, the sites."""
    s, i = run.solution, run.impact
    return {"summary": run.summary(), "model": run.options.model,
            "target_group": demand_data(run.demand),
            "solution": {"objective": s.objective, "gap": _finite(s.gap), "optimal": s.optimal,
                         "status": s.status, "sites": s.sites.tolist(), "new_sites": s.new_sites.tolist(),
                         "unreachable": [run.villages.extra["code"][k] for k in s.unreachable]},
            "impact": {"covered_before": i.covered_before, "covered_after": i.covered_after,
                       "newly_covered": i.newly_covered,
                       "mean_cost_before": _finite(i.mean_cost_before),
                       "mean_cost_after": _finite(i.mean_cost_after)},
            "capacities": run.capacity is not None, "unserved": run.unserved,
            "sites": points(run.rows(), run.sites.lonlat()[s.sites], 4326)}


def demand_data(demand):
    """What the villages were weighted by (households.demand.Demand) as JSON-ready data."""
    return {"group": demand.group, "label": demand.label, "from_register": demand.from_register}


def _finite(value):
    return float(value) if np.isfinite(value) else None


def isochrone_collection(run):
    """Each center's isochrone as a lon/lat GeoJSON feature."""
    return collection(feature(lonlat(area, run.villages.srid), {"index": i, "name": run.centers.names[i]})
                      for i, area in enumerate(run.isochrones()) if not area.is_empty)


def share_data(share):
    """A CoverageShare (of a zone, or of the whole county) as JSON-ready data."""
    return {"villages": share.villages, "covered_villages": share.covered_villages,
            "population": share.population, "covered_population": share.covered_population,
            "poor_population": share.poor_population,
            "covered_poor_population": share.covered_poor_population,
            "poor_share": share.poor_share, "population_share": share.population_share,
            "target": share.target, "covered_target": share.covered_target,
            "target_share": share.target_share}


def coverage_data(run, isochrones=False):
    """The run as JSON-ready data: summary, shares per zone, villages, centers, underserved."""
    rows = list(run.rows())
    for row, center in zip(rows, run.coverage.center):
        row["center"] = int(center)
    catchments, fit = run.catchments, run.capacity
    centers = points([
        {"index": i, "name": name, "status": run.centers.extra["status"][i],
         "villages": len(catchments[i].villages), "population": catchments[i].population,
         "poor_population": catchments[i].poor_population,
         "covered_poor_population": catchments[i].covered_poor_population,
         "capacity": _finite(run.capacities[i]),
         "load": None if fit is None else float(fit.load[i]),
         "over_capacity": fit is not None and bool(fit.nearest_load[i] > run.capacities[i])}
        for i, name in enumerate(run.centers.names)], run.centers.lonlat(), 4326)
    codes = run.villages.extra["code"]
    return {"summary": run.summary(), "threshold": run.options.threshold, "mode": run.options.mode,
            "service": run.options.service, "target_group": demand_data(run.demand),
            "capacity": None if not run.options.capacities else {
                "summary": run.capacity_summary(), **({} if fit is None else {
                    "served": fit.served, "travel": fit.objective,
                    "optimal": fit.optimal, "status": fit.status,
                    "assignment": [int(j) for j in fit.assignment],
                    "over_capacity": [int(j) for j in fit.over_capacity],
                    "unserved": [codes[i] for i in fit.unserved]})},
            "shares": [{"zone": k, **share_data(s)} for k, s in run.shares.items()],
            "villages": points(rows, run.villages.lonlat(), 4326), "centers": centers,
            "underserved": [codes[i] for i in run.underserved],
            "isochrones": isochrone_collection(run) if isochrones else None}


def region_coverage_data(runs, region):
    """A region's coverage (run_region_coverage) as JSON-ready data: the region's line, and each
    county's line and figures."""
    return {"region": region, "summary": region_summary(runs, region_name(region)),
            "counties": [{"county": run.options.county, "name": region_name(run.options.county),
                          "summary": run.summary(), **share_data(run.shares[None])} for run in runs]}


def download(params, rows, lonlat, name):
    """`rows` as the file ?format= asks for (csv, xlsx or geojson), called `name`.<format>;
    `lonlat` places them in a GeoJSON file."""
    fmt = params.get("format")
    if f".{fmt}" not in SUFFIXES:
        raise Refusal(_("format is csv, xlsx or geojson"))
    return attachment(f"{name}.{fmt}", lambda path: write_table(rows, path, lonlat))


@endpoint("GET", permission=RUN_ANALYSIS, denied=DENIED)
@gzip_page
def coverage(request):
    """Coverage of the villages by a kind of center; ?isochrones=1 adds each center's isochrone
    (network mode); ?format=csv|xlsx|geojson downloads the rows."""
    run = run_coverage(coverage_options(request.GET, county_of(request).adcode))
    if request.GET.get("format"):
        return download(request.GET, run.rows(), run.villages.lonlat(), f"coverage-{run.options.service}")
    return answer(coverage_data(run, isochrones=flag(request.GET, "isochrones")))


@endpoint("GET", permission=RUN_ANALYSIS, denied=DENIED)
@gzip_page
def locate(request):
    """Where new centers should go (?model=lscp|mclp|pmedian|pcenter&p=...), and what they add;
    ?format=csv|xlsx|geojson downloads the open sites."""
    run = run_locate(locate_options(request.GET, county_of(request).adcode))
    if request.GET.get("format"):
        return download(request.GET, run.rows(), run.sites.lonlat()[run.solution.sites],
                        f"locate-{run.options.service}-{run.options.model}")
    return answer(locate_data(run))
