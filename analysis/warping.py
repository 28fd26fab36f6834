"""Bringing a raster onto an analysis grid: GDAL's warper onto the grid, a survey of what the
result holds over the county (coverage, no-data, range, codes), classes mapped onto gisplan's,
and the cloud-optimised GeoTIFF that is kept.

Each step is a pass over the grid a block at a time, so memory stays bounded whatever the size
of the source; the grid itself (a county at 30 m is a few million cells) is never held whole but
for the county's one-byte mask. What to refuse is the caller's decision, from the survey.
"""
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import rasterio
import rasterio.shutil
import shapely
from rasterio import features
from rasterio.enums import Resampling
from rasterio.warp import reproject, transform, transform_geom

from .suitability.grid import TILE, TILED, WORKERS, gdal_cache_capped

FEET = 0.3048  # metres
ELEVATION_NODATA = -32768.0
CLASS_NODATA = 0
WARP_MEMORY_MB = 256
# GDAL's COG driver: ZSTD (fast, and as small as DEFLATE) on every core; elevations with the
# floating-point predictor, overviews averaged; classes kept as they are, overviews by the most
# common class.
ELEVATION_COG = dict(driver="COG", compress="ZSTD", level=9, predictor=3, blocksize=TILE,
                     overviews="AUTO", resampling="AVERAGE", num_threads=WORKERS, bigtiff="IF_SAFER")
CLASS_COG = dict(driver="COG", compress="ZSTD", level=9, blocksize=TILE, overviews="AUTO",
                 resampling="MODE", num_threads=WORKERS, bigtiff="IF_SAFER")


@dataclass(frozen=True)
class Survey:
    """What a raster warped onto the grid holds, over the grid and over the county."""

    county_cells: int
    nodata_cells: int  # county cells inside the source's footprint that have no value
    nodata_centre: tuple | None  # (x, y) in the grid's CRS: the mean place of those cells
    nodata_bounds: tuple | None  # (xmin, ymin, xmax, ymax) of those cells
    minimum: float | None  # of the values on the grid (None: no value anywhere)
    maximum: float | None
    codes: dict  # value -> cells on the grid, for classes (empty for elevations)

    @property
    def nodata_share(self):
        return self.nodata_cells / self.county_cells if self.county_cells else 0.0


def native_cell_metres(dataset, crs):
    """The side of a source cell in metres (the geometric mean of its width and height; at the
    middle latitude of a geographic raster), its coordinates in `crs` (a rasterio CRS: lon/lat,
    or projected in metres)."""
    dx, dy = abs(dataset.transform.a), abs(dataset.transform.e)
    if crs.is_geographic:
        middle = math.radians((dataset.bounds.top + dataset.bounds.bottom) / 2)
        dx, dy = dx * 111_320.0 * math.cos(middle), dy * 110_574.0
    return math.sqrt(dx * dy)


def footprint(dataset, source_crs, grid):
    """The area a raster covers, as a shapely polygon in the grid's CRS (its edges densified so
    that a lon/lat box keeps its curved sides in a projected CRS)."""
    west, south, east, north = dataset.bounds
    box = shapely.segmentize(shapely.box(west, south, east, north),
                             max(east - west, north - south) / 64)
    return shapely.geometry.shape(transform_geom(source_crs, grid.crs, shapely.geometry.mapping(box)))


def county_mask(grid, outline):
    """The cells of `grid` whose centre is inside `outline` (shapely, in the grid's CRS)."""
    return features.rasterize([outline], out_shape=grid.shape, transform=grid.transform,
                              dtype="uint8").astype(bool)


@gdal_cache_capped
def warp(dataset, source_crs, grid, path, resampling, dtype, nodata):
    """Warp band 1 of `dataset` onto `grid` with GDAL's warper into a tiled, uncompressed
    GeoTIFF at `path`; cells no source cell reaches are `nodata`. A source block that cannot be
    read raises rasterio's WarpOperationError.

    The chunks are warped one at a time, each on WORKERS threads (the NUM_THREADS warp option):
    GDAL's multi-threaded chunking (num_threads > 1) logs a failed read and goes on, leaving
    no-data where the damage is."""
    with rasterio.open(path, "w", width=grid.width, height=grid.height, count=1, dtype=dtype,
                       crs=grid.crs, transform=grid.transform, nodata=nodata, BIGTIFF="IF_SAFER",
                       **TILED) as target:
        reproject(rasterio.band(dataset, 1), rasterio.band(target, 1), src_crs=source_crs,
                  src_nodata=dataset.nodata, dst_nodata=nodata, resampling=resampling,
                  num_threads=1, NUM_THREADS=WORKERS, warp_mem_limit=WARP_MEMORY_MB)


