"""The OpenAPI 3 description of the layer endpoints, made from the LAYERS declaration."""
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .api import LAYERS

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


def schema():
    return {
        "openapi": "3.0.3",
        "info": {"title": "gisplan API", "version": "1"},
        "paths": {f"/api/layers/{name}/": layer_operation(name, layer)
                  for name, layer in LAYERS.items()},
        "components": {
            "schemas": {"FeatureCollection": {"type": "object", "required": ["type", "features"],
                                              "properties": {"type": {"enum": ["FeatureCollection"]},
                                                             "features": {"type": "array", "items": {"type": "object"}}}}},
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}},
        },
        "security": [{"session": []}],
    }


@login_not_required  # the description of the API is no secret
@require_GET
def openapi_schema(request):
    return JsonResponse(schema(), json_dumps_params={"ensure_ascii": False})
