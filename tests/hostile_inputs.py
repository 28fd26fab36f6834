"""The hostile and broken input corpus, as data: files no import may take.

Each Case writes its file(s) into a folder and names the words its refusal must contain (in
English). tests/test_hostile_input.py runs every case through `manage.py import_layer` (or
`import_periods`, `import_households`, or `import_raster` for a DEM or a land use) and through
the API as a planner, and checks that nothing was written.
The files are built from the sample county (`Facts`), so that everything but the one fault is
right: a village code that exists, a point inside the county.
"""
import json
import sqlite3
import stat
import struct
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import fiona
import numpy as np
import openpyxl
import rasterio
import shapely
from rasterio.transform import from_origin

from layers.crs import reproject, transformer
from layers.models import County, Village, Zone

from .layer_files import in_srid, write_layer, zip_shapefile
from .test_rasters import EAST, NORTH, SOUTH, WEST, lonlat_dem, write_raster

PERIODS = "periods"  # a case's kind for the quarterly statistics (import_periods)
HOUSEHOLDS = "households"  # a case's kind for the register of households (import_households)
RASTERS = ("dem", "landcover")  # the kinds of import_raster: a case of either is a raster's
PERIOD_HEADER = ["村代码", "年份", "季度", "贫困户数", "贫困人口", "人均纯收入", "贫困户人均纯收入"]
# A register's columns as the national system exports them, and a household of one member.
HOUSEHOLD_HEADER = ["户编号", "姓名", "户主姓名", "证件号码", "与户主关系", "人数", "户类别", "脱贫状态",
                    "村代码", "识别时间", "性别", "出生年份"]


def household_row(facts, **cells):
    row = dict(zip(HOUSEHOLD_HEADER, [f"{facts.code}9001", "哨兵乙", "哨兵乙", "", "户主", 1,
                                      "产业扶持", "未脱贫", facts.code, "2014-05-10", "男", 1960]))
    return [cells.get(k, v) for k, v in row.items()]


class Facts:
    """What the cases take from the sample county, read when first asked for."""

    @cached_property
    def village(self):
        """The first villagers' committee: every page and table lists it (the exit assessment
        leaves out the residents' committees that were never poor villages)."""
        return Village.objects.filter(kind="village").order_by("code").first()

    @property
    def code(self):
        return self.village.code

    @cached_property
    def point(self):
        """The first village's committee, lon/lat (EPSG:4326)."""
        return in_srid(self.village.location, 4326)

    @cached_property
    def bounds(self):
        """(west, south, east, north) of the first village's boundary, lon/lat."""
        return in_srid(self.village.boundary, 4326).bounds

    @cached_property
    def zones(self):
        """The zones in force as (properties, shapely geometry in EPSG:4546) rows."""
        rows = []
        for zone in Zone.objects.in_force():
            shape = in_srid(zone.boundary, 4546)
            rows.append(({"code": zone.code, "name": zone.name, "color": zone.color},
                         shapely.MultiPolygon([shape]) if shape.geom_type == "Polygon" else shape))
        return rows

    @cached_property
    def county(self):
        """The county's outline, lon/lat: a parcel that covers all of it."""
        return in_srid(County.objects.get().boundary, 4326)


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    kind: str  # a key of layers.datasets.DATASETS, PERIODS, HOUSEHOLDS, or one of RASTERS
    write: Callable  # (folder, Facts) -> the path to import
    words: tuple  # the refusal contains each of these
    options: dict = field(default_factory=dict)  # encoding, srid, layer: as typed
    api_words: tuple = ()  # when the API refuses in other words (its form checks first)
    upload_name: str = ""  # the API uploads under this name (default: the file's own)
    limits: dict = field(default_factory=dict)  # layers.importing.reading constants lowered for the case


# Writers ------------------------------------------------------------------------------------

def raw(name, data):
    """A file holding `data` (bytes, or text written as UTF-8) as it is."""
    def write(folder, facts):
        path = folder / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path
    return write


def geojson(name, features=None, properties=None, geometry=None, **members):
    """A FeatureCollection written by hand (fiona would mend what the case breaks).

    `features` is a function of Facts giving (properties, geometry) pairs; by default one
    feature, the first village with `properties` (functions of Facts are called) at its
    committee or at `geometry` (a function of Facts giving a GeoJSON geometry)."""
    def write(folder, facts):
        rows = features(facts) if features else [(
            {"code": facts.code, **{k: v(facts) if callable(v) else v
                                   for k, v in (properties or {}).items()}},
            geometry(facts) if geometry else shapely.geometry.mapping(facts.point))]
        document = {"type": "FeatureCollection", **members,
                    "features": [{"type": "Feature", "properties": p, "geometry": g}
                                 for p, g in rows]}
        path = folder / name
        # allow_nan: the JSON of NaN and Infinity that other programs write
        path.write_text(json.dumps(document, ensure_ascii=False, allow_nan=True), encoding="utf-8")
        return path
    return write


def polygon(ring):
    """A GeoJSON Polygon from a function of the village's bounds to its one ring."""
    return lambda facts: {"type": "Polygon", "coordinates": [ring(*facts.bounds)]}


def text(name, lines, encoding="utf-8"):
    """A text file of `lines` (a function of Facts), joined by newlines, in `encoding`."""
    def write(folder, facts):
        path = folder / name
        path.write_bytes("\n".join(lines(facts)).encode(encoding))
        return path
    return write


def xlsx(name, rows, text_codes=True):
    """A workbook of `rows` (a function of Facts); the first column typed as text, as it should be."""
    def write(folder, facts):
        book = openpyxl.Workbook()
        for row in rows(facts):
            book.active.append(row)
            if text_codes and isinstance(row[0], str):
                book.active.cell(book.active.max_row, 1).number_format = "@"
        path = folder / name
        book.save(path)
        return path
    return write


def periods_xlsx(name, rows):
    return xlsx(name, lambda facts: [PERIOD_HEADER, *rows(facts)])


def register_xlsx(name, rows):
    return xlsx(name, lambda facts: [HOUSEHOLD_HEADER, *rows(facts)])


def register_csv(name, rows, encoding="utf-8"):
    return text(name, lambda facts: [",".join(HOUSEHOLD_HEADER),
                                     *(",".join(map(str, r)) for r in rows(facts))],
                encoding=encoding)


