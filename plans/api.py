"""The zone-plan API under /api/plans/: versions, their zones, changes, history, comparison.

A zone is a resource with an ETag; a PATCH must send it back in If-Match (428 without it, 412
when someone else changed the zone meanwhile), so that two planners never overwrite each other.
Errors are JSON {"error": "..."} (gisplan/api.py): 400 bad input, 401 anonymous, 403 wrong role,
404 unknown, 409 a version that is not a draft or a change that breaks the partition.
"""
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gisplan.api import DENIED, PreconditionRequired, Refusal, answer, endpoint, json_body, require
from layers.crs import drawing_srid
from layers.geojson import collection, feature, lonlat
from layers.models import PlanVersion, Village, Zone
from layers.regions import county_of, region_of

from . import compare, edits
from .drawing import area_from_geojson, area_from_villages

VIEW, EDIT = "layers.view_zone", "layers.change_zone"


def local(moment):
    """A time as ISO 8601 in the site's time zone (the time the pages show)."""
    return timezone.localtime(moment).isoformat()


def version_data(plan):
    return {"id": plan.pk, "name": plan.name, "status": plan.status,
            "status_label": plan.get_status_display(), "note": plan.note,
            "created_at": plan.created_at, "approved_at": plan.approved_at,
            "created_by": plan.created_by.username if plan.created_by else None,
            "based_on": plan.based_on_id}


def zone_feature(zone, county, simplified=False):
    """A zone of `county`'s plan as GeoJSON, its area measured in the county's own zone."""
    return feature(lonlat(zone.web_boundary if simplified else zone.boundary), {
        "code": zone.code, "name": zone.name, "theme": zone.theme, "color": zone.color,
        "preferred_industries": zone.preferred_industries, "revision": zone.revision,
        "etag": edits.etag(zone), "area_km2": round(county.area_km2(zone.boundary), 3)},
        id=zone.code)


def plans_of(request):
    """The versions of the county the request acts on."""
    return PlanVersion.objects.of_county(county_of(request))


def plans_in_reach(request):
    """The versions a request may name by id: those of every county of the user's region (a
    county's users, their county's; a city's, every county's of the city)."""
    return PlanVersion.objects.in_region(region_of(request.user))


def visible_plan(request, pk):
    """Any version in reach by its id: opening a draft by id is opening it on purpose."""
    return get_object_or_404(plans_in_reach(request).select_related("created_by"), pk=pk)


@endpoint("GET", "POST", permission=VIEW)
def versions(request):
    """GET: the versions (drafts only for planners or with ?drafts=1); POST: a new draft."""
    if request.method == "POST":
        require(request.user, "layers.add_planversion", DENIED)
        plans = plans_of(request)  # 404 for a county outside the user's region
        data = json_body(request)
        name = str(data.get("name", "")).strip()
        if not name or len(name) > 100:
            raise Refusal(_("give the draft a name of 1 to 100 characters"))
        source = (get_object_or_404(plans, pk=data["from"]) if data.get("from")
                  else get_object_or_404(plans.approved()))
        return answer(version_data(edits.create_draft(source, name, request.user)), status=201)
    plans = plans_of(request).select_related("created_by")
    if not (request.user.has_perm(EDIT) or request.GET.get("drafts")):
        plans = plans.published()
    return answer([version_data(plan) for plan in plans])


@endpoint("GET", "DELETE", permission=VIEW)
def version(request, pk):
    """GET: a version and its zones (simplified for display); DELETE: discard a draft."""
    plan = visible_plan(request, pk)
    if request.method == "DELETE":
        require(request.user, "layers.delete_planversion", DENIED)
        edits.discard(plan)
        return answer({"deleted": plan.pk})
    zones = plan.zones.all()
    return answer({**version_data(plan),
                   "zones": collection(zone_feature(z, plan.county, simplified=True) for z in zones)})


@endpoint("POST", permission="layers.change_planversion")
def transition(request, pk, action):
    """Submit a draft for approval, withdraw it, or approve it (approvers only)."""
    if action == "approve":
        require(request.user, "layers.approve_planversion",
                _("your role may not approve plan versions"))
    return answer(version_data(edits.move(visible_plan(request, pk), action)))


