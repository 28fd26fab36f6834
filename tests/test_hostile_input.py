"""The hostile and broken input corpus (tests/hostile_inputs.py): every case is refused
by the command with a one-line CommandError and by the API with a 4xx {"error": ...} (a raster,
always imported in the background: a job refused in one line), in the case's words, and writes
nothing, neither in the database nor in DATA_DIR. A few run as a real `manage.py` process too."""
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from jobs import tasks
from jobs.models import Job
from layers.importing import reading
from layers.models import Village

from .conftest import log_in
from .hostile_inputs import (CASES, HOUSEHOLDS, PERIODS, RASTERS, Facts, dem, geojson, parcels, parcels_zip, shapefile,
                             xlsx, zip_of)
from .layer_files import zip_shapefile
from .test_rasters import data_dir_state, database_state

pytestmark = pytest.mark.usefixtures("english")
ROOT = Path(__file__).resolve().parent.parent
# The tables an import could write: every model of gisplan's apps (the layers with the history
# tables django-simple-history keeps beside them, the jobs) and the task queue of the jobs.


def snapshotted_models():
    return [model for config in apps.get_app_configs()
            if Path(config.path).is_relative_to(ROOT) or config.label == "django_tasks_database"
            for model in config.get_models()]


@pytest.fixture
def facts(sample):
    return Facts()


def state():
    """Each table's row count and largest key, and the villages' names and figures summed up:
    what an import that wrote anything (even rows it deleted again) would change."""
    out = {}
    for model in snapshotted_models():
        rows = model._default_manager.all()
        out[model._meta.label] = (rows.count(), rows.order_by("-pk").values_list("pk", flat=True).first())
    out["villages"] = sorted(Village.objects.values_list("code", "name", "households", "population",
                                                        "poor_population"))
    out["rasters"] = database_state()  # every field of the county's rasters
    out["DATA_DIR"] = data_dir_state()  # every file with the hash of its bytes
    return out


def cases(which=lambda case: True):
    """The cases `which` picks as pytest parameters."""
    return [pytest.param(case, id=case.id) for case in CASES if which(case)]


def written(case, folder, facts, monkeypatch):
    for name, value in case.limits.items():
        monkeypatch.setattr(reading, name, value)
    folder.mkdir()
    return case.write(folder, facts)


def command_line(case, path):
    """The command and its arguments as typed: options stay text, so argparse checks them."""
    if case.kind == PERIODS:
        name, args = "import_periods", [str(path)]
    elif case.kind == HOUSEHOLDS:
        name, args = "import_households", [str(path)]
    else:
        name, args = "import_raster" if case.kind in RASTERS else "import_layer", [case.kind, str(path)]
    for option, value in case.options.items():
        args += [f"--{option}", value]
    return name, args


@pytest.mark.parametrize("case", cases())
def test_the_command_refuses_in_one_line_and_writes_nothing(case, facts, tmp_path, monkeypatch):
    path = written(case, tmp_path / "in", facts, monkeypatch)
    before = state()
    name, args = command_line(case, path)
    with pytest.raises(CommandError) as refusal:
        call_command(name, *args, verbosity=0)
    message = str(refusal.value)
    assert "\n" not in message and "Traceback" not in message, message
    for words in case.words:
        assert words in message, message
    assert state() == before


def upload(case, path):
    """The file the API is sent: a shapefile travels zipped with the sidecars it has."""
    if path.suffix == ".shp":
        return zip_shapefile(path, path.parent / f"{path.stem}-upload.zip")
    return path


@pytest.mark.parametrize("case", cases(lambda case: case.kind not in RASTERS))
def test_the_api_refuses_with_a_4xx_and_writes_nothing(case, facts, client, tmp_path, monkeypatch):
    path = upload(case, written(case, tmp_path / "in", facts, monkeypatch))
    log_in(client, "planner")
    before = state()
    url = {PERIODS: "/api/assessment/periods/", HOUSEHOLDS: "/api/households/import/"}.get(
        case.kind, f"/api/import/{case.kind}/")
    # The name the browser gives the file may differ from the one it has here.
    file = SimpleUploadedFile(case.upload_name or path.name, path.read_bytes())
    response = client.post(url, {"file": file, **case.options})
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:2000])
    assert response["Content-Type"] == "application/json"
    message = json.loads(response.content)["error"]
    for words in case.api_words or case.words:
        assert words in message, message
    assert state() == before


JOB_TABLES = ("jobs.Job", "django_tasks_database.DBTaskResult")


@pytest.mark.parametrize("case", cases(lambda case: case.kind in RASTERS))
def test_the_api_refuses_a_raster_and_writes_nothing(case, facts, client, tmp_path, monkeypatch):
    """A raster is imported in the background: the form's checks answer 400 at once, the rest
    refuse the job in one line; either way nothing but the job itself is written, and its
    upload is gone once it has run."""
    path = written(case, tmp_path / "in", facts, monkeypatch)
    log_in(client, "planner")
    before = state()
    file = SimpleUploadedFile(case.upload_name or path.name, path.read_bytes())
    response = client.post(f"/api/import/raster/{case.kind}/", {"file": file, **case.options})
    assert response["Content-Type"] == "application/json"
    if response.status_code == 202:
        # The worker's run, here: the test's transaction is the worker's connection.
        monkeypatch.setattr(tasks, "close_old_connections", lambda: None)
        tasks.run_job.call(response.json()["id"])
        job = Job.objects.get(pk=response.json()["id"])
        message = job.error
        assert job.status == Job.Status.REFUSED, (job.status, message)
    else:
        assert 400 <= response.status_code < 500, (response.status_code, response.content[:2000])
        message = response.json()["error"]
    assert "\n" not in message and "Traceback" not in message, message
    for words in case.api_words or case.words:
        assert words in message, message
    after = state()
    if "uploads" not in before["DATA_DIR"]:  # the jobs' folder, made with the first upload
        after["DATA_DIR"].pop("uploads", None)
    assert {k: v for k, v in after.items() if k not in JOB_TABLES} == \
        {k: v for k, v in before.items() if k not in JOB_TABLES}


