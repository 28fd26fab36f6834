"""The capacitated models of analysis.locate: hand-worked cases, and random instances small
enough to enumerate every single-source assignment (and every choice of sites). No database."""
import itertools

import numpy as np
import pytest

from analysis import locate

INF = np.inf

# Three villages of 10 people and two centers (costs in minutes):
#   village 0 is 1 from center 0 and 4 from center 1,
#   village 1 is 2 and 3, village 2 is 5 and 1.
COST = np.array([[1.0, 4.0], [2.0, 3.0], [5.0, 1.0]])
TEN = np.full(3, 10.0)


def test_nearest_within_capacity_is_kept():
    result = locate.capacitated_assignment(COST, [INF, INF], TEN)
    # Each village to its nearest: 10·1 + 10·2 + 10·1 = 40.
    assert result.assignment.tolist() == [0, 0, 1]
    assert result.load.tolist() == [20, 10]
    assert result.objective == 40
    assert result.over_capacity.size == 0 and result.optimal


def test_a_full_center_sends_the_cheaper_village_on():
    result = locate.capacitated_assignment(COST, [15, INF], TEN)
    # Center 0 takes one village of 10, not two. Village 1 moving costs 10·(3 - 2) = 10 more,
    # village 0 moving 10·(4 - 1) = 30: village 1 goes to center 1, total 10 + 30 + 10 = 50.
    assert result.assignment.tolist() == [0, 1, 1]
    assert result.load.tolist() == [10, 20]
    assert result.objective == 50 and result.served == 30
    # Under the nearest-center assignment center 0 would hold 20 > 15.
    assert result.nearest.tolist() == [0, 0, 1]
    assert result.nearest_load.tolist() == [20, 10]
    assert result.over_capacity.tolist() == [0]
    assert result.unserved.size == 0 and result.optimal


def test_demand_beyond_every_capacity_is_left_unserved_at_least_cost():
    # Each center takes one village: 20 people are served, and the cheapest way to serve 20 is
    # village 0 to center 0 and village 2 to center 1 (10 + 10 = 20; the others cost 30, 40,
    # 60, 70); village 1 is left over.
    result = locate.capacitated_assignment(COST, [15, 15], TEN)
    assert result.assignment.tolist() == [0, -1, 1]
    assert result.served == 20 and result.objective == 20
    assert result.unserved.tolist() == [1]
    assert result.over_capacity.tolist() == [0]


def test_weightless_and_unreachable_villages():
    cost = np.vstack([COST, [3.0, 2.0], [INF, INF]])
    weights = np.append(TEN, [0.0, 5.0])
    result = locate.capacitated_assignment(cost, [15, INF], weights)
    # The weightless village 3 goes to its nearest center, 1, and takes no room; village 4
    # reaches no center.
    assert result.assignment.tolist() == [0, 1, 1, 1, -1]
    assert result.load.tolist() == [10, 20]
    assert result.unreachable.tolist() == [4] and result.unserved.size == 0


def test_capacity_is_checked():
    with pytest.raises(ValueError, match="one entry per site"):
        locate.capacitated_assignment(COST, [1.0], TEN)
    with pytest.raises(ValueError, match="non-negative"):
        locate.capacitated_assignment(COST, [1.0, np.nan], TEN)


def test_capacitated_p_median_by_hand():
    # Center 0 is open (capacity 15); the new center is 1 or 2. Center 2 sits on village 1
    # (cost 0 there, 6 elsewhere). With center 1: 50 (above). With center 2: village 1 to it
    # (0), village 0 to center 0 (10), village 2 to center 0 (no room) or 2 (60): 70. So 1.
    cost = np.hstack([COST, [[6.0], [0.0], [6.0]]])
    result = locate.capacitated_p_median(cost, 1, [15, INF, INF], TEN, fixed=[0])
    assert result.new_sites.tolist() == [1]
    assert result.assignment.tolist() == [0, 1, 1]
    assert result.objective == 50 and result.load.tolist() == [10, 20, 0]
    # Without capacities village 1 stays with center 0 and center 2 wins nothing: p_median's.
    free = locate.capacitated_p_median(cost, 1, [INF] * 3, TEN, fixed=[0])
    assert free.objective == locate.p_median(cost, 1, TEN, fixed=[0]).objective == 40


def test_capacitated_mclp_by_hand():
    # Both centers cover all three villages but take one each: 20 of 30 covered.
    cover = np.ones((3, 2), dtype=bool)
    result = locate.capacitated_mclp(cover, TEN, 2, [10, 10])
    assert result.objective == 20 and result.covered.sum() == 2
    assert result.load.tolist() == [10, 10] and result.unserved.size == 1
    assert locate.mclp(cover, TEN, 2).objective == 30


# --- against brute force --------------------------------------------------------------------


def brute_force(reach, cost, weights, capacity, site_sets):
    """The best (most weight served, then least cost) over every open site set and every
    single-source assignment to it, by enumeration: (served, cost)."""
    n, _ = reach.shape
    best = (-1.0, 0.0)
    for sites in site_sets:
        options = [[-1] + [j for j in sites if reach[i, j]] for i in range(n)]
        for assignment in itertools.product(*options):
            load = np.zeros(capacity.size)
            total = served = 0.0
            for i, j in enumerate(assignment):
                if j >= 0 and weights[i] > 0:
                    load[j] += weights[i]
                    served += weights[i]
                    total += weights[i] * cost[i, j]
            if (load <= capacity).all() and (served > best[0] or
                                             (served == best[0] and total < best[1])):
                best = (served, total)
    return best


