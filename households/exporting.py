"""The register as a spreadsheet, in the column layout it is imported from (importing.py), so
that an export can be edited and imported again. With personal data (for holders of
SEE_PERSONAL_DATA) one row per member with names and ID numbers as stored; without, one row per
household and no person in it. Every export is logged (HouseholdExport) before it is written."""
from django.db.models import Count

from layers.spreadsheets import Sheet, write_csv, write_xlsx

from .models import SEE_PERSONAL_DATA, Household, HouseholdExport, Member

FORMATS = ("csv", "xlsx")
STATUS_WORDS = {Household.Status.REGISTERED: "未脱贫", Household.Status.EXITED: "已脱贫",
                Household.Status.RETURNED: "返贫", Household.Status.NEW: "新增"}
CATEGORY_WORDS = {Household.Category.INDUSTRY_SUPPORT: "产业扶持户",
                  Household.Category.LIVELIHOOD_GUARANTEE: "民生保障户"}
GUARANTEE_COLUMNS = ["不愁吃", "不愁穿", "义务教育有保障", "基本医疗有保障", "住房安全有保障"]
HOUSEHOLD_COLUMNS = ["户编号", "村代码", "户类别", "脱贫状态", "人数", "识别时间", "计划脱贫年度",
                     *GUARANTEE_COLUMNS]
MEMBER_COLUMNS = ["户编号", "姓名", "户主姓名", "证件号码", "与户主关系", "人数", "户类别", "脱贫状态",
                  "村代码", "性别", "出生年份", "在校生", "残疾", "低保/特困", "独居", "留守儿童",
                  "帮扶责任人", "帮扶单位", "帮扶责任人联系电话", "识别时间", "计划脱贫年度",
                  *GUARANTEE_COLUMNS]
SEX_WORDS = {Member.Sex.MALE: "男", Member.Sex.FEMALE: "女"}
MEMBER_FLAGS = ("in_school", "disabled", "subsistence", "lives_alone", "left_behind_child")


def yes(value):
    return "是" if value else "否"


def export_rows(households, personal):
    """(columns, rows) of `households` (a queryset), with personal data or without. Read as
    plain values, in two queries: a register has tens of thousands of households."""
    households = households.order_by("code")
    people = households.annotate(people=Count("members"))
    if not personal:
        return HOUSEHOLD_COLUMNS, [
            [code, village, CATEGORY_WORDS[category], STATUS_WORDS[status], n,
             registered.isoformat(), target or "", *map(yes, met)]
            for code, village, category, status, n, registered, target, *met in people.values_list(
                "code", "village__code", "category", "status", "people", "registered_on",
                "target_exit_year", *Household.GUARANTEES)]
    sizes = dict(people.values_list("pk", "people"))
    at = "household__"
    rows = []
    for (household, code, name, head, id_number, relation, category, status, village, sex,
         birth_year, *rest) in Member.objects.filter(household__in=households).order_by(
            f"{at}code", "pk").values_list(
            "household_id", f"{at}code", "name", f"{at}head_name", "id_number", "relation",
            f"{at}category", f"{at}status", f"{at}village__code", "sex", "birth_year",
            *MEMBER_FLAGS, f"{at}cadre__name", f"{at}cadre__unit", f"{at}cadre__phone",
            f"{at}registered_on", f"{at}target_exit_year",
            *(at + g for g in Household.GUARANTEES)):
        flags, rest = rest[:len(MEMBER_FLAGS)], rest[len(MEMBER_FLAGS):]
        cadre_name, unit, phone, registered, target, *met = rest
        rows.append([code, name, head, id_number, relation, sizes[household],
                     CATEGORY_WORDS[category], STATUS_WORDS[status], village, SEX_WORDS[sex],
                     birth_year, *map(yes, flags), cadre_name or "", unit or "", phone or "",
                     registered.isoformat(), target or "", *map(yes, met)])
    return MEMBER_COLUMNS, rows


def export_households(path, fmt, households, user, county):
    """Write `households` to `path` as `fmt`, with personal data if `user` may see it (None: a
    command, which may), after logging the export."""
    personal = user is None or user.has_perm(SEE_PERSONAL_DATA)
    columns, rows = export_rows(households, personal)
    HouseholdExport.objects.create(user=user, county=county.adcode, format=fmt, rows=len(rows),
                                   personal=personal)
    if fmt == "csv":
        write_csv(path, columns, rows)
    else:
        write_xlsx(path, [Sheet("贫困户", columns, rows,
                                text_columns=("户编号", "村代码", "证件号码", "帮扶责任人联系电话"))])
    return len(rows)
