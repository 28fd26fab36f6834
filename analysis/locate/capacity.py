"""Capacity: every demand served whole by one open site, no site loaded beyond its capacity.

Three single-source models, each solved as one mixed-integer programme with HiGHS (exactly,
given the time; else the best of what it found and of greedy assignments, `_best_found`):

- `capacitated_assignment`: the existing sites only; each demand to one site, the total
  weighted cost least, no site's load (the demand weight assigned to it) above its capacity;
- `capacitated_p_median`: the same with `p` new sites chosen as well;
- `capacitated_mclp`: the most demand weight covered, each covered demand assigned to one open
  site that covers it within that site's capacity, with `p` new sites.

`capacity` gives each site the most demand weight it takes (np.inf: no limit). A demand is never
split: a village goes to one center, as a village's people go to one clinic. When the
capacities cannot take every demand that some site reaches, a model first serves the most
weight it can and then, for the cost models, serves it at the least cost; the demands left over
have assignment -1 and are listed in `unserved`. Demands of weight zero take no capacity and go
to their nearest open site.

The programme: a binary x_ij for each (demand, site) pair the demand can use (the site reaches
it and its capacity is at least the demand's weight) and a binary y_j per site (fixed sites
held at 1); rows sum_j x_ij <= 1 (= 1 when every demand can be served), sum_i w_i x_ij <=
c_j y_j for each capacitated site, x_ij <= y_j for each pair of a site that may stay closed
(which tightens the relaxation), and sum y <= p over the free sites.
"""
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .highs import Run, remaining, solve
from .inputs import cost_matrix, cost_problem, cover_matrix, deadline_after, demand_weights, \
    new_site_count, site_indices
from .median import p_median
from .solution import nearest, read_only, solution


@dataclass(frozen=True)
class Assignment:
    """Demands assigned to the existing sites within their capacities.

    Attributes
    ----------
    assignment : np.ndarray
        For each demand its site, -1 where it is not served (no site reaches it, or no site
        has room for it).
    load : np.ndarray
        For each site the demand weight assigned to it.
    objective : float
        The total weighted cost of the demands served.
    served : float
        The demand weight served.
    unserved : np.ndarray
        The demands some site reaches that are not served for want of capacity.
    unreachable : np.ndarray
        The demands no site reaches.
    nearest : np.ndarray
        For each demand its nearest site, capacities ignored (-1 where none is reachable).
    nearest_load : np.ndarray
        For each site its load under the nearest-site assignment.
    over_capacity : np.ndarray
        The sites whose load under the nearest-site assignment exceeds their capacity.
    optimal, gap, status
        As for `Solution`.
    """

    assignment: np.ndarray
    load: np.ndarray
    objective: float
    served: float
    unserved: np.ndarray
    unreachable: np.ndarray
    nearest: np.ndarray
    nearest_load: np.ndarray
    over_capacity: np.ndarray
    optimal: bool
    gap: float
    status: str


def capacitated_assignment(cost, capacity, weights=None, time_limit=None):
    """Each demand to one site, least total weighted cost, no site above its capacity.

    Parameters
    ----------
    cost : array_like of float, shape (demands, sites)
        Travel cost; np.inf where demand i cannot reach site j.
    capacity : array_like of float, shape (sites,)
        The most demand weight each site takes; np.inf for no limit.
    weights : array_like of float, shape (demands,), optional
        Demand weight (1 each by default).
    time_limit : float, optional
        Seconds HiGHS may take; on expiry the best assignment found, else a greedy one.

    Returns
    -------
    Assignment
    """
    cost = cost_matrix(cost)
    n, m = cost.shape
    weights = demand_weights(weights, n)
    capacity = _capacities(capacity, m)
    deadline = deadline_after(time_limit)
    every = np.arange(m)
    near, near_cost = nearest(cost, every)
    reached = near >= 0
    nearest_load = np.bincount(near[reached], weights[reached], minlength=m)
    if (nearest_load <= capacity).all():
        assignment, run = near, Run.trivial()
    else:
        pairs = _Pairs(np.isfinite(cost), cost, weights, capacity)
        assignment, _, run = _least_cost(pairs, every, 0, deadline)
    served = assignment >= 0
    load = np.bincount(assignment[served], weights[served], minlength=m)
    return Assignment(
        assignment=read_only(assignment), load=read_only(load),
        objective=float(weights[served] @ cost[served, assignment[served]]),
        served=float(weights[served].sum()),
        unserved=read_only(np.flatnonzero(reached & ~served)),
        unreachable=read_only(np.flatnonzero(~reached)),
        nearest=read_only(near), nearest_load=read_only(nearest_load),
        over_capacity=read_only(np.flatnonzero(nearest_load > capacity)),
        optimal=run.optimal, gap=run.gap, status=run.status)