def resampling_for_classes(dataset, crs, grid):
    """Classes are never averaged: the nearest source cell, or the most common one when
    several source cells fall in a grid cell."""
    finer = native_cell_metres(dataset, crs) * 1.5 < grid.cell[0]
    return Resampling.mode if finer else Resampling.nearest


@gdal_cache_capped
def survey(path, grid, inside, covered, scale=1.0, count_codes=False, progress=None):
    """Survey the warped raster at `path` block by block; with a `scale` other than 1, multiply
    its values by it in place first (elevations in feet).

    `inside` and `covered` are boolean masks of the grid: the county, and the source's
    footprint. Returns a Survey.
    """
    nodata_cells, sums, low, high = 0, np.zeros(2), None, None
    lows, highs = [], []
    codes = Counter()
    windows = list(grid.windows())
    with rasterio.open(path, "r+" if scale != 1.0 else "r") as dataset:
        nodata = dataset.nodata
        for n, window in enumerate(windows, 1):
            block = dataset.read(1, window=window)
            valid = block != nodata
            if block.dtype.kind == "f":
                valid &= ~np.isnan(block)
            if scale != 1.0:
                block = np.where(valid, block * scale, block).astype(block.dtype)
                dataset.write(block, 1, window=window)
            rows, cols = window.toslices()
            missing = inside[rows, cols] & covered[rows, cols] & ~valid
            if missing.any():
                nodata_cells += int(missing.sum())
                xs, ys = grid.centres(window)
                xs, ys = np.broadcast_to(xs, missing.shape)[missing], np.broadcast_to(ys, missing.shape)[missing]
                sums += (xs.sum(), ys.sum())
                lows.append((xs.min(), ys.min()))
                highs.append((xs.max(), ys.max()))
            if valid.any():
                values = block[valid]
                low = values.min() if low is None else min(low, values.min())
                high = values.max() if high is None else max(high, values.max())
                if count_codes:
                    found, counts = np.unique(values, return_counts=True)
                    codes.update(dict(zip(found.tolist(), counts.tolist())))
            if progress:
                progress(n / len(windows))
    return Survey(int(inside.sum()), nodata_cells,
                  tuple(sums / nodata_cells) if nodata_cells else None,
                  (*np.min(lows, axis=0), *np.max(highs, axis=0)) if lows else None,
                  None if low is None else float(low), None if high is None else float(high),
                  dict(codes))


@gdal_cache_capped
def classify(path, grid, table, target):
    """Map the codes of the warped raster at `path` onto gisplan's classes with `table` (an
    analysis.landuse.ClassTable) into a tiled uint8 GeoTIFF at `target` (0: no data)."""
    with rasterio.open(path) as source, rasterio.open(
            target, "w", width=grid.width, height=grid.height, count=1, dtype="uint8",
            crs=grid.crs, transform=grid.transform, nodata=CLASS_NODATA, **TILED) as out:
        for window in grid.windows():
            block = source.read(1, window=window)
            classes = np.zeros(block.shape, np.uint8)
            valid = block != source.nodata
            classes[valid] = table.classify(block[valid])
            out.write(classes, 1, window=window)


def class_counts(path, grid, inside):
    """Cells of each class inside the county, as {class: cells}."""
    counts = Counter()
    with rasterio.open(path) as dataset:
        for window in grid.windows():
            rows, cols = window.toslices()
            block = dataset.read(1, window=window)[inside[rows, cols]]
            found, n = np.unique(block, return_counts=True)
            counts.update(dict(zip(found.tolist(), n.tolist())))
    return dict(counts)


@gdal_cache_capped
def write_cog(path, target, options):
    """Copy the tiled GeoTIFF at `path` into a cloud-optimised GeoTIFF at `target`."""
    rasterio.shutil.copy(path, target, **options)


def lonlat(crs, x, y):
    """A point of `crs` in lon/lat (EPSG:4326)."""
    (lon,), (lat,) = transform(crs, "EPSG:4326", [x], [y])
    return lon, lat
