"""Users by region: a county's users act on their county only, and a row of another county is
not found (404); a city's or the province's officials and analysts see every county below,
read-only. The second county is tests/test_counties.py's 丹凤县 (611022), beside the sample
county 洛南县 (611021); both are in 商洛市 (6110), Shaanxi (61)."""
import csv
import io
import math

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.core.management import CommandError, call_command

from jobs.models import Job
from layers.models import County, PlanVersion, UserRegion, Village, Zone

from .test_counties import danfeng  # noqa: F401  (a fixture)

pytestmark = pytest.mark.usefixtures("english", "danfeng")
DANFENG_VILLAGE = "611022100201"


def user_in(region, role, name=None):
    user = User.objects.create_user(name or f"{role}-{region}", password="test-password-1",
                                    is_staff=role == "planner")  # as create_demo_users
    user.groups.add(Group.objects.get(name=role))
    UserRegion.objects.create(user=user, code=region)
    return user


def signed_in(client, user):
    client.force_login(user)
    return client


def village_codes(response):
    assert response.status_code == 200, response.content[:200]
    return {f["properties"]["code"] for f in response.json()["features"]}


def test_a_county_planner_cannot_see_or_change_another_county(client):
    other_county = County.objects.get(adcode="611022")
    client = signed_in(client, user_in("611021", "planner"))
    other_plan = PlanVersion.objects.of_county(other_county).get()
    other_zone = Zone.objects.of_county(other_county).get(code="E")
    village = Village.objects.get(code=DANFENG_VILLAGE)
    # Named or not, 丹凤's rows are not found: not a 403, which would say they exist.
    for url in ("/api/layers/villages/?county=611022", "/plan/?county=611022",
                "/api/export/villages.csv?county=611022", "/api/analysis/coverage/?service=relief&county=611022",
                f"/api/plans/{other_plan.pk}/", f"/plan/{other_plan.pk}/"):
        assert client.get(url).status_code == 404, url
    assert DANFENG_VILLAGE not in village_codes(client.get("/api/layers/villages/"))
    response = client.patch(f"/api/plans/{other_plan.pk}/zones/E/", {"name": "改名"},
                            content_type="application/json", HTTP_IF_MATCH='"1.1"')
    assert response.status_code == 404
    assert Zone.objects.get(pk=other_zone.pk).name == "E片区"
    # The admin lists and opens the county's own rows only; a change sent to another's is lost.
    listed = client.get("/admin/layers/village/")
    assert listed.status_code == 200 and village.name not in listed.content.decode()
    assert listed.context["cl"].result_count == Village.objects.in_region("611021").count() == 247
    client.post(f"/admin/layers/village/{village.pk}/change/", {"name": "改名"})
    assert Village.objects.get(pk=village.pk).name == "龙驹村"


def test_tiles_hold_the_rows_of_the_user_s_region(client):
    village = Village.objects.get(code=DANFENG_VILLAGE).location.transform(4326, clone=True)
    url = "/tiles/villages/{}/{}/{}.pbf".format(*tile_of(village.x, village.y, 12))
    luonan = signed_in(client, user_in("611021", "official")).get(url)
    caches["tiles"].clear()
    city = signed_in(client, user_in("6110", "official")).get(url)
    # The village of 丹凤 is in the city official's tile, not in the Luonan official's, and
    # the two copies have different entity tags.
    assert DANFENG_VILLAGE.encode() in city.content
    assert DANFENG_VILLAGE.encode() not in luonan.content
    assert city["ETag"] != luonan["ETag"]


