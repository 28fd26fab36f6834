"""The partition arithmetic and the drawing checks on shapes small enough to add up by hand.

The county is the rectangle 0–4 km × 0–2 km (8 km²) in the storage CRS; West is its left half,
East its right half (4 km² each).
"""
import math

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon

from layers.crs import CRSRefused, drawing_srid
from layers.partition import PartitionError, Place, changed_areas, moves, problems, take
from plans.drawing import DrawingError, area_from_geojson

SRID = settings.STORAGE_SRID
pytestmark = pytest.mark.usefixtures("english")


def _srid(geometry):
    geometry.srid = SRID
    return geometry


def box(x0, y0, x1, y1):
    return _srid(Polygon.from_bbox((x0, y0, x1, y1)))



COUNTY = box(0, 0, 4000, 2000)
ZONES = {"W": box(0, 0, 2000, 2000), "E": box(2000, 0, 4000, 2000)}


def test_the_halves_are_a_partition():
    assert problems(ZONES, COUNTY) == []


def test_taking_moves_land_from_the_neighbour():
    # East takes the strip x 1–2 km: West keeps 1 × 2 = 2 km², East has 3 × 2 = 6 km².
    after = take(ZONES, "E", box(1000, 0, 2000, 2000), COUNTY)
    assert after["W"].area == pytest.approx(2e6)
    assert after["E"].area == pytest.approx(6e6)
    assert problems(after, COUNTY) == []


def test_what_lies_outside_the_county_is_not_kept():
    # The drawing reaches 1 km beyond the county's top edge: only the part inside counts.
    after = take(ZONES, "E", box(1000, 0, 2000, 3000), COUNTY)
    assert after["E"].area == pytest.approx(6e6)
    assert problems(after, COUNTY) == []


def test_taking_a_zones_last_land_is_refused():
    with pytest.raises(PartitionError, match="W"):
        take(ZONES, "E", box(0, 0, 2000, 2000), COUNTY)


def test_gaps_overlaps_and_land_outside_are_named():
    gap = {"W": box(0, 0, 1500, 2000), "E": box(2000, 0, 4000, 2000)}  # 0.5 × 2 = 1 km² gap
    assert problems(gap, COUNTY) == ["1.000 km² of the county is in no zone"]
    overlap = {"W": box(0, 0, 2500, 2000), "E": box(2000, 0, 4000, 2000)}  # 0.5 × 2 = 1 km²
    assert problems(overlap, COUNTY) == ["zones E and W overlap by 1.000 km²"]
    outside = {"W": box(-1000, 0, 2000, 2000), "E": box(2000, 0, 4000, 2000)}  # 1 × 2 = 2 km²
    assert problems(outside, COUNTY) == ["2.000 km² of the zones lies outside the county"]


def test_moves_count_the_villages_whose_committee_changes_zone():
    places = [Place("a", _srid(Point(1500, 1000)), 10, 30, 5),  # in the strip East takes
              Place("b", _srid(Point(500, 1000)), 20, 60, 7),   # stays in West
              Place("c", _srid(Point(3000, 1000)), 40, 90, 9)]  # stays in East
    after = take(ZONES, "E", box(1000, 0, 2000, 2000), COUNTY)
    [move] = moves(ZONES, after, places)
    assert (move.source, move.target, move.villages) == ("W", "E", ("a",))
    assert move.area_km2 == pytest.approx(2.0)  # the 1 × 2 km strip
    assert (move.households, move.population, move.poor_population) == (10, 30, 5)
    [(source, target, piece)] = changed_areas(ZONES, after)
    assert (source, target, piece.area) == ("W", "E", pytest.approx(2e6))


# ---- drawings ----

def square(x0, y0, size):
    return [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]


def test_a_drawing_in_the_storage_crs_is_taken_as_it_is():
    area = area_from_geojson({"type": "Polygon", "coordinates": square(1000, 500, 1000)}, SRID, COUNTY)
    assert area.area == pytest.approx(1e6)


@pytest.mark.parametrize("geometry, srid, reason", [
    ({"type": "Point", "coordinates": [1, 2]}, SRID, "Polygon or MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1000, 0], [0, 0]]]}, SRID, "at least 4 positions"),
    # The bow-tie: its edges (0,0)-(1000,1000) and (1000,0)-(0,1000) cross at (500, 500).
    ({"type": "Polygon", "coordinates": [[[0, 0], [1000, 1000], [1000, 0], [0, 1000], [0, 0]]]}, SRID,
     "Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1000, math.nan], [1000, 1000], [0, 0]]]}, SRID, "finite"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1000, 0], [1000, 1000], [0, 1000]]]}, SRID, "end where it starts"),
    ({"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1000, 1000], [0, 0]]]}, SRID, "two numbers"),
    # Metres sent as degrees: 1000 is no longitude.
    ({"type": "Polygon", "coordinates": square(1000, 500, 1000)}, 4326, "looks like metres"),
    # Three quarters of this 2 × 2 km square lie outside the county (x < 0 or y < 0).
    ({"type": "Polygon", "coordinates": square(-1000, -1000, 2000)}, SRID, "only 25% of the drawing"),
])
def test_bad_drawings_are_refused_with_the_reason(geometry, srid, reason):
    with pytest.raises(DrawingError, match=reason):
        area_from_geojson(geometry, srid, COUNTY)


@pytest.mark.parametrize("value, reason", [("abc", "EPSG code"),
                                           ("999999", "not a known coordinate system"),
                                           ("4214", "neither lon/lat")])
def test_bad_srids_are_refused(value, reason):
    with pytest.raises(CRSRefused, match=reason):
        drawing_srid(value)


def test_good_srids_are_taken():
    assert drawing_srid(None) == 4326
    assert drawing_srid("4490") == 4490
    assert drawing_srid(str(SRID)) == SRID
    assert drawing_srid("4547") == 4547  # CGCS2000 / 3-degree Gauss-Kruger CM 114E, in metres
