"""Several planners editing the same zone at once, over HTTP against a running server (each
request in its own thread and database connection): no lost update, every refused write a 412,
and the zones still a partition afterwards; planners of two counties at once touch only their
own county's plan."""
import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from layers.models import (County, Industry, PlanVersion, ServiceCenter, Town, UserRegion, Village,
                           Zone)
from layers.partition import problems
from plans import edits
from tests.conftest import PASSWORD

PLANNERS = 6


class Session:
    """A planner signed in to the live server, speaking plain HTTP."""

    def __init__(self, base, username):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/accounts/login/")
        form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf}
        self.opener.open(urllib.request.Request(f"{base}/accounts/login/",
                                                urllib.parse.urlencode(form).encode()))

    @property
    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def call(self, method, path, body=None, **headers):
        request = urllib.request.Request(
            self.base + path, None if body is None else json.dumps(body).encode(), method=method,
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf, **headers})
        try:
            with self.opener.open(request) as response:
                return response.status, response.headers, json.load(response)
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers, json.load(refused)


@pytest.fixture
def draft(django_db_blocker):
    """A committed draft and six East villages, removed after the test."""
    with django_db_blocker.unblock():
        plan = edits.create_draft(PlanVersion.objects.approved().get(), "concurrency",
                                  User.objects.get(username="planner"))
        villages = list(Village.objects.filter(zone__code="E").order_by("code")[:PLANNERS])
    yield plan, villages
    with django_db_blocker.unblock():
        Zone.history.filter(plan_id=plan.pk).delete()
        plan.delete()


