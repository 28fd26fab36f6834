"""The coverage models, `lscp` and `mclp`, and the set cover the other models use to decide
whether some number of new sites can reach every demand."""
import numpy as np
from scipy import sparse

from .highs import Run, solve
from .inputs import cover_matrix, deadline_after, demand_weights, new_site_count, site_indices
from .solution import solution


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
    matrix = cover_matrix(cover)
    fixed = site_indices(fixed, matrix.shape[1])
    chosen, run = set_cover(matrix, fixed, deadline_after(time_limit))
    sites = np.union1d(fixed, chosen)
    return solution("lscp", sites, fixed, float(sites.size), run, None,
                    _covered_by(matrix, sites), np.flatnonzero(np.diff(matrix.indptr) == 0))


def mclp(cover, weights, p, fixed=(), time_limit=None):
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
    need = coverable & ~_covered_by(matrix, fixed) & (weights > 0)
    free = np.setdiff1d(np.arange(m), fixed)
    sub = matrix[need][:, free].tocsc()
    useful = np.diff(sub.indptr) > 0
    columns, sub = free[useful], sub[:, useful]
    rows, k = sub.shape
    w = weights[need]
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
    return solution("mclp", sites, fixed, float(weights[covered].sum()), run, None, covered,
                    np.flatnonzero(~coverable))


def set_cover(matrix, fixed, deadline, budget=None):
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
        return columns[:0], Run.trivial()
    start = _greedy_cover(sub)
    if budget is not None and start.sum() <= budget:
        return columns[start > 0], Run.trivial()
    k, rows = sub.shape[1], sub.shape[0]
    if budget is None:
        run = solve(np.ones(k), np.zeros(k), np.ones(k), sub, np.ones(rows),
                    np.full(rows, np.inf), np.ones(k, dtype=bool), False, deadline)
        if run.values is None or (not run.optimal and (run.values > 0.5).sum() > start.sum()):
            run = run.fallback(start)
        return columns[run.values > 0.5], run
    # At most `budget` sites, as a constraint: the first cover found answers the question, so
    # a gap of 1 (any solution) is enough.
    a = sparse.vstack([sub.astype(float), sparse.csc_array(np.ones((1, k)))])
    run = solve(np.ones(k), np.zeros(k), np.ones(k), a, np.append(np.ones(rows), -np.inf),
                np.append(np.full(rows, np.inf), budget), np.ones(k, dtype=bool), False,
                deadline, options=(("mip_rel_gap", 1.0),))
    if run.values is None:
        return None, run
    return columns[run.values > 0.5], run


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
