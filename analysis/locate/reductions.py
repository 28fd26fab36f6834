"""Exact reductions of the uncapacitated covering models, made before HiGHS sees them.

`lscp` (through `covering.set_cover`, which `p_center` and `p_median` also ask whether `p` new
sites can cover everything) and `mclp` give HiGHS a 0/1 matrix with a row for each demand that
still needs covering and a column for each free site that covers one of them: fixed sites, the
demands they cover, demands of weight zero (MCLP) and sites that cover none of the rest have
already left it. On a map much of what is left is redundant: villages in the same lens of
overlapping service areas have the same row, a site near the edge of a cluster reaches only
villages a more central site reaches too. Each reduction here turns the model into a smaller one
with the same optimal objective, and every optimal solution of the smaller one, read in the
larger one's columns, is optimal there too:

- identical rows merge into one (`_merge_identical_rows`), for both models, their weights adding
  up for MCLP;
- LSCP only: a row whose sites include all the sites of another row goes (`_drop_dominated_rows`);
- LSCP only: a row that one site alone covers forces that site open (`_force_sites`);
- sites left covering no row go, and so does a site whose rows are all covered by another site
  (among sites with the same rows, all but the lowest index), for both models
  (`_drop_dominated_sites`).

Each function's docstring says why its reduction keeps the optimum. Removing sites changes the
rows (two rows may become identical, one may come to contain another or to have a single site)
and removing rows changes the sites, so the reductions are repeated, each only when the other
kind changed since it last ran, until nothing changes.

None of this holds with capacities (a site that serves at most so many demands, or so much
weight), which these models do not have: two demands with the same sites still compete for a
site's capacity, so they cannot be merged; a site whose demands are a subset of another's may
be needed beside it when the other is full; and a demand's only site need not have room for it.

It stays cheap: the matrix is sparse throughout; identical rows are found by hashing each row
(a sum of random 64-bit keys of its sites, with its length), every match then checked entry by
entry, so that a hash collision could only leave two rows unmerged, never merge two different
ones; containment is read from the sparse product S @ S.T of the sets as rows (the number of
elements two sets share: S_a is in S_b when that number is |S_a|), computed a slice of rows at a
time so that its stored entries stay few; when the whole product would cost more than
PRODUCT_WORK multiply-adds (e.g. a dense matrix in p_center's search), that reduction is not
made, which is still exact. Only numpy and scipy.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

# The most multiply-adds a containment product may take; above it that reduction is skipped.
PRODUCT_WORK = 60_000_000
# The most multiply-adds (so at most as many stored entries) in one slice of the product.
SLICE_WORK = 2_000_000
_KEY_SEED = 20_250_617  # the random keys of the row hash: fixed, so results are reproducible


@dataclass(frozen=True)
class Sizes:
    """What the reductions removed from a model: rows are demands, sites are free sites.

    `identical_rows` were merged into an identical row, `dominated_rows` contained another row
    (LSCP), `forced_rows` were covered by the `forced_sites` (LSCP); `empty_sites` came to cover
    no row, `identical_sites` had the same rows as a site of lower index, `dominated_sites`
    fewer rows, all covered by another site. `skipped` names the containment products not made
    for their cost ("rows", "sites"); `rounds` counts the passes over the rows and the sites.
    """

    rows_before: int
    rows_after: int
    sites_before: int
    sites_after: int
    identical_rows: int = 0
    dominated_rows: int = 0
    forced_rows: int = 0
    forced_sites: int = 0
    empty_sites: int = 0
    identical_sites: int = 0
    dominated_sites: int = 0
    skipped: tuple = ()
    rounds: int = 0

    def __str__(self):
        text = (f"rows {self.rows_before:,} → {self.rows_after:,} (identical {self.identical_rows:,}"
                f", dominated {self.dominated_rows:,}, forced {self.forced_rows:,}); "
                f"sites {self.sites_before:,} → {self.sites_after:,} (forced "
                f"{self.forced_sites:,}, identical {self.identical_sites:,}, dominated "
                f"{self.dominated_sites:,}, empty {self.empty_sites:,}); {self.rounds} rounds")
        return text + (f"; skipped {', '.join(self.skipped)}" if self.skipped else "")


@dataclass(frozen=True)
class Reduced:
    """A covering model after the reductions, and how to read its solutions in the original.

    Attributes
    ----------
    matrix : scipy.sparse.csc_array of bool, shape (rows, sites)
        The reduced model: every row has a site, every site a row.
    rows : np.ndarray
        For each reduced row, the original row kept for it (the lowest index among those merged).
    sites : np.ndarray
        For each reduced column, its original column.
    weights : np.ndarray or None
        MCLP: each reduced row's weight, the sum of the weights of the rows merged into it.
    forced : np.ndarray
        LSCP: original columns open in every cover of the model at the point they were found;
        an optimal cover of the original is these plus an optimal cover of `matrix`.
    sizes : Sizes
    """

    matrix: sparse.csc_array
    rows: np.ndarray
    sites: np.ndarray
    weights: np.ndarray | None
    forced: np.ndarray
    sizes: Sizes


def reduce_set_cover(matrix):
    """The set-covering model (fewest columns covering every row) of `matrix`, reduced.

    `matrix` (any sparse or dense 0/1 array, rows × columns) must have an entry in every row.
    The least number of columns covering every row of `matrix` is `forced.size` plus that of
    the returned `matrix`, and `forced` with `sites[j]` for the columns j of an optimal cover of
    the returned matrix is an optimal cover of `matrix`.
    """
    return _reduce(matrix, None)


def reduce_max_cover(matrix, weights):
    """The maximal-covering model (at most p columns covering the most row weight), reduced.

    The same for every p: the most weight p columns of the returned `matrix` cover, with the
    returned `weights`, is the most that p columns of `matrix` cover with `weights`, and the
    columns `sites[j]` of an optimal choice in the returned model are an optimal choice in
    `matrix`. Every row of `matrix` must have an entry; `forced` is always empty.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (matrix.shape[0],):
        raise ValueError(f"weights must have one entry per row ({matrix.shape[0]}), got shape "
                         f"{weights.shape}")
    return _reduce(matrix, weights)


