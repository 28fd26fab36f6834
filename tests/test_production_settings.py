"""Production settings from the environment: `check --deploy` is clean over HTTPS,
and over plain HTTP warns about exactly the four HTTPS settings README.md explains."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "k3y-for-the-deploy-check-" + "x9Q2" * 10  # 65 characters, many different ones
HTTPS_WARNINGS = {"security.W004", "security.W008", "security.W012", "security.W016"}


def check_deploy(**env):
    production = {"GISPLAN_DEBUG": "0", "GISPLAN_SECRET_KEY": KEY,
                  "GISPLAN_ALLOWED_HOSTS": "gisplan.county.local", **env}
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE: no server runs with it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                           "WARNING"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**inherited, **production})


def warnings(result):
    return set(re.findall(r"\((security\.W\d+)\)", result.stderr))


def test_check_deploy_is_clean_over_https():
    result = check_deploy(GISPLAN_HTTPS="1")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_over_plain_http_only_the_https_settings_are_warned_about():
    result = check_deploy()
    assert result.returncode != 0
    assert warnings(result) == HTTPS_WARNINGS, result.stderr


def test_production_without_a_secret_key_stops_with_one_line():
    result = check_deploy(GISPLAN_SECRET_KEY="")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "GISPLAN_SECRET_KEY must be set when GISPLAN_DEBUG=0" in lines[0]
