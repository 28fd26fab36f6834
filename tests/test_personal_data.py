"""The sweep for personal data: a sentinel household (its head's name and ID number, its
helper's name and phone) is looked for in every page and API answer of the permission matrix
that a GET reaches, as every role and a city official; in every layer in every export format,
the tiles of every layer over its village, coverage, location and the league table, as the
planner, an official and the city official; in an analysis job's stored result, the audit log
and the log output. It may appear only where the register is kept: the register's pages and
export, to the county's planner and the superuser (tests/test_household_pages.py says how it
appears there)."""
import io
import logging
import math
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from households.figures import recount
from households.models import Household, HouseholdEvent, HouseholdIncome
from jobs.models import Job
from jobs.tasks import RUNNERS, Progress
from layers.api import LAYERS
from layers.datasets import DATASETS
from layers.exporting import FORMATS
from ogc.collections import COLLECTIONS

from .test_household_pages import CODE, ID_NUMBER, NAME, PHONE, city_user
from .test_household_pages import sentinel  # noqa: F401 - a fixture
from .test_permission_matrix import MATRIX, client_for, send
from .test_permission_matrix import sample_values  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
KEPT_BY = ("planner", "admin")  # the county's planner, the superuser
# The roles that also fetch every export, tile and analysis (the same files for every role that
# may have them): the one who sees the most, one who sees no person, one above the county.
FETCHING_ALL = ("planner", "official", "city")
KEPT_ON = {"households:index", "households:household", "households:export"}
SECRETS = (NAME, ID_NUMBER, PHONE, "哨兵干部")  # the head, their ID number, the helper's phone
# and name (tests/test_household_pages.py)


@pytest.fixture
def ranked_sentinel(sentinel):  # noqa: F811
    """The sentinel household, with incomes in the sample's last two quarters, so that the
    league table ranks it."""
    for quarter, yuan in ((1, 3000), (2, 3600)):
        HouseholdIncome.objects.create(household=sentinel, year=2017, quarter=quarter,
                                       per_capita_income_yuan=yuan)
    return sentinel


def found(body):
    """The secrets in a body: as UTF-8 or GBK text, inside a ZIP (a zipped shapefile, an XLSX)
    too."""
    parts = [body]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [archive.read(name) for name in archive.namelist()]
    return [s for s in SECRETS for part in parts
            if s.encode("utf-8") in part or s.encode("gbk") in part]


def read(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def tile(lon, lat, z):
    n = 2 ** z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return z, int((lon + 180) / 360 * n), int(y)


def urls(household):
    """Every export and the tiles over the sentinel's village, beside the matrix's GETs."""
    lon, lat = household.village.location.transform(4326, clone=True).coords
    for kind in DATASETS:
        for fmt in FORMATS:
            yield f"/api/export/{kind}{fmt}"
    for name in LAYERS:
        for z in (8, 12, 15):
            yield "/tiles/{}/{}/{}/{}.pbf".format(name, *tile(lon, lat, z))
    yield "/api/analysis/coverage/?service=elderly_care&mode=euclidean&capacities=1"
    yield "/api/analysis/locate/?service=elderly_care&model=pmedian&p=2&mode=euclidean"
    for collection in COLLECTIONS:  # the OGC API, every feature of every collection
        yield f"/ogc/collections/{collection}/items?limit=10000"
    yield "/plan/audit/"
    yield "/assessment/league/?quarter=2017Q2"
    yield "/api/assessment/league/?quarter=2017Q2"


def sweep(client, role, values, household):
    seen = []
    for key, tries in MATRIX.items():
        for attempt in tries:
            if attempt.method != "GET":
                continue
            if key in KEPT_ON and role in KEPT_BY:
                continue
            url, response = send(client, key, attempt, values)
            assert response.status_code < 500, url
            seen += [(url, s) for s in found(read(response))]
    for url in urls(household) if role in FETCHING_ALL else ():
        response = client.get(url)
        assert response.status_code < 500, url
        seen += [(url, s) for s in found(read(response))]
    return seen


@pytest.mark.parametrize("role", ["anonymous", "official", "analyst", "planner",
                                  "administrator", "admin", "city"])
def test_the_sentinel_appears_only_where_the_register_is_kept(ranked_sentinel, sample_values,  # noqa: F811
                                                              role, caplog):
    caplog.set_level(logging.DEBUG)
    values = {**sample_values, "household": CODE}
    if role == "city":
        client = Client()
        client.force_login(city_user("official"))
    else:
        client = client_for(role)
    assert not sweep(client, role, values, ranked_sentinel)
    assert not found(caplog.text.encode())


def test_a_jobs_result_and_the_audit_log_hold_no_personal_field(sentinel, capsys, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    analyst = User.objects.get(username="analyst")
    job = Job.objects.create(kind=Job.Kind.COVERAGE, user=analyst, region="611021",
                             params={"service": "elderly_care", "mode": "euclidean",
                                     "capacities": "1"}, language="zh-hans")
    # What the worker does with the job (jobs.tasks.run_job), in this test's transaction.
    result = RUNNERS[job.kind](job, Progress(job))
    Job.objects.filter(pk=job.pk).update(result=result, status=Job.Status.SUCCEEDED)
    client = Client()
    client.force_login(analyst)
    for url in (reverse("jobs_api:job", kwargs={"pk": job.pk}), reverse("jobs:jobs"),
                reverse("jobs_api:jobs")):
        response = client.get(url)
        assert response.status_code == 200 and not found(read(response)), url
    # The sentinel leaves poverty: its village's figures change, and the audit log records the
    # village's change, by the village.
    HouseholdEvent.objects.create(household=sentinel, status=Household.Status.EXITED,
                                  on="2017-06-01", recorded_by=User.objects.get(username="planner"))
    recount(sentinel.village.county)
    planner = Client()
    planner.force_login(User.objects.get(username="planner"))
    audit = planner.get("/plan/audit/")
    assert audit.status_code == 200 and not found(read(audit))
    call_command("audit_log", "--limit", "200")
    assert not found(capsys.readouterr().out.encode())
    assert not found(caplog.text.encode())
