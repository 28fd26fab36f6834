"""The OpenAPI description of the zone-plan endpoints (plans/api.py), part of /api/schema/
(gisplan/openapi.py)."""
from django.utils.translation import gettext as _

from gisplan import openapi
from gisplan.openapi import LIST, path_parameter, query
from layers.models import Zone


def _operation(operation_id, summary, responses, body=None, parameters=()):
    operation = {"operationId": operation_id, "tags": ["plans"], "summary": summary,
                 "parameters": list(parameters), "responses": {
                     **responses, "401": openapi.error_response(_("not signed in")),
                     "403": openapi.error_response(_("the role may not do this"))}}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


PLAN = path_parameter("pk", {"type": "integer"})
# A county's zone codes: Luonan's E, W, N, C; other counties' their own.
ZONE = path_parameter("code", {"type": "string", "pattern": Zone.CODE_PATTERN, "example": "E"})
GEOMETRY = {"type": "object", "description": "GeoJSON Polygon or MultiPolygon"}
CHANGE = {"type": "object", "properties": {
    "take": GEOMETRY, "srid": {"type": "integer", "default": 4326, "description": "EPSG code of take"},
    "villages": {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{12}$"}},
    "name": {"type": "string"}, "theme": {"type": "string"},
    "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
    "preferred_industries": {"type": "array", "items": {"type": "string"}},
    "note": {"type": "string", "maxLength": 100}}}


def paths():
    bad = openapi.error_response(_("bad input, with the reason"))
    missing = openapi.error_response(_("no such version or zone"))
    conflict = openapi.error_response(_("the version is not a draft, or the change would break the partition"))
    return {
        "/api/plans/": {
            "get": _operation("plan_versions", _("Plan versions (drafts for planners or with ?drafts=1)"),
                              {"200": openapi.json(_("the versions"), LIST)},
                              parameters=[query("drafts", {"type": "string"})]),
            "post": _operation("plan_new_draft", _("A new draft, copied from a version (default: the one in force)"),
                               {"201": openapi.json(_("the draft")), "400": bad,
                                "404": openapi.error_response(_("no such version to copy, or none in force"))},
                               body={"type": "object", "required": ["name"], "properties": {
                                   "name": {"type": "string", "maxLength": 100}, "from": {"type": "integer"}}}),
        },
        "/api/plans/{pk}/": {
            "get": _operation("plan_version", _("A version and its zones (GeoJSON, lon/lat)"),
                              {"200": openapi.json(_("the version")), "404": missing}, parameters=[PLAN]),
            "delete": _operation("plan_discard", _("Discard a draft"),
                                 {"200": openapi.json(_("the id deleted")), "404": missing, "409": conflict},
                                 parameters=[PLAN])},
        **{f"/api/plans/{{pk}}/{action}/": {"post": _operation(
            f"plan_{action}", summary, {"200": openapi.json(_("the version")), "404": missing, "409": conflict},
            parameters=[PLAN])} for action, summary in (
                ("submit", _("Submit a draft for approval")), ("withdraw", _("Withdraw a submission")),
                ("approve", _("Approve a submitted version: it comes into force")))},
        "/api/plans/{pk}/zones/{code}/": {
            "get": _operation("plan_zone", _("A zone (GeoJSON Feature) with its ETag"),
                              {"200": openapi.json(_("the zone; the ETag header identifies its revision")),
                               "404": missing}, parameters=[PLAN, ZONE]),
            "patch": _operation(
                "plan_zone_change", _("Take drawn land or villages for the zone, or change its description"),
                {"200": openapi.json(_("the zone after the change, with its new ETag")), "400": bad, "404": missing,
                 "409": conflict, "412": openapi.error_response(_("the zone changed since its ETag was read")),
                 "428": openapi.error_response(_("If-Match is missing"))}, body=CHANGE,
                parameters=[PLAN, ZONE, {"name": "If-Match", "in": "header", "required": True,
                                         "schema": {"type": "string"}}]),
        },
        "/api/plans/{pk}/zones/{code}/preview/": {"post": _operation(
            "plan_zone_preview", _("What taking the land would move between zones, without saving"),
            {"200": openapi.json(_("moves and the zones after")), "400": bad, "404": missing,
             "409": conflict},
            body=CHANGE, parameters=[PLAN, ZONE])},
        "/api/plans/{pk}/history/": {"get": _operation(
            "plan_history", _("Recorded changes, newest first"), {"200": openapi.json(_("the changes"), LIST),
                                                                   "404": missing}, parameters=[PLAN])},
        "/api/plans/{pk}/history/{history_id}/": {"get": _operation(
            "plan_history_record", _("A zone's recorded state and the state before it"),
            {"200": openapi.json(_("before and after (GeoJSON)")), "404": missing},
            parameters=[PLAN, path_parameter("history_id", {"type": "integer"})])},
        "/api/plans/{pk}/restore/": {"post": _operation(
            "plan_restore", _("Bring a draft's zones back to their state at a recorded change"),
            {"200": openapi.json(_("the zones changed")), "400": bad, "404": missing, "409": conflict},
            body={"type": "object", "required": ["at"], "properties": {"at": {"type": "string",
                                                                              "format": "date-time"}}},
            parameters=[PLAN])},
        "/api/plans/compare/": {"get": _operation(
            "plan_compare", _("Two versions side by side: figures per zone, land and villages that move"),
            {"200": openapi.json(_("the comparison")), "400": bad, "404": missing},
            parameters=[query(k, {"type": "integer"}, required=True) for k in ("a", "b")])},
    }
