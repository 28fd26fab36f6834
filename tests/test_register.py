"""Village figures counted from a register of households small enough to add up by hand (no
database).

Two villages, A and B; three quarters, 0..2. Households (members, category):
  h0 in A: 3 people, industry support. Registered before quarter 0; leaves in quarter 1.
  h1 in A: 2 people, livelihood guarantee. Registered before quarter 0; stays.
  h2 in B: 4 people, industry support. Registered before quarter 0; leaves in quarter 0 and
      returns in quarter 2.
  h3 in B: 1 person, livelihood guarantee. Newly registered in quarter 1.
Incomes (yuan, per person): h0 2000, 2600, 4000; h1 1000, 1200, NaN (not measured); h2 2500,
3500, 2700; h3 -, 900, 1000.
"""
import numpy as np
import pytest

from analysis.register import (EXITED, INDUSTRY_SUPPORT, LIVELIHOOD_GUARANTEE, NEW, REGISTERED,
                               RETURNED, exit_standard, quarter_figures, rounded,
                               status_by_quarter)

VILLAGE_OF = [0, 0, 1, 1]
MEMBERS = [3, 2, 4, 1]
CATEGORY = [INDUSTRY_SUPPORT, LIVELIHOOD_GUARANTEE, INDUSTRY_SUPPORT, LIVELIHOOD_GUARANTEE]
EVENTS = [(0, -1, REGISTERED), (1, -1, REGISTERED), (2, -1, REGISTERED), (2, 0, EXITED),
          (0, 1, EXITED), (3, 1, NEW), (2, 2, RETURNED)]
NAN = np.nan
INCOME = [[2000, 2600, 4000], [1000, 1200, NAN], [2500, 3500, 2700], [NAN, 900, 1000]]


@pytest.fixture
def figures():
    return quarter_figures(VILLAGE_OF, MEMBERS, CATEGORY, EVENTS, INCOME, ["A", "B"])


def test_status_holds_from_its_quarter_on():
    status = status_by_quarter(4, 3, EVENTS)
    assert status.tolist() == [[REGISTERED, EXITED, EXITED], [REGISTERED] * 3,
                               [EXITED, EXITED, RETURNED], [-1, NEW, NEW]]


def test_households_and_people_on_the_list(figures):
    # A: h0 and h1 (5 people), then h1 alone (2). B: nobody in quarter 0 (h2 left), h3 (1)
    # in quarter 1, h2 and h3 (5) in quarter 2.
    assert figures.poor_households.tolist() == [[2, 1, 1], [0, 1, 2]]
    assert figures.poor_population.tolist() == [[5, 2, 2], [0, 1, 5]]
    assert figures.industry_support_households.tolist() == [[1, 0, 0], [0, 0, 1]]
    assert figures.livelihood_guarantee_households.tolist() == [[1, 1, 1], [0, 1, 1]]


def test_flows_within_each_quarter(figures):
    # Registrations before quarter 0 are not a flow; h2 leaves in 0 and returns in 2, h0 leaves
    # in 1, h3 is new in 1.
    assert figures.exited_households.tolist() == [[0, 1, 0], [1, 0, 0]]
    assert figures.returned_households.tolist() == [[0, 0, 0], [0, 0, 1]]
    assert figures.new_households.tolist() == [[0, 0, 0], [0, 1, 0]]


def test_income_of_those_on_the_list_averaged_over_members(figures):
    # A, q0: (3 * 2000 + 2 * 1000) / 5 = 1600; q1: h1 alone, 1200; q2: h1 unmeasured, none.
    # B, q0: nobody on the list; q1: h3, 900; q2: (4 * 2700 + 1 * 1000) / 5 = 2360.
    income = figures.poor_income
    assert income[0, :2].tolist() == [1600, 1200] and np.isnan(income[0, 2])
    assert np.isnan(income[1, 0]) and income[1, 1:].tolist() == [900, 2360]


def test_on_list_by_household(figures):
    assert figures.on_list.tolist() == [[True, False, False], [True, True, True],
                                        [False, False, True], [False, True, True]]


def test_rounding_halves_up():
    assert rounded([2.5, 3.5, 1600.49, -0.5]).tolist() == [3, 4, 1600, 0]


def test_the_household_exit_standard_needs_income_above_the_line_and_every_guarantee():
    # Line 3,000 yuan. h0: 3,001 and all five met: meets. h1: exactly 3,000 (not above).
    # h2: 5,000 but housing not safe. h3: no income recorded. h4: no line for its year.
    income = [3001, 3000, 5000, NAN, 4000]
    line = [3000, 3000, 3000, 3000, NAN]
    guarantees = np.ones((5, 5), bool)
    guarantees[2, 4] = False
    standard = exit_standard(income, line, guarantees)
    assert standard.income_above.tolist() == [True, False, True, False, False]
    assert standard.meets.tolist() == [True, False, False, False, False]
