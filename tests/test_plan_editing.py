"""Zone editing on the sample county, through the functions and the API: drafts, taking land,
ETags, refusals that change nothing, history and restore, submission and approval, comparison.

The scenario moves one village: the sample's zones are unions of village polygons, so a village
lies wholly in one zone, and taking its polygon for another zone moves exactly that village and
exactly its area (nothing else changes hands).
"""
import json

import pytest
from django.contrib.auth.models import User

from layers.models import PlanVersion, Village, Zone
from layers.partition import PartitionError, polygons, problems
from plans import edits
from tests.conftest import log_in

pytestmark = pytest.mark.usefixtures("sample", "english")




@pytest.fixture
def planner(client):
    return log_in(client, "planner")


@pytest.fixture
def draft():
    return edits.create_draft(PlanVersion.objects.approved().get(), "draft 1",
                              User.objects.get(username="planner"))


@pytest.fixture
def village():
    """A village and a zone it is not in: the East zone's first village goes to the West."""
    return Village.objects.filter(zone__code="E").order_by("code").first()


def partition(plan):
    return {z.code: z.boundary for z in plan.zones.all()}


def zone_url(plan, code, suffix=""):
    return f"/api/plans/{plan.pk}/zones/{code}/{suffix}"


def patch(client, url, body, etag=None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(url, json.dumps(body), content_type="application/json", **headers)


def lonlat(geometry):
    return json.loads(geometry.transform(4326, clone=True).json)


# ---- functions ----

def test_a_draft_copies_the_plan_in_force(draft):
    approved = PlanVersion.objects.approved().get()
    assert draft.status == PlanVersion.Status.DRAFT and draft.based_on == approved
    assert sorted(partition(draft)) == ["C", "E", "N", "W"]
    for code, boundary in partition(approved).items():
        assert partition(draft)[code].equals(boundary)
    # Each copy starts its history: one record, the state before any edit.
    assert Zone.history.filter(plan_id=draft.pk).count() == 4


def test_taking_a_village_moves_it_and_its_area_only(draft, village):
    proposal = edits.propose_take(draft, "W", village.boundary)
    [move] = proposal.moves
    assert (move.source, move.target, move.villages) == ("E", "W", (village.code,))
    assert move.area_km2 == pytest.approx(village.boundary.area / 1e6)
    assert (move.households, move.poor_population) == (village.households, village.poor_population)


def test_a_saved_take_keeps_the_partition_and_records_who_and_when(draft, village):
    user = User.objects.get(username="planner")
    east = draft.zones.get(code="E")
    changed = edits.take_area(draft, "W", village.boundary, user, edits.etag(draft.zones.get(code="W")))
    assert sorted(z.code for z in changed) == ["E", "W"]
    assert problems(partition(draft), edits.county_boundary(draft)) == []
    [change] = edits.history(draft)[:1]
    assert change.user == "planner" and sorted(r.code for r in change.records) == ["E", "W"]
    record = next(r for r in change.records if r.code == "E")
    assert record.prev_record.boundary.equals(east.boundary)  # the geometry before
    assert record.boundary.area == pytest.approx(east.boundary.area - village.boundary.area)
    # The village is in West under the draft, and still in East under the plan in force.
    assert draft.zones.get(code="W").boundary.contains(village.location)
    assert Village.objects.get(pk=village.pk).zone.code == "E"


def test_restore_brings_the_zones_back(draft, village):
    user = User.objects.get(username="planner")
    original = partition(draft)
    [created] = edits.history(draft)
    edits.take_area(draft, "W", village.boundary, user, "*")
    edits.restore(draft, created.when, user)
    for code, boundary in partition(draft).items():
        assert boundary.sym_difference(original[code]).area < 1
    assert len(edits.history(draft)) == 3  # created, taken, restored
    assert edits.history(draft)[0].note.startswith("restored the state of")


def test_only_a_submitted_partition_can_be_approved(draft, village):
    with pytest.raises(edits.NotEditable):
        edits.move(draft, "approve")  # a draft must be submitted first
    user = User.objects.get(username="planner")
    edits.take_area(draft, "W", village.boundary, user, "*")
    edits.move(draft, "submit")
    with pytest.raises(edits.NotEditable):  # a submission is not edited
        edits.take_area(draft, "E", village.boundary, user, "*")
    old = PlanVersion.objects.approved().get()
    edits.move(draft, "approve")
    old.refresh_from_db()
    assert old.status == PlanVersion.Status.ARCHIVED
    # Approval reassigned the village to the new plan's West zone.
    assert Village.objects.get(pk=village.pk).zone == draft.zones.get(code="W")


def test_a_broken_partition_is_not_approved(draft):
    west = draft.zones.get(code="W")
    west.boundary = polygons(west.boundary.buffer(-100), west.boundary.srid)  # a 100 m gap all round
    west.save()
    edits.move(draft, "submit")
    with pytest.raises(PartitionError, match="in no zone"):
        edits.move(draft, "approve")


# ---- API ----

def test_get_gives_the_zone_with_its_etag(planner, draft):
    response = planner.get(zone_url(draft, "W"))
    assert response.status_code == 200
    zone = draft.zones.get(code="W")
    assert response["ETag"] == f'"{zone.pk}.1"'  # a new copy is at revision 1
    assert response.json()["properties"]["etag"] == response["ETag"]


def test_patch_takes_the_drawn_land(planner, draft, village):
    etag = planner.get(zone_url(draft, "W"))["ETag"]
    response = patch(planner, zone_url(draft, "W"), {"take": lonlat(village.boundary), "srid": 4326,
                                                     "note": "river valley"}, etag)
    assert response.status_code == 200, response.content
    assert response["ETag"] != etag
    west = draft.zones.get(code="W")
    assert west.boundary.contains(village.location) and west.revision == 2
    assert edits.history(draft)[0].note == "river valley"


def test_picking_villages_takes_their_land(planner, draft, village):
    etag = planner.get(zone_url(draft, "W"))["ETag"]
    preview = planner.post(zone_url(draft, "W", "preview/"), {"villages": [village.code]},
                           content_type="application/json")
    assert preview.status_code == 200
    [move] = preview.json()["moves"]
    assert move["villages"] == [village.code] and (move["from"], move["to"]) == ("E", "W")
    assert draft.zones.get(code="W").revision == 1  # a preview saves nothing
    response = patch(planner, zone_url(draft, "W"), {"villages": [village.code]}, etag)
    assert response.status_code == 200
    assert draft.zones.get(code="W").boundary.contains(village.location)


def test_two_planners_cannot_overwrite_each_other(client, draft, village):
    first, second = log_in(client, "planner"), log_in(client.__class__(), "planner")
    etag = first.get(zone_url(draft, "W"))["ETag"]
    assert second.get(zone_url(draft, "W"))["ETag"] == etag
    assert patch(first, zone_url(draft, "W"), {"villages": [village.code]}, etag).status_code == 200
    stale = patch(second, zone_url(draft, "W"), {"name": "西部"}, etag)
    assert stale.status_code == 412
    assert "changed by someone else" in stale.json()["error"]
    # East lost land to the first edit: its old ETag is stale too.
    assert patch(second, zone_url(draft, "E"), {"name": "东"}, f'"{draft.zones.get(code="E").pk}.1"').status_code == 412
    assert problems(partition(draft), edits.county_boundary(draft)) == []


def test_patch_without_if_match_is_refused(planner, draft, village):
    response = patch(planner, zone_url(draft, "W"), {"villages": [village.code]})
    assert response.status_code == 428
    assert draft.zones.get(code="W").revision == 1


def take(*ring):
    """A change taking the polygon of one `ring` of (x, y) positions."""
    return {"take": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}}


