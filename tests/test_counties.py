"""Many counties on one installation: regions from the codes, each county's rows, plan and
imports its own. A second county, 丹凤县 (611022), is drawn here as a 20 km square beside the
sample county (洛南县, 611021): one town, one village (a 2 km square) and a plan of two zones."""
import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from access.runs import CoverageOptions, LocateOptions, run_coverage, run_locate
from gisplan.api import Refusal, plain
from layers.importing import ImportOptions, import_layer
from jobs.models import Job
from jobs.tasks import RUNNERS, Progress
from layers.models import (County, PlanVersion, RasterLayer, Road, ServiceCenter, ServiceCoverage, Town,
                           UserRegion, Village, VillagePeriod, Zone)
from layers.regions import county_named, level

from .conftest import log_in
from .layer_files import in_srid, write_layer
from .test_periods import workbook

pytestmark = pytest.mark.usefixtures("english")
KM = 1000.0


def box(west, south, east, north, srid):
    return MultiPolygon(Polygon.from_bbox((west, south, east, north)), srid=srid)


@pytest.fixture
def danfeng(sample):
    """丹凤县 beside the sample county: east of its bounding box, so the two do not overlap."""
    luonan = County.objects.get(adcode="611021")
    west, south, east, north = luonan.boundary.extent
    srid = luonan.boundary.srid
    outline = box(east, south, east + 20 * KM, south + 20 * KM, srid)
    county = County.objects.create(adcode="611022", name="丹凤县", boundary=outline,
                                   rural_population=1000, poor_households=10, poor_population=30)
    town = Town.objects.create(county=county, code="611022100", name="龙驹寨镇", boundary=outline,
                               seat=Point(east + 10 * KM, south + 10 * KM, srid=srid))
    plan = PlanVersion.objects.create(county=county, name="丹凤两片区",
                                      status=PlanVersion.Status.APPROVED)
    for code, x in (("W", east), ("E", east + 10 * KM)):  # two halves, west and east
        Zone.objects.create(plan=plan, code=code, name=f"{code}片区",
                            boundary=box(x, south, x + 10 * KM, south + 20 * KM, srid))
    Village.objects.create(code="611022100201", name="龙驹村", town=town,
                           location=Point(east + 15 * KM, south + 5 * KM, srid=srid),
                           boundary=box(east + 14 * KM, south + 4 * KM, east + 16 * KM, south + 6 * KM, srid),
                           population=100, poor_population=10)
    return county


def test_a_code_says_its_level_and_a_county_its_city_and_province(danfeng):
    assert [level(code) for code in ("61", "6110", "611022", "611022100", "611022100201")] == [
        "province", "city", "county", "town", "village"]
    with pytest.raises(Refusal):
        level("61102")
    assert (danfeng.city_code, danfeng.province_code) == ("6110", "61")
    assert set(County.objects.in_region("6110").values_list("adcode", flat=True)) == {"611021", "611022"}
    assert list(County.objects.in_region("611022")) == [danfeng]
    # Every row reaches its county: the village by its town, the zone by its plan.
    assert Village.objects.get(code="611022100201").county == danfeng
    assert Zone.objects.in_region("611022").count() == 2
    assert Village.objects.in_region("6110").count() == Village.objects.count()


def test_the_main_county_is_the_setting_s_then_the_first_by_code(danfeng, settings):
    assert County.objects.default().adcode == "611021"  # settings.DEFAULT_COUNTY
    settings.DEFAULT_COUNTY = "611022"
    assert County.objects.default() == danfeng
    settings.DEFAULT_COUNTY = "999999"  # no such county: the first by code
    assert County.objects.default().adcode == "611021"
    with pytest.raises(Refusal, match="no county has the code 610000"):
        county_named("610000")


def test_each_county_has_its_own_plan_in_force(danfeng):
    luonan = County.objects.get(adcode="611021")
    in_force = PlanVersion.objects.of_county(luonan).approved().get()
    zoned = dict(Village.objects.of_county(luonan).values_list("pk", "zone"))
    # The village at 15 km east lies in the east half of 丹凤's plan.
    assert Village.objects.get(code="611022100201").zone.code == "E"
    # A new plan of 丹凤 with one zone: approving it archives 丹凤's old plan only.
    draft = PlanVersion.objects.create(county=danfeng, name="一个片区")
    whole = Zone.objects.create(plan=draft, code="C", name="全县", boundary=danfeng.boundary)
    draft.approve()
    assert PlanVersion.objects.of_county(luonan).approved().get() == in_force
    assert PlanVersion.objects.of_county(danfeng).approved().get() == draft
    assert Village.objects.get(code="611022100201").zone == whole
    assert dict(Village.objects.of_county(luonan).values_list("pk", "zone")) == zoned
    # Still one plan in force per county.
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(county=danfeng, name="又一个", status=PlanVersion.Status.APPROVED)


