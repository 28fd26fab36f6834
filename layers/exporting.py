"""Export a layer to a file: GeoJSON, GeoPackage, a zipped shapefile, CSV or XLSX.

What an export writes, the import reads back unchanged. GeoJSON is RFC 7946 (lon/lat,
EPSG:4326). CSV and XLSX give point layers (centers, industries and villages, by their
committee) as lon/lat columns in a geographic CRS; the other layers as attribute tables
without geometry. Text is UTF-8 (CSV with a byte-order mark, so that Excel reads Chinese; a
shapefile with a .cpg saying so).
"""
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fiona
import shapely
from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext as _

from gisplan.api import Refusal

from .crs import epsg_crs, reproject, transformer
from .datasets import DATASETS, Code
from . import spreadsheets
from .regions import county_named

FORMATS = (".geojson", ".gpkg", ".shp.zip", ".csv", ".xlsx")
FIONA_GEOMETRY = {"polygon": "MultiPolygon", "point": "Point", "line": "LineString"}
SHAPEFILE_SUFFIXES = (".shp", ".shx", ".dbf", ".prj", ".cpg")


class ExportRefused(Refusal):
    """An export that cannot be made as asked; its message says why."""


@dataclass(frozen=True)
class ExportOptions:
    kind: str  # a key of layers.datasets.DATASETS
    path: Path  # its name ends with one of FORMATS
    srid: int | None = None  # the EPSG code of the output (default: see default_srid)
    county: str | None = None  # the 6-digit code of the county exported; None: the main one


def file_format(path):
    name = Path(path).name.lower()
    found = next((f for f in FORMATS if name.endswith(f)), None)
    if found is None:
        raise ExportRefused(_("%(file)s: the name must end with one of %(formats)s")
                            % {"file": Path(path).name, "formats": ", ".join(FORMATS)})
    return found


def default_srid(file_format):
    """The storage CRS for GeoPackage and shapefile; lon/lat for the others."""
    return settings.STORAGE_SRID if file_format in (".gpkg", ".shp.zip") else 4326


def export_layer(options):
    """Write the layer `options.kind` to `options.path`; the number of rows written."""
    dataset = DATASETS[options.kind]
    fmt = file_format(options.path)
    srid = options.srid or default_srid(fmt)
    crs = epsg_crs(srid)
    if fmt == ".geojson" and srid != 4326:
        raise ExportRefused(_("GeoJSON is always lon/lat in EPSG:4326 (RFC 7946); use a GeoPackage "
                              "or shapefile for EPSG:%(srid)d") % {"srid": srid})
    if fmt in (".csv", ".xlsx") and not crs.is_geographic:
        raise ExportRefused(_("CSV and XLSX files carry lon/lat: give a geographic EPSG code such "
                              "as 4326 or 4490, not %(srid)d") % {"srid": srid})
    rows = list(dataset.queryset(county_named(options.county)).values(*[c.lookup or c.target for c in dataset.columns],
                                          *dataset.geometry.values()))
    path = Path(options.path)
    # Written beside the target and renamed into place: a failed export leaves nothing behind.
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        partial = Path(folder) / path.name
        WRITERS[fmt](dataset, rows, srid, partial)
        os.replace(partial, path)
    return len(rows)


def cell(value):
    return ",".join(value) if isinstance(value, list) else value


def transformed(geometry, to_output):
    """A stored GEOS geometry as shapely in the output CRS."""
    return reproject(shapely.from_wkb(bytes(geometry.wkb)), to_output)


def fiona_type(model_field, shapefile):
    if isinstance(model_field, models.BooleanField):
        return "bool"
    if isinstance(model_field, models.IntegerField):
        return "int"
    if isinstance(model_field, models.FloatField):
        return "float"
    return "str:254" if shapefile else "str"  # a DBF text field holds at most 254 bytes


def write_vector(dataset, rows, srid, path, driver, shapefile=False, **creation_options):
    shape, geometry_field = next(iter(dataset.geometry.items()))
    names = [c.shp_name if shapefile else c.name for c in dataset.columns]
    schema = {"geometry": FIONA_GEOMETRY[shape], "properties": {
        name: fiona_type(dataset.model._meta.get_field(c.target), shapefile)
        for name, c in zip(names, dataset.columns)}}
    to_output = transformer(settings.STORAGE_SRID, srid)
    with fiona.open(path, "w", driver=driver, schema=schema, crs=fiona.crs.CRS.from_epsg(srid),
                    encoding="utf-8", layer=path.stem if driver == "GPKG" else None,
                    **creation_options) as sink:
        sink.writerecords(
            {"geometry": None if row[geometry_field] is None else
             shapely.geometry.mapping(transformed(row[geometry_field], to_output)),
             "properties": {name: cell(row[c.lookup or c.target]) for name, c in zip(names, dataset.columns)}}
            for row in rows)


def write_geojson(dataset, rows, srid, path):
    # 15 decimals keep what is stored to well under a millimetre (GDAL writes 7 by default).
    write_vector(dataset, rows, srid, path, "GeoJSON", RFC7946="YES", COORDINATE_PRECISION=15)


def write_gpkg(dataset, rows, srid, path):
    write_vector(dataset, rows, srid, path, "GPKG")


def write_shapefile_zip(dataset, rows, srid, path):
    stem = path.name[:-len(".shp.zip")]
    with tempfile.TemporaryDirectory() as folder:
        shp = Path(folder) / f"{stem}.shp"
        write_vector(dataset, rows, srid, shp, "ESRI Shapefile", shapefile=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for suffix in SHAPEFILE_SUFFIXES:
                archive.write(shp.with_suffix(suffix), f"{stem}{suffix}")


def table_header(dataset):
    return (["lon", "lat"] if dataset.point_field else []) + [c.name for c in dataset.columns]


def table_rows(dataset, rows, srid):
    point, to_output = dataset.point_field, transformer(settings.STORAGE_SRID, srid)
    for row in rows:
        values = [cell(row[c.lookup or c.target]) for c in dataset.columns]
        yield list(to_output.transform(row[point].x, row[point].y)) + values if point else values


def write_csv(dataset, rows, srid, path):
    spreadsheets.write_csv(path, table_header(dataset), table_rows(dataset, rows, srid))


def write_xlsx(dataset, rows, srid, path):
    codes = tuple(c.name for c in dataset.columns
                  if isinstance(c.parse, Code) or c.lookup.endswith("code"))
    sheet = spreadsheets.Sheet(dataset.model._meta.model_name, table_header(dataset),
                               table_rows(dataset, rows, srid), text_columns=codes)
    spreadsheets.write_xlsx(path, [sheet])


WRITERS = {".geojson": write_geojson, ".gpkg": write_gpkg, ".shp.zip": write_shapefile_zip,
           ".csv": write_csv, ".xlsx": write_xlsx}
