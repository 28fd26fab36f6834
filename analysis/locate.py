"""Location-allocation: where new service centers should go (DESIGN.md section 4).

Four classic models over a demand × site matrix, each solved exactly as a mixed-integer
programme with HiGHS:

- `lscp`: the fewest sites that cover every demand that can be covered;
- `mclp`: the most demand weight covered with `p` new sites;
- `p_median`: the least total weighted cost with `p` new sites;
- `p_center`: the least worst weighted cost with `p` new sites.

Coverage models take a boolean `cover` matrix (demand i is covered by site j); median and center
take a `cost` matrix (np.inf where a site cannot be reached). Building those matrices (Euclidean,
network, a distance or time threshold) is the caller's business.

`fixed` lists sites that are open whatever happens (existing centers). For `mclp`, `p_median`
and `p_center`, `p` counts the new sites *in addition to* the fixed ones, which is what a
planner means by "where should three more centers go". A model opens at most `p` new sites:
fewer when more cannot improve the objective (every demand is already covered, or the remaining
candidates reach nobody who is not better served already). Sites are never opened for demand
of weight zero.

Demands that no site can serve (an all-false row of `cover`, an all-inf row of `cost`) are left
out of the model and reported in `Solution.unreachable`; they never make a model infeasible.

Every model accepts a `time_limit` in seconds; when it is reached the best solution found so far
is returned with `optimal=False`, the relative gap, and a status that says so. A greedy
solution is computed first, so there is always an answer.

The model is built as sparse arrays and passed to HiGHS in one call: no Python loop runs over
demand × site pairs.
"""
import math
import operator
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

# Relative MIP gap at which HiGHS stops. HiGHS's default (1e-4) would call a p-median solution
# "optimal" up to 0.01% above the optimum; this is as exact as floating point objectives allow.
MIP_REL_GAP = 1e-9


@dataclass(frozen=True)
class Solution:
    """The sites a location model opens, and how good that choice is.

    Attributes
    ----------
    model : str
        "lscp", "mclp", "p_median" or "p_center".
    sites : np.ndarray
        Indices of every open site, sorted: the fixed ones and the new ones.
    new_sites : np.ndarray
        Indices of the sites the model opened, sorted (`sites` without the fixed ones).
    objective : float
        lscp: the number of open sites (fixed ones included); mclp: the demand weight covered
        (by fixed sites too); p_median: the total weighted cost of serving every demand from
        its nearest open site; p_center: the largest weighted cost of doing so. Computed from
        `sites`, over the demands that are served.
    gap : float
        Relative optimality gap: 0 when `objective` is proven optimal; when a time limit
        stopped the search, HiGHS's relative MIP gap (p_median: to the best relaxation bound,
        p_center: to the lowest threshold not proven infeasible); inf when nothing bounds it.
    optimal : bool
        Whether `objective` is proven optimal.
    status : str
        "optimal", or a sentence saying why not (e.g. "time limit: best found").
    assignment : np.ndarray or None
        p_median and p_center: for each demand the open site with the least cost, -1 where no
        open site can be reached. None for the coverage models (which know no costs).
    covered : np.ndarray or None
        lscp and mclp: for each demand whether an open site covers it. None otherwise.
    unreachable : np.ndarray
        Indices of the demands no candidate site can serve (covering models: that no site
        covers); they were left out of the model.
    """

    model: str
    sites: np.ndarray
    new_sites: np.ndarray
    objective: float
    gap: float
    optimal: bool
    status: str
    assignment: np.ndarray | None
    covered: np.ndarray | None
    unreachable: np.ndarray

    @property
    def uncoverable(self):
        """The coverage models' name for `unreachable`: demands that no site covers."""
        return self.unreachable


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


def lscp(cover, fixed=(), time_limit=None):
    """Location set covering: the fewest sites that cover every coverable demand.

    Parameters
    ----------
    cover : array_like of bool or scipy sparse matrix, shape (demands, sites)
        `cover[i, j]` is true when site j covers demand i.
    fixed : sequence of int
        Sites that are open whatever happens; demands they cover need no new site.
    time_limit : float, optional
        Seconds HiGHS may take; on expiry the best cover found is returned.

    Returns
    -------
    Solution
        `objective` is the number of open sites (fixed ones included); every demand that some
        site covers is covered, the others are listed in `unreachable` (alias `uncoverable`).
    """
    matrix = _cover_matrix(cover)
    fixed = _fixed_sites(fixed, matrix.shape[1])
    chosen, run = _set_cover(matrix, fixed, _deadline(time_limit))
    sites = np.union1d(fixed, chosen)
    return _solution("lscp", sites, fixed, float(sites.size), run, None,
                     _covered_by(matrix, sites), np.flatnonzero(np.diff(matrix.indptr) == 0))


