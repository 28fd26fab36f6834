"""Coverage and location runs on the county's data: the options a command, the API or a page
gives, the arrays from the database (layers.arrays), the analysis (analysis.network,
analysis.coverage, analysis.locate), and a result that every interface writes out the same way."""
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import groupby
from operator import itemgetter

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import locate
from analysis.coverage import catchments, covered_by, nearest_straight, shares_by, underserved
from analysis.network import WALK_KMH, isochrone, nearest_by_road, road_minutes, straight_metres
from gisplan.api import Refusal
from households.demand import demand_for
from layers import arrays
from layers.models import County, ServiceCenter, ServiceCoverage
from layers.networks import county_network, network_with
from layers.regions import county_named

MODES = ("network", "euclidean")
# Used when no threshold is given: a 30-minute trip, or 5 km in a straight line.
DEFAULT_MINUTES, DEFAULT_METRES = 30.0, 5000.0


@dataclass(frozen=True)
class CoverageOptions:
    service: str  # a ServiceCenter.Kind value
    mode: str = "network"
    max_distance: float | None = None  # metres, euclidean mode
    max_minutes: float | None = None  # minutes, network mode
    planned: bool = False  # count planned centers as if they were open
    walk_kmh: float = WALK_KMH
    county: str | None = None  # the county's 6-digit code; None: the main county
    across_borders: bool = False  # count the centers (and roads) of neighbouring counties too
    capacities: bool = False  # also send each village whole to a center within its capacity

    def checked(self):
        """These options, or a Refusal with the reason."""
        county_named(self.county)
        if self.service not in ServiceCenter.Kind.values:
            raise Refusal(_("unknown service type %(service)s; choose one of %(kinds)s")
                          % {"service": self.service, "kinds": ", ".join(ServiceCenter.Kind.values)})
        if self.mode not in MODES:
            raise Refusal(_("the mode is network or euclidean, not %(mode)s") % {"mode": self.mode})
        if self.mode == "network" and self.max_distance is not None:
            raise Refusal(_("network coverage is measured in minutes: give max minutes, not a distance"))
        if self.mode == "euclidean" and self.max_minutes is not None:
            raise Refusal(_("straight-line coverage is measured in metres: give a max distance, not minutes"))
        for value in (self.max_distance, self.max_minutes, self.walk_kmh):
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise Refusal(_("thresholds and speeds must be finite numbers, zero or more"))
        if not self.walk_kmh > 0:
            raise Refusal(_("the walking speed must be above zero"))
        return self

    @property
    def threshold(self):
        if self.mode == "network":
            return DEFAULT_MINUTES if self.max_minutes is None else self.max_minutes
        return DEFAULT_METRES if self.max_distance is None else self.max_distance

    @property
    def unit(self):
        return _("min") if self.mode == "network" else _("m")


