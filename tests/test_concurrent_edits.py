"""Several planners editing the same zone at once, over HTTP against a running server (each
request in its own thread and database connection): no lost update, every refused write a 412,
and the zones still a partition afterwards."""
import http.cookiejar
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from layers.models import Industry, PlanVersion, ServiceCenter, Village, Zone
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


def run_together(work):
    """Run work(i) for each planner in its own thread, released at the same moment."""
    start, results = threading.Barrier(PLANNERS), [None] * PLANNERS

    def run(i):
        start.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PLANNERS)]
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
        start, statuses = threading.Barrier(2), [None, None]

        def approve(i):
            start.wait()
            statuses[i] = sessions[i].call("POST", f"/api/plans/{plan.pk}/approve/")[0]

        threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
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
        start, statuses = threading.Barrier(2), [None, None]

        def approve(i, pk):
            start.wait()
            statuses[i] = sessions[i].call("POST", f"/api/plans/{pk}/approve/")[0]

        threads = [threading.Thread(target=approve, args=(i, pk))
                   for i, pk in enumerate((plan.pk, other.pk))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
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
