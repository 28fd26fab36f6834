"""What a profile makes of single points: their score and the constraints that exclude them."""
import math
from dataclasses import dataclass

import numpy as np
import rasterio
from rasterio.windows import Window

from .grid import ZONE
from .scoring import score_block


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
