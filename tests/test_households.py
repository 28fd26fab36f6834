"""The register of poor households: the sample's synthetic register adds up to the county's
figures, the village figures counted from it are those the sample holds, and the status log is
appended to, never changed."""
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Sum

from assessment.runs import run_assessment
from households.figures import recount
from households.models import (SEE_PERSONAL_DATA, Household, HouseholdEvent, HouseholdIncome,
                               Member, PovertyLine)
from households.standard import check_exit
from layers.exit_criteria import EXIT_ASSESSED
from layers.models import County, UserRegion, Village, VillagePeriod

from .conftest import log_in

pytestmark = pytest.mark.django_db
PERIOD = ("village_id", "year", "quarter", "poor_households", "poor_population",
          "per_capita_income_yuan", "poor_per_capita_income_yuan", "exited_households",
          "returned_households", "new_households", "from_register")
TODAY = ("pk", "poor_households", "poor_population", "industry_support_households",
         "livelihood_guarantee_households", "households_short_of_guarantees")


def test_the_synthetic_register_adds_up_to_the_sample_county(sample):
    # The county report's figures for 2017Q2: 27,000 poor households, 86,000 poor people.
    on_list = Household.objects.on_list()
    assert on_list.count() == 27_000
    assert Member.objects.filter(household__in=on_list).count() == 86_000
    assert not Household.objects.filter(synthetic=False).exists()
    # Village by village, today's households and people are the village layer's.
    counted = {v: (n, p) for v, n, p in on_list.values("village").annotate(
        n=Count("pk", distinct=True), p=Count("members")).values_list("village", "n", "p")}
    held = {v: (n, p) for v, n, p in Village.objects.filter(poor_households__gt=0)
            .values_list("pk", "poor_households", "poor_population")}
    assert counted == held
    latest = VillagePeriod.objects.filter(year=2017, quarter=2).aggregate(
        households=Sum("poor_households"), people=Sum("poor_population"))
    assert latest == {"households": 27_000, "people": 86_000}


def test_the_figures_counted_from_households_are_those_the_sample_holds(sample):
    periods = sorted(VillagePeriod.objects.values_list(*PERIOD))
    villages = sorted(Village.objects.values_list(*TODAY))
    result = recount(County.objects.get(adcode="611021"))
    assert result.villages == 247 and result.quarters[0] == (2014, 1)
    assert result.quarters[-1] == (2017, 2)
    assert result.periods_written == 247 * len(result.quarters) == len(periods)
    assert sorted(VillagePeriod.objects.values_list(*PERIOD)) == periods
    assert sorted(Village.objects.values_list(*TODAY)) == villages


def an_exit(household, on, note="", user=None):
    return HouseholdEvent.objects.create(household=household, status=Household.Status.EXITED,
                                         on=on, note=note, recorded_by=user)


def test_a_status_change_is_appended_and_counted(sample):
    household = Household.objects.on_list().filter(
        village__periods__year=2017, village__periods__quarter=2).order_by("code").first()
    village = household.village
    people = household.members.count()
    before = VillagePeriod.objects.get(village=village, year=2017, quarter=2)
    events = household.events.count()
    an_exit(household, "2017-05-20")
    household.refresh_from_db()
    assert household.status == Household.Status.EXITED
    assert household.events.count() == events + 1
    recount(village.county)
    after = VillagePeriod.objects.get(village=village, year=2017, quarter=2)
    assert (after.poor_households, after.poor_population, after.exited_households) == (
        before.poor_households - 1, before.poor_population - people, before.exited_households + 1)
    village.refresh_from_db()
    assert village.poor_households == before.poor_households - 1


def test_a_status_change_is_never_changed(sample):
    event = HouseholdEvent.objects.order_by("pk").first()
    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    # Nor behind the model's back: the database refuses an UPDATE.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE households_householdevent SET status = 'exited' WHERE id = %s",
                       [event.pk])
    assert HouseholdEvent.objects.get(pk=event.pk).note == "合成示例数据"