@dataclass(frozen=True)
class CoverageRun:
    """Who a kind of center serves: per village, per zone, per center."""

    options: CoverageOptions
    villages: arrays.Places
    centers: arrays.Places
    coverage: object  # analysis.coverage.Coverage
    distance_m: np.ndarray  # straight-line metres to the serving center (inf: none)
    travel_min: np.ndarray | None  # road minutes to it, network mode only
    network: object = None  # analysis.network.Network, network mode only
    center_places: np.ndarray | None = None  # each center's place in `network`
    village_places: np.ndarray | None = None  # each village's place in `network`
    demand: object = None  # households.demand.Demand: the service's target group per village

    def isochrones(self, tolerance=20.0):
        """Each center's isochrone at the threshold (shapely, in the villages' srid), network mode
        only."""
        if self.network is None:
            return []
        return [shapely.simplify(isochrone(self.network, place, self.options.threshold), tolerance)
                for place in self.center_places]

    @cached_property
    def shares(self):
        """{zone code: CoverageShare}, and the county under None."""
        v = self.villages.extra
        return shares_by(v["zone"], self.coverage.covered, v["population"], v["poor_population"],
                         self.demand.weights)

    @cached_property
    def underserved(self):
        return underserved(self.coverage.covered, self.villages.extra["poor_population"])

    @cached_property
    def catchments(self):
        v = self.villages.extra
        return catchments(self.coverage, len(self.centers.ids), v["population"], v["poor_population"])

    @cached_property
    def capacities(self):
        """Each center's capacity, in people of its target group (np.inf: none recorded)."""
        return arrays.capacities(self.centers.ids)

    @cached_property
    def capacity(self):
        """Each village's target group sent whole to one center, the least total travel
        within the centers' capacities (analysis.locate.Assignment), over every center a
        village can reach, the threshold aside; None unless the options ask for it, or when no
        center has a capacity."""
        if not (self.options.capacities and np.isfinite(self.capacities).any()):
            return None
        if self.network is not None:
            cost = road_minutes(self.network, self.village_places, self.center_places)
        else:
            cost = straight_metres(self.villages.xy, self.centers.xy)
        return locate.capacitated_assignment(cost, self.capacities, self.demand.weights,
                                             time_limit=DEFAULT_TIME_LIMIT)

    def capacity_summary(self):
        """A line on the centers' capacities, when the options ask for them."""
        fit = self.capacity
        if not self.options.capacities:
            return None
        if fit is None:
            return _("Capacities: no center of this kind has one recorded")
        codes = self.villages.extra["code"]
        return _("Capacities (%(group)s): %(over)d of %(centers)d centers are over capacity when "
                 "every village goes to its nearest (%(names)s); within the capacities %(served)d "
                 "are served and %(unserved)d in %(villages)d villages cannot be (%(codes)s)") % {
            "group": self.demand.label, "over": len(fit.over_capacity),
            "centers": len(self.centers.ids),
            "names": _listed([self.centers.names[j] for j in fit.over_capacity]),
            "served": int(fit.served), "unserved": int(self.demand.weights[fit.unserved].sum()),
            "villages": len(fit.unserved), "codes": _listed([codes[i] for i in fit.unserved])}

    def capacity_rows(self):
        """One dict per center with a capacity, when they were asked for: its capacity, the target
        group nearest to it and what it takes within the capacities; the most over first."""
        fit = self.capacity
        if fit is None:
            return []
        rows = [{"name": self.centers.names[j], "capacity": int(self.capacities[j]),
                 "nearest": int(fit.nearest_load[j]), "load": int(fit.load[j]),
                 "over": bool(fit.nearest_load[j] > self.capacities[j])}
                for j in np.flatnonzero(np.isfinite(self.capacities))]
        return sorted(rows, key=lambda row: row["capacity"] - row["nearest"])

    def rows(self):
        """One dict per village, in code order: the columns of the coverage command's output."""
        v, names = self.villages.extra, self.centers.names
        for i, code in enumerate(v["code"]):
            center = self.coverage.center[i]
            yield {"code": code, "name": self.villages.names[i], "zone": v["zone_name"][i] or "",
                   "nearest_center": names[center] if center >= 0 else "",
                   "distance_m": _rounded(self.distance_m[i], 0),
                   "travel_min": None if self.travel_min is None else _rounded(self.travel_min[i], 1),
                   "covered": bool(self.coverage.covered[i]),
                   "poor_population": int(v["poor_population"][i])}

    def summary(self):
        county = self.shares[None]
        share = county.poor_share
        return _("%(service)s, %(mode)s within %(threshold)g %(unit)s: %(covered)d of %(villages)d "
                 "villages covered; %(poor)s of the poor population (%(covered_poor)d of %(all_poor)d); "
                 "%(group)s: %(covered_target)d of %(target)d") % {
            "service": ServiceCenter.Kind(self.options.service).label,
            "mode": _("by road") if self.options.mode == "network" else _("in a straight line"),
            "threshold": self.options.threshold, "unit": self.options.unit,
            "covered": county.covered_villages, "villages": county.villages,
            "poor": "—" if share is None else f"{100 * share:.1f}%",
            "covered_poor": county.covered_poor_population, "all_poor": county.poor_population,
            "group": self.demand.label, "covered_target": county.covered_target,
            "target": county.target}


def reach_of(county, across_borders):
    """The counties whose centers and roads serve `county`'s villages: itself, and with
    `across_borders` its neighbours (a village is served by the nearest center it can reach,
    whichever county runs it)."""
    return [county, *(County.objects.neighbours_of(county).order_by("adcode") if across_borders else ())]


