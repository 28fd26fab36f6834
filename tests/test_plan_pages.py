"""The /plan/ pages for each role: the versions, the editor (a viewer for non-planners and for
versions that are not drafts), the comparison, and the version actions."""
import pytest
from django.contrib.auth.models import User

from layers.models import PlanVersion
from plans import edits

pytestmark = pytest.mark.usefixtures("sample")


@pytest.fixture
def draft():
    return edits.create_draft(PlanVersion.objects.approved().get(), "草稿<b>一</b>",
                              User.objects.get(username="planner"))


def test_every_role_sees_the_versions_the_plan_and_a_comparison(role_client, draft):
    approved = PlanVersion.objects.approved().get()
    index = role_client.get("/plan/")
    assert index.status_code == 200
    assert approved.name in index.content.decode()
    viewer = role_client.get(f"/plan/{approved.pk}/")
    assert viewer.status_code == 200
    assert b'id="edit-panel"' not in viewer.content  # the plan in force is never edited in place
    compared = role_client.get(f"/plan/compare/?a={approved.pk}&b={draft.pk}")
    assert compared.status_code == 200 and b'id="compare-table"' in compared.content


def test_drafts_are_listed_for_planners_and_on_purpose_for_others(client, draft):
    client.force_login(User.objects.get(username="official"))
    assert b'id="drafts"' not in client.get("/plan/").content
    assert b'id="drafts"' in client.get("/plan/?drafts=1").content
    page = client.get(f"/plan/{draft.pk}/").content.decode()
    assert 'id="edit-panel"' not in page and 'id="not-in-force"' in page
    # The draft's name is shown as text.
    assert "草稿&lt;b&gt;一&lt;/b&gt;" in page and "草稿<b>一</b>" not in page


def test_planners_edit_drafts_and_move_them_on(client, draft):
    client.force_login(User.objects.get(username="planner"))
    assert b'id="edit-panel"' in client.get(f"/plan/{draft.pk}/").content
    response = client.post(f"/plan/{draft.pk}/submit/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.SUBMITTED
    response = client.post(f"/plan/{draft.pk}/approve/", follow=True)
    assert PlanVersion.objects.approved().get() == draft
    assert response.status_code == 200


def test_a_new_draft_from_the_page(client):
    client.force_login(User.objects.get(username="planner"))
    response = client.post("/plan/new/", {"name": "2027 修编"})
    draft = PlanVersion.objects.get(name="2027 修编")
    assert response.status_code == 302 and response["Location"] == f"/plan/{draft.pk}/"


@pytest.mark.parametrize("username", ["official", "analyst"])
def test_other_roles_cannot_act_on_versions(client, draft, username):
    client.force_login(User.objects.get(username=username))
    assert client.post(f"/plan/{draft.pk}/submit/").status_code == 403
    assert client.post("/plan/new/", {"name": "x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT
