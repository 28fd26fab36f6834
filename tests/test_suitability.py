"""The raster suitability pipeline (analysis.suitability) on rasters a few cells a side whose
answers are worked out by hand in the comments."""
import math

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from analysis.suitability import (Constraint, Criterion, CriterionShare, Features, GridMismatch,
                                  Profile, ProfileError, Site, Stack, candidate_sites, check_points,
                                  derive_criteria, load_profiles, score_surface, sensitivity)
from analysis.suitability.parcels import parcels

CELL = 10.0
ORIGIN = (500_000.0, 3_800_000.0)  # west, north in EPSG:4546 (metres)
CRS = "EPSG:4546"


def write(path, array, crs=CRS, cell=CELL, origin=ORIGIN, nodata=None):
    array = np.asarray(array)
    with rasterio.open(path, "w", driver="GTiff", width=array.shape[1], height=array.shape[0],
                       count=1, dtype=array.dtype, crs=crs, nodata=nodata,
                       transform=from_origin(*origin, cell, cell)) as dst:
        dst.write(array, 1)
    return str(path)


def stack_of(tmp_path, **layers):
    return Stack.of({name: write(tmp_path / f"{name}.tif", array) for name, array in layers.items()})


def centre(row, col):
    return ORIGIN[0] + (col + 0.5) * CELL, ORIGIN[1] - (row + 0.5) * CELL


NO_FEATURES = Features({}, {}, {})


# Slope and aspect --------------------------------------------------------------------------------

def derived(tmp_path, dem, features=NO_FEATURES, **options):
    tmp_path.mkdir(exist_ok=True)
    path = write(tmp_path / "dem.tif", np.asarray(dem, np.float32))
    with rasterio.open(path) as dataset:
        stack = derive_criteria(dataset, features, tmp_path / "criteria", **options)
    return {name: rasterio.open(p).read(1) for name, p in stack.paths.items()}


def test_slope_and_aspect_of_a_plane_rising_to_the_east_are_exact_to_the_edges(tmp_path):
    # z = 0.1 x: a gradient of 0.1, so slope atan(0.1) = 5.7106 degrees; downhill is west, 270.
    x = np.arange(5) * CELL
    layers = derived(tmp_path, np.tile(0.1 * x, (4, 1)))
    assert np.allclose(layers["slope"], math.degrees(math.atan(0.1)), atol=1e-4)
    assert np.allclose(layers["aspect"], 270.0, atol=1e-4)


def test_a_plane_rising_to_the_north_faces_south_and_flat_land_has_no_aspect(tmp_path):
    # z = 0.5 y (y northward, rows southward): slope atan(0.5) = 26.565 degrees, facing south.
    y = -np.arange(4) * CELL
    layers = derived(tmp_path, np.tile((0.5 * y)[:, None], (1, 3)))
    assert np.allclose(layers["slope"], 26.5651, atol=1e-3)
    assert np.allclose(layers["aspect"], 180.0, atol=1e-4)
    flat = derived(tmp_path / "flat", np.full((3, 3), 700.0))
    assert (flat["slope"] == 0).all() and (flat["aspect"] == -1).all()


def test_a_plane_falling_to_the_north_east_faces_45_degrees(tmp_path):
    # z = -0.1 x - 0.1 y: downhill is north-east (45 degrees), the gradient 0.1 * sqrt(2), so
    # the slope is atan(0.14142) = 8.0495 degrees.
    x, y = np.arange(4) * CELL, -np.arange(3) * CELL
    layers = derived(tmp_path, 1000 - 0.1 * x[None, :] - 0.1 * y[:, None])
    assert np.allclose(layers["aspect"], 45.0, atol=1e-4)
    assert np.allclose(layers["slope"], 8.0495, atol=1e-3)


def test_no_slope_next_to_a_void_in_the_dem(tmp_path):
    # The DEM's nodata (-9999) at (2, 2): it and its eight neighbours get no slope or aspect;
    # the rest of the flat DEM has slope 0.
    dem = np.full((5, 5), 800.0, np.float32)
    dem[2, 2] = -9999
    path = write(tmp_path / "dem.tif", dem, nodata=-9999)
    with rasterio.open(path) as dataset:
        stack = derive_criteria(dataset, NO_FEATURES, tmp_path / "criteria")
    slope = rasterio.open(stack.paths["slope"]).read(1)
    assert np.isnan(slope[1:4, 1:4]).all() and np.isnan(slope).sum() == 9
    assert (slope[~np.isnan(slope)] == 0).all()


