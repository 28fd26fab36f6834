"""How the ranking of candidate sites moves when a criterion's weight moves."""
from dataclasses import dataclass

import numpy as np
from scipy import stats


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
    ranking is exact for the same parcels (they are not cut again).
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