def capacitated_p_median(cost, p, capacity, weights=None, fixed=(), time_limit=None):
    """p-median with capacities: the `p` new sites, and the single-source assignment to the
    open sites, of least total weighted cost with no site above its capacity.

    Parameters are those of `p_median`, with `capacity` as for `capacitated_assignment`. The
    uncapacitated p-median is solved first: when its optimum loads no site beyond its capacity
    it is the answer (no capacitated solution serves more or costs less), and the larger
    capacitated programme is not built.

    Returns
    -------
    Solution
        `objective` is the total weighted cost of the demands served; `assignment` each
        demand's site (not necessarily its nearest open one), `load` each site's load and
        `unserved` the reachable demands left without a site for want of capacity.
    """
    cost, weights, fixed, p, deadline = cost_problem(cost, p, weights, fixed, time_limit)
    capacity = _capacities(capacity, cost.shape[1])
    # Half the time for the uncapacitated optimum, at most.
    free = p_median(cost, p, weights, fixed,
                    None if deadline is None else max(remaining(deadline) / 2, 1e-3))
    served = free.assignment >= 0
    load = np.bincount(free.assignment[served], weights[served], minlength=cost.shape[1])
    if free.optimal and (load <= capacity).all():
        # The uncapacitated optimum fits: no capacitated solution serves more or costs less.
        assignment, sites, run = free.assignment, free.sites, Run.trivial()
    else:
        pairs = _Pairs(np.isfinite(cost), cost, weights, capacity)
        assignment, sites, run = _least_cost(pairs, fixed, p, deadline, free.sites)
    served = assignment >= 0
    objective = float(weights[served] @ cost[served, assignment[served]])
    return _capacitated_solution("capacitated_p_median", sites, fixed, objective, run,
                                 assignment, None, np.isfinite(cost), weights, cost.shape[1])


def capacitated_mclp(cover, weights, p, capacity, fixed=(), time_limit=None):
    """Maximal covering with capacities: the `p` new sites whose single-source assignment,
    each demand to one open site that covers it and no site above its capacity, covers the
    most demand weight.

    Parameters are those of `mclp`, with `capacity` as for `capacitated_assignment`.

    Returns
    -------
    Solution
        `objective` is the weight covered (assigned); `covered` says which demands are,
        `assignment` to which site, `load` each site's load and `unserved` the demands an open
        site covers that are left without one for want of capacity.
    """
    matrix = cover_matrix(cover)
    n, m = matrix.shape
    weights = demand_weights(weights, n)
    fixed = site_indices(fixed, m)
    p = new_site_count(p, m - fixed.size, fixed.size)
    capacity = _capacities(capacity, m)
    reach = matrix.toarray()
    pairs = _Pairs(reach, np.zeros(reach.shape), weights, capacity)
    run = _most_weight(pairs, fixed, p, deadline_after(time_limit))
    if run.values is None and run.status != "time limit":
        raise RuntimeError(f"capacitated programme: {run.status}")
    assignment, sites, run = _best_found(pairs, fixed, p, run, fixed)
    covered = assignment >= 0
    return _capacitated_solution("capacitated_mclp", sites, fixed,
                                 float(weights[covered].sum()), run, assignment, covered,
                                 reach, weights, m)


def _capacitated_solution(model, sites, fixed, objective, run, assignment, covered, reach,
                          weights, m):
    served = assignment >= 0
    load = np.bincount(assignment[served], weights[served], minlength=m)
    by_open = reach[:, sites].any(axis=1)
    return solution(model, sites, fixed, objective, run, assignment, covered,
                    np.flatnonzero(~reach.any(axis=1)), load=load,
                    unserved=np.flatnonzero(by_open & ~served & (weights > 0)))


def _capacities(capacity, m):
    capacity = np.asarray(capacity, dtype=float)
    if capacity.shape != (m,):
        raise ValueError(f"capacity must have one entry per site ({m}), got shape "
                         f"{capacity.shape}")
    if np.isnan(capacity).any() or (capacity < 0).any():
        raise ValueError("capacity must be non-negative (np.inf for no limit), not NaN")
    return capacity