def mclp(cover, weights, p, fixed=(), time_limit=None):
    """Maximal covering: the `p` new sites that cover the most demand weight.

    Parameters
    ----------
    cover : array_like of bool or scipy sparse matrix, shape (demands, sites)
        `cover[i, j]` is true when site j covers demand i.
    weights : array_like of float, shape (demands,)
        Demand weight, e.g. poor population; non-negative.
    p : int
        Number of new sites, in addition to `fixed`. Zero is allowed only with fixed sites
        (it then evaluates them).
    fixed : sequence of int
        Sites that are open whatever happens.
    time_limit : float, optional
        Seconds HiGHS may take; on expiry the best solution found is returned.

    Returns
    -------
    Solution
        `objective` is the weight covered by all open sites, fixed ones included.

    Raises
    ------
    ValueError
        If `p` is negative, zero without fixed sites, or more than the candidate sites.
    """
    matrix = _cover_matrix(cover)
    n, m = matrix.shape
    weights = _weights(weights, n)
    fixed = _fixed_sites(fixed, m)
    p = _count(p, m - fixed.size, fixed.size)
    deadline = _deadline(time_limit)
    coverable = np.diff(matrix.indptr) > 0
    need = coverable & ~_covered_by(matrix, fixed) & (weights > 0)
    free = np.setdiff1d(np.arange(m), fixed)
    sub = matrix[need][:, free].tocsc()
    useful = np.diff(sub.indptr) > 0
    columns, sub = free[useful], sub[:, useful]
    rows, k = sub.shape
    w = weights[need]
    if k <= p:
        # Every candidate that covers anyone fits in the budget: open them all.
        run, chosen = _Run.trivial(), columns
    else:
        start = _greedy_max_cover(sub, w, p)
        z_start = (sub @ start > 0).astype(float)
        # Columns: y (sites, binary) then z (demands, continuous: at an optimum z_i is 0 or 1).
        # Rows: z_i - sum_j a_ij y_j <= 0 for each demand; sum_j y_j <= p.
        a = sparse.vstack([
            sparse.hstack([-sub.astype(float), sparse.eye_array(rows, format="csc")]),
            sparse.hstack([sparse.csc_array(np.ones((1, k))), sparse.csc_array((1, rows))]),
        ]).tocsc()
        run = _solve(
            cost=np.concatenate([np.zeros(k), w]), lower=np.zeros(k + rows),
            upper=np.ones(k + rows), matrix=a,
            row_lower=np.full(rows + 1, -np.inf), row_upper=np.append(np.zeros(rows), p),
            integer=np.arange(k + rows) < k, maximize=True, deadline=deadline)
        if run.values is None or (not run.optimal and
                                  (sub @ (run.values[:k] > 0.5) > 0) @ w < z_start @ w):
            run = run.fallback(np.concatenate([start, z_start]))
        chosen = columns[run.values[:k] > 0.5]
    sites = np.union1d(fixed, chosen)
    covered = _covered_by(matrix, sites)
    return _solution("mclp", sites, fixed, float(weights[covered].sum()), run, None, covered,
                     np.flatnonzero(~coverable))


