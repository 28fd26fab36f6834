"""The work a job does, run by the worker (manage.py run_jobs) through django-tasks.

Each kind of job calls the same function as its command and its API endpoint and keeps the
same JSON the endpoint answers, so a script can switch between waiting and queueing.
"""
import dataclasses
import shutil
import time
from typing import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from access.api import (coverage_data, coverage_options, locate_data, locate_options,
                        region_coverage_data)
from access.runs import run_coverage, run_locate, run_region_coverage
from batches.cluster import run_on_cluster
from batches.models import Batch
from batches.report import summary
from gisplan.api import REFUSALS, one_line, plain, without_nul
from layers.forms import raster_options, saved_upload
from layers.importing import ImportOptions, import_layer
from layers.rasters import import_raster
from siting.api import siting_data, siting_options
from siting.runs import run_siting

from .models import Job

REPORT_EVERY_SECONDS = 0.5


class Progress:
    """Writes a job's stage and the fraction done, at most twice a second."""

    def __init__(self, job):
        self.job, self.last = job, 0.0

    def __call__(self, stage, fraction):
        now = time.monotonic()
        if now - self.last >= REPORT_EVERY_SECONDS or fraction >= 1:
            self.last = now
            Job.objects.filter(pk=self.job.pk).update(stage=stage, fraction_done=min(fraction, 1))

    def records(self, stage, items):
        """`items`, reporting how many have been read."""
        items = list(items)
        for number, item in enumerate(items, 1):
            self(stage, number / len(items))
            yield item


def run_import(job, progress):
    params = job.params
    options = ImportOptions(params["kind"], job.upload_folder / params["file"],
                            params.get("encoding"), params.get("srid"), params.get("layer"),
                            params.get("replace", False), params.get("dry_run", False), job.user,
                            job.region or None)
    return _from_upload(job, lambda: import_layer(options, progress=lambda records: progress.records(
        _("checking the features"), records)))


def run_raster_import(job, progress):
    options = raster_options(job.params, job.upload_folder / job.params["file"], job.region or None)
    return _from_upload(job, lambda: import_raster(options, progress))


def _from_upload(job, run):
    """The report of `run()`, an import of the job's uploaded file, as the import endpoint
    answers it; the file is gone afterwards, whatever happened."""
    try:
        report = run()
    finally:
        shutil.rmtree(job.upload_folder, ignore_errors=True)
    return {**dataclasses.asdict(report), "summary": report.summary()}


def run_coverage_job(job, progress):
    progress(_("travel times"), 0)
    return coverage_data(run_coverage(coverage_options(job.params, job.region or None)))


def run_region_coverage_job(job, progress):
    runs = run_region_coverage(coverage_options(job.params, None), job.region,
                               lambda fraction: progress(_("counties"), fraction))
    return region_coverage_data(runs, job.region)


def run_batch_job(job, progress):
    """A batch started from the web, handed to the Dask cluster (settings.DASK_SCHEDULER)."""
    batch = run_on_cluster(Batch.objects.get(pk=job.params["batch"]), settings.DASK_SCHEDULER,
                           progress=lambda done, total, task, status: progress(
                               _("%(done)d of %(total)d tasks") % {"done": done, "total": total},
                               done / total if total else 1))
    return {"batch": batch.pk, "status": batch.status, "summary": summary(batch)}


def run_locate_job(job, progress):
    progress(_("solving"), 0)
    return locate_data(run_locate(locate_options(job.params, job.region or None)))


def run_suitability_job(job, progress):
    stages = {"criteria": _("deriving the criteria"), "surface": _("scoring the county")}
    return siting_data(run_siting(siting_options(job.params, job.region or None),
                                  progress=lambda stage, fraction: progress(stages[stage], fraction)))


@dataclasses.dataclass(frozen=True)
class Analysis:
    """An analysis a job runs with the parameters of its endpoint."""

    parameters: tuple  # the query parameters the endpoint reads: only these are kept
    options: Callable  # (parameters, county code) -> checked options, or a refusal
    run: Callable  # (job, progress) -> the endpoint's JSON
    region_wide: bool = False  # asked for a city or the province (?region=), not a county


