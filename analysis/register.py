"""Village figures quarter by quarter from a register of poor households.

A household's status changes by events (an append-only log): registered (在册), left poverty
(已脱贫), returned to poverty (返贫) or newly registered (新增). A household is on the list at
the end of a quarter when its last event by then leaves it registered, returned or new. A
village's figures for a quarter are counted over its households: those on the list and their
members, the events of each kind within the quarter, and the per-capita net income of those on
the list, averaged over their members. Arrays in, a frozen result out; no Django.
"""
from dataclasses import dataclass

import numpy as np

REGISTERED, EXITED, RETURNED, NEW = 0, 1, 2, 3
ON_LIST = (REGISTERED, RETURNED, NEW)
INDUSTRY_SUPPORT, LIVELIHOOD_GUARANTEE = 0, 1


@dataclass(frozen=True)
class QuarterFigures:
    """Figures per village (rows, in the order of `villages`) and quarter (columns)."""

    villages: np.ndarray  # the village keys the rows are for
    on_list: np.ndarray  # (households, quarters) bool: each household on the list at quarter end
    poor_households: np.ndarray
    poor_population: np.ndarray
    industry_support_households: np.ndarray
    livelihood_guarantee_households: np.ndarray
    exited_households: np.ndarray
    returned_households: np.ndarray
    new_households: np.ndarray
    poor_income: np.ndarray  # float; NaN where no household on the list has an income


def status_by_quarter(household_count, quarter_count, events):
    """Each household's status at the end of each quarter, as an int array (-1: no event yet).

    `events` is (household, quarter, status) rows in the order they happened; an event before
    the first quarter has quarter -1 and holds from the first quarter on.
    """
    status = np.full((household_count, quarter_count), -1, dtype=np.int8)
    for household, quarter, state in events:
        status[household, max(quarter, 0):] = state
    return status


def quarter_figures(village_of, members, category, events, income, villages):
    """Each village's figures for each quarter.

    Parameters
    ----------
    village_of : (h,) int array, each household's row in `villages`.
    members : (h,) int array, each household's members.
    category : (h,) int array, INDUSTRY_SUPPORT or LIVELIHOOD_GUARANTEE.
    events : list of (household, quarter, status) in the order they happened (quarter -1: before
        the first quarter).
    income : (h, q) float array, per-capita net income (yuan) each quarter; NaN where not known.
    villages : (v,) array of the villages' keys.
    """
    village_of = np.asarray(village_of, dtype=np.int64)
    members = np.asarray(members, dtype=np.int64)
    category = np.asarray(category)
    income = np.asarray(income, dtype=float)
    h, q = income.shape
    v = len(villages)
    status = status_by_quarter(h, q, events)
    on_list = np.isin(status, ON_LIST)

    def per_village(values):  # (h, q) -> (v, q) sums
        out = np.zeros((v, q), dtype=values.dtype)
        np.add.at(out, village_of, values)
        return out

    flows = {kind: np.zeros((h, q), dtype=np.int64) for kind in (EXITED, RETURNED, NEW)}
    for household, quarter, state in events:
        if quarter >= 0 and state in flows:
            flows[state][household, quarter] += 1
    people = on_list * members[:, None]
    earning = on_list & ~np.isnan(income)
    weighted = per_village(np.where(earning, np.nan_to_num(income) * members[:, None], 0.0))
    earners = per_village(earning * members[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        poor_income = np.where(earners > 0, weighted / np.maximum(earners, 1), np.nan)
    return QuarterFigures(
        villages=np.asarray(villages), on_list=on_list,
        poor_households=per_village(on_list.astype(np.int64)),
        poor_population=per_village(people),
        industry_support_households=per_village(
            (on_list & (category == INDUSTRY_SUPPORT)[:, None]).astype(np.int64)),
        livelihood_guarantee_households=per_village(
            (on_list & (category == LIVELIHOOD_GUARANTEE)[:, None]).astype(np.int64)),
        exited_households=per_village(flows[EXITED]),
        returned_households=per_village(flows[RETURNED]),
        new_households=per_village(flows[NEW]),
        poor_income=poor_income)


def rounded(yuan):
    """Yuan to the nearest whole yuan, halves up (as a statistics office rounds)."""
    return np.floor(np.asarray(yuan, dtype=float) + 0.5)


@dataclass(frozen=True)
class ExitStandard:
    """The household exit standard, per household: per-capita net income above the poverty
    line of its year, and 两不愁三保障 all met."""

    income: np.ndarray  # (h,) the latest per-capita net income, yuan; NaN: none recorded
    line: np.ndarray  # (h,) the poverty line of that income's year; NaN: none set
    guarantees: np.ndarray  # (h, g) bool, each guarantee met

    @property
    def income_above(self):
        """Income strictly above the line (False where either is unknown)."""
        with np.errstate(invalid="ignore"):
            return self.income > self.line

    @property
    def meets(self):
        return self.income_above & self.guarantees.all(axis=1)


def exit_standard(income, line, guarantees):
    """Check households against the exit standard.

    Parameters
    ----------
    income : (h,) latest per-capita net income (yuan a year); NaN where none is recorded.
    line : (h,) the poverty line of the year that income was measured in; NaN where none is set.
    guarantees : (h, g) bool, each of 两不愁三保障 met.
    """
    result = ExitStandard(np.asarray(income, dtype=float), np.asarray(line, dtype=float),
                          np.asarray(guarantees, dtype=bool))
    for array in (result.income, result.line, result.guarantees):
        array.setflags(write=False)
    return result