def p_median(cost, p, weights=None, fixed=(), time_limit=None):
    """p-median: the `p` new sites that minimise the total weighted cost to the nearest open site.

    The strong formulation (x_ij <= y_j), with an assignment variable only where the cost is
    finite and, when sites are fixed, only where site j is nearer to demand i than every fixed
    site. It is solved by deepening: each demand first gets variables for its nearest few
    sites only, plus one "farther" variable priced at the next nearest site's cost, which
    makes the programme a relaxation. When the relaxation's optimum serves every demand at the
    cost it was priced at, it is optimal for the full problem; otherwise the demands priced too
    low get more of their sites and it is solved again.

    When `p` new sites cannot reach every reachable demand at all, the model first serves as
    much demand weight as can be reached and then minimises the cost of serving it.

    Parameters
    ----------
    cost : array_like of float, shape (demands, sites)
        Travel cost (distance, minutes); np.inf where demand i cannot reach site j.
    p : int
        Number of new sites, in addition to `fixed`. Zero is allowed only with fixed sites.
    weights : array_like of float, shape (demands,), optional
        Demand weight, e.g. poor population; every demand weighs 1 by default.
    fixed : sequence of int
        Sites that are open whatever happens.
    time_limit : float, optional
        Seconds HiGHS may take; on expiry the best solution found is returned.

    Returns
    -------
    Solution
        `objective` is the total weighted cost over the demands served, `assignment` their
        nearest open site.

    Raises
    ------
    ValueError
        If `p` is negative, zero without fixed sites, or more than the candidate sites.
    """
    cost, weights, fixed, p, deadline = _cost_problem(cost, p, weights, fixed, time_limit)
    reach = np.isfinite(cost).any(axis=1)
    model = _MedianModel(cost, weights, fixed)
    run, chosen = _Run.trivial(), model.columns[:p] if p == 0 else model.columns
    if 0 < p < model.columns.size:
        run, open_columns = _solve_median(model, p, deadline)
        chosen = model.columns[open_columns]
    sites = np.union1d(fixed, chosen)
    assignment, best = _nearest(cost, sites)
    served = assignment >= 0
    objective = float((weights[served] * best[served]).sum())
    return _solution("p_median", sites, fixed, objective, run, assignment, None,
                     np.flatnonzero(~reach))


def p_center(cost, p, weights=None, fixed=(), time_limit=None):
    """p-center: the `p` new sites that minimise the largest weighted cost to the nearest open site.

    Solved exactly by a search over the distinct weighted costs: the optimum is the smallest
    threshold t at which `p` new sites can cover every demand with weight × cost <= t, each
    threshold being decided by an exact set-covering programme. When `p` new sites cannot reach
    every reachable demand at all, the threshold must instead let as much demand weight be
    served as can be.

    Parameters
    ----------
    cost : array_like of float, shape (demands, sites)
        Travel cost; np.inf where demand i cannot reach site j.
    p : int
        Number of new sites, in addition to `fixed`. Zero is allowed only with fixed sites.
    weights : array_like of float, shape (demands,), optional
        Demand weight multiplying each cost; 1 by default (the plain p-center). Demands of
        weight zero do not constrain the solution.
    fixed : sequence of int
        Sites that are open whatever happens.
    time_limit : float, optional
        Seconds the whole search may take; on expiry the best threshold proven feasible so
        far is returned, with the gap to the lowest threshold not yet proven infeasible.

    Returns
    -------
    Solution
        `objective` is the largest weighted cost over the demands served, `assignment` each
        demand's nearest open site.

    Raises
    ------
    ValueError
        If `p` is negative, zero without fixed sites, or more than the candidate sites.
    """
    cost, weights, fixed, p, deadline = _cost_problem(cost, p, weights, fixed, time_limit)
    reach = np.isfinite(cost).any(axis=1)
    need = reach & (weights > 0)
    weighted = cost[need] * weights[need, None]
    finite = np.isfinite(weighted)
    lo = hi = 0
    values = np.zeros(1)
    status, optimal = "optimal", True
    if not need.any():
        best_sites = fixed
    else:
        # Can p new sites reach every demand at all? If not, each threshold must let as much
        # weight be served as the best choice of sites serves at any cost (`target`).
        all_reach = sparse.csr_array(finite)
        best_sites, run = _set_cover(all_reach, fixed, deadline, budget=p)
        target = None
        if best_sites is not None:
            best_sites = np.union1d(fixed, best_sites)
        else:
            found = mclp(all_reach, weights[need], p, fixed, _remaining(deadline))
            target, best_sites = found.objective, found.sites
        # The optimum is one of the weighted costs; with every demand served, at least the
        # largest of each demand's least cost to any site.
        values = np.unique(weighted[finite])
        hi = values.size - 1
        if target is None:
            values = values[values >= weighted.min(axis=1).max()]
            hi = values.size - 1
            greedy = _greedy_center(weighted, fixed, p)
            upper = weighted[:, greedy].min(axis=1).max()
            if np.isfinite(upper):
                hi, best_sites = int(np.searchsorted(values, upper)), greedy
        while lo < hi:
            mid = (lo + hi) // 2
            cover = sparse.csr_array(weighted <= values[mid])
            if target is None:
                sites, run = _set_cover(cover, fixed, deadline, budget=p)
                known = sites is not None or run.optimal
            else:
                found = mclp(cover, weights[need], p, fixed, _remaining(deadline))
                sites = found.sites if found.objective >= target * (1 - 1e-12) else None
                known = sites is not None or found.optimal
            if not known:
                status, optimal = "time limit: best found", False
                break
            if sites is None:
                lo = mid + 1
            else:
                best_sites = np.union1d(fixed, sites)
                # The sites found may do better than the threshold asked for.
                attained = weighted[:, best_sites].min(axis=1)
                attained = attained[np.isfinite(attained)].max(initial=0.0)
                hi = min(mid, int(np.searchsorted(values, attained)))
    sites = np.asarray(best_sites, dtype=np.int64)
    assignment, best = _nearest(cost, sites)
    served = (assignment >= 0) & (weights > 0)
    objective = float((weights[served] * best[served]).max(initial=0.0))
    gap = 0.0
    if not optimal and objective > 0:
        gap = max((objective - values[lo]) / objective, 0.0)
    return _solution("p_center", sites, fixed, objective, _Run(None, status, optimal, gap),
                     assignment, None, np.flatnonzero(~reach))


