"""GeoJSON (RFC 7946, lon/lat) as every endpoint writes it.

Layers come straight from querysets (`geometry_sql`, `feature_collection`): PostGIS writes each
geometry (ST_AsGeoJSON), Python only writes the properties and joins the strings, so that a layer
costs little more than the one SQL query that could produce it. Analysis results, built in
Python, are written with `collection`, `feature` and `lonlat`.
"""
import json

import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import GEOSGeometry
from django.core.serializers.json import DjangoJSONEncoder

from .crs import to_lonlat, transform_xy

PRECISION = 6  # decimal degrees: about 0.1 m

PROPERTIES = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=DjangoJSONEncoder().default)


def geometry_sql(field, srid):
    """The expression for `field` as GeoJSON in lon/lat (stored `srid`)."""
    geometry = field if srid == 4326 else Transform(field, 4326)
    return AsGeoJSON(geometry, precision=PRECISION)


def feature_collection(rows, extra=()):
    """Join rows (dicts with 'id', '_geojson' and properties) into a FeatureCollection string.

    `extra`, if given, is one dict of additional properties per row.
    """
    features = []
    extra = iter(extra)
    for row in rows:
        geometry = row.pop("_geojson")
        feature_id = row.pop("id")
        row.update(next(extra, {}))
        features.append(f'{{"type":"Feature","id":{feature_id},"geometry":{geometry or "null"},'
                        f'"properties":{PROPERTIES.encode(row)}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def lonlat(geometry, srid=None):
    """A GEOS geometry (in its own SRID), or a shapely one in EPSG `srid` (default: the storage
    CRS), as a GeoJSON geometry dict in lon/lat; None stays None."""
    if geometry is None:
        return None
    if isinstance(geometry, GEOSGeometry):
        return json.loads(geometry.transform(4326, clone=True).json)
    return shapely.geometry.mapping(to_lonlat(geometry, srid))


def feature(geometry, properties, id=None):
    """A Feature of a GeoJSON geometry dict (see `lonlat`) and its properties."""
    found = {"type": "Feature", "geometry": geometry, "properties": properties}
    if id is not None:
        found["id"] = id
    return found


def collection(features):
    return {"type": "FeatureCollection", "features": list(features)}


def points(rows, xy, srid=None):
    """Rows (dicts) as point features at `xy` ((n, 2) in EPSG `srid`, default the storage CRS),
    rounded to PRECISION; with `xy` None, features without geometry."""
    if xy is None:
        return collection(feature(None, row) for row in rows)
    lon, lat = transform_xy(xy, srid or settings.STORAGE_SRID, 4326).T
    return collection(feature({"type": "Point", "coordinates": [round(float(x), PRECISION),
                                                                round(float(y), PRECISION)]}, row)
                      for row, x, y in zip(rows, lon, lat))
