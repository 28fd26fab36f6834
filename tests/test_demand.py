"""Demand by who needs it (households/demand.py): each service's target group counted from a
hand-built register of two villages, and coverage weighted by it."""
import numpy as np
import pytest

from access.runs import CoverageOptions, LocateOptions, run_coverage, run_locate
from households.demand import TARGET_GROUP, demand_for
from households.models import Household, HouseholdEvent, Member
from layers import arrays
from layers.models import County, ServiceCenter, Village

pytestmark = pytest.mark.usefixtures("english")

YEAR = 2026  # ages are counted in this year (the runs: in the current one); born in 1950: 76


def household(village, code, category, status, members):
    """A household on (or off) the list with `members`: (birth year, flags) pairs."""
    h = Household.objects.create(village=village, code=code, head_name="户主", category=category,
                                 registered_on="2014-05-10", status=status)
    HouseholdEvent.objects.create(household=h, status=status, on="2014-05-10")
    for k, (born, flags) in enumerate(members):
        Member.objects.create(household=h, name=f"成员{k}", relation="户主" if k == 0 else "子女",
                              sex="M", birth_year=born, **flags)
    return h


ALONE = {"lives_alone": True}


@pytest.fixture
def two_villages(sample):
    """The sample without its register, and a new one in two villages: A, the first village
    elderly care covers within 5 km in a straight line, and B, the first it does not."""
    Household.objects.all().delete()
    run = run_coverage(CoverageOptions("elderly_care", "euclidean", max_distance=5000))
    covered = run.coverage.covered
    a = Village.objects.get(pk=run.villages.ids[np.flatnonzero(covered)[0]])
    b = Village.objects.get(pk=run.villages.ids[np.flatnonzero(~covered)[0]])
    industry, livelihood = Household.Category.INDUSTRY_SUPPORT, Household.Category.LIVELIHOOD_GUARANTEE
    # A: 3 poor people; 2 of 60 or more living alone; 1 left-behind child.
    household(a, "A1", industry, "registered", [(1950, ALONE), (1955, ALONE),
                                                 (2015, {"left_behind_child": True})])
    # B: 8 poor people in two households; 1 of 60 or more living alone (the other lives with
    # family; the one born in 1985 is far younger); 2 relief recipients, one also disabled (counted once)
    # and one disabled only; a household that left the list counts for nothing.
    household(b, "B1", livelihood, "registered", [
        (1950, ALONE), (1950, {}), (1985, ALONE), (1990, {"subsistence": True, "disabled": True}),
        (1992, {"disabled": True})])
    household(b, "B2", industry, "new", [(1980, {}), (1982, {}), (2010, {"left_behind_child": True})])
    household(b, "B3", industry, "exited", [(1940, ALONE), (2012, {"left_behind_child": True})])
    return run, a, b


def counted(county, service, villages, a, b):
    weights = demand_for(county, villages, service, year=YEAR).weights
    index = {int(pk): i for i, pk in enumerate(villages.ids)}
    rest = weights.sum() - weights[index[a.pk]] - weights[index[b.pk]]
    return weights[index[a.pk]], weights[index[b.pk]], rest


def test_each_service_counts_its_target_group(two_villages):
    run, a, b = two_villages
    county = County.objects.get()
    villages = arrays.villages(county)
    assert counted(county, "elderly_care", villages, a, b) == (2, 1, 0)
    assert counted(county, "children_care", villages, a, b) == (1, 1, 0)
    assert counted(county, "relief", villages, a, b) == (0, 2, 0)
    assert counted(county, "health_check", villages, a, b) == (3, 8, 0)
    assert counted(county, "agri_policy", villages, a, b) == (1, 1, 0)  # households
    # Clinics serve everyone registered: the villages' population, not the register.
    clinics = demand_for(county, villages, "village_clinic")
    assert clinics.weights.tolist() == villages.extra["population"].tolist()
    assert set(TARGET_GROUP) == set(ServiceCenter.Kind.values)


def test_coverage_weighted_by_the_target_group_is_the_hand_count(two_villages):
    run, a, b = two_villages
    run = run_coverage(CoverageOptions("elderly_care", "euclidean", max_distance=5000))
    county = run.shares[None]
    # Elderly people living alone: A's 2 covered, B's 1 not: 2 of 3.
    assert (county.covered_target, county.target) == (2, 3)
    assert "people aged 60 or more living alone: 2 of 3" in run.summary()
    # Weighted by the register's poor people instead (A 3, B 8): 3 of 11, another answer.
    poor = demand_for(County.objects.get(), run.villages, "health_check").weights
    assert (poor[run.coverage.covered].sum(), poor.sum()) == (3, 11)


def test_location_weighs_villages_by_the_target_group(two_villages):
    run = run_locate(LocateOptions("elderly_care", "mclp", p=1, mode="euclidean",
                                   max_distance=5000, keep_existing=True))
    # Only B's one person is left to cover: one new site covers all 3.
    assert run.impact.covered_before == 2 and run.solution.objective == 3
    assert run.demand.group == "elderly_alone"


def test_a_county_without_a_register_weighs_the_poor_population(sample):
    Household.objects.all().delete()
    county = County.objects.get()
    villages = arrays.villages(county)
    found = demand_for(county, villages, "elderly_care")
    assert not found.from_register and "no household register" in found.label
    assert found.weights.tolist() == villages.extra["poor_population"].tolist()
