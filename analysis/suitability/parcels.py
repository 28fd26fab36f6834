"""Parcels: suitable land cut into connected pieces no larger than one project can occupy, each
grown around the best cells of the land."""
import math

import numpy as np
from scipy import ndimage

EIGHT = np.ones((3, 3), bool)  # 8-neighbours: cells touching at a corner are connected


def parcels(score, inside, max_cells):
    """Cut the cells `inside` into 8-connected parcels of at most `max_cells` cells.

    Parameters
    ----------
    score : 2-D float array; only its cells `inside` are read (and must not be NaN).
    inside : 2-D bool array of the same shape: the land to cut.
    max_cells : int, at least 1.

    Returns
    -------
    np.ndarray of int32, the shape of `inside`: each cell's parcel, 1 to n (0 outside `inside`).
    A connected piece of `inside` that is no larger than `max_cells` is one parcel.

    Notes
    -----
    A piece larger than `max_cells` (at first, each connected region) is cut around seeds.
    With `side` the side of a square of `max_cells` cells, the seeds are the cells that score
    highest within `side - 1` cells (Chebyshev) of themselves, so at least `side` cells apart
    (ties go to the later cell in raster order); where that leaves land farther than `side - 1`
    cells from every seed (a smooth slope has one maximum however large it is), the best such
    cell of each `side` x `side` square of the piece's bounding box is a seed too. Every cell
    then goes to the seed it reaches in the fewest 8-neighbour steps through the piece, so each
    parcel is connected and holds its seed. A parcel still larger than `max_cells` is cut again
    the same way with a shorter side, down to one cell per parcel if need be.
    """
    out = np.zeros(inside.shape, np.int32)
    regions, _ = ndimage.label(inside, structure=EIGHT)
    side = math.isqrt(max_cells)
    pieces = [(box, regions[box] == k, side)
              for k, box in enumerate(ndimage.find_objects(regions), 1)]
    done = 0
    while pieces:
        box, piece, side = pieces.pop()
        if np.count_nonzero(piece) <= max_cells:
            done += 1
            out[box][piece] = done
            continue
        owner = _grow(_seeds(score[box], piece, side), piece)
        cells = np.bincount(owner.ravel())
        fine = cells <= max_cells
        fine[0] = False
        number = np.zeros(cells.size, np.int32)
        number[fine] = done + np.arange(1, np.count_nonzero(fine) + 1)
        done += np.count_nonzero(fine)
        out[box][piece] = number[owner[piece]]  # 0 for now in the parcels cut again below
        for k, sub in enumerate(ndimage.find_objects(owner), 1):
            if sub is not None and not fine[k]:
                # Squares smaller in the ratio of max_cells to the parcel's cells: the side
                # drops below `side` (the parcel is too large), so the cutting ends.
                shorter = max(1, math.isqrt(side * side * max_cells // int(cells[k])))
                pieces.append((tuple(slice(b.start + s.start, b.start + s.stop)
                                     for b, s in zip(box, sub)), owner[sub] == k, shorter))
    return out


def _seeds(score, piece, side):
    """The seeds of `piece` (see `parcels`), numbered 1 to n in raster order (0 elsewhere)."""
    # Each cell's place in the order of the scores, ties in raster order: a strict order, so
    # that a plateau has one maximum in a window, not all of its cells. Cells off the piece
    # come first and never outrank it.
    order = np.argsort(np.where(piece, score, -np.inf), axis=None, kind="stable")
    rank = np.empty(piece.shape, np.int32)
    rank.ravel()[order] = np.arange(piece.size, dtype=np.int32)
    del order
    reach = 2 * side - 1
    seeds = piece & (ndimage.maximum_filter(rank, reach, mode="constant") == rank)
    left = piece & ~ndimage.maximum_filter(seeds, reach, mode="constant")
    if left.any():
        # The best cell left in each side x side square: the box padded to whole squares, each
        # square's cells along the last axis.
        height, width = -(-np.array(piece.shape) // side) * side
        squares = np.pad(np.where(left, rank, -1),
                         ((0, height - piece.shape[0]), (0, width - piece.shape[1])),
                         constant_values=-1)
        squares = squares.reshape(height // side, side, width // side, side).swapaxes(1, 2)
        squares = squares.reshape(height // side, width // side, side * side)
        best = squares.argmax(axis=2)
        row, col = np.nonzero(np.take_along_axis(squares, best[..., None], 2)[..., 0] >= 0)
        seeds[row * side + best[row, col] // side, col * side + best[row, col] % side] = True
    numbered = np.zeros(piece.shape, np.int32)
    numbered[seeds] = np.arange(1, np.count_nonzero(seeds) + 1)
    return numbered


def _grow(seeds, piece):
    """Each cell of `piece` labelled with the seed it reaches in the fewest 8-neighbour steps
    through `piece` (a breadth-first search from every seed at once, a ring of cells per step;
    ties go to the seed reaching it from the first cell in raster order)."""
    height, width = piece.shape
    stride = width + 2  # a border of one cell outside the piece: no edge checks
    owner = np.pad(seeds, 1).ravel()
    free = np.pad(piece, 1).ravel() & (owner == 0)
    index = np.int32 if owner.size < 2 ** 31 else np.int64  # half the memory when it will do
    steps = np.array([-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1],
                     index)
    ring = np.flatnonzero(owner).astype(index)
    while ring.size:
        reached = (ring[:, None] + steps).ravel()
        by = np.repeat(owner[ring], steps.size)
        new = free[reached]
        ring, first = np.unique(reached[new], return_index=True)
        owner[ring] = by[new][first]
        free[ring] = False
    return owner.reshape(height + 2, width + 2)[1:-1, 1:-1]
