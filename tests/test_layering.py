"""The layers of the house (docs/architecture.md), read from the imports of every module:

- analysis/ imports neither Django nor any of gisplan's packages: arrays in, frozen results out;
- layers/ (the data layer at the bottom) imports no feature app, nor maps, data or backups;
  nor the register of households (households/), which sits on it and is as low;
- maps/ (the map bootstrap and the portal) builds on layers, and on the batches' results
  (batches/models.py and report.py, which import no feature app), not on how they are run;
- the kernel of the project package (gisplan/api.py, openapi.py, commands.py) imports no app;
- no package imports another's private (underscore) names.

Each rule is also shown failing on a small fixture module, so that the test can fail.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# gisplan's own packages: the project package, the pure analysis and the Django apps.
PACKAGES = {"gisplan", "analysis", "layers", "plans", "access", "siting", "assessment", "jobs",
            "batches", "maps", "data", "backups", "households", "tokens", "ogc"}
FEATURES = {"plans", "access", "siting", "assessment", "jobs"}
# What each package may not import (besides other packages' private names).
APPS = PACKAGES - {"gisplan", "analysis"}
# Batches run the features' analyses (batches/tasks.py, cluster.py, api.py, views.py); what
# they found (models.py, report.py) is read by the region portal.
BATCH_RUNNING = {f"batches.{name}" for name in ("tasks", "cluster", "api", "views", "urls",
                                                "api_urls", "openapi")}
FORBIDDEN = {
    "analysis": PACKAGES - {"analysis"} | {"django"},
    "layers": FEATURES | {"batches", "maps", "data", "backups", "households", "ogc"},
    "households": FEATURES | {"batches", "maps", "data", "backups", "ogc"},
    # Personal tokens sit on the kernel alone: every app below the URLs may be reached by one.
    "tokens": APPS - {"tokens"},
    # The OGC API serves the layers; never the register of households, nor a feature's run.
    "ogc": FEATURES | {"batches", "maps", "data", "backups", "households"},
    "maps": FEATURES | BATCH_RUNNING | {"data", "backups"},
    "batches/models.py": FEATURES | {"batches.tasks", "batches.cluster"},
    "batches/report.py": FEATURES | {"batches.tasks", "batches.cluster"},
    # Every app uses these modules of the project package, so they use no app.
    "gisplan/api.py": APPS, "gisplan/openapi.py": APPS, "gisplan/commands.py": APPS,
}
SKIPPED = {".venv", "var", ".git", "node_modules"}


def imports(path, source):
    """(imported module, [names]) for each import of a module at `path` (relative to ROOT)."""
    parts = list(path.with_suffix("").parts)
    package = parts[:-1]  # what a relative import's first dot means: a package's own __init__'s too
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.append((module, [alias.name for alias in node.names]))
    return found


def violations(path, source):
    """Sentences naming each import of the module at `path` that breaks a rule."""
    path = Path(path)
    owner = path.parts[0]
    forbidden = FORBIDDEN.get(path.as_posix(), FORBIDDEN.get(owner, ()))
    out = []
    for module, names in imports(path, source):
        top = module.split(".")[0]
        if top in forbidden or any(module == f or module.startswith(f + ".") for f in forbidden
                                   if "." in f):
            out.append(f"{path}: {owner}/ may not import {module}")
        if top in PACKAGES and top != owner:
            private = [part for part in module.split(".")[1:] if part.startswith("_")]
            private += [name for name in names if name.startswith("_")]
            if private:
                out.append(f"{path}: imports the private {', '.join(private)} of {module}")
    return out


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in PACKAGES and not SKIPPED & set(relative.parts):
            yield relative


def test_every_module_keeps_the_layering():
    found = [v for path in modules() for v in violations(path, (ROOT / path).read_text("utf-8"))]
    assert not found, "\n".join(found)


def test_the_rules_see_every_package():
    assert {path.parts[0] for path in modules()} == PACKAGES


@pytest.mark.parametrize("path, source, expected", [
    # analysis/: neither Django nor an app, however imported.
    ("analysis/bad.py", "from django.db import models\n", "analysis/ may not import django.db"),
    ("analysis/bad.py", "import layers.models\n", "analysis/ may not import layers.models"),
    ("analysis/bad.py", "from gisplan.api import Refusal\n", "may not import gisplan.api"),
    # layers/: no feature app, also by a relative import that climbs out of the package.
    ("layers/bad.py", "from plans.edits import create_draft\n", "layers/ may not import plans.edits"),
    ("layers/sub/bad.py", "from ...jobs.tasks import enqueue\n", "layers/ may not import jobs.tasks"),
    ("maps/bad.py", "from siting.runs import run_siting\n", "maps/ may not import siting.runs"),
    ("gisplan/api.py", "from layers.models import Village\n", "gisplan/ may not import layers.models"),
    # maps/ reads what batches found, never runs one; their results import no feature.
    ("maps/bad.py", "from batches.cluster import run_batch\n", "maps/ may not import batches.cluster"),
    ("batches/report.py", "from access.runs import run_coverage\n", "may not import access.runs"),
    # Another package's private names, as a name or as a module.
    ("siting/bad.py", "from access.openapi import _error\n", "private _error of access.openapi"),
    ("jobs/bad.py", "import layers._internals\n", "private _internals of layers._internals"),
])
def test_a_forbidden_import_is_found(path, source, expected):
    found = violations(path, source)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize("path, source", [
    ("analysis/good.py", "import numpy as np\nfrom .network import build_network\n"),
    ("layers/good.py", "from analysis.exit import assess\nfrom gisplan.api import Refusal\n"),
    ("plans/good.py", "from layers.partition import take\nfrom ._own import helper\n"),
    ("jobs/good.py", "from access.api import coverage_data\n"),
    ("gisplan/urls.py", "from layers.views import basemap\n"),
    ("maps/good.py", "from batches.report import indicators\n"),
])
def test_an_allowed_import_passes(path, source):
    assert violations(path, source) == []


def test_the_project_describes_itself():
    """No file points outside the repository for the design: docs/architecture.md says it."""
    citing = [path for path in ROOT.rglob("*")
              if path.is_file() and path.suffix in (".py", ".md", ".html", ".js", ".toml", ".css")
              and not SKIPPED & set(path.relative_to(ROOT).parts)
              and "DESIGN" + ".md" in path.read_text("utf-8", errors="replace")]
    assert citing == []