class _Pairs:
    """The (demand, site) pairs a single-source programme may use: the site reaches the demand,
    the demand has weight, and the site's capacity can take it whole."""

    def __init__(self, reach, cost, weights, capacity):
        self.reach, self.cost, self.weights, self.capacity = reach, cost, weights, capacity
        usable = reach & (weights[:, None] > 0) & (weights[:, None] <= capacity[None, :])
        self.row, self.site = np.nonzero(usable)
        self.demand, self.row = np.unique(self.row, return_inverse=True)

    def programme(self, fixed, p, maximize_weight, all_served=False, served_at_least=None):
        """The programme's arrays: columns x (one per pair) then y (one per site)."""
        n_pairs, m, d = self.site.size, self.capacity.size, self.demand.size
        w = self.weights[self.demand][self.row]
        x, y = np.arange(n_pairs), n_pairs + np.arange(m)
        is_fixed = np.zeros(m, dtype=bool)
        is_fixed[fixed] = True
        limited = np.flatnonzero(np.isfinite(self.capacity))
        strong = np.flatnonzero(~is_fixed[self.site])
        free = np.flatnonzero(~is_fixed)
        # Rows: assignment (d), capacity (limited), strong (pairs of free sites), the count of
        # new sites, and the weight served when it must reach a floor.
        cap_row = d + np.searchsorted(limited, self.site)
        capped = np.isfinite(self.capacity[self.site])
        strong_row = d + limited.size + np.arange(strong.size)
        count_row = d + limited.size + strong.size
        rows = [self.row, cap_row[capped], d + np.arange(limited.size), strong_row, strong_row,
                np.full(free.size, count_row)]
        cols = [x, x[capped], y[limited], x[strong], y[self.site[strong]], y[free]]
        vals = [np.ones(n_pairs), w[capped], -self.capacity[limited], np.ones(strong.size),
                -np.ones(strong.size), np.ones(free.size)]
        # Exactly p new sites where there are that many that serve someone (an extra open site
        # never costs more nor covers less): HiGHS proves the sample-sized optimum in 60% of
        # the time it takes with at most p. Those left without demand are not reported open.
        row_lower = np.concatenate([np.full(d, 1.0 if all_served else -np.inf),
                                    np.full(limited.size + strong.size, -np.inf),
                                    [min(p, np.isin(free, self.site).sum())]])
        row_upper = np.concatenate([np.ones(d), np.zeros(limited.size + strong.size), [p]])
        if served_at_least is not None:
            rows.append(np.full(n_pairs, count_row + 1))
            cols.append(x)
            vals.append(w)
            row_lower = np.append(row_lower, served_at_least * (1 - 1e-9))
            row_upper = np.append(row_upper, np.inf)
        matrix = sparse.csc_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(row_lower.size, n_pairs + m))
        used = np.zeros(m, dtype=bool)
        used[self.site] = True
        lower = np.concatenate([np.zeros(n_pairs), is_fixed.astype(float)])
        upper = np.concatenate([np.ones(n_pairs), (is_fixed | used).astype(float)])
        objective = w if maximize_weight else w * self.cost[self.demand[self.row], self.site]
        return dict(cost=np.concatenate([objective, np.zeros(m)]), lower=lower, upper=upper,
                    matrix=matrix, row_lower=row_lower, row_upper=row_upper,
                    integer=np.ones(n_pairs + m, dtype=bool), maximize=maximize_weight)

    def outcome(self, run, fixed):
        """(assignment, open sites) of a run that found a solution: the fixed sites and those
        it assigns demand to; demands of weight zero go to their nearest open site (any open
        site that reaches them, for coverage)."""
        assignment = np.full(self.reach.shape[0], -1, dtype=np.int64)
        taken = run.values[:self.site.size] > 0.5
        assignment[self.demand[self.row[taken]]] = self.site[taken]
        sites = np.union1d(fixed, self.site[taken])
        light = self.weights == 0
        if light.any() and sites.size:
            cost = np.where(self.reach, self.cost, np.inf)
            assignment[light] = nearest(cost[light], sites)[0]
        return assignment, sites


def _most_weight(pairs, fixed, p, deadline):
    """The run that serves the most demand weight with `p` new sites."""
    return solve(**pairs.programme(fixed, p, maximize_weight=True), deadline=deadline)


