"""Quarterly figures of the sample county's villages, dated on the county report's timeline.

The report (data/README.md) speaks in mid-2017: 86,000 poor people, "23.7% fewer than in 2013".
So the quarters run from 2014Q1 to 2017Q2, whose figures are the villages' figures today, and
at the end of 2013 the county had 86,000 / (1 - 0.237), about 112,700, poor people. A village
that has exited fell to its figures today by the end of its exit year, from an incidence well
above the 3% line; the others fell alike. Households leave poverty quarter by quarter, a few
return and a few are newly found, and incomes rise. Synthetic, from a seed of their own so that
the rest of the sample is untouched.
"""
from dataclasses import dataclass

import numpy as np

from .figures import PERSONS_PER_HOUSEHOLD

QUARTERS = [(year, quarter) for year in range(2014, 2018) for quarter in (1, 2, 3, 4)
            if (year, quarter) <= (2017, 2)]
DECLINE_SINCE_2013 = 0.237  # the report: the poor are 23.7% fewer than in 2013
EXITED_INCIDENCE_IN_2013 = (0.08, 0.18)
SEED = 20141


@dataclass(frozen=True)
class PeriodRecord:
    village: int  # index into SampleCounty.villages
    year: int
    quarter: int
    poor_households: int
    poor_population: int
    per_capita_income_yuan: int
    poor_per_capita_income_yuan: int
    exited_households: int
    returned_households: int
    new_households: int


def village_periods(figures, seed=SEED):
    """Each village's quarters, 2014Q1 to 2017Q2, from its VillageFigures (`figures`, one per
    village): the last quarter holds its figures today."""
    rng = np.random.default_rng(seed)
    # Luonan: 86,000 / (1 - 0.237), 112,713 poor people at the end of 2013.
    poor_at_end_of_2013 = round(sum(f.poor_population for f in figures) / (1 - DECLINE_SINCE_2013))
    households = np.array([f.poor_households for f in figures])
    poor = np.array([f.poor_population for f in figures])
    people = np.array([f.population for f in figures])
    size = np.where(households > 0, poor / np.maximum(households, 1), PERSONS_PER_HOUSEHOLD)
    exited = np.array([f.exit_status == "exited" for f in figures])
    # The poor people of each village at the end of 2013: an exited village's from its incidence
    # then, the others' scaled alike to bring the county to `poor_at_end_of_2013`.
    before_exit = people * rng.uniform(*EXITED_INCIDENCE_IN_2013, len(figures))
    scale = (poor_at_end_of_2013 - before_exit[exited].sum()) / poor[~exited].sum()
    start = np.maximum(np.round(np.where(exited, before_exit, poor * scale) / size).astype(int),
                       households)
    records = []
    for v, f in enumerate(figures):
        # The net fall in households is spread over the quarters up to the exit year, if any.
        active = np.array([f.exit_year is None or year <= f.exit_year for year, _ in QUARTERS])
        weights = active * rng.uniform(0.5, 1.5, len(QUARTERS))
        fall = rng.multinomial(start[v] - households[v], weights / weights.sum())
        someone = start[v] > 0
        returned = someone * (rng.random(len(QUARTERS)) < 0.08) * rng.integers(1, 3, len(QUARTERS))
        new = someone * (rng.random(len(QUARTERS)) < 0.05)
        held = start[v] - np.cumsum(fall)  # at the end of each quarter
        income = 7000 + 2500 * (1 - poor[v] / max(people[v], 1))
        for k, (year, quarter) in enumerate(QUARTERS):
            grown = 1.02 ** k
            records.append(PeriodRecord(
                v, year, quarter, int(held[k]), min(int(round(held[k] * size[v])), int(people[v])),
                int(income * grown), int(0.55 * income * grown),
                int(fall[k] + returned[k] + new[k]), int(returned[k]), int(new[k])))
    return records
