"""GeoJSON FeatureCollections (RFC 7946, lon/lat) straight from querysets.

PostGIS writes each geometry (ST_AsGeoJSON); Python only writes the properties and joins the
strings, so that a layer costs little more than the one SQL query that could produce it.
"""
import json

from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.core.serializers.json import DjangoJSONEncoder

PRECISION = 6  # decimal degrees: about 0.1 m

_properties = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=DjangoJSONEncoder().default)


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
                        f'"properties":{_properties.encode(row)}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
