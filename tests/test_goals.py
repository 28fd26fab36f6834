"""The three goals and the income league table, on two quarters of 2030 (after the sample's
own, 2014Q1 to 2017Q2) reported by two villages whose figures are set by hand, so that each
expected number can be counted here.

Village a (zone E): population 1,000; 2030Q1 100 poor, poor income 5,000, income 9,000;
2030Q2 80 poor (30 households), poor income 5,500, income 9,300, 1 household returned.
Village b (zone W): population 3,000; 2030Q1 220 poor, poor income 5,200, income 9,500;
2030Q2 200 poor (60 households), poor income 5,200, income 9,500.
"""
import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from assessment.checks import goals_file
from assessment.goals import run_goals
from assessment.league import run_league
from gisplan.api import Refusal
from households.models import Household, HouseholdIncome
from layers.exit_criteria import EXIT_ASSESSED
from layers.models import County, UserRegion, Village, VillagePeriod

from .conftest import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(sample):
    return County.objects.get(adcode="611021")


@pytest.fixture
def two(county):
    a = Village.objects.filter(zone__code="E", kind="village").order_by("code").first()
    b = Village.objects.filter(zone__code="W", kind="village").exclude(town=a.town) \
        .order_by("code").first()
    Village.objects.filter(pk=a.pk).update(population=1000)
    Village.objects.filter(pk=b.pk).update(population=3000)
    for village, q1, q2 in ((a, (40, 100, 9000, 5000, 0), (30, 80, 9300, 5500, 1)),
                            (b, (65, 220, 9500, 5200, 0), (60, 200, 9500, 5200, 0))):
        for quarter, (households, poor, income, poor_income, returned) in ((1, q1), (2, q2)):
            VillagePeriod.objects.create(
                village=village, year=2030, quarter=quarter, poor_households=households,
                poor_population=poor, per_capita_income_yuan=income,
                poor_per_capita_income_yuan=poor_income, returned_households=returned)
    # Today every assessed village has exited but these two; three households of a are short
    # of 两不愁三保障, none elsewhere.
    Village.objects.filter(EXIT_ASSESSED).update(exit_status=Village.ExitStatus.EXITED)
    Village.objects.update(households_short_of_guarantees=0)
    Village.objects.filter(pk__in=[a.pk, b.pk]).update(exit_status=Village.ExitStatus.POOR)
    Village.objects.filter(pk=a.pk).update(households_short_of_guarantees=3)
    return a, b


def test_the_goals_now_and_what_remains(county, two):
    run = run_goals(county)
    assert run.targets.near_term_year == 2019 and run.targets.incidence_below == 0.03
    assert run.quarters[-2:] == ["2030Q1", "2030Q2"]
    row = run.rows(run.county)
    assessed = Village.objects.filter(EXIT_ASSESSED).count()
    assert (row["poor_households"], row["poor_population"], row["short_of_guarantees"]) == (
        90, 280, 3)
    assert not row["everyone_out"]
    assert (row["villages"], row["villages_exited"], row["villages_poor"]) == (
        assessed, assessed - 2, 2)
    # Incidence 280 / 4,000 = 7%: not below 3%.
    assert row["incidence"] == pytest.approx(0.07) and not row["delisted"]
    # The county's rural income: (9,300 × 1,000 + 9,500 × 3,000) / 4,000 = 9,450; the poor's:
    # (5,500 × 80 + 5,200 × 200) / 280 = 5,285.71; the gap 4,164.29.
    assert row["county_income"] == pytest.approx(9450)
    assert row["poor_income"] == pytest.approx(1_480_000 / 280)
    assert row["income_gap"] == pytest.approx(9450 - 1_480_000 / 280)
    assert row["returned_households"] == 1 and not row["no_returns"]


def test_each_zone_and_town_has_its_goals(county, two):
    a, b = two
    rows = {(r["kind"], r["code"]): r for r in map(run_goals(county).rows, run_goals(county).areas)}
    east = rows[("zone", "E")]
    # Zone E holds village a alone of those reporting: 80 poor of 1,000, 8%; its poor income
    # 5,500 against the county's 9,450.
    assert (east["poor_population"], east["incidence"]) == (80, pytest.approx(0.08))
    assert east["income_gap"] == pytest.approx(3950)
    assert east["short_of_guarantees"] == 3 and east["villages_poor"] == 1
    town = rows[("town", b.town.code)]
    assert town["villages_poor"] == 1 and town["short_of_guarantees"] == 0
    assert {r["kind"] for r in rows.values()} == {"county", "zone", "town"}
    # Zone N reported nothing in 2030Q2: its figures and goals are unknown there, not met.
    north = rows[("zone", "N")]
    assert (north["poor_population"], north["villages_reporting"], north["incidence"]) == (
        None, None, None)
    assert (north["everyone_out"], north["delisted"], north["no_returns"]) == (None, None, None)
    assert rows[("county", "611021")]["villages_reporting"] == 2


