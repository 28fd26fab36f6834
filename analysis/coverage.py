"""Who is served: each village's nearest center, whether it is within the threshold, shares by
group (zone) and for the county, the underserved, and each center's catchment.

Arrays in, frozen results out; no Django. Costs are metres (straight line) or minutes (roads),
computed in analysis.network.
"""
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class Coverage:
    """Each village's nearest center, its cost, and whether it is covered.

    Attributes
    ----------
    center : ndarray of int
        Index of the nearest center (-1: no center reached).
    cost : ndarray of float
        Cost to it (inf: none reached).
    covered : ndarray of bool
        cost <= threshold.
    threshold : float
    """

    center: np.ndarray
    cost: np.ndarray
    covered: np.ndarray
    threshold: float


def covered_by(cost, center, threshold):
    """Coverage from each village's nearest-center cost and index (threshold 0 covers only a
    village standing on a center)."""
    cost, center = np.asarray(cost, dtype=float), np.asarray(center, dtype=int)
    if not threshold >= 0:
        raise ValueError("the threshold must be zero or more")
    return Coverage(center, cost, np.isfinite(cost) & (cost <= threshold), float(threshold))


def nearest_straight(origins, destinations):
    """(metres, index) of each origin's nearest destination in a straight line; (inf, -1) if
    there are no destinations."""
    origins = np.asarray(origins, dtype=float).reshape(-1, 2)
    destinations = np.asarray(destinations, dtype=float).reshape(-1, 2)
    if len(destinations) == 0:
        return np.full(len(origins), np.inf), np.full(len(origins), -1)
    metres, index = cKDTree(destinations).query(origins)
    return metres, index.astype(int)


@dataclass(frozen=True)
class CoverageShare:
    """Villages, people, poor people and the service's target group (people, or households for
    some services) of a group of villages, and how many of each are covered."""

    villages: int
    covered_villages: int
    population: int
    covered_population: int
    poor_population: int
    covered_poor_population: int
    target: int = 0
    covered_target: int = 0

    @property
    def village_share(self):
        return self.covered_villages / self.villages if self.villages else None

    @property
    def population_share(self):
        return self.covered_population / self.population if self.population else None

    @property
    def poor_share(self):
        return self.covered_poor_population / self.poor_population if self.poor_population else None

    @property
    def target_share(self):
        return self.covered_target / self.target if self.target else None


def share(covered, population, poor, target=None):
    """The CoverageShare of villages; `target` counts the target group in each (default: none)."""
    covered = np.asarray(covered, dtype=bool)
    population, poor = np.asarray(population, dtype=np.int64), np.asarray(poor, dtype=np.int64)
    target = np.zeros(len(covered), np.int64) if target is None else np.asarray(target, np.int64)
    return CoverageShare(len(covered), int(covered.sum()), int(population.sum()),
                         int(population[covered].sum()), int(poor.sum()), int(poor[covered].sum()),
                         int(target.sum()), int(target[covered].sum()))


def shares_by(groups, covered, population, poor, target=None):
    """{group: CoverageShare} for each distinct value of `groups`, and the total under None."""
    groups = np.asarray(groups, dtype=object)
    columns = [covered, population, poor] + ([] if target is None else [target])
    result = {g: share(*(np.asarray(a)[groups == g] for a in columns))
              for g in sorted({g for g in groups if g is not None})}
    result[None] = share(*columns)
    return result


def underserved(covered, poor):
    """Indices of the villages not covered, the most poor people first."""
    covered, poor = np.asarray(covered, dtype=bool), np.asarray(poor)
    outside = np.flatnonzero(~covered)
    return outside[np.argsort(-poor[outside], kind="stable")]


@dataclass(frozen=True)
class Catchment:
    """The villages a center is nearest to, and the people in them."""

    villages: np.ndarray
    population: int
    poor_population: int
    covered_poor_population: int


def catchments(coverage, centers, population, poor):
    """One Catchment per center (by index, 0 to centers - 1)."""
    population, poor = np.asarray(population, dtype=np.int64), np.asarray(poor, dtype=np.int64)
    result = []
    for c in range(centers):
        mine = coverage.center == c
        result.append(Catchment(np.flatnonzero(mine), int(population[mine].sum()),
                                int(poor[mine].sum()), int(poor[mine & coverage.covered].sum())))
    return result