@dataclass
class _Model:
    """The model being reduced: `a` (CSR, sorted indices, bool) and its rows' and sites' origins."""

    a: sparse.csr_array
    rows: np.ndarray
    sites: np.ndarray
    weights: np.ndarray | None
    forced: list = field(default_factory=list)
    removed: dict = field(default_factory=dict)
    skipped: set = field(default_factory=set)

    def count(self, what, number):
        self.removed[what] = self.removed.get(what, 0) + int(number)

    def keep_rows(self, keep):
        self.a = self.a[keep]
        self.rows = self.rows[keep]
        if self.weights is not None:
            self.weights = self.weights[keep]

    def keep_sites(self, keep):
        self.a = _csr(self.a[:, keep])
        self.sites = self.sites[keep]


def _reduce(matrix, weights):
    a = _csr(matrix, copy=True)
    n, m = a.shape
    if (np.diff(a.indptr) == 0).any():
        raise ValueError("every row must have a site that covers it")
    model = _Model(a, np.arange(n), np.arange(m), None if weights is None else weights.copy())
    set_cover = weights is None
    check_rows = check_sites = True
    rounds = 0
    while check_rows or check_sites:
        rounds += 1
        if check_rows:
            check_rows = False
            before = model.a.shape
            _merge_identical_rows(model)
            if set_cover:
                _force_sites(model)
                _drop_dominated_rows(model)
            # Merging rows changes no site's set of rows, in effect; dropping rows does.
            check_sites = check_sites or (set_cover and model.a.shape != before)
        if check_sites:
            check_sites = False
            before = model.a.shape
            _drop_dominated_sites(model)
            check_rows = model.a.shape != before
    removed = model.removed
    sizes = Sizes(
        rows_before=n, rows_after=model.a.shape[0], sites_before=m, sites_after=model.a.shape[1],
        identical_rows=removed.get("identical_rows", 0),
        dominated_rows=removed.get("dominated_rows", 0),
        forced_rows=removed.get("forced_rows", 0), forced_sites=removed.get("forced_sites", 0),
        empty_sites=removed.get("empty_sites", 0),
        identical_sites=removed.get("identical_sites", 0),
        dominated_sites=removed.get("dominated_sites", 0),
        skipped=tuple(sorted(model.skipped)), rounds=rounds)
    forced = np.sort(np.concatenate([np.zeros(0, dtype=np.int64), *model.forced]))
    return Reduced(matrix=model.a.tocsc(), rows=model.rows, sites=model.sites,
                   weights=model.weights, forced=forced, sizes=sizes)


