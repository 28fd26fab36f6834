"""Candidate sites: the parcels of suitable land a project can occupy, ranked, each with its
zone, village and the part each criterion plays in its score."""
import math
from dataclasses import dataclass

import numpy as np
import rasterio
import shapely
from rasterio import features
from rasterio.windows import Window
from rasterio.windows import transform as window_transform
from scipy import ndimage

from .grid import BLOCK, VILLAGE, ZONE, BoxReader, Readers, gdal_cache_capped
from .parcels import EIGHT, parcels

# Layers of directions in degrees, averaged over a site as directions (350 and 10 give 0).
CIRCULAR = ("aspect",)


@dataclass(frozen=True)
class CriterionShare:
    """One criterion's part in a site's score."""

    layer: str
    weight: float  # normalised: the weights add up to 1
    value: float  # the layer's mean over the site (the majority class for a class criterion)
    score: float  # mean 0-1 score
    contribution: float  # weight * score; the contributions add up to the site's score


@dataclass(frozen=True)
class Site:
    """A parcel of suitable cells, connected (8-neighbours), of at least the profile's minimum
    area and at most its maximum area."""

    id: str  # "r<row>c<col>": its first cell in raster order (the same for an unchanged surface)
    rank: int  # 1 = best mean score
    cells: int
    area: float  # square metres
    score: float  # mean
    best: float  # highest cell score
    zone: int  # the zone label holding most of its cells
    village: int  # the village label holding most of its cells (0: none)
    conflict: bool  # its zone is not meant for the industry
    shares: tuple  # of CriterionShare, in the profile's criterion order
    geometry: object  # shapely (Multi)Polygon in the grid's CRS


@gdal_cache_capped
def candidate_sites(stack, surface, intended=None, top=20, block=BLOCK):
    """The `top` candidate sites of a surface, ranked by mean score.

    The suitable cells (scoring at least the profile's threshold) form connected regions
    (8-neighbours). A region within the profile's `max_area` (any region when it is None) is
    one parcel; a larger one is cut into parcels no larger than `max_area`, grown around its
    best cells (see `parcels.parcels`): the local maxima of the score at least the side of a
    square of `max_area` apart (and, where those leave land farther than that from every one,
    the best cell of each such square), each cell of the region going to the one it reaches
    in the fewest steps through the region, and a parcel still too large cut again with
    smaller squares. Parcels smaller than `min_area` are not sites.

    Parameters
    ----------
    stack : the Stack the surface was scored from.
    surface : Surface.
    intended : zone labels meant for the industry; sites elsewhere are flagged as conflicts
        (None: no zone is known to be meant for it or not, so no conflicts).
    top : how many sites to describe and vectorise.

    Returns
    -------
    tuple of Site, best first: by mean score, then the larger, then the one whose first cell
    comes first in raster order.

    Memory: the suitable mask and the parcel labels stay in memory (5 bytes a cell); cutting a
    region takes up to about 50 bytes a cell of its bounding box more while it lasts, and the
    cutting keeps up to CACHE_MB of score blocks.
    """
    grid, profile = stack.grid, surface.profile
    min_cells = max(1, math.ceil(profile.min_area / grid.cell_area - 1e-9))
    with rasterio.open(surface.path) as dataset:
        suitable = np.zeros((grid.height, grid.width), bool)
        for window in grid.windows(block):
            score = dataset.read(1, window=window)
            suitable[window.toslices()] = score >= profile.threshold  # NaN compares False
        labels, count = ndimage.label(suitable, structure=EIGHT)
        del suitable
        if profile.max_area is not None:
            count = _cut(dataset, grid, labels, count, block,
                         max(1, math.floor(profile.max_area / grid.cell_area + 1e-9)))
        cells, sums = np.zeros(count + 1, np.int64), np.zeros(count + 1)
        first = np.full(count + 1, grid.width * grid.height, np.int64)  # first cell, flat index
        for window in grid.windows(block):
            score = dataset.read(1, window=window)
            lab = labels[window.toslices()]
            keep = lab > 0
            cells += np.bincount(lab[keep], minlength=count + 1)
            sums += np.bincount(lab[keep], weights=score[keep], minlength=count + 1)
            rows, cols = np.nonzero(keep)
            np.minimum.at(first, lab[keep],
                          (window.row_off + rows) * grid.width + window.col_off + cols)
    big = np.flatnonzero(cells >= min_cells)
    if not len(big):
        return ()
    mean = sums[big] / cells[big]
    chosen = big[np.lexsort((first[big], -cells[big], -mean))][:top]
    slot = np.zeros(count + 1, np.int64)  # label -> 1 + position among the chosen
    slot[chosen] = np.arange(1, len(chosen) + 1)
    described = _describe(stack, profile, labels, slot, cells[chosen], block)
    boxes = ndimage.find_objects(labels)
    with rasterio.open(surface.path) as dataset:
        sites = []
        for rank, label in enumerate(chosen, 1):
            box = boxes[label - 1]
            here = labels[box] == label
            row, col = divmod(int(first[label]), grid.width)
            window = Window(box[1].start, box[0].start, here.shape[1], here.shape[0])
            best = float(np.nanmax(np.where(here, dataset.read(1, window=window), np.nan)))
            geometry = shapely.union_all([shapely.geometry.shape(g) for g, _ in features.shapes(
                here.astype(np.uint8), mask=here,
                transform=window_transform(window, grid.transform))])
            zone, village, shares = described[rank - 1]
            sites.append(Site(
                f"r{row}c{col}", rank, int(cells[label]), float(cells[label] * grid.cell_area),
                float(sums[label] / cells[label]), best, zone, village,
                intended is not None and zone not in intended, shares, geometry))
    return tuple(sites)


def _cut(dataset, grid, labels, count, block, max_cells):
    """Cut the regions of `labels` larger than `max_cells` into parcels (in place), numbered
    from `count` + 1 on; returns the new largest label. A cut region's own label is left
    without cells."""
    cells = np.zeros(count + 1, np.int64)
    for window in grid.windows(block):  # by blocks: bincount copies its input to int64
        cells += np.bincount(labels[window.toslices()].ravel(), minlength=count + 1)
    boxes = ndimage.find_objects(labels)
    scores = BoxReader(dataset, grid, block)
    for region in np.flatnonzero(cells[1:] > max_cells) + 1:  # in raster order of first cells
        box = boxes[region - 1]
        here = labels[box] == region
        parts = parcels(scores.read(box), here, max_cells)
        labels[box][here] = count + parts[here]
        count += int(parts.max())
    return count


def _describe(stack, profile, labels, slot, cells, block):
    """Per chosen site (`cells` each): its majority zone and village and its
    CriterionShares."""
    n = len(cells)
    cells = np.concatenate([[0], cells]).astype(float)
    readers = Readers(stack.paths)
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
            shares.append(CriterionShare(criterion.layer, float(weight), float(value),
                                         float(score), float(weight * score)))
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
