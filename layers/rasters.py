"""A county's own rasters: its elevation model (DEM) and land use, imported onto the county's
analysis grid, the basemap drawn from them, and the value of the current raster at a place.

`import_raster(options)` is the one import, called by the command, the API (through a
background job) and the data page:

1. the file is checked before anything is written: its size, a zip's safety, that GDAL reads
   it as a raster (or, for land use, as a parcel layer of the Third National Land Survey),
   its CRS (an EPSG code, layers/crs.py) and that it covers the county;
2. it is warped onto the county's grid (bilinear for elevations, the nearest or the most
   common class for land use) in a scratch folder of DATA_DIR, surveyed (no-data, range,
   codes) and written as a COG, and the basemap is drawn anew from it;
3. only then are the files moved into DATA_DIR/rasters under new names and the RasterLayer
   rows replaced in one transaction: the previous raster stays current until the new one is
   complete, and a refused or failed import leaves the database and DATA_DIR as they were.

After the import `raster_replaced` is sent; the siting criteria derive anew from it.
"""
import contextlib
import dataclasses
import math
import shutil
import tempfile
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import rasterio
import shapely
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError

from analysis import landuse, warping
from analysis.suitability import Grid

from . import crs
from .basemap import basemap_image, write_jpeg
from .importing import reading
from .importing.options import ImportOptions, ImportRefused
from .models import County, LandCover, RasterLayer

KINDS = (RasterLayer.Kind.DEM, RasterLayer.Kind.LANDCOVER)
# GDAL reads a file by its content: only the driver its suffix names may open it (a ".tif"
# holding a VRT would read any file on the server).
RASTER_DRIVERS = {".tif": "GTiff", ".tiff": "GTiff", ".img": "HFA"}
PARCEL_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json")
GRID_MARGIN_M = 3000.0  # the grid covers the county and this much around it
DEFAULT_CELL_M = 30.0  # a county's grid cell when its setting is empty and it has no raster yet
MAX_GRID_CELLS = 100_000_000  # a county's grid: 10,000 × 10,000 cells at most
MIN_COVERAGE = 0.99
IMPORT_LOCK = 611_021_015  # the advisory lock of raster imports (any number no one else takes)
MAX_SOURCE_CELLS = 4_000_000_000  # about two minutes of warping on two cores
MAX_NODATA = 0.05
ELEVATION_RANGE = (-500.0, 9000.0)
UNITS = {"metres": 1.0, "feet": warping.FEET}
PARCEL_CODE_FIELD = "DLBM"  # 地类编码, the land-use code of a 三调 parcel (图斑)

raster_replaced = Signal()  # sent with kind=, layers=, county= after an import replaced a raster


class RasterRefused(ImportRefused):
    """A raster the import will not take; the message says why in one line."""


@dataclass(frozen=True)
class RasterOptions:
    kind: str  # "dem" or "landcover"
    path: Path
    # Land use: a scheme's name or a TOML file of classes; None: gisplan's own codes for a
    # raster, the Third National Land Survey's for a parcel layer.
    classes: str | None = None
    units: str = "metres"  # of a DEM's elevations: "metres" or "feet"
    source: str = ""
    licence: str = ""
    attribution: str = ""
    encoding: str | None = None  # of a parcel layer's attributes
    srid: int | None = None  # the EPSG code of its coordinates, if the file's own is wrong or absent
    max_bytes: int = field(default_factory=lambda: settings.MAX_RASTER_BYTES)
    county: str | None = None  # its 6-digit code; None: the one county


@dataclass(frozen=True)
class RasterReport:
    kind: str
    name: str
    native_srid: int
    native_resolution: float  # metres
    grid: str  # the analysis grid, described
    grid_cell: float
    coverage: float  # share of the county the source covers
    nodata: float  # share of the county with no value
    minimum: float | None
    maximum: float | None
    classes: dict  # land use: class label -> share of the county
    note: str = ""  # terrain_note() once imported

    def summary(self):
        """One line for the user."""
        text = _("%(kind)s imported: native cells about %(native).0f m (EPSG:%(srid)d), warped "
                 "onto the county's %(cell)g m grid; %(covered).1f%% of the county covered") % {
            "kind": RasterLayer.Kind(self.kind).label, "native": self.native_resolution,
            "srid": self.native_srid, "cell": self.grid_cell, "covered": 100 * self.coverage}
        if self.kind == RasterLayer.Kind.DEM and self.minimum is not None:
            text += "; " + _("elevations %(low).0f–%(high).0f m") % {"low": self.minimum,
                                                                     "high": self.maximum}
        if self.classes:
            text += "; " + ", ".join(f"{name} {100 * share:.1f}%" for name, share in self.classes.items())
        if self.note:
            text += "; " + self.note
        return text


