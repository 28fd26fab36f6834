"""Land-use schemes onto gisplan's six classes, on inputs small enough to check by hand (no
database). The classes (analysis/landcover.py): 1 cropland, 2 orchard, 3 forest, 4 grassland,
5 built-up, 6 water; 0 no data.

The parcel layer drawn for the rasterising tests, on a 4 x 4 grid of 10 m cells with its origin
(top left corner) at (0, 40); cell centres at x = 5, 15, 25, 35 and y = 35, 25, 15, 5:

    y=40 +---------+---------+
         |  0103   |  0301   |   0103 旱地 (cropland): x 0..20, y 20..40
         | cropland|  forest |   0301 乔木林地 (forest): x 22..40, y 18..40 - not on the cell
    y=20 +----+----+         |     edges: it holds the centres x 25, 35, y 35, 25 only
         |1101| 203+---------+   1101 河流水面 (water): x 0..10, y 0..20
    y=10 |    |    +----+----+   203 村庄 (built-up), an L: x 10..20 for y 0..20, and x 20..40
         |    |         |    |     for y 0..10
     y=0 +----+---------+----+
         x=0  10   20   30   40
"""
import tracemalloc

import numpy as np
import pytest
import shapely
from rasterio.transform import from_origin

from analysis.landcover import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD, WATER
from analysis.landuse import (SCHEMES, ClassTable, SchemeError, UnmappedCodes, load_scheme,
                              rasterize_parcels)
from analysis.refusals import AnalysisRefusal

GRID = from_origin(0, 40, 10, 10)
SHAPE = (4, 4)
PARCELS = [shapely.box(0, 20, 20, 40), shapely.box(22, 18, 40, 40), shapely.box(0, 0, 10, 20),
           shapely.Polygon([(10, 0), (40, 0), (40, 10), (20, 10), (20, 20), (10, 20)])]
DLBM = ["0103", "0301", "1101", "203"]

# Every code of each bundled scheme, as the brief of each scheme lists them.
GLOBELAND30 = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
WORLDCOVER = [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100]
SANDIAO = ("00 0101 0102 0103 0201 0202 0203 0204 0301 0302 0303 0304 0305 0306 0307 0401 0402 "
           "0403 0404 05H1 0508 0601 0602 0603 0701 0702 08H1 08H2 0809 0810 0810A 09 201 201A "
           "202 202A 203 203A 204 205 1001 1002 1003 1004 1005 1006 1007 1008 1009 1101 1102 1103 "
           "1104 1105 1106 1107 1108 1109 1110 1201 1202 1203 1204 1205 1206 1207").split()


def one_line(message):
    return "\n" not in message and "Traceback" not in message and len(message) <= 500


# --- the bundled schemes ---

def test_the_bundled_schemes_load():
    assert SCHEMES == ("gisplan", "globeland30", "sandiao", "worldcover")
    tables = {name: load_scheme(name) for name in SCHEMES}
    assert tables["sandiao"].title == "第三次全国国土调查 三调 DLBM"
    assert tables["sandiao"].match == "prefix"
    assert {tables[name].match for name in ("gisplan", "globeland30", "worldcover")} == {"exact"}
    assert tables["globeland30"].nodata == ("0", "255")


def test_every_code_of_each_scheme_has_a_class():
    # Nothing the schemes define is refused: each code maps into 1..6.
    assert set(load_scheme("globeland30").classify(np.array(GLOBELAND30, np.uint8)).tolist()) <= set(range(1, 7))
    assert set(load_scheme("worldcover").classify(np.array(WORLDCOVER, np.uint8)).tolist()) <= set(range(1, 7))
    assert set(load_scheme("sandiao").classify_codes(SANDIAO).tolist()) <= set(range(1, 7))


def test_the_mapping_decisions():
    globeland, worldcover = load_scheme("globeland30"), load_scheme("worldcover")
    # Shrubland is forest (灌木林地 is 林地); wetland is water; bare land grassland.
    assert globeland.classify(np.array([10, 40, 50, 80, 90], np.uint8)).tolist() == [
        CROPLAND, FOREST, WATER, BUILT_UP, GRASSLAND]
    assert worldcover.classify(np.array([10, 20, 40, 60, 90, 95], np.uint8)).tolist() == [
        FOREST, FOREST, CROPLAND, GRASSLAND, WATER, WATER]


# --- prefix and exact matching ---

