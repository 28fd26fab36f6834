"""The grid every raster of an analysis shares, the stack of criterion rasters on it, and the
block-by-block reading and writing that keeps memory bounded whatever the raster size."""
import contextlib
import functools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.windows import Window

from ..refusals import AnalysisRefusal
from .profiles import ProfileError

BLOCK = 1024  # cells a side of the blocks processed at once (a multiple of the 512-cell tiles)
TILE = 512
WORKERS = 2
CACHE_MB = 128  # GDAL's block cache while deriving, scoring or finding sites
# Criterion layers the score pass reads besides the profile's own: the zone of each cell (0
# outside the county) and the village (0 outside every village), for zone fit and zonal figures.
ZONE, VILLAGE = "zone", "village"
# Criteria are kept as tiled, uncompressed GeoTIFFs: they are read on every analysis, and
# decompressing them would cost more than the weighted sum. Outputs are written so, then copied
# into a compressed COG.
TILED = dict(driver="GTiff", tiled=True, blockxsize=TILE, blockysize=TILE)
# Overviews averaged (not GDAL's default, cubic): a score is a quantity, and averaging is faster.
COG = dict(driver="COG", compress="ZSTD", level=1, blocksize=TILE, overviews="AUTO",
           resampling="AVERAGE", num_threads=WORKERS)


class GridMismatch(AnalysisRefusal):
    """Rasters that are not on one grid: a different CRS, cell size, origin or size."""


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

    @classmethod
    def around(cls, crs, bounds, cell, margin):
        """The north-up grid of square `cell`s covering `bounds` (xmin, ymin, xmax, ymax) and
        `margin` around them, its edges on whole multiples of the cell size."""
        x0, y0, x1, y1 = bounds
        x0, y0 = math.floor((x0 - margin) / cell) * cell, math.floor((y0 - margin) / cell) * cell
        x1, y1 = math.ceil((x1 + margin) / cell) * cell, math.ceil((y1 + margin) / cell) * cell
        return cls(rasterio.crs.CRS.from_user_input(crs), rasterio.Affine(cell, 0.0, x0, 0.0, -cell, y1),
                   round((x1 - x0) / cell), round((y1 - y0) / cell))

    @property
    def bounds(self):
        """(xmin, ymin, xmax, ymax)"""
        t = self.transform
        return t.c, t.f + self.height * t.e, t.c + self.width * t.a, t.f

    @property
    def shape(self):
        return self.height, self.width

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


class Readers:
    """The rasters of a stack opened once, read from the calling thread only."""

    def __init__(self, paths):
        self.files = contextlib.ExitStack()
        self.datasets = {name: self.files.enter_context(rasterio.open(path))
                         for name, path in paths.items()}

    def read(self, name, window):
        return self.datasets[name].read(1, window=window)

    def close(self):
        self.files.close()


class BoxReader:
    """Boxes of a one-band raster on `grid`, read through its blocks with the last CACHE_MB of
    blocks kept. A window read straight from a tiled, compressed file decodes every tile it
    touches each time, so reading the boxes of many regions would decode the same tiles again
    and again; boxes met in raster order mostly find their blocks here."""

    def __init__(self, dataset, grid, block=BLOCK):
        self.dtype, self.block = np.dtype(dataset.dtypes[0]), block

        def read_block(row, col):
            return dataset.read(1, window=Window(col, row, min(block, grid.width - col),
                                                 min(block, grid.height - row)))
        self.read_block = functools.lru_cache(
            max(1, CACHE_MB * 2 ** 20 // (block * block * self.dtype.itemsize)))(read_block)

    def read(self, box):
        """The cells of `box`, a (rows, columns) pair of slices."""
        rows, cols = box
        out = np.empty((rows.stop - rows.start, cols.stop - cols.start), self.dtype)
        for row in range(rows.start - rows.start % self.block, rows.stop, self.block):
            for col in range(cols.start - cols.start % self.block, cols.stop, self.block):
                part = self.read_block(row, col)
                r0, r1 = max(rows.start, row), min(rows.stop, row + self.block)
                c0, c1 = max(cols.start, col), min(cols.stop, col + self.block)
                out[r0 - rows.start:r1 - rows.start, c0 - cols.start:c1 - cols.start] = \
                    part[r0 - row:r1 - row, c0 - col:c1 - col]
        return out


def blockwise(read, compute, windows, write, workers=WORKERS):
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


def write_rasters(grid, outputs, windows, read, compute, progress=None, cog=True):
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
            blockwise(read, compute, windows, write)
        if cog:
            for scratch, path, (*_, predictor) in zip(written, paths, outputs):
                rasterio.shutil.copy(scratch, path, **COG, predictor=predictor)
    finally:
        if cog:
            for scratch in written:
                scratch.unlink(missing_ok=True)
    return extras


def gdal_cache_capped(function):
    """Run `function` with GDAL's block cache capped at CACHE_MB: by default GDAL takes 5% of
    the machine's memory, so the memory a run needs would grow with the machine."""
    @functools.wraps(function)
    def capped(*args, **kwargs):
        with rasterio.Env(GDAL_CACHEMAX=CACHE_MB):
            return function(*args, **kwargs)
    return capped
