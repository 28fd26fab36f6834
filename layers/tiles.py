"""Vector tiles of the layers: /tiles/<layer>/{z}/{x}/{y}.pbf (Mapbox Vector Tile) and a TileJSON
per layer at /tiles/<layer>.json.

A tile holds the rows of a layer of the layer API (layers/api.py LAYERS, the same querysets and
properties) whose geometry meets the tile (roads by class, from the zoom ROADS_FROM_ZOOM says;
villages as their committees' points below the zoom POINTS_BELOW_ZOOM says),
clipped to it with a 64-unit buffer on the 4096 grid and simplified to a unit of that grid,
built by PostGIS (ST_AsMVTGeom, ST_AsMVT). What is computed in Python for the GeoJSON layers (a
village's failed exit criteria) is left to the GeoJSON endpoint that popups ask; a village's
poverty incidence is computed in SQL here.
"""
import math

from django.contrib.gis.db.models import Extent, GeometryField
from django.contrib.gis.db.models.functions import Transform
from django.db import connection
from django.db.models import BinaryField, Case, F, FloatField, Func, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from gisplan.api import Refusal

from .api import LAYERS

MVT = "application/vnd.mapbox-vector-tile"
EXTENT = 4096  # units a side of a tile
BUFFER = 64  # units around a tile kept, so that lines and outlines meet across tiles
MIN_ZOOM, MAX_ZOOM = 0, 20
WEB_MERCATOR = 3857
HALF_WORLD = 20037508.342789244  # metres from the web-mercator origin to the edge of the world
FORMAT = 3  # what a tile holds: add 1 when the properties or the generalisation change
# The zoom from which a road class is drawn: a province (zoom 6) shows its national and
# provincial roads, a county (8) its county roads too, a town (10) its township roads, a
# village's surroundings (11) every road. At zoom 6 every road of Shaanxi made a 3 MB tile.
ROADS_FROM_ZOOM = {"national": 0, "provincial": 0, "county": 8, "township": 10, "village": 11}


def incidence():
    """A village's poverty incidence, in SQL."""
    return Case(When(population__gt=0, then=Cast("poor_population", FloatField()) / F("population")),
                default=None, output_field=FloatField())


def rounded(expression, digits):
    """`expression` (a float) rounded in SQL: few distinct values, which a tile stores once."""
    return Func(expression, template=f"round((%(expressions)s)::numeric, {digits})::float",
                output_field=FloatField())


# Properties a tile computes in SQL where the GeoJSON layer computes them in Python.
SQL_PROPERTIES = {"villages": {"incidence": incidence}}
# Below a zoom a layer's polygons are drawn as points with only what a map colours them by:
# layer -> (point field, zoom, {property: its field, or what makes its expression}); the features keep
# their ids. A village is a pixel or two there: with polygons and every property, Shaanxi's
# 20,356 villages made a 1.7 MB tile at zoom 6, with points 1.5 MB, without their codes and
# with the incidence to 0.1% some 300 kB.
POINTS_BELOW_ZOOM = {"villages": ("location", 9, {"incidence": lambda: rounded(incidence(), 3),
                                                  "exit_status": "exit_status"})}


class TileRefused(Refusal):
    """A tile address that does not exist; the message says why."""


def tile_bounds(z, x, y):
    """The tile's (west, south, east, north) in web-mercator metres; refused unless it exists."""
    if not MIN_ZOOM <= z <= MAX_ZOOM:
        raise TileRefused(_("zoom must lie within %(min)d..%(max)d") % {"min": MIN_ZOOM, "max": MAX_ZOOM})
    if not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise TileRefused(_("zoom %(z)d has tiles 0..%(last)d across and down")
                          % {"z": z, "last": 2 ** z - 1})
    size = 2 * HALF_WORLD / 2 ** z
    west, north = -HALF_WORLD + x * size, HALF_WORLD - y * size
    return west, north - size, west + size, north


def properties(name):
    """A layer's tile properties: name -> the lookup or expression giving it."""
    layer = LAYERS[name]
    return {**layer.properties, **{key: expression() for key, expression
                                   in SQL_PROPERTIES.get(name, {}).items()}}