def _least_cost(pairs, fixed, p, deadline, fallback=None):
    """(assignment, open sites, run) of least cost: every demand served when the capacities
    allow it, else the most weight served (a programme of its own finds how much) at the least
    cost. When HiGHS proves nothing in time, the best of what it found and of greedy assignments
    (_best_found), to the sites `fallback` among them (default: the fixed ones)."""
    run = solve(**pairs.programme(fixed, p, False, all_served=True), deadline=deadline)
    if run.values is None and run.status in ("infeasible", "time limit"):
        most = _most_weight(pairs, fixed, p, deadline)
        run = most
        if most.values is not None:
            n_pairs = pairs.site.size
            served = float(pairs.weights[pairs.demand][pairs.row] @
                           (most.values[:n_pairs] > 0.5))
            cheapest = solve(**pairs.programme(fixed, p, False, served_at_least=served),
                             deadline=deadline)
            if cheapest.values is None:
                run = Run(most.values, "time limit: the most served, the cost not minimised",
                          False, np.inf, most.bound)
            elif most.optimal:
                run = cheapest
            else:
                run = Run(cheapest.values, "time limit: best found", False, np.inf,
                          cheapest.bound)
    if run.values is None and run.status != "time limit":
        raise RuntimeError(f"capacitated programme: {run.status}")
    return _best_found(pairs, fixed, p, run, fixed if fallback is None else fallback)


def _best_found(pairs, fixed, p, run, fallback):
    """(assignment, open sites, run): the solver's, when it proved it optimal; else the best of
    what it found, the greedy assignment to the sites `fallback` and, when the case is small
    enough, to sites added greedily one at a time (most weight served, then least cost)."""
    found = None if run.values is None else (*pairs.outcome(run, fixed), run)
    if run.optimal:
        return found
    best = None if found is None else (_score(pairs, found[0]), found)
    for sites in [np.asarray(fallback, dtype=np.int64), *_sites_added_greedily(pairs, fixed, p)]:
        assignment = _greedy(pairs, sites)
        # Open: the fixed sites and those that take demand (as pairs.outcome reports them).
        sites = np.union1d(fixed, assignment[(assignment >= 0) & (pairs.weights > 0)])
        assignment = _greedy(pairs, sites)
        if best is None or _score(pairs, assignment) < best[0]:
            status = ("time limit: best found (greedy)" if found is not None
                      else "time limit: nothing found; a greedy assignment")
            best = (_score(pairs, assignment),
                    (assignment, sites, Run(None, status, False, np.inf, run.bound)))
    return best[1]


def _score(pairs, assignment):
    """(-weight served, cost): the smaller, the better."""
    served = assignment >= 0
    w = pairs.weights[served]
    return -float(w.sum()), float(w @ pairs.cost[served, assignment[served]])


# The most demand × candidate × p steps the greedy adding of sites may take after the time
# limit (each step a few microseconds of Python: about 2 s; the sample-sized case with p = 1
# takes 72,000, with p = 14 it is beyond, as is a 2,000 × 500 case).
GREEDY_BUDGET = 4e5


def _sites_added_greedily(pairs, fixed, p):
    """[open sites]: the fixed ones, then `p` more added one at a time, each the candidate whose
    greedy assignment serves the most weight at the least cost; [] when the case is too large."""
    n = pairs.reach.shape[0]
    sites = np.asarray(fixed, dtype=np.int64)
    free = np.setdiff1d(np.unique(pairs.site), sites)
    if p == 0 or n * free.size * p > GREEDY_BUDGET:
        return []
    for _ in range(min(p, free.size)):
        scores = [_score(pairs, _greedy(pairs, np.append(sites, j))) for j in free]
        pick = free[min(range(free.size), key=scores.__getitem__)]
        sites, free = np.append(sites, pick), free[free != pick]
    return [np.sort(sites)]


def _greedy(pairs, sites):
    """Heaviest demand first, each to its cheapest open site with room left."""
    n, m = pairs.reach.shape
    room = pairs.capacity.copy()
    is_open = np.zeros(m, dtype=bool)
    is_open[sites] = True
    assignment = np.full(n, -1, dtype=np.int64)
    cost = np.where(pairs.reach & is_open[None, :], pairs.cost, np.inf)
    for i in np.argsort(-pairs.weights, kind="stable"):
        fits = np.isfinite(cost[i]) & (room >= pairs.weights[i])
        if fits.any():
            j = int(np.argmin(np.where(fits, cost[i], np.inf)))
            assignment[i] = j
            room[j] -= pairs.weights[i]
    return assignment
