"""Result tables written to a file, the format chosen by the extension: CSV (UTF-8 with a BOM, so
that Excel reads Chinese), XLSX (codes as text cells) or GeoJSON (points in lon/lat)."""
import csv
import json
from pathlib import Path

import openpyxl
import pyproj
from django.conf import settings
from django.utils.translation import gettext as _

from layers.spreadsheets import append_row, csv_row

SUFFIXES = (".csv", ".xlsx", ".geojson")
TEXT_COLUMNS = ("code",)  # written as text: codes keep their leading zeros


class BadOutput(ValueError):
    """An output path the user must correct."""


def write_table(rows, path, xy=None):
    """Write `rows` (dicts with the same keys) to `path`; `xy` (n, 2) in the storage CRS gives
    each row its point in a GeoJSON file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BadOutput(_("the output must end in %(suffixes)s") % {"suffixes": ", ".join(SUFFIXES)})
    if not path.parent.is_dir():
        raise BadOutput(_("no such folder: %(folder)s") % {"folder": path.parent})
    rows = list(rows)
    columns = list(rows[0]) if rows else []
    if suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.DictWriter(out, columns)
            writer.writeheader()
            writer.writerows(csv_row(row) for row in rows)
    elif suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(columns)
        for row in rows:
            append_row(sheet, [row[c] for c in columns])
        for index, column in enumerate(columns, 1):
            if column in TEXT_COLUMNS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "@"
        sheet.freeze_panes = "A2"
        book.save(path)
    else:
        path.write_text(json.dumps(feature_collection(rows, xy), ensure_ascii=False), encoding="utf-8")


def feature_collection(rows, xy):
    """Rows as RFC 7946 point features (lon/lat); rows without a point get a null geometry."""
    to_lonlat = pyproj.Transformer.from_crs(settings.STORAGE_SRID, 4326, always_xy=True)
    features = []
    for i, row in enumerate(rows):
        geometry = None
        if xy is not None:
            lon, lat = to_lonlat.transform(*xy[i])
            geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        features.append({"type": "Feature", "geometry": geometry, "properties": row})
    return {"type": "FeatureCollection", "features": features}
