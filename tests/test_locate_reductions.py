"""The exact reductions of the covering models (analysis/locate/reductions.py): each on a case
worked by hand, `lscp`, `mclp` and the set cover's budget question against enumeration on small
instances built to have identical and nested rows and columns, and the reduced models against
the unreduced ones (`reduce=False`) on generated regions and on a covering version of OR-Library
pmed1. No database."""
import functools

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial.distance import cdist

from analysis import locate
from analysis.locate import center, covering, reductions
from analysis.locate.highs import Run
from tests.test_locate import ORLIB, brute_lscp, brute_mclp, read_pmed


def sizes(reduced):
    """The sizes without the pass count, which says nothing about the result."""
    return {k: v for k, v in vars(reduced.sizes).items() if k != "rounds"}


def no_removal(rows, sites):
    return {"rows_before": rows, "rows_after": rows, "sites_before": sites, "sites_after": sites,
            "identical_rows": 0, "dominated_rows": 0, "forced_rows": 0, "forced_sites": 0,
            "empty_sites": 0, "identical_sites": 0, "dominated_sites": 0, "skipped": ()}


# --- each reduction by hand -----------------------------------------------------------------
# A matrix is written a demand (row) a line, a column per site.

# Demands 0 and 2 are both covered by sites 0 and 1, and by nothing else.
SAME_ROWS = np.array([[1, 1, 0],
                      [0, 1, 1],
                      [1, 1, 0],
                      [1, 0, 1]], dtype=bool)


def test_identical_rows_merge():
    # MCLP: demand 2 joins demand 0, weights 1 + 4 = 5. The sites then cover {0, 3}, {0, 1},
    # {1, 3}: none inside another, so all stay.
    reduced = reductions.reduce_max_cover(SAME_ROWS, [1.0, 2.0, 4.0, 8.0])
    assert reduced.rows.tolist() == [0, 1, 3] and reduced.weights.tolist() == [5.0, 2.0, 8.0]
    assert reduced.sites.tolist() == [0, 1, 2] and reduced.forced.size == 0
    assert reduced.matrix.toarray().tolist() == SAME_ROWS[[0, 1, 3]].tolist()
    assert sizes(reduced) == no_removal(4, 3) | {"rows_after": 3, "identical_rows": 1}
    # LSCP: one of the two rows is enough; the other rows' sites {0, 1}, {1, 2}, {0, 2} are not
    # inside one another, and no row has a single site.
    reduced = reductions.reduce_set_cover(SAME_ROWS)
    assert reduced.rows.tolist() == [0, 1, 3] and reduced.weights is None
    assert reduced.sites.tolist() == [0, 1, 2] and reduced.forced.size == 0
    # One site: site 0 covers 1 + 4 + 8 = 13, site 1 1 + 2 + 4 = 7, site 2 2 + 8 = 10; the
    # merged row counts 5 for site 0, which still comes to 13.
    result = locate.mclp(SAME_ROWS, [1.0, 2.0, 4.0, 8.0], 1)
    assert result.sites.tolist() == [0] and result.objective == 13
    assert result.covered.tolist() == [True, False, True, True]


def test_identical_rows_survive_a_hash_collision(monkeypatch):
    # Every row hashed alike: the four rows of length 2 fall in one group, and only the one
    # that really equals the first (row 2) is merged into it.
    monkeypatch.setattr(reductions, "_row_hashes", lambda a: np.zeros(a.shape[0], np.uint64))
    reduced = reductions.reduce_max_cover(SAME_ROWS, [1.0, 2.0, 4.0, 8.0])
    assert reduced.rows.tolist() == [0, 1, 3] and reduced.weights.tolist() == [5.0, 2.0, 8.0]


# Demand 1's sites {0, 1, 2} include demand 0's {0, 1} (and 2's and 3's).
NESTED_ROWS = np.array([[1, 1, 0],
                        [1, 1, 1],
                        [0, 1, 1],
                        [1, 0, 1]], dtype=bool)


