"""Import a layer from a file, all or nothing: read it, check every feature, then write in one transaction.

Files: GeoJSON, GeoPackage, a shapefile (.shp with its sidecars) or a .zip holding one of
those, and CSV/XLSX tables with lon/lat columns (or, for villages, keyed by code to update
their figures). Coordinate systems are taken as EPSG codes only: a file's own is identified
with pyproj, never handed to Django's GDAL 3.6 as free text (DESIGN.md §6).
"""
import codecs
import csv
import io
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fiona
import numpy as np
import openpyxl
import pyproj
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException
from pyproj.crs import ProjectedCRS
from simple_history.utils import bulk_create_with_history

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

VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx")
SHAPES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
          "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
LON, LAT = {"lon", "lng", "longitude", "经度"}, {"lat", "latitude", "纬度"}


class ImportRefused(ValueError):
    """A file the import will not take; its message says why, for the user."""


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
    source = read(options)
    features = checked(dataset, source, progress)
    with transaction.atomic():
        if dataset.model is Zone:
            counts = write_zones(features, options)
        else:
            counts = write(dataset, features, options.replace)
        transaction.set_rollback(options.dry_run)
    return ImportReport(options.kind, len(features), dry_run=options.dry_run,
                        encoding=source.encoding, source_srid=source.srid, **counts)


# Reading ------------------------------------------------------------------------------------

def read(options):
    """The file's records, its text encoding and the EPSG code of its coordinates."""
    path = Path(options.path)
    if not path.is_file():
        raise ImportRefused(_("no such file: %(path)s") % {"path": path})
    if options.encoding:
        try:
            codecs.lookup(options.encoding)
        except LookupError:
            raise ImportRefused(_("unknown encoding: %(encoding)s") % {"encoding": options.encoding}) from None
    if options.srid is not None:
        epsg_crs(options.srid)
    if path.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory() as folder:
            return read_path(extract(path, Path(folder)), options)
    return read_path(path, options)


def read_path(path, options):
    suffix = path.suffix.lower()
    try:
        if suffix in VECTOR_SUFFIXES:
            return read_vector(path, options)
        if suffix in TABLE_SUFFIXES:
            return read_table(path, options)
    except (fiona.errors.FionaError, InvalidFileException, zipfile.BadZipFile, csv.Error,
            struct.error) as problem:
        raise ImportRefused(_("cannot read %(file)s: %(reason)s")
                            % {"file": path.name, "reason": problem}) from None
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
            if (entry.file_size > ZIP_RATIO_FROM_BYTES
                    and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1)):
                raise ImportRefused(_("%(name)s in the zip is compressed suspiciously well "
                                      "(a zip bomb?)") % {"name": entry.filename})
        archive.extractall(folder)
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in
             VECTOR_SUFFIXES + TABLE_SUFFIXES and "__MACOSX" not in p.parts]
    if len(found) != 1:
        raise ImportRefused(_("a zip must hold exactly one dataset (a shapefile, GeoPackage, "
                              "GeoJSON, CSV or XLSX file); this one holds %(n)d") % {"n": len(found)})
    return found[0]


def read_vector(path, options):
    encoding, open_options = "utf-8", {}
    if path.suffix.lower() == ".shp":
        encoding = shapefile_encoding(path, options.encoding)
        if encoding:
            open_options["encoding"] = encoding
    if path.suffix.lower() == ".gpkg":
        open_options["layer"] = gpkg_layer(path, options.layer)
    with fiona.open(path, **open_options) as collection:
        srid = options.srid or file_srid(collection.crs_wkt)
        try:
            records = [Record(_("feature %(number)d") % {"number": n}, dict(f.properties),
                              shapely.geometry.shape(f.geometry) if f.geometry else None)
                       for n, f in enumerate(collection, 1)]
        except UnicodeDecodeError:
            raise ImportRefused(_("the text is not %(encoding)s; give its encoding with --encoding")
                                % {"encoding": encoding}) from None
        if not encoding:  # GDAL recoded from the .cpg or the DBF code page byte
            encoding = collection.tags(ns="SHAPEFILE").get("SOURCE_ENCODING") or None
    return Source(records, encoding, srid)


def gpkg_layer(path, wanted):
    layers = fiona.listlayers(path)
    if wanted is None and len(layers) == 1:
        return layers[0]
    if wanted not in layers:
        raise ImportRefused(_("choose a layer with --layer: %(layers)s") % {"layers": ", ".join(layers)})
    return wanted


def shapefile_encoding(shp, forced):
    """How to decode a shapefile's DBF: `forced`, else None (GDAL recodes from a .cpg or the
    DBF's code page byte), else strict UTF-8, else strict GB18030."""
    dbf, cpg = sidecar(shp, ".dbf"), sidecar(shp, ".cpg")
    if dbf is None:
        raise ImportRefused(_("%(file)s has no .dbf file beside it") % {"file": shp.name})
    data = dbf.read_bytes()
    if not forced and (cpg is not None or data[29] != 0):  # byte 29: the DBF language driver id
        return None
    return decoding(dbf_text(data), forced)


def sidecar(path, suffix):
    """The file beside `path` with the same stem and `suffix`, in any letter case."""
    return next((p for p in path.parent.iterdir()
                 if p.stem == path.stem and p.suffix.lower() == suffix), None)


def dbf_text(data):
    """The bytes of every character field of a DBF file, one value a line."""
    count, header_size, record_size = struct.unpack_from("<IHH", data, 4)
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
        except UnicodeDecodeError:
            continue
    if forced:
        raise ImportRefused(_("the text is not valid %(encoding)s") % {"encoding": forced})
    raise ImportRefused(_("the text is neither UTF-8 nor GB18030; give its encoding with --encoding"))


def epsg_crs(srid):
    try:
        return pyproj.CRS.from_epsg(srid)
    except pyproj.exceptions.CRSError:
        raise ImportRefused(_("EPSG:%(srid)s is not a known coordinate system") % {"srid": srid}) from None


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
        properties = dict(zip(header, row))
        point = None
        if srid and not (blank(properties[lon]) and blank(properties[lat])):
            try:
                point = shapely.Point(float(properties[lon]), float(properties[lat]))
            except (TypeError, ValueError):
                raise ImportRefused(_("%(row)s: lon and lat must be numbers") % {"row": label}) from None
        records.append(Record(label, properties, point))
    return Source(records, encoding, srid)


def xlsx_rows(path, sheet):
    """(row number, cells) of a workbook's sheet: the first one, or the one named `sheet`."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    if sheet is not None and sheet not in book.sheetnames:
        raise ImportRefused(_("choose a sheet with --layer: %(sheets)s") % {"sheets": ", ".join(book.sheetnames)})
    rows = book[sheet] if sheet else book.worksheets[0]
    return enumerate(rows.iter_rows(values_only=True), 1)


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
    if crs.is_geographic and ((np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any()):
        x, y = xy[0]
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

def write(dataset, features, replace):
    """Add, update (and with `replace` first delete) rows; the counts for the report."""
    model, deleted = dataset.model, 0
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
    name = options.layer or Path(options.path).stem
    plan = PlanVersion.objects.create(name=name, status=PlanVersion.Status.DRAFT,
                                      created_by=options.user,
                                      note=_("imported from %(file)s") % {"file": Path(options.path).name})
    bulk_create_with_history([Zone(plan=plan, **f.values) for f in features], Zone,
                             default_user=options.user, default_change_reason="imported",
                             default_date=timezone.now())  # one change: restorable as one
    Zone.objects.filter(plan=plan).derive_web_shapes()
    return {"created": len(features), "updated": 0, "deleted": 0, "plan": name}