def impact(cost, existing, proposed, threshold, weights=None):
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

    Returns
    -------
    Impact
    """
    cost = _cost_matrix(cost)
    n, m = cost.shape
    weights = _weights(weights, n)
    threshold = float(threshold)
    if not threshold >= 0:
        raise ValueError(f"threshold must be a non-negative number, got {threshold}")
    existing = _fixed_sites(existing, m, "existing")
    after = np.union1d(existing, _fixed_sites(proposed, m, "proposed"))
    _, before_cost = _nearest(cost, existing)
    _, after_cost = _nearest(cost, after)
    covered_before, covered_after = before_cost <= threshold, after_cost <= threshold
    newly = covered_after & ~covered_before
    return Impact(
        covered_before=float(weights[covered_before].sum()),
        covered_after=float(weights[covered_after].sum()),
        newly_covered=float(weights[newly].sum()),
        newly_covered_demands=_frozen(np.flatnonzero(newly)),
        reached_before=float(weights[np.isfinite(before_cost)].sum()),
        reached_after=float(weights[np.isfinite(after_cost)].sum()),
        mean_cost_before=_weighted_mean(before_cost, weights),
        mean_cost_after=_weighted_mean(after_cost, weights),
    )


# --- input checks -------------------------------------------------------------------------


def _cost_problem(cost, p, weights, fixed, time_limit):
    """The checked inputs of the cost models: matrix, weights, fixed sites, p and deadline."""
    cost = _cost_matrix(cost)
    n, m = cost.shape
    fixed = _fixed_sites(fixed, m)
    return (cost, _weights(weights, n), fixed, _count(p, m - fixed.size, fixed.size),
            _deadline(time_limit))


def _cover_matrix(cover):
    if sparse.issparse(cover):
        if cover.ndim != 2:
            raise ValueError("cover must be a 2-d demand × site matrix")
        matrix = sparse.csr_array(cover, dtype=bool)
        matrix.eliminate_zeros()
        return matrix
    array = np.asarray(cover)
    if array.ndim != 2:
        raise ValueError(f"cover must be a 2-d demand × site matrix, got shape {array.shape}")
    if array.dtype != bool:
        if not np.isin(array, (0, 1)).all():
            raise ValueError("cover must be boolean (or 0/1)")
        array = array.astype(bool)
    return sparse.csr_array(array)


def _cost_matrix(cost):
    cost = np.asarray(cost, dtype=float)
    if cost.ndim != 2:
        raise ValueError(f"cost must be a 2-d demand × site matrix, got shape {cost.shape}")
    if np.isnan(cost).any():
        raise ValueError("cost has NaN entries; use np.inf where a site cannot be reached")
    if (cost < 0).any():
        raise ValueError("cost has negative entries")
    return cost


def _weights(weights, n):
    if weights is None:
        return np.ones(n)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (n,):
        raise ValueError(f"weights must have one entry per demand ({n}), got shape {weights.shape}")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("weights must be finite and non-negative")
    return weights


def _fixed_sites(sites, m, name="fixed"):
    sites = np.asarray(sites).ravel()
    if sites.size and not np.issubdtype(sites.dtype, np.integer):
        raise ValueError(f"{name} must be site indices (integers), got {sites.dtype}")
    sites = np.unique(sites.astype(np.int64))
    if sites.size and (sites[0] < 0 or sites[-1] >= m):
        raise ValueError(f"{name} sites must be indices in 0..{m - 1}, got {sites.tolist()}")
    return sites


def _count(p, free, fixed):
    try:
        p = operator.index(p)
    except TypeError:
        raise ValueError(f"p must be an integer, got {p!r}") from None
    if p < 0:
        raise ValueError(f"p must not be negative, got {p}")
    if p == 0 and not fixed:
        raise ValueError("p must be at least 1 when no sites are fixed")
    if p > free:
        raise ValueError(f"p = {p} new sites, but there are only {free} candidate sites "
                         f"that are not already fixed")
    return p


def _deadline(time_limit):
    if time_limit is None:
        return None
    if not time_limit > 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit}")
    return time.monotonic() + float(time_limit)


def _remaining(deadline):
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)


# --- solving ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """One solver run: the column values, or None when the solver found nothing."""

    values: np.ndarray | None
    status: str
    optimal: bool
    gap: float
    bound: float = math.nan  # the solver's dual bound on the objective

    @classmethod
    def trivial(cls):
        return cls(np.zeros(0), "optimal", True, 0.0)

    def fallback(self, values):
        """The greedy solution instead, the solver having found nothing better in time."""
        return _Run(values, "time limit: best found (greedy)", False, math.inf, self.bound)


def _highs():
    # highspy.Highs registers its Python callback in its constructor, and HiGHS writes its
    # banner to stdout then, before any option can be set (ERGO-Code/HiGHS#2749). The core
    # class it extends has every method used here and stays silent once output_flag is off.
    h = getattr(highspy, "_Highs", highspy.Highs)()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    return h


def _solve(cost, lower, upper, matrix, row_lower, row_upper, integer, maximize, deadline,
           options=()):
    """Solve one MILP given as arrays; `matrix` is the constraint matrix (any sparse format).

    No start solution is passed: HiGHS 1.16 can misprice a start solution after presolve and
    then stop, "optimal", at that wrong value (seen on OR-Library pmed5). The greedy solutions
    are kept on this side instead, and win when the solver does worse within its time limit.
    """
    matrix = sparse.csc_array(matrix)
    h = _highs()
    limit = _remaining(deadline)
    if limit is not None:
        h.setOptionValue("time_limit", max(limit, 1e-3))
    for key, value in options:
        h.setOptionValue(key, value)
    sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    h.passModel(
        matrix.shape[1], matrix.shape[0], matrix.nnz, int(highspy.MatrixFormat.kColwise),
        int(sense), 0.0, np.asarray(cost, dtype=float), np.asarray(lower, dtype=float),
        np.asarray(upper, dtype=float), np.asarray(row_lower, dtype=float),
        np.asarray(row_upper, dtype=float), matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32), matrix.data.astype(float),
        np.asarray(integer, dtype=np.int32))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value) if has_solution else None
    bound = float(info.mip_dual_bound)
    if status == highspy.HighsModelStatus.kOptimal:
        return _Run(values, "optimal", True, 0.0, bound)
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kObjectiveBound):
        return _Run(None, "infeasible", True, math.inf, bound)
    if status == highspy.HighsModelStatus.kTimeLimit:
        if not has_solution:
            return _Run(None, "time limit", False, math.inf, bound)
        return _Run(values, "time limit: best found", False, max(float(info.mip_gap), 0.0),
                    bound)
    raise RuntimeError(f"HiGHS stopped with status {h.modelStatusToString(status)}")


def _solution(model, sites, fixed, objective, run, assignment, covered, unreachable):
    sites = np.asarray(sites, dtype=np.int64)
    return Solution(
        model=model,
        sites=_frozen(sites),
        new_sites=_frozen(np.setdiff1d(sites, fixed)),
        objective=objective,
        gap=run.gap,
        optimal=run.optimal,
        status=run.status,
        assignment=None if assignment is None else _frozen(assignment),
        covered=None if covered is None else _frozen(covered),
        unreachable=_frozen(unreachable),
    )


def _frozen(array):
    array = np.asarray(array)
    array.setflags(write=False)
    return array


# --- set cover ----------------------------------------------------------------------------


def _set_cover(matrix, fixed, deadline, budget=None):
    """The fewest free sites that, with `fixed`, cover every coverable row of `matrix`.

    Returns (sites, run). With `budget`, only whether `budget` new sites are enough matters:
    sites is None when they are not (run.optimal then says whether that is proven, or the time
    ran out first).
    """
    m = matrix.shape[1]
    need = (np.diff(matrix.indptr) > 0) & ~_covered_by(matrix, fixed)
    free = np.setdiff1d(np.arange(m), fixed)
    sub = matrix[need][:, free].tocsc()
    useful = np.diff(sub.indptr) > 0
    columns, sub = free[useful], sub[:, useful]
    if not sub.shape[0]:
        return columns[:0], _Run.trivial()
    start = _greedy_cover(sub)
    if budget is not None and start.sum() <= budget:
        return columns[start > 0], _Run.trivial()
    k, rows = sub.shape[1], sub.shape[0]
    if budget is None:
        run = _solve(np.ones(k), np.zeros(k), np.ones(k), sub, np.ones(rows),
                     np.full(rows, np.inf), np.ones(k, dtype=bool), False, deadline)
        if run.values is None or (not run.optimal and (run.values > 0.5).sum() > start.sum()):
            run = run.fallback(start)
        return columns[run.values > 0.5], run
    # At most `budget` sites, as a constraint: the first cover found answers the question, so
    # a gap of 1 (any solution) is enough.
    a = sparse.vstack([sub.astype(float), sparse.csc_array(np.ones((1, k)))])
    run = _solve(np.ones(k), np.zeros(k), np.ones(k), a, np.append(np.ones(rows), -np.inf),
                 np.append(np.full(rows, np.inf), budget), np.ones(k, dtype=bool), False,
                 deadline, options=(("mip_rel_gap", 1.0),))
    if run.values is None:
        return None, run
    return columns[run.values > 0.5], run


# --- p-median model -----------------------------------------------------------------------


class _MedianModel:
    """The demands and (demand, site) pairs of a p-median programme.

    A demand is in the model when it has weight and some free site would serve it better than
    every fixed site (the others go to their nearest fixed site). Its pairs are the free sites
    that would, sorted by cost; `columns` are the free sites in any pair.
    """

    def __init__(self, cost, weights, fixed):
        n, m = cost.shape
        free = np.setdiff1d(np.arange(m), fixed)
        by_fixed = cost[:, fixed].min(axis=1) if fixed.size else np.full(n, np.inf)
        options = cost[:, free]
        better = options < by_fixed[:, None]
        demand = np.flatnonzero((weights > 0) & better.any(axis=1))
        row, col = np.nonzero(better[demand])
        pair_cost = options[demand[row], col]
        order = np.lexsort((pair_cost, row))
        row, col, self.pair_cost = row[order], col[order], pair_cost[order]
        useful = np.unique(col)
        self.columns = free[useful]
        self.demand = demand
        self.weights = weights[demand]
        self.by_fixed = by_fixed[demand]
        self.pair_row = row  # index into `demand`
        self.pair_site = np.searchsorted(useful, col)  # index into `columns`
        self.count = np.bincount(row, minlength=demand.size)
        self.first = np.cumsum(self.count) - self.count
        self.rank = np.arange(row.size) - self.first[row]

    def cover(self):
        """Which model demands each column can reach at all (demand × column)."""
        return sparse.csr_array(
            (np.ones(self.pair_row.size, dtype=bool), (self.pair_row, self.pair_site)),
            shape=(self.demand.size, self.columns.size))

    def served_cost(self, open_columns):
        """Each model demand's cost from its nearest open site (fixed ones included)."""
        is_open = np.zeros(self.columns.size, dtype=bool)
        is_open[open_columns] = True
        best = self.by_fixed.copy()
        usable = is_open[self.pair_site]
        np.minimum.at(best, self.pair_row[usable], self.pair_cost[usable])
        return best

    def programme(self, depth, p, served):
        """The relaxation that gives each demand its `depth` nearest pairs.

        Columns: x for each pair kept, then `farther` for each demand with pairs left out or a
        fixed site (priced at the next pair's cost, else the fixed site's), then y for each
        column. Rows: one assignment row per demand, x - y <= 0 per pair, sum y <= p, and with
        `served` the row keeping at least that much weight served.
        """
        d, k = self.demand.size, self.columns.size
        kept = np.flatnonzero(self.rank < depth[self.pair_row])
        cut = depth < self.count
        farther = np.flatnonzero(cut | np.isfinite(self.by_fixed))
        farther_cost = self.by_fixed[farther].copy()
        cut_rows = cut[farther]
        farther_cost[cut_rows] = self.pair_cost[self.first[farther[cut_rows]] +
                                                depth[farther[cut_rows]]]
        pairs, f = kept.size, farther.size
        x_cols, f_cols, y_cols = np.arange(pairs), pairs + np.arange(f), pairs + f + np.arange(k)
        card = d + pairs
        pair_row, pair_site = self.pair_row[kept], self.pair_site[kept]
        rows = [pair_row, d + x_cols, farther, d + x_cols, np.full(k, card)]
        cols = [x_cols, x_cols, f_cols, y_cols[pair_site], y_cols]
        vals = [np.ones(2 * pairs + f), -np.ones(pairs), np.ones(k)]
        row_lower = np.concatenate([np.ones(d), np.full(pairs + 1, -np.inf)])
        row_upper = np.concatenate([np.ones(d), np.zeros(pairs), [p]])
        if served is not None:
            # Not every demand can be served: serve the most weight there is (assignment rows
            # become <= 1), then at the least cost.
            rows.append(np.full(pairs + f, card + 1))
            cols += [x_cols, f_cols]
            vals += [self.weights[pair_row], self.weights[farther]]
            row_lower[:d] = -np.inf
            row_lower = np.append(row_lower, served * (1 - 1e-9))
            row_upper = np.append(row_upper, np.inf)
        a = sparse.csc_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(row_lower.size, pairs + f + k))
        cost = np.concatenate([self.weights[pair_row] * self.pair_cost[kept],
                               self.weights[farther] * farther_cost, np.zeros(k)])
        integer = np.zeros(cost.size, dtype=bool)
        integer[y_cols] = True
        return dict(cost=cost, lower=np.zeros(cost.size), upper=np.ones(cost.size), matrix=a,
                    row_lower=row_lower, row_upper=row_upper, integer=integer, maximize=False), \
            (kept, farther, farther_cost)


