"""What a location model returns: the sites it opens and how good that choice is."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Solution:
    """The sites a location model opens, and how good that choice is.

    Attributes
    ----------
    model : str
        "lscp", "mclp", "p_median", "p_center", "capacitated_p_median" or "capacitated_mclp".
    sites : np.ndarray
        Indices of every open site, sorted: the fixed ones and the new ones.
    new_sites : np.ndarray
        Indices of the sites the model opened, sorted (`sites` without the fixed ones).
    objective : float
        lscp: the number of open sites (fixed ones included); mclp: the demand weight covered
        (by fixed sites too); p_median: the total weighted cost of serving every demand from
        its nearest open site; p_center: the largest weighted cost of doing so. Computed from
        `sites`, over the demands that are served.
    gap : float
        Relative optimality gap: 0 when `objective` is proven optimal; when a time limit
        stopped the search, the gap of `objective` to HiGHS's bound on the whole problem
        (lscp, mclp: the reduced model's bound plus what the fixed and forced sites give;
        p_median: to the best relaxation bound, p_center: to the lowest threshold not proven
        infeasible); inf when nothing bounds it.
    optimal : bool
        Whether `objective` is proven optimal.
    status : str
        "optimal", or a sentence saying why not (e.g. "time limit: best found").
    assignment : np.ndarray or None
        p_median and p_center: for each demand the open site with the least cost, -1 where no
        open site can be reached. The capacitated models: each demand's site within the
        capacities (-1: none). None for lscp and mclp.
    covered : np.ndarray or None
        lscp and mclp: for each demand whether an open site covers it. None otherwise.
    unreachable : np.ndarray
        Indices of the demands no candidate site can serve (covering models: that no site
        covers); they were left out of the model.
    load : np.ndarray or None
        The capacitated models: for each site the demand weight assigned to it. None otherwise.
    unserved : np.ndarray or None
        The capacitated models: the demands an open site reaches that are left without a site
        for want of capacity. None otherwise.
    """

    model: str
    sites: np.ndarray
    new_sites: np.ndarray
    objective: float
    gap: float
    optimal: bool
    status: str
    assignment: np.ndarray | None
    covered: np.ndarray | None
    unreachable: np.ndarray
    load: np.ndarray | None = None
    unserved: np.ndarray | None = None

    @property
    def uncoverable(self):
        """The coverage models' name for `unreachable`: demands that no site covers."""
        return self.unreachable


def solution(model, sites, fixed, objective, run, assignment, covered, unreachable, load=None,
             unserved=None):
    """The Solution of a model run (`run`, a highs.Run) that opened `sites`."""
    sites = np.asarray(sites, dtype=np.int64)
    return Solution(
        model=model,
        sites=read_only(sites),
        new_sites=read_only(np.setdiff1d(sites, fixed)),
        objective=objective,
        gap=run.gap,
        optimal=run.optimal,
        status=run.status,
        assignment=None if assignment is None else read_only(assignment),
        covered=None if covered is None else read_only(covered),
        unreachable=read_only(unreachable),
        load=None if load is None else read_only(load),
        unserved=None if unserved is None else read_only(unserved),
    )


def read_only(array):
    """`array` as an ndarray that cannot be written to."""
    array = np.asarray(array)
    array.setflags(write=False)
    return array


def nearest(cost, sites):
    """Each demand's cheapest site among `sites` (-1 and inf where none is reachable)."""
    n = cost.shape[0]
    if not sites.size:
        return np.full(n, -1, dtype=np.int64), np.full(n, np.inf)
    sub = cost[:, sites]
    k = np.argmin(sub, axis=1)
    best = sub[np.arange(n), k]
    assignment = np.where(np.isfinite(best), sites[k], -1)
    return assignment.astype(np.int64), best
