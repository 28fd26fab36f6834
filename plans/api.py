"""The zone-plan API under /api/plans/: versions, their zones, changes, history, comparison.

A zone is a resource with an ETag; a PATCH must send it back in If-Match (428 without it, 412
when someone else changed the zone meanwhile), so that two planners never overwrite each other.
Errors are JSON {"error": "..."}: 400 bad input, 401 anonymous, 403 wrong role, 404 unknown,
409 a version that is not a draft or a change that breaks the partition.
"""
import json
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from layers.models import PlanVersion, Village, Zone

from . import compare, edits
from .drawing import DrawingError, area_from_geojson, area_from_villages, parse_srid
from .partition import PartitionError

VIEW, EDIT = "layers.view_zone", "layers.change_zone"


def error(status, message):
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


def answer(data, status=200):
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def endpoint(*methods, permission=VIEW):
    """A JSON endpoint: 401 for anonymous callers, 403 without `permission`, errors as JSON."""
    def decorate(view):
        @login_not_required  # answers 401 itself: an API caller wants a status, not a login page
        @require_http_methods(methods)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return error(401, _("sign in first"))
            if not request.user.has_perm(permission):
                return error(403, _("your role may not do this"))
            try:
                return view(request, *args, **kwargs)
            except (DrawingError, ValidationError, BadRequest) as problem:
                return error(400, _message(problem))
            except Http404 as problem:
                return error(404, str(problem) or _("not found"))
            except edits.Stale as problem:
                return error(412, str(problem))
            except (edits.NotEditable, PartitionError) as problem:
                return error(409, str(problem))
        return wrapper
    return decorate


class BadRequest(ValueError):
    """A request body or parameter the caller must correct."""


def _message(problem):
    if isinstance(problem, ValidationError):
        return "; ".join(problem.messages)
    return str(problem)


def body(request):
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("the request body is not JSON")) from None
    if not isinstance(data, dict):
        raise BadRequest(_("the request body must be a JSON object"))
    if _has_nul(data):
        raise BadRequest(_("text in the request body must not contain the NUL character"))
    return data


