"""The OpenAPI description of the analysis endpoints (access/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import query
from layers.models import ServiceCenter

from .runs import DEFAULT_METRES, DEFAULT_MINUTES, DEFAULT_TIME_LIMIT, MAX_TIME_LIMIT, MODELS, MODES
from .tables import SUFFIXES


def reach_parameters():
    """The service, mode and threshold parameters of coverage and locate."""
    return [
        query("service", {"enum": ServiceCenter.Kind.values}, _("the kind of center"), required=True),
        query("mode", {"enum": list(MODES), "default": "network"},
              _("network: travel minutes by road (default, unless max_distance is given); euclidean: metres")),
        query("max_minutes", {"type": "number", "minimum": 0, "default": DEFAULT_MINUTES},
              _("threshold in network mode")),
        query("max_distance", {"type": "number", "minimum": 0, "default": DEFAULT_METRES},
              _("threshold in euclidean mode, metres")),
        query("across_borders", {"type": "boolean"},
              _("neighbouring counties' centers serve too, over their roads")),
    ]


def _errors():
    return openapi.errors(_("bad options, with the reason"), _("the role may not run analyses"))


def paths():
    locate = {"get": {
        "operationId": "analysis_locate", "tags": ["analysis"],
        "summary": _("Where new service centers should go, solved exactly with HiGHS, and what they add"),
        "parameters": reach_parameters() + [
            query("model", {"enum": list(MODELS)}, _("lscp, mclp, pmedian or pcenter"), required=True),
            query("p", {"type": "integer", "minimum": 1}, _("new sites to open (mclp, pmedian, pcenter)")),
            query("keep_existing", {"type": "boolean"}, _("the existing centers stay open")),
            query("time_limit", {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                                 "maximum": MAX_TIME_LIMIT, "default": DEFAULT_TIME_LIMIT},
                  _("seconds; then the best solution found and its gap")),
            query("capacities", {"type": "boolean"},
                  _("mclp and pmedian: each village whole to one open site within the sites' "
                    "capacities (the centers' own; new sites' new_capacity)")),
            query("new_capacity", {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                  _("with capacities: the people each new site takes (default: no limit)")),
            query("format", {"enum": ["csv", "xlsx", "geojson"]}, _("download the open sites as a file")),
        ],
        "responses": {"200": {"description": _("summary, the solver's answer with its gap, what the "
                                                "proposal adds, the open sites (GeoJSON); or the file"),
                              "content": openapi.files(*SUFFIXES, json_too=True)},
                      **_errors()},
    }}
    return {"/api/analysis/locate/": locate, "/api/analysis/coverage/": {"get": {
        "operationId": "analysis_coverage", "tags": ["analysis"],
        "summary": _("Which villages are within reach of a kind of service center"),
        "parameters": reach_parameters() + [
            query("planned", {"type": "boolean"}, _("count planned centers as open")),
            query("isochrones", {"type": "boolean"}, _("add each center's isochrone (network mode)")),
            query("capacities", {"type": "boolean"},
                  _("also send each village whole to one center within the centers' capacities")),
            query("format", {"enum": ["csv", "xlsx", "geojson"]}, _("download the village rows as a file")),
        ],
        "responses": {
            "200": {"description": _("summary, shares per zone, villages and centers (GeoJSON, lon/lat), "
                                     "the underserved, isochrones; or the file"),
                    "content": openapi.files(*SUFFIXES, json_too=True)},
            **_errors(),
        },
    }}}
