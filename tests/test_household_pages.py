"""The register's pages, API and exports by role: a household seeded with a sentinel name, ID
number and helper's phone appears in full only on its own page to the county's planner, masked
in the planner's list, in the planner's export (which is logged), and nowhere for the others:
not in their pages, exports, the layers, tiles, trends, the audit log or the log output."""
import csv
import io
import logging

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from households.models import Cadre, Household, HouseholdEvent, HouseholdExport, Member
from layers.models import UserRegion, Village

from .conftest import log_in

pytestmark = pytest.mark.django_db
NAME, ID_NUMBER, PHONE = "哨兵甲", "990000195001011234", "10987654321"
MASKED = "990***********1234"
CODE = "611021SENTINEL1"


@pytest.fixture
def sentinel(sample):
    village = Village.objects.filter(poor_households__gt=0).order_by("code").first()
    cadre = Cadre.objects.create(county=village.county, name="哨兵干部", unit="县扶贫局", phone=PHONE)
    household = Household.objects.create(
        village=village, code=CODE, head_name=NAME, category=Household.Category.INDUSTRY_SUPPORT,
        cadre=cadre, registered_on="2014-05-10", status=Household.Status.REGISTERED)
    Member.objects.create(household=household, name=NAME, id_number=ID_NUMBER, relation="户主",
                          sex="M", birth_year=1950, lives_alone=True)
    HouseholdEvent.objects.create(household=household, status="registered", on="2014-05-10")
    return household


def sentinels(text):
    return [s for s in (NAME, ID_NUMBER, PHONE, "哨兵干部") if s in text]


def city_user(role):
    user = User.objects.create_user(f"{role}_6110")
    user.groups.add(Group.objects.get(name=role))
    UserRegion.objects.create(user=user, code="6110")
    return user


def test_the_planner_sees_names_with_ids_masked_and_in_full_on_the_households_page(
        sentinel, client):
    log_in(client, "planner")
    listing = client.get("/households/", {"village": sentinel.village.code}).content.decode()
    assert NAME in listing and MASKED in listing and ID_NUMBER not in listing
    assert f"/households/{CODE}/" in listing
    own = client.get(f"/households/{CODE}/").content.decode()
    assert NAME in own and ID_NUMBER in own and PHONE in own


@pytest.mark.parametrize("role", ["official", "analyst", "administrator"])
def test_other_roles_see_counts_only(sentinel, client, role):
    log_in(client, role)
    listing = client.get("/households/").content.decode()
    assert "27001" in listing  # 27,000 households of the sample and the sentinel
    assert not sentinels(listing) and CODE not in listing
    assert client.get(f"/households/{CODE}/").status_code == 403


def test_a_city_official_sees_counts_only(sentinel):
    client = Client()
    client.force_login(city_user("planner"))  # a city's planner holds no more than views
    listing = client.get("/households/?county=611021").content.decode()
    assert "27001" in listing and not sentinels(listing)
    assert client.get(f"/households/{CODE}/?county=611021").status_code == 403
    export = client.get("/households/export.csv?county=611021").content.decode("utf-8-sig")
    assert CODE in export and not sentinels(export)


def test_every_export_is_logged_and_personal_only_for_the_planner(sentinel, client):
    log_in(client, "planner")
    rows = list(csv.reader(io.StringIO(
        client.get("/households/export.csv").content.decode("utf-8-sig"))))
    mine = [r for r in rows if r[0] == CODE]
    assert len(mine) == 1 and mine[0][1:4] == [NAME, NAME, ID_NUMBER] and PHONE in mine[0]
    assert len(rows) == Member.objects.count() + 1
    logged = HouseholdExport.objects.get()
    assert (logged.user.username, logged.format, logged.rows, logged.personal) == (
        "planner", "csv", Member.objects.count(), True)
    log_in(client, "official")
    book = client.get("/households/export.xlsx")
    assert book.status_code == 200 and NAME.encode() not in book.content
    logged = HouseholdExport.objects.order_by("-pk").first()
    assert (logged.user.username, logged.format, logged.rows, logged.personal) == (
        "official", "xlsx", Household.objects.count(), False)


def test_an_export_imports_again_unchanged(sentinel, client, tmp_path):
    from households.importing import import_households
    log_in(client, "planner")
    path = tmp_path / "register.csv"
    path.write_bytes(client.get("/households/export.csv").content)
    households = Household.objects.filter(code__in=[CODE, *Household.objects.order_by("code")
                                                    .values_list("code", flat=True)[:30]])
    kept = set(Member.objects.filter(household__in=households).values_list(
        "household__code", "name", "id_number", "relation", "sex", "birth_year", "lives_alone"))
    report = import_households(path, villages=Village.objects.filter(county=sentinel.village.county))
    assert report.households == Household.objects.count() and report.status_changes == 0
    assert set(Member.objects.filter(household__in=households).values_list(
        "household__code", "name", "id_number", "relation", "sex", "birth_year",
        "lives_alone")) == kept


def test_no_personal_field_reaches_layers_tiles_trends_or_the_log(sentinel, client, caplog):
    caplog.set_level(logging.DEBUG)
    log_in(client, "planner")
    seen = []
    for url in ("/", "/api/layers/villages/", "/api/export/villages.csv", "/api/households/",
                "/api/assessment/trends/", "/api/assessment/", "/assessment/", "/plan/audit/",
                "/tiles/villages/6/51/25.pbf", "/data/"):
        body = client.get(url).content
        for s in sentinels(body.decode("utf-8", "replace")):
            seen.append((url, s))
    assert not seen
    assert not sentinels(caplog.text)


def test_the_import_api_for_planners_only(sentinel, client, english):
    log_in(client, "official")
    assert client.post("/api/households/import/", {}).status_code == 403
    log_in(client, "planner")
    refused = client.post("/api/households/import/", {})
    assert refused.status_code == 400 and "file" in refused.json()["error"]
