"""Quarterly village statistics: a spreadsheet of one quarter's (or several quarters') figures
keyed by village code, imported all or nothing and never over figures already held; and the
trends they show per zone and for the county."""
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from layers.datasets import Code, whole
from layers.importing import ImportOptions, ImportRefused, read
from layers.models import Village, VillagePeriod
from layers.naming import village_label

# Model field -> the headers it is known by (matched without regard to case).
COLUMNS = {
    "code": ("code", "村代码", "行政村代码", "village_code"),
    "year": ("year", "年份", "年度"),
    "quarter": ("quarter", "季度"),
    "poor_households": ("poor_households", "贫困户数", "贫困户"),
    "poor_population": ("poor_population", "贫困人口"),
    "per_capita_income_yuan": ("per_capita_income_yuan", "人均纯收入"),
    "poor_per_capita_income_yuan": ("poor_per_capita_income_yuan", "贫困户人均纯收入"),
    "exited_households": ("exited_households", "脱贫户数", "脱贫户"),
    "returned_households": ("returned_households", "返贫户数", "返贫户"),
    "new_households": ("new_households", "新增贫困户数", "新增贫困户"),
}
OPTIONAL = ("exited_households", "returned_households", "new_households")  # 0 when absent
SUFFIXES = (".xlsx", ".csv")
LARGEST = 2**31 - 1  # the database's integer columns


@dataclass(frozen=True)
class PeriodImport:
    rows: int
    periods: list  # (year, quarter) pairs, in order
    dry_run: bool


def import_periods(path, dry_run=False, encoding=None, villages=None):
    """Import the quarterly figures of `path` (.xlsx, or .csv in `encoding`: by default UTF-8
    or GB18030, whichever reads) for the village committees of `villages` (a queryset: a
    county's, those of a user's region; None: every county's, each row's county by its code),
    and return what was read.

    The first bad row refuses the whole file with its number and the reason
    (ImportRefused): an unknown or malformed village code, a year or quarter out of range, a
    figure that is not a whole number, a poor population above the village's, the same
    village and quarter twice, a village and quarter already held (kept, not overwritten), or a
    village whose figures are counted from its register of households (households.figures).
    """
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ImportRefused(_("quarterly statistics come as .xlsx or .csv, not %(name)s")
                            % {"name": path.name})
    records = read(ImportOptions("periods", path, encoding=encoding)).records
    if not records:
        raise ImportRefused(_("the file has no rows"))
    headers = {h.casefold(): h for h in records[0].properties}
    found = {field: next((headers[a.casefold()] for a in aliases if a.casefold() in headers), None)
             for field, aliases in COLUMNS.items()}
    missing = [field for field, header in found.items() if header is None and field not in OPTIONAL]
    if missing:
        raise ImportRefused(_("the file lacks the columns %(columns)s")
                            % {"columns": ", ".join(missing)})
    villages = {v.code: v for v in (Village.objects.all() if villages is None else villages)}
    held = set(VillagePeriod.objects.values_list("village__code", "year", "quarter"))
    counted = set(VillagePeriod.objects.filter(from_register=True).values_list("village__code",
                                                                               flat=True))
    seen, periods = {}, []
    for record in records:
        try:
            values = _values(record.properties, found, villages)
        except ValueError as problem:
            raise ImportRefused(f"{record.label}: {problem}") from None
        key = (values["village"].code, values["year"], values["quarter"])
        quarter = f"{values['year']}Q{values['quarter']}"
        if key in seen:
            raise ImportRefused(_("%(row)s: village %(code)s has %(quarter)s already in "
                                  "%(first)s") % {"row": record.label, "code": key[0],
                                                  "quarter": quarter, "first": seen[key]})
        if key in held:
            raise ImportRefused(_("%(row)s: village %(code)s already has figures for "
                                  "%(quarter)s; they are kept, not overwritten")
                                % {"row": record.label, "code": key[0], "quarter": quarter})
        seen[key] = record.label
        periods.append(VillagePeriod(**values))
    # Checked once the file's own rows are: a village of a county that keeps a register.
    for (code, _year, _quarter), label in seen.items():
        if code in counted:
            raise ImportRefused(_("%(row)s: village %(code)s's figures are counted from its "
                                  "register of households, not imported")
                                % {"row": label, "code": code})
    if not dry_run:
        try:
            with transaction.atomic():
                VillagePeriod.objects.bulk_create(periods)
        except IntegrityError:  # another import of the same quarter got there first
            raise ImportRefused(_("figures for these quarters were imported meanwhile; they are "
                                  "kept, not overwritten")) from None
    return PeriodImport(len(periods), sorted({(p.year, p.quarter) for p in periods}), dry_run)


