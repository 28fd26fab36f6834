"""A collection's features, as the OGC API answers them: chosen in the database (region,
bbox, filters, quarters), a page of them written as GeoJSON in the CRS asked for. PostGIS
transforms and writes each geometry (ST_AsGeoJSON); Python writes the properties and joins the
strings, as the layer API does (layers.geojson)."""
import json

from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsGeoJSON, GeomOutputGeoFunc, Transform
from django.contrib.gis.geos import Polygon
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Max, Min

from django.utils.translation import gettext as _

from gisplan.api import Refusal
from layers.api import labelled
from layers.crs import LONLAT_SRIDS
from layers.geojson import PROPERTIES
from layers.models import County

PRECISION_DEGREES = 8  # about a millimetre
PRECISION_METRES = 3


class FlipCoordinates(GeomOutputGeoFunc):
    function = "ST_FlipCoordinates"


def region_extent(region):
    """(west, south, east, north) in degrees of the counties of `region`; None if none."""
    return County.objects.in_region(region).aggregate(extent=Extent("web_boundary"))["extent"]


def select(collection, query, region):
    """The rows of `collection` in `region` that `query` (ogc.parameters.ItemsQuery) asks for,
    in a fixed order (for paging), with their id as `_key`."""
    rows = collection.layer.queryset(region).annotate(_key=collection.key)
    if query.bbox is not None:
        box = _within_reach(query.bbox, region)
        if box is None:
            return rows.none()
        rows = rows.filter(**{f"{collection.stored_geometry}__intersects": box})
    if query.filters:
        try:
            rows = rows.filter(**query.filters)
        except (ValueError, ValidationError):  # a number's filter given a word
            raise Refusal(_("a filter's value does not fit its property (a year or a quarter "
                            "is a number)")) from None
    if query.quarters is not None:
        first, last = query.quarters
        rows = rows.annotate(_quarter=quarter_expression()).filter(
            _quarter__gte=first, _quarter__lte=last)
    return rows.order_by("pk")


def _within_reach(box, region):
    """A lon/lat box cut to the region's counties with a degree around them: a box far larger
    than the county cannot be projected into the storage CRS faithfully."""
    if box.srid not in LONLAT_SRIDS:
        return box
    extent = region_extent(region)
    if extent is None:
        return None
    west, south, east, north = extent
    cut = box.intersection(Polygon.from_bbox((west - 1, south - 1, east + 1, north + 1)))
    if cut.empty:
        return None
    cut.srid = box.srid
    return cut


def geometry_sql(collection, crs):
    field = collection.stored_geometry
    geometry = Transform(field, crs.srid)
    if crs.swapped:
        geometry = FlipCoordinates(geometry)
    return AsGeoJSON(geometry, precision=PRECISION_DEGREES if crs.degrees else PRECISION_METRES)


def features(collection, rows, crs):
    """The features of `rows` (sliced already) as GeoJSON Feature strings."""
    layer = collection.layer
    names = ("_key", "_geojson", *layer.properties)
    values = [dict(zip(names, row)) for row in rows.annotate(
        _geojson=geometry_sql(collection, crs)).values_list("_key", "_geojson", *layer.properties.values())]
    out = []
    for row in labelled(layer, values):
        key, geometry = row.pop("_key"), row.pop("_geojson")
        out.append(f'{{"type":"Feature","id":{json.dumps(key, ensure_ascii=False)},'
                   f'"geometry":{geometry or "null"},"properties":{PROPERTIES.encode(row)}}}')
    return out


def feature_collection(strings, **members):
    """A FeatureCollection of Feature strings, with the other `members` (links, counts)."""
    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False)[:-1]
    return head + ',"features":[' + ",".join(strings) + "]}"



def quarter_expression():
    return F("year") * 4 + F("quarter") - 1


def quarters_held(collection, region):
    """The first and the end of the quarters `collection` holds in `region` (RFC 3339), or
    (None, None)."""
    held = collection.layer.queryset(region).annotate(_quarter=quarter_expression()).aggregate(
        first=Min("_quarter"), last=Max("_quarter"))
    if held["first"] is None:
        return None, None
    (y0, q0), (y1, q1) = divmod(held["first"], 4), divmod(held["last"] + 1, 4)
    return f"{y0:04d}-{q0 * 3 + 1:02d}-01T00:00:00Z", f"{y1:04d}-{q1 * 3 + 1:02d}-01T00:00:00Z"


def columns(collection):
    """(property, title) of each column of the HTML table: a choice by its label, a related
    row's field by the relation's name (a village's town: "town")."""
    layer = collection.layer
    return [(f"{name}_label" if name in layer.labels else name, _title(layer.model, lookup, name))
            for name, lookup in layer.properties.items()]


def _title(model, lookup, name):
    parts = lookup.split("__")
    try:
        for part in parts[:-2]:
            model = model._meta.get_field(part).related_model
        return str(model._meta.get_field(parts[-2] if len(parts) > 1 else parts[0]).verbose_name)
    except FieldDoesNotExist:  # a computed property (a village's label)
        return name