def test_blocks_give_the_same_criteria_as_one_pass(tmp_path):
    rng = np.random.default_rng(1)
    dem = rng.uniform(500, 900, (7, 9))
    features = Features({"road_distance": [LineString([centre(0, 0), centre(6, 8)])]},
                        {"seat_distance": [centre(3, 3)]}, {})
    whole = derived(tmp_path / "whole", dem, features, cap=40.0)
    blocks = derived(tmp_path / "blocks", dem, features, cap=40.0, block=2)
    for name in whole:
        assert np.array_equal(whole[name], blocks[name]), name


def test_distances_to_lines_are_capped_and_to_points_exact(tmp_path):
    # A line down the centres of column 0: the cells of column k are 10 k metres from it,
    # capped at 25. The seat sits at the centre of cell (0, 0): cell (3, 4) is 10 * 5 = 50 m off.
    features = Features({"road_distance": [LineString([centre(0, 0), centre(3, 0)])]},
                        {"seat_distance": [centre(0, 0)]},
                        {"zone": [(box(ORIGIN[0], ORIGIN[1] - 40, ORIGIN[0] + 20, ORIGIN[1]), 2)]})
    layers = derived(tmp_path, np.zeros((4, 5)), features, cap=25.0)
    assert layers["road_distance"][0].tolist() == [0, 10, 20, 25, 25]
    assert layers["seat_distance"][3, 4] == pytest.approx(50.0)
    # The zone covers the two western columns (cell centres inside the polygon).
    assert layers["zone"][0].tolist() == [2, 2, 0, 0, 0]


def test_slope_needs_metres(tmp_path):
    path = write(tmp_path / "dem.tif", np.zeros((3, 3), np.float32), crs="EPSG:4490", cell=0.001,
                 origin=(110.0, 34.0))
    with rasterio.open(path) as dataset, pytest.raises(GridMismatch, match="metres"):
        derive_criteria(dataset, NO_FEATURES, tmp_path / "criteria")


# Grids that do not align -------------------------------------------------------------------------

def test_rasters_on_another_grid_are_refused_with_the_difference(tmp_path):
    slope = write(tmp_path / "slope.tif", np.zeros((3, 3), np.float32))
    cases = {
        "cell": (dict(cell=20.0), "does not align"),
        "origin": (dict(origin=(ORIGIN[0] + 5, ORIGIN[1])), "does not align"),
        "size": (dict(), "does not align"),
        "crs": (dict(crs="EPSG:4547"), "EPSG:4547"),
    }
    for name, (options, message) in cases.items():
        shape = (3, 4) if name == "size" else (3, 3)
        other = write(tmp_path / f"{name}.tif", np.zeros(shape, np.uint8), **options)
        with pytest.raises(GridMismatch, match=message):
            Stack.of({"slope": slope, "landcover": other})


# Scoring ------------------------------------------------------------------------------------------

SLOPE = Criterion("slope", 3, points=((0, 1.0), (20, 0.0)))
COVER = Criterion("landcover", 1, classes=((1, 1.0), (2, 0.5)))
RULES = (Constraint("slope", above=25), Constraint("landcover", classes=(6,)))
PROFILE = Profile("modern_agriculture", (SLOPE, COVER), RULES, threshold=0.5, min_area=0)


def small_county(tmp_path, slope, landcover, zone=None, village=None):
    slope = np.asarray(slope, np.float32)
    return stack_of(tmp_path, slope=slope, landcover=np.asarray(landcover, np.uint8),
                    zone=np.ones(slope.shape, np.uint16) if zone is None else np.asarray(zone, np.uint16),
                    village=np.zeros(slope.shape, np.uint16) if village is None
                    else np.asarray(village, np.uint16))