TRIANGLE = take((110.1, 34.1), (110.2, 34.1), (110.2, 34.2), (110.1, 34.1))


@pytest.mark.parametrize("body, reason", [
    (take((110.1, 34.1), (110.2, 34.2), (110.2, 34.1), (110.1, 34.2), (110.1, 34.1)), "Self-intersection"),
    (take((110.1, 34.1), (110.2, 34.1), (110.1, 34.1)), "at least 4 positions"),
    (take((3.8e7, 3.7e6), (3.81e7, 3.7e6), (3.81e7, 3.71e6), (3.8e7, 3.7e6)), "looks like metres"),
    ({**TRIANGLE, "srid": 4546}, "inside the county"),  # degrees declared as metres: a speck near the false origin
    ({**TRIANGLE, "srid": 123456}, "not a known coordinate system"),
    # A square of 1° whose corner just touches the county: mostly outside.
    (take((109.0, 33.0), (110.2, 33.0), (110.2, 34.0), (109.0, 34.0), (109.0, 33.0)), "inside the county"),
    ({"villages": ["000000000000"]}, "no such village"),
    ({"color": "red"}, "Enter a valid value"),
    ({"preferred_industries": ["mining"]}, "preferred industries must be"),
    ({"boundary": "x"}, "cannot be changed here"),
    ({}, "nothing to change"),
])
def test_bad_changes_get_400_and_change_nothing(planner, draft, body, reason):
    etag = planner.get(zone_url(draft, "W"))["ETag"]
    records = Zone.history.count()
    response = patch(planner, zone_url(draft, "W"), body, etag)
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    assert Zone.history.count() == records
    assert planner.get(zone_url(draft, "W"))["ETag"] == etag


