"""Village exit assessment: the edges of the criteria, the record checked
against the map, the priority list, household categories, the rules as data, the command and
the API; which committees are assessed. Villages of the sample are set by hand inside each test's
transaction."""
import io

import numpy as np
import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef, Sum
from django.test import override_settings
from django.utils.html import escape

from analysis.exit import DEFAULT_RULES, RulesError, load_rules
from assessment.runs import AssessOptions, run_assessment
from layers.models import Road, Village

from .conftest import log_in

pytestmark = pytest.mark.django_db
API = "/api/assessment/"
STANDARD_FLAGS = dict(water_connected=True, electricity_connected=True, road_connected=True,
                      tv_connected=True, internet_connected=True, has_collective_org=True,
                      leading_industries=1, has_office_space=True, has_clinic=True,
                      all_housing_safe=True, households_short_of_guarantees=0)


def village(**fields):
    """The sample's first villagers' committee (the assessment covers every one), changed as
    asked."""
    first = Village.objects.filter(kind="village").order_by("code").first()
    Village.objects.filter(pk=first.pk).update(**fields)
    return first.code


def row_of(run, code):
    return next(r for r in run.rows() if r["code"] == code)


def changed_rules(tmp_path, old, new):
    """The default rules with `old` replaced by `new`, written to a file."""
    path = tmp_path / "changed-rules.toml"
    path.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return path


def rules_file(tmp_path, road_within_m=500, clinic_within_minutes=30):
    text = DEFAULT_RULES.read_text(encoding="utf-8")
    text = text.replace("road_within_m = 500", f"road_within_m = {road_within_m}")
    text = text.replace("clinic_within_minutes = 30",
                        f"clinic_within_minutes = {clinic_within_minutes}")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("poor, passes", [(299, True), (300, False)])
def test_incidence_must_be_strictly_below_three_percent(sample, english, poor, passes):
    # 299 / 10,000 = 2.99% passes; 300 / 10,000 = 3.00% is not below 3%.
    code = village(population=10_000, poor_population=poor, **STANDARD_FLAGS)
    row = row_of(run_assessment(), code)
    assert row["standard_pass"] is passes
    assert row["standard_failed"] == ("" if passes else "poverty incidence 3.00%, not below 3%")


def test_one_connection_missing_fails_the_module_and_says_which(sample, english):
    code = village(population=10_000, poor_population=100,
                   **{**STANDARD_FLAGS, "water_connected": False})
    row = row_of(run_assessment(), code)
    assert not row["standard_pass"] and row["standard_failed"] == "water connected: no"


@pytest.mark.parametrize("margin, on_map", [(0.05, True), (-0.05, False)])
def test_a_clinic_just_inside_or_outside_the_travel_time(sample, english, tmp_path, margin,
                                                         on_map):
    # A village t minutes by road from its nearest village clinic (t well above zero): a limit
    # of t + 0.05 finds it, t - 0.05 does not, and then the recorded clinic disagrees with the
    # map.
    run = run_assessment()
    i = next(i for i, t in enumerate(run.clinic_minutes) if 1 < t < 25)
    t, code = float(run.clinic_minutes[i]), run.villages[i]["code"]
    Village.objects.filter(code=code).update(has_clinic=True)
    with override_settings(EXIT_RULES=rules_file(tmp_path, clinic_within_minutes=t + margin)):
        run = run_assessment()
        assert run.clinic_on_map(i) is on_map
        disagreement = "recorded as having a clinic, but no village clinic is within"
        assert (disagreement in row_of(run, code)["record_vs_map"]) is not on_map


def test_a_road_near_the_committee_disagrees_with_a_record_of_none(sample, english):
    code = village(road_connected=False)
    run = run_assessment()
    row = row_of(run, code)
    assert row["road_on_map"]  # the sample's roads reach every committee
    assert "a road passes within 500 m of the village committee" in row["record_vs_map"]


def test_the_priority_list_puts_the_most_poor_people_first_then_the_fewest_gaps(sample):
    run = run_assessment(AssessOptions("standard"))
    rows = run.priority()
    assert len(rows) == int((~run.results["standard"].passed).sum())
    keys = [(-r["poor_population"], r["missing"], r["code"]) for r in rows]
    assert keys == sorted(keys) and [r["rank"] for r in rows] == list(range(1, len(rows) + 1))


