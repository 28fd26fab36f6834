"""The checks every model makes of its input; a ValueError says what is wrong."""
import operator
import time

import numpy as np
from scipy import sparse


def cost_problem(cost, p, weights, fixed, time_limit):
    """The checked inputs of the cost models: matrix, weights, fixed sites, p and deadline."""
    cost = cost_matrix(cost)
    n, m = cost.shape
    fixed = site_indices(fixed, m)
    return (cost, demand_weights(weights, n), fixed,
            new_site_count(p, m - fixed.size, fixed.size), deadline_after(time_limit))


def cover_matrix(cover):
    """`cover` as a boolean CSR demand × site matrix without stored zeros."""
    if sparse.issparse(cover):
        if cover.ndim != 2:
            raise ValueError("cover must be a 2-d demand × site matrix")
        matrix = sparse.csr_array(cover, dtype=bool)
        matrix.eliminate_zeros()
        return matrix
    array = np.asarray(cover)
    if array.ndim != 2:
        raise ValueError(f"cover must be a 2-d demand × site matrix, got shape {array.shape}")
    if array.dtype != bool:
        if not np.isin(array, (0, 1)).all():
            raise ValueError("cover must be boolean (or 0/1)")
        array = array.astype(bool)
    return sparse.csr_array(array)


def cost_matrix(cost):
    """`cost` as a float demand × site array: no NaN, nothing negative, inf allowed."""
    cost = np.asarray(cost, dtype=float)
    if cost.ndim != 2:
        raise ValueError(f"cost must be a 2-d demand × site matrix, got shape {cost.shape}")
    if np.isnan(cost).any():
        raise ValueError("cost has NaN entries; use np.inf where a site cannot be reached")
    if (cost < 0).any():
        raise ValueError("cost has negative entries")
    return cost


def demand_weights(weights, n):
    """One finite, non-negative weight per demand (1 each when `weights` is None)."""
    if weights is None:
        return np.ones(n)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (n,):
        raise ValueError(f"weights must have one entry per demand ({n}), got shape {weights.shape}")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("weights must be finite and non-negative")
    return weights


def site_indices(sites, m, name="fixed"):
    """`sites` as sorted, distinct int64 indices among `m` sites; `name` is for the message."""
    sites = np.asarray(sites).ravel()
    if sites.size and not np.issubdtype(sites.dtype, np.integer):
        raise ValueError(f"{name} must be site indices (integers), got {sites.dtype}")
    sites = np.unique(sites.astype(np.int64))
    if sites.size and (sites[0] < 0 or sites[-1] >= m):
        raise ValueError(f"{name} sites must be indices in 0..{m - 1}, got {sites.tolist()}")
    return sites


def new_site_count(p, free, fixed):
    """`p` new sites, checked against the `free` candidates and whether any are `fixed`."""
    try:
        p = operator.index(p)
    except TypeError:
        raise ValueError(f"p must be an integer, got {p!r}") from None
    if p < 0:
        raise ValueError(f"p must not be negative, got {p}")
    if p == 0 and not fixed:
        raise ValueError("p must be at least 1 when no sites are fixed")
    if p > free:
        raise ValueError(f"p = {p} new sites, but there are only {free} candidate sites "
                         f"that are not already fixed")
    return p


def deadline_after(time_limit):
    """The time.monotonic() at which `time_limit` seconds from now are up (None: no limit)."""
    if time_limit is None:
        return None
    if not time_limit > 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit}")
    return time.monotonic() + float(time_limit)
