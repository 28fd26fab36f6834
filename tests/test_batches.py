"""Batches on a real Dask cluster (batches/): a scheduler and two workers, each a process of its
own as `make cluster` starts them, run every county of the city through the analyses.

The data a batch reads and writes is committed (the workers are other processes, with their
own connections), and removed at the end: a second county, 丹凤县 (611022), drawn as a 20 km
square beside the sample county with one village, one road and one health-check center, whose
DEM is recorded but whose file is missing; and the batches.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from batches.cluster import cluster, new_batch, resumed, run_batch, worker_environment
from batches.models import Batch, BatchResult
from gisplan.api import Refusal, plain
from jobs.models import Job
from jobs.tasks import RUNNERS, Progress
from layers.models import County, PlanVersion, RasterLayer, Road, ServiceCenter, Town, UserRegion, Village, Zone

pytestmark = pytest.mark.usefixtures("english")
ROOT = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).with_name("dask")
KM = 1000.0


def box(west, south, east, north, srid):
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=srid)


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The sample county and 丹凤县 beside it, committed; 丹凤's DEM file is missing."""
    with django_db_blocker.unblock():
        luonan = County.objects.get(adcode="611021")
        west, south, east, north = luonan.boundary.extent
        srid = luonan.boundary.srid
        outline = box(east, south, east + 20 * KM, south + 20 * KM, srid)
        danfeng = County.objects.create(adcode="611022", name="丹凤县", boundary=outline,
                                        rural_population=1000, poor_households=10,
                                        poor_population=30)
        try:
            town = Town.objects.create(county=danfeng, code="611022100", name="龙驹寨镇",
                                       boundary=outline,
                                       seat=Point(east + 10 * KM, south + 10 * KM, srid=srid))
            plan = PlanVersion.objects.create(county=danfeng, name="丹凤全县",
                                              status=PlanVersion.Status.APPROVED)
            Zone.objects.create(plan=plan, code="C", name="全县", boundary=outline)
            Village.objects.create(code="611022100201", name="龙驹村", town=town,
                                   location=Point(east + 15 * KM, south + 10 * KM, srid=srid),
                                   population=100, poor_population=10)
            Road.objects.create(county=danfeng, name="丹凤路", road_class="county", speed_kmh=30,
                                geometry=LineString((east + 5 * KM, south + 10 * KM),
                                                    (east + 15 * KM, south + 10 * KM), srid=srid))
            ServiceCenter.objects.create(county=danfeng, kind="health_check", name="龙驹体检点",
                                         location=Point(east + 5 * KM, south + 10 * KM, srid=srid))
            dem = RasterLayer.objects.filter(county=luonan, kind=RasterLayer.Kind.DEM).get()
            dem.pk, dem.county, dem.path = None, danfeng, str(Path(dem.path).with_name("gone.tif"))
            dem.save()
            yield luonan, danfeng
        finally:
            Batch.objects.all().delete()
            Village.objects.of_county(danfeng).delete()
            Town.objects.of_county(danfeng).delete()
            danfeng.delete()


@pytest.fixture(autouse=True)
def committed(django_db_blocker):
    """What a test here writes is committed, for the workers to see (and removed by `city`)."""
    with django_db_blocker.unblock():
        yield


def start(*arguments, env):
    """A dask command in a process group of its own (so that it can be killed whole)."""
    return subprocess.Popen([str(DASK), *arguments], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture
def dask_cluster(city, tmp_path):
    """A scheduler and two workers, `a` and `b`, each a process of its own, reaching the test
    database; the criteria they derive go to a data folder of this test's. Yields the
    scheduler's address and the worker processes by name; everything is stopped at the end."""
    env = {**os.environ, **worker_environment(), "GISPLAN_DATA_DIR": str(tmp_path)}
    address_file = tmp_path / "scheduler.json"
    processes = [start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                       "--scheduler-file", str(address_file), "--preload", "batches/preload.py",
                       env=env)]
    try:
        for _ in range(600):
            if address_file.exists() and address_file.stat().st_size:
                break
            time.sleep(0.1)
        import json

        address = json.loads(address_file.read_text())["address"]
        workers = {name: start("worker", address, "--name", name, "--nthreads", "1",
                               "--no-dashboard", "--preload", "batches/preload.py",
                               "--memory-limit", "2GiB", env=env) for name in "ab"}
        processes += workers.values()
        yield address, workers
    finally:
        for process in processes:
            with_group_killed(process)


def with_group_killed(process, sig=signal.SIGKILL):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


def results(batch):
    return sorted(BatchResult.objects.filter(batch=batch)
                  .values_list("county__adcode", "analysis", "status"))


