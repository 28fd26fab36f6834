"""The OpenAPI description of /api/assessment/ (assessment/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import multipart, query

from .report import SUFFIXES


def paths():
    return {"/api/assessment/": {"get": {
        "operationId": "assessment", "tags": ["assessment"],
        "summary": _("Every village against the exit modules, criterion by criterion with the "
                     "reasons, the record checked against the map, the priority list and the "
                     "household categories"),
        "parameters": [
            query("module", {"type": "string", "default": "standard"},
                  _("the module the priority list follows: standard or demonstration")),
            query("format", {"enum": ["json", "csv", "xlsx"], "default": "json"},
                  _("csv: one row per village; xlsx: laid out for printing, with the priority "
                    "list and the household categories")),
        ],
        "responses": {
            "200": {"description": _("summary, villages, priority list, categories; or the file"),
                    "content": openapi.files(*SUFFIXES, json_too=True)},
            **openapi.errors(_("bad options, with the reason"),
                             _("the role may not view villages"))},
    }}, "/api/assessment/trends/": {"get": {
        "operationId": "assessment_trends", "tags": ["assessment"],
        "summary": _("The county's and each zone's poverty figures quarter by quarter, and the "
                     "villages that got worse in the latest quarter"),
        "responses": {
            "200": openapi.json(_("trends (the county first, then each zone) and the villages "
                                  "that got worse")),
            "401": openapi.error_response(_("not signed in")),
            "403": openapi.error_response(_("the role may not view villages"))},
    }}, "/api/assessment/goals/": {"get": {
        "operationId": "assessment_goals", "tags": ["assessment"],
        "summary": _("The three goals (near, mid and long term; their years and the de-listing "
                     "incidence are the county's): each indicator now, by quarter and what "
                     "remains, for the county, each zone and each town"),
        "responses": {
            "200": openapi.json(_("targets, quarters, the county's rural income and the areas "
                                  "(the county first, then the zones, then the towns)")),
            "401": openapi.error_response(_("not signed in")),
            "403": openapi.error_response(_("the role may not view villages"))},
    }}, "/api/assessment/league/": {"get": {
        "operationId": "assessment_league", "tags": ["assessment"],
        "summary": _("The income league table: households (by code), villages and towns ranked "
                     "by the growth of the poor's per-capita net income over a quarter; "
                     "households only for the county's own users"),
        "parameters": [query("quarter", {"type": "string", "pattern": r"^\d{4}Q[1-4]$"},
                             _("the quarter ranked, as 2017Q2; the latest held by default"))],
        "responses": {
            "200": openapi.json(_("the quarter, the one before, and the three rankings")),
            **openapi.errors(_("a quarter not held, or without one before it"),
                             _("the role may not view villages"))},
    }}, "/api/assessment/periods/": {"post": {
        "operationId": "assessment_import_periods", "tags": ["assessment"],
        "summary": _("Import villages' quarterly statistics (XLSX or CSV keyed by village code), "
                     "all or nothing; quarters already held are kept, never overwritten"),
        "requestBody": multipart({
            "file": {"type": "string", "format": "binary"},
            "encoding": {"type": "string", "description": _("a CSV file's text encoding")},
            "dry_run": {"type": "boolean"}}),
        "responses": {
            "200": {"description": _("a dry run: what would be imported")},
            "201": {"description": _("rows imported and their quarters")},
            **openapi.errors(_("the first bad row and the reason; nothing was imported"),
                             _("only planners import statistics"))},
    }}}
