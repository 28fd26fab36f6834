"""The assessment written to a file: CSV (one row per village) or an XLSX workbook laid out for
printing (villages, the priority list, household categories)."""
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from layers.spreadsheets import Sheet, write_csv, write_xlsx

SUFFIXES = (".csv", ".xlsx")
WIDE = ("standard_failed", "demonstration_failed", "record_vs_map", "what")  # wrapped text


def write_report(run, path):
    """Write `run` (an AssessmentRun) to `path`, .csv or .xlsx."""
    path = Path(path)
    rows = list(run.rows())
    if path.suffix.lower() == ".csv":
        columns = list(rows[0]) if rows else ["code"]
        write_csv(path, columns, ([row[c] for c in columns] for row in rows))
        return
    write_xlsx(path, [
        _sheet(_("Villages"), rows, _("Village exit assessment")),
        _sheet(_("Priority"), run.priority(), _("Villages that fail, in order of priority")),
        _sheet(_("Household categories"), run.categories(), _("Poor households by category")),
    ])


def _sheet(title, rows, heading):
    """One table on an A4 landscape page, its heading dated today."""
    columns = list(rows[0]) if rows else ["code"]
    return Sheet(title, columns, [[row[c] for c in columns] for row in rows],
                 text_columns=("code",), wide_columns=WIDE,
                 heading=f"{heading} {date.today().isoformat()}", frozen="C2")
