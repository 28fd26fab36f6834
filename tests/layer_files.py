"""Tiny input files for the import tests, built in tmp_path, and one way to run an import three ways."""
import io
import json
import zipfile
from pathlib import Path

import fiona
import openpyxl
import pyproj
import shapely
from django.core.management import CommandError, call_command

from gisplan.api import Refusal
from layers.crs import reproject
from layers.importing import ImportOptions, import_layer

SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def in_srid(geometry, srid):
    """A stored GEOS geometry as shapely in EPSG `srid` (x east, y north)."""
    to = pyproj.Transformer.from_crs(geometry.srid, srid, always_xy=True)
    return reproject(shapely.from_wkb(bytes(geometry.wkb)), to)


def write_layer(path, rows, srid=4326, encoding=None, properties=None):
    """A vector file (driver from the suffix) of (properties, shapely geometry) rows."""
    path = Path(path)
    driver = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON"}[path.suffix]
    geometry_type = rows[0][1].geom_type
    properties = properties or {name: "str" if isinstance(value, str) else "int"
                                for name, value in rows[0][0].items()}
    with fiona.open(path, "w", driver=driver, crs=fiona.crs.CRS.from_epsg(srid),
                    schema={"geometry": geometry_type, "properties": properties},
                    **({"encoding": encoding} if encoding else {})) as sink:
        for values, geometry in rows:
            sink.write({"geometry": shapely.geometry.mapping(geometry), "properties": values})
    return path


def write_geojson(path, rows):
    """A GeoJSON file written by hand (no crs member: lon/lat), for geometries fiona would fix."""
    features = [{"type": "Feature", "properties": values, "geometry": geometry}
                for values, geometry in rows]
    Path(path).write_text(json.dumps({"type": "FeatureCollection", "features": features}),
                          encoding="utf-8")
    return Path(path)


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return Path(path)


def zip_shapefile(shp, target=None):
    shp = Path(shp)
    target = Path(target or shp.with_suffix(".zip"))
    with zipfile.ZipFile(target, "w") as archive:
        for suffix in SIDECARS:
            if shp.with_suffix(suffix).exists():
                archive.write(shp.with_suffix(suffix), shp.stem + suffix)
    return target


class Refused(Exception):
    """An import refused, however it was run; the message the user saw."""


def run_import(via, client, kind, path, **options):
    """Import through the function, the command or the API: the report's summary, or Refused."""
    path = Path(path)
    if via == "function":
        try:
            return import_layer(ImportOptions(kind, path, **options)).summary()
        except Refusal as refusal:
            raise Refused(str(refusal)) from None
    if via == "command":
        out = io.StringIO()
        try:
            call_command("import_layer", kind, str(path), stdout=out, verbosity=0, **options)
        except CommandError as refusal:
            raise Refused(str(refusal)) from None
        return out.getvalue().strip()
    if path.suffix == ".shp":  # the API takes one file: a shapefile travels zipped
        path = zip_shapefile(path, path.parent / f"{path.stem}-upload.zip")
    fields = {name: "true" if value is True else value for name, value in options.items()
              if value not in (None, False)}
    with open(path, "rb") as upload:
        response = client.post(f"/api/import/{kind}/", {"file": upload, **fields})
    data = json.loads(response.content)
    if response.status_code == 400:
        raise Refused(data["error"])
    assert response.status_code == 200, data
    return data["summary"]
