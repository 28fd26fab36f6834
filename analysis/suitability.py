"""Industry siting on rasters: criteria scored 0-1, constraints, a weighted sum, candidate sites.

The criteria are single-band GeoTIFFs on one grid (a `Stack`). Deriving them and scoring them
is done a block at a time by a pool of threads, so memory stays bounded whatever the raster
size; outputs are tiled, compressed cloud-optimised GeoTIFFs on the input grid. Candidate sites
need the whole grid's suitable mask and its labels in memory (5 bytes a cell). Profiles
(`Profile`) say, per industry, which criteria count, how each is scored, their weights and
which cells are excluded; they are data (a TOML file, see siting/industry_profiles.toml),
loaded by `load_profiles`.
"""
import contextlib
import functools
import math
import os
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
import shapely
from rasterio import features
from rasterio.windows import Window, transform as window_transform
from scipy import ndimage, stats

BLOCK = 1024  # cells a side of the blocks processed at once (a multiple of the 512-cell tiles)
TILE = 512
WORKERS = 2
CACHE_MB = 128  # GDAL's block cache while deriving, scoring or finding sites
# Criterion layers the score pass reads besides the profile's own: the zone of each cell (0
# outside the county) and the village (0 outside every village), for zone fit and zonal figures.
ZONE, VILLAGE = "zone", "village"
# Layers of directions in degrees, averaged over a site as directions (350 and 10 give 0).
CIRCULAR = ("aspect",)
# Criteria are kept as tiled, uncompressed GeoTIFFs: they are read on every analysis, and
# decompressing them would cost more than the weighted sum. Outputs are written so, then copied
# into a compressed COG.
TILED = dict(driver="GTiff", tiled=True, blockxsize=TILE, blockysize=TILE)
# Overviews averaged (not GDAL's default, cubic): a score is a quantity, and averaging is faster.
COG = dict(driver="COG", compress="ZSTD", level=1, blocksize=TILE, overviews="AUTO",
           resampling="AVERAGE", num_threads=WORKERS)


