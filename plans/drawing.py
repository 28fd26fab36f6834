"""A planner's drawing, checked before it may change a zone: refused with the reason in words,
never silently "made valid".
"""
import math

from django.contrib.gis.geos import LinearRing, MultiPolygon, Polygon
from django.utils.translation import gettext as _

from gisplan.api import Refusal
from layers.crs import LONLAT_SRIDS

# A drawing must have at least this share of its area inside the county: a shape that is mostly
# outside was drawn in the wrong place or in the wrong coordinates.
MIN_SHARE_INSIDE = 0.5


class DrawingError(Refusal):
    """A drawing that cannot be used; the message says why."""


def _rings(coordinates, geographic):
    """The rings of one polygon's coordinates, checked position by position."""
    if not isinstance(coordinates, list) or not coordinates:
        raise DrawingError(_("a polygon needs at least one ring of positions"))
    rings = []
    for ring in coordinates:
        if not isinstance(ring, list) or len(ring) < 4:
            raise DrawingError(_("a ring needs at least 4 positions (3 corners and the first again)"))
        for position in ring:
            if (not isinstance(position, list) or len(position) < 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in position[:2])):
                raise DrawingError(_("each position must be two numbers: %(position)s")
                                   % {"position": str(position)[:40]})
            x, y = position[:2]
            if not (math.isfinite(x) and math.isfinite(y)):
                raise DrawingError(_("coordinates must be finite numbers, not NaN or infinity"))
            if geographic and not (-180 <= x <= 180 and -90 <= y <= 90):
                raise DrawingError(_(
                    "coordinate (%(x)s, %(y)s) is not lon/lat in degrees; it looks like metres — "
                    "give the srid of the coordinates") % {"x": x, "y": y})
        if ring[0][:2] != ring[-1][:2]:
            raise DrawingError(_("a ring must end where it starts"))
        rings.append(LinearRing([tuple(p[:2]) for p in ring]))
    return Polygon(*rings)


def area_from_geojson(geometry, srid, county):
    """The area a drawing covers, in the storage CRS, from a GeoJSON (Multi)Polygon in `srid`
    (an EPSG code checked by layers.crs.drawing_srid).

    Raises DrawingError with the reason: not a polygon, a ring too short or not closed, NaN or
    infinite coordinates, metres given as degrees, an invalid shape (a bow-tie), or a shape
    mostly outside `county`.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise DrawingError(_("the drawing must be a GeoJSON Polygon or MultiPolygon"))
    geographic = srid in LONLAT_SRIDS
    coordinates = geometry.get("coordinates")
    if geometry["type"] == "Polygon":
        shape = _rings(coordinates, geographic)
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise DrawingError(_("a MultiPolygon needs at least one polygon"))
        shape = MultiPolygon([_rings(part, geographic) for part in coordinates])
    shape.srid = srid
    if not shape.valid:
        raise DrawingError(_("the drawing is not a valid polygon: %(reason)s")
                           % {"reason": shape.valid_reason})
    if srid != county.srid:
        shape.transform(county.srid)
    if shape.area <= 0:
        raise DrawingError(_("the drawing has no area"))
    inside = shape.intersection(county).area / shape.area
    if inside < MIN_SHARE_INSIDE:
        raise DrawingError(_(
            "only %(share).0f%% of the drawing is inside the county; was it drawn in the right "
            "place and in the right coordinates?") % {"share": 100 * inside})
    return shape


def area_from_villages(villages):
    """The area of the picked villages (their boundaries), in the storage CRS."""
    shapes = [v.boundary for v in villages if v.boundary is not None]
    if not shapes:
        raise DrawingError(_("pick at least one village with a boundary"))
    area = shapes[0]
    for shape in shapes[1:]:
        area = area.union(shape)
    return area
