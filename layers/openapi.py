"""The OpenAPI description of the layer endpoints and the file import and export (layers/api.py,
layers/files_api.py), part of /api/schema/ (gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import multipart, path_parameter, query

from .api import LAYERS
from .datasets import DATASETS
from .exporting import FORMATS
from .rasters import KINDS
from .tiles import MVT

SCHEMAS = {"ImportReport": {"type": "object", "properties": {
    "kind": {"type": "string"}, "read": {"type": "integer"},
    "created": {"type": "integer"}, "updated": {"type": "integer"},
    "deleted": {"type": "integer"}, "dry_run": {"type": "boolean"},
    "encoding": {"type": "string", "nullable": True},
    "source_srid": {"type": "integer", "nullable": True},
    "plan": {"type": "string"}, "summary": {"type": "string"}}}}


def import_fields():
    """The form fields of an import, here and in the background jobs' import."""
    return {"file": {"type": "string", "format": "binary",
                     "description": _("GeoJSON, GeoPackage, zipped shapefile, CSV or XLSX")},
            "encoding": {"type": "string", "description": _("text encoding, e.g. gbk")},
            "srid": {"type": "integer", "description": _("EPSG code of the file's coordinates")},
            "layer": {"type": "string", "description": _("GeoPackage layer or XLSX sheet")},
            "replace": {"type": "boolean"}, "dry_run": {"type": "boolean"}}


def layer_operation(name, layer):
    parameters = [
        {**query("bbox", {"type": "string"}, _("west,south,east,north in degrees (EPSG:4326)")),
         "example": "110.0,34.0,110.3,34.2"},
        *(query(parameter, {"type": "string"}) for parameter in layer.filters)]
    if layer.search:
        parameters.append(query("q", {"type": "string"},
                                _("search by name (villages also by code)")))
    return {"get": {
        "operationId": f"layer_{name}", "tags": ["layers"],
        "summary": str(layer.model._meta.verbose_name_plural),
        "parameters": parameters,
        "responses": {
            "200": {"description": _("GeoJSON FeatureCollection (RFC 7946, lon/lat)"),
                    "content": openapi.files(".geojson")},
            **openapi.errors(_("a bad parameter, with the reason"),
                             _("the role may not view this layer")),
        },
    }}


def import_operation(kind):
    return {"post": {
        "operationId": f"import_{kind}", "tags": ["files"],
        "summary": _("Import %(layer)s from a file, all or nothing")
        % {"layer": DATASETS[kind].model._meta.verbose_name_plural},
        "requestBody": multipart(import_fields()),
        "responses": {
            "200": openapi.json(_("what was (or, in a dry run, would be) created, updated and "
                                  "deleted"), {"$ref": "#/components/schemas/ImportReport"}),
            **openapi.errors(_("a bad file: the first bad feature and the reason"),
                             _("the role may not edit this layer")),
        },
    }}


def raster_value_operation():
    return {"get": {
        "operationId": "raster_value", "tags": ["layers"],
        "summary": _("The value of the county's current DEM (metres) or land use (its class) at "
                     "a place"),
        "parameters": [path_parameter("kind", {"enum": list(KINDS)}),
                       query("lon", {"type": "number", "minimum": -180, "maximum": 180},
                             _("degrees east (EPSG:4326)"), required=True),
                       query("lat", {"type": "number", "minimum": -90, "maximum": 90},
                             _("degrees north (EPSG:4326)"), required=True)],
        "responses": {
            "200": openapi.json(_("the value (null outside the raster or where it has no data), "
                                  "its unit or class, the raster, its native cell size and attribution"),
                                {"type": "object", "properties": {
                                    "kind": {"type": "string"}, "lon": {"type": "number"},
                                    "lat": {"type": "number"},
                                    "value": {"type": "number", "nullable": True},
                                    "label": {"type": "string"}, "unit": {"type": "string"},
                                    "layer": {"type": "string"},
                                    "native_resolution": {"type": "number", "nullable": True},
                                    "attribution": {"type": "string"}}}),
            **openapi.errors(_("a missing or bad lon or lat"), _("the role may not view the map"),
                             **{"404": _("no such raster, or the county has none yet")}),
        },
    }}


def export_operation(kind):
    return {"get": {
        "operationId": f"export_{kind}", "tags": ["files"],
        "summary": _("Download %(layer)s as a file")
        % {"layer": DATASETS[kind].model._meta.verbose_name_plural},
        "parameters": [
            path_parameter("format", {"enum": [f[1:] for f in FORMATS]}),
            query("srid", {"type": "integer"}, _("EPSG code of the output; GeoJSON is always 4326"))],
        "responses": {
            "200": {"description": _("the file"), "content": openapi.files(*FORMATS)},
            **openapi.errors(_("a bad format or EPSG code, with the reason"),
                             _("the role may not view this layer")),
        },
    }}


def tile_operations():
    name = path_parameter("name", {"enum": list(LAYERS)})
    refused = openapi.errors(_("no such tile: a zoom outside 0..20, or a column or row outside "
                               "the zoom's"), _("the role may not view this layer"),
                             **{"404": _("no such layer")})
    return {
        "/tiles/{name}/{z}/{x}/{y}.pbf": {"get": {
            "operationId": "tile", "tags": ["layers"],
            "summary": _("A vector tile of a layer (Mapbox Vector Tile, web mercator), with an ETag"),
            "parameters": [name, *(path_parameter(axis, {"type": "integer", "minimum": 0})
                                   for axis in ("z", "x", "y"))],
            "responses": {"200": {"description": _("the tile (empty where the layer has no rows)"),
                                  "content": {MVT: {"schema": {"type": "string", "format": "binary"}}}},
                          "304": {"description": _("the caller's copy (If-None-Match) is current")},
                          **refused}}},
        "/tiles/{name}.json": {"get": {
            "operationId": "tilejson", "tags": ["layers"],
            "summary": _("The TileJSON of a layer's vector tiles: their address, bounds and fields"),
            "parameters": [name],
            "responses": {"200": openapi.json(_("TileJSON 3.0.0")),
                          "401": openapi.error_response(_("not signed in")),
                          "403": openapi.error_response(_("the role may not view this layer")),
                          "404": openapi.error_response(_("no such layer"))}}},
    }


def paths():
    return {
        **tile_operations(),
        **{f"/api/layers/{name}/": layer_operation(name, layer) for name, layer in LAYERS.items()},
        **{f"/api/import/{kind}/": import_operation(kind) for kind in DATASETS},
        **{f"/api/export/{kind}.{{format}}": export_operation(kind) for kind in DATASETS},
        "/api/rasters/{kind}/value/": raster_value_operation(),
    }
