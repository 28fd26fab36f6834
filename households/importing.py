"""Import the register of poor households from the spreadsheet a county keeps: one row per
member, the rows of a household joined by its code, as the household export of the national
poverty-alleviation information system lays them out (户编号, 姓名, 证件号码, 与户主关系, 人数,
贫困户属性, 脱贫状态, ...). XLSX or CSV (UTF-8 or GBK), Chinese or English headers, codes as text.

All or nothing: the first bad row refuses the whole file with its number and the reason. A
household new to the register is added with its members and a first status change on its
registration date; a household already held has its fields and members replaced by the file's,
and a status that differs from its own is appended to its log (dated by 状态变更日期, else the
day of the import), never written over. Given 年份, 季度 and 人均纯收入, the quarter's income of
each household is set. The county's village figures are then counted again (figures.recount).

Refusals name rows, never a person: a name or ID number is not repeated in a message.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from layers.datasets import Code, boolean, whole
from layers.importing import ImportOptions, ImportRefused, read

from .figures import recount
from .models import Cadre, Household, HouseholdEvent, HouseholdIncome, Member

SUFFIXES = (".xlsx", ".csv")
# Field -> the headers it is known by (matched without regard to case or spaces).
COLUMNS = {
    "code": ("户编号", "贫困户编号", "household_code"),
    "name": ("姓名", "成员姓名", "name"),
    "head_name": ("户主姓名", "head_name"),
    "id_number": ("证件号码", "身份证号码", "身份证号", "id_number"),
    "relation": ("与户主关系", "relation"),
    "size": ("人数", "家庭人口数", "household_size"),
    "kind": ("贫困户属性", "attribute"),
    "category": ("户类别", "帮扶类别", "category"),
    "status": ("脱贫状态", "贫困户状态", "status"),
    "status_on": ("状态变更日期", "status_date"),
    "village": ("村代码", "行政村代码", "village_code"),
    "sex": ("性别", "sex"),
    "birth_year": ("出生年份", "birth_year"),
    "in_school": ("在校生", "在校生状况", "in_school"),
    "disabled": ("残疾", "是否残疾", "disabled"),
    "subsistence": ("低保/特困", "低保特困", "subsistence"),
    "lives_alone": ("独居", "是否独居", "lives_alone"),
    "left_behind_child": ("留守儿童", "是否留守儿童", "left_behind_child"),
    "cadre_name": ("帮扶责任人", "cadre"),
    "cadre_unit": ("帮扶单位", "cadre_unit"),
    "cadre_phone": ("帮扶责任人联系电话", "联系电话", "cadre_phone"),
    "registered_on": ("识别时间", "登记日期", "registered_on"),
    "target_exit_year": ("计划脱贫年度", "计划脱贫年份", "target_exit_year"),
    "year": ("年份", "year"),
    "quarter": ("季度", "quarter"),
    "income": ("人均纯收入", "per_capita_income_yuan"),
    "enough_food": ("不愁吃", "enough_food"),
    "enough_clothing": ("不愁穿", "enough_clothing"),
    "education_assured": ("义务教育有保障", "education_assured"),
    "medical_care_assured": ("基本医疗有保障", "medical_care_assured"),
    "housing_safe": ("住房安全有保障", "housing_safe"),
}
REQUIRED = ("code", "name", "relation", "status", "village", "registered_on")
HEAD = "户主"
STATUSES = {"未脱贫": Household.Status.REGISTERED, "在册": Household.Status.REGISTERED,
            "已脱贫": Household.Status.EXITED, "脱贫": Household.Status.EXITED,
            "返贫": Household.Status.RETURNED, "新增": Household.Status.NEW,
            "新识别": Household.Status.NEW}
CATEGORIES = {"产业扶持": Household.Category.INDUSTRY_SUPPORT,
              "产业扶持户": Household.Category.INDUSTRY_SUPPORT,
              "民生保障": Household.Category.LIVELIHOOD_GUARANTEE,
              "民生保障户": Household.Category.LIVELIHOOD_GUARANTEE}
# The national system's 贫困户属性, where no 户类别 says the category: a household on 低保 or
# 特困 support is one whose livelihood is guaranteed, the others are helped by industry.
KINDS = {"一般贫困户": Household.Category.INDUSTRY_SUPPORT,
         "低保贫困户": Household.Category.LIVELIHOOD_GUARANTEE,
         "低保户": Household.Category.LIVELIHOOD_GUARANTEE,
         "特困供养贫困户": Household.Category.LIVELIHOOD_GUARANTEE,
         "特困供养户": Household.Category.LIVELIHOOD_GUARANTEE}
SEXES = {"男": Member.Sex.MALE, "m": Member.Sex.MALE, "male": Member.Sex.MALE,
         "女": Member.Sex.FEMALE, "f": Member.Sex.FEMALE, "female": Member.Sex.FEMALE}
ID_NUMBER = re.compile(r"\d{17}[\dX]|\d{15}")
MEMBER_FLAGS = ("in_school", "disabled", "subsistence", "lives_alone", "left_behind_child")
# What an import sets on a household already held (its code stays).
UPDATED = ("village", "head_name", "category", "cadre", "registered_on", "target_exit_year",
           "status", "synthetic", *Household.GUARANTEES)
BATCH = 5000


@dataclass(frozen=True)
class HouseholdImport:
    rows: int
    households: int
    created: int
    updated: int
    status_changes: int
    dry_run: bool

    def summary(self):
        verb = "Would import" if self.dry_run else "Imported"
        return (f"{verb} {self.households} households ({self.rows} members): {self.created} new, "
                f"{self.updated} updated, {self.status_changes} status changes")


def text(cell):
    return "" if cell is None else unicodedata.normalize("NFKC", str(cell)).strip()


def day(cell):
    """A date from a workbook's date, or text as 2014-05-10, 2014/5/10, 2014.5.10 or 20140510."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    value = text(cell)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", value) or \
        re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    try:
        return date(*map(int, match.groups()))
    except (AttributeError, ValueError):
        raise ValueError(_("%(value)s is not a date (2014-05-10)") % {"value": value[:20]}) \
            from None


