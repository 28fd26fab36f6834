"""The quarterly income league table (季度收入排行榜): households, villages and towns ranked by
the growth of their poor per-capita net income from one quarter to the next
(analysis.league ranks). Households are named by their code only: the table is for the
county's officials, whatever their permission on personal data. The page and the API read a
LeagueRun."""
import re
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils.translation import gettext as _

from analysis.league import league
from analysis.register import rounded
from gisplan.api import Refusal
from households.models import Household, HouseholdIncome
from layers.models import Town, Village, VillagePeriod
from layers.naming import village_label

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


@dataclass(frozen=True)
class LeagueRun:
    quarter: tuple  # (year, quarter) ranked; None: no two quarters in a row are held
    quarters: list  # every quarter that can be ranked, "2014Q2", ...
    households: list  # dicts, ranked first; the unranked (no income in one quarter) left out
    villages: list
    towns: list

    @property
    def before(self):
        return None if self.quarter is None else previous(self.quarter)

    @property
    def labels(self):
        """("2017Q1", "2017Q2"): the quarter before and the quarter ranked."""
        return tuple(None if p is None else "{}Q{}".format(*p) for p in (self.before, self.quarter))


def previous(quarter):
    year, q = quarter
    return (year, q - 1) if q > 1 else (year - 1, 4)


def rankable(held):
    """The quarters of `held` (in its order) held together with the calendar quarter before."""
    held_set = set(held)
    return [p for p in held if previous(p) in held_set]


def quarter_named(text, ranked):
    """The (year, quarter) `text` names ("2017Q2"), which must be one of `ranked`; None: the
    latest of them (None if none)."""
    if not text:
        return ranked[-1] if ranked else None
    match = QUARTER.match(text)
    if not match or (int(match[1]), int(match[2])) not in ranked:
        raise Refusal(_("quarter is one of %(quarters)s, as 2017Q2") %
                      {"quarters": ", ".join(f"{y}Q{q}" for y, q in ranked) or _("none")})
    return int(match[1]), int(match[2])


def _ranked(keys, before, after, describe):
    result = league(before, after)
    return [{"rank": int(result.rank[i]), **describe(i),
             "income_before": int(rounded(before[i])), "income_after": int(rounded(after[i])),
             "growth_pct": round(100 * float(result.growth[i]), 2)}
            for i in result.order if result.rank[i]]


def run_league(county, quarter=None, with_households=True):
    """The league table of `county` for `quarter` ("2017Q2"; None: the latest held) over the
    quarter before it; without `with_households`, towns and villages only (for users above the
    county)."""
    periods = VillagePeriod.objects.of_county(county)
    ranked = rankable(periods.periods())
    chosen = quarter_named(quarter, ranked)
    labels = ["{}Q{}".format(*p) for p in ranked]
    if chosen is None:
        return LeagueRun(None, labels, [], [], [])
    before = previous(chosen)
    pair = (before, chosen)

    def income(rows):  # {key: {(year, quarter): yuan}}
        out = {}
        for key, year, q, yuan in rows:
            out.setdefault(key, {})[(year, q)] = yuan
        return out

    def arrays(keys, incomes):  # (before, after), NaN where not known
        return [np.array([np.nan if incomes[k].get(p) is None else incomes[k][p] for k in keys],
                         dtype=float) for p in pair]

    in_pair = Q(year=before[0], quarter=before[1]) | Q(year=chosen[0], quarter=chosen[1])
    # Households: each one's per-capita net income in the two quarters.
    registered = (Household.objects.of_county(county) if with_households
                  else Household.objects.none())
    rows = list(HouseholdIncome.objects.filter(in_pair, household__in=registered).values_list(
        "household__code", "year", "quarter", "per_capita_income_yuan", "household__village_id"))
    incomes = income(row[:4] for row in rows)
    village_of = {row[0]: row[4] for row in rows}
    named = dict(Village.objects.of_county(county).annotate(label=village_label())
                 .values_list("pk", "label"))
    codes = sorted(incomes)
    households = _ranked(codes, *arrays(codes, incomes),
                         lambda i: {"code": codes[i], "village": named[village_of[codes[i]]]})
    # Villages: the poor households' per-capita net income of each.
    rows = list(periods.filter(in_pair).annotate(label=village_label("village__")).values_list(
        "village__code", "year", "quarter", "poor_per_capita_income_yuan", "poor_population",
        "label", "village__town__code"))
    names = {r[0]: r[5] for r in rows}
    incomes = income((r[0], r[1], r[2], r[3]) for r in rows)
    codes = sorted(incomes)
    villages = _ranked(codes, *arrays(codes, incomes),
                       lambda i: {"code": codes[i], "name": names[codes[i]]})
    # Towns: the poor income of their villages that have one in both quarters, averaged over
    # those villages' poor people (a village reporting in one quarter only would move the
    # average by itself).
    both = {code for code, by in incomes.items() if all(by.get(p) is not None for p in pair)}
    sums = {}
    for code, year, q, yuan, poor, _label, town in rows:
        if code in both and poor:
            total = sums.setdefault(town, {}).setdefault((year, q), [0, 0])
            total[0] += yuan * poor
            total[1] += poor
    incomes = {t: {p: s / n for p, (s, n) in by.items()} for t, by in sums.items()}
    towns = dict(Town.objects.of_county(county).values_list("code", "name"))
    codes = sorted(incomes)
    return LeagueRun(chosen, labels, households, villages,
                     _ranked(codes, *arrays(codes, incomes),
                             lambda i: {"code": codes[i], "name": towns[codes[i]]}))