def run_together(work, count=PLANNERS):
    """Run work(i) for i in range(count), each in its own thread, released at the same moment."""
    start, results = threading.Barrier(count), [None] * count

    def run(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_etag_one_write(app_server, draft, django_db_blocker):
    plan, villages = draft
    sessions = [Session(app_server.url, "planner") for _ in range(PLANNERS)]
    url = f"/api/plans/{plan.pk}/zones/W/"
    etag = sessions[0].call("GET", url)[1]["ETag"]
    statuses = run_together(lambda i: sessions[i].call(
        "PATCH", url, {"villages": [villages[i].code]}, **{"If-Match": etag})[0])
    # Everyone held the same ETag: the first write wins, every other one is refused.
    assert sorted(statuses) == [200] + [412] * (PLANNERS - 1)
    with django_db_blocker.unblock():
        west = plan.zones.get(code="W")
        assert west.revision == 2
        assert sum(west.boundary.contains(v.location) for v in villages) == 1
        assert problems({z.code: z.boundary for z in plan.zones.all()}, edits.county_boundary(plan)) == []


def test_planners_who_reload_all_get_their_change_in(app_server, draft, django_db_blocker):
    plan, villages = draft
    sessions = [Session(app_server.url, "planner") for _ in range(PLANNERS)]
    url = f"/api/plans/{plan.pk}/zones/W/"

    def until_saved(i):
        for attempt in range(1, 4 * PLANNERS):
            etag = sessions[i].call("GET", url)[1]["ETag"]
            status = sessions[i].call("PATCH", url, {"villages": [villages[i].code]}, **{"If-Match": etag})[0]
            if status != 412:
                return status, attempt
        return None, attempt

    results = run_together(until_saved)
    assert [status for status, _ in results] == [200] * PLANNERS
    with django_db_blocker.unblock():
        west = plan.zones.get(code="W")
        # No lost update: every planner's village is in the West, each change a revision.
        assert all(west.boundary.contains(v.location) for v in villages)
        assert west.revision == 1 + PLANNERS
        assert len(edits.history(plan)) == 1 + PLANNERS  # the copy, then one change each
        assert problems({z.code: z.boundary for z in plan.zones.all()}, edits.county_boundary(plan)) == []


def test_planners_on_neighbouring_zones_at_once_leave_a_partition(app_server, draft, django_db_blocker):
    """Half the planners move East villages into the West, half into the North, at the same
    moment, each retrying on 412: every write lands or is refused with 412/409, none fails."""
    plan, villages = draft
    sessions = [Session(app_server.url, "planner") for _ in range(PLANNERS)]
    statuses = [[] for _ in range(PLANNERS)]

    def until_saved(i):
        url = f"/api/plans/{plan.pk}/zones/{'W' if i % 2 else 'N'}/"
        for _ in range(4 * PLANNERS):
            etag = sessions[i].call("GET", url)[1]["ETag"]
            status = sessions[i].call("PATCH", url, {"villages": [villages[i].code]}, **{"If-Match": etag})[0]
            statuses[i].append(status)
            if status != 412:
                return status

    final = run_together(until_saved)
    assert all(status in (200, 409, 412) for tried in statuses for status in tried), statuses
    assert set(final) <= {200, 409}
    with django_db_blocker.unblock():
        zones = {z.code: z for z in plan.zones.all()}
        for i, status in enumerate(final):
            if status == 200:  # no lost update: each accepted village is where it was sent
                assert zones["W" if i % 2 else "N"].boundary.contains(villages[i].location)
        assert problems({c: z.boundary for c, z in zones.items()}, edits.county_boundary(plan)) == []
        changes = sum(status == 200 for status in final)
        assert sum(z.revision for z in zones.values()) >= 4 + changes


def test_two_planners_approving_at_once_one_is_refused(app_server, draft, django_db_blocker):
    plan, _ = draft
    with django_db_blocker.unblock():
        began = timezone.now()
        in_force = PlanVersion.objects.approved().get()
        plan.status = PlanVersion.Status.SUBMITTED
        plan.save(update_fields=["status"])
    try:
        sessions = [Session(app_server.url, "planner") for _ in range(2)]
        statuses = run_together(
            lambda i: sessions[i].call("POST", f"/api/plans/{plan.pk}/approve/")[0], 2)
        assert sorted(statuses) == [200, 409]
        with django_db_blocker.unblock():
            assert list(PlanVersion.objects.approved()) == [plan]
    finally:
        with django_db_blocker.unblock():  # the sample's plan back in force for other tests
            PlanVersion.objects.filter(pk=plan.pk).update(status=PlanVersion.Status.DRAFT)
            PlanVersion.objects.filter(pk=in_force.pk).update(status=PlanVersion.Status.APPROVED,
                                                              approved_at=in_force.approved_at)
            for model in (Village, ServiceCenter, Industry):
                model.objects.assign_zones()
            PlanVersion.history.filter(history_date__gte=began).delete()


def test_two_versions_approved_at_once_queue_one_behind_the_other(app_server, draft, django_db_blocker):
    """Two planners approve two different submitted versions at the same moment: both are
    carried out, one after the other, and one version is in force afterwards, not two."""
    plan, _ = draft
    with django_db_blocker.unblock():
        began = timezone.now()
        in_force = PlanVersion.objects.approved().get()
        other = edits.create_draft(in_force, "concurrency 2", User.objects.get(username="planner"))
        PlanVersion.objects.filter(pk__in=[plan.pk, other.pk]).update(
            status=PlanVersion.Status.SUBMITTED)
    try:
        sessions = [Session(app_server.url, "planner") for _ in range(2)]
        pks = (plan.pk, other.pk)
        statuses = run_together(
            lambda i: sessions[i].call("POST", f"/api/plans/{pks[i]}/approve/")[0], 2)
        assert statuses == [200, 200]
        with django_db_blocker.unblock():
            assert PlanVersion.objects.approved().count() == 1
            assert PlanVersion.objects.get(pk=in_force.pk).status == PlanVersion.Status.ARCHIVED
    finally:
        with django_db_blocker.unblock():
            PlanVersion.objects.filter(pk__in=[plan.pk, other.pk]).update(
                status=PlanVersion.Status.DRAFT)
            PlanVersion.objects.filter(pk=in_force.pk).update(status=PlanVersion.Status.APPROVED,
                                                              approved_at=in_force.approved_at)
            for model in (Village, ServiceCenter, Industry):
                model.objects.assign_zones()
            Zone.history.filter(plan_id=other.pk).delete()
            other.delete()
            PlanVersion.history.filter(history_date__gte=began).delete()


# Two counties at once: the sample county and a small 丹凤县 (611022) beside it, committed for
# the live server to read (a 20 km square east of Luonan's bounding box; West and East halves;
# three 2 km villages on the East side of the border between them), with a planner of its own.
KM = 1000.0


@pytest.fixture
def second_county(django_db_blocker):
    with django_db_blocker.unblock():
        luonan = County.objects.get(adcode="611021")
        west, south, east, north = luonan.boundary.extent
        srid = luonan.boundary.srid

        def box(x0, y0, x1, y1):
            return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=srid)

        county = County.objects.create(adcode="611022", name="丹凤县",
                                       boundary=box(east, south, east + 20 * KM, south + 20 * KM),
                                       rural_population=1000, poor_households=10, poor_population=30)
        town = Town.objects.create(county=county, code="611022100", name="龙驹寨镇",
                                   boundary=county.boundary, seat=county.boundary.centroid)
        in_force = PlanVersion.objects.create(county=county, name="丹凤两片区",
                                              status=PlanVersion.Status.APPROVED)
        for code, x in (("W", east), ("E", east + 10 * KM)):
            Zone.objects.create(plan=in_force, code=code, name=f"{code}片区",
                                boundary=box(x, south, x + 10 * KM, south + 20 * KM))
        villages = [Village.objects.create(
            code=f"61102210020{i}", name=f"龙驹{i}村", town=town,
            location=Point(east + 11 * KM, south + (6 * i + 3) * KM, srid=srid),
            boundary=box(east + 10 * KM, south + (6 * i + 2) * KM, east + 12 * KM,
                         south + (6 * i + 4) * KM)) for i in range(3)]
        Village.objects.of_county(county).assign_zones()
        planner = User.objects.create_user("danfeng-planner", password=PASSWORD, is_staff=True)
        planner.groups.add(Group.objects.get(name="planner"))
        UserRegion.objects.create(user=planner, code="611022")
        draft = edits.create_draft(in_force, "丹凤草稿", planner)
    yield draft, villages
    with django_db_blocker.unblock():
        plans = list(PlanVersion.objects.of_county(county).values_list("pk", flat=True))
        Zone.history.filter(plan_id__in=plans).delete()
        PlanVersion.history.filter(county_id=county.pk).delete()
        Village.history.filter(county_id=county.pk).delete()
        planner.delete()
        Village.objects.of_county(county).delete()
        PlanVersion.objects.of_county(county).delete()
        county.delete()