def tile_of(lon, lat, z):
    """The web-map tile (z, x, y) holding lon/lat."""
    n = 2 ** z
    return z, int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def test_a_city_analyst_sees_every_county_of_the_city_read_only(client):
    analyst = user_in("6110", "analyst")
    client = signed_in(client, analyst)
    assert DANFENG_VILLAGE in village_codes(client.get("/api/layers/villages/?county=611022"))
    # The choice is remembered for the session: the next page acts on 丹凤 too.
    assert DANFENG_VILLAGE in village_codes(client.get("/api/layers/villages/"))
    assert {c[:6] for c in village_codes(client.get("/api/layers/villages/?county=611021"))} == {"611021"}
    # A county of another city is not found.
    assert client.get("/api/layers/villages/?county=610102").status_code == 404
    # An analysis job is asked for the county chosen, and belongs to it.
    response = client.post("/api/jobs/analysis/coverage/?county=611022", {"service": "relief"})
    assert response.status_code == 202, response.content
    assert Job.objects.get(pk=response.json()["id"]).region == "611022"
    # Read-only: no draft plan, even for a city user put in the planners' group by mistake.
    assert client.post("/api/plans/", {"name": "城市的草案"}, content_type="application/json").status_code == 403
    planner = user_in("6110", "planner", "city-planner")
    assert planner.has_perm("layers.view_village") and planner.has_perm("layers.run_analysis")
    assert not planner.has_perm("layers.change_zone")
    assert not planner.has_perm("layers.add_planversion")
    assert not planner.has_perm("layers.import_rasters")


def test_the_province_official_and_the_superuser_see_every_county(client):
    client = signed_in(client, user_in("61", "official"))
    assert DANFENG_VILLAGE in village_codes(client.get("/api/layers/villages/?county=611022"))
    page = client.get("/").content.decode()
    assert 'name="county"' in page and "丹凤县" in page  # the header's choice of county
    admin = signed_in(client, User.objects.get(username="admin"))
    assert DANFENG_VILLAGE in village_codes(admin.get("/api/layers/villages/?county=611022"))


def test_a_user_without_a_region_works_in_the_main_county(client):
    client = signed_in(client, User.objects.get(username="planner"))
    assert client.get("/api/layers/villages/?county=611022").status_code == 404
    assert client.get("/api/layers/villages/?county=611021").status_code == 200
    assert 'name="county"' not in client.get("/").content.decode()  # no choice to make


def test_the_region_portal_shows_the_city_s_counties_with_their_figures(client):
    client = signed_in(client, user_in("6110", "official"))
    page = client.get("/region/")
    assert page.status_code == 200
    rows = {row.adcode: row for row in page.context["rows"]}
    assert list(rows) == ["611021", "611022"] and page.context["name"] == "商洛市"
    # 丹凤: one village of 100 people, 10 of them poor (tests/test_counties.py): 10% incidence.
    assert (rows["611022"].villages, rows["611022"].poor_population, rows["611022"].incidence) == (1, 10, 0.1)
    luonan = Village.objects.in_region("611021").totals()
    assert (rows["611021"].villages, rows["611021"].poor_population) == (247, luonan["poor_population"])
    assert page.context["total"].poor_population == luonan["poor_population"] + 10
    html = page.content.decode()
    assert '/?county=611022"' in html  # each county leads to its own portal
    counties = page.context["frame"].config["page"]["counties"]["features"]
    assert {f["properties"]["adcode"] for f in counties} == {"611021", "611022"}
    # A county's user sees a region of one county: their own.
    luonan_page = signed_in(client, user_in("611021", "official")).get("/region/")
    assert [row.adcode for row in luonan_page.context["rows"]] == ["611021"]


def administrator_of(region):
    user = user_in(region, "administrator", f"administrator-{region}")
    user.is_staff = True
    user.save()
    return user


def listed_users(client):
    response = client.get("/admin/auth/user/")
    assert response.status_code == 200
    return {user.username for user in response.context["cl"].result_list}


def test_a_county_administrator_manages_the_users_of_that_county_only(client):
    luonan_planner, danfeng_planner = user_in("611021", "planner"), user_in("611022", "planner")
    other_administrator = administrator_of("611021")
    client = signed_in(client, administrator_of("611022"))
    # Danfeng's users only: not Luonan's, nor those without a region (they work in the main
    # county, Luonan), nor the superuser, nor an administrator (themselves included).
    assert listed_users(client) == {danfeng_planner.username}
    for user in (luonan_planner, other_administrator, User.objects.get(username="admin"),
                 User.objects.get(username="planner")):
        response = client.get(f"/admin/auth/user/{user.pk}/change/")
        assert response.status_code == 302 and response["Location"] == "/admin/"  # not found
        assert client.get(f"/admin/auth/user/{user.pk}/password/").status_code == 404
    # Their own user is not theirs to change either (their password: /admin/password_change/).
    assert "administrator-611022" not in listed_users(client)