def test_pages_and_the_api_act_on_the_main_county(danfeng, client):
    client.force_login(User.objects.get(username="planner"))
    villages = client.get("/api/layers/villages/").json()["features"]
    assert "611022100201" not in {f["properties"]["code"] for f in villages}
    assert len(villages) == Village.objects.of_county(County.objects.get(adcode="611021")).count()
    other = PlanVersion.objects.of_county(danfeng).get()
    assert client.get(f"/api/plans/{other.pk}/").status_code == 404
    assert client.get(f"/plan/{other.pk}/").status_code == 404
    assert "丹凤两片区" not in client.get("/plan/").content.decode()


def test_an_import_takes_the_rows_of_its_county_only(danfeng, tmp_path):
    luonan_point = in_srid(Village.objects.filter(town__county__adcode="611021").first().location, 4326)
    danfeng_point = in_srid(danfeng.towns.get().seat, 4326)
    table = tmp_path / "villages.csv"
    table.write_text(f"lon,lat,村代码,名称\n{luonan_point.x},{luonan_point.y},611022100202,新村\n",
                     encoding="utf-8")
    with pytest.raises(Refusal, match="the code 611022100202 is not of the county 洛南县"):
        import_layer(ImportOptions("villages", table, county="611021"))
    # Without --county the codes name the county: 丹凤's, where this point lies outside.
    with pytest.raises(Refusal, match="row 2: it lies outside the county"):
        import_layer(ImportOptions("villages", table))
    table.write_text(f"lon,lat,村代码,名称\n{danfeng_point.x},{danfeng_point.y},611022100202,新村\n",
                     encoding="utf-8")
    report = import_layer(ImportOptions("villages", table))  # the county from the codes
    assert report.created == 1
    new = Village.objects.get(code="611022100202")
    assert (new.county, new.town.code, new.zone.code) == (danfeng, "611022100", "W")  # 10 km east: the west half


def test_a_zones_import_makes_a_plan_of_its_county_with_its_own_zones(danfeng, tmp_path):
    west, south, east, north = danfeng.boundary.extent
    thirds = [({"代码": code, "名称": name}, in_srid(box(west + i * (east - west) / 3, south,
                                                         west + (i + 1) * (east - west) / 3, north,
                                                         danfeng.boundary.srid), 4326))
              for i, (code, name) in enumerate((("W", "西部片区"), ("C", "中部片区"), ("E", "东部片区")))]
    path = write_layer(tmp_path / "zones.geojson", thirds)
    report = import_layer(ImportOptions("zones", path, county="611022"))
    draft = PlanVersion.objects.of_county(danfeng).get(name=report.plan)
    assert sorted(draft.zones.values_list("code", flat=True)) == ["C", "E", "W"]
    # Imported into 洛南县 (the main county), the same zones lie outside it.
    with pytest.raises(Refusal, match="feature 1: it lies outside the county"):
        import_layer(ImportOptions("zones", path))


@pytest.mark.parametrize("command, arguments", [
    ("coverage", ["--service", "health_check"]),
    ("locate", ["--service", "health_check", "--model", "lscp"]),
    ("assess_exit", []),
    ("export_layer", ["villages", "villages.csv"]),
])
def test_commands_refuse_an_unknown_county_in_one_line(sample, command, arguments, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match="^no county has the code 999999$"):
        call_command(command, *arguments, "--county", "999999", stdout=io.StringIO())
    assert list(tmp_path.iterdir()) == []


# Across borders ------------------------------------------------------------------------------