def _merge_identical_rows(model):
    """Rows with the same sites become one, the lowest index; MCLP adds up their weights.

    Why it keeps the optimum: two rows with the same sites are covered by exactly the same
    choices of sites. LSCP needs each covered, which is one constraint said twice. MCLP counts
    the weight of each covered row: the pair counts w1 + w2 when that common condition holds
    and 0 when not, as one row of weight w1 + w2 does; the objective is the same number for
    every choice of sites.
    """
    first = _first_identical(model.a)
    kept = first == np.arange(first.size)
    if kept.all():
        return
    if model.weights is not None:
        model.weights = np.bincount(first, weights=model.weights, minlength=first.size)
    model.count("identical_rows", (~kept).sum())
    model.keep_rows(kept)


def _force_sites(model):
    """LSCP: a row that a single site covers opens that site; the rows it covers leave.

    Why it keeps the optimum: every cover must cover that row, so every cover, an optimal one
    included, opens its only site. Once it is open the rows it covers are covered whatever else
    is chosen, so the least cover is that site plus the least cover of the other rows. The site
    leaves with its rows (it covers no other row).
    """
    a = model.a
    single = np.diff(a.indptr) == 1
    if not single.any():
        return
    sites = np.unique(a.indices[a.indptr[:-1][single]])
    opened = np.zeros(a.shape[1], dtype=bool)
    opened[sites] = True
    covered = np.zeros(a.shape[0], dtype=bool)
    row_of = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
    covered[row_of[opened[a.indices]]] = True
    model.forced.append(model.sites[sites])
    model.count("forced_sites", sites.size)
    model.count("forced_rows", covered.sum())
    model.keep_rows(~covered)
    model.keep_sites(~opened)


def _drop_dominated_rows(model):
    """LSCP: a row whose sites include every site of another row leaves.

    Why it keeps the optimum: if row b's sites include all of row a's, any site that covers a
    covers b, so every cover of the other rows (a among them) covers b too: b's constraint is
    implied and dropping it changes no cover. Containment is a strict order once identical rows
    are merged (identical ones, should a hash collision leave any, are ordered by index, and
    one of them stays), so every row dropped contains a row that stays: all can go at once.
    """
    found = _containment(model.a, model, "rows")
    if found is None:
        return
    _, above, _, _ = found
    if above.any():
        model.count("dominated_rows", above.sum())
        model.keep_rows(~above)


def _drop_dominated_sites(model):
    """Sites covering no row leave; so does a site whose rows another site covers too.

    Why it keeps the optimum, for LSCP and for MCLP (at most p sites): if site j's rows are a
    subset of site k's, replace j by k in any solution (or just drop j when k is already in it):
    every row j covered is still covered, so LSCP's cover stays a cover and MCLP's covered
    weight does not fall, and the number of sites does not grow. So some optimal solution uses
    no such j. Among sites with the same rows the lowest index stays; with that tie-break the
    relation is a strict order, so every site dropped is covered by one that stays and all can
    go at once. A site covering no row is dominated by any site (and helps no solution).
    """
    at = _csr(model.a.T)
    empty = np.diff(at.indptr) == 0
    drop = empty.copy()
    found = _containment(at, model, "sites")
    if found is not None:
        below, _, below_same, _ = found
        drop |= below
        model.count("identical_sites", (below & below_same).sum())
        model.count("dominated_sites", (below & ~below_same).sum())
    model.count("empty_sites", empty.sum())
    if drop.any():
        model.keep_sites(~drop)