def test_a_row_containing_another_leaves_lscp_only():
    # LSCP: any site covering demand 0 covers demand 1, which goes. The sites then cover
    # {0, 3}, {0, 2}, {2, 3}: none inside another.
    reduced = reductions.reduce_set_cover(NESTED_ROWS)
    assert reduced.rows.tolist() == [0, 2, 3] and reduced.sites.tolist() == [0, 1, 2]
    assert sizes(reduced) == no_removal(4, 3) | {"rows_after": 3, "dominated_rows": 1}
    # Two sites are needed (each covers two of the three rows left), and cover demand 1 too.
    result = locate.lscp(NESTED_ROWS)
    assert result.objective == 2 and result.covered.all()
    # MCLP: demand 1 has a weight of its own to count, so it stays; the sites cover {0, 1, 3},
    # {0, 1, 2}, {1, 2, 3}: none inside another. Nothing is removed.
    reduced = reductions.reduce_max_cover(NESTED_ROWS, np.ones(4))
    assert sizes(reduced) == no_removal(4, 3)


def test_a_row_with_one_site_forces_it():
    # Demand 0 has only site 2, which opens and takes demands 0 and 1 with it. Left: demands
    # 2, 3, 4 with sites {0, 1}, {1, 3}, {0, 3}, and sites 0, 1, 3 covering {2, 4}, {2, 3},
    # {3, 4}: nothing more to remove.
    cover = np.array([[0, 0, 1, 0],
                      [1, 0, 1, 0],
                      [1, 1, 0, 0],
                      [0, 1, 0, 1],
                      [1, 0, 0, 1]], dtype=bool)
    reduced = reductions.reduce_set_cover(cover)
    assert reduced.forced.tolist() == [2]
    assert reduced.rows.tolist() == [2, 3, 4] and reduced.sites.tolist() == [0, 1, 3]
    assert sizes(reduced) == no_removal(5, 4) | {
        "rows_after": 3, "sites_after": 3, "forced_rows": 2, "forced_sites": 1}
    # Site 2, then two of 0, 1, 3 for the triangle of demands 2, 3, 4.
    assert locate.lscp(cover).objective == 3
    assert 2 in locate.lscp(cover).sites


def test_a_site_left_covering_nothing_leaves():
    # Demand 0 forces site 0, which covers demand 1 as well: site 1, which covered only
    # demand 1, is left covering nothing. Sites 2, 3, 4 cover {2, 3}, {2, 4}, {3, 4}.
    cover = np.array([[1, 0, 0, 0, 0],
                      [1, 1, 0, 0, 0],
                      [0, 0, 1, 1, 0],
                      [0, 0, 1, 0, 1],
                      [0, 0, 0, 1, 1]], dtype=bool)
    reduced = reductions.reduce_set_cover(cover)
    assert reduced.forced.tolist() == [0] and reduced.sites.tolist() == [2, 3, 4]
    assert reduced.rows.tolist() == [2, 3, 4]
    assert sizes(reduced) == no_removal(5, 5) | {
        "rows_after": 3, "sites_after": 3, "forced_rows": 2, "forced_sites": 1, "empty_sites": 1}


# Sites: 0 covers demands {0, 1}, 1 covers {0}, 2 covers {2, 3}, 3 covers {0, 1} (as site 0
# does) and 4 covers {1, 2}.
NESTED_SITES = np.array([[1, 1, 0, 1, 0],
                         [1, 0, 0, 1, 1],
                         [0, 0, 1, 0, 1],
                         [0, 0, 1, 0, 0]], dtype=bool)