@pytest.fixture
def border(sample):
    """Two counties 100 km east of the sample, side by side along x (in km from their corner):
    商南县 (611023) from x = -1 to 21, 山阳县 (611024) from 21 to 40. A road at 30 km/h runs from
    商南's health-check center at x = 0 through its one village at x = 20 to the border, and on
    in 山阳 to 山阳's center at x = 22: the village is 20 km (40 min) from its own center and
    2 km (4 min) from its neighbour's."""
    luonan = County.objects.get(adcode="611021")
    west, south, east, north = luonan.boundary.extent
    srid = luonan.boundary.srid

    def at(x_km, y_km=0.0):
        return Point(east + 100 * KM + x_km * KM, south + y_km * KM, srid=srid)

    def line(x0, x1):
        return LineString(at(x0), at(x1), srid=srid)

    counties = {}
    for code, name, x0, x1 in (("611023", "商南县", -1, 21), ("611024", "山阳县", 21, 40)):
        outline = box(at(x0, -5).x, at(x0, -5).y, at(x1, 5).x, at(x1, 5).y, srid)
        county = counties[code] = County.objects.create(
            adcode=code, name=name, boundary=outline, rural_population=100, poor_households=3,
            poor_population=10)
        Town.objects.create(county=county, code=f"{code}100", name=f"{name[:2]}镇", boundary=outline,
                            seat=at((x0 + x1) / 2, 4))
    home, neighbour = counties["611023"], counties["611024"]
    Village.objects.create(code="611023100201", name="边村", town=home.towns.get(), location=at(20),
                           population=100, poor_population=10)
    ServiceCenter.objects.create(county=home, kind="health_check", name="商南体检中心", location=at(0))
    ServiceCenter.objects.create(county=neighbour, kind="health_check", name="山阳体检中心",
                                 location=at(22))
    Road.objects.create(county=home, road_class="county", speed_kmh=30, geometry=line(0, 21))
    Road.objects.create(county=neighbour, road_class="county", speed_kmh=30, geometry=line(21, 22))
    return home


def test_a_village_near_the_border_is_served_by_the_neighbour_s_center_across_borders(border):
    assert list(County.objects.neighbours_of(border).values_list("adcode", flat=True)) == ["611024"]
    alone = run_coverage(CoverageOptions("health_check", max_minutes=30, county="611023"))
    [row] = alone.rows()
    assert (row["covered"], row["nearest_center"], row["travel_min"]) == (False, "商南体检中心", 40.0)
    across = run_coverage(CoverageOptions("health_check", max_minutes=30, county="611023",
                                          across_borders=True))
    [row] = across.rows()
    assert (row["covered"], row["nearest_center"], row["travel_min"]) == (True, "山阳体检中心（山阳县）", 4.0)


def test_across_borders_the_neighbour_s_center_stays_open_and_no_new_site_is_needed(border):
    # Alone, the village needs a site of its own within 30 minutes; across the border the
    # neighbour's center (fixed: not this county's to close) covers it.
    alone = run_locate(LocateOptions("health_check", "lscp", max_minutes=30, county="611023"))
    assert len(alone.solution.new_sites) == 1
    across = run_locate(LocateOptions("health_check", "lscp", max_minutes=30, county="611023",
                                      across_borders=True))
    assert len(across.solution.new_sites) == 0
    assert [row["site"] for row in across.rows()] == ["山阳体检中心（山阳县）"]


def test_the_command_counts_the_neighbours_with_across_borders(border):
    def covered(*flags):
        out = io.StringIO()
        call_command("coverage", "--service", "health_check", "--max-minutes", "30",
                     "--county", "611023", *flags, stdout=out)
        return out.getvalue()
    assert "0 of 1 villages covered" in covered()
    assert "1 of 1 villages covered" in covered("--across-borders")


