"""The OpenAPI description of the siting endpoints (siting/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import query
from layers.models import Industry, Zone

from .runs import DEFAULT_TOP, MAX_TOP


def _choice():
    return [
        query("industry", {"enum": Industry.Kind.values}, _("the industry type"), required=True),
        query("zone", {"type": "string", "pattern": Zone.CODE_PATTERN, "example": "E"},
              _("score only this zone of the plan in force")),
    ]


def _errors():
    return openapi.errors(_("bad options, with the reason"), _("the role may not run analyses"))


def paths():
    suitability = {"get": {
        "operationId": "analysis_suitability", "tags": ["analysis"],
        "summary": _("Where an industry fits: the suitability surface, candidate sites with their "
                     "score broken down by criterion, zone conflicts and the ranking's sensitivity"),
        "parameters": _choice() + [
            query("top", {"type": "integer", "minimum": 1, "maximum": MAX_TOP,
                          "default": DEFAULT_TOP}, _("candidate sites to describe")),
            query("format", {"enum": ["json", "geojson", "tif"], "default": "json"},
                  _("geojson: the sites (lon/lat); tif: the surface as a cloud-optimised GeoTIFF")),
        ],
        "responses": {"200": {"description": _("figures per zone, village and constraint, the sites "
                                                "(GeoJSON), existing projects and their conflicts, "
                                                "sensitivity; or the file"),
                              "content": openapi.files(".geojson", ".tif", json_too=True)},
                      **_errors()},
    }}
    surface = {"get": {
        "operationId": "analysis_suitability_surface", "tags": ["analysis"],
        "summary": _("The suitability surface as a web-mercator PNG; its bounds (south, west, "
                     "north, east) in the X-Bounds header"),
        "parameters": _choice(),
        "responses": {"200": {"description": _("the image"), "content": openapi.files(".png")},
                      **_errors()},
    }}
    save = {"post": {
        "operationId": "analysis_suitability_save_site", "tags": ["analysis"],
        "summary": _("Save a candidate site as a proposed industry (planners)"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["industry", "site", "name"], "properties": {
                "industry": {"enum": Industry.Kind.values}, "zone": {"type": "string", "pattern": Zone.CODE_PATTERN},
                "site": {"type": "string", "description": _("the candidate's id, e.g. r120c455")},
                "name": {"type": "string", "maxLength": 100}}}}}},
        "responses": {"201": openapi.json(_("the new industry")),
                      **openapi.errors(_("bad options or body, with the reason"),
                                       _("only planners place industries"),
                                       **{"409": _("the candidate is no longer among the sites; "
                                                   "run again")})},
    }}
    return {"/api/analysis/suitability/": suitability,
            "/api/analysis/suitability/surface.png": surface,
            "/api/analysis/suitability/sites/": save}
