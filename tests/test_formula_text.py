"""Names that look like spreadsheet formulas (hostile input): the imports refuse them,
but one typed in the admin must still reach Excel as text from every CSV and XLSX gisplan
writes, never as a formula that runs (CSV injection)."""
import csv

import openpyxl
import pytest

from access.runs import CoverageOptions, run_coverage
from access.tables import write_table
from assessment.report import write_report
from assessment.runs import run_assessment
from layers.exporting import ExportOptions, export_layer
from layers.models import Village
from layers.spreadsheets import csv_text

NAME = '=HYPERLINK("http://evil.example/","点击")'


@pytest.fixture
def hostile_village(sample):
    # A villagers' committee: every table lists it (the exit assessment leaves out the
    # residents' committees that were never poor villages).
    village = Village.objects.filter(kind="village").order_by("code").first()
    Village.objects.filter(pk=village.pk).update(name=NAME)
    return village.code


def cells_named(path, code):
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as table:
            return [row for row in csv.reader(table) if code in row or f"'{code}" in row][0]
    sheet = openpyxl.load_workbook(path).worksheets[0]
    row = next(r for r in sheet.iter_rows() if code in [c.value for c in r])
    assert all(c.data_type != "f" for c in row)  # no formula cell in the row
    return [c.value for c in row]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_table_writes_a_formula_like_name_as_text(hostile_village, tmp_path, suffix):
    layer = tmp_path / f"villages{suffix}"
    export_layer(ExportOptions("villages", layer))
    report = tmp_path / f"assessment{suffix}"
    write_report(run_assessment(), report)
    coverage = tmp_path / f"coverage{suffix}"
    run = run_coverage(CoverageOptions("health_check", "euclidean", 5000))
    write_table(run.rows(), coverage)
    # CSV: a leading apostrophe, which Excel shows as text; XLSX: a text cell holding the name.
    expected = "'" + NAME if suffix == ".csv" else NAME
    for path in (layer, report, coverage):
        assert expected in cells_named(path, hostile_village), path


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+86 123", "'+86 123"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-", "-"), ("—", "—"), ("白家村", "白家村"), (-3, -3), (None, None)])
def test_csv_text(value, written):
    assert csv_text(value) == written
