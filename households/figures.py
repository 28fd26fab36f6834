"""Village figures counted from the household register (analysis.register), written where the
quarterly statistics and the village layer keep them.

A county with a register has its villages' quarterly figures counted, not imported: for each of
its villages with households and each quarter of the register, the poor households and people,
the households that left, returned and were newly registered within the quarter, and the poor
households' per-capita income. The village-wide income is not in a register: an imported one is
kept. The village layer's poor households and people, its two categories and the households
short of 两不愁三保障 (what the exit modules' criterion reads) are today's.

The register's quarters are those with incomes, and those of status changes after the first of
them; a change dated before the first quarter holds from it on.
"""
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count
from simple_history.utils import bulk_update_with_history

from analysis import register
from layers.models import Village, VillagePeriod

from .models import CATEGORY_NUMBERS, STATUS_NUMBERS, Household, HouseholdEvent, HouseholdIncome

PERIOD_FIELDS = ("poor_households", "poor_population", "poor_per_capita_income_yuan",
                 "exited_households", "returned_households", "new_households", "from_register")
VILLAGE_FIELDS = ("poor_households", "poor_population", "industry_support_households",
                  "livelihood_guarantee_households", "households_short_of_guarantees")


@dataclass(frozen=True)
class Recount:
    villages: int
    quarters: tuple  # ((year, quarter), ...)
    periods_written: int


def quarter_of(day):
    return day.year, (day.month - 1) // 3 + 1


def register_arrays(households):
    """The households (a queryset) as analysis.register's arrays: (keys, village_of, members,
    category, events, income, quarters, village keys)."""
    rows = list(households.annotate(people=Count("members")).order_by("pk")
                .values_list("pk", "village_id", "people", "category"))
    keys = np.array([r[0] for r in rows], dtype=np.int64)
    index = {pk: i for i, pk in enumerate(keys.tolist())}
    villages, village_of = np.unique(np.array([r[1] for r in rows], dtype=np.int64),
                                     return_inverse=True)
    members = np.array([r[2] for r in rows], dtype=np.int64)
    category = np.array([CATEGORY_NUMBERS[r[3]] for r in rows], dtype=np.int8)
    events = list(HouseholdEvent.objects.filter(household__in=households)
                  .order_by("on", "pk").values_list("household_id", "on", "status"))
    incomes = list(HouseholdIncome.objects.filter(household__in=households)
                   .values_list("household_id", "year", "quarter", "per_capita_income_yuan"))
    held = sorted({(y, q) for _h, y, q, _i in incomes})
    first = held[0] if held else None
    quarters = sorted(set(held) | {quarter_of(on) for _h, on, _s in events
                                   if first is None or quarter_of(on) >= first})
    position = {yq: k for k, yq in enumerate(quarters)}
    income = np.full((len(keys), len(quarters)), np.nan)
    for h, y, q, yuan in incomes:
        income[index[h], position[(y, q)]] = yuan
    coded = [(index[h], position.get(quarter_of(on), -1), STATUS_NUMBERS[s])
             for h, on, s in events]
    return keys, village_of, members, category, coded, income, quarters, villages


@transaction.atomic
def recount(county):
    """Count `county`'s village figures from its register and write them (nothing where the
    county has no register)."""
    households = Household.objects.of_county(county)
    keys, village_of, members, category, events, income, quarters, villages = \
        register_arrays(households)
    if not len(keys):
        return Recount(0, (), 0)
    f = register.quarter_figures(village_of, members, category, events, income, villages)
    poor_income = register.rounded(f.poor_income)
    periods = [
        VillagePeriod(village_id=int(village), year=year, quarter=quarter,
                      poor_households=int(f.poor_households[v, k]),
                      poor_population=int(f.poor_population[v, k]),
                      poor_per_capita_income_yuan=(None if np.isnan(poor_income[v, k])
                                                   else int(poor_income[v, k])),
                      exited_households=int(f.exited_households[v, k]),
                      returned_households=int(f.returned_households[v, k]),
                      new_households=int(f.new_households[v, k]), from_register=True)
        for v, village in enumerate(villages) for k, (year, quarter) in enumerate(quarters)]
    VillagePeriod.objects.bulk_create(periods, update_conflicts=True,
                                      unique_fields=("village", "year", "quarter"),
                                      update_fields=PERIOD_FIELDS, batch_size=5000)
    _today(villages)
    return Recount(len(villages), tuple(quarters), len(periods))


def _today(villages):
    """The village layer's figures from the statuses the households have now."""
    counts = {v: dict.fromkeys(VILLAGE_FIELDS, 0) for v in villages.tolist()}
    on_list = (Household.objects.filter(village__in=counts).on_list()
               .annotate(people=Count("members"))
               .values_list("village_id", "category", "people", *Household.GUARANTEES))
    for village, category, people, *guarantees in on_list:
        c = counts[village]
        c["poor_households"] += 1
        c["poor_population"] += people
        c[f"{category}_households"] += 1
        c["households_short_of_guarantees"] += not all(guarantees)
    changed = []
    for village in Village.objects.filter(pk__in=counts):
        new = counts[village.pk]
        if any(getattr(village, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(village, name, value)
            changed.append(village)
    if changed:
        bulk_update_with_history(changed, Village, list(VILLAGE_FIELDS), batch_size=1000)
