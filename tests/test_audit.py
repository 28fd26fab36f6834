"""The audit log: who changed which plan object and when, from the page, the command
and the objects' histories, for changes made through the application by a signed-in user."""
import io

import pytest
from django.core.management import CommandError, call_command

from layers import audit
from layers.models import County, PlanVersion, ServiceCenter
from tests.conftest import log_in


@pytest.fixture
def planner_work(client, sample, english):
    """A planner makes a draft from the plan in force and submits it, through the pages."""
    log_in(client, "planner")
    in_force = PlanVersion.objects.approved().get()
    client.post("/plan/new/", {"name": "audit draft", "from": in_force.pk})
    draft = PlanVersion.objects.get(name="audit draft")
    client.post(f"/plan/{draft.pk}/submit/")
    return draft


def test_the_planners_changes_are_recorded_with_the_user_and_the_fields(planner_work):
    mine = [c for c in audit.changes(County.objects.default(), user="planner")
            if c.at >= planner_work.created_at]  # not what other tests' planners left
    # Newest first: the submission (status changed), then the draft's creation and its four
    # zones copied from the plan in force.
    assert (mine[0].model, mine[0].action, mine[0].fields) == ("planversion", "changed", ("status",))
    assert mine[0].label == "audit draft"
    created = [(c.model, c.action) for c in mine[1:]]
    assert sorted(created) == [("planversion", "created")] + [("zone", "created")] * 4
    assert {c.object_id for c in mine if c.model == "planversion"} == {planner_work.pk}


def test_a_deletion_is_recorded(sample, english):
    center = ServiceCenter.objects.first()
    pk = center.pk
    center.delete()
    last = audit.changes(County.objects.default(), model="servicecenter", limit=1)[0]
    assert (last.action, last.object_id, last.label, last.user) == ("deleted", pk, center.name, "")


def test_the_page_filters_by_user_kind_and_day(client, planner_work):
    page = client.get("/plan/audit/", {"user": "planner", "model": "planversion"}).content.decode()
    assert page.count("audit draft") == 2  # created, then changed
    assert client.get("/plan/audit/", {"user": "nobody"}).content.decode().count("audit draft") == 0
    assert client.get("/plan/audit/", {"since": "2999-01-01"}).content.decode().count("audit draft") == 0


@pytest.mark.parametrize("query, words", [({"since": "2020-13-01"}, "is not a date"),
                                          ({"model": "user"}, "No such kind of object")])
def test_the_page_refuses_bad_filters_with_a_message(client, planner_work, query, words):
    response = client.get("/plan/audit/", query)
    assert response.status_code == 400 and words in response.content.decode()


def test_every_role_may_read_the_log_and_anonymous_users_sign_in_first(client, sample):
    assert client.get("/plan/audit/").status_code == 302
    for role in ("official", "analyst", "planner"):
        assert log_in(client, role).get("/plan/audit/").status_code == 200


def test_the_command_writes_csv(planner_work):
    out = io.StringIO()
    call_command("audit_log", "--user", "planner", "--model", "planversion", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "at,user,action,model,object_id,object,fields,note"
    mine = [line for line in lines if f",planversion,{planner_work.pk}," in line]
    assert len(mine) == 2 and ",planner,changed,planversion," in mine[0]


def test_the_command_refuses_a_bad_date(sample):
    with pytest.raises(CommandError, match="must be a date"):
        call_command("audit_log", "--since", "yesterday")


def test_an_import_through_the_api_is_recorded_with_the_importer(client, sample, english, tmp_path):
    from layers.models import Village
    village = Village.objects.order_by("code").first()
    figures = tmp_path / "figures.csv"
    figures.write_text(f"code,population\n{village.code},{village.population + 1}\n")
    log_in(client, "planner")
    with figures.open("rb") as upload:
        assert client.post("/api/import/villages/", {"file": upload}).status_code == 200
    last = audit.changes(County.objects.default(), model="village", limit=1)[0]
    assert (last.user, last.action, last.object_id) == ("planner", "changed", village.pk)
    assert last.fields == ("registered population",) and last.note == "imported from figures.csv"