def test_planners_of_two_counties_editing_at_once_touch_only_their_own(
        app_server, draft, second_county, django_db_blocker):
    """Three planners of Luonan and three of Danfeng each move a village into their county's
    West zone at the same moment, each retrying on 412: every change lands, in its own county."""
    plans = {"planner": draft[0], "danfeng-planner": second_county[0]}
    picked = {"planner": draft[1][:3], "danfeng-planner": second_county[1]}
    users = ["planner", "danfeng-planner"] * 3
    sessions = [Session(app_server.url, user) for user in users]

    def until_saved(i):
        user = users[i]
        url = f"/api/plans/{plans[user].pk}/zones/W/"
        for _ in range(4 * PLANNERS):
            etag = sessions[i].call("GET", url)[1]["ETag"]
            status = sessions[i].call("PATCH", url, {"villages": [picked[user][i // 2].code]},
                                      **{"If-Match": etag})[0]
            if status != 412:
                return status

    assert run_together(until_saved) == [200] * PLANNERS
    with django_db_blocker.unblock():
        for user, plan in plans.items():
            west = plan.zones.get(code="W")
            assert all(west.boundary.contains(v.location) for v in picked[user])
            assert west.revision == 1 + 3  # the copy, then its own county's three changes
            assert problems({z.code: z.boundary for z in plan.zones.all()},
                            edits.county_boundary(plan)) == []


def test_two_counties_approving_at_once_both_land(app_server, draft, second_county,
                                                  django_db_blocker):
    """Each county's planner approves a version of their own county's plan at the same moment:
    both are carried out (approvals queue per county, not across counties), and each county has
    one version in force, its own."""
    plans = [draft[0], second_county[0]]
    with django_db_blocker.unblock():
        began = timezone.now()
        in_force = PlanVersion.objects.approved().get(county__adcode="611021")
        PlanVersion.objects.filter(pk__in=[p.pk for p in plans]).update(
            status=PlanVersion.Status.SUBMITTED)
    try:
        sessions = [Session(app_server.url, user) for user in ("planner", "danfeng-planner")]
        statuses = run_together(
            lambda i: sessions[i].call("POST", f"/api/plans/{plans[i].pk}/approve/")[0], 2)
        assert statuses == [200, 200]
        with django_db_blocker.unblock():
            approved = PlanVersion.objects.approved()
            assert sorted(approved.values_list("county__adcode", "pk")) == [
                ("611021", plans[0].pk), ("611022", plans[1].pk)]
            assert PlanVersion.objects.get(pk=in_force.pk).status == PlanVersion.Status.ARCHIVED
    finally:
        with django_db_blocker.unblock():  # the sample's plan back in force for other tests
            PlanVersion.objects.filter(pk=plans[0].pk).update(status=PlanVersion.Status.DRAFT)
            PlanVersion.objects.filter(pk=in_force.pk).update(status=PlanVersion.Status.APPROVED,
                                                              approved_at=in_force.approved_at)
            for model in (Village, ServiceCenter, Industry):
                model.objects.assign_zones()
            PlanVersion.history.filter(history_date__gte=began, county__adcode="611021").delete()
