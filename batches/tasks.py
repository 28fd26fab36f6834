"""One task of a batch: one county's analysis, as a Dask worker runs it. It reads the county's
inputs from PostGIS, runs the functions the pages run (access.runs, assessment.runs,
siting.runs) and keeps its result in one statement keyed by (batch, county, analysis): a task
that runs twice (its worker died, the batch was resumed) replaces its own row, never adds one.

A refusal or an error fails the task alone, its reason kept on its row; the other tasks go on.
"""
import dataclasses
import logging
import resource
import socket
import time

from django.db import close_old_connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access.runs import CoverageOptions, run_coverage
from assessment.runs import AssessOptions, run_assessment
from gisplan.api import REFUSALS, one_line, plain
from layers.crs import to_lonlat
from layers.models import County
from siting.runs import SitingOptions, run_siting

from .models import Batch, BatchResult

log = logging.getLogger(__name__)


def coverage(batch, code):
    """Per service: the share of villages, people and poor people its centers reach, for the
    county and each zone; each county served across borders, as the region portal counts."""
    figures = {}
    for service in batch.services:
        run = run_coverage(CoverageOptions(service, county=code, across_borders=True))
        shares = {zone: dataclasses.asdict(share) for zone, share in run.shares.items()}
        figures[service] = {"county": shares.pop(None), "zones": shares,
                            "threshold": run.options.threshold, "mode": run.options.mode}
    return figures, []


def assessment(batch, code):
    """Per exit module: the villages that pass; and a row per village, as assess_exit writes."""
    run = run_assessment(AssessOptions(county=code))
    figures = {"villages": len(run.villages),
               "passed": {name: int(result.passed.sum()) for name, result in run.results.items()},
               "poor_population": sum(v["poor_population"] for v in run.villages),
               "summary": run.summary()}
    return figures, list(run.rows())


def suitability(batch, code):
    """Per industry: the land scored and suitable, the conflicts, per zone; and its top
    candidate sites (with a point on each, in lon/lat)."""
    figures, rows = {}, []
    for industry in batch.industries:
        run = run_siting(SitingOptions(industry, county=code))
        zones = run.zone_rows()
        figures[industry] = {
            "scored_km2": sum(z["scored_km2"] for z in zones),
            "suitable_km2": sum(z["suitable_km2"] for z in zones),
            "conflict_km2": sum(z["conflict_km2"] for z in zones),
            "sites": len(run.sites), "zones": zones, "summary": run.summary()}
        srid = run.surface.grid.crs.to_epsg()
        for row, site in zip(run.site_rows(), run.sites):
            lon, lat = to_lonlat(site.geometry.point_on_surface(), srid).coords[0]
            rows.append({"industry": industry, **{k: v for k, v in row.items() if k != "criteria"},
                         "lon": round(lon, 6), "lat": round(lat, 6)})
    return figures, rows


RUNS = {"coverage": coverage, "assessment": assessment, "suitability": suitability}


def run_task(batch_id, code, analysis):
    """Run `analysis` for the county of `code` in batch `batch_id` and keep its result; its
    status ("succeeded", "failed", or "cancelled" when the batch was cancelled first)."""
    close_old_connections()
    batch = Batch.objects.get(pk=batch_id)
    if batch.status == Batch.Status.CANCELLED:
        return "cancelled"
    start = time.perf_counter()
    figures, rows, reason = {}, [], ""
    with translation.override(batch.language):
        try:
            figures, rows = (plain(found) for found in RUNS[analysis](batch, code))
        except REFUSALS as refusal:
            reason = one_line(refusal)
        except Exception:  # an error in gisplan: this task alone fails
            log.exception("batch %s: %s of %s failed", batch_id, analysis, code)
            reason = _("an error in gisplan; the worker's log has the details")
    status = BatchResult.Status.FAILED if reason else BatchResult.Status.SUCCEEDED
    keep(batch, code, analysis, status=status, reason=reason, figures=figures, rows=rows,
         seconds=time.perf_counter() - start, peak_mb=_peak_mb(), worker=_worker())
    return status


def _peak_mb():
    """The peak resident memory of this process so far, in MB: Linux's VmHWM, which (unlike
    getrusage's, kept across the exec of a spawned worker from its parent's) is this program's
    own."""
    try:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker():
    """The Dask worker running this task (its address), or this host outside Dask."""
    from distributed import get_worker

    try:
        return get_worker().address
    except ValueError:
        return socket.gethostname()


def keep(batch, code, analysis, **values):
    """The result of (batch, county, analysis), inserted or, when the task ran before, put in
    place of the earlier one: one INSERT ... ON CONFLICT statement, so two runs of a task at
    once still leave one row."""
    county = County.objects.get(adcode=code)
    BatchResult.objects.bulk_create(
        [BatchResult(batch=batch, county=county, analysis=analysis, finished_at=timezone.now(),
                     **values)],
        update_conflicts=True, unique_fields=["batch", "county", "analysis"],
        update_fields=[*values, "finished_at"])
