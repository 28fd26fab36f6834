"""The coverage models, `lscp` and `mclp`, and the set cover the other models use to decide
whether some number of new sites can reach every demand.

Before HiGHS sees a model, the exact reductions of reductions.py shrink it (identical demands
merged, dominated demands and sites dropped, sites forced open); `reduce=False` skips them, for
the tests and bench/locate.py, which compare the two. `reduction` says what they remove."""
import dataclasses
import math

import numpy as np
from scipy import sparse

from .highs import Run, solve
from .inputs import cover_matrix, deadline_after, demand_weights, new_site_count, site_indices
from .reductions import reduce_max_cover, reduce_set_cover
from .solution import solution


def lscp(cover, fixed=(), time_limit=None, reduce=True):
    """Location set covering: the fewest sites that cover every coverable demand.

    Parameters
    ----------
    cover : array_like of bool or scipy sparse matrix, shape (demands, sites)
        `cover[i, j]` is true when site j covers demand i.
    fixed : sequence of int
        Sites that are open whatever happens; demands they cover need no new site.
    time_limit : float, optional
        Seconds HiGHS may take; on expiry the best cover found is returned.
    reduce : bool
        Shrink the model by the exact reductions of reductions.py first (the default); False
        hands HiGHS the unreduced model, for comparisons (the tests, bench/locate.py).

    Returns
    -------
    Solution
        `objective` is the number of open sites (fixed ones included); every demand that some
        site covers is covered, the others are listed in `unreachable` (alias `uncoverable`).
    """
    matrix = cover_matrix(cover)
    fixed = site_indices(fixed, matrix.shape[1])
    chosen, run = set_cover(matrix, fixed, deadline_after(time_limit), reduce=reduce)
    sites = np.union1d(fixed, chosen)
    objective = float(sites.size)
    return solution("lscp", sites, fixed, objective, _with_gap(run, objective, fixed.size), None,
                    _covered_by(matrix, sites), np.flatnonzero(np.diff(matrix.indptr) == 0))