def _first_depth(model, p):
    """How many of its nearest sites each demand starts with: twice the columns per new site
    (a demand's nearest open site is, on average, about its (columns / p)-th nearest)."""
    return max(8, 2 * math.ceil(model.columns.size / p))


def _solve_median(model, p, deadline):
    """The open columns of an optimal p-median (or the best found in time) and the run."""
    served = _servable_weight(model, p, deadline)
    depth = np.minimum(model.count, _first_depth(model, p))
    if served is not None:
        depth = model.count.copy()
    best_columns = _greedy_median(model, p)
    best_total = model.weights @ model.served_cost(best_columns)
    lower, run = -math.inf, None
    while True:
        problem, layout = model.programme(depth, p, served)
        run = _solve(**problem, deadline=deadline)
        if np.isfinite(run.bound):
            lower = max(lower, run.bound)
        if run.values is None:
            break
        k = model.columns.size
        open_columns = np.flatnonzero(run.values[-k:] > 0.5)
        cost = model.served_cost(open_columns)
        total = model.weights @ cost
        if total <= best_total or served is not None:
            best_columns, best_total = open_columns, total
        if not run.optimal:
            break
        # Demands served at more than they were priced at: give them more of their sites.
        kept, farther, farther_cost = layout
        short = np.zeros(model.demand.size, dtype=bool)
        short[farther] = cost[farther] > farther_cost * (1 + 1e-12)
        short &= depth < model.count
        if not short.any():
            return _Run(None, "optimal", True, 0.0, lower), best_columns
        depth[short] = np.minimum(model.count[short], 2 * depth[short])
    if run.values is None and run.status != "time limit":
        raise RuntimeError(f"p-median programme: {run.status}")
    gap = (best_total - lower) / best_total if best_total > 0 and np.isfinite(lower) \
        else math.inf
    return _Run(None, "time limit: best found", False, max(gap, 0.0), lower), best_columns


