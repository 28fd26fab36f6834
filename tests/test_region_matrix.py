"""The region dimension of the permission matrix, cell by cell: each role in each kind of region
(Luonan 611021; Shangluo city 6110; the province 61) tries each kind of request on Luonan and on
丹凤县 (611022, tests/test_counties.py's second county), and must get the declared answer.

The rule the table follows: a row (a plan, a zone) named by its id outside the user's region is
not found (404), so that its existence does not leak, whatever the role; a county named by
`?county=` outside the region is a 404 to a role that may make the request, and a 403 to one
that may not make it on any county (the answer says nothing of the county); above the county (a
city, the province) nobody changes anything, whatever their group
(layers.regions.RegionBackend). Writes are tried so that none may succeed
(the plan in force, an empty body), and the test checks that 丹凤's plan is unchanged.
tests/test_permission_matrix.py holds the other dimension: every URL by every role.
"""
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from batches.models import Batch, BatchResult
from layers.models import County, PlanVersion, UserRegion, Zone

from .test_counties import danfeng  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("english", "danfeng")
COUNTIES = ("611021", "611022")
# Each user: a role in a region, named "<role>@<region>".
USERS = ("planner@611021", "official@611021", "analyst@611021", "administrator@611021",
         "planner@6110", "official@6110", "analyst@6110", "official@61")


@dataclass(frozen=True)
class Request:
    method: str
    url: str  # "{county}", "{plan}" (the county's plan in force) and "{zone}" filled in
    body: dict = None  # JSON (API) or None
    form: dict = None


def answers(*pairs):
    """The (Luonan, 丹凤) answer of each user of USERS, in its order."""
    assert len(pairs) == len(USERS)
    return dict(zip(USERS, pairs))


# Reading: every role of the county reads its county; the city's and the province's every
# county of theirs.
READ = answers(*[(200, 404)] * 4, *[(200, 200)] * 4)
API_READ = READ
# Analyses: layers.run_analysis (planners and analysts; a city planner keeps it, read-only).
ANALYSE = answers((200, 404), (403, 403), (200, 404), (403, 403),
                  (200, 200), (403, 403), (200, 200), (403, 403))
QUEUE = answers((202, 404), (403, 403), (202, 404), (403, 403),
                (202, 202), (403, 403), (202, 202), (403, 403))
# Writing: a county's planner, on their county only; nobody above the county.
NEW_DRAFT = answers((400, 404), *[(403, 403)] * 7)
ZONE_IN_FORCE = answers((409, 404), *[(403, 404)] * 3, *[(403, 403)] * 4)
IMPORT = answers((400, 404), *[(403, 403)] * 7)

MATRIX = {
    "portal": (Request("GET", "/?county={county}"), READ),
    "plans page": (Request("GET", "/plan/?county={county}"), READ),
    "plan editor": (Request("GET", "/plan/{plan}/"), READ),
    "assessment page": (Request("GET", "/assessment/?county={county}"), READ),
    "layer API": (Request("GET", "/api/layers/villages/?county={county}"), API_READ),
    "plan API": (Request("GET", "/api/plans/{plan}/"), API_READ),
    "zone API": (Request("GET", "/api/plans/{plan}/zones/{zone}/"), API_READ),
    "export": (Request("GET", "/api/export/villages.csv?county={county}"), API_READ),
    "quarterly trends": (Request("GET", "/api/assessment/trends/?county={county}"), API_READ),
    "three goals": (Request("GET", "/api/assessment/goals/?county={county}"), API_READ),
    "league table": (Request("GET", "/api/assessment/league/?county={county}"), API_READ),
    "three goals page": (Request("GET", "/assessment/goals/?county={county}"), READ),
    "league table page": (Request("GET", "/assessment/league/?county={county}"), READ),
    "coverage": (Request("GET", "/api/analysis/coverage/?service=relief&mode=euclidean"
                                "&county={county}"), ANALYSE),
    "coverage job": (Request("POST", "/api/jobs/analysis/coverage/?county={county}",
                             form={"service": "relief", "mode": "euclidean"}), QUEUE),
    # A draft needs a name: the planner's empty one is refused for it (400).
    "new draft": (Request("POST", "/api/plans/?county={county}", body={}), NEW_DRAFT),
    "rename a zone in force": (Request("PATCH", "/api/plans/{plan}/zones/{zone}/",
                                       body={"name": "改名"}), ZONE_IN_FORCE),
    "import villages": (Request("POST", "/api/import/villages/?county={county}", form={}), IMPORT),
    # Without a file: refused for it (400) where the planner may import.
    "import quarterly figures": (Request("POST", "/api/assessment/periods/?county={county}", form={}),
                                 IMPORT),
    # The register: its counts for every role of the region (a city's users see counts only:
    # tests/test_household_pages.py), its import for the county's planner.
    "register page": (Request("GET", "/households/?county={county}"), READ),
    "register counts": (Request("GET", "/api/households/?county={county}"), API_READ),
    "register export": (Request("GET", "/households/export.csv?county={county}"), READ),
    "import the register": (Request("POST", "/api/households/import/?county={county}", form={}),
                            IMPORT),
}


