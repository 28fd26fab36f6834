"""analysis.locate on instances small enough to check by enumerating every choice of sites,
on a hand-worked one, on the edge cases a planner meets, and on two OR-Library p-median
instances with published optima. No database."""
import dataclasses
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.sparse.csgraph import shortest_path

from analysis import locate
from analysis.locate import median

ORLIB = Path(__file__).resolve().parent / "data" / "orlib"


def read_pmed(path):
    """An OR-Library p-median file as (cost matrix, p); see data/orlib/README.md."""
    tokens = Path(path).read_text().split()
    n, n_edges, p = (int(t) for t in tokens[:3])
    edges = {}
    for k in range(n_edges):
        i, j, c = (int(t) for t in tokens[3 + 3 * k: 6 + 3 * k])
        edges[min(i, j) - 1, max(i, j) - 1] = c  # an edge given twice: the last one wins
    ends = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
    graph = sparse.csr_array((list(edges.values()), (ends[:, 0], ends[:, 1])), shape=(n, n))
    return shortest_path(graph, method="FW", directed=False), p


# --- brute force ----------------------------------------------------------------------------


def choices(m, fixed, p):
    """Every set of open sites: the fixed ones plus `p` (or, with p=None, any number of) others."""
    free = [j for j in range(m) if j not in fixed]
    sizes = range(len(free) + 1) if p is None else [p]
    for size in sizes:
        for extra in itertools.combinations(free, size):
            yield sorted(set(fixed) | set(extra))


def brute_lscp(cover, fixed):
    coverable = cover.any(axis=1)
    return min(len(s) for s in choices(cover.shape[1], fixed, None)
               if (cover[:, s].any(axis=1) >= coverable).all())


def brute_mclp(cover, weights, p, fixed):
    return max(weights[cover[:, s].any(axis=1)].sum() for s in choices(cover.shape[1], fixed, p))


def served_and_costs(cost, weights, sites):
    best = cost[:, sites].min(axis=1)
    served = np.isfinite(best) & (weights > 0)
    return weights[served].sum(), weights[served] * best[served]


def brute_median(cost, weights, p, fixed):
    """Most weight served first, then the least total cost of serving it."""
    return min((-served, costs.sum()) for served, costs in
               (served_and_costs(cost, weights, s) for s in choices(cost.shape[1], fixed, p)))[1]


def brute_center(cost, weights, p, fixed):
    return min((-served, costs.max(initial=0.0)) for served, costs in
               (served_and_costs(cost, weights, s) for s in choices(cost.shape[1], fixed, p)))[1]


def random_instance(seed, unreachable_share=0.15):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(3, 7), rng.integers(3, 6)
    cost = rng.integers(0, 20, size=(n, m)).astype(float)
    cost[rng.random((n, m)) < unreachable_share] = np.inf
    weights = rng.integers(0, 6, size=n).astype(float)
    fixed = sorted(rng.choice(m, size=rng.integers(0, 2), replace=False).tolist())
    p = int(rng.integers(0 if fixed else 1, m - len(fixed) + 1))
    return cost, weights, p, fixed


SEEDS = range(40)


# --- every model against enumeration -------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_matches_enumeration(seed):
    cost, _, _, fixed = random_instance(seed)
    cover = cost <= 8
    result = locate.lscp(cover, fixed=fixed)
    assert result.optimal and result.gap == 0 and result.status == "optimal"
    assert result.objective == len(result.sites) == brute_lscp(cover, fixed)
    assert set(fixed) <= set(result.sites.tolist())
    coverable = cover.any(axis=1)
    assert (result.covered == coverable).all()
    assert result.uncoverable.tolist() == np.flatnonzero(~coverable).tolist()


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_matches_enumeration(seed):
    cost, weights, p, fixed = random_instance(seed)
    cover = cost <= 8
    result = locate.mclp(cover, weights, p, fixed=fixed)
    assert result.optimal
    assert result.objective == brute_mclp(cover, weights, p, fixed)
    assert result.objective == weights[cover[:, result.sites].any(axis=1)].sum()
    assert len(result.new_sites) <= p and set(fixed) <= set(result.sites.tolist())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("solve, brute", [(locate.p_median, brute_median),
                                          (locate.p_center, brute_center)],
                         ids=["p_median", "p_center"])