def id_number(cell):
    """An ID number as given (18 characters, the last a digit or X; or the old 15 digits): its
    value is never quoted back."""
    value = text(cell).upper()
    if value and not ID_NUMBER.fullmatch(value):
        raise ValueError(_("the ID number is not 18 characters (digits, the last may be X) "
                           "nor 15 digits"))
    return value


def one_of(table, cell, column):
    value = text(cell)
    found = table.get(value) or table.get(value.casefold())
    if found is None:
        raise ValueError(_("%(column)s: %(value)s is not one of %(values)s")
                         % {"column": column, "value": value[:20], "values": "、".join(table)})
    return found


def import_households(path, dry_run=False, encoding=None, villages=None, user=None):
    """Import the register of `path` into the county of `villages` (a queryset of one county's
    villages; rows of other villages are refused) and return what was done. Raises
    ImportRefused with the row and the reason."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ImportRefused(_("a register of households comes as .xlsx or .csv, not %(name)s")
                            % {"name": path.name})
    records = read(ImportOptions("households", path, encoding=encoding)).records
    if not records:
        raise ImportRefused(_("the file has no rows"))
    headers = {"".join(h.split()).casefold(): h for h in records[0].properties}
    found = {field: next((headers[a.casefold()] for a in aliases if a.casefold() in headers), None)
             for field, aliases in COLUMNS.items()}
    missing = [COLUMNS[f][0] for f in REQUIRED if found[f] is None]
    if found["kind"] is None and found["category"] is None:
        missing.append(f"{COLUMNS['category'][0]}/{COLUMNS['kind'][0]}")
    if missing:
        raise ImportRefused(_("the file lacks the columns %(columns)s")
                            % {"columns": ", ".join(missing)})
    if (found["year"] or found["quarter"] or found["income"]) and not (
            found["year"] and found["quarter"] and found["income"]):
        raise ImportRefused(_("incomes need the three columns 年份, 季度 and 人均纯收入"))
    villages = {v.code: v for v in villages}
    households, ids = {}, {}
    for record in records:
        cells = {field: record.properties.get(header) for field, header in found.items() if header}
        try:
            row = _row(cells, villages)
        except ValueError as problem:
            raise ImportRefused(f"{record.label}: {problem}") from None
        if row["id_number"]:
            if row["id_number"] in ids:
                raise ImportRefused(_("%(row)s: the same ID number as %(first)s")
                                    % {"row": record.label, "first": ids[row["id_number"]]})
            ids[row["id_number"]] = record.label
        household = households.setdefault(row["code"], {"label": record.label, "rows": []})
        try:
            _join(household, row)
        except ValueError as problem:
            raise ImportRefused(f"{record.label}: {problem}") from None
    for code, household in households.items():
        _check_household(code, household)
    with transaction.atomic():
        report = _write(households, len(records), dry_run, user)
        if dry_run:
            transaction.set_rollback(True)
        elif households:
            recount(next(iter(villages.values())).county)
    return report


def _row(cells, villages):
    code = text(cells["code"])
    if not code or len(code) > Household._meta.get_field("code").max_length or not code.isalnum():
        raise ValueError(_("户编号 %(code)s is not a household code (letters and digits, at most "
                           "30)") % {"code": code[:40]})
    village = Code(12)(cells["village"])
    if village not in villages:
        raise ValueError(_("no village of this county has the code %(code)s") % {"code": village})
    row = {"code": code, "village": villages[village], "relation": text(cells["relation"]),
           "name": text(cells["name"]), "id_number": id_number(cells.get("id_number")),
           "status": one_of(STATUSES, cells["status"], COLUMNS["status"][0]),
           "registered_on": day(cells["registered_on"])}
    if not row["name"] or len(row["name"]) > 50:
        raise ValueError(_("姓名 is empty or longer than 50 characters"))
    if not row["relation"] or len(row["relation"]) > 20:
        raise ValueError(_("与户主关系 is empty or longer than 20 characters"))
    if text(cells.get("category")):
        row["category"] = one_of(CATEGORIES, cells["category"], COLUMNS["category"][0])
    else:
        row["category"] = one_of(KINDS, cells.get("kind"), COLUMNS["kind"][0])
    if text(cells.get("sex")):
        row["sex"] = one_of(SEXES, cells["sex"], COLUMNS["sex"][0])
    else:
        row["sex"] = _sex_from_id(row["id_number"])
    row["birth_year"] = (_whole(cells, "birth_year") if text(cells.get("birth_year"))
                         else _birth_year_from_id(row["id_number"]))
    if not 1900 <= row["birth_year"] <= timezone.localdate().year:
        raise ValueError(_("the year of birth %(year)d is not between 1900 and this year")
                         % {"year": row["birth_year"]})
    for flag in MEMBER_FLAGS + Household.GUARANTEES:
        row[flag] = boolean(cells[flag]) if text(cells.get(flag)) else None
    row["size"] = _whole(cells, "size") if text(cells.get("size")) else None
    row["status_on"] = day(cells["status_on"]) if text(cells.get("status_on")) else None
    row["target_exit_year"] = (_whole(cells, "target_exit_year")
                               if text(cells.get("target_exit_year")) else None)
    if row["target_exit_year"] is not None and not 2000 <= row["target_exit_year"] <= 2100:
        raise ValueError(_("计划脱贫年度 %(year)d is not between 2000 and 2100")
                         % {"year": row["target_exit_year"]})
    row["cadre"] = tuple(text(cells.get(f)) for f in ("cadre_name", "cadre_unit", "cadre_phone"))
    if any(len(value) > limit for value, limit in zip(row["cadre"], (50, 100, 20))):
        raise ValueError(_("a helper's name, unit or phone is too long"))
    row["head_name"] = text(cells.get("head_name"))
    row["income"] = None
    if text(cells.get("income")):
        year, quarter = _whole(cells, "year"), _whole(cells, "quarter")
        if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
            raise ValueError(_("%(year)dQ%(quarter)d is not a quarter") % {"year": year,
                                                                            "quarter": quarter})
        row["income"] = (year, quarter, _whole(cells, "income"))
    return row


def _whole(cells, field):
    try:
        return whole(cells[field])
    except ValueError as problem:
        raise ValueError(f"{COLUMNS[field][0]}: {problem}") from None


def _sex_from_id(number):
    if len(number) != 18:
        raise ValueError(_("性别 is empty and no 18-character ID number tells it"))
    return Member.Sex.MALE if int(number[16]) % 2 else Member.Sex.FEMALE


def _birth_year_from_id(number):
    if len(number) != 18:
        raise ValueError(_("出生年份 is empty and no 18-character ID number tells it"))
    return int(number[6:10])


# What every row of a household must agree on.
SHARED = ("village", "status", "category", "registered_on", "status_on", "target_exit_year",
          "cadre", "size", "income", *Household.GUARANTEES)


def _join(household, row):
    """Add a member's row to its household, refusing a row that disagrees with the first."""
    if household["rows"]:
        first = household["rows"][0]
        for field in SHARED:
            if row[field] is not None and first[field] is not None and row[field] != first[field]:
                raise ValueError(_("%(column)s differs from %(first)s, the household's first "
                                   "row") % {"column": COLUMNS.get(field, COLUMNS["cadre_name"])[0],
                                             "first": household["label"]})
        for field in SHARED:
            if first[field] is None:
                first[field] = row[field]
    household["rows"].append(row)


