"""The county's criterion rasters for industry siting, derived from its layers once and kept.

`county_stack(county)` derives them (analysis.suitability.derive_criteria) from the DEM, the roads,
the rivers, the town seats, the zones in force, the villages and the protected areas into
DATA_DIR/criteria/<digest>/. The digest covers every input, so an edit to any of them gives a
new folder and an unchanged county reuses the old one.
"""
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import rasterio
import shapely
from django.conf import settings
from django.utils.translation import gettext as _

from analysis.suitability import Features, Stack, derive_criteria
from gisplan.api import REFUSALS, Refusal
from layers.models import ProtectedArea, RasterLayer, River, Road, Town, Village, Zone

DERIVATION = "2"  # bump when derive_criteria writes something different
ZONE_LABELS = {code: n for n, code in enumerate(Zone.Code.values, 1)}  # E 1, W 2, N 3, C 4


def zone_labels(codes):
    """The raster label of each zone code: the sample's as ZONE_LABELS, a county's other codes
    after them in alphabetical order."""
    others = sorted(set(codes) - set(ZONE_LABELS))
    return {**ZONE_LABELS, **{code: len(ZONE_LABELS) + n for n, code in enumerate(others, 1)}}
TRUNK_ROADS = (Road.RoadClass.NATIONAL, Road.RoadClass.PROVINCIAL)
DISTANCE_CAP_M = 10_000.0
KEEP_SECONDS = 86_400  # criteria of an earlier state of the data are removed a day later
# The layers derive_criteria writes from the county's data; with the DEM ("elevation") and the
# land cover they are what a profile may use.
DERIVED = ("slope", "aspect", "road_distance", "trunk_road_distance", "river_distance",
           "seat_distance", "town_distance", "zone", "village",
           *ProtectedArea.Kind.values)
LAYERS = ("elevation", "landcover", *DERIVED)


class MissingData(Refusal):
    """The county lacks a layer the siting analysis needs."""


@dataclass(frozen=True)
class CountyStack:
    stack: Stack
    zones: dict  # label -> Zone of the plan in force
    villages: dict  # label -> (code, name)
    county: object  # the County


def county_stack(county, progress=None):
    """The criteria of `county` as it is now, derived if they are not kept already
    (`progress(fraction)` follows the derivation)."""
    rows = RasterLayer.objects.of_county(county)
    dem = rows.filter(kind=RasterLayer.Kind.DEM).first()
    if dem is None:
        raise MissingData(_("the county has no elevation (DEM) raster; import one first"))
    if not Path(dem.path).exists():
        raise MissingData(_("the county's elevation (DEM) file %(path)s is missing; restore it "
                            "or import the DEM again") % {"path": Path(dem.path).name})
    # Without a land use the profiles that use it run on their other criteria (siting.runs).
    landcover = rows.filter(kind=RasterLayer.Kind.LANDCOVER).first()
    rasters = {"elevation": dem.path}
    if landcover is not None and Path(landcover.path).exists():
        rasters["landcover"] = landcover.path
    base = Stack.of(rasters)  # one grid, or refused
    srid = base.grid.crs.to_epsg() if base.grid.crs else None
    if srid is None:
        raise MissingData(_("the DEM's CRS is not an EPSG code; reproject it to the storage CRS"))
    in_force = list(Zone.objects.of_county(county).in_force())
    labels = zone_labels(z.code for z in in_force)
    zones = {labels[z.code]: z for z in in_force}
    if not zones:
        raise MissingData(_("no plan is in force, so cells have no zone"))
    villages = list(Village.objects.of_county(county).exclude(boundary=None).order_by("code")
                    .values_list("code", "name", "boundary"))
    seats = list(Town.objects.of_county(county).order_by("kind", "code")
                 .values_list("seat", flat=True))
    if not seats:
        raise MissingData(_("the county has no towns, so no seats to measure distances to"))
    roads = list(Road.objects.of_county(county).order_by("pk").values_list("road_class", "geometry"))

    def geoms(values):  # GEOS in the storage CRS -> shapely in the DEM's
        return [shapely.from_wkb(bytes(g.transform(srid, clone=True).wkb)) for g in values]
    features = Features(
        distance_to_lines={
            "road_distance": geoms(g for _, g in roads),
            "trunk_road_distance": geoms(g for c, g in roads if c in TRUNK_ROADS),
            "river_distance": geoms(River.objects.of_county(county).order_by("pk")
                                    .values_list("geometry", flat=True))},
        # The county seat is the seat of the first subdistrict (城关街道, code ...001).
        distance_to_points={"seat_distance": [_xy(seats[0], srid)],
                            "town_distance": [_xy(s, srid) for s in seats]},
        labels={"zone": list(zip(geoms(z.boundary for z in zones.values()), zones)),
                "village": [(g, n) for n, g in enumerate(geoms(v[2] for v in villages), 1)],
                **{kind: [(g, 1) for g in geoms(ProtectedArea.objects.of_county(county).of_kind(kind)
                                                  .values_list("boundary", flat=True))]
                   for kind in ProtectedArea.Kind.values}})
    # A county's own folder: deriving one county's criteria clears only its own older ones.
    root = Path(settings.DATA_DIR) / "criteria" / county.adcode
    folder = root / _digest(features, *rasters.values())
    if not (folder / "complete").exists():
        _derive(dem.path, features, folder, progress)
    return CountyStack(Stack.of({**base.paths, **{name: str(folder / f"{name}.tif")
                                                  for name in DERIVED}}),
                       zones, {n: (code, name) for n, (code, name, _) in enumerate(villages, 1)},
                       county)


def _derive(dem_path, features, folder, progress):
    """Derive into a scratch folder of this call's own and move it into place whole; another
    process that derived the same criteria first wins. Folders of other states of the data
    untouched for a day go."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        with rasterio.open(dem_path) as dataset:
            derive_criteria(dataset, features, scratch, cap=DISTANCE_CAP_M, progress=progress)
        (scratch / "complete").touch()
        try:
            scratch.rename(folder)
        except OSError:
            if not (folder / "complete").exists():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    stale = time.time() - KEEP_SECONDS
    for other in folder.parent.iterdir():
        if other != folder and other.is_dir() and other.stat().st_mtime < stale:
            shutil.rmtree(other, ignore_errors=True)


def _xy(point, srid):
    point = point.transform(srid, clone=True)
    return point.x, point.y


def _digest(features, *rasters):
    h = hashlib.sha256(DERIVATION.encode())
    for path in rasters:
        stat = os.stat(path)
        h.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    for name, lines in features.distance_to_lines.items():
        h.update(name.encode() + b"".join(shapely.to_wkb(g) for g in lines))
    for name, points in features.distance_to_points.items():
        h.update(name.encode() + repr(points).encode())
    for name, shapes in features.labels.items():
        h.update(name.encode() + b"".join(shapely.to_wkb(g) + str(v).encode() for g, v in shapes))
    return h.hexdigest()[:16]


def derive_after_import(sender, county, progress=None, **kwargs):
    """Derive the criteria from a newly imported raster at once, in the import's own time,
    so that the first siting run after it does not wait (the old ones go a day later).

    The import has committed: what cannot be derived yet (no plan in force, a land use on
    another grid than the new DEM's) is said by the next siting run, not by the import."""
    try:
        county_stack(county, progress)
    except REFUSALS:
        pass