def test_sites_inside_others_leave():
    # MCLP: site 3 has the same demands as site 0 and the higher index; site 1's demand is
    # site 0's too. Sites 0, 2, 4 ({0, 1}, {2, 3}, {1, 2}) stay; the rows are then {0}, {0, 4},
    # {2, 4}, {2}: all different, nothing to merge.
    weights = np.array([3.0, 1.0, 1.0, 3.0])
    reduced = reductions.reduce_max_cover(NESTED_SITES, weights)
    assert reduced.sites.tolist() == [0, 2, 4] and reduced.rows.tolist() == [0, 1, 2, 3]
    assert reduced.weights.tolist() == weights.tolist()
    assert sizes(reduced) == no_removal(4, 5) | {
        "sites_after": 3, "identical_sites": 1, "dominated_sites": 1}
    # Two sites: 0 and 2 cover everything, 8.
    result = locate.mclp(NESTED_SITES, weights, 2)
    assert result.sites.tolist() == [0, 2] and result.objective == 8


def test_lscp_reductions_feed_each_other():
    # Demand 3 forces site 2, which takes demands 2 and 3. Then sites 0 and 3 cover {0, 1},
    # site 1 {0}, site 4 {1}: site 0 stays alone. Demands 0 and 1 now both have only site 0:
    # they merge, and the row forces site 0. Nothing is left for HiGHS.
    reduced = reductions.reduce_set_cover(NESTED_SITES)
    assert reduced.forced.tolist() == [0, 2]
    assert reduced.matrix.shape == (0, 0) and reduced.rows.size == reduced.sites.size == 0
    assert sizes(reduced) == no_removal(4, 5) | {
        "rows_after": 0, "sites_after": 0, "identical_rows": 1, "forced_rows": 3,
        "forced_sites": 2, "identical_sites": 1, "dominated_sites": 2}
    result = locate.lscp(NESTED_SITES)
    assert result.sites.tolist() == [0, 2] and result.objective == 2 and result.optimal


def test_fixed_sites_are_never_dropped():
    # Site 1 covers only what site 0 covers (demand 0), but it is fixed: it stays open, and
    # the demand it covers leaves the model before the reductions see it.
    cover = np.array([[1, 1, 0],
                      [1, 0, 0],
                      [0, 0, 1]], dtype=bool)
    assert locate.lscp(cover, fixed=[1]).sites.tolist() == [0, 1, 2]
    assert locate.mclp(cover, np.ones(3), 1, fixed=[1]).objective == 2
    # The model: demands 1 and 2, sites 0 and 2 (site 1 is fixed).
    reduced = covering.reduction(cover, fixed=[1])
    assert reduced.sizes.rows_before == 2 and reduced.sizes.sites_before == 2


def test_too_costly_products_are_skipped(monkeypatch):
    # With no product allowed, only hashing and forcing remain: the nested rows stay.
    monkeypatch.setattr(reductions, "PRODUCT_WORK", 0)
    reduced = reductions.reduce_set_cover(NESTED_ROWS)
    assert reduced.rows.tolist() == [0, 1, 2, 3] and reduced.sizes.skipped == ("rows", "sites")
    assert locate.lscp(NESTED_ROWS).objective == 2


def test_slices_of_the_product_find_the_same(monkeypatch):
    # One row a slice: the same containments as in one go.
    rng = np.random.default_rng(3)
    cover = rng.random((60, 12)) < 0.3
    cover[~cover.any(axis=1), 0] = True
    whole = reductions.reduce_set_cover(cover)
    monkeypatch.setattr(reductions, "SLICE_WORK", 1)
    sliced = reductions.reduce_set_cover(cover)
    assert sizes(sliced) == sizes(whole) and sliced.rows.tolist() == whole.rows.tolist()
    assert sliced.forced.tolist() == whole.forced.tolist()
    assert whole.sizes.dominated_rows > 0 and whole.sizes.dominated_sites > 0