def test_a_batch_survives_a_worker_killed_mid_task_and_a_county_without_its_dem(dask_cluster, city):
    address, workers = dask_cluster
    batch = new_batch("6110", ["coverage", "assessment", "suitability"], industries=["tourism"])
    killed = {}

    def kill_one_while_it_works(done, total, task, status):
        """At the start: as soon as a worker runs a task, kill it (and its nanny) outright."""
        if done or killed:
            return
        for _ in range(600):
            busy = {w["name"]: at for at, w in client.scheduler_info()["workers"].items()
                    if client.processing([at])[at]}
            if busy:
                name, at = next(iter(busy.items()))
                killed.update(name=name, address=at, tasks=client.processing([at])[at])
                with_group_killed(workers[name])
                return
            time.sleep(0.05)

    with cluster(address) as client:
        client.wait_for_workers(2, timeout=120)
        batch = run_batch(batch, client, kill_one_while_it_works)
    assert killed, "no worker was seen running a task"
    assert batch.status == Batch.Status.FINISHED
    # One result per county and analysis, none twice (the table's unique constraint too).
    assert results(batch) == [("611021", "assessment", "succeeded"),
                              ("611021", "coverage", "succeeded"),
                              ("611021", "suitability", "succeeded"),
                              ("611022", "assessment", "succeeded"),
                              ("611022", "coverage", "succeeded"),
                              ("611022", "suitability", "failed")]
    # What the killed worker was running was run again, to the end, by the other one.
    survivor = BatchResult.objects.filter(batch=batch).exclude(worker=killed["address"])
    assert survivor.count() >= len(killed["tasks"]) >= 1
    # 丹凤's suitability failed alone, and says why.
    failed = BatchResult.objects.get(batch=batch, status="failed")
    assert failed.reason.startswith("the county's elevation (DEM) file ")
    assert failed.reason.endswith("gone.tif is missing; restore it or import the DEM again")
    # The figures: 丹凤's one village is 10 km by road from its center at 30 km/h: 20 minutes,
    # within the 30-minute default, so its 10 poor people are all reached.
    coverage = BatchResult.objects.get(batch=batch, county__adcode="611022", analysis="coverage")
    assert coverage.figures["health_check"]["county"]["covered_poor_population"] == 10
    luonan = BatchResult.objects.get(batch=batch, county__adcode="611021", analysis="assessment")
    assert len(luonan.rows) == luonan.figures["villages"] > 200

    # Resumed, only the failed task runs again (and fails again: the file is still missing).
    seen = []
    with cluster(address) as client:
        again = run_batch(resumed(batch.pk), client,
                          lambda done, total, task, status: seen.append(total))
    assert set(seen) == {1} and again.status == Batch.Status.FINISHED
    assert results(again) == results(batch)
    # A finished batch runs again only when resumed; a running one cannot be resumed.
    with pytest.raises(Refusal, match="is finished, not queued: resume it"):
        run_batch(again, None)
    Batch.objects.filter(pk=again.pk).update(status=Batch.Status.RUNNING)
    with pytest.raises(Refusal, match="is already waiting or running"):
        resumed(again.pk)


def test_the_command_runs_a_batch_on_workers_of_its_own(city, capsys):
    call_command("batch", region="6110", analyses="assessment,coverage", services="health_check",
                 workers=1, verbosity=0)
    line = capsys.readouterr().out.strip()
    batch = Batch.objects.latest_of("6110")
    assert line == f"batch {batch.pk} (6110) finished: 4 of 4 tasks succeeded"
    assert [a for _c, a, _s in results(batch)] == ["assessment", "coverage"] * 2


def test_a_county_analyst_may_not_start_a_batch_of_the_city(city, capsys):
    analyst = User.objects.create_user("county_analyst_batch")
    analyst.groups.add(Group.objects.get(name="analyst"))
    UserRegion.objects.create(user=analyst, code="611021")
    try:
        with pytest.raises(Exception, match="no county lies in the region 6110"):
            call_command("batch", region="6110", as_user="county_analyst_batch", verbosity=0)
    finally:
        analyst.delete()


def test_the_region_portal_shows_the_latest_batch(city, client):
    luonan, danfeng = city
    older = Batch.objects.create(region="6110", analyses=["assessment"], services=[], industries=[])
    batch = Batch.objects.create(region="6110", analyses=["coverage", "suitability"],
                                 services=["health_check"], industries=["tourism"],
                                 status=Batch.Status.FINISHED)
    share = {"villages": 4, "covered_villages": 2, "population": 100, "covered_population": 50,
             "poor_population": 40, "covered_poor_population": 10}
    BatchResult.objects.create(batch=batch, county=luonan, analysis="coverage", status="succeeded",
                               figures={"health_check": {"county": share, "zones": {}}})
    BatchResult.objects.create(batch=batch, county=luonan, analysis="suitability",
                               status="succeeded", figures={"tourism": {"suitable_km2": 12.5}})
    BatchResult.objects.create(batch=batch, county=danfeng, analysis="suitability",
                               status="failed", reason="no DEM here")
    analyst = User.objects.create_user("city_analyst_batch")
    analyst.groups.add(Group.objects.get(name="analyst"))
    UserRegion.objects.create(user=analyst, code="6110")
    try:
        client.force_login(analyst)
        page = client.get("/region/").content.decode()
    finally:
        analyst.delete()
    assert f"Batch {batch.pk} across the counties" in page and f"Batch {older.pk} " not in page
    # Luonan: 10 of its 40 poor people reached (25.0%), 12.5 km² for tourism, each a link to
    # the county's own page; 丹凤 has no figures, and says why its task failed.
    assert ('<a href="/analysis/coverage/?county=611021&amp;service=health_check&amp;'
            'across_borders=1">25.0%</a>') in page
    assert '<a href="/analysis/siting/?county=611021&amp;industry=tourism">12.5</a>' in page
    assert "suitability: no DEM here" in page
    assert 'data-indicator="coverage:health_check"' in page
    assert f"/api/batches/{batch.pk}/export/?format=xlsx" in page
    # The map colours the counties by the indicator: its value is in each county's properties.
    assert '"coverage:health_check": 0.25' in page


