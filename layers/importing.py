"""Import a layer from a file, all or nothing: read it, check every feature, then write in one transaction.

Files: GeoJSON, GeoPackage, a shapefile (.shp with its sidecars) or a .zip holding one of
those, and CSV/XLSX tables with lon/lat columns (or, for villages, keyed by code to update
their figures). Coordinate systems are taken as EPSG codes only: a file's own is identified
with pyproj, never handed to Django's GDAL 3.6 as free text (DESIGN.md §6).
"""
import codecs
import csv
import io
import json
import lzma
import re
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

import fiona
from fiona._err import CPLE_BaseError  # GDAL's own errors, as fiona raises some of them (a bad .prj)
import numpy as np
import openpyxl
import pyproj
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException
from pyproj.crs import ProjectedCRS
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from plans.partition import problems

from .datasets import DATASETS, convert
from .models import County, PlanVersion, Zone

# Uploads larger than this are refused unread: a county's villages are a few megabytes.
MAX_UPLOAD_BYTES = 200 * 2**20
# A zip is checked before anything is extracted. A shapefile is at most 8 files; 50 leaves room
# for readme files and a few spare sidecars.
MAX_ZIP_ENTRIES = 50
# The total size of the extracted files (zipfile never reads more than an entry declares).
MAX_ZIP_BYTES = 1000 * 2**20
# Shapefiles compress up to a few hundred times (blank-padded DBF columns); a zip bomb of
# zeros about a thousand times. Checked on entries larger than a megabyte.
MAX_ZIP_RATIO = 500
ZIP_RATIO_FROM_BYTES = 2**20
# A point may lie this far outside the county outline (digitising error along the border).
POINT_MARGIN_METRES = 500
# A road must come this close to the county: roads run on to the neighbouring towns.
LINE_MARGIN_METRES = 5000
# The share of a polygon's area that must lie inside the county.
INSIDE_SHARE = 0.9
# Geometries closer than this count as unchanged (a round trip through degrees moves nothing more).
SAME_METRES = 0.001

# A refusal quotes the file's own text; this much of it is enough to find the place.
MAX_MESSAGE_CHARS = 500

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
# GDAL opens a file by its content, whatever its name: only the driver its suffix names may read it
# (a ".geojson" holding an OGR VRT would read any file on the server).
DRIVERS = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}
# The crs names GDAL reads without looking anything up elsewhere.
CRS_NAME = re.compile(r"(?i)(urn:ogc:def:crs:|https?://www\.opengis\.net/def/crs/)?(EPSG|OGC)[:/0-9.A-Z]*")
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
TABLE_SUFFIXES = (".csv", ".xlsx")
SHAPES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
          "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
LON, LAT = {"lon", "lng", "longitude", "经度"}, {"lat", "latitude", "纬度"}


class ImportRefused(ValueError):
    """A file the import will not take; its message says why, for the user.

    The message is one line (a command prints it as one, and the file's own text may hold line
    breaks) and at most MAX_MESSAGE_CHARS long (a cell may hold a megabyte)."""

    def __init__(self, message):
        text = " ".join(str(message).split())
        if len(text) > MAX_MESSAGE_CHARS:
            text = text[:MAX_MESSAGE_CHARS - 1] + "…"
        super().__init__(text)


@dataclass(frozen=True)
class ImportOptions:
    kind: str  # a key of layers.datasets.DATASETS
    path: Path
    encoding: str | None = None  # the text encoding of a shapefile's DBF or a CSV file
    srid: int | None = None  # the EPSG code of the coordinates, if the file's own is wrong or absent
    layer: str | None = None  # the GeoPackage layer or the XLSX sheet
    replace: bool = False  # delete every row of the kind first
    dry_run: bool = False  # check and count, then roll back
    user: object = None  # who imports: the creator of a zones import's plan version


@dataclass(frozen=True)
class ImportReport:
    kind: str
    read: int
    created: int
    updated: int
    deleted: int
    dry_run: bool
    encoding: str | None  # of the text, when the file has a choice
    source_srid: int | None  # the EPSG code of the file's coordinates (None: a table without them)
    plan: str = ""  # the draft plan version a zones import made

    def summary(self):
        """One line for the user."""
        text = _("%(kind)s: %(read)d read, %(created)d created, %(updated)d updated, "
                 "%(deleted)d deleted") % {"kind": self.kind, "read": self.read, "created": self.created,
                                           "updated": self.updated, "deleted": self.deleted}
        facts = [f for f in (self.encoding, self.source_srid and f"EPSG:{self.source_srid}") if f]
        if facts:
            text += f" ({', '.join(facts)})"
        if self.plan:
            text += "; " + _("draft plan version: %(name)s") % {"name": self.plan}
        if self.dry_run:
            text += "; " + _("dry run: nothing was written")
        return text


