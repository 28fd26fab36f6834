"""The income league table on five entries small enough to rank by hand (no database).

Incomes before and after (yuan): a 1000 -> 1100 (+10%), b 2000 -> 2200 (+10%), c 1000 -> 900
(-10%), d 0 -> 500 (no growth: nothing before), e 1500 -> not measured.
"""
import numpy as np

from analysis.league import league

BEFORE = [1000, 2000, 1000, 0, 1500]
AFTER = [1100, 2200, 900, 500, np.nan]


def test_growth_is_the_change_over_the_income_before():
    growth = league(BEFORE, AFTER).growth
    assert np.allclose(growth[:3], [0.1, 0.1, -0.1])
    assert np.isnan(growth[3]) and np.isnan(growth[4])


def test_ties_share_a_rank_and_the_higher_income_is_listed_first():
    result = league(BEFORE, AFTER)
    # a and b both grew 10%: rank 1 each, b (2,200 after) listed first; c is third (rank 3).
    assert result.order.tolist()[:3] == [1, 0, 2]
    assert result.rank.tolist() == [1, 1, 3, 0, 0]


def test_entries_without_a_growth_come_last_unranked():
    assert league(BEFORE, AFTER).order.tolist()[3:] == [3, 4]


def test_an_empty_table():
    result = league([], [])
    assert result.order.size == 0 and result.rank.size == 0


def test_growths_equal_as_shown_tie():
    # 10.001% and 10.004% both show as 10.00%: one rank, the higher income after first.
    result = league([100_000, 100_000], [110_001, 110_004])
    assert result.rank.tolist() == [1, 1] and result.order.tolist() == [1, 0]
