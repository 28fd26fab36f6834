"""Background jobs: imports and analyses queued through the API, run by the worker
(manage.py run_jobs, a separate process reading the database), surviving a restart of the
server and of a worker killed mid-job, with their progress and outcome on the job."""
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jobs.models import Job
from jobs.tasks import Progress, enqueue
from layers.models import Village
from tests.conftest import log_in

ROOT = Path(__file__).resolve().parent.parent
COVERAGE = {"service": "health_check", "mode": "euclidean", "max_distance": "5000"}


def run_worker(*args):
    """The worker as a server runs it, on the test database, until the queue is empty."""
    db = connection.settings_dict
    env = {**os.environ, "GISPLAN_DATA_DIR": str(settings.DATA_DIR),
           "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}"}
    return subprocess.run([sys.executable, "manage.py", "run_jobs", "--batch",
                           "--no-startup-delay", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def committed(django_db_blocker):
    """Requests and rows committed, as a worker in another process needs them; the jobs and
    tasks removed afterwards."""
    with django_db_blocker.unblock():
        yield
        Job.objects.all().delete()
        DBTaskResult.objects.all().delete()


def signed_in(username):
    return log_in(Client(), username)


def queue(client, path, **data):
    response = client.post(path, data)
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["url"]
    return response.json()


def test_jobs_queued_before_a_restart_run_in_the_worker(committed, tmp_path):
    analyst, planner = signed_in("analyst"), signed_in("planner")
    coverage = queue(analyst, "/api/jobs/analysis/coverage/?" + "&".join(f"{k}={v}" for k, v in COVERAGE.items()))
    village = Village.objects.order_by("code").first()
    good = tmp_path / "figures.csv"
    good.write_text(f"code,population\n{village.code},{village.population}\n")
    bad = tmp_path / "unknown.csv"
    bad.write_text("code,population\n999999999999,10\n")
    with good.open("rb") as one, bad.open("rb") as other:
        fine = queue(planner, "/api/jobs/import/villages/", file=one, dry_run="on")
        refused = queue(planner, "/api/jobs/import/villages/", file=other)
    assert {coverage["status"], fine["status"], refused["status"]} == {"queued"}
    broken = enqueue(Job.objects.create(kind=Job.Kind.IMPORT, params={}, language="en"))  # a bug
    assert Path(settings.DATA_DIR, "uploads", fine["id"], "figures.csv").is_file()

    # The web server restarts: nothing of the jobs lived in it. A worker starts afterwards.
    worker = run_worker()
    assert worker.returncode == 0, worker.stderr

    done = signed_in("analyst").get(coverage["url"]).json()
    assert (done["status"], done["fraction_done"], done["error"]) == ("succeeded", 1, "")
    # The job's result is what the endpoint answers when asked to wait.
    direct = analyst.get("/api/analysis/coverage/", COVERAGE).json()
    assert done["result"] == json.loads(json.dumps(direct))
    done = planner.get(fine["url"]).json()
    assert done["status"] == "succeeded" and done["result"]["read"] == 1
    assert done["result"]["dry_run"] is True
    done = planner.get(refused["url"]).json()
    assert done["status"] == "refused" and "999999999999" in done["error"]
    # A job that fails on an error of gisplan's says so; the worker goes on with the others.
    broken.refresh_from_db()
    assert broken.status == Job.Status.FAILED and "worker's log" in broken.error
    assert DBTaskResult.objects.get(id=broken.task_id).status == TaskResultStatus.FAILED
    # The uploaded files are gone once imported.
    assert not Path(settings.DATA_DIR, "uploads", fine["id"]).exists()


def test_a_job_interrupted_by_a_killed_worker_runs_again_when_the_worker_restarts(committed):
    job = queue(signed_in("analyst"), "/api/jobs/analysis/coverage/", **COVERAGE)
    other = queue(signed_in("analyst"), "/api/jobs/analysis/coverage/", **COVERAGE)
    # As a worker leaves them when killed mid-job: claimed, running, never finished. The second
    # is being run by another worker, which is alive: it is left alone.
    for data, worker_id in ((job, "office-worker"), (other, "other-worker")):
        task = DBTaskResult.objects.get(id=Job.objects.get(pk=data["id"]).task_id)
        task.claim(worker_id)
        Job.objects.filter(pk=data["id"]).update(status=Job.Status.RUNNING, fraction_done=0.4)

    worker = run_worker("--worker-id", "office-worker")
    assert worker.returncode == 0, worker.stderr
    assert "1 interrupted job(s) queued again" in worker.stdout
    assert Job.objects.get(pk=job["id"]).status == Job.Status.SUCCEEDED
    assert Job.objects.get(pk=other["id"]).status == Job.Status.RUNNING
    assert DBTaskResult.objects.get(id=Job.objects.get(pk=other["id"]).task_id).status == \
        TaskResultStatus.RUNNING


def test_a_second_worker_with_the_same_id_is_refused(committed):
    # As another running worker does: it holds its id in a connection of its own.
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"],
                             host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('office-worker'))")
        worker = run_worker("--worker-id", "office-worker")
    finally:
        other.close()
    assert worker.returncode != 0 and "Traceback" not in worker.stderr
    assert worker.stderr.strip().splitlines() == [
        "CommandError: a worker with the id office-worker is already running; give this one "
        "another --worker-id"]


@pytest.mark.django_db
def test_progress_is_written_to_the_job():
    job = Job.objects.create(kind=Job.Kind.IMPORT)
    progress = Progress(job)
    assert list(progress.records("reading", ["a", "b", "c", "d"])) == ["a", "b", "c", "d"]
    job.refresh_from_db()
    assert (job.stage, job.fraction_done) == ("reading", 1)  # the last of four always written


@pytest.mark.django_db
def test_bad_options_are_refused_before_anything_is_queued(client, sample, english):
    log_in(client, "analyst")
    for path, data, status, words in [
            ("/api/jobs/analysis/coverage/", {}, 400, "give the service type"),
            ("/api/jobs/analysis/locate/", {**COVERAGE}, 400, "give the model"),
            ("/api/jobs/analysis/suitability/", {"industry": "mining"}, 400, "mining"),
            ("/api/jobs/analysis/painting/", {}, 404, "no such kind of job"),
            ("/api/jobs/import/villages/", {}, 403, "may not import")]:
        response = client.post(path, data)
        assert response.status_code == status and words in response.json()["error"], path
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_who_may_queue_and_see_jobs(client, sample, english):
    assert client.post("/api/jobs/analysis/coverage/", COVERAGE).status_code == 401
    assert client.get("/api/jobs/").status_code == 401
    assert log_in(client, "official").post("/api/jobs/analysis/coverage/", COVERAGE).status_code == 403
    mine = queue(log_in(client, "analyst"), "/api/jobs/analysis/coverage/", **COVERAGE)
    assert [j["id"] for j in client.get("/api/jobs/").json()["jobs"]] == [mine["id"]]
    # Another user neither lists nor reads it; the administrator does.
    assert log_in(client, "planner").get(mine["url"]).status_code == 404
    assert client.get("/api/jobs/").json()["jobs"] == []
    assert log_in(client, "admin").get(mine["url"]).json()["user"] == "analyst"
    assert client.get("/api/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.django_db
def test_the_data_page_queues_an_import_and_the_jobs_page_shows_it(client, sample, tmp_path, english):
    log_in(client, "planner")
    village = Village.objects.order_by("code").first()
    figures = tmp_path / "figures.csv"
    figures.write_text(f"code,population\n{village.code},{village.population}\n")
    # The data page's "import in the background" button sends its form to jobs.
    assert 'formaction="/jobs/import/"' in client.get("/data/import/").content.decode()
    with figures.open("rb") as upload:
        response = client.post("/jobs/import/", {"kind": "villages", "file": upload,
                                                 "dry_run": "on"})
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    job = Job.objects.get()
    assert (job.kind, job.params["kind"], job.user.username) == ("import", "villages", "planner")
    page = client.get("/jobs/").content.decode()
    assert all(word in page for word in ("kind=villages", "file=figures.csv", "dry_run=True"))
    assert 'http-equiv="refresh"' in page  # queued: the page follows it
    Path(job.upload_folder, "figures.csv").unlink()
    job.upload_folder.rmdir()
    # Other users do not see it.
    assert "figures.csv" not in log_in(client, "analyst").get("/jobs/").content.decode()


@pytest.mark.django_db
def test_a_refused_background_import_comes_back_to_the_data_page(client, sample, english):
    log_in(client, "planner")
    response = client.post("/jobs/import/", {"kind": "villages"})  # no file
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required" in page
    # The page's own Import button imports at once, as on /data/import/.
    assert 'action="/data/import/"' in page and 'formaction="/jobs/import/"' in page
    assert not Job.objects.exists()