def test_cost_models_match_enumeration(seed, solve, brute):
    cost, weights, p, fixed = random_instance(seed)
    result = solve(cost, p, weights, fixed=fixed)
    assert result.optimal and result.gap == 0
    assert result.objective == pytest.approx(brute(cost, weights, p, fixed))
    assert len(result.new_sites) <= p and set(fixed) <= set(result.sites.tolist())
    # Each demand goes to its nearest open site.
    best = cost[:, result.sites].min(axis=1)
    served = result.assignment >= 0
    assert (cost[served, result.assignment[served]] == best[served]).all()
    assert (np.isfinite(best) == served).all()
    # Without weights every demand weighs 1.
    unweighted = solve(cost, p, fixed=fixed)
    assert unweighted.objective == pytest.approx(brute(cost, np.ones(len(cost)), p, fixed))


@pytest.mark.parametrize("seed", SEEDS)
def test_p_median_deepening_matches_enumeration(seed, monkeypatch):
    # Start every demand with its single nearest site, so that deepening does the work.
    monkeypatch.setattr(median, "_first_depth", lambda model, p: 1)
    cost, weights, p, fixed = random_instance(seed)
    result = locate.p_median(cost, p, weights, fixed=fixed)
    assert result.optimal
    assert result.objective == pytest.approx(brute_median(cost, weights, p, fixed))


# --- a hand-worked instance -----------------------------------------------------------------
# Four villages on a valley road at km 0, 2, 6 and 10; candidate sites at km 0, 5 and 10;
# cost = distance along the road. Poor population 10, 20, 5 and 15.
VILLAGES = np.array([0.0, 2.0, 6.0, 10.0])
SITES = np.array([0.0, 5.0, 10.0])
COST = np.abs(VILLAGES[:, None] - SITES[None, :])  # rows: [0 5 10] [2 3 8] [6 1 4] [10 5 0]
POOR = np.array([10.0, 20.0, 5.0, 15.0])


def test_hand_worked_p_median():
    # One site: km 0 costs 10*0 + 20*2 + 5*6 + 15*10 = 220, km 5 costs 50 + 60 + 5 + 75 = 190,
    # km 10 costs 100 + 160 + 20 + 0 = 280.
    one = locate.p_median(COST, 1, POOR)
    assert one.sites.tolist() == [1] and one.objective == 190
    assert one.assignment.tolist() == [1, 1, 1, 1]
    # Two sites: {0, 5} costs 0 + 40 + 5 + 75 = 120, {0, 10} 0 + 40 + 20 + 0 = 60,
    # {5, 10} 50 + 60 + 5 + 0 = 115.
    two = locate.p_median(COST, 2, POOR)
    assert two.sites.tolist() == [0, 2] and two.objective == 60
    assert two.assignment.tolist() == [0, 0, 2, 2]
    # The center at km 5 exists; one more: km 0 gives 120, km 10 gives 115.
    kept = locate.p_median(COST, 1, POOR, fixed=[1])
    assert kept.sites.tolist() == [1, 2] and kept.new_sites.tolist() == [2]
    assert kept.objective == 115


def test_hand_worked_p_center():
    # One site: the farthest village is 10 km from km 0, 5 km from km 5, 10 km from km 10.
    result = locate.p_center(COST, 1)
    assert result.sites.tolist() == [1] and result.objective == 5
    # Weighted by poor population, the weighted costs from km 0 are 0, 40, 30, 150 (worst 150),
    # from km 5 50, 60, 5, 75 (worst 75), from km 10 100, 160, 20, 0 (worst 160): km 5, 75.
    weighted = locate.p_center(COST, 1, POOR)
    assert weighted.sites.tolist() == [1] and weighted.objective == 75


def test_hand_worked_lscp():
    # Within 3 km: km 0 covers villages 0 and 1, km 5 villages 1 and 2, km 10 village 3;
    # village 0 needs km 0, village 2 km 5, village 3 km 10: all three sites.
    assert locate.lscp(COST <= 3).sites.tolist() == [0, 1, 2]
    # Within 5 km the site at km 5 reaches every village.
    result = locate.lscp(COST <= 5)
    assert result.sites.tolist() == [1] and result.objective == 1
    assert result.covered.all() and result.uncoverable.size == 0


def test_hand_worked_mclp():
    # Within 3 km, one site: km 0 covers 10 + 20 = 30, km 5 20 + 5 = 25, km 10 15.
    one = locate.mclp(COST <= 3, POOR, 1)
    assert one.sites.tolist() == [0] and one.objective == 30
    assert one.covered.tolist() == [True, True, False, False]
    # Two sites: {0, 5} 35, {0, 10} 45, {5, 10} 40.
    two = locate.mclp(COST <= 3, POOR, 2)
    assert two.sites.tolist() == [0, 2] and two.objective == 45