def _check_household(code, household):
    rows, label = household["rows"], household["label"]
    heads = [r for r in rows if r["relation"] == HEAD]
    if len(heads) != 1:
        raise ImportRefused(_("%(row)s: household %(code)s has %(n)d rows whose 与户主关系 is "
                              "户主, not one") % {"row": label, "code": code, "n": len(heads)})
    size = rows[0]["size"]
    if size is not None and size != len(rows):
        raise ImportRefused(_("%(row)s: household %(code)s has 人数 %(size)d but %(n)d members "
                              "in the file") % {"row": label, "code": code, "size": size,
                                                "n": len(rows)})
    stated = rows[0]["head_name"]
    if stated and stated != heads[0]["name"]:
        raise ImportRefused(_("%(row)s: household %(code)s: 户主姓名 is not the name of its "
                              "户主's row") % {"row": label, "code": code})
    household["head"] = heads[0]


def _write(households, row_count, dry_run, user):
    """Write the checked households in a few bulk statements (a county's register is tens of
    thousands of households)."""
    held = {h.code: h for h in Household.objects.select_for_update().filter(code__in=households)
            .select_related("village")}
    elsewhere = [code for code, h in held.items()
                 if h.village.county_id != households[code]["rows"][0]["village"].county_id]
    if elsewhere:
        raise ImportRefused(_("household %(code)s is another county's") % {"code": elsewhere[0]})
    today = timezone.localdate()
    cadres = _cadres(households)
    rows, changed, events, changes = [], [], [], 0
    for code, household in households.items():
        first = household["rows"][0]
        row = held.get(code) or Household(code=code)
        before = [getattr(row, f"{name}_id" if name in ("village", "cadre") else name)
                  for name in UPDATED]
        if row.pk is None:
            start = (Household.Status.NEW if first["status"] == Household.Status.NEW
                     else Household.Status.REGISTERED)
            events.append((code, start, first["registered_on"]))
            row.status = start
        if row.status != first["status"]:
            events.append((code, first["status"], first["status_on"] or today))
            changes += 1
        row.village, row.head_name = first["village"], household["head"]["name"]
        row.category, row.cadre = first["category"], cadres.get(first["cadre"])
        row.registered_on, row.target_exit_year = first["registered_on"], first["target_exit_year"]
        row.status, row.synthetic = first["status"], False
        for g in Household.GUARANTEES:
            setattr(row, g, bool(first[g]))
        rows.append(row)
        if row.pk is not None and before != [
                getattr(row, f"{name}_id" if name in ("village", "cadre") else name)
                for name in UPDATED]:
            changed.append(row)
    new = [r for r in rows if r.pk is None]
    Household.objects.bulk_create(new, batch_size=BATCH)
    _update(changed)
    by_code = {r.code: r for r in rows}
    Member.objects.filter(household__in=[r for r in rows if r.code in held]).delete()
    Member.objects.bulk_create((Member(
        household=by_code[code], name=r["name"], id_number=r["id_number"], relation=r["relation"],
        sex=r["sex"], birth_year=r["birth_year"], **{f: bool(r[f]) for f in MEMBER_FLAGS})
        for code, household in households.items() for r in household["rows"]), batch_size=BATCH)
    HouseholdEvent.objects.bulk_create((HouseholdEvent(
        household=by_code[code], status=status, on=on, recorded_by=user, note=_("imported"))
        for code, status, on in events), batch_size=BATCH)
    HouseholdIncome.objects.bulk_create(
        (HouseholdIncome(household=by_code[code], year=h["rows"][0]["income"][0],
                         quarter=h["rows"][0]["income"][1],
                         per_capita_income_yuan=h["rows"][0]["income"][2])
         for code, h in households.items() if h["rows"][0]["income"]),
        update_conflicts=True, unique_fields=("household", "year", "quarter"),
        update_fields=("per_capita_income_yuan",), batch_size=BATCH)
    return HouseholdImport(row_count, len(households), len(new), len(rows) - len(new), changes,
                           dry_run)