def mclp(cover, weights, p, fixed=(), time_limit=None, reduce=True):
    """Maximal covering: the `p` new sites that cover the most demand weight.

    Parameters
    ----------
    cover : array_like of bool or scipy sparse matrix, shape (demands, sites)
        `cover[i, j]` is true when site j covers demand i.
    p, fixed, time_limit
        New sites, sites open whatever happens, seconds: as for every model (the package's
        docstring, which also says when they raise ValueError).
    weights : array_like of float, shape (demands,)
        Demand weight, e.g. poor population; non-negative.
    reduce : bool
        As for `lscp`.

    Returns
    -------
    Solution
        `objective` is the weight covered by all open sites, fixed ones included (with p = 0,
        what the fixed sites cover).
    """
    matrix = cover_matrix(cover)
    n, m = matrix.shape
    weights = demand_weights(weights, n)
    fixed = site_indices(fixed, m)
    p = new_site_count(p, m - fixed.size, fixed.size)
    deadline = deadline_after(time_limit)
    coverable = np.diff(matrix.indptr) > 0
    by_fixed = _covered_by(matrix, fixed)
    need = coverable & ~by_fixed & (weights > 0)
    columns, sub = _free_part(matrix, need, fixed)
    w = weights[need]
    if reduce:
        reduced = reduce_max_cover(sub, w)
        columns, sub, w = columns[reduced.sites], reduced.matrix, reduced.weights
    rows, k = sub.shape
    if k <= p:
        # Every candidate that covers anyone fits in the budget: open them all.
        run, chosen = Run.trivial(), columns
    else:
        start = _greedy_max_cover(sub, w, p)
        z_start = (sub @ start > 0).astype(float)
        # Columns: y (sites, binary) then z (demands, continuous: at an optimum z_i is 0 or 1).
        # Rows: z_i - sum_j a_ij y_j <= 0 for each demand; sum_j y_j <= p.
        a = sparse.vstack([
            sparse.hstack([-sub.astype(float), sparse.eye_array(rows, format="csc")]),
            sparse.hstack([sparse.csc_array(np.ones((1, k))), sparse.csc_array((1, rows))]),
        ]).tocsc()
        run = solve(
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
    objective = float(weights[covered].sum())
    # HiGHS's bound is on the weight the new sites add; the fixed ones cover the rest.
    run = _with_gap(run, objective, float(weights[coverable & by_fixed].sum()))
    return solution("mclp", sites, fixed, objective, run, None, covered,
                    np.flatnonzero(~coverable))


def set_cover(matrix, fixed, deadline, budget=None, reduce=True):
    """The fewest free sites that, with `fixed`, cover every coverable row of `matrix`.

    Returns (sites, run); run.bound, when known, bounds the number of free sites. With
    `budget`, only whether `budget` new sites are enough matters: sites is None when they are
    not (run.optimal then says whether that is proven, or the time ran out first). `reduce`:
    as for `lscp`.
    """
    need = (np.diff(matrix.indptr) > 0) & ~_covered_by(matrix, fixed)
    columns, sub = _free_part(matrix, need, fixed)
    forced = columns[:0]
    if reduce and sub.shape[0]:
        reduced = reduce_set_cover(sub)
        forced = columns[reduced.forced]
        columns, sub = columns[reduced.sites], reduced.matrix
        if budget is not None:
            # Every cover opens the forced sites (reductions.py).
            budget -= forced.size
            if budget < 0:
                return None, Run(None, "infeasible", True, math.inf)
    if not sub.shape[0]:
        return forced, Run.trivial()
    start = _greedy_cover(sub)
    if budget is not None and start.sum() <= budget:
        return _with_forced(columns[start > 0], forced), Run.trivial()
    k, rows = sub.shape[1], sub.shape[0]
    if budget is None:
        run = solve(np.ones(k), np.zeros(k), np.ones(k), sub, np.ones(rows),
                    np.full(rows, np.inf), np.ones(k, dtype=bool), False, deadline)
        if run.values is None or (not run.optimal and (run.values > 0.5).sum() > start.sum()):
            run = run.fallback(start)
        run = dataclasses.replace(run, bound=run.bound + forced.size)
        return _with_forced(columns[run.values > 0.5], forced), run
    # At most `budget` sites, as a constraint: the first cover found answers the question, so
    # a gap of 1 (any solution) is enough.
    a = sparse.vstack([sub.astype(float), sparse.csc_array(np.ones((1, k)))])
    run = solve(np.ones(k), np.zeros(k), np.ones(k), a, np.append(np.ones(rows), -np.inf),
                np.append(np.full(rows, np.inf), budget), np.ones(k, dtype=bool), False,
                deadline, options=(("mip_rel_gap", 1.0),))
    if run.values is None:
        return None, run
    return _with_forced(columns[run.values > 0.5], forced), run


def reduction(cover, weights=None, fixed=()):
    """What the reductions remove from the model `lscp` (`weights` None) or `mclp` (with
    `weights`) would hand HiGHS for `cover` and `fixed`: a reductions.Reduced, whose `sizes` say
    how many rows (demands) and sites each reduction removed; its indices are of the model's
    rows and sites (the demands not covered by fixed sites, of positive weight for MCLP, and
    the free sites covering one of them), not of `cover`'s. For bench/locate.py and the tests.
    """
    matrix = cover_matrix(cover)
    n, m = matrix.shape
    fixed = site_indices(fixed, m)
    need = (np.diff(matrix.indptr) > 0) & ~_covered_by(matrix, fixed)
    if weights is not None:
        weights = demand_weights(weights, n)
        need &= weights > 0
    _, sub = _free_part(matrix, need, fixed)
    if weights is None:
        return reduce_set_cover(sub)
    return reduce_max_cover(sub, weights[need])


def _free_part(matrix, need, fixed):
    """The rows `need` of `matrix` and the free sites that cover one of them: (sites, CSC)."""
    free = np.setdiff1d(np.arange(matrix.shape[1]), fixed)
    sub = matrix[need][:, free].tocsc()
    useful = np.diff(sub.indptr) > 0
    return free[useful], sub[:, useful]


def _with_forced(chosen, forced):
    return np.union1d(forced, chosen).astype(np.int64)


def _with_gap(run, objective, offset):
    """`run` with the relative gap of `objective`, that of the whole problem, to the solver's
    bound on what the model it solved adds to `offset` (what the fixed sites contribute)."""
    bound = run.bound + offset
    if run.optimal or not math.isfinite(bound):
        return run
    if objective == 0:
        return dataclasses.replace(run, gap=0.0 if bound == 0 else math.inf, bound=bound)
    return dataclasses.replace(run, gap=max(abs(objective - bound) / abs(objective), 0.0),
                               bound=bound)


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


def _covered_by(matrix, sites):
    if not sites.size:
        return np.zeros(matrix.shape[0], dtype=bool)
    return np.diff(matrix[:, sites].tocsr().indptr) > 0