def test_a_city_s_coverage_runs_in_each_county_across_borders(border, tmp_path):
    # The city 6110 holds the sample county and the two above: each county's villages, each
    # served across borders; 山阳县 has no village of its own.
    luonan = run_coverage(CoverageOptions("health_check", max_minutes=30))
    out, table = io.StringIO(), tmp_path / "city.csv"
    call_command("coverage", "--service", "health_check", "--max-minutes", "30", "--region", "6110",
                 "--out", str(table), stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["洛南县", "商南县", "山阳县", "商洛市"]
    assert lines[1].endswith("1 of 1 villages covered; 100.0% of the poor population (10 of 10); "
                             "poor people: 10 of 10")
    covered = luonan.shares[None].covered_villages + 1  # and 商南's one village, from 山阳
    assert f"商洛市: {covered} of 248 villages covered" in lines[3]
    with open(table, encoding="utf-8-sig") as source:
        rows = {row["code"]: row for row in csv.DictReader(source)}
    assert len(rows) == 248 and rows["611023100201"]["county"] == "611023"
    assert rows["611023100201"]["nearest_center"] == "山阳体检中心（山阳县）"


def test_a_region_is_a_city_or_the_province_within_the_user_s(border):
    with pytest.raises(CommandError, match="^name a county or a region, not both$"):
        call_command("coverage", "--service", "relief", "--region", "6110", "--county", "611021")
    with pytest.raises(CommandError, match="^a region is a province"):
        call_command("coverage", "--service", "relief", "--region", "61102")
    with pytest.raises(CommandError, match="^no county lies in the region 6101$"):
        call_command("coverage", "--service", "relief", "--region", "6101")
    planner = User.objects.create_user("luonan-planner")
    planner.groups.add(Group.objects.get(name="planner"))
    UserRegion.objects.create(user=planner, code="611021")
    with pytest.raises(CommandError, match="^no county lies in the region 6110$"):
        call_command("coverage", "--service", "relief", "--region", "6110", "--as", "luonan-planner")


def city_user(role):
    """A user of Shangluo city (6110) with `role`."""
    user = User.objects.create_user(f"shangluo-{role}")
    user.groups.add(Group.objects.get(name=role))
    UserRegion.objects.create(user=user, code="6110")
    return user


def test_a_region_s_coverage_is_kept_per_county_and_service_and_shown_on_the_region_portal(border, client):
    call_command("coverage", "--service", "health_check", "--max-minutes", "30", "--region", "6110",
                 stdout=io.StringIO())
    kept = {c.county.adcode: c for c in ServiceCoverage.objects.filter(service="health_check")}
    assert sorted(kept) == ["611021", "611023", "611024"]
    # 商南's one village (10 poor people) is reached from 山阳 in 4 minutes; 山阳 has no village.
    shangnan, shanyang = kept["611023"], kept["611024"]
    assert (shangnan.region, shangnan.mode, shangnan.threshold) == ("6110", "network", 30)
    assert (shangnan.covered_villages, shangnan.villages, shangnan.poor_population,
            shangnan.covered_poor_population, shangnan.poor_share) == (1, 1, 10, 10, 1.0)
    assert (shanyang.villages, shanyang.poor_share) == (0, None)
    luonan = kept["611021"]
    page = client.force_login(city_user("official")) or client.get("/region/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<th class="service">free health check center</th>' in html
    assert 'title="within 30 min by road, ' in html and ">100.0%</td>" in html
    # The region's cell: the three counties' covered poor over their poor.
    region = (luonan.covered_poor_population + 10) / (luonan.poor_population + 10)
    assert f">{100 * region:.1f}%</td>\n      </tr>\n    </tbody>" in html
    # A later run of the service replaces the county's row; another service adds its own.
    call_command("coverage", "--service", "health_check", "--max-minutes", "1", "--region", "6110",
                 stdout=io.StringIO())
    shangnan = ServiceCoverage.objects.get(county__adcode="611023", service="health_check")
    assert (shangnan.threshold, shangnan.covered_poor_population) == (1, 0)
    assert ServiceCoverage.objects.count() == 3


def test_a_region_s_coverage_is_queued_by_the_city_s_analyst_only(border, client):
    log_in(client, "analyst")  # Luonan's analyst: the city is beyond the region
    refused = client.post("/api/jobs/analysis/region_coverage/",
                          {"region": "6110", "service": "health_check"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "no county lies in the region 6110" in refused.json()["error"]
    client.force_login(city_user("analyst"))
    assert "region-coverage" in client.get("/region/").content.decode()
    job = client.post("/api/jobs/analysis/region_coverage/",
                      {"region": "6110", "service": "health_check", "max_minutes": "30",
                       "across_borders": "1"}).json()
    assert job["kind"] == "region_coverage" and job["params"] == {"service": "health_check",
                                                                  "max_minutes": "30"}
    queued = Job.objects.get(pk=job["id"])
    assert queued.region == "6110"
    result = plain(RUNNERS[queued.kind](queued, Progress(queued)))  # what the worker would do
    assert [c["county"] for c in result["counties"]] == ["611021", "611023", "611024"]
    assert result["counties"][1]["covered_poor_population"] == 10
    assert result["summary"].startswith("商洛市: ")
    assert ServiceCoverage.objects.filter(county__adcode="611023", covered_poor_population=10).exists()
    # The portal's form queues the same; a bad threshold comes back to the portal with the reason.
    assert client.post("/jobs/region-coverage/", {"region": "6110", "service": "relief"})["Location"] == "/jobs/"
    back = client.post("/jobs/region-coverage/", {"region": "6110", "service": "relief",
                                                  "max_minutes": "-5"}, follow=True)
    assert back.redirect_chain == [("/region/", 302)]
    assert "error" in back.content.decode() and Job.objects.count() == 2
    # The city's official sees the figures but may not run them.
    client.force_login(city_user("official"))
    assert "region-coverage" not in client.get("/region/").content.decode()
    assert client.post("/jobs/region-coverage/", {"region": "6110", "service": "relief"}).status_code == 403


def test_quarterly_figures_stay_in_their_county(danfeng, client, tmp_path):
    # A file with a quarter of 丹凤's one village (100 people, 10 poor, tests' fixture).
    path = workbook(tmp_path / "q.xlsx", [["611022100201", 2030, 1, 2, 8, 5000, 3000, 1, 0, 0]])
    log_in(client, "planner")  # Luonan's planner (the main county's: no region of their own)
    with open(path, "rb") as upload:
        refused = client.post("/api/assessment/periods/", {"file": upload})
    assert refused.status_code == 400 and "no village has the code 611022100201" in refused.json()["error"]
    with pytest.raises(CommandError, match="no village has the code 611022100201"):
        call_command("import_periods", str(path), "--county", "611021")
    with pytest.raises(CommandError, match="no village has the code 611022100201"):
        call_command("import_periods", str(path), "--as", "planner")
    assert not VillagePeriod.objects.filter(year=2030).exists()
    call_command("import_periods", str(path), stdout=io.StringIO())  # each row's county by its code
    # Luonan's trends and worse villages hold none of 丹凤's quarters; 丹凤's hold its own.
    luonan = log_in(client, "official").get("/api/assessment/trends/").json()
    assert "2030Q1" not in luonan["trends"][0]["periods"]
    superuser = User.objects.create_superuser("root-611022")
    client.force_login(superuser)
    danfeng_trends = client.get("/api/assessment/trends/?county=611022").json()["trends"]
    assert [(t["zone"], t["periods"], t["poor_population"]) for t in danfeng_trends] == [
        (None, ["2030Q1"], [8]), ("E", ["2030Q1"], [8])]


def test_a_new_village_takes_a_town_of_its_own_county_only(danfeng, tmp_path):
    # A committee 200 m east of Luonan's easternmost point: within the 500 m an import allows
    # beyond the outline, and inside a town of 丹凤 drawn around it.
    luonan = County.objects.get(adcode="611021")
    x, y = max(luonan.boundary.coords[0][0], key=lambda xy: xy[0])
    Town.objects.create(county=danfeng, code="611022101", name="边镇",
                        boundary=box(x - 1 * KM, y - 1 * KM, x + 1 * KM, y + 1 * KM, luonan.boundary.srid),
                        seat=Point(x + 500, y, srid=luonan.boundary.srid))
    point = in_srid(Point(x + 200, y, srid=luonan.boundary.srid), 4326)
    table = tmp_path / "villages.csv"
    table.write_text(f"lon,lat,村代码,名称\n{point.x},{point.y},611021999201,边村\n", encoding="utf-8")
    with pytest.raises(Refusal, match="lies in no town"):
        import_layer(ImportOptions("villages", table, county="611021"))
    assert not Village.objects.filter(code="611021999201").exists()


def test_the_audit_log_and_the_basemap_are_the_county_s_own(danfeng, client, tmp_path, settings):
    village = danfeng.towns.get().villages.get()
    village.name = "改名村"
    village.save()
    log_in(client, "planner")  # Luonan's
    assert "改名村" not in client.get("/plan/audit/").content.decode()
    out = io.StringIO()
    call_command("audit_log", "--model", "village", stdout=out)
    assert "改名村" not in out.getvalue()
    call_command("audit_log", "--model", "village", "--county", "611022", stdout=out)
    assert "改名村" in out.getvalue()
    with pytest.raises(CommandError, match="^no county has the code 611022$"):
        call_command("audit_log", "--county", "611022", "--as", "planner")
    # 丹凤's basemap, named by its id, is not found from Luonan.
    image = tmp_path / "basemap.jpg"
    image.write_bytes(b"\xff\xd8\xff\xd9")
    basemap = RasterLayer.objects.create(
        county=danfeng, name="底图", kind=RasterLayer.Kind.BASEMAP, path=str(image), srid=3857,
        resolution=0, width=0, height=0, footprint=Polygon.from_bbox((0, 0, 1, 1)), synthetic=True)
    assert client.get(f"/basemap.jpg?v={basemap.pk}").status_code == 404
    client.force_login(User.objects.create_superuser("root-basemap"))
    assert client.get(f"/basemap.jpg?county=611022&v={basemap.pk}").status_code == 200
