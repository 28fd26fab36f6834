"""Quarterly figures of the sample county's villages, dated on the county report's timeline, and
the register of poor households they are counted from.

The report (data/README.md) speaks in mid-2017: 86,000 poor people in 27,000 households, "23.7%
fewer than in 2013". So the quarters run from 2014Q1 to 2017Q2, whose figures are the villages'
figures today, and at the end of 2013 the county had 86,000 / (1 - 0.237), about 112,700, poor
people. A village that has exited fell to its figures today by the end of its exit year, from an
incidence well above the 3% line; the others fell alike. Households leave poverty quarter by
quarter, a few return and a few are newly found, and incomes rise.

The households are simulated one by one (`simulate`), and each quarter's village figures are
counted from them by `analysis.register.quarter_figures`, as gisplan counts a county's own
register; so the figures a loaded register gives back are the sample's figures exactly.
Synthetic, from a seed of their own so that the rest of the sample is untouched.
"""
from dataclasses import dataclass

import numpy as np

from analysis.register import (EXITED, INDUSTRY_SUPPORT, LIVELIHOOD_GUARANTEE, NEW, REGISTERED,
                               RETURNED, quarter_figures, rounded)

from .figures import INDUSTRY_SUPPORT_SHARE, PERSONS_PER_HOUSEHOLD

QUARTERS = [(year, quarter) for year in range(2014, 2018) for quarter in (1, 2, 3, 4)
            if (year, quarter) <= (2017, 2)]
DECLINE_SINCE_2013 = 0.237  # the report: the poor are 23.7% fewer than in 2013
EXITED_INCIDENCE_IN_2013 = (0.08, 0.18)
SEED = 20141
# Per-capita net income of a poor household, relative to its village's poor average.
INCOME_SPREAD = 0.15
# A household that has left poverty earns this much more than the village's poor on average.
EXITED_INCOME = 1.35
# Share of the households still on the list that miss one of 两不愁三保障.
SHORT_OF_GUARANTEES = 0.25


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


@dataclass(frozen=True)
class SampleRegister:
    """The simulated households of a county, in arrays (one row per household)."""

    village: np.ndarray  # index into the county's villages
    members: np.ndarray  # people in the household
    category: np.ndarray  # analysis.register.INDUSTRY_SUPPORT or LIVELIHOOD_GUARANTEE
    events: list  # (household, quarter index (-1: end of 2013), status, day of the quarter)
    income: np.ndarray  # (households, quarters) per-capita net income, yuan; NaN: not registered
    target_year: np.ndarray  # the year each household is to leave (or left) poverty
    guarantees: np.ndarray  # (households, 5) bool: 不愁吃, 不愁穿, 义务教育, 基本医疗, 住房安全

    def short_of_guarantees(self, villages):
        """Per village (of `villages`), the households on the list today not assured of all of
        两不愁三保障."""
        short = np.zeros(villages, dtype=int)
        listed = np.isin(self.status, (REGISTERED, RETURNED, NEW))
        np.add.at(short, self.village[listed & ~self.guarantees.all(axis=1)], 1)
        return short

    @property
    def status(self):
        """Each household's last status."""
        last = np.full(len(self.village), -1)
        for household, _quarter, state, _day in self.events:
            last[household] = state
        return last


def village_periods(figures, seed=SEED):
    """Each village's quarters, 2014Q1 to 2017Q2, from its VillageFigures (`figures`, one per
    village), and the register they are counted from: the last quarter holds its figures today."""
    rng = np.random.default_rng(seed)
    register, poor_income, village_income = simulate(figures, rng)
    counted = quarter_figures(register.village, register.members, register.category,
                              [(h, k, s) for h, k, s, _ in register.events], register.income,
                              np.arange(len(figures)))
    income = rounded(counted.poor_income)
    assert np.array_equal(income, poor_income), "the households' incomes miss the village's"
    records = [PeriodRecord(
        v, year, quarter, int(counted.poor_households[v, k]), int(counted.poor_population[v, k]),
        int(village_income[v, k]), int(income[v, k]), int(counted.exited_households[v, k]),
        int(counted.returned_households[v, k]), int(counted.new_households[v, k]))
        for v in range(len(figures)) for k, (year, quarter) in enumerate(QUARTERS)]
    return records, register