def tile(name, z, x, y, region=""):
    """The Mapbox Vector Tile (bytes; empty when no row meets it) of layer `name` at z/x/y,
    with the rows of `region` (a province, city or county code; "": every county)."""
    layer = LAYERS[name]
    west, _, east, _ = tile_bounds(z, x, y)
    geometry, columns = layer.geometry, properties(name)
    if name in POINTS_BELOW_ZOOM and z < POINTS_BELOW_ZOOM[name][1]:
        geometry, _, kept = POINTS_BELOW_ZOOM[name]
        columns = {key: value() if callable(value) else value for key, value in kept.items()}
    field = layer.model._meta.get_field(geometry)
    # The rows are found by the geometry's own index: the tile, with its buffer, in its CRS
    # (transformed in SQL: GDAL in Python builds a new PROJ transformation on every call, some
    # 30 ms to a Gauss-Krüger zone).
    area = Transform(_envelope(z, x, y, margin=BUFFER / EXTENT), field.srid)
    shape = Transform(geometry, WEB_MERCATOR)
    if field.geom_type not in ("POINT", "MULTIPOINT"):
        # To a unit of the tile's grid, keeping collapsed rings (ST_AsMVTGeom makes the polygons
        # valid): the size of ST_SimplifyPreserveTopology's tiles at a third of its time.
        shape = Func(shape, Value((east - west) / EXTENT), Value(True), function="ST_Simplify",
                     output_field=GeometryField(srid=WEB_MERCATOR))
    rows = layer.queryset(region)
    if name == "roads":
        rows = rows.filter(road_class__in=road_classes(z))
    rows = (rows.filter(**{f"{geometry}__intersects": area})
            .annotate(**{f"_{n}": value for n, value in columns.items() if not isinstance(value, str)},
                      # Not a GeometryField: Django would select it as EWKB, not as a geometry.
                      _tile=Func(shape, _envelope(z, x, y), Value(EXTENT), Value(BUFFER), Value(True),
                                 function="ST_AsMVTGeom", output_field=BinaryField()))
            .order_by("pk")
            .values_list("pk", *(value if isinstance(value, str) else f"_{n}"
                                 for n, value in columns.items()), "_tile"))
    inner, params = rows.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(n) for n in ("id", *columns, "geom"))
    # Raw SQL: ST_AsMVT aggregates whole rows, which the ORM cannot express; the column list
    # of the alias names the rows' columns as the tile's properties.
    sql = (f"SELECT ST_AsMVT(t, %s, {EXTENT}, 'geom', 'id') FROM ({inner}) AS t({names}) "
           "WHERE t.geom IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql, [name, *params])
        data = cursor.fetchone()[0]
    return bytes(data or b"")


def road_classes(z):
    """The road classes a tile of zoom `z` holds."""
    return [road_class for road_class, first in ROADS_FROM_ZOOM.items() if z >= first]


def _envelope(z, x, y, margin=0.0):
    """ST_TileEnvelope of tile z/x/y, grown by `margin` of its side each way."""
    return Func(Value(z), Value(x), Value(y), function="ST_TileEnvelope",
                template=f"%(function)s(%(expressions)s, margin => {float(margin)!r})",
                output_field=GeometryField(srid=WEB_MERCATOR))


def etag(version, region=""):
    """The ETag of every tile of a region in a version of the layers' data (and of this tile
    format)."""
    return f'"{FORMAT}.{version}{"." + region if region else ""}"'


def tilejson(name, tiles_url, region=""):
    """The TileJSON 3.0 of layer `name` in `region`, its tiles at `tiles_url` ({z}/{x}/{y} in it)."""
    layer = LAYERS[name]
    extent = layer.queryset(region).aggregate(extent=Extent(Transform(layer.geometry, 4326)))["extent"]
    west, south, east, north = extent or (-180.0, -85.0511, 180.0, 85.0511)
    kinds = {"POINT": "Point", "MULTIPOINT": "Point", "LINESTRING": "LineString",
             "MULTILINESTRING": "LineString"}
    return {
        "tilejson": "3.0.0", "name": name, "scheme": "xyz", "tiles": [tiles_url],
        "minzoom": MIN_ZOOM, "maxzoom": MAX_ZOOM, "bounds": [west, south, east, north],
        "center": [(west + east) / 2, (south + north) / 2, _zoom_to_fit(east - west)],
        "vector_layers": [{
            "id": name, "fields": {n: "" for n in properties(name)},
            "geometry_type": kinds.get(layer.model._meta.get_field(layer.geometry).geom_type,
                                       "Polygon")}],
    }


def _zoom_to_fit(degrees):
    return max(MIN_ZOOM, min(MAX_ZOOM, math.floor(math.log2(360 / max(degrees, 1e-6)))))
