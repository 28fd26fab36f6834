"""The audit log: who created, changed or deleted which plan object, and when.

Read from the histories the models keep (django-simple-history, `history` in layers/models.py):
plan versions, zones, villages, service centers, industries, roads and rivers each keep a record
of every save and delete with the user of the request that made it (simple_history's request
middleware), the importing user for an import, or, for a command, no user.
"""
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import pgettext_lazy

from .models import Industry, PlanVersion, River, Road, ServiceCenter, Village, Zone

AUDITED = {model._meta.model_name: model
           for model in (PlanVersion, Zone, Village, ServiceCenter, Industry, Road, River)}
# Fields that change with every save and tell the reader nothing.
BOOKKEEPING = {"revision"}


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    user: str  # empty for a command or a data migration
    action: str  # created, changed or deleted, in the reader's language
    kind: str  # the model's name for people, e.g. "village"
    model: str  # the model's name for scripts, e.g. "village"
    object_id: int
    label: str
    fields: tuple[str, ...]  # the fields a change changed, by their names for people
    note: str


def changes(county, *, user=None, model=None, since=None, limit=100):
    """The latest `limit` changes to `county`'s objects, newest first, optionally of one user,
    of one model (a key of AUDITED) or on and after a day (local time)."""
    records = []
    for name, audited in AUDITED.items():
        if model and name != model:
            continue
        # A record keeps its object's fields, and so the way to its county (a zone's: its plan's).
        lookup = audited.objects.get_queryset().county_lookup
        history = (audited.history.filter(**{lookup: county}).select_related("history_user")
                   .order_by("-history_date"))
        if user:
            history = history.filter(history_user__username=user)
        if since:
            history = history.filter(history_date__date__gte=since)
        records += history[:limit]
    records.sort(key=lambda record: record.history_date, reverse=True)
    return [entry(record) for record in records[:limit]]


ACTIONS = {"+": pgettext_lazy("audit", "created"), "~": pgettext_lazy("audit", "changed"),
           "-": pgettext_lazy("audit", "deleted")}


def entry(record):
    meta = record.instance_type._meta
    fields = ()
    if record.history_type == "~" and (earlier := record.prev_record) is not None:
        changed = record.diff_against(earlier).changed_fields
        fields = tuple(str(meta.get_field(name).verbose_name) for name in changed
                       if name not in BOOKKEEPING)
    return AuditEntry(
        at=record.history_date,
        user=record.history_user.username if record.history_user else "",
        action=str(ACTIONS[record.history_type]),
        kind=str(meta.verbose_name), model=meta.model_name,
        object_id=record.id, label=label(record),
        fields=fields, note=record.history_change_reason or "")


def label(record):
    name = getattr(record, "name", "") or str(record.instance)
    code = getattr(record, "code", "")
    return f"{name} ({code})" if code else name