REACH = ("service", "mode", "max_distance", "max_minutes", "planned", "across_borders")
ANALYSES = {
    Job.Kind.COVERAGE: Analysis(REACH + ("capacities",), lambda p, county: coverage_options(p, county).checked(),
                                run_coverage_job),
    # Every county of the region, each across its borders (so no across_borders parameter).
    Job.Kind.REGION_COVERAGE: Analysis(REACH[:-1], lambda p, region: coverage_options(p, None).checked(),
                                       run_region_coverage_job, region_wide=True),
    Job.Kind.LOCATE: Analysis(REACH + ("model", "p", "keep_existing", "time_limit", "capacities",
                                       "new_capacity"),
                              lambda p, county: locate_options(p, county).checked(), run_locate_job),
    Job.Kind.SUITABILITY: Analysis(("industry", "zone", "top"), siting_options,
                                   run_suitability_job),
}
RUNNERS = {Job.Kind.IMPORT: run_import, Job.Kind.RASTER: run_raster_import,
           Job.Kind.BATCH: run_batch_job, **{kind: a.run for kind, a in ANALYSES.items()}}
# The queue of each kind of job (settings.TASKS): batches wait for the worker that hands them
# to the Dask cluster, never in front of an import.
QUEUES = {Job.Kind.BATCH: "batches"}


@task()
def run_job(job_id):
    """Run the job `job_id` and record its outcome on it."""
    close_old_connections()
    job = Job.objects.select_related("user").get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now(),
                                         stage="", fraction_done=0, error="")
    outcome = {"status": Job.Status.SUCCEEDED, "fraction_done": 1, "stage": ""}
    try:
        with translation.override(job.language):  # the messages in the asker's language
            outcome["result"] = plain(RUNNERS[job.kind](job, Progress(job)))
    except REFUSALS as refusal:
        with translation.override(job.language):
            outcome.update(status=Job.Status.REFUSED, error=one_line(refusal))
    except BaseException:  # also the worker stopped mid-job (SystemExit, KeyboardInterrupt)
        with translation.override(job.language):
            error = _("The job failed because of an error in gisplan or was stopped; the "
                      "worker's log has the details.")
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED,
                                             finished_at=timezone.now(), error=error)
        raise  # recorded with its traceback by django-tasks
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **outcome)
    return str(job.pk)


def queue_analysis(kind, given, user, where):
    """Queue analysis `kind` with the parameters it reads from `given`, for `where` (a county's
    code, or a region's checked code for a region-wide one), once its options are checked."""
    analysis = ANALYSES[kind]
    params = without_nul({name: given[name] for name in analysis.parameters if given.get(name)})
    analysis.options(params, where)  # refused now, not in the worker
    return enqueue(Job.objects.create(kind=kind, params=params, user=user, region=where,
                                      language=translation.get_language()))


def queue_batch(batch, user):
    """Queue `batch` (batches.cluster.new_batch) for the worker that hands it to the cluster."""
    return enqueue(Job.objects.create(kind=Job.Kind.BATCH, params={"batch": batch.pk},
                                      user=user, region=batch.region,
                                      language=translation.get_language()))


def enqueue(job):
    """Queue `job` for its worker and remember the task."""
    task = run_job.using(queue_name=QUEUES.get(job.kind, "default"))
    job.task_id = str(task.enqueue(str(job.pk)).id)
    job.save(update_fields=["task_id"])
    return job


def queue_import(data, user, county):
    """Queue the import of a checked ImportForm's `data` into `county` (its code): the file
    waits in the job's folder."""
    return _queue_upload(Job.Kind.IMPORT, data, user, county, lambda name: {
        "kind": data["kind"], "file": name, "encoding": data["encoding"] or None,
        "srid": data["srid"], "layer": data["layer"] or None, "replace": data["replace"],
        "dry_run": data["dry_run"]})


def queue_raster_import(data, user, county):
    """Queue the import of a checked RasterImportForm's `data` into `county` (its code)."""
    return _queue_upload(Job.Kind.RASTER, data, user, county, lambda name: {
        **{key: value for key, value in data.items() if key != "file"}, "file": name})


def _queue_upload(kind, data, user, county, params):
    job = Job(kind=kind, user=user, region=county, language=translation.get_language())
    job.upload_folder.mkdir(parents=True)
    try:
        path = saved_upload(data["file"], job.upload_folder)
        job.params = params(path.name)
        job.save()
        return enqueue(job)
    except BaseException:
        shutil.rmtree(job.upload_folder, ignore_errors=True)
        raise