def county_grid(county, native_resolution=None):
    """The analysis grid of `county`: its own Gauss-Krüger zone (County.gk_srid), its
    `grid_cell` (when empty, the finest of the current rasters' and `native_resolution`), an
    origin on whole cells."""
    cell = county.grid_cell
    if not cell:
        natives = [r for r in RasterLayer.objects.of_county(county).filter(kind__in=KINDS)
                   .values_list("native_resolution", flat=True) if r]
        natives += [native_resolution] if native_resolution else []
        cell = round(min(natives)) if natives else DEFAULT_CELL_M
    # A raster of centimetre cells, or a setting of 1 m, does not make a grid of billions of
    # cells: the cell grows until the county and its margin hold at most MAX_GRID_CELLS.
    extent = county.boundary.transform(county.gk_srid, clone=True).extent
    west, south, east, north = extent
    area = (east - west + 2 * GRID_MARGIN_M) * (north - south + 2 * GRID_MARGIN_M)
    cell = float(max(cell, 1, math.ceil(math.sqrt(area / MAX_GRID_CELLS))))
    return Grid.around(f"EPSG:{county.gk_srid}", extent, cell, GRID_MARGIN_M)


def grid_description(county):
    """The county's analysis grid in words."""
    return describe_grid(county_grid(county))


def describe_grid(grid):
    """An analysis grid in words, for the data page and the import's report."""
    return _("EPSG:%(srid)s, %(cols)d × %(rows)d cells of %(cell)g m, its north-west corner at "
             "%(x).0f, %(y).0f") % {"srid": grid.crs.to_epsg(), "cols": grid.width,
                                    "rows": grid.height, "cell": grid.cell[0],
                                    "x": grid.transform.c, "y": grid.transform.f}


def resolution_note(layer):
    """How fine `layer` really is, e.g. "native cells about 254 m, on the 60 m grid": a 250 m
    DEM warped onto a 30 m grid is never to be taken for a 30 m survey."""
    native = layer.native_resolution or layer.resolution
    return _("native cells about %(native).0f m, on the %(cell)g m grid") % {
        "native": native, "cell": layer.resolution}


def import_raster(options, progress=lambda stage, fraction: None):
    """Import `options.path` as the county's current `options.kind` raster; raises a Refusal
    with the reason and changes nothing when the file is refused. Imports run one at a time
    (each reads the current rasters and the grid, and replaces them)."""
    with _one_import_at_a_time():
        return _import_raster(options, progress)


@contextlib.contextmanager
def _one_import_at_a_time():
    # Raw SQL: PostgreSQL's advisory locks, which the ORM has no form for; a session lock, held
    # across the import's own transactions, let go however it ends.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK])


def checked_options(options):
    """Refuse what can be refused before the file is read (the kind, the units, the class
    table, the EPSG code): the forms check it before a job is queued, the import again."""
    kind = _checked_kind(options)
    if kind == RasterLayer.Kind.LANDCOVER and options.classes:
        landuse.load_scheme(options.classes)
    if options.srid is not None:
        _accepted_srid(options.srid)
    return kind


def _import_raster(options, progress):
    kind = checked_options(options)
    county = (County.objects.filter(adcode=options.county) if options.county
              else County.objects).default()
    if county is None:
        raise RasterRefused(_("no county %(code)s: import its outline first")
                            % {"code": options.county or ""})
    path = Path(options.path)
    _check_size(path, options.max_bytes)
    outline = shapely.from_wkb(bytes(county.boundary.transform(county.gk_srid, clone=True).wkb))
    root = Path(settings.DATA_DIR)
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".raster-", dir=root))
    try:
        if path.suffix.lower() == ".zip":
            path = reading.extract(path, scratch / "source", tuple(RASTER_DRIVERS) + PARCEL_SUFFIXES)
        parcels = path.suffix.lower() in PARCEL_SUFFIXES
        if parcels and kind != RasterLayer.Kind.LANDCOVER:
            raise RasterRefused(_("a DEM is a raster (GeoTIFF, ERDAS .img), not a vector layer"))
        table = _class_table(options, parcels)
        onto_grid = _parcels_onto_grid if parcels else _raster_onto_grid
        made = onto_grid(path, options, county, outline, table, scratch, progress)
        progress(_("basemap"), 0.0)
        basemap = _draw_basemap(made, county, outline, scratch)
        layers = _install(made, county, basemap, options)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    progress(_("siting criteria"), 0.0)
    raster_replaced.send(RasterLayer, kind=kind, layers=layers, county=county,
                         progress=lambda fraction: progress(_("siting criteria"), fraction))
    notes = (_off_grid_note(made, county), terrain_note(county))
    return dataclasses.replace(made.report, note="; ".join(note for note in notes if note))


