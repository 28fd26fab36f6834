"""The OpenAPI 3 description of the whole API: layers, file import and export, the zone plan and
the analyses."""
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from access.openapi import analysis_paths
from assessment.openapi import assessment_paths
from jobs.openapi import jobs_paths
from plans.openapi import plan_paths
from siting.openapi import siting_paths

from .api import LAYERS
from .datasets import DATASETS
from .exporting import CONTENT_TYPES, FORMATS

ERROR = {"description": "", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}}}}


def layer_operation(name, layer):
    parameters = [
        {"name": "bbox", "in": "query", "required": False, "schema": {"type": "string"},
         "example": "110.0,34.0,110.3,34.2",
         "description": _("west,south,east,north in degrees (EPSG:4326)")},
    ] + [{"name": parameter, "in": "query", "required": False, "schema": {"type": "string"}}
         for parameter in layer.filters]
    if layer.search:
        parameters.append({"name": "q", "in": "query", "required": False,
                           "schema": {"type": "string"},
                           "description": _("search by name (villages also by code)")})
    return {"get": {
        "operationId": f"layer_{name}", "tags": ["layers"],
        "summary": str(layer.model._meta.verbose_name_plural),
        "parameters": parameters,
        "responses": {
            "200": {"description": _("GeoJSON FeatureCollection (RFC 7946, lon/lat)"),
                    "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}},
            "400": {**ERROR, "description": _("a bad parameter, with the reason")},
            "401": {**ERROR, "description": _("not signed in")},
            "403": {**ERROR, "description": _("the role may not view this layer")},
        },
    }}


def import_operation(kind):
    fields = {"file": {"type": "string", "format": "binary",
                       "description": _("GeoJSON, GeoPackage, zipped shapefile, CSV or XLSX")},
              "encoding": {"type": "string", "description": _("text encoding, e.g. gbk")},
              "srid": {"type": "integer", "description": _("EPSG code of the file's coordinates")},
              "layer": {"type": "string", "description": _("GeoPackage layer or XLSX sheet")},
              "replace": {"type": "boolean"}, "dry_run": {"type": "boolean"}}
    return {"post": {
        "operationId": f"import_{kind}", "tags": ["files"],
        "summary": _("Import %(layer)s from a file, all or nothing")
        % {"layer": DATASETS[kind].model._meta.verbose_name_plural},
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": fields}}}},
        "responses": {
            "200": {"description": _("what was (or, in a dry run, would be) created, updated and deleted"),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}}},
            "400": {**ERROR, "description": _("a bad file: the first bad feature and the reason")},
            "401": {**ERROR, "description": _("not signed in")},
            "403": {**ERROR, "description": _("the role may not edit this layer")},
        },
    }}


def _file_schema(content_type):
    """A GeoJSON export is a FeatureCollection (clients parse it as JSON); the others are bytes."""
    if content_type.endswith("json"):
        return {"$ref": "#/components/schemas/FeatureCollection"}
    return {"type": "string", "format": "binary"}


def export_operation(kind):
    return {"get": {
        "operationId": f"export_{kind}", "tags": ["files"],
        "summary": _("Download %(layer)s as a file") % {"layer": DATASETS[kind].model._meta.verbose_name_plural},
        "parameters": [
            {"name": "format", "in": "path", "required": True,
             "schema": {"enum": [f[1:] for f in FORMATS]}},
            {"name": "srid", "in": "query", "required": False, "schema": {"type": "integer"},
             "description": _("EPSG code of the output; GeoJSON is always 4326")}],
        "responses": {
            "200": {"description": _("the file"),
                    "content": {t.split(";")[0]: {"schema": _file_schema(t)}
                                for t in CONTENT_TYPES.values()}},
            "400": {**ERROR, "description": _("a bad format or EPSG code, with the reason")},
            "401": {**ERROR, "description": _("not signed in")},
            "403": {**ERROR, "description": _("the role may not view this layer")},
        },
    }}


def schema():
    return {
        "openapi": "3.0.3",
        "info": {"title": "gisplan API", "version": "1"},
        "paths": {
            **{f"/api/layers/{name}/": layer_operation(name, layer) for name, layer in LAYERS.items()},
            **{f"/api/import/{kind}/": import_operation(kind) for kind in DATASETS},
            **{f"/api/export/{kind}.{{format}}": export_operation(kind) for kind in DATASETS},
            **plan_paths(),
            **analysis_paths(),
            **siting_paths(),
            **assessment_paths(),
            **jobs_paths(),
        },
        "components": {
            "schemas": {"FeatureCollection": {"type": "object", "required": ["type", "features"],
                                              "properties": {"type": {"enum": ["FeatureCollection"]},
                                                             "features": {"type": "array", "items": {"type": "object"}}}},
                        "ImportReport": {"type": "object", "properties": {
                            "kind": {"type": "string"}, "read": {"type": "integer"},
                            "created": {"type": "integer"}, "updated": {"type": "integer"},
                            "deleted": {"type": "integer"}, "dry_run": {"type": "boolean"},
                            "encoding": {"type": "string", "nullable": True},
                            "source_srid": {"type": "integer", "nullable": True},
                            "plan": {"type": "string"}, "summary": {"type": "string"}}}},
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
        },
        "security": [{"session": []}],
    }


@login_not_required  # the description of the API is no secret
@require_GET
def openapi_schema(request):
    return JsonResponse(schema(), json_dumps_params={"ensure_ascii": False})