class GridMismatch(ValueError):
    """Rasters that are not on one grid: a different CRS, cell size, origin or size."""


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the profile and the entry."""


# Grids ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Grid:
    """The CRS, transform and size that every raster of a stack shares."""

    crs: rasterio.crs.CRS
    transform: rasterio.Affine
    width: int
    height: int

    @classmethod
    def of(cls, dataset):
        return cls(dataset.crs, dataset.transform, dataset.width, dataset.height)

    @property
    def cell(self):
        """(width, height) of a cell in CRS units."""
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def cell_area(self):
        return self.cell[0] * self.cell[1]

    def windows(self, size=BLOCK):
        for row in range(0, self.height, size):
            for col in range(0, self.width, size):
                yield Window(col, row, min(size, self.width - col), min(size, self.height - row))

    def centres(self, window):
        """x and y of the cell centres of `window`, as two 2-D arrays."""
        t = self.transform
        cols = np.arange(window.col_off, window.col_off + window.width) + 0.5
        rows = np.arange(window.row_off, window.row_off + window.height) + 0.5
        return t.c + cols[None, :] * t.a, t.f + rows[:, None] * t.e

    def padded(self, window, halo):
        """`window` grown by `halo` cells each side, clipped to the grid, and the offsets of
        `window` inside it (rows, cols)."""
        row0, col0 = max(0, window.row_off - halo), max(0, window.col_off - halo)
        row1 = min(self.height, window.row_off + window.height + halo)
        col1 = min(self.width, window.col_off + window.width + halo)
        return (Window(col0, row0, col1 - col0, row1 - row0),
                (window.row_off - row0, window.col_off - col0))

    def describe(self):
        x, y = self.cell
        return (f"{_crs_name(self.crs)}, {self.width} x {self.height} "
                f"cells of {x:g} x {y:g}, origin ({self.transform.c:g}, {self.transform.f:g})")

    def check(self, name, other, reference="the first layer"):
        """Refuse `other` (a Grid) unless it is this grid."""
        if other.crs != self.crs:
            raise GridMismatch(f"{name} is in {_crs_name(other.crs)}, {reference} in "
                               f"{_crs_name(self.crs)}: reproject it onto one grid first")
        if (other.width, other.height) != (self.width, self.height) or not other.transform.almost_equals(
                self.transform, precision=1e-6 * min(self.cell)):
            raise GridMismatch(f"{name} does not align with {reference}: {other.describe()} "
                               f"instead of {self.describe()}")

    def check_metres(self):
        if self.crs is None or not self.crs.is_projected or self.crs.linear_units_factor[1] != 1.0:
            raise GridMismatch("slope, aspect and distances need a projected CRS in metres, not "
                               f"{_crs_name(self.crs)}")


def _crs_name(crs):
    return crs.to_string() if crs else "no CRS"


@dataclass(frozen=True)
class Stack:
    """Criterion rasters by name, all on one grid."""

    paths: dict  # name -> path of a single-band GeoTIFF
    grid: Grid
    nodata: dict  # name -> the raster's nodata value (None: none)

    @classmethod
    def of(cls, paths):
        """The stack of `paths` (name -> path), refused with GridMismatch unless every raster
        is on the grid of the first."""
        grid, first, nodata = None, None, {}
        for name, path in paths.items():
            with rasterio.open(path) as dataset:
                if dataset.count != 1:
                    raise GridMismatch(f"{name} has {dataset.count} bands, not one")
                if grid is None:
                    grid, first = Grid.of(dataset), name
                else:
                    grid.check(name, Grid.of(dataset), first)
                nodata[name] = dataset.nodata
        if grid is None:
            raise GridMismatch("no criterion rasters were given")
        return cls(dict(paths), grid, nodata)

    def require(self, names):
        missing = sorted(set(names) - set(self.paths))
        if missing:
            raise ProfileError(f"the criteria have no layer {', '.join(missing)}")

    def missing(self, values):
        """Where any of `values` (layer name -> block) has no data: its nodata value or NaN."""
        out = np.zeros(next(iter(values.values())).shape, bool)
        for name, block in values.items():
            nodata = self.nodata.get(name)
            if block.dtype.kind == "f":
                out |= np.isnan(block)
            if nodata is not None and not math.isnan(nodata):
                out |= block == nodata
        return out


class _Readers:
    """The rasters of a stack opened once, read from the calling thread only."""

    def __init__(self, paths):
        self.files = contextlib.ExitStack()
        self.datasets = {name: self.files.enter_context(rasterio.open(path))
                         for name, path in paths.items()}

    def read(self, name, window):
        return self.datasets[name].read(1, window=window)

    def close(self):
        self.files.close()


def _blockwise(read, compute, windows, write, workers=WORKERS):
    """`write(window, compute(window, read(window)))` for every window, in window order.

    All GDAL work (`read`, `write`) stays in this thread and only `compute` (numpy and scipy,
    which let go of the GIL) runs on the pool, at most 2 * `workers` blocks in flight.
    """
    with ThreadPoolExecutor(workers) as pool:
        pending = []
        for window in windows:
            pending.append((window, pool.submit(compute, window, read(window))))
            if len(pending) >= 2 * workers:
                done_window, future = pending.pop(0)
                write(done_window, future.result())
        for done_window, future in pending:
            write(done_window, future.result())


def _write_rasters(grid, outputs, windows, read, compute, progress=None, cog=True):
    """Write one-band rasters block by block: tiled uncompressed GeoTIFFs, or with `cog`
    cloud-optimised ones (written uncompressed to a scratch file, then copied by GDAL's COG
    driver, which compresses on every core and adds overviews).

    `outputs` lists (path, dtype, nodata, predictor); `compute(window, read(window))` gives
    (arrays, extra) with one array per output; `progress(fraction)` is called after each block.
    Returns the extras in window order.
    """
    paths = [Path(path) for path, *_ in outputs]
    written = [path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.scratch.tif")
               for path in paths] if cog else paths
    extras = []
    try:
        with contextlib.ExitStack() as files:
            opened = [files.enter_context(rasterio.open(
                target, "w", width=grid.width, height=grid.height, count=1, dtype=dtype,
                crs=grid.crs, transform=grid.transform, nodata=nodata, **TILED))
                for target, (_, dtype, nodata, _) in zip(written, outputs)]

            def write(window, result):
                arrays, extra = result
                for dataset, array in zip(opened, arrays):
                    dataset.write(array, 1, window=window)
                extras.append(extra)
                if progress:
                    progress(len(extras) / len(windows))
            _blockwise(read, compute, windows, write)
        if cog:
            for scratch, path, (*_, predictor) in zip(written, paths, outputs):
                rasterio.shutil.copy(scratch, path, **COG, predictor=predictor)
    finally:
        if cog:
            for scratch in written:
                scratch.unlink(missing_ok=True)
    return extras


def _gdal_cache_capped(function):
    """Run `function` with GDAL's block cache capped at CACHE_MB: by default GDAL takes 5% of
    the machine's memory, so the memory a run needs would grow with the machine."""
    @functools.wraps(function)
    def capped(*args, **kwargs):
        with rasterio.Env(GDAL_CACHEMAX=CACHE_MB):
            return function(*args, **kwargs)
    return capped