def test_equal_poor_population_ranks_fewer_missing_criteria_first(sample):
    first, second = Village.objects.filter(kind="village").order_by("code")[:2]
    for v, missing in ((first, dict(water_connected=False, tv_connected=False)),
                       (second, dict(water_connected=False))):
        Village.objects.filter(pk=v.pk).update(population=100_000, poor_population=90_000,
                                               **{**STANDARD_FLAGS, **missing})
    # Both now lead the list (90,000 poor people); the one missing fewer criteria comes first:
    # incidence and water (2) before incidence, water and TV (3).
    top = run_assessment().priority()[:2]
    assert [(r["code"], r["missing"]) for r in top] == [(second.code, 2), (first.code, 3)]


def test_household_categories_add_up_per_zone_and_for_the_county(sample):
    rows = {r["zone"]: r for r in run_assessment().categories()}
    county = rows.pop(None)
    assert county["poor_households"] == 27_000  # the sample's total (data/README.md)
    for code, row in rows.items():
        sums = Village.objects.filter(zone__code=code).aggregate(
            a=Sum("industry_support_households"), b=Sum("livelihood_guarantee_households"))
        assert (row["industry_support_households"], row["livelihood_guarantee_households"]) == (
            sums["a"], sums["b"])
    # Every committee's poor households count, the communities left out of the assessment too:
    # the sample's 247 (data/sample/shangluo_divisions_2023.csv).
    assert sum(r["villages"] for r in rows.values()) == county["villages"] == 247


def test_the_rules_are_data_and_a_bad_file_is_refused_with_the_place(tmp_path):
    rules = load_rules()
    assert [c.key for c in rules.modules["standard"].criteria][:2] == ["incidence",
                                                                      "water_connected"]
    bad = tmp_path / "rules.toml"
    bad.write_text('[[module]]\nname = "standard"\n[[module.criterion]]\nkey = "x"\n'
                   'column = "x"\ntest = "maybe"\nthreshold = 1\n', encoding="utf-8")
    with pytest.raises(RulesError, match="module standard: criterion 1: .*unknown test"):
        load_rules(bad)


def test_another_countys_threshold_is_loaded(sample, english, tmp_path):
    # A county whose line is 5%: a village at 4% passes.
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace("threshold = 0.03", "threshold = 0.05")
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    code = village(population=10_000, poor_population=400, **STANDARD_FLAGS)
    with override_settings(EXIT_RULES=path):
        assert row_of(run_assessment(), code)["standard_pass"]


def test_the_command_writes_a_printable_workbook(sample, tmp_path, english):
    out = io.StringIO()
    call_command("assess_exit", "--module", "demonstration", "--out", str(tmp_path / "a.xlsx"),
                 stdout=out)
    assert "villages pass" in out.getvalue() and "  1. " in out.getvalue()
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    villages = book.worksheets[0]
    header = [c.value for c in villages[1]]
    assert header[:3] == ["code", "name", "zone"]
    assert {"standard_pass", "demonstration_pass", "standard_failed",
            "demonstration_failed"} <= set(header)
    # A header and the 205 villages assessed (204 villagers' committees and the one poor
    # community, data/sample/figures.py).
    assert villages.max_row == 206 and villages["A2"].number_format == "@"
    assert villages.page_setup.orientation == "landscape" and villages.print_title_rows
    assert villages["A1"].font.bold
    assert len(book.worksheets) == 3


