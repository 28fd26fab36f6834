"""Changes to plan versions and their zones, each all or nothing.

A change locks the version and its zones (always in that order, so two changes never deadlock),
checks the caller's ETag, computes the new partition, refuses it if it is not a partition of the
county, and saves only the zones that changed, each with one history record stamped with the
same time, user and note: the time identifies the change, and restoring goes back to it.
"""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from gisplan.api import Conflict, PreconditionFailed
from layers.models import County, Industry, PlanVersion, Village, Zone
from layers.partition import AREA_TOLERANCE, PartitionError, Place, moves, problems, take

NOTE_LENGTH = 100  # the history's change-reason column


class Stale(PreconditionFailed):
    """The caller's copy of a zone is older than the stored one."""


class NotEditable(Conflict):
    """The version is not a draft, or the change does not fit its state."""


def etag(zone):
    """The zone's entity tag: it changes with every change to the zone."""
    return f'"{zone.pk}.{zone.revision}"'


def matches(if_match, zone):
    """Whether an If-Match header value (strong comparison, RFC 9110 §13.1.1) holds for zone."""
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or etag(zone) in tags


def county_boundary(plan):
    """The outline of the county whose plan `plan` is: its zones partition it."""
    return County.objects.values_list("boundary", flat=True).get(pk=plan.county_id)


def partition_of(zones):
    return {zone.code: zone.boundary for zone in zones}


def places(plan):
    """Every village of the plan's county with a committee point, as the partition code sees it."""
    return [Place(*row) for row in Village.objects.of_county(plan.county_id).values_list(
        "code", "location", "households", "population", "poor_population")]


@dataclass(frozen=True)
class Proposal:
    """A change not yet saved: the partition before and after, and what it moves."""

    before: dict
    after: dict
    moves: list  # of partition.Move


def propose_take(plan, code, area):
    """What zone `code` taking `area` would do to the plan, without saving anything."""
    before = partition_of(plan.zones.all())
    after = take(before, code, area, county_boundary(plan))
    return Proposal(before, after, moves(before, after, places(plan), plan.county.gk_srid))


def _locked(plan):
    plan = PlanVersion.objects.select_for_update().get(pk=plan.pk)
    if not plan.editable:
        raise NotEditable(_("“%(plan)s” is %(status)s; only a draft can be changed")
                          % {"plan": plan.name, "status": plan.get_status_display()})
    return plan, {zone.code: zone for zone in plan.zones.select_for_update().order_by("code")}


def _check(zones, code, if_match):
    zone = zones[code]
    if not matches(if_match, zone):
        raise Stale(_("zone %(code)s was changed by someone else since you loaded it "
                      "(now revision %(revision)s); reload it and make your change again")
                    % {"code": code, "revision": zone.revision})
    return zone


def _stamp(zone, when, user, note):
    zone.revision += 1
    zone._history_date, zone._history_user, zone._change_reason = when, user, note[:NOTE_LENGTH]


def _same_shape(a, b):
    return a.sym_difference(b).area <= AREA_TOLERANCE


def _save(plan, zones, after, user, note, attributes=None):
    """Save each zone whose boundary (code -> geometry in `after`) or, when restoring, whose
    attributes (code -> {name: value}) differ; refuse anything but a partition of the county."""
    found = problems(after, county_boundary(plan))
    if found:
        raise PartitionError("; ".join(found))
    when, changed = timezone.now(), []
    for code, zone in zones.items():
        values = (attributes or {}).get(code, {})
        if _same_shape(zone.boundary, after[code]) and all(
                getattr(zone, name) == value for name, value in values.items()):
            continue
        zone.boundary = after[code]
        for name, value in values.items():
            setattr(zone, name, value)
        _stamp(zone, when, user, note)
        zone.save()
        changed.append(zone)
    return changed


@transaction.atomic
def take_area(plan, code, area, user, if_match, note=""):
    """Zone `code` of draft `plan` takes `area` from its neighbours; returns the changed zones."""
    plan, zones = _locked(plan)
    _check(zones, code, if_match)
    after = take(partition_of(zones.values()), code, area, county_boundary(plan))
    return _save(plan, zones, after, user, note or _("zone %(code)s redrawn") % {"code": code})


ATTRIBUTES = ("name", "theme", "color", "preferred_industries")