def _rounded(value, digits):
    return None if not np.isfinite(value) else round(float(value), digits)


def run_coverage(options):
    """Coverage of the villages by one kind of center, by road (default) or straight line."""
    options = options.checked()
    county = county_named(options.county)
    counties = reach_of(county, options.across_borders)
    travel = roads = destinations = origins = None
    if options.mode == "network":
        # The villages and centers kept with the network: nothing else is read.
        roads = county_network(counties, options.walk_kmh)
        villages = roads.villages
        centers, destinations = roads.centers_of(options.service, options.planned)
        origins = roads.places("village", villages.ids)
        nearest = nearest_by_road(roads.network, origins, destinations)
        cost, center = nearest.cost, nearest.index
        travel = cost
    else:
        villages = arrays.villages(county)
        centers = arrays.centers(counties, options.service, options.planned)
        cost, center = nearest_straight(villages.xy, centers.xy)
    coverage = covered_by(cost, center, options.threshold)
    served = center >= 0
    distance = np.full(len(center), np.inf)
    distance[served] = np.hypot(*(villages.xy[served] - centers.xy[center[served]]).T)
    return CoverageRun(options, villages, centers, coverage, distance, travel,
                       roads.network if roads else None, destinations,
                       origins if roads else None, demand_for(county, villages, options.service))


def run_region_coverage(options, region, progress=lambda fraction: None):
    """Coverage in every county of `region` (a city's or the province's code): each county's
    villages, served across borders by its own and its neighbours' centers. One CoverageRun per
    county, in code order; `progress(fraction)` after each county. The region portal's table
    shows what it found (record_region_coverage)."""
    codes = list(County.objects.in_region(region).order_by("adcode").values_list("adcode", flat=True))
    runs = []
    for done, code in enumerate(codes, 1):
        runs.append(run_coverage(replace(options, county=code, across_borders=True)))
        progress(done / len(codes))
    record_region_coverage(runs, region)
    return runs


@transaction.atomic
def record_region_coverage(runs, region):
    """Keep each county's figures of a region's coverage as its latest for the service (one row
    per county and service), all of them or none."""
    counties = dict(County.objects.in_region(region).values_list("adcode", "pk"))
    for run in runs:
        share = run.shares[None]
        ServiceCoverage.objects.update_or_create(
            county_id=counties[run.options.county], service=run.options.service, defaults={
                "region": region, "mode": run.options.mode, "threshold": run.options.threshold,
                "villages": share.villages, "covered_villages": share.covered_villages,
                "poor_population": share.poor_population,
                "covered_poor_population": share.covered_poor_population,
                "computed_at": timezone.now()})


def region_summary(runs, name):
    """The region's line after its counties': villages covered and the poor population's share."""
    covered = sum(run.shares[None].covered_villages for run in runs)
    villages = sum(run.shares[None].villages for run in runs)
    poor = sum(run.shares[None].poor_population for run in runs)
    covered_poor = sum(run.shares[None].covered_poor_population for run in runs)
    return _("%(region)s: %(covered)d of %(villages)d villages covered; %(poor)s of the poor "
             "population (%(covered_poor)d of %(all_poor)d)") % {
        "region": name, "covered": covered, "villages": villages,
        "poor": f"{100 * covered_poor / poor:.1f}%" if poor else "—",
        "covered_poor": covered_poor, "all_poor": poor}


MODELS = ("lscp", "mclp", "pmedian", "pcenter")
NEEDS_P = ("mclp", "pmedian", "pcenter")
CAPACITATED = ("mclp", "pmedian")  # the models that respect capacities (analysis.locate.capacity)
DEFAULT_TIME_LIMIT = 60.0  # seconds; then the best solution found, and the gap, are reported
MAX_TIME_LIMIT = 600.0  # a request or job may hold the solver no longer than this