def test_the_snapshot_covers_every_table_an_import_could_write():
    labels = {model._meta.label for model in snapshotted_models()}
    assert {"layers.Village", "layers.HistoricalVillage", "layers.VillagePeriod", "layers.Zone",
            "layers.PlanVersion", "layers.RasterLayer", "jobs.Job",
            "django_tasks_database.DBTaskResult"} <= labels


def test_the_corpus_covers_every_category():
    categories = {case.category for case in CASES}
    assert len(CASES) >= 50
    assert categories >= {
        "malformed GeoJSON", "invalid geometry", "wrong or unknown SRID", "coordinates out of range",
        "coordinates outside the county", "empty file", "over the size limit",
        "zip-slip and zip bombs", "shapefile sidecars", "wrong encoding",
        "XLSX formulas and codes as numbers", "script in a name", "NaN and infinity",
        "broken raster", "raster coordinate system", "zip of rasters", "land-use parcels"}
    assert {case.kind for case in CASES} >= {"villages", "centers", "roads", "zones", PERIODS,
                                             HOUSEHOLDS, *RASTERS}


def test_nothing_escapes_the_folder_of_a_zip_slip(facts, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    archive = tmp_path / "a" / "b" / "slip.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("../../escaped.csv", "code\n")
    with pytest.raises(CommandError, match="unsafe path"):
        call_command("import_layer", "villages", str(archive), verbosity=0)
    assert not (tmp_path / "escaped.csv").exists()


# A script in a name that is otherwise right is taken as text, and escaped wherever it is shown.

def test_a_script_in_a_good_name_is_stored_as_text_and_escaped(facts, client, tmp_path):
    script = "<script>alert(1)</script>"
    path = geojson("script.geojson", properties={"name": script})(tmp_path, facts)
    call_command("import_layer", "villages", str(path), verbosity=0, stdout=io.StringIO())
    assert Village.objects.get(code=facts.code).name == script  # as text, not refused
    page = log_in(client, "official").get("/assessment/")
    assert page.status_code == 200
    assert script.encode() not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page.content


def test_a_refusal_quoting_a_script_is_escaped_on_the_upload_page(facts, client, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n<script>alert(1)</script>,村\n", encoding="utf-8")
    with open(bad, "rb") as file:
        page = log_in(client, "planner").post("/data/import/", {"kind": "villages", "file": file})
    assert b"<script>alert(1)</script>" not in page.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt; is not a code of 12 digits" in page.content


# The same refusals from a real process: exit status, one line on stderr, no traceback.

SUBPROCESS_CASES = ["geojson-truncated", "zip-slip-dotdot", "xlsx-formula-in-figures",
                    "polygon-ring-of-2-points", "shp-without-shx", "raster-rgb-as-dem",
                    "raster-truncated", "raster-without-georeferencing", "raster-beyond-the-pole",
                    "register-another-countys-village"]


@pytest.fixture
def environment(sample):
    """The environment of a manage.py process reading this session's test database."""
    db = connection.settings_dict
    url = (f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    return {**os.environ, "DATABASE_URL": url}


@pytest.mark.parametrize("case", cases(lambda case: case.id in SUBPROCESS_CASES))
def test_manage_py_exits_non_zero_with_one_line(case, facts, environment, tmp_path, monkeypatch):
    assert not case.limits  # a constant lowered here does not reach another process
    path = written(case, tmp_path / "in", facts, monkeypatch)
    name, args = command_line(case, path)
    before = state()
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), name, *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("CommandError: "), done.stderr
    assert state() == before


def test_good_files_of_each_writer_still_import(facts, tmp_path):
    """The writers make files that import when nothing is wrong with them: each case's refusal
    is its fault's, not the writer's."""
    for name, write in [("ok.geojson", geojson("ok.geojson", properties={"households": 5000})),
                        ("ok.shp", shapefile(drop=(".cpg",))),
                        ("ok.xlsx", xlsx("ok.xlsx", lambda f: [["code", "households"], [f.code, 5000]]))]:
        folder = tmp_path / name
        folder.mkdir()
        out = io.StringIO()
        call_command("import_layer", "villages", str(write(folder, facts)), "--dry-run",
                     verbosity=0, stdout=out)
        assert "1 updated" in out.getvalue(), name



def test_good_rasters_of_each_writer_still_import(facts, tmp_path):
    """The same for the rasters' writers: a zipped DEM, 三调 parcels as GeoJSON and as a
    zipped shapefile, with nothing wrong with them."""
    for kind, name, write in [
            ("dem", "dem.zip", zip_of("dem.zip", dem())),
            ("landcover", "parcels.geojson", parcels("parcels.geojson", {"DLBM": "0103"})),
            ("landcover", "parcels.zip", parcels_zip("parcels.zip", lambda f: [({"DLBM": "0301"}, f.county)]))]:
        folder = tmp_path / name
        folder.mkdir()
        out = io.StringIO()
        call_command("import_raster", kind, str(write(folder, facts)), classes="sandiao" if kind == "landcover"
                     else "gisplan", verbosity=0, stdout=out)
        assert "imported" in out.getvalue() and "100.0% of the county covered" in out.getvalue(), name