# Deriving the criteria -------------------------------------------------------------------------

@dataclass(frozen=True)
class Features:
    """The vector layers the criteria are derived from, in the grid's CRS.

    distance_to_lines: layer name -> lines (burnt into cells, then a distance transform, capped).
    distance_to_points: layer name -> (n, 2) array of points (exact distance from cell centres).
    labels: layer name -> [(polygon, value)] burnt into a uint16 raster (0 where none).
    """

    distance_to_lines: dict
    distance_to_points: dict
    labels: dict


@_gdal_cache_capped
def derive_criteria(dem, features_, folder, cap=10_000.0, block=BLOCK, progress=None):
    """Slope, aspect, distances and labels on the grid of `dem`, as tiled GeoTIFFs in `folder`.

    Parameters
    ----------
    dem : an open dataset of elevations in metres, in a projected CRS in metres.
    features_ : Features.
    folder : where `<name>.tif` is written for every derived layer.
    cap : distances to lines beyond this many metres are written as `cap`; below it they are
        exact to the cell (each block sees the lines within `cap` of it).
    progress : called with the fraction done after each block.

    Returns the Stack of the DEM (as "elevation") and every derived layer.
    """
    grid = Grid.of(dem)
    grid.check_metres()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dx, dy = grid.cell
    halo = math.ceil(cap / min(dx, dy))
    lines = {name: (shapely.segmentize(np.array(list(geoms), dtype=object), min(dx, dy) / 4),
                    shapely.STRtree(list(geoms)))
             for name, geoms in features_.distance_to_lines.items()}
    points = {name: np.asarray(xy, float).reshape(-1, 2)
              for name, xy in features_.distance_to_points.items()}
    for name, xy in points.items():
        if not len(xy):
            raise ValueError(f"{name}: no points to measure distances to")
    labels = {name: ([(g, int(v)) for g, v in shapes], shapely.STRtree([g for g, _ in shapes]))
              for name, shapes in features_.labels.items()}
    nan = float("nan")
    outputs = ([("slope", "float32", nan, "FLOATING_POINT"),
                ("aspect", "float32", nan, "FLOATING_POINT")]
               + [(name, "float32", None, "FLOATING_POINT") for name in [*lines, *points]]
               + [(name, "uint16", None, "STANDARD") for name in labels])
    def read(window):  # the GDAL part: the DEM, and the vectors burnt into blocks
        padded, offset = grid.padded(window, 1)
        return (dem.read(1, window=padded), offset,
                [_burn_lines(grid, window, geoms, index, halo) for geoms, index in lines.values()],
                [_burn_labels(grid, window, shapes, index) for shapes, index in labels.values()])

    def derive(window, read_block):
        z, (r, c), burnt_lines, burnt_labels = read_block
        z = z.astype(np.float64)
        if dem.nodata is not None:
            z[z == dem.nodata] = np.nan  # no slope next to a void
        z = _extend(z, r, c, window)
        arrays = list(slope_aspect_degrees(z, dx, dy))
        for burnt, (r, c) in burnt_lines:
            if burnt is None:
                arrays.append(np.full((window.height, window.width), cap))
            else:
                metres = ndimage.distance_transform_edt(burnt == 0, sampling=(dy, dx))
                arrays.append(np.minimum(metres[r:r + window.height, c:c + window.width], cap))
        x, y = grid.centres(window)
        for xy in points.values():
            squared = np.full((window.height, window.width), np.inf)
            for px, py in xy:  # a handful of seats: a loop beats a tree
                np.minimum(squared, (x - px) ** 2 + (y - py) ** 2, out=squared)
            arrays.append(np.sqrt(squared))
        arrays += burnt_labels
        return [a.astype(dtype) for a, (_, dtype, _, _) in zip(arrays, outputs)], None
    _write_rasters(grid, [(folder / f"{name}.tif", dtype, nodata, predictor)
                          for name, dtype, nodata, predictor in outputs],
                   list(grid.windows(block)), read, derive, progress, cog=False)
    return Stack.of({"elevation": dem.name, **{name: str(folder / f"{name}.tif")
                                               for name, *_ in outputs}})