def test_the_weighted_sum_by_hand_with_excluded_cells_left_empty(tmp_path):
    # Weights 3 and 1 become 0.75 and 0.25.
    # slope     0    10    20    30  -> 1, 0.5, 0, 0 (flat beyond 20)
    # landcover 1     2     1     1  -> 1, 0.5, 1, 1
    # score     1   0.5  0.25   --  (slope over 25 is excluded, not scored low)
    # second row: water (6) is excluded; the last cell lies outside the county (zone 0).
    stack = small_county(tmp_path, [[0, 10, 20, 30], [0, 0, 0, 0]], [[1, 2, 1, 1], [6, 3, 2, 1]],
                         zone=[[1, 1, 1, 1], [1, 1, 1, 0]])
    surface = score_surface(stack, PROFILE, tmp_path / "out.tif")
    score = rasterio.open(surface.path).read(1)
    # Row two: landcover 3 is not listed, so it scores 0: 0.75; class 2 scores 0.5: 0.875.
    expected = np.array([[1, 0.5, 0.25, np.nan], [np.nan, 0.75, 0.875, np.nan]])
    assert np.allclose(score, expected, equal_nan=True)
    assert surface.study_cells == 7 and surface.scored_cells == 5
    assert surface.suitable_cells == 4  # 1, 0.5, 0.75, 0.875 reach the threshold 0.5
    assert surface.excluded_cells == (1, 1)  # slope over 25; water


def test_a_cell_without_data_in_a_layer_is_not_scored(tmp_path):
    # The land cover's nodata (0) at the first cell: excluded, as a NaN slope is.
    slope = write(tmp_path / "slope.tif", np.array([[0, np.nan, 0]], np.float32))
    stack = Stack.of({
        "slope": slope, "landcover": write(tmp_path / "lc.tif", np.array([[0, 1, 1]], np.uint8),
                                           nodata=0),
        "zone": write(tmp_path / "zone.tif", np.ones((1, 3), np.uint16)),
        "village": write(tmp_path / "village.tif", np.zeros((1, 3), np.uint16))})
    score = rasterio.open(score_surface(stack, PROFILE, tmp_path / "out.tif").path).read(1)
    assert np.isnan(score[0, :2]).all() and score[0, 2] == 1.0


def test_the_output_is_a_compressed_cog_on_the_input_grid(tmp_path):
    stack = small_county(tmp_path, np.zeros((3, 5)), np.ones((3, 5)))
    surface = score_surface(stack, PROFILE, tmp_path / "out.tif")
    with rasterio.open(surface.path) as out, rasterio.open(stack.paths["slope"]) as slope:
        assert (out.crs, out.transform, out.shape) == (slope.crs, slope.transform, slope.shape)
        assert out.profile["tiled"] and out.compression.value == "ZSTD"
        assert out.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert math.isnan(out.nodata)


def test_blocks_score_like_one_pass_and_zones_restrict_the_surface(tmp_path):
    rng = np.random.default_rng(2)
    zone = np.repeat([[1, 1, 2, 2, 3]], 5, axis=0)
    stack = small_county(tmp_path, rng.uniform(0, 30, (5, 5)), rng.integers(1, 7, (5, 5)), zone)
    whole = score_surface(stack, PROFILE, tmp_path / "whole.tif")
    blocks = score_surface(stack, PROFILE, tmp_path / "blocks.tif", block=2)
    a, b = (rasterio.open(s.path).read(1) for s in (whole, blocks))
    assert np.array_equal(a, b, equal_nan=True)
    assert whole.by_zone.scored.tolist() == blocks.by_zone.scored.tolist()
    only = score_surface(stack, PROFILE, tmp_path / "only.tif", zones=(2,))
    c = rasterio.open(only.path).read(1)
    assert np.isnan(c[:, [0, 1, 4]]).all() and np.array_equal(c[:, 2:4], a[:, 2:4], equal_nan=True)


def test_figures_per_zone_and_village(tmp_path):
    # Zone 1 holds scores 1 and 0.5 (village 1), zone 2 holds 0.25 (village 2) and an excluded
    # cell (slope 30): zone 1 has 2 scored, 2 suitable, mean 0.75; zone 2 1 scored, 0 suitable.
    stack = small_county(tmp_path, [[0, 10, 20, 30]], [[1, 2, 1, 1]], zone=[[1, 1, 2, 2]],
                         village=[[1, 1, 2, 0]])
    surface = score_surface(stack, PROFILE, tmp_path / "out.tif")
    assert surface.by_zone.scored[1:3].tolist() == [2, 1]
    assert surface.by_zone.suitable[1:3].tolist() == [2, 0]
    assert surface.by_zone.mean[1:3].tolist() == pytest.approx([0.75, 0.25])
    assert surface.by_village.scored[1:3].tolist() == [2, 1]


