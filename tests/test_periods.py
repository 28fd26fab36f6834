"""Quarterly village statistics (monitoring): imported all or nothing, kept, never
overwritten; trends per zone and for the county added up by hand; the villages that got worse;
the sample's quarters against the county report; a quarter keyed by the official codes.
The test quarters are in 2030, after the sample's own (2014Q1 to 2017Q2)."""
import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from assessment.periods import import_periods, trends, worse
from layers.importing import ImportRefused
from layers.models import Village, VillagePeriod
from layers.naming import village_label

from .conftest import log_in

pytestmark = pytest.mark.django_db
HEADER = ["村代码", "年份", "季度", "贫困户数", "贫困人口", "人均纯收入", "贫困户人均纯收入",
          "脱贫户数", "返贫户数", "新增贫困户数"]


def workbook(path, rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        sheet.cell(sheet.max_row, 1).number_format = "@"
    book.save(path)
    return path


@pytest.fixture
def imported(sample):
    """The sample county as one without a register of households: its village figures are
    imported (the sample's are counted from its households: tests/test_households.py)."""
    VillagePeriod.objects.update(from_register=False)


@pytest.fixture
def two(imported):
    """A village of the East zone and one of the West, with populations set by hand."""
    a = Village.objects.filter(zone__code="E").order_by("code").first()
    b = Village.objects.filter(zone__code="W").order_by("code").first()
    Village.objects.filter(pk=a.pk).update(population=1000)
    Village.objects.filter(pk=b.pk).update(population=3000)
    return a.code, b.code


def test_a_quarter_is_imported_and_kept_not_overwritten(two, tmp_path, english):
    a, b = two
    path = workbook(tmp_path / "2030Q1.xlsx", [[a, 2030, 1, 30, 100, 9000, 5000, 2, 0, 1],
                                                [b, 2030, 1, 60, 200, 9500, 5200, 4, 1, 0]])
    report = import_periods(path)
    assert (report.rows, report.periods) == (2, [(2030, 1)])
    stored = VillagePeriod.objects.get(village__code=b, year=2030, quarter=1)
    assert (stored.poor_population, stored.returned_households) == (200, 1)
    before = VillagePeriod.objects.count()
    with pytest.raises(ImportRefused, match=f"row 2: village {a} already has figures for 2030Q1; "
                                            "they are kept, not overwritten"):
        import_periods(path)
    assert VillagePeriod.objects.count() == before


@pytest.mark.parametrize("rows, message", [
    ([["999999999999", 2030, 1, 1, 1, 1, 1, 0, 0, 0]], "row 2: no village has the code"),
    ([["12345", 2030, 1, 1, 1, 1, 1, 0, 0, 0]], "row 2: 12345 is not a code of 12 digits"),
    ([["A", 2030, 5, 1, 1, 1, 1, 0, 0, 0]], "row 2: the quarter 5 is not 1, 2, 3 or 4"),
    ([["A", 2030, 1, -1, 1, 1, 1, 0, 0, 0]], "row 2: 贫困户数: -1 is not a whole number"),
    ([["A", 2030, 1, 1, 5000, 1, 1, 0, 0, 0]], "row 2: the poor population 5000 is more than"),
    ([["A", 2030, 1, 1, 1, 3_000_000_000, 1, 0, 0, 0]], "row 2: 人均纯收入: 3000000000 is too large"),
    ([["A", 2030, 1, 1, 1, 1, 1, 0, 0, 0], ["B", 2030, 2, 1, 1, 1, 1, 0, 0, 0],
      ["A", 2030, 1, 2, 2, 2, 2, 0, 0, 0]], "row 4: village A has 2030Q1 already in row 2"),
])
def test_one_bad_row_rejects_the_whole_file(two, tmp_path, english, rows, message):
    a, b = two
    rows = [[{"A": a, "B": b}.get(r[0], r[0]), *r[1:]] for r in rows]
    message = message.replace("village A", f"village {a}")
    before = VillagePeriod.objects.count()
    with pytest.raises(ImportRefused, match=message):
        import_periods(workbook(tmp_path / "bad.xlsx", rows))
    assert VillagePeriod.objects.count() == before


def test_a_file_without_the_needed_columns_is_refused(two, tmp_path, english):
    path = workbook(tmp_path / "x.xlsx", [[two[0], 2030]], header=["村代码", "年份"])
    with pytest.raises(ImportRefused, match="lacks the columns quarter, poor_households"):
        import_periods(path)


def test_trends_add_up_by_hand(two, tmp_path):
    a, b = two
    import_periods(workbook(tmp_path / "q.xlsx", [
        [a, 2030, 1, 30, 100, 9000, 5000, 2, 0, 1], [b, 2030, 1, 60, 200, 9500, 5200, 4, 1, 0],
        [a, 2030, 2, 25, 80, 9200, 5100, 5, 0, 0], [b, 2030, 2, 62, 210, 9600, 5300, 0, 2, 0]]))
    county, east, west = (t for t in trends(VillagePeriod.objects.filter(year=2030)))
    assert (county.zone, east.zone, west.zone) == (None, "E", "W")
    assert county.periods == [(2030, 1), (2030, 2)]
    assert county.poor_population == [300, 290]  # 100 + 200, 80 + 210
    assert county.poor_households == [90, 87]  # 30 + 60, 25 + 62
    assert county.returned_households == [1, 2] and county.exited_households == [6, 5]
    assert county.new_households == [1, 0]
    assert county.incidence == pytest.approx([300 / 4000, 290 / 4000])  # 1,000 + 3,000 people
    assert (east.poor_population, west.poor_population) == ([100, 80], [200, 210])
    assert county.villages == [2, 2] and east.villages == [1, 1]
    # Income averaged over the people: (9000 * 1000 + 9500 * 3000) / 4000 = 9375; the poor's
    # over the poor: (5000 * 100 + 5200 * 200) / 300 = 5133.3.
    assert county.income[0] == pytest.approx(9375)
    assert county.poor_income[0] == pytest.approx((5000 * 100 + 5200 * 200) / 300)


def test_fewer_poor_but_households_back_in_poverty_is_worse_too(two, tmp_path):
    a, _ = two
    import_periods(workbook(tmp_path / "q.xlsx", [[a, 2030, 1, 30, 100, 9000, 5000, 0, 0, 0],
                                                   [a, 2030, 2, 28, 95, 9000, 5000, 3, 1, 0]]))
    [row] = worse(VillagePeriod.objects.filter(year=2030))
    assert (row["change"], row["returned_households"]) == (-5, 1)


def test_only_the_two_latest_quarters_held_are_compared(two, tmp_path):
    # b stopped reporting after 2030Q1, when it got worse: it is not "worse in the latest
    # quarter", which compares 2030Q2 with 2030Q3.
    a, b = two
    import_periods(workbook(tmp_path / "q.xlsx", [
        [b, 2030, 1, 60, 250, 9500, 5200, 0, 3, 0],
        [a, 2030, 2, 30, 100, 9000, 5000, 0, 0, 0], [a, 2030, 3, 25, 80, 9200, 5100, 5, 0, 0]]))
    assert worse(VillagePeriod.objects.filter(year=2030)) == []


def test_the_villages_that_got_worse(two, tmp_path):
    a, b = two
    import_periods(workbook(tmp_path / "q.xlsx", [
        [a, 2030, 1, 30, 100, 9000, 5000, 0, 0, 0], [a, 2030, 2, 25, 80, 9200, 5100, 5, 0, 0],
        [b, 2030, 1, 60, 200, 9500, 5200, 0, 0, 0], [b, 2030, 2, 62, 210, 9600, 5300, 0, 2, 0]]))
    rows = worse(VillagePeriod.objects.filter(year=2030))
    # a improved (100 -> 80, nobody back in poverty); b has 10 more poor people and 2
    # households back in poverty.
    assert [(r["code"], r["change"], r["returned_households"]) for r in rows] == [(b, 10, 2)]
    assert (rows[0]["from"], rows[0]["to"]) == ("2030Q1", "2030Q2")


def test_the_sample_is_dated_on_the_reports_timeline(sample):
    # The county report (data/README.md) speaks in mid-2017: 27,000 poor households and 86,000
    # poor people, "23.7% fewer than in 2013". So the quarters run from 2014Q1 to 2017Q2 (14),
    # the last one holding every village's figures today.
    assert VillagePeriod.objects.periods() == [(2014, q) for q in (1, 2, 3, 4)] + [
        (2015, q) for q in (1, 2, 3, 4)] + [(2016, q) for q in (1, 2, 3, 4)] + [(2017, 1), (2017, 2)]
    latest = VillagePeriod.objects.filter(year=2017, quarter=2)
    assert latest.count() == Village.objects.count() == 247
    assert latest.aggregate(h=Sum("poor_households"), p=Sum("poor_population")) == {
        "h": 27_000, "p": 86_000}
    for village in Village.objects.all():
        last = village.periods.get(year=2017, quarter=2)
        assert (last.poor_households, last.poor_population) == (village.poor_households,
                                                                village.poor_population)
    # The end of 2013: each village's poor households before 2014Q1's flows (walking back:
    # + left poverty - returned - new), at its persons per poor household today (every village
    # of the sample has poor households).
    before = sum(round((p.poor_households + p.exited_households - p.returned_households
                        - p.new_households) * p.village.poor_population / p.village.poor_households)
                 for p in VillagePeriod.objects.filter(year=2014, quarter=1).select_related("village"))
    # 86,000 / (1 - 0.237) = 112,713. The report's 23.7% is rounded to a tenth of a percent, so
    # any count from 112,639 (86,000 / 0.7635) to 112,786 (86,000 / 0.7625) fits it; the sample
    # aims at 112,713 and misses only by each village's rounding to whole households.
    assert round(100 * (1 - 86_000 / before), 1) == 23.7
    assert abs(before - 112_713) < 75
    # The poor fall from quarter to quarter, as households leave poverty.
    county = next(t for t in trends(VillagePeriod.objects.all()) if t.zone is None)
    assert county.poor_population[-1] == 86_000
    assert all(a > b for a, b in zip(county.poor_population, county.poor_population[1:]))


def test_exit_years_and_targets_fit_the_timeline(sample):
    # The report: every poor village is to exit by 2019. Villages that exited did so from 2014
    # to 2017 (the present is 2017Q2), and by the end of their exit year their incidence was
    # below the 3% line it had been above at the start of 2014.
    assert set(Village.objects.poor().values_list("target_year", flat=True)) <= {2018, 2019}
    exited = Village.objects.exited()
    assert exited.exists() and set(exited.values_list("exit_year", flat=True)) <= {2014, 2015, 2016, 2017}
    for village in exited:
        first = village.periods.get(year=2014, quarter=1)
        at_exit = village.periods.get(year=village.exit_year, quarter=4 if village.exit_year < 2017 else 2)
        assert first.poor_population >= 0.03 * village.population, village
        assert at_exit.poor_population < 0.03 * village.population, village


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def test_a_quarter_keyed_by_the_official_codes_lands_on_the_right_villages(imported, tmp_path):
    # The next quarter, 2017Q3, for every committee of Luonan in the statistics bureau's list
    # (../shared/data/real/shaanxi_villages_stats2023.csv), as a county office would send it:
    # the official 12-digit codes, as text. 2 poor households of 5 people each, fewer than any
    # village's registered population.
    with (SHARED / "shaanxi_villages_stats2023.csv").open(encoding="utf-8", newline="") as f:
        official = [r for r in csv.DictReader(f) if r["areaCode"] == "611021"]
    path = tmp_path / "2017Q3.csv"
    path.write_text(",".join(HEADER) + "\n" + "".join(
        f"{r['code']},2017,3,2,5,10000,6000,0,0,0\n" for r in official), encoding="utf-8")
    out = io.StringIO()
    call_command("import_periods", str(path), stdout=out)
    assert "Imported 247 rows for 2017Q3" in out.getvalue()
    landed = VillagePeriod.objects.filter(year=2017, quarter=3)
    assert set(landed.values_list("village__code", "village__town__code")) == {
        (r["code"], r["streetCode"]) for r in official}
    # Two of the three 王村 of the county, told apart by their codes: 古城镇's and 永丰镇's.
    for code, town in (("611021102202", "古城镇"), ("611021114214", "永丰镇")):
        row = landed.annotate(label=village_label("village__")).get(village__code=code)
        assert (row.village.name, row.village.town.name, row.label) == ("王村", town, f"王村（{town}）")


def test_the_command_imports_and_refuses(two, tmp_path, english):
    a, _ = two
    path = workbook(tmp_path / "q.xlsx", [[a, 2030, 3, 1, 1, 1, 1, 0, 0, 0]])
    out = io.StringIO()
    call_command("import_periods", str(path), "--dry-run", stdout=out)
    assert "Would import 1 rows for 2030Q3" in out.getvalue()
    assert not VillagePeriod.objects.filter(year=2030).exists()
    call_command("import_periods", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="kept, not overwritten"):
        call_command("import_periods", str(path))
    with pytest.raises(CommandError, match="as .xlsx or .csv"):
        call_command("import_periods", str(tmp_path / "q.pdf"))


def test_the_api_imports_for_planners_and_gives_trends_to_all(two, client, tmp_path):
    a, _ = two
    path = workbook(tmp_path / "q.xlsx", [[a, 2030, 4, 1, 1, 1, 1, 0, 0, 0]])
    with open(path, "rb") as upload:
        assert log_in(client, "official").post("/api/assessment/periods/",
                                                {"file": upload}).status_code == 403
    with open(path, "rb") as upload:
        response = log_in(client, "planner").post("/api/assessment/periods/", {"file": upload})
    assert response.status_code == 201 and response.json()["periods"] == ["2030Q4"]
    with open(path, "rb") as upload:
        again = client.post("/api/assessment/periods/", {"file": upload})
    assert again.status_code == 400 and "kept, not overwritten" in again.json()["error"]
    data = log_in(client, "official").get("/api/assessment/trends/").json()
    county = data["trends"][0]
    assert county["zone"] is None and county["periods"][-1] == "2030Q4"
    assert "worse" in data


def test_a_file_that_is_not_a_workbook_is_refused(sample, tmp_path, english):
    path = tmp_path / "q.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ImportRefused, match="cannot read q.xlsx"):
        import_periods(path)


def test_a_gbk_csv_reads_with_its_encoding(two, tmp_path):
    a, _ = two
    path = tmp_path / "q.csv"
    path.write_bytes((",".join(HEADER) + f"\n{a},2030,1,3,9,9000,5000,0,0,0\n").encode("gbk"))
    assert import_periods(path, encoding="gbk").rows == 1


def test_an_unknown_encoding_is_refused(two, tmp_path, english):
    path = tmp_path / "q.csv"
    path.write_text(",".join(HEADER), encoding="utf-8")
    with pytest.raises(ImportRefused, match="unknown encoding: klingon"):
        import_periods(path, encoding="klingon")


def test_the_schema_documents_trends_and_imports(sample, client):
    paths = log_in(client, "official").get("/api/schema/").json()["paths"]
    assert "get" in paths["/api/assessment/trends/"]
    assert "post" in paths["/api/assessment/periods/"]
