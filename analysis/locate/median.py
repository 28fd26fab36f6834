"""p-median: the least total weighted cost to the nearest open site, solved by deepening."""
import math

import numpy as np
from scipy import sparse

from .covering import mclp, set_cover
from .highs import Run, remaining, solve
from .inputs import cost_problem
from .solution import nearest, solution

# A relaxation's y this close to 0 or 1 open a whole site (HiGHS's primal feasibility
# tolerance is 1e-7).
WHOLE_TOLERANCE = 1e-6


def p_median(cost, p, weights=None, fixed=(), time_limit=None):
    """p-median: the `p` new sites that minimise the total weighted cost to the nearest open site.

    The strong formulation (x_ij <= y_j), with an assignment variable only where the cost is
    finite and, when sites are fixed, only where site j is nearer to demand i than every fixed
    site. It is solved by deepening: each demand first gets variables for its nearest few
    sites only, plus one "farther" variable priced at the next nearest site's cost, which
    makes the programme a relaxation. When the relaxation's optimum serves every demand at the
    cost it was priced at, it is optimal for the full problem; otherwise the demands priced too
    low get more of their sites and it is solved again. Each programme's linear relaxation is
    solved first: when it opens whole sites it is the programme's optimum, and the branch and
    bound is not needed (`_whole_relaxation`).

    When `p` new sites cannot reach every reachable demand at all, the model first serves as
    much demand weight as can be reached and then minimises the cost of serving it.

    Parameters
    ----------
    cost : array_like of float, shape (demands, sites)
        Travel cost (distance, minutes); np.inf where demand i cannot reach site j.
    weights : array_like of float, shape (demands,), optional
        Demand weight, e.g. poor population; every demand weighs 1 by default.
    p, fixed, time_limit
        New sites, sites open whatever happens, seconds: as for every model (the package's
        docstring, which also says when they raise ValueError).

    Returns
    -------
    Solution
        `objective` is the total weighted cost over the demands served, `assignment` their
        nearest open site.
    """
    cost, weights, fixed, p, deadline = cost_problem(cost, p, weights, fixed, time_limit)
    reach = np.isfinite(cost).any(axis=1)
    model = _MedianModel(cost, weights, fixed)
    run, chosen = Run.trivial(), model.columns[:p] if p == 0 else model.columns
    if 0 < p < model.columns.size:
        run, open_columns = _solve_median(model, p, deadline)
        chosen = model.columns[open_columns]
    sites = np.union1d(fixed, chosen)
    assignment, best = nearest(cost, sites)
    served = assignment >= 0
    objective = float((weights[served] * best[served]).sum())
    return solution("p_median", sites, fixed, objective, run, assignment, None,
                    np.flatnonzero(~reach))


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
        run = _whole_relaxation(problem, p, model.columns.size, deadline) or \
            solve(**problem, deadline=deadline)
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
            return Run(None, "optimal", True, 0.0, lower), best_columns
        depth[short] = np.minimum(model.count[short], 2 * depth[short])
    if run.values is None and run.status != "time limit":
        raise RuntimeError(f"p-median programme: {run.status}")
    gap = (best_total - lower) / best_total if best_total > 0 and np.isfinite(lower) \
        else math.inf
    return Run(None, "time limit: best found", False, max(gap, 0.0), lower), best_columns


def _whole_relaxation(problem, p, k, deadline):
    """The optimum of the programme's linear relaxation, when it opens whole sites (its last
    `k` columns, the y, within the solver's tolerance): then it is the programme's optimum too,
    since no solution of the programme costs less than its relaxation's optimum, and this one
    is a solution of the programme (only the y are integer). Else None, and the branch and
    bound runs. The strong formulation's relaxation is often whole: on OR-Library pmed1 it is,
    and solving it takes a quarter of the branch and bound's time."""
    relaxed = solve(**{**problem, "integer": np.zeros_like(problem["integer"])}, deadline=deadline)
    if not relaxed.optimal or relaxed.values is None:
        return None
    y = relaxed.values[-k:]
    whole = np.round(y)
    if np.abs(y - whole).max(initial=0.0) > WHOLE_TOLERANCE or whole.sum() > p:
        return None
    return Run(relaxed.values, "optimal", True, 0.0, float(problem["cost"] @ relaxed.values))


def _servable_weight(model, p, deadline):
    """None when `p` new sites can reach every model demand, else the most weight they can."""
    alone = ~np.isfinite(model.by_fixed)
    cover = model.cover()[alone]
    if cover.shape[0] == 0 or set_cover(cover, np.zeros(0, dtype=np.int64), deadline,
                                          budget=p)[0] is not None:
        return None
    covered = mclp(cover, model.weights[alone], p, (), remaining(deadline)).objective
    return covered + model.weights[~alone].sum()


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
