"""Location-allocation on the sample county through the function, the command, the API and the
page. The models themselves are checked against brute force in tests/test_locate.py; here, that
the county's data reach them right and that what a proposal adds agrees with coverage."""
import csv

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from access.runs import CoverageOptions, LocateOptions, run_coverage, run_locate
from gisplan.api import Refusal
from tests.conftest import log_in

pytestmark = pytest.mark.usefixtures("sample", "english")



def test_what_a_proposal_adds_agrees_with_coverage():
    run = run_locate(LocateOptions("health_check", "mclp", p=2, max_minutes=30, keep_existing=True))
    assert run.solution.optimal and run.solution.gap == 0
    assert len(run.solution.new_sites) == 2
    before = run_coverage(CoverageOptions("health_check", "network", max_minutes=30))
    assert run.impact.covered_before == before.shares[None].covered_target
    # MCLP's objective is the poor population covered by the kept and the new sites together.
    assert run.solution.objective == pytest.approx(run.impact.covered_after)
    assert run.impact.newly_covered == run.impact.covered_after - run.impact.covered_before
    assert run.impact.mean_cost_after <= run.impact.mean_cost_before


def test_lscp_covers_every_village_that_can_be_covered():
    run = run_locate(LocateOptions("relief", "lscp", mode="euclidean", max_distance=10000))
    assert run.solution.optimal
    # Villages weigh the relief centers' target group (households.demand).
    target = run.demand.weights
    assert run.impact.covered_after == target.sum() - sum(target[i] for i in run.solution.unreachable)


def test_existing_centers_are_kept_when_asked():
    run = run_locate(LocateOptions("relief", "pmedian", p=1, keep_existing=True))
    assert set(run.existing.tolist()) <= set(run.solution.sites.tolist())
    assert len(run.solution.sites) == len(run.existing) + len(run.solution.new_sites)


def test_a_service_with_no_centers_gets_sites_from_scratch():
    from layers.models import ServiceCenter
    ServiceCenter.objects.filter(kind="elderly_care").delete()
    run = run_locate(LocateOptions("elderly_care", "pmedian", p=2, keep_existing=True))
    assert len(run.existing) == 0 and len(run.solution.new_sites) == 2
    assert run.impact.covered_before == 0 and np.isnan(run.impact.mean_cost_before)


@pytest.mark.parametrize("options, reason", [
    (LocateOptions("relief", "annealing"), "the model is one of"),
    (LocateOptions("relief", "mclp"), "needs the number of new sites"),
    (LocateOptions("relief", "lscp", p=2), "give no p"),
    (LocateOptions("relief", "pmedian", p=2, time_limit=0), "time limit"),
    (LocateOptions("relief", "pmedian", p=2, time_limit=601), "at most 600"),
    (LocateOptions("relief", "pmedian", p=200000, mode="euclidean"), "p can be at most"),
    (LocateOptions("relief", "pmedian", p=2, max_distance=10), "minutes"),
])
def test_bad_options_are_refused(options, reason):
    with pytest.raises(Refusal, match=reason):
        run_locate(options)


def test_the_command_writes_the_open_sites(tmp_path, capsys):
    out = tmp_path / "sites.csv"
    call_command("locate", "--service", "health_check", "--model", "pmedian", "--p", "2",
                 "--keep-existing", "--out", str(out))
    assert "pmedian: 2 new sites" in capsys.readouterr().out
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert sum(r["new"] == "True" for r in rows) == 2
    with pytest.raises(CommandError, match="needs the number of new sites"):
        call_command("locate", "--service", "relief", "--model", "mclp")



def test_the_api_proposes_sites(client):
    log_in(client, "analyst")
    data = client.get("/api/analysis/locate/", {"service": "health_check", "model": "mclp", "p": 2,
                                                "keep_existing": "1", "max_minutes": 30}).json()
    run = run_locate(LocateOptions("health_check", "mclp", p=2, max_minutes=30, keep_existing=True))
    assert data["solution"]["new_sites"] == run.solution.new_sites.tolist()
    assert data["impact"]["newly_covered"] == run.impact.newly_covered
    assert sum(f["properties"]["new"] for f in data["sites"]["features"]) == 2


@pytest.mark.parametrize("params, status", [
    ({"service": "relief", "model": "mclp", "p": "1.5"}, 400),
    ({"service": "relief"}, 400),
    ({"service": "relief", "model": "pmedian", "p": "2", "format": "pdf"}, 400),
])
def test_the_api_refuses_bad_options(client, params, status):
    log_in(client, "analyst")
    response = client.get("/api/analysis/locate/", params)
    assert response.status_code == status and "error" in response.json()