@pytest.mark.parametrize("code, expected", [
    ("0303", WATER),      # 红树林地: listed itself, a wetland, overriding "03" forest
    ("0301", FOREST),     # 乔木林地: no entry of its own, takes "03"
    ("0305", FOREST),     # 灌木林地: "03" too
    ("203", BUILT_UP),    # 村庄: "20"
    ("201A", BUILT_UP),   # 城市 internal parks: "20"
    ("0201", ORCHARD),    # 果园: "02", not "20" - prefixes match from the start
    ("1101", WATER),      # 河流水面: "11"
    ("1109", BUILT_UP),   # 水工建筑用地: listed, overriding "11"
    ("1207", GRASSLAND),  # 裸岩石砾地: "12"
    ("1203", CROPLAND),   # 田坎: listed, overriding "12"
    ("05H1", BUILT_UP),   # 商业服务业设施用地: "05"
    (" 0103 ", CROPLAND),  # blanks around a code are ignored
])
def test_prefix_matching_takes_the_longest_listed_prefix(code, expected):
    assert load_scheme("sandiao").class_of(code) == expected


def test_exact_matching_takes_no_prefix():
    globeland = load_scheme("globeland30")
    assert globeland.class_of("10") == CROPLAND and globeland.class_of(10) == CROPLAND
    # "101" starts with the listed "10", which a prefix table would take; an exact one refuses.
    with pytest.raises(UnmappedCodes, match="^the class table globeland30 does not map the code 101$"):
        globeland.class_of("101")
    table = ClassTable("t", "t", "exact", (("01", CROPLAND),), ())
    with pytest.raises(UnmappedCodes):
        table.class_of("0103")
    assert ClassTable("t", "t", "prefix", (("01", CROPLAND),), ()).class_of("0103") == CROPLAND


def test_a_prefix_table_refuses_numeric_codes():
    # A raster stores 0201 (果园, orchard) as 201 (城市, built-up): text codes only.
    with pytest.raises(SchemeError, match="match = \"exact\"") as refusal:
        load_scheme("sandiao").classify(np.array([101, 201], np.uint16))
    assert one_line(str(refusal.value))
    with pytest.raises(SchemeError):
        load_scheme("sandiao").check_counts({201: 5})


# --- rasters: numeric codes ---

def test_a_raster_is_classified_with_nodata_as_zero():
    codes = np.array([[10, 20, 30],
                      [40, 50, 60],
                      [0, 255, 80]], np.uint8)
    # 10 cropland, 20 forest, 30 grassland; 40 shrubland forest, 50 wetland and 60 water water;
    # 0 and 255 no data; 80 artificial surfaces built-up.
    assert load_scheme("globeland30").classify(codes).tolist() == [[1, 3, 4],
                                                                  [3, 6, 6],
                                                                  [0, 0, 5]]


def test_unmapped_codes_are_refused_with_their_values_and_counts():
    codes = np.array([[10, 77, 20],
                      [88, 77, 255],
                      [30, 30, 30]], np.uint8)
    # 77 in two cells, 88 in one: the most frequent first, in the singular for one cell.
    with pytest.raises(UnmappedCodes) as refusal:
        load_scheme("globeland30").classify(codes)
    assert str(refusal.value) == ("the class table globeland30 does not map 2 codes: 77 (2 cells), "
                                  "88 (1 cell); map them in a TOML table of classes of your own")


def test_a_long_list_of_unmapped_codes_is_cut_after_ten():
    # Codes 200..211, code 200 + k in k + 1 cells: 211 (12 cells) down to 202 (3 cells) are
    # named; 201 and 200 are the 2 more.
    codes = np.repeat(np.arange(200, 212, dtype=np.uint8), np.arange(1, 13))
    with pytest.raises(UnmappedCodes) as refusal:
        load_scheme("worldcover").classify(codes)
    message = str(refusal.value)
    assert message.startswith("the class table worldcover does not map 12 codes: 211 (12 cells), "
                              "210 (11 cells), 209 (10 cells),")
    assert "202 (3 cells) and 2 more;" in message and "201 (" not in message and one_line(message)


def test_equal_counts_are_named_in_the_order_of_their_codes():
    with pytest.raises(UnmappedCodes, match=r": 7 \(1 cell\), 9 \(1 cell\);"):
        load_scheme("worldcover").classify(np.array([9, 7, 10], np.uint8))


