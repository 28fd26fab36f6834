"""Importing a register of households as the national system exports it: one row per member,
grouped by 户编号; all or nothing, every kind of bad row refusing the whole file with its row;
a household's changed status appended to its log; the village figures counted again."""
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from households.importing import import_households
from households.models import Household, HouseholdEvent, HouseholdIncome, Member
from layers.importing import ImportRefused
from layers.models import Village, VillagePeriod

pytestmark = pytest.mark.django_db
HEADER = ["户编号", "姓名", "户主姓名", "证件号码", "与户主关系", "人数", "贫困户属性", "户类别",
          "脱贫状态", "村代码", "性别", "出生年份", "在校生", "残疾", "低保/特困", "独居",
          "留守儿童", "帮扶责任人", "帮扶单位", "帮扶责任人联系电话", "识别时间", "计划脱贫年度",
          "年份", "季度", "人均纯收入", "不愁吃", "不愁穿", "义务教育有保障", "基本医疗有保障",
          "住房安全有保障"]
CODE = "611021000000X1"  # no synthetic household's code has a letter


def rows(village, code=CODE, status="未脱贫"):
    """A household of three: the head (ID number 99...: no province's), a wife and a
    left-behind child in school; 2017Q2 income 2400 yuan."""
    common = dict(zip(HEADER, [code, "", "测试户主", "", "", 3, "一般贫困户", "", status, village,
                               "", "", "否", "否", "否", "否", "否", "测试干部", "县扶贫局",
                               "10000000000", "2014-05-10", 2018, 2017, 2, 2400, "是", "是",
                               "是", "是", "否"]))
    return [
        {**common, "姓名": "测试户主", "证件号码": "990000198001010011", "与户主关系": "户主"},
        {**common, "姓名": "测试妻子", "证件号码": "990000198203040022", "与户主关系": "配偶"},
        {**common, "姓名": "测试儿子", "证件号码": "990000201001050033", "与户主关系": "之子",
         "在校生": "是", "留守儿童": "是"},
    ]


