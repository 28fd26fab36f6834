"""The register of poor households: the sample's synthetic register adds up to the county's
figures, the village figures counted from it are those the sample holds, and the status log is
appended to, never changed."""
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Sum

from households.figures import recount
from households.models import SEE_PERSONAL_DATA, Household, HouseholdEvent, Member
from layers.models import County, UserRegion, Village, VillagePeriod

pytestmark = pytest.mark.django_db
PERIOD = ("village_id", "year", "quarter", "poor_households", "poor_population",
          "per_capita_income_yuan", "poor_per_capita_income_yuan", "exited_households",
          "returned_households", "new_households", "from_register")
TODAY = ("pk", "poor_households", "poor_population", "industry_support_households",
         "livelihood_guarantee_households")


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