def rezipped(writer, change):
    """The zip (or XLSX) `writer` makes, its entries passed through `change(entries)`:
    a list of (ZipInfo or name, bytes)."""
    def write(folder, facts):
        path = writer(folder, facts)
        with zipfile.ZipFile(path) as archive:
            entries = [(info, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in change(entries):
                archive.writestr(info, data)
        return path
    return write


def zipped(name, entries):
    """A zip of (name or ZipInfo, bytes) entries, deflated."""
    def write(folder, facts):
        path = folder / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, data in entries(facts) if callable(entries) else entries:
                archive.writestr(entry, data)
        return path
    return write


def patched(writer, change, suffix=None):
    """The file `writer` makes (or its sidecar with `suffix`), its bytes passed through
    `change(bytearray)`."""
    def write(folder, facts):
        path = writer(folder, facts)
        target = path.with_suffix(suffix) if suffix else path
        data = bytearray(target.read_bytes())
        change(data)
        target.write_bytes(bytes(data))
        return path
    return write


def figures_csv(name="figures.csv", header="code,households", row=lambda f: f"{f.code},10"):
    return text(name, lambda f: [header, row(f)])


def shapefile(name="villages.shp", srid=4546, encoding="utf-8", drop=(), point=None,
              properties=None):
    """The first village's committee as a point shapefile in EPSG `srid`, without the sidecars
    in `drop`."""
    def write(folder, facts):
        location = point(facts) if point else in_srid(facts.village.location, srid)
        values = {"code": facts.code, "name": "新村", **(properties or {})}
        shp = write_layer(folder / name, [(values, location)], srid, encoding=encoding)
        for suffix in drop:
            shp.with_suffix(suffix).unlink()
        return shp
    return write


def shapefile_zip(name="villages.zip", **options):
    def write(folder, facts):
        (folder / "inner").mkdir()
        shp = shapefile(**options)(folder / "inner", facts)
        return zip_shapefile(shp, folder / name)
    return write


def symlink_entry(name, target):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def flagged(name, data, flags=0, method=None):
    """A zip entry with general-purpose flag bits (bit 0: encrypted) or a compression method
    the zip module will write but not read."""
    def write(folder, facts):
        path = folder / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr("figures.csv", data(facts))
        raw_bytes = bytearray(path.read_bytes())
        central = raw_bytes.find(b"PK\x01\x02")
        for header, offset in ((0, 6), (central, 8)):  # local header, central directory entry
            bits, = struct.unpack_from("<H", raw_bytes, header + offset)
            struct.pack_into("<H", raw_bytes, header + offset, bits | flags)
            if method is not None:
                struct.pack_into("<H", raw_bytes, header + offset + 2, method)
        path.write_bytes(bytes(raw_bytes))
        return path
    return write


def bad_crc(name):
    def write(folder, facts):
        path = zipped(name, lambda f: [("figures.csv", f"code,households\n{f.code},1\n" * 50)])(folder, facts)
        data = bytearray(path.read_bytes())
        central = data.find(b"PK\x01\x02")
        struct.pack_into("<I", data, central + 16, 0xDEADBEEF)  # the CRC-32 the reader checks
        path.write_bytes(bytes(data))
        return path
    return write


def sqlite_without_layers(name):
    def write(folder, facts):
        path = folder / name
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        return path
    return write


def two_layer_gpkg(name):
    def write(folder, facts):
        path = folder / name
        row = [({"code": facts.code}, facts.point)]
        write_layer(path, row, 4326)
        with fiona.open(  # the second layer: fiona writes one layer per open
path, "w", driver="GPKG", layer="second", crs="EPSG:4326",
                        schema={"geometry": "Point", "properties": {"code": "str"}}) as sink:
            sink.write({"geometry": shapely.geometry.mapping(facts.point),
                        "properties": {"code": facts.code}})
        return path
    return write


def zones_gpkg(name):
    def write(folder, facts):
        return write_layer(folder / name, facts.zones, 4546)
    return write


def billion_laughs(name):
    """A workbook whose sheet names an entity that expands ten to the ninth times."""
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{("&a%d;" % (i - 1)) * 10}">' for i in range(1, 10))

    def bomb(sheet):  # openpyxl writes text as inline strings: the code cell's becomes &a9;
        body = sheet.split(b"?>", 1)[-1] if sheet.startswith(b"<?xml") else sheet
        return (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode()
                + body.replace(b"<t>code</t>", b"<t>&a9;</t>"))

    def change(entries):
        return [(info, bomb(data) if info.filename.startswith("xl/worksheets/") else data)
                for info, data in entries]
    return rezipped(xlsx(name, lambda f: [["code", "households"], [f.code, 1]]), change)


def broken_sheet_xml(entries):
    return [(info, data[:len(data) // 2] if info.filename.startswith("xl/worksheets/") else data)
            for info, data in entries]


def with_bomb(entries):
    return [*entries, ("xl/media/padding.bin", bytes(20 * 2**20))]  # 20 MB of zeros: ~20 KB


def lonlat(facts):
    return f"{facts.point.x},{facts.point.y}"


def dem(name="dem.tif", **options):
    """The tilted plane of tests/test_rasters.py over the county and its margin, in EPSG:4326
    cells of 0.01 degrees, with `options` as lonlat_dem takes them (crs, nodata, values, ...)."""
    return lambda folder, facts: lonlat_dem(folder / name, **options)


def filled(value, dtype):
    """A raster's `values` for lonlat_dem: `value` in every cell."""
    return lambda x, y, z: np.full(z.shape, value, dtype)


def ungeoreferenced(name):
    """A GeoTIFF with neither a coordinate system nor a transform: pixels, not places."""
    def write(folder, facts):
        array = np.full((100, 160), 500, "float32")
        with rasterio.open(folder / name, "w", driver="GTiff", width=160, height=100, count=1,
                           dtype="float32") as out:
            out.write(array, 1)
        return folder / name
    return write


def rgb(name):
    """A photograph of the county: three bands of bytes, red, green and blue, well placed."""
    def write(folder, facts):
        bands = np.random.default_rng(1).integers(0, 256, (3, 100, 160), dtype="uint8")
        with rasterio.open(folder / name, "w", driver="GTiff", width=160, height=100, count=3,
                           dtype="uint8", crs="EPSG:4326", photometric="RGB",
                           transform=from_origin(WEST, NORTH, 0.01, 0.01)) as out:
            out.write(bands)
        return folder / name
    return write


def placed(name, crs, west, north, cell, shape=(100, 160)):
    """A flat 500 m DEM in `crs` with its north-west corner at `west`, `north` and cells of
    `cell` (the CRS's units)."""
    def write(folder, facts):
        return write_raster(folder / name, np.full(shape, 500, "float32"),
                            from_origin(west, north, cell, cell), crs)
    return write


def sparse(name, width, height):
    """A GeoTIFF of a few hundred kilobytes that declares `width` × `height` cells over the
    county: tiled, compressed, and not one tile written (GDAL's SPARSE_OK)."""
    def write(folder, facts):
        step = (EAST - WEST) / width
        with rasterio.open(folder / name, "w", driver="GTiff", width=width, height=height,
                           count=1, dtype="uint8", crs="EPSG:4326", tiled=True, compress="deflate",
                           sparse_ok=True, bigtiff="yes",
                           transform=from_origin(WEST, NORTH, step, (NORTH - SOUTH) / height)):
            pass
        return folder / name
    return write


def truncated(writer):
    """The file `writer` makes cut off half way: its header and directory whole, half its cells gone."""
    return patched(writer, lambda data: data.__delitem__(slice(len(data) // 2, None)))


def zip_of(name, *writers, extra=()):
    """A zip of the files `writers` make (under their own names) and the (name, bytes) `extra`."""
    def write(folder, facts):
        inner = folder / "inner"
        inner.mkdir()
        paths = [writer(inner, facts) for writer in writers]
        path = folder / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in paths:
                archive.write(member, member.name)
            for entry, data in extra:
                archive.writestr(entry, data)
        return path
    return write


def parcels(name, properties):
    """A 三调 land-use layer as GeoJSON: one parcel, the whole county, with `properties`."""
    return geojson(name, features=lambda f: [(properties, shapely.geometry.mapping(f.county))])


def parcels_zip(name, rows):
    """A 三调 land-use layer as a zipped shapefile in EPSG:4546 (the county's CGCS2000 zone):
    the parcels `rows(facts)` gives, as (properties, lon/lat shapely geometry) pairs."""
    def write(folder, facts):
        (folder / "inner").mkdir()
        to_4546 = transformer(4326, 4546)
        shp = write_layer(folder / "inner" / "parcels.shp",
                          [(values, reproject(shape, to_4546)) for values, shape in rows(facts)], 4546)
        return zip_shapefile(shp, folder / name)
    return write


LOCAL_CS = 'LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
VRT = ('<VRTDataset rasterXSize="10" rasterYSize="10"><VRTRasterBand dataType="Byte" band="1">'
       '<SimpleSource><SourceFilename>/etc/passwd</SourceFilename></SimpleSource>'
       '</VRTRasterBand></VRTDataset>')


LONG = "长" * 80  # 240 bytes as UTF-8: a file name Linux still takes (at most 255 bytes)


# The corpus ---------------------------------------------------------------------------------

CASES = [
    # Malformed and truncated GeoJSON
    Case("geojson-top-level-array", "malformed GeoJSON", "villages",
         raw("array.geojson", '[{"type": "Feature", "properties": {}, "geometry": null}]'),
         ("array.geojson", "GeoJSON")),
    Case("geojson-truncated", "malformed GeoJSON", "villages",
         raw("truncated.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
                                  '"properties": {"code": "611021'),
         ("truncated.geojson", "GeoJSON")),
    Case("geojson-truncated-escaped", "malformed GeoJSON", "villages",
         raw("escaped.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
                                '"properties": {"name": "\\u6751'),
         ("escaped.geojson is not valid GeoJSON",)),
    Case("geojson-no-features", "malformed GeoJSON", "villages",
         raw("empty.geojson", '{"type": "FeatureCollection", "features": []}'),
         ("holds no features",)),
    Case("geojson-features-not-a-list", "malformed GeoJSON", "villages",
         raw("object.geojson", '{"type": "FeatureCollection", "features": {"a": 1}}'),
         ("GeoJSON",)),
    Case("geojson-null-geometry", "malformed GeoJSON", "villages",
         geojson("null.geojson", geometry=lambda f: None), ("feature 1: it has no geometry",)),
    Case("geojson-deeply-nested", "malformed GeoJSON", "villages",
         raw("deep.geojson", "[" * 100_000 + "]" * 100_000), ("deep.geojson", "GeoJSON")),
    Case("geojson-binary", "malformed GeoJSON", "villages",
         raw("binary.geojson", bytes(range(256)) * 40), ("binary.geojson", "GeoJSON")),
    Case("geojson-bom-only", "malformed GeoJSON", "villages",
         raw("bom.geojson", b"\xef\xbb\xbf"), ("bom.geojson", "GeoJSON")),
    Case("geojson-vrt-inside", "malformed GeoJSON", "villages",
         # An OGR VRT reads any file it names; GDAL would open it by its content.
         raw("vrt.geojson", '<OGRVRTDataSource><OGRVRTLayer name="passwd"><SrcDataSource>'
                            '/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'),
         ("vrt.geojson", "GeoJSON")),

    # Invalid geometries
    Case("polygon-ring-of-2-points", "invalid geometry", "villages",
         geojson("ring2.geojson", geometry=polygon(lambda w, s, e, n: [[w, s], [e, n]])),
         ("feature 1: invalid geometry",)),
    Case("polygon-ring-of-3-points", "invalid geometry", "villages",
         geojson("ring3.geojson", geometry=polygon(lambda w, s, e, n: [[w, s], [e, n], [w, s]])),
         ("feature 1: invalid geometry",)),
    Case("polygon-bowtie", "invalid geometry", "villages",
         geojson("bowtie.geojson", geometry=polygon(
             lambda w, s, e, n: [[w, s], [e, n], [e, s], [w, n], [w, s]])),
         ("feature 1: invalid geometry", "Self-intersection")),
    Case("polygon-hole-outside-shell", "invalid geometry", "villages",
         geojson("hole.geojson", geometry=lambda f: {"type": "Polygon", "coordinates": [
             [[f.bounds[0], f.bounds[1]], [f.bounds[2], f.bounds[1]], [f.bounds[2], f.bounds[3]],
              [f.bounds[0], f.bounds[1]]],
             [[f.bounds[0] - 1, f.bounds[3] + 1], [f.bounds[0] - 0.9, f.bounds[3] + 1],
              [f.bounds[0] - 0.9, f.bounds[3] + 1.1], [f.bounds[0] - 1, f.bounds[3] + 1]]]}),
         ("feature 1: invalid geometry",)),
    Case("line-of-one-point", "invalid geometry", "roads",
         geojson("road.geojson", features=lambda f: [(
             {"name": "断路", "class": "county"},
             {"type": "LineString", "coordinates": [[f.point.x, f.point.y]]})]),
         ("feature 1: invalid geometry",)),
    Case("line-for-a-village", "invalid geometry", "villages",
         geojson("line.geojson", geometry=lambda f: {"type": "LineString", "coordinates": [
             [f.bounds[0], f.bounds[1]], [f.bounds[2], f.bounds[3]]]}),
         ("feature 1: a LineString where polygon or point are expected",)),
    Case("geometry-collection", "invalid geometry", "centers",
         geojson("collection.geojson", features=lambda f: [(
             {"type": "elderly_care", "name": "养老院"},
             {"type": "GeometryCollection",
              "geometries": [shapely.geometry.mapping(f.point)]})]),
         ("feature 1: a GeometryCollection where point are expected",)),
    Case("multipoint-of-two", "invalid geometry", "centers",
         geojson("two.geojson", features=lambda f: [(
             {"type": "elderly_care", "name": "养老院"},
             {"type": "MultiPoint", "coordinates": [[f.point.x, f.point.y],
                                                    [f.point.x + 0.01, f.point.y]]})]),
         ("feature 1: a MultiPoint of 2 parts",)),

    # Coordinates out of range or outside the county
    Case("latitude-95", "coordinates out of range", "villages",
         geojson("lat95.geojson", geometry=lambda f: {"type": "Point", "coordinates": [f.point.x, 95]}),
         ("feature 1:", "out of range")),
    Case("longitude-200", "coordinates out of range", "villages",
         geojson("lon200.geojson", geometry=lambda f: {"type": "Point", "coordinates": [200, f.point.y]}),
         ("feature 1:", "out of range")),
    Case("lat-lon-swapped", "coordinates out of range", "centers",
         text("swapped.csv", lambda f: ["lat,lon,type,name", f"{f.point.x},{f.point.y},elderly_care,养老院"]),
         ("row 2:", "out of range")),
    Case("point-in-another-province", "coordinates outside the county", "centers",
         # 天安门, Beijing: about 900 km from the county.
         text("beijing.csv", lambda f: ["lon,lat,type,name", "116.3975,39.9087,elderly_care,养老院"]),
         ("row 2: it lies outside the county",)),
    Case("metres-declared-as-degrees", "coordinates out of range", "villages",
         geojson("metres.geojson", geometry=lambda f: shapely.geometry.mapping(
             in_srid(f.village.location, 4546))),
         ("feature 1:", "look like metres")),

    # Wrong and unknown coordinate systems
    Case("srid-999999", "wrong or unknown SRID", "villages", geojson("p.geojson"),
         ("EPSG:999999 is not a known coordinate system",), options={"srid": "999999"}),
    Case("srid-0", "wrong or unknown SRID", "villages", geojson("p.geojson"),
         ("EPSG:0 is not a known coordinate system",), options={"srid": "0"},
         api_words=("srid", "greater than or equal to 1")),
    Case("srid-beyond-64-bits", "wrong or unknown SRID", "villages", geojson("p.geojson"),
         ("is not a known coordinate system",), options={"srid": str(2**70)}),
    Case("srid-in-degrees-for-metres", "wrong or unknown SRID", "villages",
         shapefile(srid=4546), ("feature 1:", "look like metres"), options={"srid": "4490"}),
    Case("srid-in-metres-for-degrees", "wrong or unknown SRID", "villages",
         geojson("p.geojson"), ("feature 1: it lies outside the county",), options={"srid": "4546"}),
    Case("srid-vertical", "wrong or unknown SRID", "villages", geojson("p.geojson"),
         ("EPSG:5773", "not a geographic or projected"), options={"srid": "5773"}),
    Case("srid-geocentric", "wrong or unknown SRID", "villages", geojson("p.geojson"),
         ("EPSG:4978", "not a geographic or projected"), options={"srid": "4978"}),
    Case("srid-as-proj-string", "wrong or unknown SRID", "villages", geojson("p.geojson"),
         ("srid",), options={"srid": "+proj=longlat +datum=WGS84"}),
    Case("lon-lat-columns-in-metres", "wrong or unknown SRID", "centers",
         text("centers.csv", lambda f: ["lon,lat,type,name", f"{lonlat(f)},elderly_care,养老院"]),
         ("lon/lat columns need a geographic coordinate system",), options={"srid": "4546"}),
    Case("prj-garbage", "wrong or unknown SRID", "villages",
         lambda folder, facts: _with_prj(shapefile()(folder, facts), 'PROJCS["nonsense",GARBAGE['),
         ("coordinate system", "--srid")),
    Case("prj-missing", "wrong or unknown SRID", "villages", shapefile(drop=(".prj",)),
         ("says nothing of its coordinate system", "--srid")),
    Case("geojson-crs-link", "wrong or unknown SRID", "villages",
         # GDAL fetches a "link" crs over HTTP: a request to wherever the file says.
         geojson("link.geojson", crs={"type": "link", "properties": {
             "href": "http://127.0.0.1:9/crs.wkt", "type": "ogcwkt"}}),
         ("link.geojson names its coordinate system other than by an EPSG code",)),
    Case("geojson-crs-url", "wrong or unknown SRID", "villages",
         geojson("url.geojson", crs={"type": "url", "properties": {"url": "http://127.0.0.1:9/crs"}}),
         ("url.geojson names its coordinate system other than by an EPSG code",)),
    Case("geojson-crs-name-is-a-url", "wrong or unknown SRID", "villages",
         # The member's name in capitals: GDAL matches it in any letter case.
         geojson("name.geojson", CRS={"type": "name", "properties": {"name": "http://127.0.0.1:9/crs"}}),
         ("name.geojson names its coordinate system other than by an EPSG code",)),
    Case("geojson-crs-unknown-epsg", "wrong or unknown SRID", "villages",
         geojson("unknown.geojson", crs={"type": "name", "properties": {
             "name": "urn:ogc:def:crs:EPSG::999999"}}),
         ("names an unknown coordinate system",)),

    # Empty files
    Case("empty-geojson", "empty file", "villages", raw("empty.geojson", b""), ("empty",)),
    Case("empty-csv", "empty file", "villages", raw("empty.csv", b""), ("empty",)),
    Case("empty-gpkg", "empty file", "villages", raw("empty.gpkg", b""), ("empty",)),
    Case("bom-only-csv", "empty file", "villages", raw("bom.csv", b"\xef\xbb\xbf"),
         ("the file holds no features",)),
    Case("header-only-csv", "empty file", "villages", text("header.csv", lambda f: ["code,households"]),
         ("the file holds no features",)),
    Case("empty-zip", "empty file", "villages", zipped("empty.zip", []),
         ("exactly one dataset", "holds 0")),
    Case("gpkg-that-is-text", "empty file", "villages", raw("text.gpkg", "just some words"),
         ("text.gpkg is not a GeoPackage",)),
    Case("sqlite-without-layers", "empty file", "villages", sqlite_without_layers("notes.gpkg"),
         ("notes.gpkg",)),
    Case("periods-empty", "empty file", PERIODS, raw("2030Q1.xlsx", b""), ("empty",)),
    Case("periods-no-rows", "empty file", PERIODS, periods_xlsx("2030Q1.xlsx", lambda f: []),
         ("has no rows",)),

    # Files over the size limit (the limit lowered to 1 MB for the test)
    Case("csv-over-the-limit", "over the size limit", "villages",
         text("big.csv", lambda f: ["code,households", *[f"{f.code},1"] * 70_000]),
         ("larger than 1 MB",), limits={"MAX_UPLOAD_BYTES": 2**20}),
    Case("periods-over-the-limit", "over the size limit", PERIODS,
         text("big.csv", lambda f: [",".join(PERIOD_HEADER), *[f"{f.code},2030,1,1,1,1,1"] * 40_000]),
         ("larger than 1 MB",), limits={"MAX_UPLOAD_BYTES": 2**20}),
    Case("zip-extracting-over-the-limit", "over the size limit", "villages",
         zipped("big.zip", [("big.csv", b"code\n" + b"6" * (2**20 + 1))]),
         ("would extract to more than 1 MB",), limits={"MAX_ZIP_BYTES": 2**20}),

    # Zip bombs and zip-slip paths
    Case("zip-slip-dotdot", "zip-slip and zip bombs", "villages",
         zipped("slip.zip", [("../../etc/passwd", b"root:x:0:0")]),
         ("unsafe path: ../../etc/passwd",)),
    Case("zip-absolute-path", "zip-slip and zip bombs", "villages",
         zipped("absolute.zip", [("/etc/cron.d/evil.csv", b"code\n")]),
         ("unsafe path: /etc/cron.d/evil.csv",)),
    Case("zip-windows-drive", "zip-slip and zip bombs", "villages",
         zipped("drive.zip", [("C:\\Windows\\evil.csv", b"code\n")]), ("unsafe path",)),
    Case("zip-symlink", "zip-slip and zip bombs", "villages",
         zipped("link.zip", [symlink_entry("villages.csv", b"/etc/passwd")]),
         ("symbolic link: villages.csv",)),
    Case("zip-bomb", "zip-slip and zip bombs", "villages",
         zipped("bomb.zip", [("zeros.csv", bytes(30 * 2**20))]),  # 30 MB -> about 30 KB
         ("zeros.csv", "compressed suspiciously well")),
    Case("zip-nested", "zip-slip and zip bombs", "villages",
         lambda folder, facts: zipped("outer.zip", [(
             "inner.zip", shapefile_zip("inner.zip")(folder, facts).read_bytes())])(folder, facts),
         ("another zip",)),
    Case("zip-two-datasets", "zip-slip and zip bombs", "villages",
         zipped("two.zip", lambda f: [("a.csv", f"code\n{f.code}\n"), ("b.csv", f"code\n{f.code}\n")]),
         ("exactly one dataset", "holds 2")),
    Case("zip-too-many-entries", "zip-slip and zip bombs", "villages",
         zipped("many.zip", [(f"readme{i}.txt", b"x") for i in range(51)]), ("holds 51 files",)),
    Case("zip-encrypted", "zip-slip and zip bombs", "villages",
         flagged("secret.zip", lambda f: f"code,households\n{f.code},1\n", flags=0x1),
         ("encrypted",)),
    Case("zip-unknown-method", "zip-slip and zip bombs", "villages",
         flagged("method.zip", lambda f: f"code,households\n{f.code},1\n", method=99),
         ("not supported",)),
    Case("zip-bad-crc", "zip-slip and zip bombs", "villages", bad_crc("crc.zip"),
         ("the zip is damaged",)),
    Case("zip-not-a-zip", "zip-slip and zip bombs", "villages", raw("fake.zip", "not a zip"),
         ("fake.zip is not a zip file",)),

    # Shapefiles with missing or broken sidecars
    Case("shp-without-dbf", "shapefile sidecars", "villages", shapefile(drop=(".dbf",)),
         ("no .dbf file",)),
    Case("shp-without-shx", "shapefile sidecars", "villages", shapefile(drop=(".shx",)),
         ("villages.shp has no .shx file",)),
    Case("dbf-truncated", "shapefile sidecars", "villages",
         patched(shapefile(drop=(".cpg",)), lambda data: data.__delitem__(slice(20, None)), ".dbf"),
         ("villages.dbf is not a dBASE file",)),
    Case("dbf-claims-four-billion-records", "shapefile sidecars", "villages",
         # Read as claimed, a header like this had the import loop four billion times.
         patched(shapefile(drop=(".cpg",)), lambda data: struct.pack_into("<I", data, 4, 2**32 - 1),
                 ".dbf"),
         ("villages.dbf is damaged", "4294967295 records")),
    Case("shp-garbage", "shapefile sidecars", "villages",
         lambda folder, facts: _with_garbage_shp(shapefile()(folder, facts)), ("feature 1:",)),
    Case("gpkg-two-layers", "shapefile sidecars", "villages", two_layer_gpkg("two.gpkg"),
         ("choose a layer with --layer",)),

    # Wrong encodings
    Case("gbk-dbf-read-as-utf8", "wrong encoding", "villages",
         shapefile(encoding="gbk", drop=(".cpg",)), ("not valid utf-8",),
         options={"encoding": "utf-8"}),
    Case("csv-utf16-with-bom", "wrong encoding", "villages",
         text("utf16.csv", lambda f: ["code,households", f"{f.code},1"], encoding="utf-16"),
         ("neither UTF-8 nor GB18030",)),
    Case("csv-utf16-without-bom", "wrong encoding", "villages",
         text("utf16le.csv", lambda f: ["code,households", f"{f.code},1"], encoding="utf-16-le"),
         ("NUL characters",)),
    Case("csv-nul-byte", "wrong encoding", "villages",
         text("nul.csv", lambda f: ["code,name", f"{f.code},村\x00名"]), ("NUL characters",)),
    Case("encoding-rot13", "wrong encoding", "villages", figures_csv(),
         ("unknown encoding: rot13",), options={"encoding": "rot13"}),
    Case("encoding-unknown", "wrong encoding", "villages", figures_csv(),
         ("unknown encoding: klingon",), options={"encoding": "klingon"}),
    Case("periods-csv-utf16", "wrong encoding", PERIODS,
         text("2030Q1.csv", lambda f: [",".join(PERIOD_HEADER), f"{f.code},2030,1,1,1,1,1"],
              encoding="utf-16"),
         ("neither UTF-8 nor GB18030",)),

    # XLSX with formulas, XLSX that is not one, codes turned into numbers
    Case("xlsx-formula-in-figures", "XLSX formulas and codes as numbers", "villages",
         xlsx("formula.xlsx", lambda f: [["code", "households"], [f.code, "=1+1"]]),
         ("row 2, cell B2: a formula (=1+1)",)),
    Case("xlsx-hyperlink-in-code", "XLSX formulas and codes as numbers", PERIODS,
         periods_xlsx("2030Q1.xlsx", lambda f: [[
             '=HYPERLINK("http://example.invalid","611021001001")', 2030, 1, 1, 1, 1, 1]]),
         ("row 2, cell A2: a formula (=HYPERLINK",)),
    Case("xlsx-empty-zip", "XLSX formulas and codes as numbers", "villages",
         zipped("nothing.xlsx", []), ("nothing.xlsx is not a readable XLSX workbook",)),
    Case("xlsx-zip-of-a-text-file", "XLSX formulas and codes as numbers", PERIODS,
         zipped("2030Q1.xlsx", [("notes.txt", b"hello")]), ("is not a readable XLSX workbook",)),
    Case("xlsx-not-a-zip", "XLSX formulas and codes as numbers", "villages",
         raw("fake.xlsx", "code,households\n"), ("cannot read fake.xlsx",)),
    Case("xlsx-broken-sheet-xml", "XLSX formulas and codes as numbers", "villages",
         rezipped(xlsx("broken.xlsx", lambda f: [["code", "households"], [f.code, 1]]),
                  broken_sheet_xml),
         ("broken.xlsx is not a readable XLSX workbook",)),
    Case("xlsx-zip-bomb", "XLSX formulas and codes as numbers", "villages",
         rezipped(xlsx("bomb.xlsx", lambda f: [["code", "households"], [f.code, 1]]), with_bomb),
         ("compressed suspiciously well",)),
    Case("xlsx-billion-laughs", "XLSX formulas and codes as numbers", "villages",
         billion_laughs("laughs.xlsx"), ("laughs.xlsx is not a readable XLSX workbook",)),
    Case("xlsx-sheet-not-there", "XLSX formulas and codes as numbers", "villages",
         xlsx("figures.xlsx", lambda f: [["code", "households"], [f.code, 1]]),
         ("choose a sheet with --layer: Sheet",), options={"layer": "统计"}),
    Case("code-lost-its-leading-digit", "XLSX formulas and codes as numbers", "villages",
         xlsx("lost.xlsx", lambda f: [["code", "households"], [int(f.code[1:]), 1]], text_codes=False),
         ("row 2: code:", "store codes as text")),
    Case("code-in-scientific-notation", "XLSX formulas and codes as numbers", "villages",
         # As Excel saves a CSV: the code shown as a number in a narrow column.
         text("sci.csv", lambda f: ["code,households", "6.11021E+11,1"]),
         ("row 2: code: 6.11021E+11", "store codes as text")),
    Case("periods-code-as-float", "XLSX formulas and codes as numbers", PERIODS,
         periods_xlsx("2030Q1.xlsx", lambda f: [[6.1e11, 2030, 1, 1, 1, 1, 1]]),
         ("row 2: no village has the code 610000000000", "store codes as text")),
    Case("code-in-arabic-indic-digits", "XLSX formulas and codes as numbers", "villages",
         text("arabic.csv", lambda f: ["code,households", f"{f.code.translate(ARABIC_INDIC)},1"]),
         ("row 2: code:", "is not a code of 12 digits")),

    # Scripts in names (refused for the script's place, or for another reason)
    Case("script-as-code", "script in a name", "villages",
         text("script.csv", lambda f: ["code,name", "<script>alert(1)</script>,村"]),
         ("row 2: code: <script>alert(1)</script> is not a code of 12 digits",)),
    Case("script-in-an-overlong-name", "script in a name", "villages",
         geojson("script.geojson", properties={"name": "<script>alert(1)</script>" * 3}),
         ("feature 1: name:", "at most 50 characters")),
    Case("script-as-center-type", "script in a name", "centers",
         text("script.csv", lambda f: ["lon,lat,type,name", f"{lonlat(f)},<img src=x onerror=alert(1)>,院"]),
         ("row 2: type: <img src=x onerror=alert(1)> is not one of",)),
    Case("formula-as-a-name-in-csv", "script in a name", "villages",
         text("formula.csv", lambda f: ["code,name", f'{f.code},"=HYPERLINK(""http://example.invalid"",""村"")"']),
         ("row 2: name: =HYPERLINK", "looks like a spreadsheet formula")),
    Case("formula-as-a-name-in-geojson", "script in a name", "centers",
         geojson("formula.geojson", features=lambda f: [(
             {"type": "elderly_care", "name": "=1+1"}, shapely.geometry.mapping(f.point))]),
         ("feature 1: name: =1+1 looks like a spreadsheet formula",)),
    Case("script-in-the-file-name", "script in a name", "villages",
         text("script.csv", lambda f: ["name", "村"]), ("the file has no code column",),
         upload_name="<script>alert(1)</script>.csv"),

    # NaN and infinite numbers
    Case("nan-in-figures", "NaN and infinity", "villages",
         geojson("nan.geojson", properties={"households": float("nan")}),
         ("feature 1: households: nan is not a number",)),
    Case("infinity-in-figures", "NaN and infinity", "villages",
         geojson("inf.geojson", properties={"households": float("inf")}),
         ("feature 1: households: inf is not a number",)),
    Case("1e309-in-csv", "NaN and infinity", "villages",
         figures_csv(row=lambda f: f"{f.code},1e309"), ("row 2: households: 1e309 is not a number",)),
    Case("nan-coordinate", "NaN and infinity", "villages",
         geojson("nanxy.geojson", geometry=lambda f: {"type": "Point", "coordinates": [float("nan"), f.point.y]}),
         ("feature 1: a coordinate is not a finite number",)),
    Case("1e309-coordinate", "NaN and infinity", "villages",
         text("inf.geojson", lambda f: [
             '{"type": "FeatureCollection", "features": [{"type": "Feature", '
             f'"properties": {{"code": "{f.code}"}}, '
             '"geometry": {"type": "Point", "coordinates": [1e309, 34]}}]}']),
         ("feature 1: a coordinate is not a finite number",)),
    Case("nan-lon-in-csv", "NaN and infinity", "centers",
         text("nan.csv", lambda f: ["lon,lat,type,name", f"nan,{f.point.y},elderly_care,养老院"]),
         ("row 2: a coordinate is not a finite number",)),
    Case("periods-nan", "NaN and infinity", PERIODS,
         text("2030Q1.csv", lambda f: [",".join(PERIOD_HEADER), f"{f.code},2030,1,1,NaN,1,1"]),
         ("row 2: 贫困人口: NaN is not a number",)),
    Case("periods-infinity", "NaN and infinity", PERIODS,
         text("2030Q1.csv", lambda f: [",".join(PERIOD_HEADER), f"{f.code},2030,1,1,1,Infinity,1"]),
         ("row 2: 人均纯收入: Infinity is not a number",)),

    # Figures out of range or not numbers
    Case("negative-population", "bad figures", "villages",
         figures_csv(header="code,population", row=lambda f: f"{f.code},-5"),
         ("row 2: population: -5 is not a whole number",)),
    Case("figures-as-chinese-numerals", "bad figures", "villages",
         figures_csv(row=lambda f: f"{f.code},十"), ("row 2: households: 十 is not a number",)),
    Case("fractional-households", "bad figures", "villages",
         figures_csv(row=lambda f: f"{f.code},2.5"), ("row 2: households: 2.5 is not a whole number",)),
    Case("figure-beyond-the-column", "bad figures", "villages",
         figures_csv(row=lambda f: f"{f.code},3000000000"),
         ("row 2: households:", "less than or equal to 2147483647")),
    Case("csv-field-over-the-csv-limit", "bad figures", "villages",
         figures_csv(header="code,name", row=lambda f: f"{f.code},{'村' * 200_000}"),
         ("field larger than field limit",)),
    Case("csv-short-row", "bad figures", PERIODS,
         text("2030Q1.csv", lambda f: [",".join(PERIOD_HEADER), f"{f.code},2030,1"]),
         ("row 2: 贫困户数 is empty",)),

    # Names beyond the column size, duplicates, names of plan versions
    Case("very-long-name", "long names and duplicates", "villages",
         geojson("long.geojson", properties={"name": "村" * 5000}),
         ("feature 1: name:", "at most 50 characters")),
    Case("very-long-file-name", "long names and duplicates", "villages",
         text(f"{LONG}.csv", lambda f: ["name", "村"]), ("the file has no code column",),
         upload_name=f"{'长' * 250}.csv"),
    Case("zones-file-name-too-long-for-a-plan", "long names and duplicates", "zones",
         zones_gpkg(f"{'z' * 101}.gpkg"), ("at most 100 characters",)),
    Case("duplicate-codes", "long names and duplicates", "villages",
         text("twice.csv", lambda f: ["code,households", f"{f.code},5000", f"{f.code},5001"]),
         ("row 3: the same", "as row 2")),
    Case("periods-duplicate-quarter", "long names and duplicates", PERIODS,
         periods_xlsx("2030Q1.xlsx", lambda f: [[f.code, 2030, 1, 1, 1, 1, 1]] * 2),
         ("row 3:", "2030Q1 already in row 2")),
    Case("periods-not-a-spreadsheet", "long names and duplicates", PERIODS,
         text("2030Q1.txt", lambda f: ["x"]), ("as .xlsx or .csv",)),

    # The register of households (import_households): the same files as any import, and its own
    Case("register-empty", "empty file", HOUSEHOLDS, raw("register.xlsx", b""), ("empty",)),
    Case("register-no-rows", "empty file", HOUSEHOLDS, register_xlsx("register.xlsx", lambda f: []),
         ("has no rows",)),
    Case("register-not-a-spreadsheet", "long names and duplicates", HOUSEHOLDS,
         text("register.txt", lambda f: ["x"]), ("as .xlsx or .csv",)),
    Case("register-over-the-limit", "over the size limit", HOUSEHOLDS,
         register_csv("register.csv", lambda f: [household_row(f)] * 20_000),
         ("larger than 1 MB",), limits={"MAX_UPLOAD_BYTES": 2**20}),
    Case("register-csv-utf16", "wrong encoding", HOUSEHOLDS,
         register_csv("register.csv", lambda f: [household_row(f)], encoding="utf-16"),
         ("neither UTF-8 nor GB18030",)),
    Case("register-formula-in-a-name", "XLSX formulas and codes as numbers", HOUSEHOLDS,
         register_xlsx("register.xlsx", lambda f: [household_row(f, 姓名="=1+1")]),
         ("row 2, cell B2: a formula (=1+1)",)),
    Case("register-zip-bomb", "zip-slip and zip bombs", HOUSEHOLDS,
         rezipped(register_xlsx("bomb.xlsx", lambda f: [household_row(f)]), with_bomb),
         ("compressed suspiciously well",)),
    Case("register-billion-laughs", "XLSX formulas and codes as numbers", HOUSEHOLDS,
         billion_laughs("laughs.xlsx"), ("laughs.xlsx is not a readable XLSX workbook",)),
    Case("register-another-countys-village", "bad figures", HOUSEHOLDS,
         register_csv("register.csv", lambda f: [household_row(f, 村代码="611022100200")]),
         ("row 2", "no village of this county has the code 611022100200")),
    Case("register-script-as-household-code", "script in a name", HOUSEHOLDS,
         register_csv("register.csv", lambda f: [household_row(f, 户编号="<script>alert(1)</script>")]),
         ("row 2", "is not a household code")),

    # Rasters: broken, empty, or not one raster of one band (import_raster); the main refusals
    # (no CRS, partial cover, out of range, no data, unmapped codes) are in tests/test_rasters.py
    Case("raster-truncated", "broken raster", "dem", truncated(dem("cut.tif")),
         ("cut.tif cannot be read whole: the file is damaged or cut short",)),
    Case("raster-billions-of-cells", "broken raster", "dem", sparse("huge.tif", 160_000, 100_000),
         ("huge.tif has 16.0 billion cells, more than the 4 billion an import reads",)),
    Case("raster-empty", "broken raster", "dem", raw("empty.tif", b""), ("empty.tif is empty",),
         api_words=("file: The submitted file is empty",)),
    Case("raster-vrt-as-tif", "broken raster", "dem",
         # GDAL opens a file by its content; a VRT reads any file it names.
         raw("vrt.tif", VRT), ("vrt.tif is not a raster GDAL can read",)),
    Case("raster-png", "broken raster", "dem", raw("dem.png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
         ("dem.png: not a raster file gisplan reads",)),
    Case("raster-rgb-as-dem", "broken raster", "dem", rgb("photo.tif"),
         ("photo.tif has 3 bands; a DEM or a land use has one",)),
    Case("raster-nan-everywhere", "broken raster", "dem",
         dem("nan.tif", values=filled(np.nan, "float32")), ("no data over 100.0% of the county",)),
    Case("landcover-of-floats", "broken raster", "landcover",
         dem("floats.tif", values=filled(3.5, "float32")),
         ("a land use raster holds whole-number class codes, not float32",)),
    Case("landcover-unknown-scheme", "broken raster", "landcover",
         dem("classes.tif", values=filled(3, "uint8")), ("no class scheme klingon",),
         options={"classes": "klingon"}, api_words=("classes:", "klingon")),

    # Rasters in a coordinate system import_raster does not take, or placed elsewhere
    Case("raster-without-georeferencing", "raster coordinate system", "dem",
         ungeoreferenced("pixels.tif"), ("pixels.tif has no coordinate system",)),
    Case("raster-local-crs", "raster coordinate system", "dem",
         placed("site.tif", rasterio.crs.CRS.from_wkt(LOCAL_CS), 0, 100_000, 1000),
         ("matches no EPSG code",)),
    Case("raster-nad83-lonlat", "raster coordinate system", "dem",
         placed("nad83.tif", "EPSG:4269", WEST, NORTH, 0.01),
         ("EPSG:4269 is neither lon/lat (4326, 4490) nor projected in metres",)),
    Case("raster-us-feet", "raster coordinate system", "dem",
         placed("feet.tif", "EPSG:2263", 900_000, 250_000, 3000),  # New York, in US feet
         ("EPSG:2263 is neither lon/lat (4326, 4490) nor projected in metres",)),
    Case("raster-3857-in-beijing", "raster coordinate system", "dem",
         # An accepted CRS, but 110 km by 90 km around Beijing: some 900 km from the county.
         placed("beijing.tif", "EPSG:3857", 12_900_000, 4_900_000, 1000, (90, 110)),
         ("beijing.tif covers 0.0% of the county",)),
    Case("raster-beyond-the-pole", "raster coordinate system", "dem",
         placed("pole.tif", "EPSG:4326", 100.0, 120.0, 1.0, (60, 20)),  # 60..120 N
         ("pole.tif reaches beyond the earth's longitudes and latitudes",)),

    # Zips of rasters
    Case("zip-raster-bomb", "zip of rasters", "dem",
         zipped("bomb.zip", [("dem.tif", bytes(30 * 2**20))]),
         ("dem.tif in the zip is compressed suspiciously well",)),
    Case("zip-raster-extracting-over-the-limit", "zip of rasters", "dem",
         zip_of("big.zip", dem(step=0.002)),  # 800 by 500 cells of 4 bytes: 1.6 MB
         ("would extract to more than 1 MB",), limits={"MAX_ZIP_BYTES": 2**20}),
    Case("zip-raster-too-many-entries", "zip of rasters", "dem",
         zip_of("many.zip", dem(), extra=[(f"readme{i}.txt", b"x") for i in range(50)]),
         ("holds 51 files",)),
    Case("zip-two-rasters", "zip of rasters", "dem", zip_of("two.zip", dem("a.tif"), dem("b.tif")),
         ("exactly one dataset", "holds 2")),
    Case("zip-raster-without-georeferencing", "zip of rasters", "dem",
         zip_of("pixels.zip", ungeoreferenced("pixels.tif")), ("pixels.tif has no coordinate system",)),
    Case("zip-raster-and-parcels", "zip of rasters", "landcover",
         zip_of("both.zip", dem("classes.tif", values=filled(3, "uint8")),
                parcels("parcels.geojson", {"DLBM": "0101"})),
         ("exactly one dataset", "holds 2")),

    # Land-use parcels of the Third National Land Survey (三调) that are not
    Case("parcels-unknown-dlbm", "land-use parcels", "landcover",
         parcels_zip("parcels.zip", lambda f: [
             ({"DLBM": "9999", "name": "图斑"}, f.county), ({"DLBM": "ZZ", "name": "图斑"}, f.county)]),
         ("does not map 2 codes", "9999 (1 parcel)", "ZZ (1 parcel)"), options={"classes": "sandiao"}),
    Case("parcels-without-dlbm", "land-use parcels", "landcover",
         parcels("nodlbm.geojson", {"DLMC": "旱地"}),
         ("feature 1 has no DLBM (land-use code) attribute",), options={"classes": "sandiao"}),
    Case("parcels-that-are-points", "land-use parcels", "landcover",
         geojson("points.geojson", features=lambda f: [
             ({"DLBM": "0101"}, shapely.geometry.mapping(f.point))]),
         ("parcel 1 is a Point, not a polygon",), options={"classes": "sandiao"}),
    Case("parcels-beyond-the-pole", "land-use parcels", "landcover",
         geojson("pole.geojson", features=lambda f: [({"DLBM": "0101"}, {"type": "Polygon", "coordinates": [
             [[f.bounds[0], 95], [f.bounds[2], 95], [f.bounds[2], 96], [f.bounds[0], 95]]]})]),
         ("the parcels cover 0.0% of the county",), options={"classes": "sandiao"}),
    Case("parcels-as-a-dem", "land-use parcels", "dem", parcels("parcels.geojson", {"DLBM": "0101"}),
         ("a DEM is a raster", "not a vector layer")),
]

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _with_prj(shp, wkt):
    shp.with_suffix(".prj").write_text(wkt)
    return shp


def _with_garbage_shp(shp):
    data = bytearray(shp.read_bytes())
    data[100:] = b"\xff" * (len(data) - 100)  # the header kept, the record replaced
    shp.write_bytes(bytes(data))
    return shp


assert len({case.id for case in CASES}) == len(CASES), "case ids are unique"
