"""Road travel and coverage on a road graph small enough to add up by hand (no database).

    C3 (5900, 2900)                 Road B: (6000, 0) -> (6000, 3000), 30 km/h = 0.5 km/min,
        |   W (6100, 2500)                  one-way northwards.
        B   C1 (6100, 2000)         Road A: (0, 0) -> (6000, 0), 60 km/h = 1 km/min.
        |                           Walking: 4 km/h = 1/15 km/min, so 100 m take 1.5 min.
  A=================================+
  |  V (1000, 400)
  C2 (0, -300)

V joins A at (1000, 0) after 400 m (6 min); C2 joins A at (0, 0) after 300 m (4.5 min);
C1 joins B at (6000, 2000) after 100 m (1.5 min); W joins B at (6000, 2500) and C3 at
(6000, 2900), 100 m each (1.5 min).
"""
import numpy as np
import pytest

from analysis.coverage import catchments, covered_by, nearest_straight, shares_by, underserved
from analysis.network import build_network, isochrone, nearest_by_road, road_minutes

LINES = [np.array([[0, 0], [3000, 0], [6000, 0]]), np.array([[6000, 0], [6000, 3000]])]
SPEEDS, ONEWAY = [60, 30], [False, True]
V, W, C1, C2, C3 = range(5)
PLACES = np.array([[1000, 400], [6100, 2500], [6100, 2000], [0, -300], [5900, 2900]])


@pytest.fixture
def network():
    return build_network(LINES, SPEEDS, ONEWAY, PLACES)


def test_travel_minutes_add_up(network):
    minutes = road_minutes(network, [V, W], [C1, C2, C3])
    # V -> C1: walk 6 + A 1000..6000 m, 5 min + B 0..2000 m, 4 min + walk 1.5 = 16.5
    # V -> C2: walk 6 + A 1000..0 m, 1 min + walk 4.5 = 11.5
    # V -> C3: walk 6 + 5 + B 0..2900 m, 5.8 min + walk 1.5 = 18.3
    # W -> C1 and W -> C2 would run south on one-way B: not reached.
    # W -> C3: walk 1.5 + B 2500..2900 m, 0.8 min + walk 1.5 = 3.8
    assert minutes[0] == pytest.approx([16.5, 11.5, 18.3])
    assert minutes[1, :2].tolist() == [np.inf, np.inf]
    assert minutes[1, 2] == pytest.approx(3.8)


def test_direction_matters(network):
    # C1 -> W runs north on B: walk 1.5 + 1 min + walk 1.5 = 4; W -> C1 is not reached.
    assert road_minutes(network, [C1], [W])[0, 0] == pytest.approx(4.0)
    assert road_minutes(network, [W], [C1])[0, 0] == np.inf


def test_nearest_by_road_searches_from_all_centers_at_once(network):
    nearest = nearest_by_road(network, [V, W], [C1, C2, C3])
    assert nearest.index.tolist() == [1, 2]  # V: C2 (11.5 < 16.5); W: C3
    assert nearest.cost == pytest.approx([11.5, 3.8])
    # Within 10 minutes V reaches nothing; with no centers nobody does.
    assert nearest_by_road(network, [V], [C1, C2, C3], limit=10).index.tolist() == [-1]
    assert nearest_by_road(network, [V, W], []).cost.tolist() == [np.inf, np.inf]


def test_nearest_agrees_with_the_matrix_on_a_random_network():
    rng = np.random.default_rng(7)
    points = rng.uniform(0, 10_000, (60, 2))
    lines = [np.array([points[i], points[j]]) for i, j in rng.integers(0, 60, (150, 2)) if i != j]
    places = rng.uniform(0, 10_000, (40, 2))
    network = build_network(lines, rng.uniform(20, 60, len(lines)), rng.random(len(lines)) < 0.2, places)
    origins, centers = np.arange(30), np.arange(30, 40)
    matrix = road_minutes(network, origins, centers)
    nearest = nearest_by_road(network, origins, centers)
    assert nearest.cost == pytest.approx(matrix.min(axis=1))
    reached = np.isfinite(nearest.cost)
    assert (matrix[reached, nearest.index[reached]] == pytest.approx(nearest.cost[reached]))


def test_straight_line_nearest():
    metres, index = nearest_straight(PLACES[[V]], PLACES[[C1, C2]])
    assert index.tolist() == [1]
    assert metres[0] == pytest.approx(np.hypot(1000, 700))  # V -> C2
    assert nearest_straight(PLACES[[V]], np.empty((0, 2)))[1].tolist() == [-1]


def test_coverage_shares_and_the_underserved():
    # Four villages: costs 5, 12, inf (unreachable) and 0 minutes; threshold 10.
    coverage = covered_by([5.0, 12.0, np.inf, 0.0], [0, 1, -1, 0], 10)
    assert coverage.covered.tolist() == [True, False, False, True]
    population, poor = [100, 200, 300, 400], [10, 50, 30, 0]
    shares = shares_by(["E", "E", "W", "W"], coverage.covered, population, poor)
    assert (shares["E"].covered_poor_population, shares["E"].poor_population) == (10, 60)
    assert shares[None].poor_share == pytest.approx(10 / 90)
    assert shares[None].population_share == pytest.approx(500 / 1000)
    assert underserved(coverage.covered, poor).tolist() == [1, 2]  # 50 poor, then 30
    first, second = catchments(coverage, 2, population, poor)
    assert (first.villages.tolist(), first.poor_population) == ([0, 3], 10)
    assert (second.villages.tolist(), second.covered_poor_population) == ([1], 0)


def test_a_threshold_of_zero_covers_only_villages_on_a_center():
    assert covered_by([0.0, 0.5], [0, 0], 0).covered.tolist() == [True, False]
    with pytest.raises(ValueError, match="zero or more"):
        covered_by([1.0], [0], -1)


def test_an_isochrone_follows_the_roads_and_their_direction(network):
    import shapely
    # C2 within 11.5 minutes: from (1000, 0) on A the trip is 1 min + the 4.5 min walk, which
    # leaves 6 min of walking, 400 m: V (1000, 400) is just on the edge.
    area = isochrone(network, C2, 11.5)
    assert area.contains(shapely.Point(1000, 390)) and not area.contains(shapely.Point(1000, 420))
    # The far end of A (6000, 0) is 6 min + 4.5 = 10.5 min away: 1 min of walking, 66.7 m, left.
    assert area.contains(shapely.Point(6000, 60)) and not area.contains(shapely.Point(6000, 80))
    # C1 within 5 minutes: south of it on one-way B (driving north to it) is reached, north of
    # it is not (that way runs away from C1), beyond the walk from C1's own road point.
    area = isochrone(network, C1, 5)
    assert area.contains(shapely.Point(6000, 1800))
    assert not area.contains(shapely.Point(6000, 2400))
