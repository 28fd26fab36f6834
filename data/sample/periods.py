"""Quarterly figures of the sample county's villages, leading up to their figures today: the poor
fall quarter by quarter as households leave poverty, a few return and a few are newly found,
and incomes rise. Synthetic, from a seed of their own so the rest of the sample is untouched."""
from dataclasses import dataclass

import numpy as np

QUARTERS = [(year, quarter) for year in (2019, 2020) for quarter in (1, 2, 3, 4)]
SEED = 20191


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


def village_periods(poor_households, poor_population, population):
    """Eight quarters (2019Q1 to 2020Q4) per village, the last equal to its figures today."""
    rng = np.random.default_rng(SEED)
    records = []
    for v, (households, poor, people) in enumerate(zip(poor_households, poor_population,
                                                       population)):
        size = poor / households if households else 3.3
        # Walk back from today: each earlier quarter had the households that left since.
        flows = []
        current = int(households)
        for _ in QUARTERS:
            exited = int(rng.binomial(max(current, 1), 0.05)) if current else 0
            returned = min(int(rng.random() < 0.08) * int(rng.integers(1, 3)), current)
            new = min(int(rng.random() < 0.05), current - returned)
            flows.append((current, exited, returned, new))
            current = max(current + exited - returned - new, 0)
        income = 9000 + 3000 * (1 - poor / max(people, 1))
        for k, (quarter, (hh, exited, returned, new)) in enumerate(zip(QUARTERS, flows[::-1])):
            grown = 1.02 ** k
            poor_people = min(int(round(hh * size)), int(people))
            records.append(PeriodRecord(v, *quarter, hh, poor_people, int(income * grown),
                                        int(0.55 * income * grown), exited, returned, new))
    return records