@dataclass(frozen=True)
class LocateOptions:
    service: str
    model: str
    p: int | None = None  # new sites, in addition to the existing centers kept
    mode: str = "network"
    max_distance: float | None = None
    max_minutes: float | None = None
    keep_existing: bool = False  # the existing centers stay open and count as covering
    time_limit: float | None = DEFAULT_TIME_LIMIT
    county: str | None = None  # the county's 6-digit code; None: the main county
    across_borders: bool = False  # neighbouring counties' centers serve too (and stay open)
    capacities: bool = False  # each village whole to one site within the sites' capacities
    new_capacity: float | None = None  # the people a new site takes; None: no limit

    def checked(self):
        """These options, or a Refusal with the reason."""
        self.reach.checked()
        if self.capacities and self.model not in CAPACITATED:
            raise Refusal(_("capacities apply to the models %(models)s")
                          % {"models": ", ".join(CAPACITATED)})
        if self.new_capacity is not None and not (
                self.capacities and np.isfinite(self.new_capacity) and self.new_capacity > 0):
            raise Refusal(_("the new sites' capacity is a number of people above zero, with "
                            "capacities on"))
        if self.model not in MODELS:
            raise Refusal(_("the model is one of %(models)s, not %(model)s")
                          % {"models": ", ".join(MODELS), "model": self.model})
        if self.model in NEEDS_P and (self.p is None or self.p < 1):
            raise Refusal(_("%(model)s needs the number of new sites: p of 1 or more") % {"model": self.model})
        if self.model == "lscp" and self.p is not None:
            raise Refusal(_("lscp finds the number of sites itself: give no p"))
        if self.time_limit is not None and not (np.isfinite(self.time_limit)
                                                and 0 < self.time_limit <= MAX_TIME_LIMIT):
            raise Refusal(_("the time limit must be a number of seconds above zero and at most "
                            "%(most)d") % {"most": MAX_TIME_LIMIT})
        return self

    @property
    def reach(self):
        """The same service, mode and threshold as coverage options."""
        return CoverageOptions(self.service, self.mode, self.max_distance, self.max_minutes,
                               county=self.county, across_borders=self.across_borders)


@dataclass(frozen=True)
class LocateRun:
    """Where new centers of a kind should go, and what they add."""

    options: LocateOptions
    villages: arrays.Places
    sites: arrays.Places  # existing centers first, then village committees, then town seats
    existing: np.ndarray  # indices of the existing centers among the sites
    solution: object  # analysis.locate.Solution
    impact: object  # analysis.locate.Impact
    demand: object = None  # households.demand.Demand: what the villages are weighted by

    capacity: np.ndarray | None = None  # each site's capacity (np.inf: none), with capacities

    def rows(self):
        """One dict per open site (kept and new), the new ones marked; with capacities, each
        one's capacity (None: no limit) and load."""
        kinds, new = self.sites.extra["kind"], set(self.solution.new_sites.tolist())
        for j in self.solution.sites:
            row = {"site": self.sites.names[j], "kind": kinds[j], "new": j in new}
            if self.capacity is not None:
                row.update(capacity=None if np.isinf(self.capacity[j]) else float(self.capacity[j]),
                           load=float(self.solution.load[j]))
            yield row

    @property
    def unserved(self):
        """The codes of the villages a site reaches that are left without one for want of
        capacity."""
        if self.capacity is None:
            return []
        return [self.villages.extra["code"][i] for i in self.solution.unserved]

    def summary(self):
        s, i = self.solution, self.impact
        unit = self.options.reach.unit
        return _("%(model)s: %(new)d new sites (%(names)s); objective %(objective)g; %(status)s, gap %(gap)s; "
                 "newly covered (%(group)s): %(newly)d; mean trip %(before).1f → %(after).1f %(unit)s") % {
            "model": self.options.model, "new": len(s.new_sites), "group": self.demand.label,
            "names": _listed([self.sites.names[j] for j in s.new_sites]),
            "objective": s.objective, "newly": i.newly_covered,
            "gap": f"{s.gap:.2g}" if np.isfinite(s.gap) else _("unknown"),
            "status": _("optimal") if s.optimal
            else _("not proven optimal (%(status)s)") % {"status": _solver_said(s.status)},
            "before": i.mean_cost_before, "after": i.mean_cost_after, "unit": unit} + (
            _("; within capacities, %(unserved)d villages left unserved")
            % {"unserved": len(self.unserved)} if self.capacity is not None else "")