def _values(properties, found, villages):
    cell = properties.get(found["code"])
    code = Code(12)(cell)
    if code not in villages:
        if isinstance(cell, (int, float)):  # 6.1e11 in a workbook: digits lost to a number
            raise ValueError(_("no village has the code %(code)s (store codes as text: a number "
                               "loses leading zeros and digits)") % {"code": code})
        raise ValueError(_("no village has the code %(code)s") % {"code": code})
    values = {"village": villages[code]}
    for field, header in found.items():
        if field == "code":
            continue
        cell = properties.get(header) if header else None
        if cell is None or str(cell).strip() == "":
            if field in OPTIONAL:
                values[field] = 0
                continue
            raise ValueError(_("%(column)s is empty") % {"column": header})
        try:
            values[field] = whole(cell)
        except ValueError as problem:
            raise ValueError(f"{header}: {problem}") from None
        if values[field] > LARGEST:
            raise ValueError(_("%(column)s: %(value)d is too large") % {"column": header,
                                                                       "value": values[field]})
    if not 2000 <= values["year"] <= 2100:
        raise ValueError(_("the year %(year)d is not between 2000 and 2100") % values)
    if not 1 <= values["quarter"] <= 4:
        raise ValueError(_("the quarter %(quarter)d is not 1, 2, 3 or 4") % values)
    village = values["village"]
    if values["poor_population"] > village.population:
        raise ValueError(_("the poor population %(poor)d is more than the village's registered "
                           "population %(population)d")
                         % {"poor": values["poor_population"], "population": village.population})
    return values


@dataclass(frozen=True)
class Trend:
    """The county's (or a zone's) figures quarter by quarter, over the villages reporting."""

    zone: str | None  # the zone's code (or the group's, trends(by=...)); None for the county
    periods: list  # (year, quarter)
    villages: list  # villages reporting
    poor_households: list
    poor_population: list
    exited_households: list
    returned_households: list
    new_households: list
    incidence: list  # poor population over the registered population (None: nobody)
    income: list  # per-capita net income, averaged over the people of villages that have one
    poor_income: list  # the poor's per-capita net income, averaged over the poor with one
    # (None: nobody)


FIGURES = ("poor_households", "poor_population", "exited_households", "returned_households",
           "new_households")


def trends(periods, by="village__zone__code"):
    """A Trend for the county and one per zone of the plan in force (or per group of villages
    `by` names, such as "village__town__code"), from the quarters held in `periods` (a county's
    VillagePeriod rows)."""
    rows = periods.values_list(
        "year", "quarter", by, "village__population",
        "per_capita_income_yuan", "poor_per_capita_income_yuan", *FIGURES)
    sums = {}  # zone (None: the county) -> quarter -> dict of sums
    for year, quarter, zone, population, income, poor_income, *figures in rows:
        for key in {None, zone}:
            total = sums.setdefault(key, {}).setdefault((year, quarter), dict.fromkeys(
                ("villages", "population", "income", "earning", "poor_income", "poor_earning",
                 *FIGURES), 0))
            total["villages"] += 1
            total["population"] += population
            if income is not None:  # counted from households: the village-wide income unknown
                total["income"] += income * population
                total["earning"] += population
            if poor_income is not None:
                total["poor_income"] += poor_income * figures[1]
                total["poor_earning"] += figures[1]
            for name, value in zip(FIGURES, figures):
                total[name] += value
    out = []
    for key in sorted(sums, key=lambda k: (k is not None, k or "")):
        periods = sorted(sums[key])
        q = [sums[key][p] for p in periods]
        out.append(Trend(
            key, periods, [t["villages"] for t in q], *([t[name] for t in q] for name in FIGURES),
            [t["poor_population"] / t["population"] if t["population"] else None for t in q],
            [t["income"] / t["earning"] if t["earning"] else None for t in q],
            [t["poor_income"] / t["poor_earning"] if t["poor_earning"] else None for t in q]))
    return out


def worse(periods):
    """Villages worse in the latest quarter held in `periods` (a county's VillagePeriod rows)
    than in the one before: more poor people, or households back in poverty. Dicts with the two
    quarters' figures (the village named by its label), the worst first."""
    rows = periods
    latest = rows.periods()[-2:]
    if len(latest) < 2:
        return []
    (y0, q0), (y1, q1) = latest
    figures = {}
    for code, name, zone, year, quarter, poor, returned in rows.filter(
            year__in={y0, y1}).annotate(label=village_label("village__")).values_list(
                "village__code", "label", "village__zone__name", "year", "quarter",
                "poor_population", "returned_households"):
        if (year, quarter) in latest:
            figures.setdefault((code, name, zone), {})[(year, quarter)] = (poor, returned)
    out = []
    for (code, name, zone), by_quarter in figures.items():
        if len(by_quarter) < 2:
            continue  # not reported in both quarters
        (before, _returned_before), (after, returned) = by_quarter[(y0, q0)], by_quarter[(y1, q1)]
        if after > before or returned > 0:
            out.append({"code": code, "name": name, "zone": zone or "",
                        "from": f"{y0}Q{q0}", "to": f"{y1}Q{q1}", "poor_before": before,
                        "poor_after": after, "change": after - before,
                        "returned_households": returned})
    return sorted(out, key=lambda r: (-r["change"], -r["returned_households"], r["code"]))