def test_the_goals_api_and_page(client, county, two):
    log_in(client, "official")
    data = client.get("/api/assessment/goals/").json()
    assert data["targets"]["near_term"] == {"year": 2019, "incidence_below": 0.03}
    county_row = data["areas"][0]
    assert county_row["kind"] == "county" and county_row["poor_population"] == 280
    assert county_row["trend"]["poor_population"][-2:] == [320, 280]
    # Every area's trend follows the county's quarters: zone N has none in 2030.
    north = next(a for a in data["areas"] if a["kind"] == "zone" and a["code"] == "N")
    assert len(north["trend"]["poor_population"]) == len(data["quarters"])
    assert north["trend"]["poor_population"][-2:] == [None, None]
    page = client.get("/assessment/goals/").content.decode()
    assert "7.00%" in page and 'id="near-term-table"' in page


def test_the_league_ranks_growth_over_the_quarter(county, two):
    a, b = two
    households = list(Household.objects.of_county(county).order_by("code")[:3])
    for household, before, after in zip(households, (3000, 4000, 2000), (3300, 4400, 1900)):
        HouseholdIncome.objects.create(household=household, year=2030, quarter=1,
                                       per_capita_income_yuan=before)
        HouseholdIncome.objects.create(household=household, year=2030, quarter=2,
                                       per_capita_income_yuan=after)
    run = run_league(county)
    assert (run.quarter, run.before) == ((2030, 2), (2030, 1))
    # Households: +10% (4,400 after, listed first), +10%, -5%.
    assert [(r["rank"], r["code"], r["growth_pct"]) for r in run.households] == [
        (1, households[1].code, 10.0), (1, households[0].code, 10.0),
        (3, households[2].code, -5.0)]
    # Villages: a 5,000 -> 5,500 (+10%), b 5,200 -> 5,200 (0%).
    assert [(r["code"], r["growth_pct"]) for r in run.villages] == [(a.code, 10.0),
                                                                    (b.code, 0.0)]
    # Towns (a's and b's, each with one village reporting): the same growth as their village.
    assert [(r["code"], r["rank"], r["growth_pct"]) for r in run.towns] == [
        (a.town.code, 1, 10.0), (b.town.code, 2, 0.0)]
    # Quarters are named as the statistics name them, and must be held with one before.
    with pytest.raises(Refusal):
        run_league(county, "2014Q1")
    with pytest.raises(Refusal):
        run_league(county, "2030-2")


def test_the_league_names_households_by_code_only_and_above_the_county_not_at_all(
        client, county, two):
    household = Household.objects.of_county(county).order_by("code").first()
    for quarter, yuan in ((1, 3000), (2, 3300)):
        HouseholdIncome.objects.create(household=household, year=2030, quarter=quarter,
                                       per_capita_income_yuan=yuan)
    head = household.head_name
    log_in(client, "official")
    page = client.get("/assessment/league/").content.decode()
    assert household.code in page and head not in page
    data = client.get("/api/assessment/league/").json()
    assert data["households"][0]["code"] == household.code and head not in str(data)
    assert client.get("/api/assessment/league/?quarter=2031Q1").status_code == 400
    city = User.objects.create_user("city-official")
    city.groups.set(User.objects.get(username="official").groups.all())
    UserRegion.objects.create(user=city, code="6110")
    log_in(client, "city-official")
    data = client.get("/api/assessment/league/?county=611021").json()
    assert data["households"] == [] and len(data["villages"]) == 2
    assert household.code not in client.get("/assessment/league/?county=611021").content.decode()


@pytest.mark.parametrize("text, says", [
    ("[near_term]\nyear = 2019\nincidence_below = 0.03\n", "'mid_term'"),
    ("[near_term]\nyear = 2019\nincidence_below = 3\n[mid_term]\nyear = 2020\n"
     "[long_term]\nyear = 2050\n", "incidence_below is a share between 0 and 1")])
def test_a_broken_goals_file_stops_the_checks(tmp_path, text, says):
    broken = tmp_path / "goals.toml"
    broken.write_text(text, encoding="utf-8")
    with override_settings(GOALS=broken):
        errors = goals_file(None)
    assert [e.id for e in errors] == ["assessment.E003"] and says in errors[0].msg