def test_a_batch_cancelled_from_the_jobs_page_stops(dask_cluster, city, client):
    address, _workers = dask_cluster
    analyst = User.objects.create_user("city_analyst_cancel")
    analyst.groups.add(Group.objects.get(name="analyst"))
    UserRegion.objects.create(user=analyst, code="6110")
    client.force_login(analyst)
    # Luonan's siting of every industry takes a while; 丹凤's fails at once (no DEM file).
    batch = new_batch("6110", ["suitability"])
    seen = []

    def cancel_after_the_first(done, total, task, status):
        seen.append(done)
        if done == 1:
            assert client.post(f"/batches/{batch.pk}/cancel/").status_code == 302

    try:
        with cluster(address) as dask:
            dask.wait_for_workers(2, timeout=120)
            stopped = run_batch(batch, dask, cancel_after_the_first)
    finally:
        analyst.delete()
    assert stopped.status == Batch.Status.CANCELLED and stopped.finished_at is not None
    assert max(seen) == 1  # it stopped following the tasks once cancelled
    # Cancelled before it starts, a batch runs nothing.
    again = run_batch(stopped, None)
    assert again.status == Batch.Status.CANCELLED


def test_a_bad_batch_is_refused_in_one_line_and_writes_nothing(city, monkeypatch):
    before = Batch.objects.count()
    for options, message in (
            ({}, "give --region for a new batch or --resume for an earlier one"),
            ({"region": "6110", "analyses": "coverage,routing"},
             "the analyses are some of coverage, assessment, suitability, not routing"),
            ({"region": "6110", "services": "hospital"}, "unknown service hospital; choose from "),
            ({"region": "62"}, "no county lies in the region 62"),
            ({"resume": "999999"}, "no batch has the number 999999"),
            ({"region": "6110", "workers": 0}, "--workers is a whole number from 1 to 64"),
            ({"region": "6110", "out": "/no/such/folder/batch.xlsx"},
             "--out is a .csv or .xlsx file in a folder that exists")):
        with pytest.raises(CommandError) as refused:
            call_command("batch", verbosity=0, **options)
        assert str(refused.value).startswith(message) and "\n" not in str(refused.value)
    monkeypatch.setenv("GISPLAN_DASK_WORKERS", "many")
    with pytest.raises(CommandError, match="^GISPLAN_DASK_WORKERS is a whole number from 1 to 64"):
        call_command("batch", region="6110", verbosity=0)
    assert Batch.objects.count() == before


def test_a_batch_from_the_web_waits_in_a_queue_of_its_own_and_runs_on_the_cluster(
        dask_cluster, city, client, settings):
    address, _workers = dask_cluster
    settings.DASK_SCHEDULER = address
    analyst = User.objects.create_user("city_analyst_web")
    analyst.groups.add(Group.objects.get(name="analyst"))
    UserRegion.objects.create(user=analyst, code="6110")
    client.force_login(analyst)
    try:
        answer = client.post("/api/batches/", {"region": "6110", "analyses": "assessment"})
        assert answer.status_code == 202
        batch, job = answer.json()["batch"], Job.objects.get(pk=answer.json()["job"]["id"])
        # Not the queue of the imports and single analyses (settings.TASKS).
        assert DBTaskResult.objects.get(id=job.task_id).queue_name == "batches"
        # While it waits, the jobs page offers to cancel it.
        assert f'action="/batches/{batch["id"]}/cancel/"' in client.get("/jobs/").content.decode()
        result = plain(RUNNERS[job.kind](job, Progress(job)))  # what the batch worker does
        assert result["summary"] == f"batch {batch['id']} (6110) finished: 2 of 2 tasks succeeded"
        job.refresh_from_db()
        assert (job.stage, job.fraction_done) == ("2 of 2 tasks", 1)
    finally:
        for queued in Job.objects.filter(user=analyst):
            DBTaskResult.objects.filter(id=queued.task_id).delete()
            queued.delete()
        analyst.delete()
