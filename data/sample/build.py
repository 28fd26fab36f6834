"""Build a sample county: `build_sample(folder, spec)` returns its records and writes its rasters."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio import features
from scipy import ndimage
from shapely.geometry import LineString, MultiPolygon, Point

from analysis.landcover import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD

from . import places
from .committees import official_divisions
from .counties import luonan
from .divisions import (adjacency, assign_zones, build_divisions, fit_to_outline, polygons,
                        smooth_borders)
from .figures import VillageFigures, village_figures
from .geography import project, river_profiles
from .grid import CellGraph, SampleGrid
from .periods import village_periods
from .protection import protected_land
from .roads import RoadLine, build_roads
from .services import CenterRecord, IndustryRecord, place_centers, place_industries
from .terrain import build_terrain, mark_built_up

MARGIN_METRES = 3000.0
# Bump this when the generator changes, so that `load_sample` knows a loaded sample is stale.
GENERATOR_VERSION = "13"


@dataclass(frozen=True)
class TownRecord:
    code: str
    name: str
    kind: str
    boundary: MultiPolygon
    seat: Point


@dataclass(frozen=True)
class VillageRecord:
    code: str
    name: str
    town: int  # index into SampleCounty.towns
    point: Point
    boundary: MultiPolygon
    figures: VillageFigures
    kind: str = "village"  # or "community" (a residents' committee)


@dataclass(frozen=True)
class RasterRecord:
    name: str
    kind: str
    path: Path
    resolution: float
    width: int
    height: int
    bounds: tuple  # (xmin, ymin, xmax, ymax) in the storage CRS


@dataclass(frozen=True)
class SampleCounty:
    """The generated county, all geometries in EPSG:4546 (places.STORAGE_SRID)."""

    spec: object  # the CountySpec it was built from
    boundary: MultiPolygon
    towns: list[TownRecord]
    villages: list[VillageRecord]
    zones: dict[str, MultiPolygon]  # by zone code
    rivers: list[tuple]  # (name, LineString, synthetic_name)
    roads: list[RoadLine]
    centers: list[CenterRecord]
    industries: list[IndustryRecord]
    rasters: list[RasterRecord]
    protected: dict  # kind -> MultiPolygon: ecological protection, basic farmland
    periods: list  # PeriodRecord: each village's quarterly figures, 2014Q1 to today (2017Q2)
    register: object  # periods.SampleRegister: the poor households those figures count


# The stages build_sample reports to its `progress` callback, in order.
STAGES = ("terrain", "towns and villages", "roads", "services", "rasters")


def build_sample(folder, spec=None, progress=lambda stage: None):
    """Generate the county of `spec` (a counties.CountySpec; Luonan by default) deterministically
    from its seed; rasters go into `folder`.

    `progress` is called with the name of each of STAGES as it completes.
    """
    spec = spec or luonan()
    rng = np.random.default_rng(spec.seed)
    county = spec.outline
    grid = SampleGrid.around(county.bounds, spec.cell, MARGIN_METRES)
    mask = features.rasterize([county], out_shape=grid.shape, transform=grid.transform).astype(bool)
    seats = [project(t.lon, t.lat) for t in spec.towns]
    seat_xy = seats[[t.code for t in spec.towns].index(spec.seat_town)]
    rivers = river_profiles(spec.rivers, seat_xy, grid.cell / 3, rng)
    terrain = build_terrain(grid, mask, rivers, project(*spec.peak), spec.peak_elevation, seat_xy,
                            rng)
    radius = {"subdistrict": 1200.0, "town": 600.0}
    mark_built_up(terrain.landcover, grid,
                  [(x, y, 1800.0 if t.code == spec.seat_town else radius[t.kind])
                   for (x, y), t in zip(seats, spec.towns)], terrain.slope)
    progress(STAGES[0])

    graph = CellGraph.of(grid)
    committees = town_committees(spec)
    div = build_divisions(grid, graph, mask, terrain, seats, [len(c) for c in committees], rng)
    n = len(div.village_cells)
    village_xy = np.column_stack(grid.center_of(div.village_cells))
    village_points = [Point(x, y) for x, y in village_xy]
    village_polygons = fit_to_outline(smooth_borders(polygons(div.village_of_cell, grid, county, n),
                                                     county, grid.cell, keep=village_points), county)
    corridor = next((LineString([project(*p) for p in r.points]) for r in spec.trunk_roads
                     if r.name == spec.corridor), None)
    zones = assign_zones(village_xy, seat_xy, spec.zone_anchors, spec.central_radius, corridor,
                         adjacency(div.village_of_cell))
    zone_polygons = {code: _union(village_polygons, np.array(zones) == code)
                     for code in sorted(z.code for z in spec.zone_plan)}
    town_polygons = [_union(village_polygons, div.village_town == t)
                     for t in range(len(spec.towns))]

    cover = _cover_counts(div.village_of_cell, terrain.landcover, n)
    elevation = terrain.dem.ravel()[div.village_cells]
    committee = place_committees(div.village_town, village_xy, seats, committees)
    # People live off the farmland (fields and orchards) and in the built-up land.
    figures = village_figures((spec.rural_population, spec.poor_population, spec.poor_households),
                              cover[:, CROPLAND] + cover[:, ORCHARD] + cover[:, BUILT_UP], elevation,
                              [c.kind for c in committee], [c.resettlement for c in committee],
                              rng)
    names = [c.name for c in committee]
    villages = [VillageRecord(c.code, c.name, int(div.village_town[v]), village_points[v],
                              village_polygons[v], figures[v], c.kind)
                for v, c in enumerate(committee)]
    progress(STAGES[1])

    def cell_of(lon, lat):
        return int(np.ravel_multi_index(grid.cell_of(*project(lon, lat)), grid.shape))

    region = ndimage.binary_dilation(mask, iterations=2).ravel()
    roads = build_roads(
        grid, graph, terrain.dem,
        [(r.name, r.road_class, [cell_of(*p) for p in r.points]) for r in spec.trunk_roads],
        cell_of(spec.seat.lon, spec.seat.lat), [cell_of(t.lon, t.lat) for t in spec.towns],
        div.village_cells, region)
    progress(STAGES[2])

    seat_village = [_nearest(village_xy, np.flatnonzero(div.village_town == t), xy)
                    for t, xy in enumerate(seats)]
    has_clinic = [v.figures.flags["has_clinic"] for v in villages]
    # A clinic is known by its town and village (洛南 has three 王村).
    clinic_names = [spec.towns[v.town].name + v.name for v in villages]
    centers = place_centers(spec.towns, seat_village, zones, village_points, village_polygons,
                            clinic_names, has_clinic, rng, spec.centers_per_zone)
    share = cover / np.maximum(cover.sum(axis=1, keepdims=True), 1)
    to_seat = np.hypot(*(village_xy - seat_xy).T)
    low = np.clip((1600 - elevation) / 1000, 0, 1)
    fitness = {
        "modern_agriculture": share[:, CROPLAND] + 0.5 * low,
        "planting": share[:, ORCHARD] + share[:, CROPLAND] * 0.5,
        "livestock": share[:, GRASSLAND] + 0.3 * (1 - low),
        "tourism": share[:, FOREST] + 0.3 * (1 - low),
        "manufacturing": 1 / (1 + to_seat / 3000),
        "commerce_logistics": 1 / (1 + to_seat / 3000),
    }
    industries = place_industries(zones, village_points, names, village_polygons, fitness, rng,
                                  spec.industry_themes, spec.named_industries)
    progress(STAGES[3])

    river_lines = [(r.name, LineString(r.xy).simplify(grid.cell / 2), r.synthetic_name)
                   for r in rivers]
    rasters = _write_rasters(Path(folder), grid, terrain)
    protected = protected_land(grid, terrain, county, seats)
    periods, register = village_periods([v.figures for v in villages], spec.periods_seed)
    progress(STAGES[4])
    town_records = [TownRecord(t.code, t.name, t.kind, town_polygons[i], Point(seats[i]))
                    for i, t in enumerate(spec.towns)]
    return SampleCounty(spec, county, town_records, villages, zone_polygons, river_lines, roads,
                        centers, industries, rasters, protected, periods, register)


def town_committees(spec):
    """The official committees of each town of the spec, in code order."""
    towns, committees = official_divisions(spec.adcode)
    if towns != {t.code: t.name for t in spec.towns}:
        raise ValueError(f"the towns of {spec.name} differ from its official divisions")
    return [[c for c in committees if c.town == t.code] for t in spec.towns]


def place_committees(village_town, village_xy, seats, committees):
    """The committee at each village site (`committees[t]`: town t's, communities first): in
    each town its communities at the sites nearest its seat, the first nearest, then its
    villages from north to south."""
    placed = [None] * len(village_town)
    for t, mine in enumerate(committees):
        members = np.flatnonzero(village_town == t)
        communities = sum(c.kind == "community" for c in mine)
        near = members[np.argsort(np.hypot(*(village_xy[members] - seats[t]).T), kind="stable")]
        rural = near[communities:]
        order = [*near[:communities], *rural[np.argsort(-village_xy[rural, 1], kind="stable")]]
        for v, c in zip(order, mine, strict=True):  # in code order: communities first
            placed[v] = c
    return placed


def _union(polygons, chosen):
    merged = shapely.union_all([p for p, keep in zip(polygons, chosen) if keep])
    return merged if merged.geom_type == "MultiPolygon" else MultiPolygon([merged])


def _nearest(xy, members, point):
    return int(members[np.argmin(np.hypot(*(xy[members] - point).T))])


def _cover_counts(village_of_cell, landcover, n):
    """Cells of each land-cover class per village, as an (n, 7) array."""
    inside = village_of_cell >= 0
    index = village_of_cell[inside] * 7 + landcover[inside]
    return np.bincount(index, minlength=n * 7).reshape(n, 7)


def _write_rasters(folder, grid, terrain):
    """The DEM and land cover as tiled, compressed GeoTIFFs in the storage CRS (the basemap
    draws its hillshade from the DEM)."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = dict(driver="GTiff", width=grid.nx, height=grid.ny, count=1,
                   crs=f"EPSG:{places.STORAGE_SRID}", transform=grid.transform, tiled=True,
                   blockxsize=256, blockysize=256, compress="deflate")
    layers = (
        ("dem", "dem", "高程（合成）", terrain.dem, dict(dtype="float32", predictor=3)),
        ("landcover", "landcover", "土地覆盖（合成）", terrain.landcover,
         dict(dtype="uint8", nodata=0)),
    )
    records = []
    for filename, kind, name, array, extra in layers:
        path = folder / f"{filename}.tif"
        with rasterio.open(path, "w", **profile, **extra) as dst:
            dst.write(array, 1)
            dst.update_tags(SYNTHETIC="yes", SOURCE="gisplan sample county generator")
        records.append(RasterRecord(name, kind, path, grid.cell, grid.nx, grid.ny,
                                    (grid.x0, grid.y1 - grid.ny * grid.cell, grid.x0 + grid.nx * grid.cell, grid.y1)))
    return records