def _servable_weight(model, p, deadline):
    """None when `p` new sites can reach every model demand, else the most weight they can."""
    alone = ~np.isfinite(model.by_fixed)
    cover = model.cover()[alone]
    if cover.shape[0] == 0 or _set_cover(cover, np.zeros(0, dtype=np.int64), deadline,
                                          budget=p)[0] is not None:
        return None
    covered = mclp(cover, model.weights[alone], p, (), _remaining(deadline)).objective
    return covered + model.weights[~alone].sum()


# --- greedy solutions -----------------------------------------------------------------------


def _greedy_cover(matrix):
    """Columns (as a 0/1 vector) covering every row, each the one that covers the most rows left.

    Every row must have an entry."""
    matrix = sparse.csc_array(matrix, dtype=float)
    uncovered = np.ones(matrix.shape[0])
    chosen = np.zeros(matrix.shape[1])
    while uncovered.any():
        j = int(np.argmax(matrix.T @ uncovered))
        chosen[j] = 1.0
        uncovered[matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]] = 0.0
    return chosen


def _greedy_max_cover(matrix, weights, p):
    """`p` columns (as a 0/1 vector) that greedily cover the most row weight."""
    matrix = sparse.csc_array(matrix, dtype=float)
    left = weights.astype(float).copy()
    chosen = np.zeros(matrix.shape[1])
    for _ in range(p):
        gain = matrix.T @ left
        gain[chosen > 0] = -1.0
        j = int(np.argmax(gain))
        chosen[j] = 1.0
        left[matrix.indices[matrix.indptr[j]:matrix.indptr[j + 1]]] = 0.0
    return chosen