def _burn_lines(grid, window, lines, index, halo):
    """The cells the lines pass through in `window` grown by `halo` cells (None: no line comes
    near), and the offset of `window` in it. `lines` are densified to a quarter of a cell, so
    each vertex marks its cell: numpy, not GDAL's rasteriser, which with all_touched and a
    small block cache corrupted the heap on large grids."""
    padded, offset = grid.padded(window, halo)
    near = index.query(shapely.box(*rasterio.windows.bounds(padded, grid.transform)))
    if not len(near):
        return None, offset
    x, y = shapely.get_coordinates(lines[near]).T
    cols, rows = ~window_transform(padded, grid.transform) @ (x, y)
    rows, cols = np.floor(rows).astype(np.intp), np.floor(cols).astype(np.intp)
    inside = (rows >= 0) & (rows < padded.height) & (cols >= 0) & (cols < padded.width)
    burnt = np.zeros((padded.height, padded.width), np.uint8)
    burnt[rows[inside], cols[inside]] = 1
    return burnt, offset


def _burn_labels(grid, window, shapes, index):
    """A uint16 block with each polygon's value where its cell centres are (0 elsewhere)."""
    out = np.zeros((window.height, window.width), np.uint16)
    hits = index.query(shapely.box(*rasterio.windows.bounds(window, grid.transform)))
    if len(hits):
        features.rasterize([shapes[i] for i in sorted(hits)], out=out,
                           transform=window_transform(window, grid.transform))
    return out


def _extend(z, r, c, window):
    """Pad a block read with a halo of up to one cell where the grid ends, continuing the
    surface linearly (so that a plane stays a plane up to the edge)."""
    top, left = 1 - r, 1 - c
    bottom = 1 - (z.shape[0] - r - window.height)
    right = 1 - (z.shape[1] - c - window.width)
    if top or left or bottom or right:
        z = np.pad(z, ((top, bottom), (left, right)), mode="reflect", reflect_type="odd") \
            if min(z.shape) > 1 else np.pad(z, ((top, bottom), (left, right)), mode="edge")
    return z


def slope_aspect_degrees(z, dx, dy):
    """Slope and aspect (Horn's 3 x 3 method, as gdaldem) of the inner cells of `z`.

    Parameters
    ----------
    z : 2-D elevations with a one-cell halo, rows from north to south.
    dx, dy : cell width and height in the units of `z` (metres).

    Returns
    -------
    slope : degrees from horizontal (NaN at and next to a NaN elevation).
    aspect : degrees clockwise from north of the downhill direction, -1 where flat.
    """
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    east = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * dx)  # dz/dx, x to the east
    north = ((a + 2 * b + c) - (g + 2 * h + i)) / (8 * dy)  # dz/dy, y to the north
    slope = np.degrees(np.arctan(np.hypot(east, north)))
    aspect = np.degrees(np.arctan2(-east, -north)) % 360.0
    aspect[(east == 0) & (north == 0)] = -1.0
    void = np.isnan(z[1:-1, 1:-1])  # Horn's method skips the centre; a void has no slope
    slope[void] = aspect[void] = np.nan
    return slope, aspect


# Profiles ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Criterion:
    """A criterion layer scored 0-1: through points (value, score) joined by straight lines and
    held flat beyond the ends, or through a score per class (classes not listed score 0)."""

    layer: str
    weight: float
    points: tuple = ()  # ((value, score), ...), values increasing
    classes: tuple = ()  # ((class, score), ...)

    def score(self, values):
        if self.points:
            # The first score plus each sloping segment's rise up to the value: the same as
            # np.interp, in float32 and five times as fast.
            x = np.asarray(values, np.float32)
            out = np.full(x.shape, self.points[0][1], np.float32)
            step = np.empty(x.shape, np.float32)
            for (xa, ya), (xb, yb) in zip(self.points, self.points[1:]):
                if ya != yb:
                    np.subtract(x, np.float32(xa), out=step)
                    np.clip(step, 0, np.float32(xb - xa), out=step)
                    step *= np.float32((yb - ya) / (xb - xa))
                    out += step
            np.copyto(out, np.float32(np.nan), where=np.isnan(x))
            return out
        table = np.zeros(max(256, max(code for code, _ in self.classes) + 1), np.float32)
        for code, score in self.classes:
            table[code] = score
        if values.dtype == np.uint8:  # land cover: a straight lookup
            return table[values]
        codes = np.asarray(values).astype(np.int64)
        known = (codes >= 0) & (codes < len(table))
        out = np.zeros(codes.shape, np.float32)
        out[known] = table[codes[known]]
        return out


@dataclass(frozen=True)
class Constraint:
    """Cells excluded outright: a layer's value above or below a limit, or one of some classes."""

    layer: str
    above: float | None = None
    below: float | None = None
    classes: tuple = ()

    def excludes(self, values):
        out = np.zeros(values.shape, bool)
        if self.above is not None:
            out |= values > self.above
        if self.below is not None:
            out |= values < self.below
        for code in self.classes:  # a few classes: comparisons beat np.isin
            out |= values == code
        return out


