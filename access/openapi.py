"""The OpenAPI 3 description of the analysis endpoints (access/api.py), merged into /api/schema/."""
from django.utils.translation import gettext as _

from layers.models import ServiceCenter

from .api import CONTENT_TYPES
from .runs import (DEFAULT_METRES, DEFAULT_MINUTES, DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, MODELS,
                   MODES)


def _error(description):
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}}}}


def _query(name, schema, description, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _reach():
    return [
        _query("service", {"enum": ServiceCenter.Kind.values}, _("the kind of center"), required=True),
        _query("mode", {"enum": list(MODES), "default": "network"},
               _("network: travel minutes by road (default, unless max_distance is given); euclidean: metres")),
        _query("max_minutes", {"type": "number", "minimum": 0, "default": DEFAULT_MINUTES},
               _("threshold in network mode")),
        _query("max_distance", {"type": "number", "minimum": 0, "default": DEFAULT_METRES},
               _("threshold in euclidean mode, metres")),
    ]


def _json_or_file(geojson=True):
    """A 200's content: JSON, or the file that ?format= asks for (a GeoJSON file is JSON too)."""
    content = {"application/json": {"schema": {"type": "object"}}}
    for suffix, content_type in CONTENT_TYPES.items():
        if suffix == ".geojson":
            if geojson:
                content[content_type] = {"schema": {"type": "object"}}
        else:
            content[content_type.split(";")[0]] = {"schema": {"type": "string", "format": "binary"}}
    return content


def _refusals():
    return {"400": _error(_("bad options, with the reason")), "401": _error(_("not signed in")),
            "403": _error(_("the role may not run analyses"))}


def analysis_paths():
    locate = {"get": {
        "operationId": "analysis_locate", "tags": ["analysis"],
        "summary": _("Where new service centers should go, solved exactly with HiGHS, and what they add"),
        "parameters": _reach() + [
            _query("model", {"enum": list(MODELS)}, _("lscp, mclp, pmedian or pcenter"), required=True),
            _query("p", {"type": "integer", "minimum": 1}, _("new sites to open (mclp, pmedian, pcenter)")),
            _query("keep_existing", {"type": "boolean"}, _("the existing centers stay open")),
            _query("time_limit", {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                                  "maximum": MAX_TIME_LIMIT, "default": DEFAULT_TIME_LIMIT},
                   _("seconds; then the best solution found and its gap")),
            _query("format", {"enum": ["csv", "xlsx", "geojson"]}, _("download the open sites as a file")),
        ],
        "responses": {"200": {"description": _("summary, the solver's answer with its gap, what the "
                                                "proposal adds, the open sites (GeoJSON); or the file"),
                              "content": _json_or_file()},
                      **_refusals()},
    }}
    return {"/api/analysis/locate/": locate, "/api/analysis/coverage/": {"get": {
        "operationId": "analysis_coverage", "tags": ["analysis"],
        "summary": _("Which villages are within reach of a kind of service center"),
        "parameters": _reach() + [
            _query("planned", {"type": "boolean"}, _("count planned centers as open")),
            _query("isochrones", {"type": "boolean"}, _("add each center's isochrone (network mode)")),
            _query("format", {"enum": ["csv", "xlsx", "geojson"]}, _("download the village rows as a file")),
        ],
        "responses": {
            "200": {"description": _("summary, shares per zone, villages and centers (GeoJSON, lon/lat), "
                                     "the underserved, isochrones; or the file"),
                    "content": _json_or_file()},
            **_refusals(),
        },
    }}}