@endpoint("GET", "PATCH", permission=VIEW)
def zone(request, pk, code):
    """GET a zone with its ETag; PATCH it (If-Match required) to take area or change its text.

    PATCH bodies: {"take": <GeoJSON Polygon>, "srid": 4326, "note": "..."} takes the drawn
    area from the neighbours; {"villages": ["<code>", ...]} takes those villages' land;
    {"name"|"theme"|"color"|"preferred_industries": ...} changes the description.
    """
    plan = visible_plan(request, pk)
    target = get_object_or_404(plan.zones, code=code)
    if request.method == "PATCH":
        require(request.user, EDIT, _("only planners change zones"))
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired(_("send the zone's ETag in an If-Match header"))
        data = json_body(request)
        note = str(data.pop("note", ""))
        area = _area(data, plan)
        if area is not None:
            edits.take_area(plan, code, area, request.user, if_match, note)
        else:
            edits.change_attributes(plan, code, data, request.user, if_match, note)
        target.refresh_from_db()
    response = answer(zone_feature(target, plan.county))
    response["ETag"] = edits.etag(target)
    response["Cache-Control"] = "private, no-cache"
    return response


def _area(data, plan):
    """The area a change body asks for, or None for a change of description."""
    if "take" in data:
        return area_from_geojson(data.pop("take"), drawing_srid(data.pop("srid", None)),
                                 edits.county_boundary(plan))
    if "villages" in data:
        codes = data.pop("villages")
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise Refusal(_("villages must be a list of village codes"))
        picked = list(Village.objects.of_county(plan.county_id).filter(code__in=codes))
        missing = sorted(set(codes) - {v.code for v in picked})
        if missing:
            raise Refusal(_("no such village: %(codes)s") % {"codes": ", ".join(missing[:5])})
        return area_from_villages(picked)
    return None


@endpoint("POST", permission=EDIT)
def preview(request, pk, code):
    """What taking the area would move between zones, without saving anything."""
    plan = visible_plan(request, pk)
    get_object_or_404(plan.zones, code=code)
    area = _area(json_body(request), plan)
    if area is None:
        raise Refusal(_("give the area to take: take or villages"))
    proposal = edits.propose_take(plan, code, area)
    return answer({"moves": [compare.move_data(m) for m in proposal.moves],
                   "zones": collection(feature(lonlat(g), {"code": c}, id=c)
                                       for c, g in proposal.after.items())})


@endpoint("GET", permission=VIEW)
def history(request, pk):
    """The version's recorded changes, newest first: when (in the site's time zone), who, why,
    and each zone's areas."""
    plan = visible_plan(request, pk)
    return answer([{
        "at": local(change.when), "user": change.user, "note": change.note,
        "zones": [{"code": r.code, "revision": r.revision, "history_id": r.history_id,
                   "area_km2": round(plan.county.area_km2(r.boundary), 3)}
                  for r in change.records],
    } for change in edits.history(plan)])


@endpoint("GET", permission=VIEW)
def history_record(request, pk, history_id):
    """One recorded state of a zone with the state before it, both as GeoJSON."""
    plan = visible_plan(request, pk)
    record = get_object_or_404(Zone.history.filter(plan_id=plan.pk), history_id=history_id)
    before = record.prev_record
    return answer({"code": record.code, "at": local(record.history_date),
                   "user": record.history_user.username if record.history_user else "",
                   "note": record.history_change_reason or "",
                   "before": lonlat(before.boundary) if before else None,
                   "after": lonlat(record.boundary)})


@endpoint("POST", permission=EDIT)
def restore(request, pk):
    """Bring the draft's zones back to their state at a recorded change: {"at": "<time>"}."""
    plan = visible_plan(request, pk)
    when = parse_datetime(str(json_body(request).get("at", "")))
    if when is None:
        raise Refusal(_("give the time of the change to restore, as recorded in the history"))
    changed = edits.restore(plan, when, request.user)
    return answer({"changed": [z.code for z in changed]})


@endpoint("GET", permission=VIEW)
def comparison(request):
    """Indicators per zone of two versions (?a=&b=) and the land that changed zone."""
    try:
        first, second = (int(request.GET[k]) for k in ("a", "b"))
    except (KeyError, ValueError):
        raise Refusal(_("give two version ids: ?a=<id>&b=<id>")) from None
    result = compare.compare(get_object_or_404(plans_of(request), pk=first),
                             get_object_or_404(plans_of(request), pk=second))
    return answer(compare.comparison_data(result))
