"""The OpenAPI 3 description of /api/assessment/ (assessment/api.py), merged into /api/schema/."""
from django.utils.translation import gettext as _

from access.openapi import _error, _query

from .api import CONTENT_TYPES


def assessment_paths():
    return {"/api/assessment/": {"get": {
        "operationId": "assessment", "tags": ["assessment"],
        "summary": _("Every village against the exit modules, criterion by criterion with the "
                     "reasons, the record checked against the map, the priority list and the "
                     "household categories"),
        "parameters": [
            _query("module", {"type": "string", "default": "standard"},
                   _("the module the priority list follows: standard or demonstration")),
            _query("format", {"enum": ["json", "csv", "xlsx"], "default": "json"},
                   _("csv: one row per village; xlsx: laid out for printing, with the priority "
                     "list and the household categories")),
        ],
        "responses": {
            "200": {"description": _("summary, villages, priority list, categories; or the file"),
                    "content": {"application/json": {"schema": {"type": "object"}}, **{
                        content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                        for content_type in CONTENT_TYPES.values()}}},
            "400": _error(_("bad options, with the reason")), "401": _error(_("not signed in")),
            "403": _error(_("the role may not view villages"))},
    }}, "/api/assessment/trends/": {"get": {
        "operationId": "assessment_trends", "tags": ["assessment"],
        "summary": _("The county's and each zone's poverty figures quarter by quarter, and the "
                     "villages that got worse in the latest quarter"),
        "responses": {
            "200": {"description": _("trends (the county first, then each zone) and the villages "
                                     "that got worse"),
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "401": _error(_("not signed in")),
            "403": _error(_("the role may not view villages"))},
    }}, "/api/assessment/periods/": {"post": {
        "operationId": "assessment_import_periods", "tags": ["assessment"],
        "summary": _("Import villages' quarterly statistics (XLSX or CSV keyed by village code), "
                     "all or nothing; quarters already held are kept, never overwritten"),
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "properties": {
                "file": {"type": "string", "format": "binary"},
                "encoding": {"type": "string", "description": _("a CSV file's text encoding")},
                "dry_run": {"type": "boolean"}}}}}},
        "responses": {
            "200": {"description": _("a dry run: what would be imported")},
            "201": {"description": _("rows imported and their quarters")},
            "400": _error(_("the first bad row and the reason; nothing was imported")),
            "401": _error(_("not signed in")),
            "403": _error(_("only planners import statistics"))},
    }}}