# Candidate sites --------------------------------------------------------------------------------

def test_candidate_sites_are_ranked_patches_with_their_breakdown(tmp_path):
    # Slope 0 scores 1 (landcover 1), slope 2 scores 0.75 * 0.9 + 0.25 = 0.925; slope 20 scores
    # 0.25, below the threshold 0.5. Patch A (zone 1): four cells of slope 0, mean 1. Patch B
    # (zone 2): three cells of slope 2 joined only corner to corner (8-neighbours), 0.925.
    # The single cell C is smaller than the two-cell minimum area.
    slope = np.full((5, 6), 20.0)
    slope[0:2, 0:2] = 0  # A
    slope[2, 3] = slope[3, 4] = slope[4, 5] = 2  # B, diagonal
    slope[4, 0] = 0  # C
    zone = np.ones((5, 6))
    zone[:, 3:] = 2
    profile = Profile("modern_agriculture", PROFILE.criteria, RULES, 0.5, min_area=2 * CELL ** 2)
    stack = small_county(tmp_path, slope, np.ones((5, 6)), zone)
    surface = score_surface(stack, profile, tmp_path / "out.tif")
    sites = candidate_sites(stack, surface, intended=(1,))
    assert [(s.id, s.rank, s.cells, s.zone, s.conflict) for s in sites] == [
        ("r0c0", 1, 4, 1, False), ("r2c3", 2, 3, 2, True)]
    a, b = sites
    assert a.score == pytest.approx(1.0) and b.score == pytest.approx(0.925)
    assert a.area == a.geometry.area == 400.0 and b.geometry.area == 300.0
    slope_share, cover_share = b.shares
    assert (slope_share.weight, slope_share.value, slope_share.score) == pytest.approx((0.75, 2, 0.9))
    assert sum(s.contribution for s in b.shares) == pytest.approx(b.score)
    assert cover_share.value == 1  # the majority class


def test_a_site_facing_north_averages_its_aspect_as_a_direction(tmp_path):
    # Two cells facing 350 and 10 degrees: north (0), not their arithmetic mean 180.
    aspect = Criterion("aspect", 1, points=((-1, 1.0), (0, 1.0), (360, 1.0)))
    profile = Profile("planting", (aspect,), (), 0.5, min_area=0)
    stack = stack_of(tmp_path, aspect=np.array([[350, 10]], np.float32),
                     zone=np.ones((1, 2), np.uint16), village=np.zeros((1, 2), np.uint16))
    [site] = candidate_sites(stack, score_surface(stack, profile, tmp_path / "out.tif"))
    assert site.shares[0].value == pytest.approx(0.0, abs=1e-6) or \
        site.shares[0].value == pytest.approx(360.0)
    assert not site.conflict  # no zone is known to be meant for it or not


def test_no_suitable_land_gives_no_sites(tmp_path):
    stack = small_county(tmp_path, np.full((3, 3), 20.0), np.ones((3, 3)))
    surface = score_surface(stack, PROFILE, tmp_path / "out.tif")
    assert candidate_sites(stack, surface) == ()


# One suitable region of 3 x 8 cells with two peaks. A slope s scores 0.75 (1 - s / 20) + 0.25
# (land cover 1) = 1 - 0.0375 s: slope 0 scores 1 at (1, 1), slope 2 scores 0.925 at (1, 6), and
# every other cell scores less than either (slope 4 or more).
TWO_PEAKS = np.array([[8, 4, 8, 10, 10, 8, 6, 8],
                      [4, 0, 4, 8, 8, 6, 2, 6],
                      [8, 4, 8, 10, 10, 8, 6, 8]], float)


def two_peak_sites(tmp_path, max_cells):
    profile = Profile("modern_agriculture", PROFILE.criteria, RULES, 0.5, min_area=2 * CELL ** 2,
                      max_area=None if max_cells is None else max_cells * CELL ** 2)
    tmp_path.mkdir(exist_ok=True)
    stack = small_county(tmp_path, TWO_PEAKS, np.ones(TWO_PEAKS.shape))
    return profile, candidate_sites(stack, score_surface(stack, profile, tmp_path / "out.tif"))


