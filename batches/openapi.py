"""The OpenAPI description of /api/batches/ (batches/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import path_parameter, query
from jobs.openapi import JOB

from .models import ANALYSES, Batch

BATCH = {"type": "object", "required": ["id", "url", "region", "status", "tasks"], "properties": {
    "id": {"type": "integer"}, "url": {"type": "string"}, "region": {"type": "string"},
    "status": {"enum": Batch.Status.values},
    "analyses": {"type": "array", "items": {"enum": list(ANALYSES)}},
    "services": {"type": "array", "items": {"type": "string"}},
    "industries": {"type": "array", "items": {"type": "string"}},
    "user": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": "string", "format": "date-time", "nullable": True},
    "tasks": {"type": "integer", "description": _("counties × analyses")},
    "succeeded": {"type": "integer"},
    "failed": {"type": "array", "items": {"type": "object", "properties": {
        "county": {"type": "string"}, "name": {"type": "string"},
        "analysis": {"type": "string"}, "reason": {"type": "string"}}}},
    "indicators": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "label": {"type": "string"}}}},
    "counties": {"type": "array", "items": {"type": "object", "description": _(
        "a county's code, name, each indicator's value by its key (null: not computed) and "
        "its failed tasks")}}}}
ID = path_parameter("id", {"type": "integer"})


def _read_errors():
    """The answers of a read that is not a batch."""
    return {"401": openapi.error_response(_("not signed in")),
            "403": openapi.error_response(_("the role may not view villages")),
            "404": openapi.error_response(_("no such batch, or one outside the caller's region"))}


def paths():
    words = {"type": "string", "pattern": "^[a-z_,]*$"}
    return {
        "/api/batches/": {
            "get": {"operationId": "batches", "tags": ["batches"],
                    "summary": _("The batches of the caller's region, newest first"),
                    "responses": {"200": openapi.json(_("the batches, without their counties"), {
                        "type": "object", "properties": {"batches": {"type": "array", "items": BATCH}}}),
                        "401": openapi.error_response(_("not signed in")),
                        "403": openapi.error_response(_("the role may not view villages"))}},
            "post": {"operationId": "batches_start", "tags": ["batches", "jobs"],
                     "summary": _("Run every county of a city or the province through the "
                                  "analyses at once, on the Dask cluster"),
                     "parameters": [
                         query("region", {"type": "string", "pattern": "^[0-9]{2}([0-9]{2})?$"},
                               _("the city's (4 digits) or the province's (2) code"), True),
                         query("analyses", words, _("some of %(analyses)s, comma separated")
                               % {"analyses": ", ".join(ANALYSES)}, True),
                         query("services", words, _("the kinds of center coverage runs (default: all)")),
                         query("industries", words, _("the industries siting runs (default: all)"))],
                     "responses": {"202": openapi.json(_("queued: the batch and its job"), {
                         "type": "object", "properties": {"batch": BATCH, "job": JOB}}),
                         **openapi.errors(_("bad options, with the reason"),
                                          _("the role may not run analyses"))}}},
        "/api/batches/{id}/": {"get": {
            "operationId": "batch", "tags": ["batches"],
            "summary": _("A batch: its status, its failed tasks with their reasons, and each "
                         "county's figures"),
            "parameters": [ID],
            "responses": {"200": openapi.json(_("the batch"), BATCH), **_read_errors()}}},
        "/api/batches/{id}/export/": {"get": {
            "operationId": "batch_export", "tags": ["batches", "files"],
            "summary": _("A batch's figures as a file: a row per county and indicator"),
            "parameters": [ID, query("format", {"enum": ["csv", "xlsx"]})],
            "responses": {"200": {"description": _("the file"), "content": openapi.files(".csv", ".xlsx")},
                          "400": openapi.error_response(_("format is csv or xlsx")),
                          **_read_errors()}}},
        "/api/batches/{id}/cancel/": {"post": {
            "operationId": "batch_cancel", "tags": ["batches"],
            "summary": _("Cancel a batch: its tasks not yet started are cancelled on the cluster (one "
                         "already running finishes and keeps its result)"),
            "parameters": [ID],
            "responses": {"200": openapi.json(_("the batch"), BATCH), **_read_errors(),
                          "403": openapi.error_response(_("the role may not run analyses"))}}},
    }