def test_only_the_countys_planners_may_see_personal_data(sample):
    # Planners of the county hold the permission; officials and analysts do not; a city's
    # planner does not either, as nobody above a county holds more than views.
    assert User.objects.get(username="planner").has_perm(SEE_PERSONAL_DATA)
    assert not User.objects.get(username="official").has_perm(SEE_PERSONAL_DATA)
    assert not User.objects.get(username="analyst").has_perm(SEE_PERSONAL_DATA)
    city = User.objects.create_user("city_planner")
    city.groups.add(*User.objects.get(username="planner").groups.all())
    UserRegion.objects.create(user=city, code="6110")
    city = User.objects.get(pk=city.pk)
    assert city.has_perm("households.view_household")
    assert not city.has_perm(SEE_PERSONAL_DATA)


def test_the_exit_standard_is_checked_household_by_household(sample, english, client):
    household = Household.objects.on_list().order_by("code").first()
    # In 2030 no poverty line is set: the check says so rather than guess one.
    HouseholdIncome.objects.create(household=household, year=2030, quarter=1,
                                   per_capita_income_yuan=5000)
    checked = check_exit(Household.objects.filter(pk=household.pk))
    assert checked.quarters == [(2030, 1)]
    assert "no poverty line set for 2030" in checked.reasons(0)
    # At the line is not above it.
    PovertyLine.objects.create(year=2030, yuan=5000)
    Household.objects.filter(pk=household.pk).update(**dict.fromkeys(Household.GUARANTEES, True))
    checked = check_exit(Household.objects.filter(pk=household.pk))
    assert checked.reasons(0) == ["income 5,000 yuan in 2030Q1, not above the 2030 line of "
                                  "5,000 yuan"]
    # One yuan above it, every guarantee met: the household meets the standard; without safe
    # housing it does not, and the reason names what is missing.
    HouseholdIncome.objects.filter(household=household, year=2030).update(
        per_capita_income_yuan=5001)
    assert check_exit(Household.objects.filter(pk=household.pk)).reasons(0) == []
    assert check_exit(Household.objects.filter(pk=household.pk)).standard.meets.tolist() == [True]
    Household.objects.filter(pk=household.pk).update(housing_safe=False)
    assert check_exit(Household.objects.filter(pk=household.pk)).reasons(0) == [
        "not assured: safe housing assured"]
    # The county's count of households on the list that meet it goes up by this one with its
    # housing made safe, on the API and on the register's page.
    log_in(client, "official")
    before = client.get("/api/households/").json()["total"]["meeting_exit_standard"]
    Household.objects.filter(pk=household.pk).update(housing_safe=True)
    assert client.get("/api/households/").json()["total"]["meeting_exit_standard"] == before + 1
    assert f"{before + 1} of them meet the exit standard" in client.get("/households/").content.decode()
    # The count is made in the database: it agrees with the check of each household.
    assert before + 1 == check_exit(Household.objects.on_list()).standard.meets.sum()


def test_the_village_criterion_of_guarantees_is_counted_from_its_households(sample, english):
    # A village that exited: every household on its list is assured of 两不愁三保障.
    village = Village.objects.filter(exit_status=Village.ExitStatus.EXITED,
                                     poor_households__gt=1).order_by("code").first()
    assert village.households_short_of_guarantees == 0
    assert run_assessment().results["standard"].passed[_row(village)]
    # Two of its households lose safe housing: the village is short by two and fails both
    # modules, with the reason.
    two = Household.objects.on_list().filter(village=village).order_by("code")[:2]
    Household.objects.filter(pk__in=[h.pk for h in two]).update(housing_safe=False)
    recount(village.county)
    village.refresh_from_db()
    assert village.households_short_of_guarantees == 2
    run = run_assessment()
    i = _row(village)
    assert not run.results["standard"].passed[i] and not run.results["demonstration"].passed[i]
    assert run.reasons("standard", i) == ["poor households short of 两不愁三保障: 2, not below 1"]


def _row(village):
    return list(Village.objects.filter(EXIT_ASSESSED).order_by("code").values_list(
        "code", flat=True)).index(village.code)
