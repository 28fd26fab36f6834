"""Reading an import's file: GeoJSON, GeoPackage, a shapefile (.shp with its sidecars) or a
.zip holding one of those, and CSV/XLSX tables, checked against hostile input before anything
is parsed (zip bombs, unsafe paths, GDAL fetching from a GeoJSON's crs, formulas in cells).
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
import openpyxl
import pyproj
import shapely
from django.utils.translation import gettext as _
from fiona._err import CPLE_BaseError  # GDAL's own errors, as fiona raises some of them (a bad .prj)
from openpyxl.utils.exceptions import InvalidFileException

from ..crs import epsg_crs, file_srid
from .options import ImportRefused

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
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
# GDAL opens a file by its content, whatever its name: only the driver its suffix names may read it
# (a ".geojson" holding an OGR VRT would read any file on the server).
DRIVERS = {".shp": "ESRI Shapefile", ".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}
# The crs names GDAL reads without looking anything up elsewhere.
CRS_NAME = re.compile(r"(?i)(urn:ogc:def:crs:|https?://www\.opengis\.net/def/crs/)?(EPSG|OGC)[:/0-9.A-Z]*")
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
TABLE_SUFFIXES = (".csv", ".xlsx")
LON, LAT = {"lon", "lng", "longitude", "经度"}, {"lat", "latitude", "纬度"}


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


def extract(path, folder, datasets=VECTOR_SUFFIXES + TABLE_SUFFIXES):
    """Extract a zip after checking it, and return the one dataset in it (a file whose suffix
    is one of `datasets`)."""
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
    found = [p for p in inside if p.suffix.lower() in datasets]
    if len(found) != 1:
        raise ImportRefused(_("a zip must hold exactly one dataset (%(types)s); this one holds "
                              "%(n)d") % {"types": ", ".join(datasets), "n": len(found)})
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
