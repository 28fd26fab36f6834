"""What opening proposed sites adds to the existing ones."""
import math
from dataclasses import dataclass

import numpy as np

from .inputs import cost_matrix, demand_weights, site_indices
from .solution import nearest, read_only


@dataclass(frozen=True)
class Impact:
    """What opening proposed sites adds to the existing ones.

    Attributes
    ----------
    covered_before, covered_after : float
        Demand weight (e.g. poor population) within the threshold of an open site.
    newly_covered : float
        `covered_after - covered_before`: the weight the proposal brings within the threshold.
    newly_covered_demands : np.ndarray
        Indices of the demands it brings within the threshold.
    reached_before, reached_after : float
        Demand weight that can reach any open site at all (finite cost).
    mean_cost_before, mean_cost_after : float
        Weighted mean cost from each demand to its nearest open site, over the demands that
        can reach one; nan when none can (e.g. a service with no existing centers).
    """

    covered_before: float
    covered_after: float
    newly_covered: float
    newly_covered_demands: np.ndarray
    reached_before: float
    reached_after: float
    mean_cost_before: float
    mean_cost_after: float


def impact(cost, existing, proposed, threshold, weights=None, assignment=None):
    """What opening `proposed` sites adds to the `existing` ones.

    Parameters
    ----------
    cost : array_like of float, shape (demands, sites)
        Travel cost; np.inf where demand i cannot reach site j.
    existing, proposed : sequence of int
        Site indices open now, and to be opened (either may be empty).
    threshold : float
        A demand is covered when its nearest open site costs at most this (0 is allowed: only
        sites at no cost cover).
    weights : array_like of float, shape (demands,), optional
        Demand weight, e.g. poor population; 1 by default.
    assignment : array_like of int, shape (demands,), optional
        Each demand's site after the opening (-1: none), where it is not the nearest open one
        (a capacitated solution's); by default the nearest open site.

    Returns
    -------
    Impact
    """
    cost = cost_matrix(cost)
    n, m = cost.shape
    weights = demand_weights(weights, n)
    threshold = float(threshold)
    if not threshold >= 0:
        raise ValueError(f"threshold must be a non-negative number, got {threshold}")
    existing = site_indices(existing, m, "existing")
    after = np.union1d(existing, site_indices(proposed, m, "proposed"))
    _, before_cost = nearest(cost, existing)
    if assignment is None:
        _, after_cost = nearest(cost, after)
    else:
        assignment = np.asarray(assignment, dtype=np.int64)
        served = assignment >= 0
        after_cost = np.full(n, np.inf)
        after_cost[served] = cost[np.flatnonzero(served), assignment[served]]
    covered_before, covered_after = before_cost <= threshold, after_cost <= threshold
    newly = covered_after & ~covered_before
    return Impact(
        covered_before=float(weights[covered_before].sum()),
        covered_after=float(weights[covered_after].sum()),
        newly_covered=float(weights[newly].sum()),
        newly_covered_demands=read_only(np.flatnonzero(newly)),
        reached_before=float(weights[np.isfinite(before_cost)].sum()),
        reached_after=float(weights[np.isfinite(after_cost)].sum()),
        mean_cost_before=_weighted_mean(before_cost, weights),
        mean_cost_after=_weighted_mean(after_cost, weights),
    )


def _weighted_mean(values, weights):
    reached = np.isfinite(values)
    total = weights[reached].sum()
    if not reached.any() or total == 0:
        return math.nan
    return float((weights[reached] * values[reached]).sum() / total)