@dataclass(frozen=True)
class Profile:
    """Where an industry fits: its criteria, constraints, and what makes a candidate site."""

    industry: str
    criteria: tuple  # of Criterion
    constraints: tuple  # of Constraint
    threshold: float  # a cell scoring at least this is suitable
    min_area: float  # square metres: smaller patches are not candidate sites

    @property
    def weights(self):
        w = np.array([c.weight for c in self.criteria], float)
        return w / w.sum()

    @property
    def layers(self):
        return sorted({c.layer for c in self.criteria} | {c.layer for c in self.constraints})

    def reweighted(self, layer, factor):
        """This profile with the weight of `layer` multiplied by `factor`."""
        return Profile(self.industry, tuple(
            Criterion(c.layer, c.weight * factor if c.layer == layer else c.weight, c.points,
                      c.classes) for c in self.criteria), self.constraints, self.threshold,
            self.min_area)


def load_profiles(path):
    """The profiles of a TOML file, by industry; ProfileError names what is wrong and where."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ProfileError(f"{path.name}: {problem}") from None
    profiles = {}
    for n, entry in enumerate(document.get("profile", []), 1):
        where = f"{path.name}: profile {entry.get('industry', n)}"
        try:
            profile = _profile(entry)
        except (KeyError, TypeError, ValueError) as problem:
            raise ProfileError(f"{where}: {problem}") from None
        if profile.industry in profiles:
            raise ProfileError(f"{where}: declared twice")
        profiles[profile.industry] = profile
    if not profiles:
        raise ProfileError(f"{path.name}: no [[profile]] tables")
    return profiles


def _profile(entry):
    criteria = []
    for n, c in enumerate(entry.get("criterion", []), 1):
        if not (isinstance(c.get("weight"), (int, float)) and c["weight"] > 0):
            raise ValueError(f"criterion {n} ({c.get('layer')}): the weight must be above zero")
        if ("points" in c) == ("classes" in c):
            raise ValueError(f"criterion {n} ({c.get('layer')}): give points or classes")
        if "points" in c:
            points = tuple((float(x), float(s)) for x, s in c["points"])
            if len(points) < 2 or any(b[0] <= a[0] for a, b in zip(points, points[1:])):
                raise ValueError(f"criterion {n} ({c['layer']}): points need two or more "
                                 f"values, increasing")
            scores = [s for _, s in points]
            classes = ()
        else:
            classes = tuple(sorted((int(k), float(s)) for k, s in c["classes"].items()))
            scores = [s for _, s in classes]
            if any(code < 0 for code, _ in classes):
                raise ValueError(f"criterion {n} ({c['layer']}): classes are codes of 0 or more")
            points = ()
        if not all(0 <= s <= 1 for s in scores):
            raise ValueError(f"criterion {n} ({c['layer']}): scores lie between 0 and 1")
        criteria.append(Criterion(str(c["layer"]), float(c["weight"]), points, classes))
    if not criteria:
        raise ValueError("give at least one criterion")
    constraints = []
    for n, c in enumerate(entry.get("constraint", []), 1):
        rule = Constraint(str(c["layer"]), *(None if c.get(k) is None else float(c[k])
                                             for k in ("above", "below")),
                          tuple(int(k) for k in c.get("classes", ())))
        if rule.above is None and rule.below is None and not rule.classes:
            raise ValueError(f"constraint {n} ({rule.layer}): give above, below or classes")
        constraints.append(rule)
    threshold = float(entry["threshold"])
    if not 0 < threshold <= 1:
        raise ValueError("the threshold lies above 0 and at most 1")
    min_area = float(entry["min_area_ha"]) * 10_000
    if not min_area >= 0:
        raise ValueError("min_area_ha is zero or more")
    return Profile(str(entry["industry"]), tuple(criteria), tuple(constraints), threshold, min_area)


# Scoring --------------------------------------------------------------------------------------

def score_block(profile, values):
    """The weighted score of one block and the mask of each constraint.

    `values` maps layer names to equal-shaped arrays. Returns (score, excluded_by) where
    `score` is float32 with NaN where any constraint excludes the cell, and `excluded_by` a
    list of boolean arrays, one per constraint.
    """
    total = np.zeros(next(iter(values.values())).shape, np.float32)
    for criterion, weight in zip(profile.criteria, profile.weights):
        total += np.float32(weight) * criterion.score(values[criterion.layer])
    excluded_by = [rule.excludes(values[rule.layer]) for rule in profile.constraints]
    if excluded_by:
        total[np.logical_or.reduce(excluded_by)] = np.nan
    return total, excluded_by


@dataclass(frozen=True)
class Tally:
    """Figures per label of a label layer (index = label value; 0 = none)."""

    scored: np.ndarray  # cells with a score
    suitable: np.ndarray  # cells scoring at least the threshold
    score_sum: np.ndarray

    @property
    def mean(self):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.scored > 0, self.score_sum / self.scored, np.nan)


@dataclass(frozen=True)
class Surface:
    """A suitability surface written to `path`, and its figures."""

    path: Path
    grid: Grid
    profile: Profile
    study_cells: int  # cells inside the county (and the chosen zones)
    scored_cells: int
    suitable_cells: int
    excluded_cells: tuple  # per constraint of the profile (a cell may count under several)
    by_zone: Tally
    by_village: Tally


@_gdal_cache_capped
def score_surface(stack, profile, path, zones=(), block=BLOCK, progress=None):
    """The profile's weighted sum over the stack, written to `path` as a float32 COG.

    Parameters
    ----------
    stack : Stack with the profile's layers and the "zone" and "village" labels.
    profile : Profile.
    path : the output GeoTIFF; NaN where a constraint excludes a cell, where a layer has no
        data, outside the county (zone 0) and, when `zones` is given, outside those zones.
    zones : zone labels to score; the others are left out (nodata).
    progress : called with the fraction done after each block.

    Returns a Surface.
    """
    stack.require(profile.layers + [ZONE, VILLAGE])
    zones = tuple(int(z) for z in zones)
    readers = _Readers(stack.paths)
    grid = stack.grid
    windows = list(grid.windows(block))

    def read(window):
        zone = readers.read(ZONE, window)
        inside = np.logical_or.reduce([zone == z for z in zones]) if zones else zone > 0
        if not inside.any():  # outside the county: nothing more to read
            return zone, inside, None, None
        return (zone, inside, {name: readers.read(name, window) for name in profile.layers},
                readers.read(VILLAGE, window))

    def compute(window, read_block):
        zone, inside, values, village = read_block
        if values is None:
            return [np.full(zone.shape, np.nan, np.float32)], None
        score, excluded_by = score_block(profile, values)
        score[~inside | stack.missing(values)] = np.nan
        tallies = _tallies((zone, village), score, profile.threshold)
        return [score], (int(inside.sum()), [int((e & inside).sum()) for e in excluded_by],
                         tallies)
    try:
        extras = _write_rasters(grid, [(path, "float32", float("nan"), "FLOATING_POINT")],
                                windows, read, compute, progress)
    finally:
        readers.close()
    extras = [e for e in extras if e is not None]
    zone_tally, village_tally = (_sum_tallies([e[2][k] for e in extras]) for k in (0, 1))
    return Surface(Path(path), grid, profile, sum(e[0] for e in extras),
                   int(zone_tally.scored.sum()), int(zone_tally.suitable.sum()),
                   tuple(int(sum(e[1][k] for e in extras)) for k in range(len(profile.constraints))),
                   zone_tally, village_tally)


def _tallies(label_layers, score, threshold):
    """Per label of each layer: cells scored, cells suitable, the sum of their scores."""
    keep = ~np.isnan(score.ravel())
    kept = score.ravel()[keep]
    good = kept >= threshold
    out = []
    for labels in label_layers:
        at = labels.ravel()[keep].astype(np.intp)
        pairs = np.bincount(at * 2 + good)  # (label, suitable) in one pass
        pairs = np.pad(pairs, (0, len(pairs) % 2))
        out.append((pairs[0::2] + pairs[1::2], pairs[1::2], np.bincount(at, weights=kept)))
    return out


def _sum_tallies(parts):
    size = max([len(a) for part in parts for a in part] + [1])
    total = [np.zeros(size) for _ in range(3)]
    for part in parts:
        for k, a in enumerate(part):
            total[k][:len(a)] += a
    return Tally(total[0].astype(np.int64), total[1].astype(np.int64), total[2])


# Candidate sites ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    """One criterion's part in a site's score."""

    layer: str
    weight: float  # normalised: the weights add up to 1
    value: float  # the layer's mean over the site (the majority class for a class criterion)
    score: float  # mean 0-1 score
    contribution: float  # weight * score; the contributions add up to the site's score


@dataclass(frozen=True)
class Site:
    """A connected patch of suitable cells (8-neighbours) of at least the profile's area."""

    id: str  # "r<row>c<col>": its first cell in raster order (the same for an unchanged surface)
    rank: int  # 1 = best mean score
    cells: int
    area: float  # square metres
    score: float  # mean
    best: float  # highest cell score
    zone: int  # the zone label holding most of its cells
    village: int  # the village label holding most of its cells (0: none)
    conflict: bool  # its zone is not meant for the industry
    shares: tuple  # of Share, in the profile's criterion order
    geometry: object  # shapely (Multi)Polygon in the grid's CRS