def _solver_said(status):
    """The solver's status (analysis.locate's words, kept as they are in the API) in the
    user's language."""
    return {"time limit": _("time limit, nothing found"),
            "time limit: best found": _("time limit, the best solution found"),
            "time limit: best found (greedy)": _("time limit, the best solution found by a greedy search"),
            "time limit: nothing found; a greedy assignment": _("time limit, a greedy assignment"),
            "infeasible": _("infeasible")}.get(status, status)


def _listed(names, at_most=8):
    if not names:
        return "—"
    more = len(names) - at_most
    return "、".join(names[:at_most]) + (_(" and %(n)d more") % {"n": more} if more > 0 else "")


def candidate_sites(county, existing):
    """The existing centers, then the county's village committees and town seats: where
    centers may go; each with its row (`extra["row"]`: the kind of place of layers.networks
    and its primary key)."""
    villages, seats = arrays.villages(county), arrays.town_seats(county)
    names = existing.names + villages.names + [_("%(town)s seat") % {"town": n} for n in seats.names]
    kinds = ([_("existing center")] * len(existing.ids) + [_("village committee")] * len(villages.ids)
             + [_("town seat")] * len(seats.ids))
    rows = [(kind, int(pk)) for kind, places in (("center", existing), ("village", villages),
                                                 ("seat", seats)) for pk in places.ids]
    return arrays.Places(np.arange(len(names)), names,
                         np.concatenate([existing.xy, villages.xy, seats.xy]),
                         {"kind": kinds, "row": rows}, county.gk_srid)


def run_locate(options):
    """A location-allocation model over the villages (weighted by the service's target group,
    households.demand) and the candidate sites, by road or straight line."""
    options = options.checked()
    reach = options.reach
    county = county_named(options.county)
    counties = reach_of(county, options.across_borders)
    villages = arrays.villages(county)
    existing = arrays.centers(counties, options.service)
    sites = candidate_sites(county, existing)
    free = len(sites.ids) - (len(existing.ids) if options.keep_existing else 0)
    if options.p is not None and options.p > free:  # the solver would refuse it
        raise Refusal(_("p can be at most %(free)d: there are no more candidate sites")
                      % {"free": free})
    if options.mode == "network":
        # The sites' rows come in blocks of one kind (candidate_sites): one lookup a block.
        blocks = [(kind, [pk for _, pk in rows]) for kind, rows in groupby(sites.extra["row"], itemgetter(0))]
        roads, (origins, *destinations) = network_with(counties, [("village", villages.ids), *blocks])
        cost = road_minutes(roads.network, origins, np.concatenate(destinations))
    else:
        cost = straight_metres(villages.xy, sites.xy)
    demand = demand_for(county, villages, options.service)
    weights = demand.weights
    kept = np.arange(len(existing.ids))
    # A neighbouring county's centers are not this county's to close: they stay open.
    fixed = kept if options.keep_existing else np.flatnonzero(existing.extra["foreign"])
    cover = cost <= reach.threshold
    limit = {"time_limit": options.time_limit}
    capacity = None
    if options.capacities:
        capacity = np.concatenate([arrays.capacities(existing.ids), np.full(
            len(sites.ids) - len(existing.ids), options.new_capacity or np.inf)])
    if capacity is not None and options.model == "mclp":
        solution = locate.capacitated_mclp(cover, weights, options.p, capacity, fixed, **limit)
    elif capacity is not None:
        solution = locate.capacitated_p_median(cost, options.p, capacity, weights, fixed, **limit)
    elif options.model == "lscp":
        solution = locate.lscp(cover, fixed, **limit)
    elif options.model == "mclp":
        solution = locate.mclp(cover, weights, options.p, fixed, **limit)
    elif options.model == "pmedian":
        solution = locate.p_median(cost, options.p, weights, fixed, **limit)
    else:
        solution = locate.p_center(cost, options.p, None, fixed, **limit)
    # Within capacities a village goes to its assigned site, not always the nearest open one.
    result = locate.impact(cost, kept, solution.new_sites, reach.threshold, weights,
                           None if capacity is None else solution.assignment)
    return LocateRun(options, villages, sites, kept, solution, result, demand, capacity)
