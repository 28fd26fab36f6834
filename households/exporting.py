"""The register as a spreadsheet, in the column layout it is imported from (importing.py), so
that an export can be edited and imported again. With personal data (for holders of
SEE_PERSONAL_DATA) one row per member with names and ID numbers as stored; without, one row per
household and no person in it. Every export is logged (HouseholdExport) before it is written."""
from django.db.models import Count, Prefetch

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
    """(columns, rows) of `households` (a queryset), with personal data or without."""
    households = households.select_related("village", "cadre").order_by("code")
    if not personal:
        return HOUSEHOLD_COLUMNS, [
            [h.code, h.village.code, CATEGORY_WORDS[h.category], STATUS_WORDS[h.status], h.people,
             h.registered_on.isoformat(), h.target_exit_year or "",
             *(yes(getattr(h, g)) for g in Household.GUARANTEES)]
            for h in households.annotate(people=Count("members"))]
    rows = []
    for h in households.prefetch_related(Prefetch("members", Member.objects.order_by("pk"))):
        members = list(h.members.all())
        cadre = h.cadre or None
        for m in members:
            rows.append([
                h.code, m.name, h.head_name, m.id_number, m.relation, len(members),
                CATEGORY_WORDS[h.category], STATUS_WORDS[h.status], h.village.code,
                SEX_WORDS[m.sex], m.birth_year, *(yes(getattr(m, f)) for f in MEMBER_FLAGS),
                cadre.name if cadre else "", cadre.unit if cadre else "",
                cadre.phone if cadre else "", h.registered_on.isoformat(),
                h.target_exit_year or "", *(yes(getattr(h, g)) for g in Household.GUARANTEES)])
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