def test_nan_in_a_body_is_refused(planner, draft):
    etag = planner.get(zone_url(draft, "W"))["ETag"]
    body = '{"take": {"type": "Polygon", "coordinates": [[[110.1, 34.1], [NaN, 34.1], [110.2, 34.2], [110.1, 34.1]]]}}'
    response = planner.patch(zone_url(draft, "W"), body, content_type="application/json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400 and "finite" in response.json()["error"]


def test_the_plan_in_force_is_not_edited_in_place(planner):
    approved = PlanVersion.objects.approved().get()
    response = patch(planner, zone_url(approved, "W"), {"name": "x"}, "*")
    assert response.status_code == 409 and "only a draft" in response.json()["error"]


@pytest.mark.parametrize("username, status", [("official", 403), ("analyst", 403)])
def test_only_planners_change_zones(client, draft, username, status):
    log_in(client, username)
    assert client.get(zone_url(draft, "W")).status_code == 200
    assert patch(client, zone_url(draft, "W"), {"name": "x"}, "*").status_code == status
    assert client.post(f"/api/plans/{draft.pk}/restore/", {"at": "2020-01-01T00:00:00Z"},
                       content_type="application/json").status_code == status
    assert client.post("/api/plans/", {"name": "x"}, content_type="application/json").status_code == status


def test_anonymous_callers_get_401(client, draft):
    assert client.get(zone_url(draft, "W")).status_code == 401
    assert patch(client, zone_url(draft, "W"), {"name": "x"}, "*").status_code == 401


def test_officials_see_drafts_only_on_purpose(client, draft):
    log_in(client, "official")
    names = {v["name"] for v in client.get("/api/plans/").json()}
    assert "draft 1" not in names
    assert "draft 1" in {v["name"] for v in client.get("/api/plans/?drafts=1").json()}
    assert client.get(f"/api/plans/{draft.pk}/").status_code == 200  # opened by its id


def test_history_and_restore_through_the_api(planner, draft, village):
    [created] = planner.get(f"/api/plans/{draft.pk}/history/").json()
    patch(planner, zone_url(draft, "W"), {"villages": [village.code]}, "*")
    newest = planner.get(f"/api/plans/{draft.pk}/history/").json()[0]
    assert newest["user"] == "planner" and {z["code"] for z in newest["zones"]} == {"E", "W"}
    record = planner.get(f"/api/plans/{draft.pk}/history/{newest['zones'][0]['history_id']}/").json()
    assert record["before"] and record["after"]
    response = planner.post(f"/api/plans/{draft.pk}/restore/", {"at": created["at"]},
                            content_type="application/json")
    assert response.status_code == 200 and sorted(response.json()["changed"]) == ["E", "W"]
    assert draft.zones.get(code="E").boundary.contains(village.location)


def test_versions_move_through_the_api(planner, draft):
    assert planner.post(f"/api/plans/{draft.pk}/approve/").status_code == 409  # not submitted
    assert planner.post(f"/api/plans/{draft.pk}/submit/").json()["status"] == "submitted"
    assert planner.post(f"/api/plans/{draft.pk}/approve/").json()["status"] == "approved"
    assert planner.post(f"/api/plans/{draft.pk}/nonsense/").status_code == 404


def test_comparison_lists_the_land_and_villages_that_moved(planner, draft, village):
    patch(planner, zone_url(draft, "W"), {"villages": [village.code]}, "*")
    approved = PlanVersion.objects.approved().get()
    data = planner.get(f"/api/plans/compare/?a={approved.pk}&b={draft.pk}").json()
    [move] = data["moves"]
    assert (move["from"], move["to"], move["villages"]) == ("E", "W", [village.code])
    [changed] = data["changed"]["features"]
    assert changed["properties"]["area_km2"] == pytest.approx(village.boundary.area / 1e6, abs=1e-3)
    west = next(z for z in data["zones"] if z["code"] == "W")
    assert west["b"]["villages"] == west["a"]["villages"] + 1
    assert west["b"]["households"] == west["a"]["households"] + village.households


def test_a_draft_is_created_through_the_api(planner):
    response = planner.post("/api/plans/", {"name": "2027 revision"}, content_type="application/json")
    assert response.status_code == 201
    assert PlanVersion.objects.get(pk=response.json()["id"]).zones.count() == 4
    assert planner.post("/api/plans/", {"name": ""}, content_type="application/json").status_code == 400
    assert planner.post("/api/plans/", "not json", content_type="application/json").status_code == 400


def test_drafts_are_discarded_but_published_versions_are_not(planner, draft):
    approved = PlanVersion.objects.approved().get()
    assert planner.delete(f"/api/plans/{approved.pk}/").status_code == 409
    assert planner.delete(f"/api/plans/{draft.pk}/").status_code == 200
    assert not PlanVersion.objects.filter(pk=draft.pk).exists()
    assert Zone.history.filter(plan_id=draft.pk).exists()  # the record of the work stays



def test_the_schema_documents_the_plan_endpoints(client):
    paths = client.get("/api/schema/").json()["paths"]
    zone = paths["/api/plans/{pk}/zones/{code}/"]
    assert {"get", "patch"} <= set(zone)
    assert {"412", "428"} <= set(zone["patch"]["responses"])
    assert any(p["name"] == "If-Match" and p["required"] for p in zone["patch"]["parameters"])
    assert {"/api/plans/", "/api/plans/{pk}/history/", "/api/plans/{pk}/restore/",
            "/api/plans/compare/"} <= set(paths)