def _other_kind(kind):
    return RasterLayer.Kind.LANDCOVER if kind == RasterLayer.Kind.DEM else RasterLayer.Kind.DEM


def _off_grid_note(made, county):
    """Says so when the county's current raster of the other kind lies on another grid than the
    new one (the grid's cell was changed between the imports): siting needs both on one."""
    other = RasterLayer.objects.of_county(county).filter(kind=_other_kind(made.kind)).first()
    grid = made.grid
    if other is None or (other.resolution, other.width, other.height) == (grid.cell[0], grid.width, grid.height):
        return ""
    return _("the %(other)s is on another grid (%(cell)g m cells): import it again for siting "
             "to use both") % {"other": other.get_kind_display(), "cell": other.resolution}


def _class_table(options, parcels):
    """The class table of a land use (None for a DEM): the one asked for, or by default
    gisplan's own codes for a raster and the 三调 DLBM codes for a parcel layer."""
    if options.kind != RasterLayer.Kind.LANDCOVER:
        return None
    return landuse.load_scheme(options.classes or (landuse.SANDIAO if parcels else landuse.GISPLAN))


@dataclass(frozen=True)
class _Made:
    """A raster made on the grid in the scratch folder, not yet current."""

    kind: str
    path: Path
    grid: Grid
    native_srid: int
    native_resolution: float
    scheme: str
    report: RasterReport


def _checked_kind(options):
    if options.kind not in KINDS:
        raise RasterRefused(_("a raster is a dem or a landcover, not %(kind)s") % {"kind": options.kind})
    if options.units not in UNITS:
        raise RasterRefused(_("units are metres or feet, not %(units)s") % {"units": options.units})
    if options.units != "metres" and options.kind != RasterLayer.Kind.DEM:
        raise RasterRefused(_("--units applies to a DEM's elevations only"))
    return RasterLayer.Kind(options.kind)