def _has_nul(value):
    """Whether a NUL character is in any string of a JSON value (PostgreSQL stores none)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def version_data(plan):
    return {"id": plan.pk, "name": plan.name, "status": plan.status,
            "status_label": plan.get_status_display(), "note": plan.note,
            "created_at": plan.created_at, "approved_at": plan.approved_at,
            "created_by": plan.created_by.username if plan.created_by else None,
            "based_on": plan.based_on_id}


def _lonlat(geometry):
    """A geometry as a GeoJSON dict in lon/lat."""
    return json.loads(geometry.transform(4326, clone=True).json)


def zone_feature(zone, simplified=False):
    geometry = json.loads(zone.web_boundary.json) if simplified else _lonlat(zone.boundary)
    return {"type": "Feature", "id": zone.code, "geometry": geometry,
            "properties": {"code": zone.code, "name": zone.name, "theme": zone.theme,
                           "color": zone.color, "preferred_industries": zone.preferred_industries,
                           "revision": zone.revision, "etag": edits.etag(zone),
                           "area_km2": round(zone.boundary.area / 1e6, 3)}}


def visible_plan(pk):
    """Any version by its id: opening a draft by id is opening it on purpose."""
    return get_object_or_404(PlanVersion.objects.select_related("created_by"), pk=pk)


@endpoint("GET", "POST")
def versions(request):
    """GET: the versions (drafts only for planners or with ?drafts=1); POST: a new draft."""
    if request.method == "POST":
        if not request.user.has_perm("layers.add_planversion"):
            return error(403, _("your role may not do this"))
        data = body(request)
        name = str(data.get("name", "")).strip()
        if not name or len(name) > 100:
            raise BadRequest(_("give the draft a name of 1 to 100 characters"))
        source = (get_object_or_404(PlanVersion, pk=data["from"]) if data.get("from")
                  else get_object_or_404(PlanVersion.objects.approved()))
        return answer(version_data(edits.create_draft(source, name, request.user)), status=201)
    plans = PlanVersion.objects.select_related("created_by")
    if not (request.user.has_perm(EDIT) or request.GET.get("drafts")):
        plans = plans.published()
    return answer([version_data(plan) for plan in plans])


@endpoint("GET", "DELETE")
def version(request, pk):
    """GET: a version and its zones (simplified for display); DELETE: discard a draft."""
    plan = visible_plan(pk)
    if request.method == "DELETE":
        if not request.user.has_perm("layers.delete_planversion"):
            return error(403, _("your role may not do this"))
        edits.discard(plan)
        return answer({"deleted": plan.pk})
    zones = plan.zones.all()
    return answer({**version_data(plan), "zones": {"type": "FeatureCollection", "features": [
        zone_feature(z, simplified=True) for z in zones]}})


@endpoint("POST", permission="layers.change_planversion")
def transition(request, pk, action):
    """Submit a draft for approval, withdraw it, or approve it (approvers only)."""
    if action == "approve" and not request.user.has_perm("layers.approve_planversion"):
        return error(403, _("your role may not approve plan versions"))
    return answer(version_data(edits.move(visible_plan(pk), action)))


@endpoint("GET", "PATCH", permission=VIEW)
def zone(request, pk, code):
    """GET a zone with its ETag; PATCH it (If-Match required) to take area or change its text.

    PATCH bodies: {"take": <GeoJSON Polygon>, "srid": 4326, "note": "..."} takes the drawn
    area from the neighbours; {"villages": ["<code>", ...]} takes those villages' land;
    {"name"|"theme"|"color"|"preferred_industries": ...} changes the description.
    """
    plan = visible_plan(pk)
    target = get_object_or_404(plan.zones, code=code)
    if request.method == "PATCH":
        if not request.user.has_perm(EDIT):
            return error(403, _("only planners change zones"))
        if_match = request.headers.get("If-Match")
        if not if_match:
            return error(428, _("send the zone's ETag in an If-Match header"))
        data = body(request)
        note = str(data.pop("note", ""))
        area = _area(data, plan)
        if area is not None:
            edits.take_area(plan, code, area, request.user, if_match, note)
        else:
            edits.change_attributes(plan, code, data, request.user, if_match, note)
        target.refresh_from_db()
    response = answer(zone_feature(target))
    response["ETag"] = edits.etag(target)
    response["Cache-Control"] = "private, no-cache"
    return response


def _area(data, plan):
    """The area a change body asks for, or None for a change of description."""
    if "take" in data:
        return area_from_geojson(data.pop("take"), parse_srid(data.pop("srid", None)),
                                 edits.county_boundary())
    if "villages" in data:
        codes = data.pop("villages")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise BadRequest(_("villages must be a list of village codes"))
        picked = list(Village.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {v.code for v in picked})
        if missing:
            raise BadRequest(_("no such village: %(codes)s") % {"codes": ", ".join(missing[:5])})
        return area_from_villages(picked)
    return None


@endpoint("POST", permission=EDIT)
def preview(request, pk, code):
    """What taking the area would move between zones, without saving anything."""
    plan = visible_plan(pk)
    get_object_or_404(plan.zones, code=code)
    area = _area(body(request), plan)
    if area is None:
        raise BadRequest(_("give the area to take: take or villages"))
    proposal = edits.propose_take(plan, code, area)
    return answer({"moves": [compare.move_data(m) for m in proposal.moves],
                   "zones": {"type": "FeatureCollection", "features": [
                       {"type": "Feature", "id": c, "properties": {"code": c},
                        "geometry": _lonlat(g)}
                       for c, g in proposal.after.items()]}})


@endpoint("GET")
def history(request, pk):
    """The version's recorded changes, newest first: when, who, why, and each zone's areas."""
    plan = visible_plan(pk)
    return answer([{
        "at": change.when.isoformat(), "user": change.user, "note": change.note,
        "zones": [{"code": r.code, "revision": r.revision, "history_id": r.history_id,
                   "area_km2": round(r.boundary.area / 1e6, 3)} for r in change.records],
    } for change in edits.history(plan)])


@endpoint("GET")
def history_record(request, pk, history_id):
    """One recorded state of a zone with the state before it, both as GeoJSON."""
    plan = visible_plan(pk)
    record = get_object_or_404(Zone.history.filter(plan_id=plan.pk), history_id=history_id)
    before = record.prev_record
    return answer({"code": record.code, "at": record.history_date.isoformat(),
                   "user": record.history_user.username if record.history_user else "",
                   "note": record.history_change_reason or "",
                   "before": _lonlat(before.boundary) if before else None,
                   "after": _lonlat(record.boundary)})


@endpoint("POST", permission=EDIT)
def restore(request, pk):
    """Bring the draft's zones back to their state at a recorded change: {"at": "<time>"}."""
    plan = visible_plan(pk)
    when = parse_datetime(str(body(request).get("at", "")))
    if when is None:
        raise BadRequest(_("give the time of the change to restore, as recorded in the history"))
    changed = edits.restore(plan, when, request.user)
    return answer({"changed": [z.code for z in changed]})


@endpoint("GET")
def comparison(request):
    """Indicators per zone of two versions (?a=&b=) and the land that changed zone."""
    try:
        first, second = (int(request.GET[k]) for k in ("a", "b"))
    except (KeyError, ValueError):
        raise BadRequest(_("give two version ids: ?a=<id>&b=<id>")) from None
    result = compare.compare(get_object_or_404(PlanVersion, pk=first),
                             get_object_or_404(PlanVersion, pk=second))
    return answer(compare.comparison_data(result))