@pytest.mark.parametrize("dtype, codes, unmapped", [
    # Signed codes read through an unsigned view: -1 is still named -1.
    (np.int16, [1, -1, 6, 0, -1], "-1 (2 cells)"),
    (np.uint16, [1, 6, 60000], "60000 (1 cell)"),
    (np.int32, [1, 2, 3, 70], "70 (1 cell)"),  # a lookup table over 1..70
    (np.int64, [1, 10 ** 12, -(10 ** 12)], "-1000000000000 (1 cell), 1000000000000 (1 cell)"),  # unique
])
def test_every_integer_type_is_classified(dtype, codes, unmapped):
    table = load_scheme("gisplan")
    good = np.array([c for c in codes if 0 <= c <= 6], dtype)
    assert table.classify(good).tolist() == good.tolist()  # gisplan's own codes are its classes
    with pytest.raises(UnmappedCodes, match=unmapped.replace("(", r"\(").replace(")", r"\)")):
        table.classify(np.array(codes, dtype))


def test_codes_are_whole_numbers():
    with pytest.raises(AnalysisRefusal, match="whole numbers, not float32"):
        load_scheme("gisplan").classify(np.array([1.0, 2.0], np.float32))
    assert load_scheme("gisplan").classify(np.zeros((0, 3), np.uint8)).shape == (0, 3)


