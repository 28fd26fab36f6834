"""Bad settings stop a command with one readable line and a non-zero exit, never a traceback."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120)


def url(db, name):
    return (f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{name}")


def assert_one_line_error(result, expected):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr


def test_unreachable_database():
    # Port 1 on loopback: nothing listens there.
    result = manage("migrate", DATABASE_URL="postgis://gisplan:gisplan@127.0.0.1:1/gisplan")
    assert_one_line_error(result, "cannot connect to the database gisplan at 127.0.0.1:1")


@pytest.fixture
def database_without_postgis(db):
    name = f"gisplan_nopostgis_{uuid.uuid4().hex[:8]}"
    params = settings.DATABASES["default"]
    admin = psycopg2.connect(dbname="postgres", user=params["USER"], password=params["PASSWORD"],
                             host=params["HOST"], port=params["PORT"])
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield url(params, name)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE "{name}"')
    admin.close()


def test_database_without_postgis(database_without_postgis):
    result = manage("migrate", DATABASE_URL=database_without_postgis)
    assert_one_line_error(result, "has no PostGIS extension")


def test_storage_srid_must_be_a_number():
    assert_one_line_error(manage("check", GISPLAN_SRID="cgcs2000"),
                          "GISPLAN_SRID must be a whole number")


def test_storage_srid_must_be_projected_metres():
    result = manage("check", GISPLAN_SRID="4490")  # CGCS2000 lon/lat: degrees
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "gisplan.E002" in result.stderr and "not a projected CRS in metres" in result.stderr


def test_production_needs_a_secret_key():
    result = manage("check", GISPLAN_DEBUG="0", GISPLAN_SECRET_KEY="")
    assert_one_line_error(result, "GISPLAN_SECRET_KEY must be set")


def test_a_malformed_database_url():
    assert_one_line_error(manage("migrate", DATABASE_URL="postgis://host:port:x/db"),
                          "DATABASE_URL is not a database URL")


def test_a_wrong_password_is_not_called_a_stopped_server():
    db = settings.DATABASES["default"]
    result = manage("migrate", DATABASE_URL=url({**db, "USER": "nobody-here"}, db["NAME"]))
    assert_one_line_error(result, "check the name, user and password in DATABASE_URL")


def test_help_needs_no_database():
    result = manage("--help", DATABASE_URL="postgis://gisplan:gisplan@127.0.0.1:1/gisplan")
    assert result.returncode == 0 and "load_sample" in result.stdout


def test_the_preflight_runs_alone():
    result = subprocess.run([sys.executable, "-m", "gisplan.preflight"], cwd=ROOT, text=True,
                            capture_output=True, timeout=60,
                            env={**os.environ, "DATABASE_URL": "postgis://a:b@127.0.0.1:1/x"})
    assert_one_line_error(result, "cannot connect to the database x at 127.0.0.1:1")
