"""Result tables written to a file, the format chosen by the extension: CSV or XLSX (through the
one spreadsheet writer, layers/spreadsheets.py) or GeoJSON (points in lon/lat)."""
import json
from pathlib import Path

from django.utils.translation import gettext as _

from gisplan.api import Refusal
from layers.geojson import points
from layers.spreadsheets import Sheet, write_csv, write_xlsx

SUFFIXES = (".csv", ".xlsx", ".geojson")
TEXT_COLUMNS = ("code",)  # written as text: codes keep their leading zeros


def write_table(rows, path, lonlat=None):
    """Write `rows` (dicts with the same keys) to `path`; `lonlat` (n, 2), EPSG:4326, gives each
    row its point in a GeoJSON file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise Refusal(_("the output must end in %(suffixes)s") % {"suffixes": ", ".join(SUFFIXES)})
    if not path.parent.is_dir():
        raise Refusal(_("no such folder: %(folder)s") % {"folder": path.parent})
    rows = list(rows)
    columns = list(rows[0]) if rows else []
    values = [[row[c] for c in columns] for row in rows]
    if suffix == ".csv":
        write_csv(path, columns, values)
    elif suffix == ".xlsx":
        write_xlsx(path, [Sheet(path.stem, columns, values, text_columns=TEXT_COLUMNS)])
    else:
        path.write_text(json.dumps(points(rows, lonlat, 4326), ensure_ascii=False), encoding="utf-8")
