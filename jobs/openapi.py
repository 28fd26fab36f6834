"""The OpenAPI 3 description of /api/jobs/ (jobs/api.py), merged into /api/schema/."""
from django.utils.translation import gettext as _

from access.openapi import _error
from layers.datasets import DATASETS

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


def jobs_paths():
    analyses = [kind for kind in Job.Kind.values if kind != Job.Kind.IMPORT]
    return {
        "/api/jobs/": {"get": {
            "operationId": "jobs", "tags": ["jobs"],
            "summary": _("The caller's latest background jobs (an administrator: everyone's)"),
            "responses": {"200": {"description": _("the jobs, newest first, without results"),
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "properties": {
                                          "jobs": {"type": "array", "items": JOB}}}}}},
                          "401": _error(_("not signed in"))}}},
        "/api/jobs/{id}/": {"get": {
            "operationId": "job", "tags": ["jobs"],
            "summary": _("A job's status, stage, fraction done, and its result or the reason it "
                         "was refused"),
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string", "format": "uuid"}}],
            "responses": {"200": {"description": _("the job"),
                                  "content": {"application/json": {"schema": JOB}}},
                          "401": _error(_("not signed in")),
                          "404": _error(_("no such job, or another user's"))}}},
        "/api/jobs/analysis/{kind}/": {"post": {
            "operationId": "jobs_queue_analysis", "tags": ["jobs"],
            "summary": _("Queue an analysis with the parameters of its endpoint "
                         "(/api/analysis/coverage/, locate/ or suitability/), in the query "
                         "string or the form"),
            "parameters": [{"name": "kind", "in": "path", "required": True,
                            "schema": {"enum": analyses}}],
            "responses": {"202": _accepted(), "400": _error(_("bad options, with the reason")),
                          "401": _error(_("not signed in")),
                          "403": _error(_("the role may not run analyses")),
                          "404": _error(_("no such kind of job"))}}},
        "/api/jobs/import/{layer}/": {"post": {
            "operationId": "jobs_queue_import", "tags": ["jobs"],
            "summary": _("Queue an import with the form of /api/import/<layer>/"),
            "parameters": [{"name": "layer", "in": "path", "required": True,
                            "schema": {"enum": list(DATASETS)}}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "encoding": {"type": "string"}, "srid": {"type": "integer"},
                    "layer": {"type": "string"}, "replace": {"type": "boolean"},
                    "dry_run": {"type": "boolean"}}}}}},
            "responses": {"202": _accepted(), "400": _error(_("a bad file or option")),
                          "401": _error(_("not signed in")),
                          "403": _error(_("the role may not import this layer")),
                          "404": _error(_("no such layer"))}}},
    }
