"""The quarterly income league table (季度收入排行榜): households, villages or towns ranked by
the growth of their per-capita net income over a quarter. Arrays in, a frozen result out."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class League:
    """Entries (in the order given) ranked by growth; those whose growth is unknown are left
    unranked, after the others."""

    growth: np.ndarray  # (n,) (after - before) / before; NaN: unknown
    order: np.ndarray  # (n,) indices, the ranked first (best growth first), then the unranked
    rank: np.ndarray  # (n,) 1 for the best; equal growth, equal rank ("1, 2, 2, 4"); 0: unranked


def league(before, after, decimals=4):
    """Rank entries by income growth from `before` to `after` (yuan; NaN: not measured).

    Growth is the change over `before`; it is unknown where either income is missing or
    `before` is not positive. Growths equal to `decimals` places (4: 0.01 percentage points,
    as the table shows them) tie: they share the better rank and are listed by the higher
    income after, then in the order given.
    """
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    known = (before > 0) & ~np.isnan(after)
    growth = np.full(before.shape, np.nan)
    growth[known] = (after[known] - before[known]) / before[known]
    shown = np.round(growth, decimals)
    ranked = np.flatnonzero(known)
    ranked = ranked[np.lexsort((ranked, -after[ranked], -shown[ranked]))]
    rank = np.zeros(before.shape, dtype=np.int64)
    for position, i in enumerate(ranked):
        previous = ranked[position - 1] if position else None
        rank[i] = (rank[previous] if previous is not None and shown[previous] == shown[i]
                   else position + 1)
    order = np.concatenate([ranked, np.flatnonzero(~known)]).astype(np.int64)
    for array in (growth, order, rank):
        array.setflags(write=False)
    return League(growth, order, rank)
