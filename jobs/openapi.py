"""The OpenAPI description of /api/jobs/ (jobs/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from analysis.landuse import SCHEMES
from gisplan import openapi
from gisplan.openapi import multipart, path_parameter
from layers.datasets import DATASETS
from layers.openapi import import_fields
from layers.rasters import KINDS, UNITS

from .models import Job

JOB = {"type": "object", "required": ["id", "url", "kind", "status"], "properties": {
    "id": {"type": "string", "format": "uuid"}, "url": {"type": "string"},
    "kind": {"enum": Job.Kind.values}, "status": {"enum": Job.Status.values},
    "stage": {"type": "string"}, "fraction_done": {"type": "number", "minimum": 0, "maximum": 1},
    "params": {"type": "object"}, "user": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "started_at": {"type": "string", "format": "date-time", "nullable": True},
    "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    "error": {"type": "string"},
    "result": {"type": "object", "nullable": True,
               "description": _("what the analysis or import endpoint answers")}}}


def _accepted():
    return {"description": _("queued: the job, with its address also in the Location header"),
            "content": {"application/json": {"schema": JOB}}}


def paths():
    analyses = [kind for kind in Job.Kind.values
                if kind not in (Job.Kind.IMPORT, Job.Kind.RASTER, Job.Kind.BATCH)]
    return {
        "/api/jobs/": {"get": {
            "operationId": "jobs", "tags": ["jobs"],
            "summary": _("The caller's latest background jobs (an administrator: everyone's)"),
            "responses": {"200": {"description": _("the jobs, newest first, without results"),
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "properties": {
                                          "jobs": {"type": "array", "items": JOB}}}}}},
                          "401": openapi.error_response(_("not signed in"))}}},
        "/api/jobs/{id}/": {"get": {
            "operationId": "job", "tags": ["jobs"],
            "summary": _("A job's status, stage, fraction done, and its result or the reason it "
                         "was refused"),
            "parameters": [path_parameter("id", {"type": "string", "format": "uuid"})],
            "responses": {"200": {"description": _("the job"),
                                  "content": {"application/json": {"schema": JOB}}},
                          "401": openapi.error_response(_("not signed in")),
                          "404": openapi.error_response(_("no such job, or another user's"))}}},
        "/api/jobs/analysis/{kind}/": {"post": {
            "operationId": "jobs_queue_analysis", "tags": ["jobs"],
            "summary": _("Queue an analysis with the parameters of its endpoint "
                         "(/api/analysis/coverage/, locate/ or suitability/), in the query "
                         "string or the form; region_coverage takes coverage's and region, a "
                         "city's (4 digits) or the province's (2) code: every county of it, "
                         "each across its borders"),
            "parameters": [path_parameter("kind", {"enum": analyses})],
            "responses": {"202": _accepted(), "400": openapi.error_response(_("bad options, with the reason")),
                          "401": openapi.error_response(_("not signed in")),
                          "403": openapi.error_response(_("the role may not run analyses")),
                          "404": openapi.error_response(_("no such kind of job"))}}},
        "/api/jobs/import/{layer}/": {"post": {
            "operationId": "jobs_queue_import", "tags": ["jobs"],
            "summary": _("Queue an import with the form of /api/import/<layer>/"),
            "parameters": [path_parameter("layer", {"enum": list(DATASETS)})],
            "requestBody": multipart(import_fields()),
            "responses": {"202": _accepted(), "400": openapi.error_response(_("a bad file or option")),
                          "401": openapi.error_response(_("not signed in")),
                          "403": openapi.error_response(_("the role may not import this layer")),
                          "404": openapi.error_response(_("no such layer"))}}},
        "/api/import/raster/{kind}/": {"post": {
            "operationId": "import_raster", "tags": ["files", "jobs"],
            "summary": _("Import the county's DEM or land use in the background: warped onto "
                         "the county's analysis grid, it replaces the current one when complete"),
            "parameters": [path_parameter("kind", {"enum": list(KINDS)})],
            "requestBody": multipart({
                "file": {"type": "string", "format": "binary", "description": _(
                    "GeoTIFF or COG, ERDAS .img, a zip of a .tif with its .tfw and .prj; land "
                    "use also a Third National Land Survey parcel layer (DLBM codes)")},
                "classes": {"enum": ["", *SCHEMES], "description": _(
                    "land use: its class scheme (empty: gisplan's codes for a raster, sandiao for "
                    "a parcel layer)")},
                "units": {"enum": list(UNITS), "description": _("a DEM's elevation units")},
                "source": {"type": "string"}, "licence": {"type": "string"},
                "attribution": {"type": "string", "description": _(
                    "shown wherever the raster or anything derived from it is shown")},
                "encoding": {"type": "string", "description": _("a parcel layer's text encoding")},
                "srid": {"type": "integer", "minimum": 1, "description": _(
                    "the EPSG code of the file's coordinates, if its own is wrong or absent")}}),
            "responses": {"202": _accepted(), "400": openapi.error_response(_("a bad file or option")),
                          "401": openapi.error_response(_("not signed in")),
                          "403": openapi.error_response(_("the role may not import the county's rasters")),
                          "404": openapi.error_response(_("no such kind of raster"))}}},
    }