@_gdal_cache_capped
def candidate_sites(stack, surface, intended=None, top=20, block=BLOCK):
    """The `top` candidate sites of a surface, ranked by mean score (larger first on ties).

    Parameters
    ----------
    stack : the Stack the surface was scored from.
    surface : Surface.
    intended : zone labels meant for the industry; sites elsewhere are flagged as conflicts
        (None: no zone is known to be meant for it or not, so no conflicts).
    top : how many sites to describe and vectorise.

    Memory: the suitable mask and its labels stay in memory (5 bytes a cell).
    """
    grid, profile = stack.grid, surface.profile
    min_cells = max(1, math.ceil(profile.min_area / grid.cell_area - 1e-9))
    with rasterio.open(surface.path) as dataset:
        suitable = np.zeros((grid.height, grid.width), bool)
        for window in grid.windows(block):
            score = dataset.read(1, window=window)
            suitable[window.toslices()] = score >= profile.threshold  # NaN compares False
        labels, count = ndimage.label(suitable, structure=np.ones((3, 3), bool))
        del suitable
        cells, sums = np.zeros(count + 1, np.int64), np.zeros(count + 1)
        for window in grid.windows(block):
            score = dataset.read(1, window=window)
            lab = labels[window.toslices()]
            keep = lab > 0
            cells += np.bincount(lab[keep], minlength=count + 1)
            sums += np.bincount(lab[keep], weights=score[keep], minlength=count + 1)
    big = np.flatnonzero(cells >= min_cells)
    if not len(big):
        return ()
    mean = sums[big] / cells[big]
    chosen = big[np.lexsort((-cells[big], -mean))][:top]
    slot = np.zeros(count + 1, np.int64)  # label -> 1 + position among the chosen
    slot[chosen] = np.arange(1, len(chosen) + 1)
    described = _describe(stack, profile, labels, slot, cells[chosen], block)
    boxes = ndimage.find_objects(labels)
    with rasterio.open(surface.path) as dataset:
        sites = []
        for rank, label in enumerate(chosen, 1):
            box = boxes[label - 1]
            here = labels[box] == label
            first = np.argmax(here.ravel())
            row, col = box[0].start + first // here.shape[1], box[1].start + first % here.shape[1]
            window = Window(box[1].start, box[0].start, here.shape[1], here.shape[0])
            best = float(np.nanmax(np.where(here, dataset.read(1, window=window), np.nan)))
            geometry = shapely.union_all([shapely.geometry.shape(g) for g, _ in features.shapes(
                here.astype(np.uint8), mask=here,
                transform=window_transform(window, grid.transform))])
            zone, village, shares = described[rank - 1]
            sites.append(Site(f"r{row}c{col}", rank, int(cells[label]),
                              float(cells[label] * grid.cell_area), float(sums[label] / cells[label]),
                              best, zone, village, intended is not None and zone not in intended,
                              shares,
                              geometry))
    return tuple(sites)


