"""Writing an import's checked features in one transaction: rows added, updated or (replacing)
deleted, each change in the model's history with the importing user; zones as a new draft plan
version, if they partition the county."""
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..datasets import DATASETS
from ..models import PlanVersion, Zone
from ..partition import problems
from .checking import Invalid
from .options import ImportRefused

# Geometries closer than this count as unchanged (a round trip through degrees moves nothing more).
SAME_METRES = 0.001


def write(dataset, features, options, county):
    """Add, update (and with `options.replace` first delete) the rows of `county` (None: the
    counties themselves), each change in the model's history (the audit log) with the importing
    user; the counts for the report."""
    model, deleted, replace = dataset.model, 0, options.replace
    rows = model.objects.all() if county is None else model.objects.of_county(county)
    if replace:
        try:
            deleted = rows.delete()[1].get(model._meta.label, 0)
        except ProtectedError as problem:
            raise ImportRefused(_("--replace would delete %(kind)s that %(n)d other rows still "
                                  "refer to; import without --replace to update them instead")
                                % {"kind": model._meta.verbose_name_plural,
                                   "n": len(problem.protected_objects)}) from None
    existing = {tuple(getattr(row, k) for k in dataset.key): row
                for row in rows} if dataset.key else {}
    created, updated, changed_fields, seen = [], [], set(), {}
    for feature in features:
        values = dict(feature.values)
        if county is not None:
            values["county"] = county
        if dataset.key:
            k = key(dataset, values)
            if k in seen:
                raise ImportRefused(_("%(label)s: the same %(key)s as %(other)s")
                                    % {"label": feature.label, "key": ", ".join(map(str, k)),
                                       "other": seen[k]})
            seen[k] = feature.label
        row = existing.get(key(dataset, values)) if dataset.key else None
        try:
            if row is None:
                row = new_row(dataset, values)
                created.append(row)
            else:
                changes = {f: v for f, v in values.items() if not same(row, f, v)}
                for name, value in changes.items():
                    setattr(row, name, value)
                if changes:
                    updated.append(row)
                    changed_fields |= changes.keys()
            check_sums(dataset, row)
        except Invalid as problem:
            raise ImportRefused(f"{feature.label}: {problem}") from None
    if hasattr(model, "history"):
        recorded = {"default_user": options.user, "default_date": timezone.now(),
                    "default_change_reason": (_("imported from %(file)s")
                                              % {"file": Path(options.path).name})[:100]}
        bulk_create_with_history(created, model, **recorded)
        if updated:
            bulk_update_with_history(updated, model, sorted(changed_fields), batch_size=500,
                                     **recorded)
    else:
        model.objects.bulk_create(created)
        if updated:
            model.objects.bulk_update(updated, sorted(changed_fields), batch_size=500)
    if hasattr(rows, "assign_zones"):
        rows.assign_zones()
    if hasattr(rows, "derive_web_shapes"):
        rows.derive_web_shapes()
    return {"created": len(created), "updated": len(updated), "deleted": deleted}


def key(dataset, values):
    return tuple(values.get(k) for k in dataset.key)


def new_row(dataset, values):
    if not any(f in values for f in dataset.geometry.values()):
        raise Invalid(_("no %(kind)s has the %(key)s %(value)s (a table without lon/lat only "
                        "updates existing rows)")
                      % {"kind": dataset.model._meta.verbose_name, "key": "/".join(dataset.key),
                         "value": "/".join(str(values[k]) for k in dataset.key)})
    for name, default in dataset.defaults.items():
        if name not in values:
            try:
                values[name] = default(values)
            except ValueError as problem:
                raise Invalid(str(problem)) from None
    missing = [c.name for c in dataset.columns if c.required and values.get(c.target) is None]
    if missing:
        raise Invalid(_("%(columns)s must be given for a new row") % {"columns": ", ".join(missing)})
    return dataset.model(**values)


def same(row, name, value):
    current = getattr(row, name)
    if isinstance(value, GEOSGeometry) and current is not None:
        a, b = (shapely.from_wkb(bytes(g.wkb)) for g in (current, value))
        return a.geom_type == b.geom_type and shapely.hausdorff_distance(a, b) <= SAME_METRES
    if isinstance(value, Model):
        return getattr(row, row._meta.get_field(name).attname) == value.pk
    return current == value


def check_sums(dataset, row):
    for lesser, greater in dataset.at_most:
        if getattr(row, lesser) > getattr(row, greater):
            fields = row._meta
            raise Invalid(_("%(lesser)s (%(a)d) exceeds %(greater)s (%(b)d)")
                          % {"lesser": fields.get_field(lesser).verbose_name, "a": getattr(row, lesser),
                             "greater": fields.get_field(greater).verbose_name, "b": getattr(row, greater)})


def plan_name(options):
    """The name of the draft plan version a zones import makes."""
    return options.layer or Path(options.path).stem


def write_zones(features, options, county):
    """A new draft plan version of `county` with the zones of the file, if they partition the
    county: its own number of zones, each code once."""
    codes = [f.values["code"] for f in features]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ImportRefused(_("a zones file holds each zone once; this one holds %(codes)s more "
                              "than once") % {"codes": ", ".join(repeated)})
    missing = [c.name for c in DATASETS["zones"].columns
               if c.required and any(f.values.get(c.target) is None for f in features)]
    if missing:
        raise ImportRefused(_("%(columns)s must be given for every zone") % {"columns": ", ".join(missing)})
    found = problems({f.values["code"]: f.values["boundary"] for f in features},
                     county.boundary)
    if found:
        raise ImportRefused(_("the zones are not a partition of the county: %(problems)s")
                            % {"problems": "; ".join(found)})
    name = plan_name(options)
    plan = PlanVersion.objects.create(county=county, name=name, status=PlanVersion.Status.DRAFT,
                                      created_by=options.user,
                                      note=_("imported from %(file)s") % {"file": Path(options.path).name})
    bulk_create_with_history([Zone(plan=plan, **f.values) for f in features], Zone,
                             default_user=options.user, default_change_reason="imported",
                             default_date=timezone.now())  # one change: restorable as one
    Zone.objects.filter(plan=plan).derive_web_shapes()
    return {"created": len(features), "updated": 0, "deleted": 0, "plan": name}