def test_a_region_larger_than_a_project_is_cut_into_a_parcel_around_each_peak(tmp_path):
    # At most 12 cells: seeds at least isqrt(12) = 3 cells apart, the best cell within 2 cells
    # of itself. The two peaks are 5 columns apart and every other cell is within 2 columns of
    # one of them, so they are the only seeds. Column 3 is 2 steps from (1, 1) and 3 from
    # (1, 6), column 4 the other way round: columns 0-3 and 4-7 make two parcels of 12 cells.
    # Mean slopes 76 / 12 and 86 / 12 score 1 - 0.0375 * 6.333 = 0.7625 and 0.73125.
    profile, sites = two_peak_sites(tmp_path, 12)
    assert [(s.id, s.rank, s.cells) for s in sites] == [("r0c0", 1, 12), ("r0c4", 2, 12)]
    assert [s.score for s in sites] == pytest.approx([0.7625, 0.73125])
    assert [s.best for s in sites] == pytest.approx([1.0, 0.925])
    for site, peak in zip(sites, [(1, 1), (1, 6)]):
        assert site.area <= profile.max_area and site.geometry.area == site.area
        assert site.geometry.contains(Point(centre(*peak)))
    assert sum(c.contribution for c in sites[1].shares) == pytest.approx(sites[1].score)


def test_a_region_within_the_largest_area_or_without_one_is_one_site(tmp_path):
    # All 24 cells, mean slope 162 / 24 = 6.75: 1 - 0.0375 * 6.75 = 0.746875.
    for max_cells in (24, None):
        profile, [site] = two_peak_sites(tmp_path / str(max_cells), max_cells)
        assert (site.id, site.cells, site.best) == ("r0c0", 24, 1.0)
        assert site.score == pytest.approx(0.746875)


def test_a_smooth_slope_with_one_maximum_is_still_cut():
    # A strip of 9 cells rising to the east has one local maximum, the last cell; it reaches
    # 1 cell either side (at most 4 cells: seeds isqrt(4) = 2 apart), so columns 0-6 are left,
    # and the best of each 2-cell square there, columns 1, 3, 5 and 6, are seeds too. Each
    # cell goes to its nearest seed, the western one on a tie: 0-2, 3-4, 5, 6-7 and 8.
    cut = parcels(np.arange(9.0)[None, :], np.ones((1, 9), bool), 4)[0]
    runs = np.split(np.arange(9), np.flatnonzero(np.diff(cut)) + 1)
    assert [run.tolist() for run in runs] == [[0, 1, 2], [3, 4], [5], [6, 7], [8]]
    assert len(set(cut)) == 5  # five parcels, each one run of cells


def site(name, *scores):
    shares = tuple(CriterionShare(f"c{k}", 0.5, 0, s, 0.5 * s) for k, s in enumerate(scores))
    return Site(name, 0, 1, 1.0, sum(scores) / 2, 1.0, 1, 0, False, shares, None)


def test_sensitivity_finds_the_weight_that_swaps_the_top_two():
    # Equal weights: A = (1 + 0.5) / 2 = 0.75, B = (0.6 + 0.85) / 2 = 0.725.
    # c1 * 1.2: A = (1 + 0.6) / 2.2 = 0.727, B = (0.6 + 1.02) / 2.2 = 0.736: B moves ahead.
    # c1 * 0.8: A = (1 + 0.4) / 1.8 = 0.778, B = (0.6 + 0.68) / 1.8 = 0.711: unchanged.
    profile = Profile("x", (Criterion("c0", 1, points=((0, 0), (1, 1))),
                            Criterion("c1", 1, points=((0, 0), (1, 1)))), (), 0.5, 0)
    changes = {(c.layer, c.factor): c for c in sensitivity([site("A", 1, 0.5), site("B", 0.6, 0.85)],
                                                           profile)}
    assert changes[("c1", 1.2)].ranking == ("B", "A") and not changes[("c1", 1.2)].top_unchanged
    assert changes[("c1", 1.2)].tau == pytest.approx(-1.0)
    assert changes[("c1", 0.8)].moved == 0 and changes[("c1", 0.8)].top_unchanged
    assert changes[("c0", 1.2)].ranking == ("A", "B")  # more weight on A's strength


