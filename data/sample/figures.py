"""Village figures of the sample county: population, poverty and the exit indicators.

Totals are fixed to the planning report (data/README.md) by largest-remainder rounding.
"""
from dataclasses import dataclass

import numpy as np

from analysis.exit import STANDARD, assess

from .divisions import largest_remainder

PERSONS_PER_HOUSEHOLD = 3.3
INDUSTRY_SUPPORT_SHARE = 0.72  # the rest are livelihood-guarantee households
LOW_INCIDENCE_SHARE = 0.12  # villages already near the exit line
# Residents' committees in the towns are not poor villages; a few of their people are poor.
URBAN_INCIDENCE = (0.02, 0.08)
# Where poor households were resettled (移民新区社区) poverty runs deeper than in the valley around.
RESETTLED_EXTRA_INCIDENCE = 0.10
# On the report's timeline (periods.py): the present is 2017Q2; villages that exited did so
# from 2014 on, and the poor villages are to exit by 2019.
EXIT_YEARS = (2014, 2017)
TARGET_YEARS = (2018, 2019)

# The yes/no indicators the sample draws, those of the standard module and those the
# demonstration module adds (analysis/exit_rules.toml), in the order they are drawn in.
STANDARD_FLAGS = ("water_connected", "electricity_connected", "road_connected", "tv_connected",
                  "internet_connected", "has_collective_org", "has_office_space", "has_clinic",
                  "all_housing_safe")
DEMONSTRATION_FLAGS = ("no_poor_party_members", "connections_high_standard",
                       "office_fully_equipped", "clinic_standardised", "has_environment_facilities",
                       "environment_clean", "social_security_sound")


@dataclass(frozen=True)
class VillageFigures:
    population: int
    households: int
    poor_population: int
    poor_households: int
    industry_support_households: int
    livelihood_guarantee_households: int
    exit_status: str  # "non_poor", "poor" or "exited"
    exit_year: int | None
    target_year: int | None
    leading_industries: int
    cooperatives: int
    collective_income_yuan: int
    flags: dict  # indicator name -> bool


def village_figures(totals, settled_cells, elevation, kinds, resettled, rng):
    """Figures for each village from its settled land (cells of farmland and built-up land),
    committee elevation (metres), kind ("village" or "community") and whether it is a community
    of resettled households; `totals` are the county's (rural population, poor population, poor
    households)."""
    RURAL_POPULATION, POOR_POPULATION, POOR_HOUSEHOLDS = totals  # noqa: N806
    n = len(settled_cells)
    population = largest_remainder(0.25 / n + 0.75 * settled_cells / settled_cells.sum(),
                                   RURAL_POPULATION)
    households = largest_remainder(population, round(RURAL_POPULATION / PERSONS_PER_HOUSEHOLD))

    # Poverty is deeper in the uplands and among resettled households; a few low valley
    # villages are close to the exit line; the towns' other communities have few poor.
    resettled = np.asarray(resettled, bool)
    urban = (np.asarray(kinds) == "community") & ~resettled
    incidence = (0.18 + 0.22 * np.clip((elevation - 700) / 1100, 0, 1) + rng.normal(0, 0.04, n)
                 + RESETTLED_EXTRA_INCIDENCE * resettled)
    low = np.zeros(n, bool)
    rural = np.flatnonzero(np.asarray(kinds) == "village")
    by_height = rural[np.argsort(elevation[rural] + rng.normal(0, 150, rural.size))]
    low[by_height[: round(LOW_INCIDENCE_SHARE * n)]] = True
    fixed = np.floor(population * np.where(low, rng.uniform(0.004, 0.029, n),
                                           rng.uniform(*URBAN_INCIDENCE, n))).astype(int)
    fixed = np.where(low | urban, fixed, 0)
    weights = np.where(low | urban, 0.0, population * np.clip(incidence, 0.05, 0.6))
    poor = np.where(low | urban, fixed, largest_remainder(weights, POOR_POPULATION - fixed.sum()))
    poor_households = largest_remainder(poor, POOR_HOUSEHOLDS)
    poor_households = np.minimum(np.maximum(poor_households, (poor > 0).astype(int)), poor)
    # Keep the households total exact after the clamps above.
    poor_households[np.argmax(poor)] += POOR_HOUSEHOLDS - poor_households.sum()
    industry = np.round(poor_households * INDUSTRY_SUPPORT_SHARE).astype(int)

    indicators = [_indicators(low[i], rng) for i in range(n)]
    columns = {name: np.array([flags[name] for flags, *_ in indicators])
               for name in STANDARD_FLAGS + DEMONSTRATION_FLAGS}
    columns["leading_industries"] = np.array([leading for _, leading, _, _ in indicators])
    columns["collective_income_yuan"] = np.array([income for *_, income in indicators])
    columns["incidence"] = poor / population
    # 两不愁三保障: the register (periods.py) leaves no household short of it in a village that
    # exits.
    columns["households_short_of_guarantees"] = np.zeros(n)
    passes_standard = assess(STANDARD, columns).passed
    result = []
    for i, (flags, leading, coops, income) in enumerate(indicators):
        rate = poor[i] / population[i]
        if urban[i]:  # never a poor village
            status, exit_year, target = "non_poor", None, None
        elif passes_standard[i]:
            status, exit_year, target = "exited", int(rng.integers(EXIT_YEARS[0], EXIT_YEARS[1] + 1)), None
        elif rate >= 0.2:
            status, exit_year, target = "poor", None, int(rng.integers(TARGET_YEARS[0], TARGET_YEARS[1] + 1))
        else:
            status, exit_year, target = "non_poor", None, None
        result.append(VillageFigures(
            int(population[i]), int(households[i]), int(poor[i]), int(poor_households[i]),
            int(industry[i]), int(poor_households[i] - industry[i]), status, exit_year, target,
            leading, coops, income, flags))
    return result


def _indicators(near_exit, rng):
    """Exit indicators: villages near the exit line mostly meet the standard module and some the
    demonstration module; the others miss one or two criteria besides the incidence."""
    flags = {name: True for name in STANDARD_FLAGS + DEMONSTRATION_FLAGS}
    if near_exit:
        missing = rng.choice(STANDARD_FLAGS, size=rng.choice([0, 1], p=[0.7, 0.3]), replace=False)
        demonstration_ok = rng.random() < 0.35
    else:
        missing = rng.choice(STANDARD_FLAGS, size=rng.choice([0, 1, 2], p=[0.35, 0.45, 0.2]),
                             replace=False)
        demonstration_ok = False
    for name in missing:
        flags[name] = False
    if not demonstration_ok:
        for name in rng.choice(DEMONSTRATION_FLAGS, size=rng.integers(1, 4), replace=False):
            flags[name] = False
    leading = int(rng.integers(1, 3)) if near_exit or rng.random() < 0.7 else 0
    coops = int(rng.integers(1, 3)) if demonstration_ok else int(rng.integers(0, 2))
    income = int(rng.integers(50, 300) * 1000) if demonstration_ok else int(rng.integers(0, 60) * 1000)
    # A village without a collective economic organisation has no collective accumulation
    # either (the standard module takes one for the other); its organisation's "three forces"
    # are strengthened where it is near the exit line or a demonstration. No draw: the sample
    # stays as it was drawn.
    income = income if flags["has_collective_org"] else 0
    flags["organisation_strengthened"] = bool(near_exit or demonstration_ok)
    return flags, leading, coops, income