@dataclass(frozen=True)
class Record:
    label: str  # how the user finds it: "feature 3", or "row 4" of a spreadsheet
    properties: dict
    geometry: object  # shapely, in the file's coordinates; None for a table without them


@dataclass(frozen=True)
class Source:
    records: list
    encoding: str | None
    srid: int | None


@dataclass(frozen=True)
class Feature:
    label: str
    values: dict  # model field -> value, only what the file gives


def import_layer(options, progress=iter):
    """Import `options.path` into the layer `options.kind`; raises ImportRefused with the reason."""
    dataset = DATASETS[options.kind]
    if options.replace and dataset.model is Zone:
        raise ImportRefused(_("--replace does not apply to zones: each import makes a new draft plan version"))
    if dataset.model is Zone:
        limit = PlanVersion._meta.get_field("name").max_length
        if len(plan_name(options)) > limit:
            raise ImportRefused(_("the draft plan version is named after the file (or --layer), and "
                                  "a name has at most %(n)d characters: rename the file")
                                % {"n": limit})
    source = read(options)
    features = checked(dataset, source, progress)
    with transaction.atomic():
        if dataset.model is Zone:
            counts = write_zones(features, options)
        else:
            counts = write(dataset, features, options)
        transaction.set_rollback(options.dry_run)
    return ImportReport(options.kind, len(features), dry_run=options.dry_run,
                        encoding=source.encoding, source_srid=source.srid, **counts)


# Reading ------------------------------------------------------------------------------------

