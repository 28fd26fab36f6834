"""Quarterly village statistics (monitoring): imported all or nothing, kept, never
overwritten; trends per zone and for the county added up by hand; the villages that got worse.
The test quarters are in 2030, after the sample's own (2019-2020)."""
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from assessment.periods import import_periods, trends, worse
from layers.importing import ImportRefused
from layers.models import Village, VillagePeriod

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
def two(sample):
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


def test_the_sample_has_eight_quarters_ending_with_todays_figures(sample):
    assert VillagePeriod.objects.periods() == [(y, q) for y in (2019, 2020) for q in (1, 2, 3, 4)]
    for village in Village.objects.order_by("code")[:20]:
        last = village.periods.get(year=2020, quarter=4)
        assert (last.poor_households, last.poor_population) == (village.poor_households,
                                                                village.poor_population)


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
