"""The assessment written to a file: CSV (one row per village, UTF-8 with a BOM for Excel) or an
XLSX workbook laid out for printing (villages, the priority list, household categories)."""
import csv
from datetime import date
from pathlib import Path

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from layers.spreadsheets import append_row, csv_row

SUFFIXES = (".csv", ".xlsx")
WIDE = ("standard_failed", "demonstration_failed", "record_vs_map", "what")  # wrapped text
HEADER = PatternFill("solid", fgColor="DDDDDD")


def write_report(run, path):
    """Write `run` (an AssessmentRun) to `path`, .csv or .xlsx."""
    path = Path(path)
    rows = list(run.rows())
    if path.suffix.lower() == ".csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.DictWriter(out, list(rows[0]) if rows else ["code"])
            writer.writeheader()
            writer.writerows(csv_row(row) for row in rows)
        return
    book = openpyxl.Workbook()
    today = date.today().isoformat()
    _sheet(book.active, _("Villages"), rows, _("Village exit assessment") + f" {today}")
    _sheet(book.create_sheet(), _("Priority"), run.priority(),
           _("Villages that fail, in order of priority") + f" {today}")
    _sheet(book.create_sheet(), _("Household categories"), run.categories(),
           _("Poor households by category") + f" {today}")
    book.save(path)


def _sheet(sheet, title, rows, heading):
    """One table on an A4 landscape page: a bold, shaded header repeated on every page, codes as
    text, long reasons wrapped, fitted to the page's width."""
    sheet.title = title
    columns = list(rows[0]) if rows else ["code"]
    sheet.append(columns)
    for row in rows:
        append_row(sheet, [row[c] for c in columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 48 if column in WIDE else max(10, len(column) + 2)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if column == "code":
                cell.number_format = "@"
            if column in WIDE:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = heading
    sheet.oddFooter.center.text = "&P / &N"
