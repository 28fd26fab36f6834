"""Each role has what it needs and no more: the sets below are written out by hand."""
import pytest
from django.contrib.auth.models import Group, User

VIEW = {f"layers.view_{m}" for m in ("county", "town", "planversion", "zone", "village",
                                      "servicecenter", "industry", "road", "river", "protectedarea",
                                      "rasterlayer", "villageperiod")}
EDIT = {f"layers.{a}_{m}" for a in ("add", "change", "delete")
        for m in ("planversion", "zone", "village", "servicecenter", "industry", "road", "river")}
EDIT |= {"layers.add_villageperiod"}  # quarterly statistics are added, never changed
VIEW |= {"households.view_household"}  # the register's counts
# The register and its personal data: kept by planners; a status change is added, never changed.
REGISTER = {f"households.{a}_{m}" for a in ("add", "change", "delete")
            for m in ("household", "member", "cadre", "householdincome")}
REGISTER |= {f"households.view_{m}" for m in ("member", "cadre", "householdincome",
                                              "householdevent")}
REGISTER |= {"households.add_householdevent", "households.see_personal_data"}
EXPECTED = {
    "official": VIEW,
    "analyst": VIEW | {"layers.run_analysis"},
    "planner": VIEW | EDIT | REGISTER | {"layers.run_analysis", "layers.approve_planversion",
                                         "layers.import_rasters"},
    "administrator": VIEW | {"auth.view_user", "auth.add_user", "auth.change_user",
                             "households.view_householdexport"},
}


@pytest.mark.django_db
def test_the_four_groups_exist():
    assert set(Group.objects.values_list("name", flat=True)) == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_has_exactly_its_permissions(role):
    assert User.objects.get(username=role).get_all_permissions() == EXPECTED[role]


@pytest.mark.django_db
def test_nobody_edits_the_divisions_or_rasters_and_only_the_administrator_users():
    for role in EXPECTED:
        granted = User.objects.get(username=role).get_all_permissions()
        assert not {p for p in granted if p.split(".")[1].split("_", 1)[1] in
                    ("county", "town", "protectedarea", "rasterlayer") and not p.split(".")[1].startswith("view")}
        assert role == "administrator" or not any(p.startswith("auth.") for p in granted)
