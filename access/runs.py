"""Coverage runs on the county's data: the options a command, the API or a page gives, the
arrays from the database (layers.arrays), the analysis (analysis.network, analysis.coverage),
and a result that every interface writes out the same way."""
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from django.utils.translation import gettext as _

from analysis.coverage import catchments, covered_by, nearest_straight, shares_by, underserved
from analysis.network import WALK_KMH, build_network, isochrone, nearest_by_road
from layers import arrays
from layers.models import ServiceCenter

MODES = ("network", "euclidean")
# Used when no threshold is given: a 30-minute trip, or 5 km in a straight line.
DEFAULT_MINUTES, DEFAULT_METRES = 30.0, 5000.0


class BadOptions(ValueError):
    """Options the user must correct; the message says how."""


@dataclass(frozen=True)
class CoverageOptions:
    service: str  # a ServiceCenter.Kind value
    mode: str = "network"
    max_distance: float | None = None  # metres, euclidean mode
    max_minutes: float | None = None  # minutes, network mode
    planned: bool = False  # count planned centers as if they were open
    walk_kmh: float = WALK_KMH

    def checked(self):
        """These options, or BadOptions with the reason."""
        if self.service not in ServiceCenter.Kind.values:
            raise BadOptions(_("unknown service type %(service)s; choose one of %(kinds)s")
                             % {"service": self.service, "kinds": ", ".join(ServiceCenter.Kind.values)})
        if self.mode not in MODES:
            raise BadOptions(_("the mode is network or euclidean, not %(mode)s") % {"mode": self.mode})
        if self.mode == "network" and self.max_distance is not None:
            raise BadOptions(_("network coverage is measured in minutes: give max minutes, not a distance"))
        if self.mode == "euclidean" and self.max_minutes is not None:
            raise BadOptions(_("straight-line coverage is measured in metres: give a max distance, not minutes"))
        for value in (self.max_distance, self.max_minutes, self.walk_kmh):
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise BadOptions(_("thresholds and speeds must be finite numbers, zero or more"))
        if not self.walk_kmh > 0:
            raise BadOptions(_("the walking speed must be above zero"))
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

    def isochrones(self, tolerance=20.0):
        """Each center's isochrone at the threshold (shapely, storage CRS), network mode only."""
        if self.network is None:
            return []
        first = len(self.villages.ids)
        return [shapely.simplify(isochrone(self.network, first + i, self.options.threshold), tolerance)
                for i in range(len(self.centers.ids))]

    @cached_property
    def shares(self):
        """{zone code: Share}, and the county under None."""
        v = self.villages.extra
        return shares_by(v["zone"], self.coverage.covered, v["population"], v["poor_population"])

    @cached_property
    def underserved(self):
        return underserved(self.coverage.covered, self.villages.extra["poor_population"])

    @cached_property
    def catchments(self):
        v = self.villages.extra
        return catchments(self.coverage, len(self.centers.ids), v["population"], v["poor_population"])

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
                 "villages covered; %(poor)s of the poor population (%(covered_poor)d of %(all_poor)d)") % {
            "service": ServiceCenter.Kind(self.options.service).label, "mode": self.options.mode,
            "threshold": self.options.threshold, "unit": self.options.unit,
            "covered": county.covered_villages, "villages": county.villages,
            "poor": "—" if share is None else f"{100 * share:.1f}%",
            "covered_poor": county.covered_poor_population, "all_poor": county.poor_population}


def _rounded(value, digits):
    return None if not np.isfinite(value) else round(float(value), digits)


def run_coverage(options):
    """Coverage of the villages by one kind of center, by road (default) or straight line."""
    options = options.checked()
    villages, centers = arrays.villages(), arrays.centers(options.service, options.planned)
    travel = network = None
    if options.mode == "network":
        lines, speeds, oneway = arrays.roads()
        if not lines:
            raise BadOptions(_("there are no roads to travel on; use the euclidean mode"))
        count = len(villages.ids)
        network = build_network(lines, speeds, oneway, np.concatenate([villages.xy, centers.xy]),
                                 options.walk_kmh)
        nearest = nearest_by_road(network, np.arange(count), count + np.arange(len(centers.ids)))
        cost, center = nearest.cost, nearest.index
        travel = cost
    else:
        cost, center = nearest_straight(villages.xy, centers.xy)
    coverage = covered_by(cost, center, options.threshold)
    served = center >= 0
    distance = np.full(len(center), np.inf)
    distance[served] = np.hypot(*(villages.xy[served] - centers.xy[center[served]]).T)
    return CoverageRun(options, villages, centers, coverage, distance, travel,
                       network if options.mode == "network" else None)