def test_hand_worked_impact():
    # The center at km 5 exists; a new one at km 10, threshold 3 km.
    # Before: villages 1 (3 km) and 2 (1 km) covered, 20 + 5 = 25 poor people; mean cost
    # (10*5 + 20*3 + 5*1 + 15*5) / 50 = 190 / 50 = 3.8 km.
    # After: village 3 is 0 km from km 10: 40 covered, 15 newly; mean 115 / 50 = 2.3 km.
    result = locate.impact(COST, [1], [2], 3, POOR)
    assert result.covered_before == 25 and result.covered_after == 40
    assert result.newly_covered == 15 and result.newly_covered_demands.tolist() == [3]
    assert result.reached_before == result.reached_after == 50
    assert result.mean_cost_before == pytest.approx(3.8)
    assert result.mean_cost_after == pytest.approx(2.3)


# --- edge cases -----------------------------------------------------------------------------


def test_a_service_with_no_centers():
    # Nothing exists: nothing is covered or reached before, and the mean cost is undefined.
    result = locate.impact(COST, [], [1], 3, POOR)
    assert result.covered_before == 0 and result.reached_before == 0
    assert math.isnan(result.mean_cost_before)
    assert result.covered_after == result.newly_covered == 25
    assert result.mean_cost_after == pytest.approx(3.8)
    # Nor proposed: nothing changes.
    nothing = locate.impact(COST, [], [], 3, POOR)
    assert nothing.newly_covered == 0 and math.isnan(nothing.mean_cost_after)


def test_an_unreachable_village():
    # A fifth village that no road reaches: left out, unassigned, and said so.
    cost = np.vstack([COST, np.full(3, np.inf)])
    poor = np.append(POOR, 7.0)
    for model in (locate.p_median, locate.p_center):
        result = model(cost, 1, poor)
        assert result.sites.tolist() == [1] and result.unreachable.tolist() == [4]
        assert result.assignment.tolist() == [1, 1, 1, 1, -1]
    assert locate.p_median(cost, 1, poor).objective == 190
    assert locate.p_center(cost, 1).objective == 5
    impact = locate.impact(cost, [1], [2], 3, poor)
    assert impact.newly_covered == 15 and impact.reached_after == 50


def test_an_uncoverable_village_in_lscp_and_mclp():
    cover = np.vstack([COST <= 5, np.zeros(3, dtype=bool)])
    result = locate.lscp(cover)
    assert result.sites.tolist() == [1] and result.uncoverable.tolist() == [4]
    assert result.covered.tolist() == [True, True, True, True, False]
    covering = locate.mclp(cover, np.append(POOR, 7.0), 1)
    assert covering.objective == 50 and covering.uncoverable.tolist() == [4]


def test_too_few_sites_to_reach_everyone():
    # Three isolated valleys, each with one village and one site; one new site serves the
    # valley with the most poor people.
    cost = np.where(np.eye(3, dtype=bool), 2.0, np.inf)
    poor = np.array([1.0, 5.0, 2.0])
    for model in (locate.p_median, locate.p_center):
        result = model(cost, 1, poor)
        assert result.sites.tolist() == [1] and result.assignment.tolist() == [-1, 1, -1]
        assert result.unreachable.size == 0 and result.optimal
    assert locate.p_median(cost, 1, poor).objective == 10
    assert locate.p_median(cost, 2, poor).objective == 14
    assert locate.p_center(cost, 2, poor).objective == 10


def test_threshold_zero():
    # Only a site standing in the village covers it at distance 0: villages 0 (site km 0) and
    # 3 (site km 10).
    cover = COST <= 0
    result = locate.lscp(cover)
    assert result.sites.tolist() == [0, 2] and result.uncoverable.tolist() == [1, 2]
    assert locate.mclp(cover, POOR, 1).objective == 15
    impact = locate.impact(COST, [], [0, 1, 2], 0, POOR)
    assert impact.newly_covered == 25 and impact.newly_covered_demands.tolist() == [0, 3]


def test_fixed_sites_are_kept_even_when_useless():
    result = locate.lscp(COST <= 5, fixed=[0, 2])
    assert result.sites.tolist() == [0, 2] and result.new_sites.size == 0
    assert result.objective == 2
    # p = 0 with fixed sites evaluates them.
    evaluated = locate.p_median(COST, 0, POOR, fixed=[1])
    assert evaluated.sites.tolist() == [1] and evaluated.objective == 190
    assert locate.mclp(COST <= 3, POOR, 0, fixed=[0]).objective == 30
    assert locate.p_center(COST, 0, fixed=[1]).objective == 5


def test_more_sites_than_needed():
    # Every village within 5 km of km 5: a second site covers nobody new, so none is opened.
    result = locate.mclp(COST <= 5, POOR, 2)
    assert result.objective == 50 and len(result.new_sites) <= 2


