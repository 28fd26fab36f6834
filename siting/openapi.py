"""The OpenAPI 3 description of the siting endpoints (siting/api.py), merged into /api/schema/."""
from django.utils.translation import gettext as _

from access.openapi import _error, _query, _refusals
from layers.models import Industry, Zone

from .runs import DEFAULT_TOP, MAX_TOP


def _choice():
    return [
        _query("industry", {"enum": Industry.Kind.values}, _("the industry type"), required=True),
        _query("zone", {"enum": Zone.Code.values}, _("score only this zone of the plan in force")),
    ]


def siting_paths():
    suitability = {"get": {
        "operationId": "analysis_suitability", "tags": ["analysis"],
        "summary": _("Where an industry fits: the suitability surface, candidate sites with their "
                     "score broken down by criterion, zone conflicts and the ranking's sensitivity"),
        "parameters": _choice() + [
            _query("top", {"type": "integer", "minimum": 1, "maximum": MAX_TOP,
                           "default": DEFAULT_TOP}, _("candidate sites to describe")),
            _query("format", {"enum": ["json", "geojson", "tif"], "default": "json"},
                   _("geojson: the sites (lon/lat); tif: the surface as a cloud-optimised GeoTIFF")),
        ],
        "responses": {"200": {"description": _("figures per zone, village and constraint, the sites "
                                                "(GeoJSON), existing projects and their conflicts, "
                                                "sensitivity; or the file"),
                              "content": {"application/json": {"schema": {"type": "object"}},
                                          "application/geo+json": {"schema": {"type": "object"}},
                                          "image/tiff": {"schema": {"type": "string",
                                                                    "format": "binary"}}}},
                      **_refusals()},
    }}
    surface = {"get": {
        "operationId": "analysis_suitability_surface", "tags": ["analysis"],
        "summary": _("The suitability surface as a web-mercator PNG; its bounds (south, west, "
                     "north, east) in the X-Bounds header"),
        "parameters": _choice(),
        "responses": {"200": {"description": _("the image"), "content": {"image/png": {
            "schema": {"type": "string", "format": "binary"}}}}, **_refusals()},
    }}
    save = {"post": {
        "operationId": "analysis_suitability_save_site", "tags": ["analysis"],
        "summary": _("Save a candidate site as a proposed industry (planners)"),
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["industry", "site", "name"], "properties": {
                "industry": {"enum": Industry.Kind.values}, "zone": {"enum": Zone.Code.values},
                "site": {"type": "string", "description": _("the candidate's id, e.g. r120c455")},
                "name": {"type": "string", "maxLength": 100}}}}}},
        "responses": {"201": {"description": _("the new industry"), "content": {
            "application/json": {"schema": {"type": "object"}}}},
            "400": _error(_("bad options or body, with the reason")),
            "401": _error(_("not signed in")), "403": _error(_("only planners place industries")),
            "409": _error(_("the candidate is no longer among the sites; run again"))},
    }}
    return {"/api/analysis/suitability/": suitability,
            "/api/analysis/suitability/surface.png": surface,
            "/api/analysis/suitability/sites/": save}
