"""The three goals of the plan (三步走), as officials follow them: each goal's indicator now,
its trend by quarter and what remains, for the county, each zone of the plan in force and each
town. The goals' years and the de-listing incidence are the county's data (settings.GOALS,
assessment/goals.toml); the page, the API and the tests all read a GoalsRun.

Near term: every poor person out of poverty with 两不愁三保障 assured, every poor village exited,
the county de-listed (incidence below the standard). Mid term: poor households' per-capita net
income equal to the county's rural average, and no returns to poverty. Long term: text.
"""
import math
import tomllib
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db.models import Count, Q, Sum

from gisplan.api import Refusal
from layers.exit_criteria import EXIT_ASSESSED
from layers.models import Town, Village, VillagePeriod

from .periods import trends


@dataclass(frozen=True)
class Targets:
    near_term_year: int
    incidence_below: float  # the de-listing standard: incidence strictly below it
    mid_term_year: int
    long_term_year: int


@cache
def _targets(path):
    try:
        document = tomllib.loads(open(path, encoding="utf-8").read())
        targets = Targets(int(document["near_term"]["year"]),
                          float(document["near_term"]["incidence_below"]),
                          int(document["mid_term"]["year"]), int(document["long_term"]["year"]))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError,
            ValueError) as problem:
        raise Refusal(f"{path}: {problem}") from None
    if not 0 < targets.incidence_below < 1 or not math.isfinite(targets.incidence_below):
        raise Refusal(f"{path}: near_term.incidence_below is a share between 0 and 1")
    return targets


def goal_targets():
    """The county's goals (settings.GOALS); a Refusal names what is wrong with the file."""
    return _targets(str(settings.GOALS))


@dataclass(frozen=True)
class Area:
    """The county, a zone or a town: its indicators in each of the county's quarters (None
    where none of its villages reported), and today's."""

    kind: str  # "county", "zone" or "town"
    code: str | None
    name: str
    villages_reporting: list
    poor_households: list
    poor_population: list
    incidence: list  # None: no registered population, or no report
    poor_income: list  # the poor's per-capita net income (None: unknown)
    returned_households: list
    villages_poor: int  # poor villages not yet exited
    villages_exited: int
    short_of_guarantees: int  # poor households not assured of all of 两不愁三保障 (today)

    def latest(self, series):
        """The value in the county's latest quarter (None: not reported then)."""
        return series[-1] if series else None


@dataclass(frozen=True)
class GoalsRun:
    targets: Targets
    quarters: list  # the county's quarters held, "2014Q1", ...; every series follows them
    county_income: list  # the county's rural per-capita net income by quarter (None: unknown)
    areas: list  # Area: the county first, then the zones, then the towns
    villages: int  # the county's villages

    @property
    def county(self):
        return self.areas[0]

    def rows(self, area):
        """An area's indicators in the latest quarter and what remains, as the page and the API
        show them; a goal is met (True), not met (False) or unknown (None: not reported)."""
        t, income = self.targets, self.county.latest(self.county_income)
        latest = {name: area.latest(getattr(area, name)) for name in (
            "villages_reporting", "poor_households", "poor_population", "incidence",
            "poor_income", "returned_households")}
        poor, incidence, poor_income = (latest["poor_population"], latest["incidence"],
                                        latest["poor_income"])
        gap = None if income is None or poor_income is None else max(income - poor_income, 0)
        returned = latest["returned_households"]
        return {
            "kind": area.kind, "code": area.code, "name": area.name, **latest,
            "short_of_guarantees": area.short_of_guarantees,
            "everyone_out": None if poor is None else poor == 0 and area.short_of_guarantees == 0,
            "villages": area.villages_poor + area.villages_exited,
            "villages_exited": area.villages_exited, "villages_poor": area.villages_poor,
            "villages_all_exited": area.villages_poor == 0,
            "delisted": None if incidence is None else incidence < t.incidence_below,
            "incidence_pct": None if incidence is None else f"{100 * incidence:.2f}%",
            "county_income": income,
            "income_ratio": None if gap is None or not income else poor_income / income,
            "income_pct": None if gap is None or not income else f"{100 * poor_income / income:.1f}%",
            "income_gap": gap, "income_equal": None if gap is None else gap == 0,
            "no_returns": None if returned is None else returned == 0,
        }

    def as_json(self):
        t = self.targets
        return {
            "targets": {"near_term": {"year": t.near_term_year,
                                      "incidence_below": t.incidence_below},
                        "mid_term": {"year": t.mid_term_year},
                        "long_term": {"year": t.long_term_year}},
            "quarters": self.quarters, "county_income": self.county_income,
            "areas": [{**self.rows(a), "trend": {
                "villages_reporting": a.villages_reporting,
                "poor_households": a.poor_households, "poor_population": a.poor_population,
                "incidence": a.incidence, "poor_income": a.poor_income,
                "returned_households": a.returned_households}} for a in self.areas]}


def run_goals(county):
    """The goals of `county` (a County), from its quarterly figures and its villages today."""
    targets = goal_targets()
    periods = VillagePeriod.objects.of_county(county)
    villages = Village.objects.of_county(county)
    by_zone = {t.zone: t for t in trends(periods)}
    by_town = {t.zone: t for t in trends(periods, by="village__town__code") if t.zone}
    quarters = by_zone[None].periods if None in by_zone else []
    counts = dict(poor=Count("pk", filter=EXIT_ASSESSED & Q(exit_status=Village.ExitStatus.POOR)),
                  exited=Count("pk", filter=EXIT_ASSESSED & Q(
                      exit_status=Village.ExitStatus.EXITED)),
                  short=Sum("households_short_of_guarantees", default=0))

    def area(kind, code, name, trend, figures):
        at = {p: k for k, p in enumerate(trend.periods)} if trend else {}

        def series(name):  # on the county's quarters
            return [getattr(trend, name)[at[p]] if p in at else None for p in quarters]
        return Area(kind, code, name, series("villages"), series("poor_households"),
                    series("poor_population"), series("incidence"), series("poor_income"),
                    series("returned_households"), figures["poor"], figures["exited"],
                    figures["short"])

    areas = [area("county", county.adcode, county.name, by_zone.get(None),
                  villages.aggregate(**counts))]
    for row in villages.filter(zone__isnull=False).values("zone__code", "zone__name") \
            .annotate(**counts).order_by("zone__code"):
        areas.append(area("zone", row["zone__code"], row["zone__name"],
                          by_zone.get(row["zone__code"]), row))
    towns = dict(Town.objects.of_county(county).values_list("code", "name"))
    for row in villages.values("town__code").annotate(**counts).order_by("town__code"):
        areas.append(area("town", row["town__code"], towns[row["town__code"]],
                          by_town.get(row["town__code"]), row))
    county_trend = by_zone.get(None)
    return GoalsRun(targets, [f"{y}Q{q}" for y, q in quarters],
                    list(county_trend.income) if county_trend else [], areas, villages.count())
