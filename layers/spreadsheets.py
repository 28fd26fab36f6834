"""Text written to CSV and XLSX files so that a spreadsheet never runs it as a formula (CSV or
formula injection): a name typed as "=HYPERLINK(...)" reaches Excel or WPS as the text it is."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    """`value` for a CSV cell: text that starts like a formula gets a leading apostrophe, which
    Excel and WPS show as text."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(row):
    """A CSV row (a list, or a dict for csv.DictWriter) with csv_text applied to every value."""
    if isinstance(row, dict):
        return {key: csv_text(value) for key, value in row.items()}
    return [csv_text(value) for value in row]


def append_row(sheet, values):
    """Append `values` to an openpyxl sheet with text starting with "=" kept as text, not
    turned into a formula cell."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