def read(options):
    """The file's records, its text encoding and the EPSG code of its coordinates."""
    path = Path(options.path)
    if not path.is_file():
        raise ImportRefused(_("no such file: %(path)s") % {"path": path})
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise ImportRefused(_("%(file)s is larger than %(mb)d MB")
                            % {"file": path.name, "mb": MAX_UPLOAD_BYTES // 2**20})
    if size == 0:
        raise ImportRefused(_("%(file)s is empty") % {"file": path.name})
    if options.encoding:
        text_encoding(options.encoding)
    if options.srid is not None:
        epsg_crs(options.srid)
    if path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory() as folder:
            return read_path(extract(path, Path(folder)), options)
    return read_path(path, options)


def text_encoding(name):
    """The codec named `name`, if it turns bytes into text (not rot13, base64, zip, ...)."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        codec = None
    if codec is None or not codec._is_text_encoding:
        raise ImportRefused(_("unknown encoding: %(encoding)s") % {"encoding": name})
    return codec


def read_path(path, options):
    suffix = path.suffix.lower()
    try:
        if suffix in VECTOR_SUFFIXES:
            return read_vector(path, options)
        if suffix in TABLE_SUFFIXES:
            return read_table(path, options)
    except (fiona.errors.FionaError, CPLE_BaseError, InvalidFileException, zipfile.BadZipFile,
            csv.Error, struct.error) as problem:
        # GDAL names the file by its full path: the user knows it by its name.
        reason = str(problem).replace(str(path), path.name)
        raise ImportRefused(_("cannot read %(file)s: %(reason)s")
                            % {"file": path.name, "reason": reason}) from None
    raise ImportRefused(_("%(file)s: not a file type that imports (GeoJSON, GeoPackage, "
                          "Shapefile, zip, CSV, XLSX)") % {"file": path.name})


def extract(path, folder):
    """Extract a zip after checking it, and return the one dataset in it."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportRefused(_("%(file)s is not a zip file") % {"file": path.name}) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ImportRefused(_("the zip holds %(n)d files; at most %(max)d are accepted")
                                % {"n": len(entries), "max": MAX_ZIP_ENTRIES})
        if sum(e.file_size for e in entries) > MAX_ZIP_BYTES:
            raise ImportRefused(_("the zip would extract to more than %(mb)d MB")
                                % {"mb": MAX_ZIP_BYTES // 2**20})
        for entry in entries:
            name = entry.filename.replace("\\", "/")
            if name.startswith("/") or ":" in name or ".." in name.split("/"):
                raise ImportRefused(_("the zip holds an unsafe path: %(name)s") % {"name": entry.filename})
            if (entry.external_attr >> 16) & 0o170000 == 0o120000:
                raise ImportRefused(_("the zip holds a symbolic link: %(name)s") % {"name": entry.filename})
            if entry.flag_bits & 0x1:
                raise ImportRefused(_("%(name)s in the zip is encrypted; send it without a password")
                                    % {"name": entry.filename})
            if entry.compress_type not in ZIP_METHODS:
                raise ImportRefused(_("%(name)s in the zip is compressed with a method that is not "
                                      "supported; use plain deflate") % {"name": entry.filename})
        check_ratio(entries)
        try:
            archive.extractall(folder)
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError) as problem:
            raise ImportRefused(_("the zip is damaged: %(reason)s") % {"reason": problem}) from None
    inside = [p for p in folder.rglob("*") if p.is_file() and "__MACOSX" not in p.parts]
    if any(p.suffix.lower() == ".zip" for p in inside):
        raise ImportRefused(_("the zip holds another zip; send the dataset zipped once"))
    found = [p for p in inside if p.suffix.lower() in VECTOR_SUFFIXES + TABLE_SUFFIXES]
    if len(found) != 1:
        raise ImportRefused(_("a zip must hold exactly one dataset (a shapefile, GeoPackage, "
                              "GeoJSON, CSV or XLSX file); this one holds %(n)d") % {"n": len(found)})
    return found[0]


def check_ratio(entries):
    """Refuse a zip (or an XLSX, which is one) with an entry compressed like a zip bomb."""
    for entry in entries:
        if (entry.file_size > ZIP_RATIO_FROM_BYTES
                and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1)):
            raise ImportRefused(_("%(name)s in the zip is compressed suspiciously well "
                                  "(a zip bomb?)") % {"name": entry.filename})


def read_vector(path, options):
    suffix = path.suffix.lower()
    encoding, open_options = "utf-8", {"driver": DRIVERS[suffix]}
    if suffix == ".shp":
        encoding = shapefile_encoding(path, options.encoding)
        if encoding:
            open_options["encoding"] = encoding
    if suffix == ".gpkg":
        open_options["layer"] = gpkg_layer(path, options.layer)
    if suffix in (".geojson", ".json"):
        check_geojson_crs(path)
    try:
        collection = fiona.open(path, **open_options)
    except fiona.errors.DriverError as problem:
        reason = str(problem)
        if reason.startswith("Failed to open dataset"):  # GDAL's way of saying it knows no more
            raise ImportRefused(_("%(file)s is not a readable %(format)s file")
                                % {"file": path.name, "format": open_options["driver"]}) from None
        raise
    with collection:
        try:
            srid = options.srid or file_srid(collection.crs_wkt)
        except CPLE_BaseError:  # GDAL could not parse the .prj
            raise ImportRefused(_("the file's coordinate system cannot be read; give its EPSG code "
                                  "with --srid")) from None
        records = []
        try:
            for n, f in enumerate(collection, 1):
                label = _("feature %(number)d") % {"number": n}
                try:
                    geometry = shapely.geometry.shape(f.geometry) if f.geometry else None
                except (ValueError, shapely.errors.ShapelyError) as problem:
                    # A ring of fewer than four points, a line of one: GEOS will not build it.
                    raise ImportRefused(_("%(feature)s: invalid geometry: %(reason)s")
                                        % {"feature": label, "reason": problem}) from None
                records.append(Record(label, dict(f.properties), geometry))
        except UnicodeDecodeError:
            raise ImportRefused(_("the text is not %(encoding)s; give its encoding with --encoding")
                                % {"encoding": encoding}) from None
        if not encoding:  # GDAL recoded from the .cpg or the DBF code page byte
            encoding = collection.tags(ns="SHAPEFILE").get("SOURCE_ENCODING") or None
    return Source(records, encoding, srid)


def check_geojson_crs(path):
    """Refuse a GeoJSON `crs` member other than a name: GDAL fetches a "link" or "url" one from
    the network (a request to any address the server can reach)."""
    data = path.read_bytes()
    # Without a "crs" member (its name may be in any letter case, or escaped) there is nothing
    # to check, and no need to parse a large file twice.
    if not re.search(rb'(?i)"crs"', data) and b"\\u" not in data:
        return
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as problem:  # UnicodeDecodeError and JSONDecodeError too
        raise ImportRefused(_("%(file)s is not valid GeoJSON: %(reason)s")
                            % {"file": path.name, "reason": problem}) from None
    if not isinstance(document, dict):
        raise ImportRefused(_("%(file)s is not valid GeoJSON: it holds no object")
                            % {"file": path.name})
    for name, crs in document.items():
        if name.casefold() != "crs" or crs is None:
            continue
        kind = crs.get("type") if isinstance(crs, dict) else None
        properties = crs.get("properties") if isinstance(crs, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        named = (isinstance(kind, str) and kind.casefold() == "name"
                 and isinstance(properties.get("name"), str)
                 and re.fullmatch(CRS_NAME, properties["name"]))
        coded = (isinstance(kind, str) and kind.casefold() == "epsg"
                 and isinstance(properties.get("code"), int))
        if named:
            try:
                pyproj.CRS.from_user_input(properties["name"])
            except pyproj.exceptions.CRSError:
                raise ImportRefused(_("%(file)s names an unknown coordinate system: %(name)s")
                                    % {"file": path.name, "name": properties["name"]}) from None
        if not (named or coded):
            raise ImportRefused(_("%(file)s names its coordinate system other than by an EPSG "
                                  "code; remove its crs member (lon/lat) or give the code with "
                                  "--srid") % {"file": path.name})


def gpkg_layer(path, wanted):
    with open(path, "rb") as file:
        magic = file.read(16)
    if magic != b"SQLite format 3\x00":
        raise ImportRefused(_("%(file)s is not a GeoPackage") % {"file": path.name})
    layers = fiona.listlayers(path)
    if not layers:
        raise ImportRefused(_("%(file)s holds no layers") % {"file": path.name})
    if wanted is None and len(layers) == 1:
        return layers[0]
    if wanted not in layers:
        raise ImportRefused(_("choose a layer with --layer: %(layers)s") % {"layers": ", ".join(layers)})
    return wanted


def shapefile_encoding(shp, forced):
    """How to decode a shapefile's DBF: `forced`, else None (GDAL recodes from a .cpg or the
    DBF's code page byte), else strict UTF-8, else strict GB18030."""
    dbf, cpg = sidecar(shp, ".dbf"), sidecar(shp, ".cpg")
    for suffix, found in ((".dbf", dbf), (".shx", sidecar(shp, ".shx"))):
        if found is None:
            raise ImportRefused(_("%(file)s has no %(sidecar)s file beside it")
                                % {"file": shp.name, "sidecar": suffix})
    data = dbf.read_bytes()
    if len(data) < 32:
        raise ImportRefused(_("%(file)s is not a dBASE file") % {"file": dbf.name})
    count, header_size, record_size = struct.unpack_from("<IHH", data, 4)
    if record_size == 0 or header_size + count * record_size > len(data):
        raise ImportRefused(_("%(file)s is damaged: its header promises %(count)d records that "
                              "the file does not hold") % {"file": dbf.name, "count": count})
    if not forced and (cpg is not None or data[29] != 0):  # byte 29: the DBF language driver id
        return None
    return decoding(dbf_text(data), forced)


def sidecar(path, suffix):
    """The file beside `path` with the same stem and `suffix`, in any letter case."""
    return next((p for p in path.parent.iterdir()
                 if p.stem == path.stem and p.suffix.lower() == suffix), None)


def dbf_text(data):
    """The bytes of every character field of a DBF file, one value a line."""
    count, header_size, record_size = struct.unpack_from("<IHH", data, 4)  # checked to fit
    fields, offset = [], 1  # each record starts with its deletion flag
    for start in range(32, header_size - 1, 32):  # 32-byte field descriptors up to 0x0D
        if data[start] == 0x0D:
            break
        kind, size = data[start + 11], data[start + 16]
        if kind == ord("C"):
            fields.append((offset, size))
        offset += size
    values = []
    for record in range(header_size, header_size + count * record_size, record_size):
        values.extend(data[record + o:record + o + n] for o, n in fields)
    return b"\n".join(values)


def decoding(data, forced):
    """The encoding that decodes `data`: `forced` if given, else UTF-8, else GB18030 (strictly)."""
    for encoding in [forced] if forced else ["utf-8", "gb18030"]:
        try:
            data.decode(encoding)
            return encoding
        except UnicodeError:  # UnicodeDecodeError, or a codec's own complaint (idna)
            continue
    if forced:
        raise ImportRefused(_("the text is not valid %(encoding)s") % {"encoding": forced})
    raise ImportRefused(_("the text is neither UTF-8 nor GB18030; give its encoding with --encoding"))


def epsg_crs(srid):
    """The EPSG coordinate system `srid`, if it places points on a map (geographic or projected)."""
    try:
        crs = pyproj.CRS.from_epsg(srid)
    except (pyproj.exceptions.CRSError, OverflowError, TypeError, ValueError):
        raise ImportRefused(_("EPSG:%(srid)s is not a known coordinate system") % {"srid": srid}) from None
    if not (crs.is_geographic or crs.is_projected):  # a height, a geocentric system, ...
        raise ImportRefused(_("EPSG:%(srid)s (%(name)s) is not a geographic or projected "
                              "coordinate system") % {"srid": srid, "name": crs.name})
    return crs


def file_srid(wkt):
    """The EPSG code of a file's coordinate system, if one matches it exactly."""
    if not wkt:
        raise ImportRefused(_("the file says nothing of its coordinate system (no .prj?); "
                              "give its EPSG code with --srid"))
    try:
        crs = pyproj.CRS.from_wkt(wkt)
    except pyproj.exceptions.CRSError:
        raise ImportRefused(_("the file's coordinate system cannot be read; give its EPSG code "
                              "with --srid")) from None
    code = crs.to_epsg(min_confidence=25)
    if code:
        candidate = pyproj.CRS.from_epsg(code)
        # Files store easting before northing; an EPSG definition may list northing first.
        east_north = (ProjectedCRS(candidate.coordinate_operation, geodetic_crs=candidate.geodetic_crs)
                      if candidate.is_projected else candidate)
        if candidate.equals(crs, ignore_axis_order=True) or east_north.equals(crs, ignore_axis_order=True):
            return code
    raise ImportRefused(_("the file's coordinate system (%(name)s) matches no EPSG code; "
                          "give one with --srid") % {"name": crs.name})


def read_table(path, options):
    if path.suffix.lower() == ".xlsx":
        encoding, rows = None, xlsx_rows(path, options.layer)
    else:
        data = path.read_bytes()
        encoding = decoding(data, options.encoding)
        text = data.decode(encoding).removeprefix("\ufeff")
        if "\x00" in text:
            raise ImportRefused(_("%(file)s holds NUL characters: is it UTF-16 or not text at all? "
                                  "Save it as CSV in UTF-8") % {"file": path.name})
        rows = enumerate(csv.reader(io.StringIO(text)), 1)
    number, header = next(rows, (1, []))
    header = [str(h or "").strip() for h in header]
    lon = next((h for h in header if h.casefold() in LON), None)
    lat = next((h for h in header if h.casefold() in LAT), None)
    srid = (options.srid or 4326) if lon and lat else None
    if srid and not epsg_crs(srid).is_geographic:
        raise ImportRefused(_("lon/lat columns need a geographic coordinate system such as "
                              "EPSG:4326 or EPSG:4490, not EPSG:%(srid)d") % {"srid": srid})
    records = []
    for number, row in rows:
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue
        label = _("row %(number)d") % {"number": number}
        properties = dict(zip(header, [*row, *[None] * (len(header) - len(row))]))  # short rows
        point = None
        if srid and not (blank(properties[lon]) and blank(properties[lat])):
            try:
                point = shapely.Point(float(properties[lon]), float(properties[lat]))
            except (TypeError, ValueError):
                raise ImportRefused(_("%(row)s: lon and lat must be numbers") % {"row": label}) from None
        records.append(Record(label, properties, point))
    return Source(records, encoding, srid)


def xlsx_rows(path, sheet):
    """(row number, cells) of a workbook's sheet: the first one, or the one named `sheet`.

    A formula is refused, not read: a workbook saved by a program other than Excel holds no
    value for it, and a formula imported as text would run in the next spreadsheet to open it."""
    with zipfile.ZipFile(path) as archive:  # an XLSX is a zip: checked as one before reading
        entries = archive.infolist()
        if sum(e.file_size for e in entries) > MAX_ZIP_BYTES:
            raise ImportRefused(_("the zip would extract to more than %(mb)d MB")
                                % {"mb": MAX_ZIP_BYTES // 2**20})
        check_ratio(entries)
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return iter(sheet_rows(book, sheet, path))
        finally:
            book.close()
    except ImportRefused:
        raise
    # openpyxl lets a malformed part through as whatever went wrong: a missing part (KeyError),
    # broken XML (ParseError), a value of the wrong type (ValueError, TypeError).
    except (KeyError, ParseError, ValueError, TypeError, IndexError, EOFError) as problem:
        raise ImportRefused(_("%(file)s is not a readable XLSX workbook: %(reason)s")
                            % {"file": path.name, "reason": problem}) from None


def sheet_rows(book, sheet, path):
    """The (row number, values) of the sheet, all read: a formula refuses the file."""
    if sheet is not None and sheet not in book.sheetnames:
        raise ImportRefused(_("choose a sheet with --layer: %(sheets)s")
                            % {"sheets": ", ".join(book.sheetnames)})
    if not book.worksheets:
        raise ImportRefused(_("%(file)s holds no sheets") % {"file": path.name})
    rows = []
    for number, cells in enumerate((book[sheet] if sheet else book.worksheets[0]).iter_rows(), 1):
        formula = next((c for c in cells if c.data_type == "f"), None)
        if formula is not None:
            raise ImportRefused(_("row %(number)d, cell %(cell)s: a formula (%(formula)s); "
                                  "import the values, not formulas")
                                % {"number": number, "cell": formula.coordinate,
                                   "formula": formula.value})
        rows.append((number, tuple(c.value for c in cells)))
    return rows


def blank(value):
    return value is None or (isinstance(value, str) and value.strip() == "")


# Checking -----------------------------------------------------------------------------------

class Invalid(ValueError):
    """What is wrong with one feature."""


def checked(dataset, source, progress):
    """The records as model values in the storage CRS; the first bad one refuses the file."""
    if source.srid is None and not dataset.table_updates:
        raise ImportRefused(_("a table of %(kind)s needs lon/lat columns")
                            % {"kind": dataset.model._meta.verbose_name_plural})
    county = County.objects.first()
    if county is None and dataset.model is not County:
        raise ImportRefused(_("import the county first: everything else is checked against it"))
    to_storage = None
    if source.srid is not None:
        crs = epsg_crs(source.srid)
        to_storage = pyproj.Transformer.from_crs(crs, pyproj.CRS.from_epsg(settings.STORAGE_SRID),
                                                 always_xy=True)
    area = None if dataset.model is County else Outline(shapely.from_wkb(bytes(county.boundary.wkb)))
    if not source.records:
        raise ImportRefused(_("the file holds no features"))
    headers = column_headers(dataset, source.records[0].properties if source.records else {})
    features = []
    for record in progress(source.records):
        try:
            values = parse(dataset, headers, record.properties)
            if record.geometry is not None or source.srid is not None:
                shape, geometry = storage_geometry(dataset, record.geometry, crs, to_storage, area)
                values[dataset.geometry[shape]] = geometry
            features.append(Feature(record.label, values))
        except Invalid as problem:
            raise ImportRefused(f"{record.label}: {problem}") from None
    if not features:
        raise ImportRefused(_("the file holds no features"))
    return features


def column_headers(dataset, properties):
    """Column -> the file's header for it; refuses a file without a required column."""
    found = {}
    for column in dataset.columns:
        matches = [h for h in properties if str(h).strip().casefold() in column.headers]
        if len(matches) > 1:
            raise ImportRefused(_("the columns %(headers)s all mean %(column)s; keep one")
                                % {"headers": ", ".join(matches), "column": column.name})
        if matches:
            found[column] = matches[0]
        elif column.target in dataset.key:
            raise ImportRefused(_("the file has no %(column)s column (%(aliases)s)")
                                % {"column": column.name, "aliases": "/".join(column.aliases)})
    return found


def parse(dataset, headers, properties):
    values = {}
    for column, header in headers.items():
        model_field = dataset.model._meta.get_field(column.target)
        raw = properties[header]
        if isinstance(raw, str) and "\x00" in raw:  # PostgreSQL text holds no NUL
            raise Invalid(_("%(column)s: a NUL character in the text") % {"column": header})
        if isinstance(raw, str) and raw.lstrip().startswith("=") and column.parse is None \
                and not model_field.choices and isinstance(model_field, models.CharField):
            # Exported to CSV or XLSX, it would run as a formula in the next spreadsheet.
            raise Invalid(_("%(column)s: %(value)s looks like a spreadsheet formula, not text")
                          % {"column": header, "value": raw.strip()})
        if blank(raw):
            if model_field.null and not model_field.is_relation:
                values[column.target] = None
            continue
        try:
            value = column.parse(raw) if column.parse else convert(model_field, raw)
            if not model_field.is_relation:
                model_field.run_validators(value)
        except ValueError as problem:
            raise Invalid(f"{header}: {problem}") from None
        except ValidationError as problem:
            raise Invalid(f"{header}: {' '.join(problem.messages)}") from None
        values[column.target] = value
    missing = [k for k in dataset.key if values.get(k) is None]
    if missing:
        raise Invalid(_("%(columns)s is empty") % {"columns": ", ".join(missing)})
    return values


class Outline:
    """The county, to test that features lie (mostly) inside it."""

    def __init__(self, boundary):
        self.boundary = boundary
        self.near = boundary.buffer(POINT_MARGIN_METRES)
        shapely.prepare(self.boundary)
        shapely.prepare(self.near)

    def holds(self, shape, geometry):
        """A point within the margin, a line that comes near, a polygon mostly inside."""
        if shape == "point":
            return self.near.contains(geometry)
        if shape == "line":
            return shapely.dwithin(self.boundary, geometry, LINE_MARGIN_METRES)
        return (self.boundary.contains(geometry)
                or self.boundary.intersection(geometry).area >= INSIDE_SHARE * geometry.area)


def storage_geometry(dataset, geometry, crs, to_storage, area):
    """(shape, GEOS geometry in the storage CRS) of a record, or Invalid with the reason."""
    if geometry is None or geometry.is_empty:
        raise Invalid(_("it has no geometry"))
    shape = SHAPES.get(geometry.geom_type)
    if shape not in dataset.geometry:
        raise Invalid(_("a %(found)s where %(expected)s are expected")
                      % {"found": geometry.geom_type, "expected": " or ".join(dataset.geometry)})
    if shape in ("point", "line") and geometry.geom_type.startswith("Multi"):
        if len(geometry.geoms) != 1:
            raise Invalid(_("a %(found)s of %(n)d parts where one is expected")
                          % {"found": geometry.geom_type, "n": len(geometry.geoms)})
        geometry = geometry.geoms[0]
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    xy = shapely.get_coordinates(geometry)
    if not np.isfinite(xy).all():
        raise Invalid(_("a coordinate is not a finite number"))
    outside = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    if crs.is_geographic and outside.any() and (np.abs(xy) <= 1000).all():
        x, y = xy[outside.argmax()]
        raise Invalid(_("coordinates %(x)g, %(y)g are out of range: longitude is -180 to 180 "
                        "and latitude -90 to 90") % {"x": x, "y": y})
    if crs.is_geographic and outside.any():
        x, y = xy[outside.argmax()]
        raise Invalid(_("coordinates like %(x).0f, %(y).0f look like metres in a file declared "
                        "as degrees (%(crs)s); give the right EPSG code with --srid")
                      % {"x": x, "y": y, "crs": crs.name})
    geometry = reproject(geometry, to_storage)
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise Invalid(_("its coordinates cannot be projected to EPSG:%(srid)d")
                      % {"srid": settings.STORAGE_SRID})
    geos = GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=settings.STORAGE_SRID)
    if not geos.valid:
        raise Invalid(_("invalid geometry: %(reason)s") % {"reason": geos.valid_reason})
    if area is not None and not area.holds(shape, geometry):
        raise Invalid(_("it lies outside the county"))
    return shape, geos


def reproject(geometry, transformer):
    """A shapely geometry with its coordinates transformed (x east, y north)."""
    # Lists, not arrays: pyproj takes a one-element array for a scalar, which numpy deprecates.
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(*xy.T.tolist())))


# Writing ------------------------------------------------------------------------------------

def write(dataset, features, options):
    """Add, update (and with `options.replace` first delete) rows, each change in the model's
    history (the audit log) with the importing user; the counts for the report."""
    model, deleted, replace = dataset.model, 0, options.replace
    if replace:
        try:
            deleted = model.objects.all().delete()[1].get(model._meta.label, 0)
        except ProtectedError as problem:
            raise ImportRefused(_("--replace would delete %(kind)s that %(n)d other rows still "
                                  "refer to; import without --replace to update them instead")
                                % {"kind": model._meta.verbose_name_plural,
                                   "n": len(problem.protected_objects)}) from None
    existing = {tuple(getattr(row, k) for k in dataset.key): row
                for row in model.objects.all()} if dataset.key else {}
    created, updated, changed_fields, seen = [], [], set(), {}
    for feature in features:
        values = dict(feature.values)
        if dataset.key:
            k = key(dataset, values)
            if k in seen:
                raise ImportRefused(_("%(label)s: the same %(key)s as %(other)s")
                                    % {"label": feature.label, "key": ", ".join(map(str, k)),
                                       "other": seen[k]})
            seen[k] = feature.label
        row = existing.get(key(dataset, values)) if dataset.key else None
        try:
            if row is None:
                row = new_row(dataset, values)
                created.append(row)
            else:
                changes = {f: v for f, v in values.items() if not same(row, f, v)}
                for name, value in changes.items():
                    setattr(row, name, value)
                if changes:
                    updated.append(row)
                    changed_fields |= changes.keys()
            check_sums(dataset, row)
        except Invalid as problem:
            raise ImportRefused(f"{feature.label}: {problem}") from None
    if hasattr(model, "history"):
        recorded = {"default_user": options.user, "default_date": timezone.now(),
                    "default_change_reason": (_("imported from %(file)s")
                                              % {"file": Path(options.path).name})[:100]}
        bulk_create_with_history(created, model, **recorded)
        if updated:
            bulk_update_with_history(updated, model, sorted(changed_fields), batch_size=500,
                                     **recorded)
    else:
        model.objects.bulk_create(created)
        if updated:
            model.objects.bulk_update(updated, sorted(changed_fields), batch_size=500)
    if hasattr(model.objects, "assign_zones"):
        model.objects.assign_zones()
    if hasattr(model.objects, "derive_web_shapes"):
        model.objects.derive_web_shapes()
    return {"created": len(created), "updated": len(updated), "deleted": deleted}


def key(dataset, values):
    return tuple(values.get(k) for k in dataset.key)


def new_row(dataset, values):
    if not any(f in values for f in dataset.geometry.values()):
        raise Invalid(_("no %(kind)s has the %(key)s %(value)s (a table without lon/lat only "
                        "updates existing rows)")
                      % {"kind": dataset.model._meta.verbose_name, "key": "/".join(dataset.key),
                         "value": "/".join(str(values[k]) for k in dataset.key)})
    for name, default in dataset.defaults.items():
        if name not in values:
            try:
                values[name] = default(values)
            except ValueError as problem:
                raise Invalid(str(problem)) from None
    missing = [c.name for c in dataset.columns if c.required and values.get(c.target) is None]
    if missing:
        raise Invalid(_("%(columns)s must be given for a new row") % {"columns": ", ".join(missing)})
    return dataset.model(**values)


def same(row, name, value):
    current = getattr(row, name)
    if isinstance(value, GEOSGeometry) and current is not None:
        a, b = (shapely.from_wkb(bytes(g.wkb)) for g in (current, value))
        return a.geom_type == b.geom_type and shapely.hausdorff_distance(a, b) <= SAME_METRES
    if isinstance(value, Model):
        return getattr(row, row._meta.get_field(name).attname) == value.pk
    return current == value


def check_sums(dataset, row):
    for lesser, greater in dataset.at_most:
        if getattr(row, lesser) > getattr(row, greater):
            fields = row._meta
            raise Invalid(_("%(lesser)s (%(a)d) exceeds %(greater)s (%(b)d)")
                          % {"lesser": fields.get_field(lesser).verbose_name, "a": getattr(row, lesser),
                             "greater": fields.get_field(greater).verbose_name, "b": getattr(row, greater)})


def plan_name(options):
    """The name of the draft plan version a zones import makes."""
    return options.layer or Path(options.path).stem


def write_zones(features, options):
    """A new draft plan version with the four zones of the file, if they partition the county."""
    codes = sorted(f.values["code"] for f in features)
    if codes != sorted(Zone.Code.values):
        raise ImportRefused(_("a zones file holds the zones %(wanted)s once each; this one holds %(found)s")
                            % {"wanted": ", ".join(Zone.Code.values), "found": ", ".join(codes)})
    missing = [c.name for c in DATASETS["zones"].columns
               if c.required and any(f.values.get(c.target) is None for f in features)]
    if missing:
        raise ImportRefused(_("%(columns)s must be given for every zone") % {"columns": ", ".join(missing)})
    found = problems({f.values["code"]: f.values["boundary"] for f in features},
                     County.objects.get().boundary)
    if found:
        raise ImportRefused(_("the zones are not a partition of the county: %(problems)s")
                            % {"problems": "; ".join(found)})
    name = plan_name(options)
    plan = PlanVersion.objects.create(name=name, status=PlanVersion.Status.DRAFT,
                                      created_by=options.user,
                                      note=_("imported from %(file)s") % {"file": Path(options.path).name})
    bulk_create_with_history([Zone(plan=plan, **f.values) for f in features], Zone,
                             default_user=options.user, default_change_reason="imported",
                             default_date=timezone.now())  # one change: restorable as one
    Zone.objects.filter(plan=plan).derive_web_shapes()
    return {"created": len(features), "updated": 0, "deleted": 0, "plan": name}
