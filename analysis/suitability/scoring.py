"""The weighted sum of a profile's criteria over a stack, written block by block as a COG, with
figures per zone and village."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .grid import BLOCK, VILLAGE, ZONE, Grid, Readers, gdal_cache_capped, write_rasters
from .profiles import Profile


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


@gdal_cache_capped
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
    readers = Readers(stack.paths)
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
        extras = write_rasters(grid, [(path, "float32", float("nan"), "FLOATING_POINT")],
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