def test_a_large_band_is_classified_a_chunk_at_a_time():
    # 10,000 x 10,000 uint8 cells (100 MB). Besides the 100 MB answer, classify holds one chunk's
    # indices (2**22 cells, 32 MB) and its mask: np.unique with return_inverse would hold 800 MB.
    codes = np.full((10_000, 10_000), 20, np.uint8)
    codes[::2, ::2] = 10
    tracemalloc.start()
    try:
        classes = load_scheme("globeland30").classify(codes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6, peak
    assert classes[0, :3].tolist() == [CROPLAND, FOREST, CROPLAND] and classes[1, 0] == FOREST
    assert int(np.count_nonzero(classes == CROPLAND)) == 5_000 * 5_000


# --- parcels: text codes ---

def test_text_codes_are_classified_and_unmapped_ones_counted_in_parcels():
    table = load_scheme("sandiao")
    assert table.classify_codes(DLBM).tolist() == [CROPLAND, FOREST, WATER, BUILT_UP]
    # 9999 on two parcels, two parcels with no code (shown as ''), Q1 on one; equal counts by
    # code ('' before 9999).
    with pytest.raises(UnmappedCodes) as refusal:
        table.classify_codes(["0103", "9999", "", "9999", None, "Q1"])
    assert str(refusal.value) == ("the class table sandiao does not map 3 codes: '' (2 parcels), "
                                  "9999 (2 parcels), Q1 (1 parcel); map them in a TOML table of "
                                  "classes of your own")


def test_a_parcel_layer_rasterises_cell_by_cell():
    classes = rasterize_parcels(PARCELS, DLBM, load_scheme("sandiao"), GRID, SHAPE)
    # A cell takes the class of the parcel holding its centre (see the drawing above): the
    # forest ends at y 18, above the centres y 15 of row 2, whose columns 2 and 3 are in no
    # parcel.
    assert classes.dtype == np.uint8
    assert classes.tolist() == [[1, 1, 3, 3],
                                [1, 1, 3, 3],
                                [6, 5, 0, 0],
                                [6, 5, 5, 5]]


def test_all_touched_burns_the_cells_a_parcel_touches():
    # A 2 m square at x 11..13, y 21..23 lies in the cell of row 1, column 1 (centre (15, 25)),
    # away from its centre.
    square = [shapely.box(11, 21, 13, 23)]
    table = load_scheme("sandiao")
    assert not rasterize_parcels(square, ["0103"], table, GRID, SHAPE).any()
    touched = rasterize_parcels(square, ["0103"], table, GRID, SHAPE, all_touched=True)
    assert np.argwhere(touched).tolist() == [[1, 1]] and touched[1, 1] == CROPLAND


def test_overlapping_parcels_the_later_wins():
    table = load_scheme("sandiao")
    everything, corner = shapely.box(0, 0, 40, 40), shapely.box(0, 20, 20, 40)  # rows 0-1, cols 0-1
    later = rasterize_parcels([everything, corner], ["0103", "1101"], table, GRID, SHAPE)
    assert later.tolist() == [[6, 6, 1, 1], [6, 6, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]
    earlier = rasterize_parcels([corner, everything], ["1101", "0103"], table, GRID, SHAPE)
    assert (earlier == CROPLAND).all()


def test_no_data_parcels_and_empty_layers_burn_nothing():
    table = ClassTable("t", "t", "prefix", (("01", CROPLAND),), ("",))
    # The blank-coded parcel over everything is no data: it burns nothing, erases nothing.
    classes = rasterize_parcels([shapely.box(0, 20, 20, 40), shapely.box(0, 0, 40, 40), None],
                                ["0103", "", "01"], table, GRID, SHAPE)
    assert classes.sum() == 4 * CROPLAND
    assert rasterize_parcels([], [], table, GRID, SHAPE).tolist() == [[0] * 4] * 4


def test_unmapped_parcels_are_refused_before_anything_is_burnt():
    # The line would be refused as not a polygon, were the codes not checked first.
    with pytest.raises(UnmappedCodes, match=r"does not map 1 code: 9999 \(1 parcel\); map it in"):
        rasterize_parcels(PARCELS + [shapely.LineString([(0, 0), (40, 40)])], DLBM + ["9999"],
                          load_scheme("sandiao"), GRID, SHAPE)
    with pytest.raises(AnalysisRefusal, match="parcel 5 is a LineString, not a polygon"):
        rasterize_parcels(PARCELS + [shapely.LineString([(0, 0), (40, 40)])], DLBM + ["0103"],
                          load_scheme("sandiao"), GRID, SHAPE)


# --- a county's own table ---

HEADER = 'name = "ours"\ntitle = "我县地类"\nmatch = "exact"\nnodata = [0]\n'


def test_a_users_table_is_loaded_from_its_path(tmp_path):
    path = tmp_path / "我县地类.toml"
    path.write_text(HEADER + '[classes]\n1 = "cropland"\n"2" = "orchard"\n7 = "water"\n', "utf-8")
    table = load_scheme(path)
    assert (table.name, table.title) == ("ours", "我县地类")
    assert table.classify(np.array([[0, 1], [2, 7]], np.uint8)).tolist() == [[0, 1], [2, 6]]


@pytest.mark.parametrize("text, words", [
    ("this is not toml", "bad.toml is not a TOML table of classes: "),
    (HEADER + '[classes]\n"10" = "forest"\n"10" = "water"\n', "is not a TOML table of classes"),
    (HEADER + '[classes]\n"10" = "woodland"\n',
     "bad.toml: code 10 maps to 'woodland', not one of cropland, orchard, forest, grassland, built_up, water"),
    ('name = "ours"\nmatch = "exact"\nnodata = []\n[classes]\n"1" = "forest"\n',
     "bad.toml: missing title (a table of classes has name, title, match, nodata, classes)"),
    (HEADER + 'nodate = [255]\n[classes]\n"1" = "forest"\n', "unknown key nodate"),
    (HEADER + '[classes]\n"10" = "forest"\n"010" = "water"\n', "bad.toml: code 010 is mapped twice (as 10 too)"),
    (HEADER + '[classes]\n"0" = "forest"\n', "bad.toml: code 0 is both no-data and mapped"),
    (HEADER.replace('"exact"', '"fuzzy"') + '[classes]\n"1" = "forest"\n', "match is \"exact\" or \"prefix\""),
    (HEADER + '[classes]\n', "[classes] maps codes to classes and lists at least one"),
    (HEADER + '[classes]\n"" = "forest"\n', "classes: '' is not a code"),
    (b"\xff\xfe not utf-8", "bad.toml is not a TOML table of classes"),
])
def test_a_bad_table_is_refused_in_one_line(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(SchemeError) as refusal:
        load_scheme(path)
    assert words in str(refusal.value) and one_line(str(refusal.value)), str(refusal.value)


def test_an_unknown_scheme_is_refused_with_the_choices(tmp_path):
    with pytest.raises(SchemeError, match="^no class scheme corine: give one of gisplan, globeland30, "
                                          "sandiao, worldcover or a TOML file$"):
        load_scheme("corine")
    with pytest.raises(SchemeError, match="no class scheme"):
        load_scheme(tmp_path)  # a folder


def test_nodata_codes_match_exactly_in_a_prefix_table():
    # "99" is no data; "9901" is not (no-data codes are not prefixes), "01" maps "0101".
    table = ClassTable("t", "t", "prefix", (("01", CROPLAND),), ("99",))
    assert table.classify_codes(["99", "0101"]).tolist() == [0, CROPLAND]
    with pytest.raises(UnmappedCodes, match=r": 9901 \(1 parcel\);"):
        table.classify_codes(["9901"])