def _greedy_median(model, p):
    """Up to `p` model columns chosen greedily by the largest drop in total weighted cost."""
    d, k = model.demand.size, model.columns.size
    # An unserved demand counts as twice the dearest pair, so serving it pays.
    big = 2.0 * (model.pair_cost.max(initial=0.0) + 1.0)
    dense = np.full((d, k), big)
    dense[model.pair_row, model.pair_site] = model.pair_cost
    current = np.minimum(model.by_fixed, big)
    chosen = []
    for _ in range(min(p, k)):
        gain = model.weights @ np.maximum(current[:, None] - dense, 0.0)
        gain[chosen] = -1.0
        j = int(np.argmax(gain))
        chosen.append(j)
        current = np.minimum(current, dense[:, j])
    return np.array(sorted(chosen), dtype=np.int64)


def _greedy_center(weighted, fixed, p):
    """Fixed sites plus up to `p` more, each the nearest one to the demand worst served so far.

    Every row of `weighted` must have a finite entry."""
    sites = list(fixed)
    worst = weighted[:, fixed].min(axis=1) if fixed.size else np.full(weighted.shape[0], np.inf)
    for _ in range(p):
        i = int(np.argmax(worst))
        if worst[i] == 0:
            break
        row = weighted[i].copy()
        row[sites] = np.inf
        j = int(np.argmin(row))
        if not np.isfinite(row[j]):
            break
        sites.append(j)
        worst = np.minimum(worst, weighted[:, j])
    return np.unique(np.asarray(sites, dtype=np.int64))


# --- shared -------------------------------------------------------------------------------


def _covered_by(matrix, sites):
    if not sites.size:
        return np.zeros(matrix.shape[0], dtype=bool)
    return np.diff(matrix[:, sites].tocsr().indptr) > 0


def _nearest(cost, sites):
    """Each demand's cheapest site among `sites` (-1 and inf where none is reachable)."""
    n = cost.shape[0]
    if not sites.size:
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    sub = cost[:, sites]
    k = np.argmin(sub, axis=1)
    best = sub[np.arange(n), k]
    assignment = np.where(np.isfinite(best), sites[k], -1)
    return assignment.astype(np.int64), best


def _weighted_mean(values, weights):
    reached = np.isfinite(values)
    total = weights[reached].sum()
    if not reached.any() or total == 0:
        return math.nan
    return float((weights[reached] * values[reached]).sum() / total)