@pytest.mark.parametrize("args, message", [
    (["--module", "golden"], "unknown module golden"),
    (["--out", "a.pdf"], "must end in .csv or .xlsx"),
    (["--out", "/no/such/folder/a.csv"], "no folder"),
])
def test_the_command_refuses_bad_options(sample, english, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("assess_exit", *args, stdout=io.StringIO())


@pytest.mark.parametrize("username, status", [(None, 401), ("official", 200), ("analyst", 200)])
def test_the_api_is_for_every_role(sample, client, username, status):
    if username:
        log_in(client, username)
    assert client.get(API).status_code == status


def test_the_api_gives_rows_priority_categories_and_files(sample, client):
    log_in(client, "official")
    data = client.get(API, {"module": "demonstration"}).json()
    # 205 villages assessed (204 villagers' committees and the one poor community); the
    # household categories count all 247 committees.
    assert len(data["villages"]) == 205 and data["module"] == "demonstration"
    assert data["map_checks"] == {"road_within_m": 500.0, "clinic_within_minutes": 30.0,
                                  "clinic_kinds": ["village_clinic"]}
    assert data["priority"][0]["rank"] == 1 and data["categories"][-1]["villages"] == 247
    xlsx = client.get(API, {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get(API, {"module": "golden"}).status_code == 400
    assert client.get(API, {"format": "pdf"}).status_code == 400


def test_the_schema_documents_the_assessment(sample, client):
    paths = log_in(client, "official").get("/api/schema/").json()["paths"]
    assert {p["name"] for p in paths[API]["get"]["parameters"]} == {"module", "format"}


@pytest.mark.parametrize("old, new, named", [
    ('column = "has_clinic"', 'column = "has_clinc"', "has_clinc"),  # a column villages lack
    ('clinic_kinds = ["village_clinic"]', 'clinic_kinds = ["hospital"]', "hospital"),
])
def test_manage_py_check_refuses_rules_the_villages_cannot_meet(tmp_path, old, new, named):
    from django.core.management.base import SystemCheckError
    with override_settings(EXIT_RULES=changed_rules(tmp_path, old, new)), \
            pytest.raises(SystemCheckError, match=named):
        call_command("check", stdout=io.StringIO())


def test_the_page_shows_the_assessment_to_every_role(sample, client, english):
    assert client.get("/assessment/").status_code == 302  # to the login page
    page = log_in(client, "official").get("/assessment/").content.decode()
    run = run_assessment()
    assert escape(run.summary()) in page
    top = run.priority()[0]
    assert f'{top["name"]} <small>{top["code"]}</small>' in page
    for table in ("trends", "priority", "categories", "villages", "disagreements", "worse"):
        assert f'id="{table}"' in page
    assert "2014Q1" in page and "2017Q2" in page  # the sample's quarters (data/sample/periods.py)


def test_the_page_says_what_is_wrong_with_a_bad_module(sample, client, english):
    response = log_in(client, "official").get("/assessment/", {"module": "golden"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "unknown module golden" in page and 'name="module"' in page


def test_services_out_of_reach_come_from_the_coverage_analysis(sample, english):
    # With no free health check center left, no village has one within 30 minutes by road.
    from layers.models import ServiceCenter
    ServiceCenter.objects.filter(kind="health_check").delete()
    rows = list(run_assessment().rows())
    assert all("free health check center" in r["services_out_of_reach"] for r in rows)


def test_a_village_without_registered_people_has_no_incidence_and_says_so(sample, english):
    code = village(population=0, poor_population=0, **STANDARD_FLAGS)
    row = row_of(run_assessment(), code)
    assert row["incidence_pct"] is None and not row["standard_pass"]
    assert row["standard_failed"] == "poverty incidence unknown: no registered population"


def test_a_record_of_a_road_with_none_near_the_committee_disagrees(sample, english, tmp_path):
    # Most committees stand where a road ends (data/sample/roads.py); one that no road touches
    # has no road within 0 m, so its record of a road disagrees with the map.
    touching = Road.objects.filter(geometry__dwithin=(OuterRef("location"), 0))
    off_road = Village.objects.filter(kind="village").exclude(Exists(touching)).order_by("code")
    code = off_road.first().code
    Village.objects.filter(code=code).update(road_connected=True)
    with override_settings(EXIT_RULES=rules_file(tmp_path, road_within_m=0)):
        row = row_of(run_assessment(), code)
    assert not row["road_on_map"]
    assert "recorded as road-connected, but no road is within 0 m" in row["record_vs_map"]


@pytest.mark.parametrize("change, message", [
    (('name = "demonstration"', 'name = "model"'), "need the modules standard and demonstration"),
    (("threshold = 0.03", ""), "a below test needs a threshold"),
    (("road_within_m = 500", "road_within_m = -1"), "map_checks are finite numbers"),
    (('clinic_kinds = ["village_clinic"]', 'clinic_kinds = "village_clinic"'),
     "clinic_kinds is a list"),
    ((", threshold = 10000 }", " }"), "criterion 7: a at_least test needs a threshold"),
])
def test_rules_the_assessment_cannot_use_are_refused(tmp_path, change, message):
    with pytest.raises(RulesError, match=message):
        load_rules(changed_rules(tmp_path, *change))


def test_a_community_is_assessed_only_when_it_is_recorded_as_poor(sample, english):
    # The sample's communities (data/sample/figures.py): only 移民新区社区 (古城镇,
    # 611021102003), where poor households were resettled, is a poor village; 西街社区 (城关街道,
    # 611021001001) and the other 41 are not, and the exit assessment leaves them out: it covers
    # the 204 villagers' committees and that one community.
    run = run_assessment()
    codes = {v["code"] for v in run.villages}
    assert "611021102003" in codes and "611021001001" not in codes
    assert len(codes) == 204 + 1
    assert "42 residents' committees not assessed" in run.summary()
    assert Village.objects.get(code="611021001001").poor_households > 0  # a few poor all the same
    # Recorded as poor, 西街社区 is assessed too.
    Village.objects.filter(code="611021001001").update(exit_status="poor")
    run = run_assessment()
    assert "611021001001" in {v["code"] for v in run.villages}
    assert len(run.villages) == 206 and "41 residents' committees not assessed" in run.summary()


def test_the_map_shows_no_exit_criteria_for_a_community_left_out(sample, client):
    # 西街社区 (611021001001) is not assessed; 移民新区社区 (611021102003) is.
    log_in(client, "official")
    for code, assessed in (("611021001001", False), ("611021102003", True)):
        [feature] = client.get("/api/layers/villages/", {"q": code}).json()["features"]
        p = feature["properties"]
        assert (p["kind"], p["exit_assessed"]) == ("community", assessed)
        assert (p["standard_failed"] is None) is not assessed


DEMONSTRATION_FLAGS = dict(no_poor_party_members=True, connections_high_standard=True,
                           office_fully_equipped=True, clinic_standardised=True,
                           has_environment_facilities=True, environment_clean=True,
                           social_security_sound=True, organisation_strengthened=True,
                           cooperatives=1, collective_income_yuan=60_000)


@pytest.mark.parametrize("income, passes", [(10_000, True), (9_999, False)])
def test_a_collective_accumulation_stands_for_the_organisation(sample, english, income, passes):
    # 村级集体积累或经济组织: no organisation, but 10,000 yuan of collective income (the
    # county's threshold) meets the criterion; 9,999 does not, and both halves are named.
    code = village(population=10_000, poor_population=100,
                   **{**STANDARD_FLAGS, "has_collective_org": False,
                      "collective_income_yuan": income})
    row = row_of(run_assessment(), code)
    assert row["standard_pass"] is passes
    assert row["standard_failed"] == ("" if passes else
                                      "has a collective economic organisation: no; and "
                                      "collective income (yuan): 9999, fewer than 10000")


def test_cooperatives_or_an_organisation_and_the_three_forces(sample, english):
    # 合作社或集体经济组织: no cooperative, but an organisation: the demonstration module passes.
    code = village(population=10_000, poor_population=100,
                   **{**STANDARD_FLAGS, **DEMONSTRATION_FLAGS, "cooperatives": 0})
    assert row_of(run_assessment(), code)["demonstration_pass"]
    # Without the organisation's three forces strengthened it fails, and says why.
    Village.objects.filter(code=code).update(organisation_strengthened=False)
    row = row_of(run_assessment(), code)
    assert not row["demonstration_pass"] and row["standard_pass"]
    assert row["demonstration_failed"] == ("village organisation's three forces strengthened "
                                           "(三力): no")


def test_thresholds_the_report_does_not_give_are_labelled_the_countys(sample, english, client):
    code = village(population=10_000, poor_population=100, collective_income_yuan=0,
                   **STANDARD_FLAGS)
    log_in(client, "official")
    villages = client.get("/api/layers/villages/").json()["features"]
    failed = next(f["properties"] for f in villages
                  if f["properties"]["code"] == code)["demonstration_failed"]
    assert "collective income (yuan) ≥ 50000 (the county's choice)" in failed


def test_only_village_clinics_count_unless_the_rules_say_more(sample, english, tmp_path):
    from assessment.runs import road_minutes_to
    from layers.exit_criteria import EXIT_ASSESSED
    from layers.models import County, ServiceCenter

    # Without village clinics no village has a clinic within reach on the map, town health
    # centers notwithstanding; with rules that count those too, the minutes are theirs.
    ServiceCenter.objects.filter(kind="village_clinic").delete()
    assert np.isinf(run_assessment().clinic_minutes).all()
    path = changed_rules(tmp_path, 'clinic_kinds = ["village_clinic"]',
                         'clinic_kinds = ["village_clinic", "town_health_center"]')
    with override_settings(EXIT_RULES=path):
        minutes = run_assessment().clinic_minutes
    county = County.objects.get(adcode="611021")
    queryset = Village.objects.filter(EXIT_ASSESSED).order_by("code")
    health = road_minutes_to(county, ("town_health_center",), queryset)["town_health_center"]
    assert (minutes == health).all() and np.isfinite(minutes).all()