def _check_size(path, max_bytes):
    if not path.is_file():
        raise RasterRefused(_("no such file: %(path)s") % {"path": path.name})
    size = path.stat().st_size
    if size == 0:
        raise RasterRefused(_("%(file)s is empty") % {"file": path.name})
    if size > max_bytes:
        raise RasterRefused(_("%(file)s is larger than %(mb)d MB, the raster size limit")
                            % {"file": path.name, "mb": max_bytes // 2**20})


def _open(path):
    driver = RASTER_DRIVERS.get(path.suffix.lower())
    if driver is None:
        raise RasterRefused(_("%(file)s: not a raster file gisplan reads (GeoTIFF or COG .tif, "
                              "ERDAS .img, or a zip of one with its .tfw and .prj)") % {"file": path.name})
    try:
        with warnings.catch_warnings():  # a raster without georeferencing is refused for it
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            return rasterio.open(path, driver=driver)
    except RasterioError:
        raise RasterRefused(_("%(file)s is not a raster GDAL can read") % {"file": path.name}) from None


def _source_srid(dataset, path, srid=None):
    """The EPSG code of a raster's CRS: `srid` when given, else from its own keys or a .prj
    beside it."""
    if srid is not None:
        return srid
    wkt = dataset.crs.to_wkt() if dataset.crs else ""
    prj = reading.sidecar(path, ".prj")
    if not wkt and prj is not None:
        wkt = prj.read_text(errors="replace")
    if not wkt:
        raise RasterRefused(_("%(file)s has no coordinate system: give it one (a GeoTIFF's own, "
                              "a .prj beside it, or its EPSG code with --srid)") % {"file": path.name})
    return _accepted_srid(crs.file_srid(wkt))


def _accepted_srid(srid):
    if srid not in crs.LONLAT_SRIDS and not crs.in_metres(crs.epsg_crs(srid)):
        raise RasterRefused(_("EPSG:%(srid)s is neither lon/lat (4326, 4490) nor projected in metres")
                            % {"srid": srid})
    return srid


def _check_size_declared(dataset, path):
    """A small file may declare a huge raster (sparse, or compressed to nothing): one that
    would take the warp an hour is refused before it starts."""
    if dataset.width * dataset.height > MAX_SOURCE_CELLS:
        raise RasterRefused(_("%(file)s has %(cells).1f billion cells, more than the %(max).0f "
                              "billion an import reads; resample it coarser first")
                            % {"file": path.name, "cells": dataset.width * dataset.height / 1e9,
                               "max": MAX_SOURCE_CELLS / 1e9})


def _check_lonlat_bounds(dataset, source_crs, path):
    if source_crs.is_geographic:
        west, south, east, north = dataset.bounds
        if not (-180 <= west < east <= 360 and -90 <= min(south, north) < max(south, north) <= 90):
            raise RasterRefused(_("%(file)s reaches beyond the earth's longitudes and latitudes "
                                  "(%(west).6g..%(east).6g E, %(south).6g..%(north).6g N): is its "
                                  "coordinate system right?")
                                % {"file": path.name, "west": west, "east": east,
                                   "south": south, "north": north})


def _raster_onto_grid(path, options, county, outline, table, scratch, progress):
    kind = options.kind
    with _open(path) as dataset:
        if dataset.count != 1:
            raise RasterRefused(_("%(file)s has %(n)d bands; a DEM or a land use has one")
                                % {"file": path.name, "n": dataset.count})
        _check_size_declared(dataset, path)
        srid = _source_srid(dataset, path, options.srid)
        source_crs = rasterio.crs.CRS.from_epsg(srid)
        _check_lonlat_bounds(dataset, source_crs, path)
        native = warping.native_cell_metres(dataset, source_crs)
        grid = county_grid(county, native)
        covered = warping.footprint(dataset, source_crs, grid)
        share = covered.intersection(outline).area / outline.area
        if share < MIN_COVERAGE:
            raise RasterRefused(_("%(file)s covers %(share).1f%% of the county; at least %(min)d%% "
                                  "is needed") % {"file": path.name, "share": 100 * share,
                                                  "min": round(100 * MIN_COVERAGE)})
        progress(_("warping"), 0.0)
        warped = scratch / "warped.tif"
        if kind == RasterLayer.Kind.DEM:
            how = (Resampling.bilinear, "float32", warping.ELEVATION_NODATA)
        else:
            if dataset.dtypes[0] not in ("uint8", "uint16", "int16", "uint32", "int32"):
                raise RasterRefused(_("a land use raster holds whole-number class codes, not %(type)s")
                                    % {"type": dataset.dtypes[0]})
            how = (warping.resampling_for_classes(dataset, source_crs, grid), dataset.dtypes[0],
                   dataset.nodata if dataset.nodata is not None else warping.CLASS_NODATA)
        try:
            warping.warp(dataset, source_crs, grid, warped, *how)
        except RasterioError:  # a block GDAL cannot read: a damaged or cut-short file
            raise RasterRefused(_("%(file)s cannot be read whole: the file is damaged or cut "
                                  "short") % {"file": path.name}) from None
    inside = warping.county_mask(grid, outline)
    footprint = warping.county_mask(grid, covered)
    progress(_("checking"), 0.0)
    survey = warping.survey(warped, grid, inside, footprint, scale=UNITS[options.units],
                            count_codes=table is not None,
                            progress=lambda f: progress(_("checking"), f))
    _check_nodata(survey, grid)
    final = scratch / "final.tif"
    if kind == RasterLayer.Kind.DEM:
        low, high = ELEVATION_RANGE
        if survey.minimum is None or survey.minimum < low or survey.maximum > high:
            raise RasterRefused(_("elevations run from %(low)s to %(high)s m; a DEM's must lie "
                                  "within %(min)d..%(max)d m (feet? use --units feet; a no-data "
                                  "value the file does not declare?)")
                                % {"low": _number(survey.minimum), "high": _number(survey.maximum),
                                   "min": low, "max": high})
        progress(_("writing"), 0.0)
        warping.write_cog(warped, final, warping.ELEVATION_COG)
        classes = {}
    else:
        table.check_counts(survey.codes)
        warping.classify(warped, grid, table, scratch / "classes.tif")
        progress(_("writing"), 0.0)
        warping.write_cog(scratch / "classes.tif", final, warping.CLASS_COG)
        classes = _class_shares(warping.class_counts(final, grid, inside))
    return _Made(kind, final, grid, srid, native, table.name if table else "",
                 RasterReport(kind, path.name, srid, native, describe_grid(grid), grid.cell[0], share,
                              survey.nodata_share, survey.minimum, survey.maximum, classes))


def _parcels_onto_grid(path, options, county, outline, table, scratch, progress):
    """A 三调 land-use layer: parcels (图斑) with their DLBM codes, rasterised onto the grid."""
    progress(_("reading"), 0.0)
    source = reading.read_vector(path, ImportOptions(RasterLayer.Kind.LANDCOVER, path,
                                                     encoding=options.encoding, srid=options.srid))
    to_grid = crs.transformer(source.srid, county.gk_srid)
    geometries, codes = [], []
    for record in source.records:
        names = {name.upper(): name for name in record.properties}
        if PARCEL_CODE_FIELD not in names:
            raise RasterRefused(_("%(feature)s has no %(field)s (land-use code) attribute")
                                % {"feature": record.label, "field": PARCEL_CODE_FIELD})
        if record.geometry is None:
            continue
        geometries.append(crs.reproject(record.geometry, to_grid))
        codes.append(str(record.properties[names[PARCEL_CODE_FIELD]] or "").strip())
    grid = county_grid(county)
    progress(_("rasterising"), 0.0)
    classes = landuse.rasterize_parcels(geometries, codes, table, grid.transform, grid.shape)
    inside = warping.county_mask(grid, outline)
    share = float((classes[inside] > 0).mean()) if inside.any() else 0.0
    if share < MIN_COVERAGE:
        raise RasterRefused(_("the parcels cover %(share).1f%% of the county; at least %(min)d%% "
                              "is needed") % {"share": 100 * share, "min": round(100 * MIN_COVERAGE)})
    rasterised = scratch / "classes.tif"
    with rasterio.open(rasterised, "w", width=grid.width, height=grid.height, count=1,
                       dtype="uint8", crs=grid.crs, transform=grid.transform,
                       nodata=warping.CLASS_NODATA, **warping.TILED) as out:
        out.write(classes, 1)
    final = scratch / "final.tif"
    progress(_("writing"), 0.0)
    warping.write_cog(rasterised, final, warping.CLASS_COG)
    native = grid.cell[0]  # parcels are as fine as the grid they are drawn on
    return _Made(RasterLayer.Kind.LANDCOVER, final, grid, source.srid, native, table.name,
                 RasterReport(RasterLayer.Kind.LANDCOVER, path.name, source.srid, native,
                              describe_grid(grid), grid.cell[0], share, 1 - share, None, None,
                              _class_shares(warping.class_counts(final, grid, inside))))


def _check_nodata(survey, grid):
    if survey.nodata_share <= MAX_NODATA:
        return
    lon, lat = warping.lonlat(grid.crs, *survey.nodata_centre)
    west, south = warping.lonlat(grid.crs, *survey.nodata_bounds[:2])
    east, north = warping.lonlat(grid.crs, *survey.nodata_bounds[2:])
    raise RasterRefused(_("no data over %(share).1f%% of the county (at most %(max)d%% is "
                          "allowed), most of it around %(lon).3f°E %(lat).3f°N, within "
                          "%(west).3f–%(east).3f°E, %(south).3f–%(north).3f°N")
                        % {"share": 100 * survey.nodata_share, "max": round(100 * MAX_NODATA),
                           "lon": lon, "lat": lat, "west": west, "east": east, "south": south,
                           "north": north})


def _number(value):
    return "—" if value is None else f"{value:,.0f}"


def _class_shares(counts):
    total = sum(n for code, n in counts.items() if code) or 1
    return {str(LandCover(code).label): n / total for code, n in sorted(counts.items()) if code}


def _draw_basemap(made, county, outline, scratch):
    """The basemap drawn from the new raster and the county's current one of the other kind
    (read onto the new one's grid), as a JPEG in the scratch folder, and its bounds in
    EPSG:3857."""
    other = RasterLayer.objects.of_county(county).filter(kind=_other_kind(made.kind)).first()
    other_path = other.path if other is not None and Path(other.path).is_file() else None
    with rasterio.open(made.path) as new, \
            (rasterio.open(other_path) if other_path else contextlib.nullcontext()) as old:
        dem, cover = (new, old) if made.kind == RasterLayer.Kind.DEM else (old, new)
        geometry = shapely.geometry.mapping(outline)
        path = scratch / "basemap.jpg"
        return path, write_jpeg(*basemap_image(dem, cover, geometry), path)


def _install(made, county, basemap, options):
    """Move the new files into DATA_DIR/rasters and make them the county's current ones in one
    transaction; the files they replace go once it has committed."""
    folder = Path(settings.DATA_DIR) / "rasters"
    folder.mkdir(exist_ok=True)
    stamp = f"{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    raster_path = folder / f"{made.kind}-{stamp}.tif"
    (basemap_path, bounds) = basemap
    image_path = folder / f"basemap-{stamp}.jpg"
    replaced = [RasterLayer.Kind.BASEMAP, made.kind]
    try:
        made.path.rename(raster_path)
        basemap_path.rename(image_path)
        with transaction.atomic():
            old = list(RasterLayer.objects.of_county(county).filter(kind__in=replaced))
            RasterLayer.objects.filter(pk__in=[r.pk for r in old]).delete()
            grid = made.grid
            layers = [
                RasterLayer.objects.create(
                    county=county, name=_raster_name(made, options), kind=made.kind, path=str(raster_path),
                    srid=grid.crs.to_epsg(), resolution=grid.cell[0], width=grid.width,
                    height=grid.height, footprint=_box(grid.bounds, grid.crs.to_epsg()),
                    synthetic=False, native_resolution=made.native_resolution,
                    native_crs=f"EPSG:{made.native_srid}", scheme=made.scheme,
                    source=options.source or Path(options.path).name, licence=options.licence,
                    attribution=options.attribution, imported_at=timezone.now()),
                RasterLayer.objects.create(
                    county=county, name=_("offline basemap"), kind=RasterLayer.Kind.BASEMAP, path=str(image_path),
                    srid=3857, resolution=0, width=0, height=0, footprint=_box(bounds, 3857),
                    synthetic=False)]
            stale = [Path(r.path) for r in old]
            transaction.on_commit(lambda: _remove(stale))
    except BaseException:
        _remove([raster_path, image_path])
        raise
    return layers


def _remove(paths):
    for path in paths:
        # Files of the sample live in its own folder; only DATA_DIR/rasters is ours to clean.
        if path.parent == Path(settings.DATA_DIR) / "rasters":
            path.unlink(missing_ok=True)


def _raster_name(made, options):
    label = RasterLayer.Kind(made.kind).label
    return f"{label}（{options.source or Path(options.path).name}）"[:100]


def _box(bounds, srid):
    box = Polygon.from_bbox(bounds)
    box.srid = srid
    return box


@dataclass(frozen=True)
class PointValue:
    kind: str
    lon: float
    lat: float
    value: float | int | None  # None outside the raster or where it has no value
    label: str  # land use: the class's name
    unit: str
    layer: str
    native_resolution: float | None
    attribution: str


def value_at(county, kind, lon, lat):
    """The value of the county's current `kind` raster at lon/lat (EPSG:4326)."""
    layer = RasterLayer.objects.of_county(county).filter(kind=kind).first()
    if layer is None or kind not in KINDS:
        return None
    x, y = crs.transformer(4326, layer.srid).transform(lon, lat)
    with rasterio.open(layer.path) as dataset:
        value = None
        west, south, east, north = dataset.bounds
        if west <= x < east and south < y <= north:
            row, col = dataset.index(x, y)
            cell = dataset.read(1, window=((row, row + 1), (col, col + 1)))[0, 0]
            if cell != dataset.nodata and cell == cell:  # not no-data, not NaN
                value = cell.item()
    label = ""
    if kind == RasterLayer.Kind.LANDCOVER and value:
        label = str(LandCover(value).label)
    elif kind == RasterLayer.Kind.DEM and value is not None:
        value = round(value, 1)
    return PointValue(kind, lon, lat, value, label, "m" if kind == RasterLayer.Kind.DEM else "",
                      layer.name, layer.native_resolution or layer.resolution, attribution(layer))


def attribution(layer):
    """What must be shown with `layer` and everything derived from it."""
    if layer.synthetic:
        return _("synthetic sample terrain (gisplan)")
    return layer.attribution or layer.source


def terrain_note(county):
    """Says so when real terrain lies under the sample's synthetic villages and boundaries."""
    real = RasterLayer.objects.of_county(county).filter(kind__in=KINDS, synthetic=False).exists()
    if real and county.synthetic:
        return _("real terrain under the synthetic sample's villages, roads and boundaries")
    return ""


def attributions(county):
    """The attributions of the county's current DEM and land use (what the basemap, slope and
    siting derive from), for the map's attribution control and exported images."""
    texts = []
    for layer in RasterLayer.objects.of_county(county).filter(kind__in=KINDS).order_by("kind"):
        text = attribution(layer)
        if text and text not in texts:
            texts.append(text)
    return texts

