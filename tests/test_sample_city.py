"""The sample city (`load_sample --city`, what `make demo` loads): Shangluo's seven counties on
their outlines, with their official towns and committees, each county's figures, plan and
analyses its own. Loaded once for the module, inside a transaction that is rolled back after it."""
import csv

import pytest
import shapely
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Sum

from access.runs import CoverageOptions, run_coverage
from assessment.runs import AssessOptions, run_assessment
from data.load import load_sample
from data.sample.committees import DIVISIONS
from layers import partition
from layers.models import County, PlanVersion, ServiceCenter, Town, Village, UserRegion, Zone
from siting.runs import SitingOptions, run_siting

from .conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("english")
CITY = ("611002", "611021", "611022", "611023", "611024", "611025", "611026")


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_sample(tmp_path_factory.mktemp("city"), city=True)
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def city_analyst(city, db, client):
    user = User.objects.create_user("city_analyst", password=PASSWORD)
    user.groups.add(Group.objects.get(name="analyst"))
    UserRegion.objects.create(user=user, code="6110")
    client.force_login(user)
    return client


def official_counts():
    """Towns and committees per county in the official file, leaving out the units numbered
    from 400 (reservoirs, forest farms, parks and colleges), as the sample does."""
    with DIVISIONS.open(encoding="utf-8") as source:
        codes = [row["code"] for row in csv.DictReader(source) if int(row["code"][6:9]) < 400]
    return ({c: sum(1 for code in codes if len(code) == 9 and code.startswith(c)) for c in CITY},
            {c: sum(1 for code in codes if len(code) == 12 and code.startswith(c)) for c in CITY})


def holes(geometry):
    polygons = geometry if geometry.geom_type == "MultiPolygon" else [geometry]
    return sum(polygon.num_interior_rings for polygon in polygons)


def test_the_city_is_seven_counties_that_meet_without_gaps_or_overlaps(city, db):
    counties = list(County.objects.order_by("adcode"))
    assert [c.adcode for c in counties] == list(CITY)
    union = counties[0].boundary
    for c in counties[1:]:
        union = union.union(c.boundary)
    # No overlaps: the union's area is the sum of the seven (to a square metre each).
    assert union.area == pytest.approx(sum(c.boundary.area for c in counties), abs=7)
    # No gaps: the union's only holes are the two enclaves in 柞水县's own outline.
    assert holes(union) == sum(holes(c.boundary) for c in counties) == 2
    # Luonan keeps the sample's outline (2,823 km²), the others theirs (data/README.md gives
    # 商州区 2,646 km² and 柞水县 2,361 km² in their zone; here they gain or give the slivers
    # along Luonan's border).
    areas = {c.adcode: c.boundary.area / 1e6 for c in counties}
    assert areas["611021"] == pytest.approx(2823, abs=1)
    assert areas["611026"] == pytest.approx(2361, rel=0.01)
    assert areas["611002"] == pytest.approx(2646, rel=0.01)


def test_each_county_has_its_official_towns_and_committees_inside_it(city, db):
    towns, committees = official_counts()
    assert sum(towns.values()) == 98 and sum(committees.values()) == 1302
    for code in CITY:
        county = County.objects.get(adcode=code)
        assert Town.objects.of_county(county).count() == towns[code]
        villages = Village.objects.of_county(county)
        assert villages.count() == committees[code]
        assert not villages.exclude(code__startswith=code).exists()
        assert not villages.exclude(location__within=county.boundary).exists()


def test_each_county_s_villages_add_up_to_its_figures(city, db):
    for county in County.objects.all():
        total = Village.objects.of_county(county).aggregate(
            Sum("population"), Sum("poor_population"), Sum("poor_households"))
        assert (total["population__sum"], total["poor_population__sum"],
                total["poor_households__sum"]) == (county.rural_population,
                                                   county.poor_population, county.poor_households)
    # Luonan keeps the report's figures.
    luonan = County.objects.get(adcode="611021")
    assert (luonan.poor_population, luonan.poor_households) == (86_000, 27_000)


def test_each_county_has_a_plan_of_three_or_four_zones_that_partition_it(city, db):
    for county in County.objects.all():
        plan = PlanVersion.objects.of_county(county).get(status=PlanVersion.Status.APPROVED)
        zones = {z.code: z.boundary for z in Zone.objects.filter(plan=plan)}
        assert 3 <= len(zones) <= 4 and "C" in zones
        assert partition.problems(zones, county.boundary) == []
        # Every kind of service center stands in every zone.
        for kind in ("relief", "agri_policy", "elderly_care", "children_care", "health_check"):
            zoned = set(ServiceCenter.objects.of_county(county).filter(kind=kind)
                        .values_list("zone__code", flat=True))
            assert zoned == set(zones), (county.adcode, kind)
    luonan = Zone.objects.of_county(County.objects.get(adcode="611021"))
    assert sorted(luonan.values_list("code", "name")) == [
        ("C", "中部片区"), ("E", "东部片区"), ("N", "北部片区"), ("W", "西部片区")]


def test_a_city_county_s_analyses_run_on_its_own_data(city, db):
    # 柞水县, the smallest: 82 committees.
    coverage = run_coverage(CoverageOptions("health_check", county="611026").checked())
    assert len(coverage.villages.ids) == 82
    assert 0 < coverage.coverage.covered.sum() <= 82
    assessment = run_assessment(AssessOptions(county="611026").checked())
    # The exit modules leave out the residents' committees that are not poor: 82 less 16.
    assert len(assessment.villages) == 66
    assert Village.objects.filter(code__startswith="611026", kind="community",
                                  exit_status="non_poor").count() == 16
    siting = run_siting(SitingOptions("tourism", county="611026").checked())
    # 柞水 (about 109.1°E) analyses in its own zone, EPSG:4545 (CM 108°E), and so do its sites.
    zhashui = County.objects.get(adcode="611026")
    assert zhashui.gk_srid == siting.surface.grid.crs.to_epsg() == 4545
    outline = shapely.from_wkb(bytes(zhashui.boundary.transform(4545, clone=True).wkb))
    assert siting.sites and all(outline.contains(site.geometry.representative_point())
                                for site in siting.sites)


@pytest.mark.parametrize("url", ["/", "/region/", "/plan/", "/analysis/coverage/",
                                 "/analysis/siting/", "/assessment/"])
def test_the_city_s_analyst_opens_every_page_of_each_county(city_analyst, url):
    for code in ("611023", "611026"):
        response = city_analyst.get(f"{url}?county={code}")
        assert response.status_code == 200, (url, code)