def simulate(figures, rng):
    """The register, and each village's poor and whole per-capita income by quarter ((v, q)
    arrays of whole yuan), simulated household by household."""
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
    q = len(QUARTERS)
    village_of, events, last_on = [], [], []  # last_on: each household's village, for sizes
    grown = 1.02 ** np.arange(q)
    base = 7000 + 2500 * (1 - poor / np.maximum(people, 1))
    village_income = (base[:, None] * grown).astype(int)
    poor_income = (0.55 * base[:, None] * grown).astype(int)
    for v, f in enumerate(figures):
        # The net fall in households is spread over the quarters up to the exit year, if any.
        active = np.array([f.exit_year is None or year <= f.exit_year for year, _ in QUARTERS])
        weights = active * rng.uniform(0.5, 1.5, q)
        fall = rng.multinomial(start[v] - households[v], weights / weights.sum())
        first = len(village_of)
        on = list(range(first, first + start[v]))
        village_of += [v] * start[v]
        events += [(h, -1, REGISTERED, 0) for h in on]
        gone = []  # households that left poverty in earlier quarters
        for k in range(q):
            # A few households return to poverty and a few are newly found, while the village's
            # poor are more than those and not after a village has exited; as many more leave.
            held = len(on) - fall[k]
            returns = min(int(rng.random() < 0.08) * int(rng.integers(1, 3)), len(gone), held)
            new = min(int(rng.random() < 0.05), held - returns) if active[k] else 0
            returns = returns if active[k] else 0
            leaving = rng.choice(len(on), fall[k] + returns + new, replace=False)
            leaving = set(leaving.tolist())
            out = [h for i, h in enumerate(on) if i in leaving]
            on = [h for i, h in enumerate(on) if i not in leaving]
            back = [gone.pop(i) for i in sorted(rng.choice(len(gone), returns, replace=False),
                                                  reverse=True)]
            found = list(range(len(village_of), len(village_of) + new))
            village_of += [v] * new
            days = rng.integers(0, 90, len(out) + len(back) + len(found))
            events += [(h, k, EXITED, int(d)) for h, d in zip(out, days)]
            events += [(h, k, RETURNED, int(d)) for h, d in zip(back, days[len(out):])]
            events += [(h, k, NEW, int(d)) for h, d in zip(found, days[len(out) + len(back):])]
            gone += out
            on += back + found
        assert len(on) == households[v]
        last_on += on
    village_of = np.array(village_of)
    n = len(village_of)
    # Sizes: the households on the list today hold the village's poor people today exactly, and
    # those of the end of 2013 its poor people then (its households then at today's persons per
    # household), as far as the households still on the list allow.
    members = np.minimum(1 + rng.poisson(np.maximum(size[village_of] - 1, 0)), 8)
    on_today = np.zeros(n, bool)
    on_today[last_on] = True
    at_start = np.zeros(n, bool)
    at_start[[h for h, quarter, _s, _d in events if quarter == -1]] = True
    for v in range(len(figures)):
        mine = np.flatnonzero(on_today & (village_of == v))
        _spread(members, mine, poor[v], rng)
        left = np.flatnonzero(at_start & ~on_today & (village_of == v))
        staying = members[at_start & on_today & (village_of == v)].sum()
        _spread(members, left, round(start[v] * size[v]) - staying, rng)
    category = np.where(rng.random(n) < INDUSTRY_SUPPORT_SHARE, INDUSTRY_SUPPORT,
                        LIVELIHOOD_GUARANTEE)
    for v, f in enumerate(figures):
        mine = rng.permutation(np.flatnonzero(on_today & (village_of == v)))
        category[mine] = LIVELIHOOD_GUARANTEE
        category[mine[:f.industry_support_households]] = INDUSTRY_SUPPORT
    register = SampleRegister(village_of, members, category, events, np.full((n, q), np.nan),
                              np.zeros(n, int), np.ones((n, 5), bool))
    _incomes(register, poor_income, rng)
    _targets(register, figures, on_today, rng)
    return register, poor_income, village_income


def _spread(members, rows, people, rng):
    """Give the households `rows` at least one member each and `people` in all (or one each,
    if `people` are fewer than the households)."""
    if rows.size:
        extra = max(people - rows.size, 0)
        members[rows] = 1 + rng.multinomial(extra, np.full(rows.size, 1 / rows.size))


def _incomes(register, poor_income, rng):
    """Each registered household's per-capita income by quarter: around its village's poor
    average while on the list, above it after leaving; those on the list average (over their
    members) to the village's figure exactly, to the yuan."""
    n, q = register.income.shape
    state = np.full(n, -1)
    by_quarter = {}
    for household, quarter, status, _day in register.events:
        by_quarter.setdefault(max(quarter, 0), []).append((household, status))
    factor = rng.lognormal(0, INCOME_SPREAD, n)
    for k in range(q):
        for household, status in by_quarter.get(k, []):
            state[household] = status
        registered = state >= 0
        listed = np.isin(state, (REGISTERED, RETURNED, NEW))
        target = poor_income[register.village, k]
        register.income[registered, k] = np.round(
            target[registered] * factor[registered] * np.where(listed[registered], 1, EXITED_INCOME))
        for v in np.unique(register.village[listed]):
            mine = np.flatnonzero(listed & (register.village == v))
            _exact_mean(register.income[:, k], mine, register.members[mine], poor_income[v, k])


def _exact_mean(income, rows, weights, target):
    """Scale the incomes of `rows` so that their mean weighted by `weights`, rounded half up,
    is `target`; the rounding left over is taken out by one shift of all of them."""
    total = weights.sum()
    mean = (income[rows] * weights).sum() / total
    if mean > 0:
        income[rows] = np.round(income[rows] * target / mean)
    excess = float((income[rows] * weights).sum() - target * total)
    income[rows] -= np.floor(excess / total + 0.5)
    assert (income[rows] >= 0).all(), "a synthetic income came out negative"


def _targets(register, figures, on_today, rng):
    """Target exit years (a village's own for those still on the list, else the year they left)
    and 两不愁三保障: met by those who left, missed in one respect by some still on the list in
    the villages short of safe housing."""
    for household, quarter, status, _day in register.events:
        if status == EXITED:
            register.target_year[household] = QUARTERS[quarter][0]
    for household in np.flatnonzero(on_today):
        year = figures[register.village[household]].target_year
        register.target_year[household] = year or int(rng.integers(2018, 2020))
        if rng.random() < SHORT_OF_GUARANTEES:
            short = rng.integers(0, 5)  # drawn for every such household: the draws stay the same
            # Households short of 两不愁三保障 live in the villages recorded as short of safe
            # housing for every household; none in a village that exited.
            village = figures[register.village[household]]
            if village.exit_status != "exited" and not village.flags["all_housing_safe"]:
                register.guarantees[household, short] = False
