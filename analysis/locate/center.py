"""p-center: the least worst weighted cost to the nearest open site, by a search over thresholds."""
import numpy as np
from scipy import sparse

from .covering import mclp, set_cover
from .highs import Run, remaining
from .inputs import cost_problem
from .solution import nearest, solution


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
    weights : array_like of float, shape (demands,), optional
        Demand weight multiplying each cost; 1 by default (the plain p-center). Demands of
        weight zero do not constrain the solution.
    p, fixed, time_limit
        New sites, sites open whatever happens, seconds: as for every model (the package's
        docstring, which also says when they raise ValueError).
        Here the time limit holds for the whole search: on expiry the best threshold proven
        feasible so far is returned, with the gap to the lowest not yet proven infeasible.

    Returns
    -------
    Solution
        `objective` is the largest weighted cost over the demands served, `assignment` each
        demand's nearest open site.
    """
    cost, weights, fixed, p, deadline = cost_problem(cost, p, weights, fixed, time_limit)
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
        best_sites, run = set_cover(all_reach, fixed, deadline, budget=p)
        target = None
        if best_sites is not None:
            best_sites = np.union1d(fixed, best_sites)
        else:
            found = mclp(all_reach, weights[need], p, fixed, remaining(deadline))
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
                sites, run = set_cover(cover, fixed, deadline, budget=p)
                known = sites is not None or run.optimal
            else:
                found = mclp(cover, weights[need], p, fixed, remaining(deadline))
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
    assignment, best = nearest(cost, sites)
    served = (assignment >= 0) & (weights > 0)
    objective = float((weights[served] * best[served]).max(initial=0.0))
    gap = 0.0
    if not optimal and objective > 0:
        gap = max((objective - values[lo]) / objective, 0.0)
    return solution("p_center", sites, fixed, objective, Run(None, status, optimal, gap),
                    assignment, None, np.flatnonzero(~reach))


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
