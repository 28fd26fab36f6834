"""Each role has what it needs and no more (issue 2)."""
import pytest
from django.contrib.auth.models import Group, User


def perms(role):
    return User.objects.get(username=role).get_all_permissions()


@pytest.mark.django_db
def test_the_three_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) == {"planner", "official", "analyst"}


@pytest.mark.django_db
def test_officials_only_view():
    granted = perms("official")
    assert "layers.view_village" in granted and "layers.view_zone" in granted
    assert all(p.split(".")[1].startswith("view_") for p in granted)
    assert not any(p.startswith("auth.") for p in granted)


@pytest.mark.django_db
def test_analysts_view_and_run_analyses_but_edit_nothing():
    granted = perms("analyst")
    assert "layers.run_analysis" in granted and "layers.view_servicecenter" in granted
    assert not [p for p in granted if p.split(".")[1].split("_")[0] in ("add", "change", "delete")]


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["zone", "planversion", "village", "servicecenter", "industry",
                                   "road", "river"])
def test_planners_edit_the_plan_layers(model):
    granted = perms("planner")
    assert {f"layers.{a}_{model}" for a in ("add", "change", "delete")} <= granted
    assert "layers.approve_planversion" in granted


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["county", "town", "rasterlayer"])
def test_no_role_edits_divisions_or_rasters(model):
    for role in ("planner", "official", "analyst"):
        assert not {f"layers.{a}_{model}" for a in ("add", "change", "delete")} & perms(role)


@pytest.mark.django_db
def test_no_role_manages_users():
    for role in ("planner", "official", "analyst"):
        assert not any(p.startswith("auth.") for p in perms(role))