def test_the_main_county_s_administrator_also_manages_the_users_without_a_region(client):
    user_in("611021", "planner")
    client = signed_in(client, administrator_of("611021"))
    listed = listed_users(client)
    assert {"planner", "official", "analyst", "planner-611021"} <= listed  # the first three
    # have no region: the test session's users
    assert not {"administrator", "admin"} & listed


def test_a_county_administrator_gives_roles_and_nothing_more(client):
    client = signed_in(client, administrator_of("611022"))
    user = user_in("611022", "official")
    form = client.get(f"/admin/auth/user/{user.pk}/change/").context["adminform"].form
    # No superuser status, no single permissions, no region (the dates are shown read-only).
    assert set(form.fields) == {"username", "password", "first_name", "last_name", "email",
                                "is_active", "is_staff", "groups"}
    assert {g.name for g in form.fields["groups"].queryset} == {"planner", "official", "analyst"}
    administrator = Group.objects.get(name="administrator")
    response = client.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": user.username, "is_active": "on", "is_superuser": "on",
        "groups": [administrator.pk], "user_permissions": [1]})
    assert response.status_code == 200  # the form again, with its error: not a valid choice
    user.refresh_from_db()
    assert not user.is_superuser and not user.user_permissions.exists()
    assert list(user.groups.values_list("name", flat=True)) == ["official"]
    planner = Group.objects.get(name="planner")
    response = client.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": user.username, "is_active": "on", "is_superuser": "on", "groups": [planner.pk]})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_superuser  # a field they are not shown is not changed
    assert list(user.groups.values_list("name", flat=True)) == ["planner"]


def test_a_user_added_by_a_county_administrator_works_in_that_county(client):
    client = signed_in(client, administrator_of("611022"))
    response = client.post("/admin/auth/user/add/", {
        "username": "new-planner", "usable_password": "true",
        "password1": "a long new password 7", "password2": "a long new password 7"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="new-planner")
    assert UserRegion.objects.get(user=user).code == "611022"
    assert "new-planner" in listed_users(client)


def test_a_city_administrator_changes_no_user(client):
    client = signed_in(client, administrator_of("6110"))  # RegionBackend: read-only above a county
    user = user_in("611022", "official")
    assert client.get("/admin/auth/user/add/").status_code == 403
    response = client.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": "renamed", "is_active": "on"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.username == "official-611022"


def exported_codes(path):
    with open(path, encoding="utf-8-sig") as source:
        return {row["code"] for row in csv.DictReader(source)}


def test_a_command_run_as_a_county_planner_acts_on_that_county_only(tmp_path):
    user_in("611021", "planner", "luonan-planner")
    out = tmp_path / "villages.csv"
    call_command("export_layer", "villages", str(out), "--as", "luonan-planner", stdout=io.StringIO())
    assert {code[:6] for code in exported_codes(out)} == {"611021"}  # their county by default
    for command in (["export_layer", "villages", str(out)],
                    ["coverage", "--service", "relief"],
                    ["import_layer", "villages", str(tmp_path / "none.csv")]):
        with pytest.raises(CommandError, match="no county has the code 611022"):
            call_command(*command, "--county", "611022", "--as", "luonan-planner",
                         stdout=io.StringIO())


def test_a_command_run_as_a_user_keeps_to_their_role():
    user_in("611021", "official", "luonan-official")
    user_in("6110", "planner", "city-planner")  # above a county: read-only whatever the group
    with pytest.raises(CommandError, match="luonan-official may not do this: their role lacks "
                                           "layers.run_analysis"):
        call_command("coverage", "--service", "relief", "--as", "luonan-official",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="city-planner may not do this: their role lacks "
                                           "layers.add_village, layers.change_village"):
        call_command("import_layer", "villages", "none.csv", "--county", "611022",
                     "--as", "city-planner", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no active user is called nobody"):
        call_command("assess_exit", "--as", "nobody", stdout=io.StringIO())


def test_a_command_run_as_a_city_analyst_reaches_every_county_of_the_city(tmp_path):
    user_in("6110", "analyst", "city-analyst")
    out = tmp_path / "coverage.csv"
    call_command("coverage", "--service", "relief", "--mode", "euclidean", "--county", "611022",
                 "--out", str(out), "--as", "city-analyst", stdout=io.StringIO())
    assert exported_codes(out) == {DANFENG_VILLAGE}