def workbook(path, records, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for record in records:
        sheet.append([record.get(h) for h in header])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"
    book.save(path)
    return path


@pytest.fixture
def village(sample):
    return Village.objects.filter(poor_households__gt=0).order_by("code").first()


def imported(path, village, **kwargs):
    return import_households(path, villages=Village.objects.of_county(village.county), **kwargs)


def test_a_household_is_imported_with_its_members_and_counted(village, tmp_path):
    before = VillagePeriod.objects.get(village=village, year=2017, quarter=2)
    report = imported(workbook(tmp_path / "户.xlsx", rows(village.code)), village)
    assert (report.households, report.rows, report.created, report.updated) == (1, 3, 1, 0)
    household = Household.objects.get(code=CODE)
    assert (household.status, household.category, household.head_name) == (
        Household.Status.REGISTERED, Household.Category.INDUSTRY_SUPPORT, "测试户主")
    assert household.cadre.unit == "县扶贫局" and household.target_exit_year == 2018
    assert not household.housing_safe and household.enough_food
    child = household.members.get(relation="之子")
    # The sex and year of birth come from the ID number where the file leaves them empty.
    assert (child.sex, child.birth_year, child.left_behind_child, child.in_school) == (
        "M", 2010, True, True)
    assert list(household.events.values_list("status", "on")) == [
        (Household.Status.REGISTERED, household.registered_on)]
    # One household of three more in 2017Q2; its income 2400 is averaged in over its people.
    after = VillagePeriod.objects.get(village=village, year=2017, quarter=2)
    assert (after.poor_households, after.poor_population) == (
        before.poor_households + 1, before.poor_population + 3)
    expected = (before.poor_per_capita_income_yuan * before.poor_population + 2400 * 3) / (
        before.poor_population + 3)
    assert abs(after.poor_per_capita_income_yuan - expected) <= 0.5 + before.poor_population / (
        before.poor_population + 3) * 0.5


def test_a_changed_status_is_appended_and_the_members_replaced(village, tmp_path):
    imported(workbook(tmp_path / "a.xlsx", rows(village.code)), village)
    exited = [{**r, "状态变更日期": "2017/6/30"} for r in rows(village.code, status="已脱贫")[:2]]
    for r in exited:
        r["人数"] = 2
    header = HEADER + ["状态变更日期"]
    report = imported(workbook(tmp_path / "b.xlsx", exited, header), village)
    assert (report.created, report.updated, report.status_changes) == (0, 1, 1)
    household = Household.objects.get(code=CODE)
    assert household.status == Household.Status.EXITED
    assert [(e.status, str(e.on)) for e in household.events.all()] == [
        ("registered", "2014-05-10"), ("exited", "2017-06-30")]
    assert household.members.count() == 2
    assert HouseholdIncome.objects.filter(household=household).count() == 1


def test_a_gbk_csv_with_the_national_systems_columns(village, tmp_path):
    path = tmp_path / "户.csv"
    lines = [",".join(HEADER)] + [",".join(str(r[h]) for h in HEADER) for r in rows(village.code)]
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    assert imported(path, village, encoding="gbk").households == 1
    assert Member.objects.filter(household__code=CODE).count() == 3


def change(index, **cells):
    def edit(records):
        records[index].update(cells)
        return records
    return edit


BAD = [
    (change(1, 村代码="611021999999"), "row 3", "no village of this county"),
    (change(1, 村代码=61102110020), "row 3", "store codes as text"),
    (change(0, 脱贫状态="不知道"), "row 2", "脱贫状态"),
    (change(0, 贫困户属性="富裕户"), "row 2", "贫困户属性"),
    (change(2, 证件号码="12345"), "row 4", "ID number"),
    (change(2, 证件号码="990000198001010011"), "row 4", "the same ID number as row 2"),
    (change(2, 识别时间="去年"), "row 4", "not a date"),
    (lambda records: [{**r, "人数": 4} for r in records], "row 2", "人数 4 but 3 members"),
    (change(1, 与户主关系="户主"), "row 2", "not one"),
    (change(2, 脱贫状态="已脱贫"), "row 4", "differs from row 2"),
    (change(0, 人均纯收入="很多"), "row 2", "人均纯收入: 很多 is not a number"),
    (change(0, 出生年份=1800), "row 2", "not between 1900"),
    (change(0, 户主姓名="别人"), "row 2", "户主姓名"),
]


@pytest.mark.parametrize("edit, row, reason", BAD)
def test_each_bad_row_refuses_the_whole_file(village, tmp_path, english, edit, row, reason):
    records = edit(rows(village.code)) + rows(village.code, code="611021000000X2")[:1]
    records[-1].update(人数=1, 证件号码="990000197001010044", 姓名="另一户主", 户主姓名="另一户主")
    counts = (Household.objects.count(), Member.objects.count(), HouseholdEvent.objects.count())
    with pytest.raises(ImportRefused) as refused:
        imported(workbook(tmp_path / "bad.xlsx", records), village)
    message = str(refused.value)
    assert message.startswith(row) and reason in message, message
    # Nothing written, and no person's name or ID number repeated in the message.
    assert (Household.objects.count(), Member.objects.count(),
            HouseholdEvent.objects.count()) == counts
    assert "测试" not in message and "9900001" not in message


def test_missing_columns_and_a_dry_run(village, tmp_path, english):
    path = workbook(tmp_path / "few.xlsx", rows(village.code), HEADER[:5])
    with pytest.raises(ImportRefused, match="lacks the columns"):
        imported(path, village)
    report = imported(workbook(tmp_path / "dry.xlsx", rows(village.code)), village, dry_run=True)
    assert report.dry_run and report.created == 1
    assert not Household.objects.filter(code=CODE).exists()


def test_the_command_imports_and_refuses_in_one_line(village, tmp_path, english):
    out = io.StringIO()
    call_command("import_households", str(workbook(tmp_path / "a.xlsx", rows(village.code))),
                 stdout=out)
    assert out.getvalue().strip() == (
        "Imported 1 households (3 members): 1 new, 0 updated, 0 status changes")
    with pytest.raises(CommandError, match="may not do this"):
        call_command("import_households", str(tmp_path / "a.xlsx"), "--as", "official")