def _update(rows):
    """Write the UPDATED fields of `rows` (households held) in one UPDATE ... FROM (VALUES ...)
    per batch. Raw SQL: Django's bulk_update writes a CASE expression per field and row, which
    took 150 s for a county's register of 35,000 households; this takes seconds."""
    fields = [Household._meta.get_field(name) for name in UPDATED]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    assigned = ", ".join(f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}"
                         for f in fields)
    # Each value cast to its column's type: a VALUES list would take a NULL for text.
    row = "(%s::bigint, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    table = connection.ops.quote_name(Household._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            cursor.execute(
                f"UPDATE {table} AS h SET {assigned} FROM (VALUES {', '.join([row] * len(batch))}) "
                f"AS v(id, {columns}) WHERE h.id = v.id",
                [value for r in batch for value in (r.pk, *(getattr(r, f.attname) for f in fields))])


def _cadres(households):
    """The helpers the file names, by (name, unit, phone): those held found (by county, name
    and phone) and their unit brought up to date, the others added."""
    named = {}
    for household in households.values():
        first = household["rows"][0]
        if first["cadre"][0]:
            named[first["cadre"]] = first["village"].county
    if not named:
        return {}
    county = next(iter(named.values()))
    held = {(c.name, c.phone): c for c in Cadre.objects.of_county(county).filter(
        name__in={name for name, _unit, _phone in named})}
    found, new, changed = {}, [], []
    for name, unit, phone in named:
        cadre = held.get((name, phone))
        if cadre is None:
            cadre = held[(name, phone)] = Cadre(county=county, name=name, unit=unit, phone=phone)
            new.append(cadre)
        elif cadre.unit != unit:
            cadre.unit = unit
            changed.append(cadre)
        found[(name, unit, phone)] = cadre
    Cadre.objects.bulk_create(new)
    Cadre.objects.bulk_update(changed, ["unit"])
    return found
