"""A batch on a Dask cluster: one task per county and analysis (batches.tasks.run_task), handed
to the scheduler given (`tcp://HOST:8786`; it and its workers started with `--preload
batches/preload.py`) or to a cluster of single-threaded worker processes started here for the
batch alone. The same function runs the command's batches and the web's (jobs.tasks).

Dask runs a task again on another worker when its worker dies; a task whose workers die
again and again (a county too large for the memory limit) ends as failed, with its reason,
and the batch goes on. PostGIS stays the one system of record: the tasks read their inputs
from it and write their results to it, so the cluster keeps nothing a batch needs afterwards.
"""
import os
import queue
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gisplan.api import Refusal, one_line
from layers.models import Industry, ServiceCenter
from layers.regions import region_named
from siting.runs import profiles

from .models import ANALYSES, Batch, BatchResult
from .tasks import keep, run_task

PRELOAD = Path(__file__).with_name("preload.py")
DASK_CONFIG = Path(__file__).with_name("dask.yaml")  # also DASK_CONFIG of `make cluster`
POLL_SECONDS = 1.0  # how often a running batch looks whether it was cancelled


def workers_here():
    """Worker processes of a cluster started on this machine: GISPLAN_DASK_WORKERS, else one
    per core."""
    given = os.environ.get("GISPLAN_DASK_WORKERS") or str(os.cpu_count() or 1)
    if not given.isdigit() or not 1 <= int(given) <= 64:
        raise Refusal(_("GISPLAN_DASK_WORKERS is a whole number from 1 to 64, not %(given)s")
                      % {"given": given})
    return int(given)


def memory_limit():
    """Each worker's memory limit (Dask restarts a worker that passes 95% of it, and runs its
    task again elsewhere): GISPLAN_DASK_MEMORY, 2 GiB by default."""
    return os.environ.get("GISPLAN_DASK_MEMORY") or "2GiB"


def new_batch(region, analyses, services=None, industries=None, user=None, language=None):
    """A batch of `analyses` (some of ANALYSES) over the counties of `region` (a city's or the
    province's code, within `user`'s region), refused when any of it is unknown. Coverage runs
    every kind of center and suitability every industry the profiles describe, unless
    `services` or `industries` name some. Its tasks speak `language` (by default the one
    active: the user's on a page)."""
    region = region_named(region, user)
    unknown = [a for a in analyses if a not in ANALYSES]
    if unknown or not analyses:
        raise Refusal(_("the analyses are some of %(known)s, not %(given)s")
                      % {"known": ", ".join(ANALYSES), "given": ", ".join(unknown) or "none"})
    services = list(services or ServiceCenter.Kind.values)
    industries = list(industries or [k for k in Industry.Kind.values if k in profiles()])
    for given, known, what in ((services, ServiceCenter.Kind.values, _("service")),
                               (industries, list(profiles()), _("industry"))):
        wrong = [value for value in given if value not in known]
        if wrong:
            raise Refusal(_("unknown %(what)s %(value)s; choose from %(known)s")
                          % {"what": what, "value": wrong[0], "known": ", ".join(known)})
    return Batch.objects.create(region=region, analyses=[a for a in ANALYSES if a in analyses],
                                services=services, industries=industries, user=user,
                                language=language or get_language() or settings.LANGUAGE_CODE)


def resumed(batch_id, user=None):
    """The batch `batch_id` to run again where it lacks a result, within `user`'s region."""
    found = Batch.objects.filter(pk=batch_id)
    if user is not None:
        found = found.visible_to(user)
    batch = found.first() if str(batch_id).isdigit() else None
    if batch is None:
        raise Refusal(_("no batch has the number %(id)s") % {"id": batch_id})
    if not Batch.objects.filter(pk=batch.pk).exclude(
            status__in=(Batch.Status.QUEUED, Batch.Status.RUNNING)).update(
            status=Batch.Status.QUEUED, finished_at=None):
        raise Refusal(_("batch %(id)d is already waiting or running") % {"id": batch.pk})
    batch.refresh_from_db()
    return batch


@contextmanager
def cluster(scheduler=None, workers=None):
    """A Dask client of the scheduler at `scheduler`, or of `workers` single-threaded worker
    processes started here (stopped when the block ends)."""
    import dask  # here, when a batch runs: the web's processes never load Dask
    import yaml
    from dask.distributed import Client, LocalCluster

    # For the workers started here (batches/dask.yaml says why; `make cluster` reads it too).
    dask.config.update(dask.config.config, yaml.safe_load(DASK_CONFIG.read_text()))
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError):
            raise Refusal(_("no Dask scheduler answers at %(address)s; start one (make cluster) "
                            "or name another") % {"address": scheduler}) from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers or workers_here(), threads_per_worker=1, processes=True,
                      memory_limit=memory_limit(), dashboard_address=None,
                      preload=[str(PRELOAD)], env=worker_environment()) as local, \
            Client(local) as client:
        yield client