def _describe(stack, profile, labels, slot, cells, block):
    """Per chosen site (`cells` each): its majority zone and village and its Shares."""
    n = len(cells)
    cells = np.concatenate([[0], cells]).astype(float)
    readers = _Readers(stack.paths)
    layers = sorted({c.layer for c in profile.criteria})
    value_sums = {name: np.zeros(n + 1) for name in layers}
    score_sums = np.zeros((len(profile.criteria), n + 1))
    votes = {ZONE: {}, VILLAGE: {}}
    class_votes = {}
    try:
        for window in stack.grid.windows(block):
            which = slot[labels[window.toslices()]]
            keep = which > 0
            if not keep.any():
                continue
            at = which[keep]
            values = {name: readers.read(name, window)[keep] for name in layers}
            for name in layers:
                value = values[name].astype(np.float64)
                if name in CIRCULAR:  # a sum of unit vectors; flat cells (-1) add nothing
                    turn = np.where(value >= 0, np.exp(1j * np.radians(value)), 0)
                    value_sums[name] = value_sums[name] + (
                        np.bincount(at, weights=turn.real, minlength=n + 1)
                        + 1j * np.bincount(at, weights=turn.imag, minlength=n + 1))
                else:
                    value_sums[name] += np.bincount(at, weights=value, minlength=n + 1)
            for k, criterion in enumerate(profile.criteria):
                score_sums[k] += np.bincount(at, weights=criterion.score(values[criterion.layer]),
                                             minlength=n + 1)
                if criterion.classes:
                    _vote(class_votes.setdefault(criterion.layer, {}), at, values[criterion.layer])
            for name in (ZONE, VILLAGE):
                _vote(votes[name], at, readers.read(name, window)[keep])
    finally:
        readers.close()
    out = []
    for s in range(1, n + 1):
        shares = []
        for k, (criterion, weight) in enumerate(zip(profile.criteria, profile.weights)):
            score = score_sums[k, s] / cells[s]
            total = value_sums[criterion.layer][s]
            if criterion.classes:
                value = _winner(class_votes[criterion.layer], s)
            elif criterion.layer in CIRCULAR:
                value = np.degrees(np.angle(total)) % 360 if abs(total) > 1e-9 else -1.0
            else:
                value = total / cells[s]
            shares.append(Share(criterion.layer, float(weight), float(value), float(score),
                                float(weight * score)))
        out.append((_winner(votes[ZONE], s), _winner(votes[VILLAGE], s), tuple(shares)))
    return out