def site_sets(m, fixed, p):
    free = [j for j in range(m) if j not in fixed]
    return [sorted(fixed + list(extra)) for extra in itertools.combinations(free, p)]


def random_instance(seed, n, m):
    rng = np.random.default_rng(seed)
    cost = rng.integers(1, 20, size=(n, m)).astype(float)
    cost[rng.random((n, m)) < 0.2] = INF
    weights = rng.integers(0, 8, size=n).astype(float)
    capacity = rng.integers(4, 16, size=m).astype(float)
    capacity[rng.random(m) < 0.2] = INF
    return cost, weights, capacity


def check_feasible(assignment, reach, weights, capacity, load):
    served = assignment >= 0
    assert reach[np.flatnonzero(served), assignment[served]].all()
    assert (load <= capacity + 1e-9).all()
    assert np.allclose(load, np.bincount(assignment[served], weights[served],
                                         minlength=capacity.size))


@pytest.mark.parametrize("seed", range(12))
def test_assignment_equals_brute_force(seed):
    cost, weights, capacity = random_instance(seed, 6, 3)
    reach = np.isfinite(cost)
    result = locate.capacitated_assignment(cost, capacity, weights)
    served, total = brute_force(reach, cost, weights, capacity, [[0, 1, 2]])
    assert result.served == pytest.approx(served)
    assert result.objective == pytest.approx(total)
    check_feasible(result.assignment, reach, weights, capacity, result.load)


@pytest.mark.parametrize("seed", range(10))
def test_p_median_equals_brute_force(seed):
    cost, weights, capacity = random_instance(100 + seed, 6, 4)
    reach = np.isfinite(cost)
    result = locate.capacitated_p_median(cost, 1, capacity, weights, fixed=[0])
    served, total = brute_force(reach, cost, weights, capacity, site_sets(4, [0], 1))
    assert weights[result.assignment >= 0].sum() == pytest.approx(served)
    assert result.objective == pytest.approx(total)
    assert result.optimal and result.new_sites.size <= 1
    open_sites = set(result.sites.tolist())
    assert set(result.assignment[result.assignment >= 0].tolist()) <= open_sites
    check_feasible(result.assignment, reach, weights, capacity, result.load)


@pytest.mark.parametrize("seed", range(10))
def test_mclp_equals_brute_force(seed):
    cost, weights, capacity = random_instance(200 + seed, 6, 4)
    cover = cost <= 10
    result = locate.capacitated_mclp(cover, weights, 2, capacity)
    served, _ = brute_force(cover, np.zeros(cost.shape), weights, capacity, site_sets(4, [], 2))
    assert result.objective == pytest.approx(served)
    check_feasible(result.assignment, cover, weights, capacity, result.load)


@pytest.mark.parametrize("seed", range(4))
def test_without_capacities_the_p_median_is_the_uncapacitated_one(seed):
    cost, weights, _ = random_instance(300 + seed, 12, 6)
    result = locate.capacitated_p_median(cost, 2, np.full(6, INF), weights)
    assert result.objective == pytest.approx(locate.p_median(cost, 2, weights).objective)


@pytest.mark.parametrize("model", ["assignment", "p_median", "mclp"])
def test_a_time_limit_still_answers_within_the_capacities(model):
    """With next to no time HiGHS may find nothing: the answer is then a greedy one, marked
    not optimal, and it still respects every capacity."""
    cost, weights, capacity = random_instance(7, 120, 12)
    capacity = np.full(12, 25.0)  # tight: about 400 weight for 300 of capacity
    reach = np.isfinite(cost)
    if model == "assignment":
        result = locate.capacitated_assignment(cost, capacity, weights, time_limit=1e-6)
    elif model == "p_median":
        result = locate.capacitated_p_median(cost, 6, capacity, weights, time_limit=1e-6)
    else:
        reach = cost <= 10
        result = locate.capacitated_mclp(reach, weights, 6, capacity, time_limit=1e-6)
    check_feasible(result.assignment, reach, weights, capacity, result.load)
    assert result.optimal or result.status.startswith("time limit")


def test_with_no_time_to_prove_it_the_answer_within_capacities_is_still_the_best():
    # Demands of weights 1, 2 and 4 at 0, 1 and 11 on a line. The sites at 0 and 10 are fixed
    # and full (capacity 0); one new site, of no limit, at 1 or at 9, must take everyone:
    # at 1 the cost is 1·1 + 2·0 + 4·10 = 41, at 9 it is 1·9 + 2·8 + 4·2 = 33 (enumeration of
    # the two choices). The uncapacitated optimum opens the site at 1 (it saves demand 2 a
    # trip of 1 to the site at 0). Whether HiGHS proves the answer in its millisecond or
    # the sites added greedily one at a time stand in, the site at 9 is the answer.
    demands = np.array([0.0, 1.0, 11.0])
    sites = np.array([0.0, 10.0, 1.0, 9.0])
    cost = np.abs(demands[:, None] - sites[None, :])
    capacity = np.array([0.0, 0.0, np.inf, np.inf])
    result = locate.capacitated_p_median(cost, 1, capacity, [1, 2, 4], fixed=[0, 1],
                                         time_limit=1e-9)
    assert result.new_sites.tolist() == [3] and result.objective == pytest.approx(33)