def _containment(sets, model, name):
    """Which sets (the rows of CSR `sets`) lie below or above another in containment.

    a lies below b when S_a is in S_b, a != b, and S_a is smaller or (the same set) a > b.
    Returns (below, above, below_same, above_same): boolean arrays saying which sets lie below
    (above) some other, and which of those do so beside an identical set. None when the product
    would cost more than PRODUCT_WORK multiply-adds (`name` is then noted in model.skipped).
    An empty set shares nothing, so lies below or above nothing here.
    """
    n = sets.shape[0]
    size = np.diff(sets.indptr)
    holders = np.bincount(sets.indices, minlength=sets.shape[1])  # sets holding each element
    work = _row_sums(holders[sets.indices], sets.indptr)
    below = np.zeros(n, dtype=bool)
    above, below_same, above_same = below.copy(), below.copy(), below.copy()
    if work.sum() > PRODUCT_WORK:
        model.skipped.add(name)
        return None
    ones = sparse.csr_array((np.ones(sets.nnz, dtype=np.int32), sets.indices, sets.indptr),
                            shape=sets.shape)
    transposed = _csr(ones.T, dtype=np.int32)
    done = np.cumsum(work)
    cuts = np.searchsorted(done, np.arange(SLICE_WORK, done[-1] if n else 0, SLICE_WORK),
                           side="right")
    edges = np.unique(np.concatenate([[0], cuts, [n]]))
    for lo, hi in zip(edges[:-1], edges[1:]):
        shared = ones[lo:hi] @ transposed  # shared[a - lo, b]: elements S_a and S_b share
        a = np.repeat(np.arange(lo, hi), np.diff(shared.indptr))
        b = shared.indices
        inside = (shared.data == size[a]) & (a != b) & ((size[a] < size[b]) | (a > b))
        a, b = a[inside], b[inside]
        same = size[a] == size[b]
        below[a] = True
        above[b] = True
        below_same[a[same]] = True
        above_same[b[same]] = True
    return below, above, below_same, above_same


def _first_identical(a):
    """For each row of CSR `a` (sorted indices), the lowest index of a row with the same entries.

    Rows are grouped by length and a hash (a sum of random 64-bit keys of their columns); each
    row in a group is then compared entry by entry with the group's first, and one that differs
    (a collision) stays apart.
    """
    n = a.shape[0]
    hashes = _row_hashes(a)
    length = np.diff(a.indptr)
    order = np.lexsort((np.arange(n), hashes, length))
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (hashes[order][1:] != hashes[order][:-1]) | \
        (length[order][1:] != length[order][:-1])
    group_first = order[np.flatnonzero(new_group)]
    first = np.empty(n, dtype=np.int64)
    first[order] = group_first[np.cumsum(new_group) - 1]
    # Check the matches entry by entry.
    rows = np.flatnonzero(first != np.arange(n))
    if rows.size:
        count = length[rows]
        offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        mine = a.indices[np.repeat(a.indptr[rows], count) + offset]
        theirs = a.indices[np.repeat(a.indptr[first[rows]], count) + offset]
        wrong = np.unique(np.repeat(rows, count)[mine != theirs])
        first[wrong] = wrong
    return first


def _row_hashes(a):
    """A 64-bit hash of each row's set of columns: the sum (wrapping around) of random keys."""
    keys = np.random.default_rng(_KEY_SEED).integers(0, 2**64, size=a.shape[1], dtype=np.uint64,
                                                      endpoint=False)
    return _row_sums(keys[a.indices], a.indptr)


def _row_sums(values, indptr):
    """The sum of `values` over each row's slice indptr[i]:indptr[i+1] (0 for an empty row);
    unsigned integers wrap around."""
    total = np.concatenate([np.zeros(1, dtype=values.dtype), np.cumsum(values, dtype=values.dtype)])
    return total[indptr[1:]] - total[indptr[:-1]]


def _csr(matrix, dtype=bool, copy=False):
    """`matrix` as a CSR array of `dtype` with sorted indices and no stored zeros."""
    a = sparse.csr_array(matrix, dtype=dtype, copy=copy)
    a.sum_duplicates()
    a.eliminate_zeros()
    a.sort_indices()
    return a