def worker_environment():
    """What local workers need to reach the data this process reads: its database and its data
    folder (as settings have them, whatever set them)."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else f"[{host}]" if ":" in host else host
    options = urlencode({k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str)})
    url = (f"postgis://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
           f"{host}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
           + (f"?{options}" if options else ""))
    return {"DATABASE_URL": url, "GISPLAN_DATA_DIR": str(settings.DATA_DIR),
            "OMP_NUM_THREADS": "1", "GDAL_NUM_THREADS": "1"}


def run_on_cluster(batch, scheduler=None, workers=None, progress=None):
    """`run_batch` on the cluster of `cluster(scheduler, workers)`; a batch whose cluster cannot
    be reached is stopped (to be resumed), not left waiting."""
    try:
        with cluster(scheduler, workers) as client:
            return run_batch(batch, client, progress or (lambda done, total, task, status: None))
    except BaseException:
        Batch.objects.filter(pk=batch.pk, status=Batch.Status.QUEUED).update(
            status=Batch.Status.STOPPED, finished_at=timezone.now())
        raise


def run_batch(batch, client, progress=lambda done, total, task, status: None):
    """Run the tasks of `batch` (queued: new or resumed) that lack a succeeded result on
    `client`'s cluster, one task per county and analysis; `progress(done, total, (code,
    analysis), status)` after each. Ends early when the batch is cancelled (its tasks not yet
    started are cancelled on the cluster; one already running finishes and keeps its row). The
    batch is returned with its status: finished, cancelled, or stopped (the run was broken off:
    resume it)."""
    if not Batch.objects.filter(pk=batch.pk, status=Batch.Status.QUEUED).update(
            status=Batch.Status.RUNNING, finished_at=None):
        batch.refresh_from_db()
        if batch.status == Batch.Status.CANCELLED:  # cancelled before it started
            return batch
        raise Refusal(_("batch %(id)d is %(status)s, not queued: resume it to run it again")
                      % {"id": batch.pk, "status": batch.get_status_display()})
    tasks = batch.missing()
    run = uuid.uuid4().hex[:8]  # task keys of this run: a resumed batch's are new
    futures = {client.submit(run_task, batch.pk, code, analysis, pure=False,
                             key=f"{analysis}-{code}-batch{batch.pk}-{run}"): (code, analysis)
               for code, analysis in tasks}
    # Each future reports here when it ends: waiting on all pending ones in turn would make
    # Dask keep a waiter per pending future and poll.
    finished = queue.SimpleQueue()
    for future in futures:
        future.add_done_callback(finished.put)
    done, status, looked = 0, Batch.Status.FINISHED, time.monotonic()
    progress(0, len(tasks), None, None)
    try:
        while done < len(futures):
            reported = False
            try:
                future = finished.get(timeout=POLL_SECONDS)
                done += 1
                progress(done, len(tasks), futures[future], _outcome(batch, future, futures))
                reported = True
            except queue.Empty:  # none finished in the meantime
                pass
            # Look for a cancel after each task reported (it may have come with the report) and
            # at least every POLL_SECONDS.
            if done < len(futures) and (reported or time.monotonic() - looked >= POLL_SECONDS):
                looked = time.monotonic()
                if Batch.objects.filter(pk=batch.pk, status=Batch.Status.CANCELLED).exists():
                    client.cancel([f for f in futures if not f.done()])
                    status = Batch.Status.CANCELLED
                    break
    except BaseException:  # interrupted (Ctrl-C, the scheduler gone): resume it later
        Batch.objects.filter(pk=batch.pk).exclude(status=Batch.Status.CANCELLED).update(
            status=Batch.Status.STOPPED, finished_at=timezone.now())
        raise
    Batch.objects.filter(pk=batch.pk).exclude(status=Batch.Status.CANCELLED).update(
        status=status, finished_at=timezone.now())
    batch.refresh_from_db()
    return batch


def _outcome(batch, future, futures):
    """The status of a finished task. One that could not run (its workers died again and
    again: Dask gives up after the fourth) is recorded as failed, unless a run of it succeeded."""
    from distributed import KilledWorker

    if future.status != "error":
        return future.result()
    code, analysis = futures[future]
    error = future.exception()
    reason = (_("its worker stopped while running it, again and again (out of memory?)")
              if isinstance(error, KilledWorker) else one_line(f"{type(error).__name__}: {error}"))
    if not batch.results.succeeded().filter(county__adcode=code, analysis=analysis).exists():
        keep(batch, code, analysis, status=BatchResult.Status.FAILED, reason=reason, figures={},
             rows=[], seconds=0.0, peak_mb=0.0, worker="")
    return BatchResult.Status.FAILED
