"""Deriving the criterion layers from a DEM and vector layers: slope, aspect, distances and
labels, a block at a time."""
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from rasterio import features
from rasterio.windows import transform as window_transform
from scipy import ndimage

from .grid import BLOCK, Grid, Stack, gdal_cache_capped, write_rasters


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


@gdal_cache_capped
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
    write_rasters(grid, [(folder / f"{name}.tif", dtype, nodata, predictor)
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