@pytest.fixture
def users(danfeng):  # noqa: F811  (the fixture imported above)
    made = {}
    for name in USERS:
        role, region = name.split("@")
        user = User.objects.create_user(name, is_staff=role in ("planner", "administrator"))
        user.groups.add(Group.objects.get(name=role))
        UserRegion.objects.create(user=user, code=region)
        made[name] = user
    return made


def filled(request, county):
    plan = PlanVersion.objects.of_county(County.objects.get(adcode=county)).approved().get()
    zone = plan.zones.order_by("code").first()
    return request.url.format(county=county, plan=plan.pk, zone=zone.code)


def send(client, request, url):
    send_method = getattr(client, request.method.lower())
    if request.body is not None:
        return send_method(url, request.body, content_type="application/json",
                           headers={"If-Match": '"1.1"'})
    if request.form is not None:
        return send_method(url, request.form)
    return send_method(url)


def danfeng_plan():
    """What no write in the table may change."""
    return (list(PlanVersion.objects.filter(county__adcode="611022").values_list("pk", "status", "name")),
            list(Zone.objects.filter(plan__county__adcode="611022").values_list("pk", "revision", "name")))


def test_every_cell_of_the_table_is_declared():
    assert all(set(expected) == set(USERS) for _, expected in MATRIX.values())


@pytest.mark.parametrize("key", MATRIX)
def test_each_user_gets_the_declared_answer_on_each_county(key, users):
    request, expected = MATRIX[key]
    before = danfeng_plan()
    found = []
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        for county, wanted in zip(COUNTIES, expected[name]):
            url = filled(request, county)
            got = send(client, request, url).status_code
            if got != wanted:
                found.append(f"{name} {request.method} {url}: expected {wanted}, got {got}")
    assert not found, "\n".join(found)
    assert danfeng_plan() == before


# Batches run over a city or the province: who may start one for Shangluo (6110) or Shaanxi (61),
# and who may read a batch of each. A county's user sees neither (the region is not theirs: a
# refusal to start, 400, as for the region's coverage; a batch of it is not found, 404); a city's
# user sees the city's but not the province's, which only the province's user sees.
BATCHES = {  # user: (start 6110, start 61, read 6110's, read 61's)
    "planner@611021": (400, 400, 404, 404), "official@611021": (403, 403, 404, 404),
    "analyst@611021": (400, 400, 404, 404), "administrator@611021": (403, 403, 404, 404),
    "planner@6110": (202, 400, 200, 404), "official@6110": (403, 403, 200, 404),
    "analyst@6110": (202, 400, 200, 404), "official@61": (403, 403, 200, 200),
}


def test_batches_keep_to_each_user_s_region(users):
    assert set(BATCHES) == set(USERS)
    kept = {code: Batch.objects.create(region=code, analyses=["assessment"], services=[],
                                       industries=[]) for code in ("6110", "61")}
    for batch in kept.values():
        BatchResult.objects.create(batch=batch, county=County.objects.get(adcode="611022"),
                                   analysis="assessment", status="succeeded",
                                   figures={"villages": 1, "passed": {"standard": 1}})
    found = []
    for name, expected in BATCHES.items():
        client = Client()
        client.force_login(users[name])
        got = (client.post("/api/batches/", {"region": "6110", "analyses": "assessment"}).status_code,
               client.post("/api/batches/", {"region": "61", "analyses": "assessment"}).status_code,
               client.get(f"/api/batches/{kept['6110'].pk}/").status_code,
               client.get(f"/api/batches/{kept['61'].pk}/export/?format=csv").status_code)
        if got != expected:
            found.append(f"{name}: expected {expected}, got {got}")
    assert not found, "\n".join(found)