def test_points_say_which_constraint_excludes_them(tmp_path):
    stack = small_county(tmp_path, [[0, 30]], [[6, 1]], zone=[[1, 1]])
    x0, y0 = centre(0, 0)
    water, steep, outside = check_points(stack, PROFILE, [(x0, y0), centre(0, 1), (x0 - 100, y0)])
    assert water.excluded_by == (1,) and math.isnan(water.score)
    assert steep.excluded_by == (0,) and steep.values["slope"] == 30
    assert not outside.inside


# Profiles ----------------------------------------------------------------------------------------

def test_the_shipped_profiles_cover_every_industry_with_known_layers(settings):
    from layers.models import Industry
    profiles = load_profiles(settings.BASE_DIR / "siting" / "industry_profiles.toml")
    assert set(profiles) == set(Industry.Kind.values)
    known = {"elevation", "slope", "aspect", "landcover", "road_distance", "trunk_road_distance",
             "river_distance", "seat_distance", "town_distance", "ecological_protection",
             "basic_farmland"}
    for profile in profiles.values():
        assert set(profile.layers) <= known, profile.industry
        assert profile.weights.sum() == pytest.approx(1.0)
        assert profile.min_area <= profile.max_area, profile.industry


@pytest.mark.parametrize("criterion, message", [
    ('layer = "slope"\nweight = 0\npoints = [[0, 1], [5, 0]]', "weight must be above zero"),
    ('layer = "slope"\nweight = 1\npoints = [[5, 1], [0, 0]]', "increasing"),
    ('layer = "slope"\nweight = 1\npoints = [[0, 2], [5, 0]]', "between 0 and 1"),
    ('layer = "slope"\nweight = 1', "give points or classes"),
])
def test_bad_profiles_are_refused_with_the_entry_named(tmp_path, criterion, message):
    path = tmp_path / "profiles.toml"
    path.write_text(f'[[profile]]\nindustry = "tourism"\nthreshold = 0.5\nmin_area_ha = 1\n'
                    f'[[profile.criterion]]\n{criterion}\n', encoding="utf-8")
    with pytest.raises(ProfileError, match=f"profile tourism: criterion 1 .*{message}"):
        load_profiles(path)


@pytest.mark.parametrize("body, message", [
    ("", "give at least one criterion"),
    ('[[profile.criterion]]\nlayer = "slope"\nweight = 1\npoints = [[0, 1], [5, 0]]\n'
     '[[profile.constraint]]\nlayer = "slope"\nabove = "steep"', "could not convert"),
])
def test_profiles_without_criteria_or_with_words_for_limits_are_refused(tmp_path, body, message):
    path = tmp_path / "profiles.toml"
    path.write_text(f'[[profile]]\nindustry = "tourism"\nthreshold = 0.5\nmin_area_ha = 1\n{body}\n',
                    encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profiles(path)


def profile_with_areas(tmp_path, areas):
    path = tmp_path / "profiles.toml"
    path.write_text(f'[[profile]]\nindustry = "tourism"\nthreshold = 0.5\n{areas}\n'
                    f'[[profile.criterion]]\nlayer = "slope"\nweight = 1\n'
                    f'points = [[0, 1], [5, 0]]\n', encoding="utf-8")
    return load_profiles(path)["tourism"]


def test_the_largest_area_is_optional_and_read_in_hectares(tmp_path):
    assert profile_with_areas(tmp_path, "min_area_ha = 1\nmax_area_ha = 30").max_area == 300_000
    assert profile_with_areas(tmp_path, "min_area_ha = 1").max_area is None


@pytest.mark.parametrize("areas, message", [
    ("min_area_ha = 1\nmax_area_ha = 0", "max_area_ha is a number above zero, not 0"),
    ("min_area_ha = 1\nmax_area_ha = -5", "max_area_ha is a number above zero, not -5"),
    ('min_area_ha = 1\nmax_area_ha = "big"', "max_area_ha is a number above zero"),
    ("min_area_ha = 10\nmax_area_ha = 5", r"max_area_ha \(5\) is below min_area_ha \(10\)"),
])
def test_a_largest_area_below_zero_or_the_smallest_is_refused(tmp_path, areas, message):
    with pytest.raises(ProfileError, match=f"profiles.toml: profile tourism: {message}"):
        profile_with_areas(tmp_path, areas)