@transaction.atomic
def change_attributes(plan, code, values, user, if_match, note=""):
    """Set the zone's name, theme, colour or preferred industries (validated like the model)."""
    plan, zones = _locked(plan)
    zone = _check(zones, code, if_match)
    if not values:
        raise ValidationError(_("nothing to change: give take, villages or one of %(fields)s")
                              % {"fields": ", ".join(ATTRIBUTES)})
    unknown = set(values) - set(ATTRIBUTES)
    if unknown:
        raise ValidationError(_("these fields cannot be changed here: %(fields)s")
                              % {"fields": ", ".join(sorted(unknown))})
    industries = values.get("preferred_industries", zone.preferred_industries)
    if not isinstance(industries, list) or not set(industries) <= set(Industry.Kind.values):
        raise ValidationError(_("preferred industries must be a list of: %(kinds)s")
                              % {"kinds": ", ".join(Industry.Kind.values)})
    for name, value in values.items():
        setattr(zone, name, value)
    zone.full_clean(exclude=["boundary", "plan"])
    _stamp(zone, timezone.now(), user, note or _("zone %(code)s described") % {"code": code})
    zone.save()
    return [zone]


@transaction.atomic
def restore(plan, when, user):
    """Bring every zone of draft `plan` back to its state at `when` (a change's time)."""
    plan, zones = _locked(plan)
    earlier = {}
    for code, zone in zones.items():
        try:
            earlier[code] = zone.history.as_of(when)
        except Zone.DoesNotExist:
            raise NotEditable(_("zone %(code)s has no recorded state at that time") % {"code": code}) from None
    note = _("restored the state of %(when)s") % {
        "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")}
    attributes = {code: {name: getattr(z, name) for name in ATTRIBUTES} for code, z in earlier.items()}
    return _save(plan, zones, partition_of(earlier.values()), user, note, attributes)


@dataclass(frozen=True)
class ZoneChange:
    """One recorded change to a version's zones."""

    when: object
    user: str
    note: str
    records: list  # HistoricalZone rows, one per zone it changed


def history(plan, limit=50):
    """The version's recorded changes, newest first."""
    records = (Zone.history.filter(plan_id=plan.pk).select_related("history_user")
               .order_by("-history_date", "code")[:limit * 4])
    changes = {}
    for record in records:
        changes.setdefault(record.history_date, []).append(record)
    return [ZoneChange(when, records[0].history_user.username if records[0].history_user else "",
                   records[0].history_change_reason or "", records)
            for when, records in list(changes.items())[:limit]]


@transaction.atomic
def create_draft(source, name, user):
    """A new draft whose zones are copies of `source`'s, each with its first history record."""
    draft = PlanVersion.objects.create(county_id=source.county_id, name=name, based_on=source,
                                       created_by=user,
                                       note=_("based on %(name)s") % {"name": source.name})
    copies = [Zone(plan=draft, code=z.code, name=z.name, theme=z.theme, color=z.color,
                   preferred_industries=z.preferred_industries, boundary=z.boundary)
              for z in source.zones.all()]
    bulk_create_with_history(copies, Zone, default_user=user, default_date=timezone.now(),
                             default_change_reason=_("copied from %(name)s") % {"name": source.name})
    Zone.objects.filter(plan=draft).derive_web_shapes()
    return draft


@transaction.atomic
def discard(plan):
    """Delete a draft (its zones' history stays, as a record of the work)."""
    plan, _zones = _locked(plan)
    plan.delete()


TRANSITIONS = {  # action -> (states it starts from, the state it leads to)
    "submit": ((PlanVersion.Status.DRAFT,), PlanVersion.Status.SUBMITTED),
    "withdraw": ((PlanVersion.Status.SUBMITTED,), PlanVersion.Status.DRAFT),
    "approve": ((PlanVersion.Status.SUBMITTED,), PlanVersion.Status.APPROVED),
}


@transaction.atomic
def move(plan, action):
    """Submit a draft, withdraw a submission, or approve a submitted version (puts it in force)."""
    plan = PlanVersion.objects.select_for_update().get(pk=plan.pk)
    sources, target = TRANSITIONS[action]
    if plan.status not in sources:
        raise NotEditable(_("“%(plan)s” is %(status)s and cannot be %(action)s")
                          % {"plan": plan.name, "status": plan.get_status_display(),
                             "action": ACTION_LABELS[action]})
    if target == PlanVersion.Status.APPROVED:
        found = problems(partition_of(plan.zones.all()), county_boundary(plan))
        if found:
            raise PartitionError("; ".join(found))
        plan.approve()
    else:
        plan.status = target
        plan.save(update_fields=["status"])
    return plan


ACTION_LABELS = {"submit": gettext_lazy("submitted"), "withdraw": gettext_lazy("withdrawn"),
                 "approve": gettext_lazy("approved")}