def test_no_sites_and_no_demands():
    assert locate.lscp(np.zeros((3, 0), dtype=bool)).uncoverable.tolist() == [0, 1, 2]
    empty = locate.lscp(np.zeros((0, 3), dtype=bool))
    assert empty.sites.size == 0 and empty.objective == 0 and empty.optimal


@pytest.mark.parametrize("call, message", [
    (lambda: locate.p_median(COST, 0), "at least 1"),
    (lambda: locate.p_median(COST, 4), "only 3 candidate sites"),
    (lambda: locate.p_median(COST, 3, fixed=[1]), "only 2 candidate sites"),
    (lambda: locate.mclp(COST <= 3, POOR, -1), "not be negative"),
    (lambda: locate.p_center(np.zeros((3, 0)), 1), "only 0 candidate sites"),
    (lambda: locate.mclp(COST <= 3, POOR, 1.5), "integer"),
    (lambda: locate.lscp(COST <= 3, fixed=[3]), "indices in 0..2"),
    (lambda: locate.mclp(COST <= 3, POOR[:3], 1), "one entry per demand"),
    (lambda: locate.mclp(COST <= 3, -POOR, 1), "non-negative"),
    (lambda: locate.p_median(COST * np.nan, 1), "NaN"),
    (lambda: locate.p_median(-COST, 1), "negative"),
    (lambda: locate.lscp(COST[0] <= 3), "2-d"),
    (lambda: locate.impact(COST, [1], [2], -1), "threshold"),
    (lambda: locate.p_median(COST, 1, time_limit=0), "time_limit"),
])
def test_wrong_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_results_are_frozen():
    result = locate.p_median(COST, 1, POOR)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.objective = 0
    with pytest.raises(ValueError):
        result.sites[0] = 2


# --- published optima and a time limit ------------------------------------------------------


@pytest.mark.parametrize("name, optimum", [("pmed1", 5819), ("pmed5", 1355)])
def test_or_library_p_median(name, optimum):
    cost, p = read_pmed(ORLIB / f"{name}.txt")
    result = locate.p_median(cost, p)
    assert result.optimal and result.gap == 0
    assert result.objective == optimum and len(result.sites) == p


@pytest.mark.parametrize("name, optimum", [("pmed1", 5819), ("pmed5", 1355)])
def test_p_median_deepening_reaches_the_optimum(name, optimum, monkeypatch):
    # Each demand starts with only its two nearest sites, so the relaxation prices many of
    # them too low and has to be deepened several times.
    monkeypatch.setattr(median, "_first_depth", lambda model, p: 2)
    cost, p = read_pmed(ORLIB / f"{name}.txt")
    result = locate.p_median(cost, p)
    assert result.optimal and result.objective == optimum


def test_or_library_reader_takes_the_last_of_a_repeated_edge(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("3 3 1\n1 2 5\n2 3 1\n2 1 2\n")
    cost, p = read_pmed(path)
    assert p == 1 and cost[0].tolist() == [0, 2, 3]


def test_time_limit_returns_the_best_found():
    # 2,000 villages and 1,000 candidate sites with 10 ms allowed: building the programmes
    # alone takes longer, so HiGHS is left its least time (1 ms) and proves nothing. What comes
    # back is the greedy solution found first, marked as not optimal.
    rng = np.random.default_rng(7)
    demand, sites = rng.random((2000, 2)), rng.random((1000, 2))
    cost = np.linalg.norm(demand[:, None] - sites[None], axis=2)
    weights = rng.integers(1, 50, 2000).astype(float)
    result = locate.p_median(cost, 40, weights, time_limit=0.01)
    assert not result.optimal and result.status.startswith("time limit")
    # No bound within the time gives an infinite gap; a bound would give one in (0, 1], the
    # costs being positive.
    assert result.gap == math.inf or 0 < result.gap <= 1
    assert len(result.new_sites) == 40 and len(np.unique(result.sites)) == 40
    nearest = cost[:, result.sites].min(axis=1)
    assert (cost[np.arange(2000), result.assignment] == nearest).all()
    assert result.objective == pytest.approx(weights @ nearest)

    center = locate.p_center(cost, 10, time_limit=0.01)
    assert not center.optimal and center.status.startswith("time limit")
    assert 0 < center.gap < 1 and math.isfinite(center.gap)
    assert 1 <= len(center.new_sites) <= 10
    nearest = cost[:, center.sites].min(axis=1)
    assert (cost[np.arange(2000), center.assignment] == nearest).all()
    assert center.objective == nearest.max()
    # The gap is to the lowest threshold not proven infeasible, which is at least the farthest
    # any village is from its nearest candidate site: no choice of sites serves it better.
    assert center.objective * (1 - center.gap) >= cost.min(axis=1).max() * (1 - 1e-12)
