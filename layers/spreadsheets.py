"""The one writer of CSV and XLSX files: layer exports, analysis tables, the exit assessment.

CSV is UTF-8 with a byte-order mark, so that Excel and WPS read Chinese. Codes are text cells
in XLSX, so that leading zeros survive an edit. Text is never written so that a spreadsheet
would run it as a formula (CSV or formula injection): a name typed as "=HYPERLINK(...)"
reaches Excel or WPS as the text it is.
"""
import csv
from dataclasses import dataclass

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def csv_text(value):
    """`value` for a CSV cell: text that starts like a formula gets a leading apostrophe, which
    Excel and WPS show as text."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(path, columns, rows):
    """`rows` (sequences, in the order of `columns`) under a header of `columns`."""
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([csv_text(value) for value in row] for row in rows)


@dataclass(frozen=True)
class Sheet:
    """A table on a sheet of its own: a header of `columns`, then `rows` (sequences)."""

    title: str
    columns: list
    rows: list
    text_columns: tuple = ()  # written as text cells: codes keep their leading zeros
    wide_columns: tuple = ()  # long text, wrapped in a wide column
    heading: str = ""  # with a heading, the sheet is laid out for printing on A4 paper
    frozen: str = "A2"  # the first cell that scrolls


def write_xlsx(path, sheets):
    """A workbook with one `Sheet` after another, written row by row (openpyxl's write-only
    mode: a register of 100,000 rows in seconds, not a minute)."""
    book = openpyxl.Workbook(write_only=True)
    for table in sheets:
        _fill(book.create_sheet(table.title[:31]), table)  # Excel's limit on a sheet's name
    book.save(path)


def _fill(sheet, table):
    """The sheet's layout first (write-only: before its rows), then the header and the rows,
    each cell styled as its column asks."""
    columns = list(table.columns)
    text = [column in table.text_columns for column in columns]
    wide = [column in table.wide_columns and bool(table.heading) for column in columns]
    sheet.freeze_panes = table.frozen
    if table.heading:
        _printable(sheet, table)
    header = [WriteOnlyCell(sheet, value=column) for column in columns]
    for cell in header if table.heading else ():
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    sheet.append(header)
    wrapped = Alignment(wrap_text=True, vertical="top")
    styled = any(text) or any(wide)
    for row in table.rows:
        if not styled and not any(isinstance(v, str) and v.startswith("=") for v in row):
            sheet.append(list(row))
            continue
        cells = []
        for value, as_text, is_wide in zip(row, text, wide):
            formula_like = isinstance(value, str) and value.startswith("=")
            if not (as_text or is_wide or formula_like):
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            if formula_like:
                cell.data_type = "s"  # text, not a formula
            if as_text:
                cell.number_format = "@"
            if is_wide:
                cell.alignment = wrapped
            cells.append(cell)
        sheet.append(cells)


def _printable(sheet, table):
    """On an A4 landscape page: a bold, shaded header (see _fill) repeated on every page, long
    text wrapped, fitted to the page's width, the heading above and page numbers below."""
    for index, column in enumerate(table.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = \
            48 if column in table.wide_columns else max(10, len(str(column)) + 2)
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = table.heading
    sheet.oddFooter.center.text = "&P / &N"
