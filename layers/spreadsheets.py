"""The one writer of CSV and XLSX files: layer exports, analysis tables, the exit assessment.

CSV is UTF-8 with a byte-order mark, so that Excel and WPS read Chinese. Codes are text cells
in XLSX, so that leading zeros survive an edit. Text is never written so that a spreadsheet
would run it as a formula (CSV or formula injection): a name typed as "=HYPERLINK(...)"
reaches Excel or WPS as the text it is.
"""
import csv
from dataclasses import dataclass

import openpyxl
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
    """A workbook with one `Sheet` after another."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in sheets:
        _fill(book.create_sheet(table.title[:31]), table)  # Excel's limit on a sheet's name
    book.save(path)


def _fill(sheet, table):
    sheet.append(list(table.columns))
    for row in table.rows:
        sheet.append([_text_cell(sheet, value) if isinstance(value, str) and value.startswith("=")
                      else value for value in row])
    for index, column in enumerate(table.columns, 1):
        if column in table.text_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
    sheet.freeze_panes = table.frozen
    if table.heading:
        _printable(sheet, table)


def _text_cell(sheet, value):
    """A cell holding text that starts with "=": text, not a formula."""
    cell = Cell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _printable(sheet, table):
    """On an A4 landscape page: a bold, shaded header repeated on every page, long text wrapped,
    fitted to the page's width, the heading above and page numbers below."""
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for index, column in enumerate(table.columns, 1):
        wide = column in table.wide_columns
        sheet.column_dimensions[get_column_letter(index)].width = \
            48 if wide else max(10, len(str(column)) + 2)
        if wide:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.auto_filter.ref = sheet.dimensions
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.oddHeader.center.text = table.heading
    sheet.oddFooter.center.text = "&P / &N"
