"""What a batch found, as the command, the region portal and the export show it: per county,
one figure per indicator (a service's coverage, an exit module's passes, an industry's
suitable land), and the tasks that failed with their reasons."""
from django.utils.translation import gettext as _

from layers.exit_criteria import exit_rules, module_label
from layers.models import Industry, ServiceCenter

from .models import BatchResult


def indicators(batch):
    """[(key, label)] of the batch's indicators, in the order of its analyses."""
    found = []
    for analysis in batch.analyses:
        if analysis == "coverage":
            found += [(f"coverage:{s}", _("%(service)s: poor population reached")
                       % {"service": ServiceCenter.Kind(s).label}) for s in batch.services]
        elif analysis == "assessment":
            found += [(f"assessment:{m}", _("%(module)s: villages that pass")
                       % {"module": module_label(m)}) for m in exit_rules().modules]
        else:
            found += [(f"suitability:{i}", _("%(industry)s: suitable land (km²)")
                       % {"industry": Industry.Kind(i).label}) for i in batch.industries]
    return found


def figures(result):
    """{indicator key: value} of one task's result: a share (0–1) for coverage and the
    assessment, km² for suitability; none for a failed task."""
    if result.status != BatchResult.Status.SUCCEEDED:
        return {}
    f = result.figures
    if result.analysis == "coverage":
        return {f"coverage:{s}": _share(v["county"]["covered_poor_population"],
                                        v["county"]["poor_population"]) for s, v in f.items()}
    if result.analysis == "assessment":
        return {f"assessment:{m}": _share(passed, f["villages"]) for m, passed in f["passed"].items()}
    return {f"suitability:{i}": v["suitable_km2"] for i, v in f.items()}


def county_rows(batch, results):
    """One dict per county of `results` (BatchResults of `batch`, with their counties): its
    code, name, each indicator's value (None: not computed) and the reasons of its failed
    tasks."""
    rows = {}
    for result in sorted(results, key=lambda r: (r.county.adcode, r.analysis)):
        row = rows.setdefault(result.county.adcode, {
            "county": result.county.adcode, "name": result.county.name,
            **{key: None for key, _label in indicators(batch)}, "failed": []})
        row.update(figures(result))
        if result.status == BatchResult.Status.FAILED:
            row["failed"].append(f"{result.analysis}: {result.reason}")
    return list(rows.values())


def export_rows(batch, results):
    """The rows of the batch's CSV/XLSX export: one per county and indicator."""
    labels = dict(indicators(batch))
    out = []
    for row in county_rows(batch, results):
        for key, label in labels.items():
            out.append({"county": row["county"], "county_name": row["name"], "indicator": key,
                        "label": label, "value": row[key]})
        for failure in row["failed"]:
            analysis, _sep, reason = failure.partition(": ")
            out.append({"county": row["county"], "county_name": row["name"],
                        "indicator": f"{analysis}:failed", "label": reason, "value": None})
    return out


def summary(batch):
    """One line: how many tasks succeeded and failed, and why the failures failed."""
    results = list(batch.results.with_counties())
    failed = [r for r in results if r.status == BatchResult.Status.FAILED]
    line = _("batch %(id)d (%(region)s) %(status)s: %(ok)d of %(all)d tasks succeeded") % {
        "id": batch.pk, "region": batch.region, "status": batch.get_status_display(),
        "ok": len(results) - len(failed), "all": len(batch.tasks())}
    if failed:
        line += "; " + _("failed: %(which)s") % {"which": "; ".join(
            f"{r.analysis} {r.county.name} ({r.county.adcode}): {r.reason}" for r in failed)}
    return line


def _share(part, whole):
    return part / whole if whole else None
