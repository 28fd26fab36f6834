"""Coverage on the sample county through the function, the command, the API and the page.

The straight-line answer is checked against PostGIS's own ST_DWithin on the same rows; the road
answer against the full travel-time matrix (its row minima).
"""
import csv
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from access.runs import CoverageOptions, run_coverage
from analysis.network import build_network, road_minutes
from gisplan.api import Refusal
from layers import arrays
from layers.models import County, ServiceCenter
from tests.conftest import log_in

pytestmark = pytest.mark.usefixtures("sample", "english")



def within_by_postgis(kind, metres):
    """Codes of the villages with an existing center of `kind` within `metres`, by PostGIS."""
    # Raw SQL on purpose: this is the reference the analysis is checked against.
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT v.code FROM layers_village v WHERE EXISTS (
                SELECT 1 FROM layers_servicecenter c
                WHERE c.kind = %s AND c.status = 'existing'
                  AND ST_DWithin(v.location, c.location, %s))""", [kind, metres])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize("kind, metres", [("relief", 8000), ("health_check", 5000),
                                          ("village_clinic", 1500)])
def test_straight_line_coverage_is_postgis_st_dwithin(kind, metres):
    run = run_coverage(CoverageOptions(kind, "euclidean", max_distance=metres))
    covered = {row["code"] for row in run.rows() if row["covered"]}
    assert covered == within_by_postgis(kind, metres)


def test_road_coverage_is_the_nearest_of_the_travel_matrix():
    run = run_coverage(CoverageOptions("health_check", "network", max_minutes=30))
    county = County.objects.get()
    villages = arrays.villages(county)
    centers = arrays.centers([county], "health_check")
    lines, speeds, oneway = arrays.roads([county])
    network = build_network(lines, speeds, oneway, np.concatenate([villages.xy, centers.xy]))
    n = len(villages.ids)
    matrix = road_minutes(network, np.arange(n), n + np.arange(len(centers.ids)))
    assert run.travel_min == pytest.approx(matrix.min(axis=1))
    assert run.coverage.covered.tolist() == (matrix.min(axis=1) <= 30).tolist()
    # Every village is on the sample's connected network: each reaches some center.
    assert (run.coverage.center >= 0).all()


def test_shares_add_up_over_the_zones():
    run = run_coverage(CoverageOptions("relief", "network", max_minutes=20))
    zones = [s for k, s in run.shares.items() if k is not None]
    county = run.shares[None]
    assert sum(s.covered_poor_population for s in zones) == county.covered_poor_population
    assert county.poor_population == 86000  # the sample's poor population (data/README.md)
    poor = run.villages.extra["poor_population"]
    assert county.covered_poor_population == poor[run.coverage.covered].sum()
    ranked = poor[run.underserved]
    assert (np.diff(ranked) <= 0).all() and len(ranked) == county.villages - county.covered_villages


def test_a_service_with_no_centers_covers_nobody():
    ServiceCenter.objects.filter(kind="elderly_care").delete()
    run = run_coverage(CoverageOptions("elderly_care"))
    assert run.shares[None].covered_villages == 0
    assert all(row["nearest_center"] == "" and row["travel_min"] is None for row in run.rows())
    assert "0 of 247 villages covered" in run.summary()  # every committee of the sample


def test_a_threshold_of_zero_covers_nobody_here():
    run = run_coverage(CoverageOptions("relief", "network", max_minutes=0))
    assert run.shares[None].covered_villages == 0


@pytest.mark.parametrize("options, reason", [
    (CoverageOptions("bakery"), "unknown service type"),
    (CoverageOptions("relief", "walking"), "network or euclidean"),
    (CoverageOptions("relief", "network", max_distance=100), "minutes"),
    (CoverageOptions("relief", "euclidean", max_minutes=10), "metres"),
    (CoverageOptions("relief", "network", max_minutes=float("nan")), "finite"),
    (CoverageOptions("relief", "network", max_minutes=-1), "zero or more"),
])
def test_bad_options_are_refused(options, reason):
    with pytest.raises(Refusal, match=reason):
        run_coverage(options)


def test_the_command_writes_one_row_per_village(tmp_path, capsys):
    out = tmp_path / "relief.csv"
    call_command("coverage", "--service", "relief", "--max-minutes", "20", "--out", str(out))
    summary = capsys.readouterr().out
    # Coverage counts every committee: the sample's 247 (data/sample/shangluo_divisions_2023.csv).
    assert "of 247 villages covered" in summary and "of the poor population" in summary
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 247
    assert list(rows[0]) == ["code", "name", "zone", "nearest_center", "distance_m", "travel_min",
                             "covered", "poor_population"]
    assert all(len(r["code"]) == 12 for r in rows)


def test_the_command_infers_straight_lines_from_a_distance(tmp_path, capsys):
    out = tmp_path / "relief.geojson"
    call_command("coverage", "--service", "relief", "--max-distance", "8000", "--out", str(out))
    features = json.loads(out.read_text())["features"]
    covered = {f["properties"]["code"] for f in features if f["properties"]["covered"]}
    assert covered == within_by_postgis("relief", 8000)
    assert features[0]["geometry"]["type"] == "Point"


@pytest.mark.parametrize("args, reason", [
    (["--service", "relief", "--mode", "network", "--max-distance", "10"], "minutes"),
    (["--service", "relief", "--out", "/no/such/folder/x.csv"], "no such folder"),
    (["--service", "relief", "--out", "x.pdf"], "must end in"),
    (["--service", "relief", "--region", "6110", "--capacities"], "one county at a time"),
])
def test_the_command_refuses_bad_input_in_one_line(args, reason):
    with pytest.raises(CommandError, match=reason):
        call_command("coverage", *args)



def test_the_api_answers_analysts(client):
    log_in(client, "analyst")
    data = client.get("/api/analysis/coverage/", {"service": "relief", "max_minutes": 20}).json()
    assert len(data["villages"]["features"]) == 247  # every committee of the sample
    assert data["shares"][-1]["zone"] is None  # the county total comes last
    run = run_coverage(CoverageOptions("relief", "network", max_minutes=20))
    assert data["summary"] == run.summary()
    download = client.get("/api/analysis/coverage/", {"service": "relief", "format": "xlsx"})
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.xlsx"')


@pytest.mark.parametrize("username, status", [("official", 403), ("analyst", 400), ("planner", 400)])
def test_the_api_refuses_by_role_and_by_input(client, username, status):
    log_in(client, username)
    response = client.get("/api/analysis/coverage/", {"service": "bakery"})
    assert response.status_code == status
    assert "error" in response.json()


def test_the_api_wants_a_signed_in_caller(client):
    assert client.get("/api/analysis/coverage/", {"service": "relief"}).status_code == 401


def test_the_page_shows_figures_and_the_underserved(client):
    log_in(client, "analyst")
    page = client.get("/analysis/coverage/", {"service": "health_check", "mode": "network",
                                              "max_minutes": 30, "max_distance": 5000})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="coverage-summary"' in body and 'id="underserved"' in body
    problem = client.get("/analysis/coverage/", {"service": "relief", "mode": "network", "max_minutes": "-5"})
    assert 'id="coverage-error"' in problem.content.decode()
    assert log_in(client, "official").get("/analysis/coverage/").status_code == 403


def test_the_schema_documents_coverage(client):
    operation = client.get("/api/schema/").json()["paths"]["/api/analysis/coverage/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"service", "mode", "max_minutes", "max_distance"}
    assert {"200", "400", "401", "403"} <= set(operation["responses"])


def test_capacities_send_villages_on_from_a_full_center():
    """One relief center takes nobody (capacity 0), the others take anyone (no capacity): each
    village with people of relief's target group goes to its nearest other center, which numpy
    finds apart; the full center's villages are what the nearest-center assignment puts over
    its capacity."""
    ServiceCenter.objects.filter(kind="relief").update(capacity=None)
    run = run_coverage(CoverageOptions("relief", "euclidean", capacities=True))
    assert run.capacity is None  # no capacity recorded: nothing to assign
    assert "no center of this kind" in run.capacity_summary()
    full = run.centers.ids[0]
    ServiceCenter.objects.filter(pk=full).update(capacity=0)
    run = run_coverage(CoverageOptions("relief", "euclidean", capacities=True))
    fit, target = run.capacity, run.demand.weights  # relief's target group
    metres = np.hypot(*(run.villages.xy[:, None, :] - run.centers.xy[None, :, :]).transpose(2, 0, 1))
    others = metres.copy()
    others[:, 0] = np.inf
    expected = np.where(target > 0, others.argmin(axis=1), metres.argmin(axis=1))
    assert fit.assignment.tolist() == expected.tolist()
    assert fit.load[0] == 0 and fit.served == target.sum() and fit.unserved.size == 0
    assert fit.nearest_load[0] == target[run.coverage.center == 0].sum() > 0
    assert fit.over_capacity.tolist() == [0]
    assert f"1 of {len(run.centers.ids)} centers are over capacity" in run.capacity_summary()
    # Without the option nothing of this is computed.
    assert run_coverage(CoverageOptions("relief", "euclidean")).capacity is None


def test_the_api_and_command_report_capacities(client, capsys):
    log_in(client, "analyst")
    ServiceCenter.objects.filter(kind="relief").update(capacity=None)
    first = ServiceCenter.objects.filter(kind="relief", status="existing").order_by("name").first()
    ServiceCenter.objects.filter(pk=first.pk).update(capacity=0)
    data = client.get("/api/analysis/coverage/", {"service": "relief", "max_distance": 8000,
                                                  "capacities": "1"}).json()
    centers = {f["properties"]["name"]: f["properties"] for f in data["centers"]["features"]}
    assert centers[first.name]["capacity"] == 0 and centers[first.name]["load"] == 0
    assert centers[first.name]["over_capacity"] is True
    assert sum(c["load"] for c in centers.values()) == data["capacity"]["served"]
    assert data["capacity"]["unserved"] == [] and data["capacity"]["optimal"]
    plain = client.get("/api/analysis/coverage/", {"service": "relief", "max_distance": 8000}).json()
    assert plain["capacity"] is None
    call_command("coverage", "--service", "relief", "--max-distance", "8000", "--capacities")
    assert "centers are over capacity" in capsys.readouterr().out


def test_capacities_by_road_follow_the_travel_matrix():
    """As above by road: the villages of the full center go to their nearest other center in
    the full travel-time matrix."""
    ServiceCenter.objects.filter(kind="relief").update(capacity=None)
    run = run_coverage(CoverageOptions("relief", "network", capacities=True))
    ServiceCenter.objects.filter(pk=run.centers.ids[0]).update(capacity=0)
    run = run_coverage(CoverageOptions("relief", "network", capacities=True))
    minutes = road_minutes(run.network, run.village_places, run.center_places)
    minutes[:, 0] = np.inf
    moved = run.demand.weights > 0
    assert run.capacity.assignment[moved].tolist() == minutes[moved].argmin(axis=1).tolist()
    assert run.capacity.load[0] == 0


def test_the_page_lists_the_centers_over_capacity(client):
    ServiceCenter.objects.filter(kind="relief").update(capacity=None)
    run = run_coverage(CoverageOptions("relief", "euclidean"))
    ServiceCenter.objects.filter(pk=run.centers.ids[0]).update(capacity=0)
    log_in(client, "analyst")
    body = client.get("/analysis/coverage/", {"service": "relief", "mode": "euclidean",
                                              "max_distance": 8000, "capacities": "1"}).content.decode()
    assert 'id="capacity-summary"' in body
    # One row, the one center with a capacity, marked over it.
    assert body.count('<tr class="over">') == 1 and run.centers.names[0] in body