def test_gap_is_that_of_the_whole_problem():
    # LSCP, stopped by the time limit at 10 sites, 2 of them fixed, HiGHS's bound 6 on the
    # others: the bound on the whole is 8, the gap (10 - 8) / 10.
    stopped = Run(np.zeros(0), "time limit: best found", False, 0.4, bound=6.0)
    assert covering._with_gap(stopped, 10.0, 2.0).gap == pytest.approx(0.2)
    # MCLP: 40 covered in all, of which fixed sites 5; the bound 45 on the new sites' weight
    # makes 50 in all: (50 - 40) / 40.
    assert covering._with_gap(stopped.__class__(np.zeros(0), "t", False, 0.1, bound=45.0),
                              40.0, 5.0).gap == pytest.approx(0.25)
    assert covering._with_gap(Run.trivial(), 3.0, 1.0).gap == 0


def test_inputs_it_refuses():
    with pytest.raises(ValueError, match="every row"):
        reductions.reduce_set_cover(np.array([[1, 0], [0, 0]], dtype=bool))
    with pytest.raises(ValueError, match="one entry per row"):
        reductions.reduce_max_cover(SAME_ROWS, np.ones(3))


# --- against enumeration --------------------------------------------------------------------


def nested_instance(seed):
    """8 to 12 demands × 6 to 9 sites, some demands uncoverable, some of weight zero, p from 1
    to 3. For seeds 1, 5, 9, ... a ring: each demand covered by three consecutive sites (each
    three at least once) and by another now and then, no fixed site; the reductions leave much
    of it to HiGHS. For other odd seeds the ring, for even seeds a uniform matrix at one of three
    densities, then rows copied, a column copied and a column put inside another, so that every
    reduction has work, and up to two fixed sites."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(8, 13)), int(rng.integers(6, 10))
    if seed % 2:
        n = max(n, m)
        cover = rng.random((n, m)) < 0.1
        start = np.concatenate([np.arange(m), rng.integers(m, size=n - m)])
        for k in range(3):
            cover[np.arange(n), (start + k) % m] = True
    else:
        cover = rng.random((n, m)) < (0.15, 0.3, 0.5)[seed // 2 % 3]
    weights = rng.integers(0, 6, n).astype(float)
    p = int(rng.integers(1, 4))
    if seed % 4 == 1:
        return cover, weights, p, []
    for _ in range(2):
        cover[rng.integers(n)] = cover[rng.integers(n)]
    j, k = rng.choice(m, 2, replace=False)
    cover[:, j] = cover[:, k] & (rng.random(n) < 0.7)
    j, k = rng.choice(m, 2, replace=False)
    cover[:, j] = cover[:, k]
    fixed = sorted(rng.choice(m, size=int(rng.integers(0, 3)), replace=False).tolist())
    return cover, weights, p, fixed


SEEDS = range(80)


@pytest.mark.parametrize("seed", SEEDS)
def test_lscp_matches_enumeration(seed):
    cover, _, _, fixed = nested_instance(seed)
    result = locate.lscp(cover, fixed=fixed)
    assert result.optimal and result.gap == 0
    assert result.objective == len(result.sites) == brute_lscp(cover, fixed)
    assert set(fixed) <= set(result.sites.tolist())
    # The sites are the original columns: they cover every coverable demand.
    coverable = cover.any(axis=1)
    assert (cover[:, result.sites].any(axis=1) == coverable).all()
    assert (result.covered == coverable).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_mclp_matches_enumeration(seed):
    cover, weights, p, fixed = nested_instance(seed)
    result = locate.mclp(cover, weights, p, fixed=fixed)
    assert result.optimal and result.gap == 0
    assert result.objective == brute_mclp(cover, weights, p, fixed)
    # `covered` is over the original demands, and the objective their weight.
    assert (result.covered == cover[:, result.sites].any(axis=1)).all()
    assert result.objective == weights[result.covered].sum()
    assert len(result.new_sites) <= p and set(fixed) <= set(result.sites.tolist())


@pytest.mark.parametrize("seed", SEEDS[:30])
def test_set_cover_budget_matches_enumeration(seed):
    # Whether `budget` new sites can cover everything (p_center's question): yes exactly from
    # the fewest that can, forced sites counting against the budget.
    cover, _, _, fixed = nested_instance(seed)
    fewest = brute_lscp(cover, fixed) - len(fixed)
    matrix = sparse.csr_array(cover)
    for budget in range(fewest + 2):
        sites, run = covering.set_cover(matrix, np.array(fixed, dtype=np.int64), None,
                                        budget=budget)
        assert (sites is not None) == (budget >= fewest) and run.optimal
        if sites is not None:
            assert len(sites) <= budget and not set(fixed) & set(sites.tolist())
            opened = np.union1d(fixed, sites).astype(np.int64)
            assert (cover[:, opened].any(axis=1) == cover.any(axis=1)).all()


# --- reduced against unreduced --------------------------------------------------------------


def region(seed, n=300, m=100, radius=0.15):
    """Villages and candidate sites uniform in the unit square, covered within `radius` (about
    seven sites a village); weights 1 to 99."""
    rng = np.random.default_rng(seed)
    cover = cdist(rng.random((n, 2)), rng.random((m, 2))) <= radius
    return cover, rng.integers(1, 100, n).astype(float)


@pytest.mark.parametrize("seed", range(4))
def test_reduced_and_unreduced_agree_on_regions(seed):
    cover, weights = region(seed)
    fixed = [0, 1] if seed % 2 else []
    # The reductions do remove something here.
    assert covering.reduction(cover, fixed=fixed).sizes.rows_after < cover.shape[0] / 2
    reduced, unreduced = (locate.lscp(cover, fixed=fixed, reduce=r) for r in (True, False))
    assert reduced.optimal and unreduced.optimal
    assert reduced.objective == unreduced.objective
    assert (reduced.covered == unreduced.covered).all()
    for p in (3, 8):
        reduced, unreduced = (locate.mclp(cover, weights, p, fixed=fixed, reduce=r)
                              for r in (True, False))
        assert reduced.optimal and unreduced.optimal
        assert reduced.objective == unreduced.objective
        assert reduced.objective == weights[cover[:, reduced.sites].any(axis=1)].sum()


@pytest.mark.parametrize("radius", [80, 100])
def test_reduced_and_unreduced_agree_on_pmed1(radius):
    # pmed1's 100 vertices are both the demands and the sites; within 80 (100) of the
    # shortest-path distance a vertex reaches about 12 (21) others.
    cost, _ = read_pmed(ORLIB / "pmed1.txt")
    cover = cost <= radius
    weights = np.random.default_rng(radius).integers(1, 10, len(cost)).astype(float)
    reduction = covering.reduction(cover)
    assert 0 < reduction.sizes.rows_after < 100 and reduction.sizes.sites_after < 100
    reduced, unreduced = (locate.lscp(cover, reduce=r) for r in (True, False))
    assert reduced.optimal and unreduced.optimal and reduced.objective == unreduced.objective
    for w in (None, weights):
        reduced, unreduced = (locate.mclp(cover, w, 5, reduce=r) for r in (True, False))
        assert reduced.optimal and unreduced.optimal
        assert reduced.objective == unreduced.objective


@pytest.mark.parametrize("radius", [None, 100])
def test_p_center_with_and_without_reductions(radius, monkeypatch):
    # p-center's search asks the set cover whether p sites can cover every demand within each
    # threshold; the answers, so the optimum, are the same without the reductions. (radius
    # 100: only what is within 100 can be served.)
    cost, _ = read_pmed(ORLIB / "pmed1.txt")
    if radius is not None:
        cost = np.where(cost <= radius, cost, np.inf)
    reduced = locate.p_center(cost, 5)
    monkeypatch.setattr(center, "set_cover", functools.partial(covering.set_cover, reduce=False))
    unreduced = locate.p_center(cost, 5)
    assert reduced.optimal and unreduced.optimal
    assert reduced.objective == unreduced.objective