def _vote(ballot, at, values):
    pairs, counts = np.unique(np.column_stack([at, values.astype(np.int64)]), axis=0,
                              return_counts=True)
    for (site, value), count in zip(pairs.tolist(), counts.tolist()):
        ballot[(site, value)] = ballot.get((site, value), 0) + count


def _winner(ballot, site):
    options = [(count, -value) for (s, value), count in ballot.items() if s == site]
    return -max(options)[1] if options else 0


# Sensitivity -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WeightChange:
    """The ranking of the top sites with one criterion's weight moved."""

    layer: str
    factor: float  # 0.8 or 1.2
    ranking: tuple  # site ids, best first
    moved: int  # sites whose rank changed
    largest_shift: int  # the most places any site moved
    tau: float  # Kendall's tau between this ranking and the original (1 = unchanged)
    top_unchanged: bool  # the best site stays the best


def sensitivity(sites, profile, step=0.2):
    """How the ranking of `sites` changes when each criterion's weight moves by +-`step`.

    A site's score is the weighted mean of its criteria's mean scores, so each reweighted
    ranking is exact for the same patches (they are not re-delineated).
    """
    if len(sites) < 2:
        return ()
    means = np.array([[share.score for share in site.shares] for site in sites])
    base = [site.id for site in sites]
    changes = []
    for layer in dict.fromkeys(c.layer for c in profile.criteria):
        for factor in (1 - step, 1 + step):
            weights = profile.reweighted(layer, factor).weights
            score = means @ weights
            order = np.lexsort((np.arange(len(sites)), -score))
            ranking = tuple(base[i] for i in order)
            new_rank = np.empty(len(sites), int)
            new_rank[order] = np.arange(len(sites))
            shift = np.abs(new_rank - np.arange(len(sites)))
            tau = stats.kendalltau(np.arange(len(sites)), new_rank).statistic
            changes.append(WeightChange(layer, factor, ranking, int((shift > 0).sum()),
                                        int(shift.max()), float(tau), ranking[0] == base[0]))
    return tuple(changes)


# Checking points --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointCheck:
    """What the profile makes of one point."""

    inside: bool  # on the grid and in the county (zone > 0)
    zone: int
    score: float  # NaN if excluded or outside
    excluded_by: tuple  # indices into profile.constraints
    values: dict  # layer -> value at the point


def check_points(stack, profile, xy):
    """The score and the constraints that exclude each of the points `xy` ((n, 2), grid CRS)."""
    stack.require(profile.layers + [ZONE])
    grid = stack.grid
    xy = np.asarray(xy, float).reshape(-1, 2)
    cols, rows = ~grid.transform @ (xy[:, 0], xy[:, 1])
    rows, cols = np.floor(rows).astype(int), np.floor(cols).astype(int)
    on = (rows >= 0) & (rows < grid.height) & (cols >= 0) & (cols < grid.width)
    values = {}
    for name in profile.layers + [ZONE]:
        column = np.zeros(len(xy))
        with rasterio.open(stack.paths[name]) as dataset:
            for k in np.flatnonzero(on):
                column[k] = dataset.read(1, window=Window(cols[k], rows[k], 1, 1))[0, 0]
        values[name] = column
    criteria = {k: v for k, v in values.items() if k != ZONE}
    score, excluded_by = score_block(profile, criteria)
    score[stack.missing(criteria)] = np.nan
    checks = []
    for k in range(len(xy)):
        inside = bool(on[k] and values[ZONE][k] > 0)
        checks.append(PointCheck(
            inside, int(values[ZONE][k]), float(score[k]) if inside else math.nan,
            tuple(n for n, mask in enumerate(excluded_by) if mask[k]) if inside else (),
            {name: float(values[name][k]) for name in profile.layers}))
    return tuple(checks)