def test_the_api_is_for_analysts(client):
    assert client.get("/api/analysis/locate/", {"service": "relief"}).status_code == 401
    assert log_in(client, "official").get("/api/analysis/locate/", {"service": "relief"}).status_code == 403


def test_the_page_shows_the_proposal(client):
    log_in(client, "planner")
    body = client.get("/analysis/coverage/", {
        "service": "health_check", "mode": "network", "max_minutes": 30, "model": "mclp", "p": 2,
        "keep_existing": "1"}).content.decode()
    assert 'id="locate-summary"' in body and 'id="newly-covered"' in body


def test_the_schema_documents_locate(client):
    operation = client.get("/api/schema/").json()["paths"]["/api/analysis/locate/"]["get"]
    assert {"service", "model", "p", "keep_existing", "time_limit"} <= {p["name"] for p in operation["parameters"]}


def test_a_capacitated_p_median_sends_everyone_to_the_new_site_when_the_old_are_full():
    # The existing elderly-care centers take nobody (capacity 0) and stay open; one new site of
    # no limit must then take every village, so it is the candidate with the least total
    # weighted straight-line distance to all of them (counted here with numpy).
    from layers.models import ServiceCenter
    ServiceCenter.objects.filter(kind="elderly_care").update(capacity=0)
    # Within its 2 s HiGHS may prove it or not; a greedy choice of the site, kept when the
    # solver does worse, finds it either way.
    run = run_locate(LocateOptions("elderly_care", "pmedian", p=1, mode="euclidean",
                                   max_distance=8000, keep_existing=True, time_limit=2,
                                   capacities=True))
    existing = len(run.existing)
    metres = np.hypot(*(run.villages.xy[:, None, :] - run.sites.xy[None, existing:, :]).T).T
    weights = run.demand.weights
    best = existing + int(np.argmin(weights @ metres))
    assert run.solution.new_sites.tolist() == [best]
    rows = list(run.rows())
    assert [r["load"] for r in rows if r["new"]] == [pytest.approx(weights.sum())]
    assert all(r["load"] == 0 and r["capacity"] == 0 for r in rows if not r["new"])
    assert run.unserved == [] and "0 villages left unserved" in run.summary()
    # The mean trip after is every village's to the new site, not to its nearest open site.
    assert run.impact.mean_cost_after == pytest.approx(weights @ metres[:, best - existing]
                                                       / weights.sum())


def test_an_answer_not_proven_optimal_has_no_gap_in_json(client):
    # No time for the programme: the greedy answer's gap is unknown (null), never Infinity,
    # which JSON has not.
    log_in(client, "analyst")
    response = client.get("/api/analysis/locate/", {
        "service": "elderly_care", "model": "pmedian", "p": "1", "mode": "euclidean",
        "max_distance": "8000", "keep_existing": "1", "capacities": "1", "new_capacity": "50",
        "time_limit": "0.001"})
    assert response.status_code == 200
    solution = response.json()["solution"]
    assert not solution["optimal"] and solution["gap"] is None


def test_new_sites_too_small_leave_villages_unserved_and_say_so(client):
    from layers.models import ServiceCenter
    ServiceCenter.objects.filter(kind="elderly_care").update(capacity=0)
    log_in(client, "analyst")
    params = {"service": "elderly_care", "model": "mclp", "p": "1", "mode": "euclidean",
              "max_distance": "8000", "keep_existing": "1", "capacities": "1", "new_capacity": "3",
              "time_limit": "2"}  # any answer within the capacities shows it
    data = client.get("/api/analysis/locate/", params).json()
    assert data["capacities"] is True and data["unserved"]
    new = [f["properties"] for f in data["sites"]["features"] if f["properties"]["new"]]
    assert len(new) == 1 and new[0]["capacity"] == 3 and new[0]["load"] <= 3


@pytest.mark.parametrize("params, says", [
    ({"model": "lscp", "capacities": "1"}, "capacities apply to the models mclp, pmedian"),
    ({"model": "pmedian", "p": "1", "new_capacity": "10"}, "with capacities on"),
    ({"model": "pmedian", "p": "1", "capacities": "1", "new_capacity": "-1"}, "above zero"),
])
def test_capacities_are_refused_where_they_do_not_apply(client, params, says):
    log_in(client, "analyst")
    response = client.get("/api/analysis/locate/", {"service": "relief", "mode": "euclidean",
                                                     "max_distance": "8000", **params})
    assert response.status_code == 400 and says in response.json()["error"]
