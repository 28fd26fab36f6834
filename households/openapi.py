"""The OpenAPI description of /api/households/ (households/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import multipart


def paths():
    return {"/api/households/": {"get": {
        "operationId": "households_counts", "tags": ["households"],
        "summary": _("The register's counts by village and for the county: households on the "
                     "list, their people, each category, and those that left, returned or were "
                     "newly registered, and those on the list who meet the exit standard (no "
                     "person in it)"),
        "responses": {
            "200": openapi.json(_("the county's code, its totals and each village's")),
            "401": openapi.error_response(_("not signed in")),
            "403": openapi.error_response(_("the role may not view the register"))},
    }}, "/api/households/import/": {"post": {
        "operationId": "households_import", "tags": ["households"],
        "summary": _("Import the register of poor households (XLSX or CSV, one row per member as "
                     "the national system exports it), all or nothing; a changed status is added "
                     "to the household's log, and the village figures are counted again"),
        "requestBody": multipart({
            "file": {"type": "string", "format": "binary"},
            "encoding": {"type": "string", "description": _("a CSV file's text encoding")},
            "dry_run": {"type": "boolean"}}),
        "responses": {
            "200": {"description": _("a dry run: what would be imported")},
            "201": {"description": _("households and members imported, status changes")},
            **openapi.errors(_("the first bad row and the reason; nothing was imported"),
                             _("only the county's planners import the register of households"))},
    }}}
