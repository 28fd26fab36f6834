"""The road network kept per state of the data (layers/networks.py): built once and used again
until a road, a center or a village changes, never stale, and shared between processes.

The changes here are committed, as a user's are (the version of the data counts committed
transactions), and undone at the end of each test.
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.db import connection, transaction
from django.db.models import F

from access.runs import CoverageOptions, run_coverage
from analysis.network import nearest_by_road
from gisplan.api import Refusal
from layers import arrays, networks
from layers.models import County, Road, ServiceCenter, Village

pytestmark = pytest.mark.usefixtures("english")
ROOT = Path(__file__).resolve().parent.parent
HEALTH = CoverageOptions("health_check", max_minutes=30)


@pytest.fixture
def committed(django_db_setup, django_db_blocker, tmp_path, settings):
    """Writes committed; the kept networks in a folder of this test's own, none in memory."""
    settings.DATA_DIR = tmp_path
    networks._kept.clear()
    with django_db_blocker.unblock():
        yield County.objects.default()


def built_now(county):
    """The health-check travel minutes of the county's villages on a network built here and now."""
    fresh = networks._build([county], networks.WALK_KMH)
    villages = arrays.villages(county)
    centers = arrays.centers([county], "health_check")
    return nearest_by_road(fresh.network, fresh.places("village", villages.ids),
                           fresh.places("center", centers.ids)).cost


def test_the_network_is_kept_until_a_road_a_center_or_a_village_changes(committed):
    county = committed
    first = networks.county_network([county])
    assert networks.county_network([county]) is first  # kept: not built again
    before = run_coverage(HEALTH).travel_min
    assert before == pytest.approx(built_now(county))
    # Every road at half its speed: the next analysis runs on a network built again.
    roads = Road.objects.of_county(county)
    roads.update(speed_kmh=F("speed_kmh") / 2)
    try:
        assert networks.county_network([county]) is not first
        slower = run_coverage(HEALTH).travel_min
        assert slower == pytest.approx(built_now(county))
        assert (slower > before).sum() > 200  # of 247 villages: their trips take longer
    finally:
        roads.update(speed_kmh=F("speed_kmh") * 2)
    # A new health-check center at a village committee: that village is a walk away from it.
    village = Village.objects.of_county(county).order_by("code").last()
    center = ServiceCenter.objects.create(county=county, kind="health_check", name="新体检点",
                                          location=village.location)
    try:
        run = run_coverage(HEALTH)
        at = list(run.villages.ids).index(village.pk)
        assert run.centers.names[run.coverage.center[at]] == "新体检点"
        assert run.travel_min == pytest.approx(built_now(county))
    finally:
        center.delete()
    # A new village committee is joined to the network the next analysis uses.
    town = county.towns.order_by("code").first()
    new = Village.objects.create(code=town.code + "999", name="新村", town=town,
                                 location=town.seat, population=10, poor_population=1)
    try:
        run = run_coverage(HEALTH)
        assert new.pk in run.villages.ids and np.isfinite(run.travel_min).all()
    finally:
        new.delete()


def test_a_transaction_that_wrote_builds_its_own_network_and_keeps_none(committed, tmp_path):
    county = committed
    kept = networks.county_network([county])
    files = sorted((tmp_path / "networks").iterdir())
    with transaction.atomic():
        Road.objects.of_county(county).update(speed_kmh=F("speed_kmh") / 2)  # not committed
        own = networks.county_network([county])
        assert own is not kept
        assert run_coverage(HEALTH).travel_min == pytest.approx(built_now(county))
        transaction.set_rollback(True)
    assert sorted((tmp_path / "networks").iterdir()) == files
    assert networks.county_network([county]) is kept


def test_a_second_process_reads_the_network_the_first_kept(committed, tmp_path):
    networks.county_network([committed])
    db = connection.settings_dict
    env = {**os.environ, "GISPLAN_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                           f"{db['PORT'] or 5432}/{db['NAME']}"}
    # The other process may not build one: it must read the kept file.
    script = ("import django; django.setup()\n"
              "from layers import networks\n"
              "from layers.models import County\n"
              "def built(*args): raise SystemExit('built, not read')\n"
              "networks._build = built\n"
              "print(len(networks.county_network([County.objects.default()]).index))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**env, "DJANGO_SETTINGS_MODULE": "gisplan.settings"}, timeout=300)
    assert done.returncode == 0, done.stderr
    county = committed
    places = (Village.objects.of_county(county).count() + county.towns.count()
              + ServiceCenter.objects.of_county(county).count())
    assert int(done.stdout) == places


def test_a_row_the_kept_network_lacks_gets_a_network_of_its_own(committed, monkeypatch):
    county = committed
    before = networks.county_network([county])
    center = ServiceCenter.objects.create(county=county, kind="relief", name="新救助站",
                                          location=county.towns.order_by("code").first().seat)
    try:
        # As if the kept network had been built from rows read before the center committed.
        monkeypatch.setattr(networks, "county_network", lambda counties, walk_kmh: before)
        found, [places] = networks.network_with([county], [("center", [center.pk])])
        assert found is not before and places.tolist() == found.places("center", [center.pk]).tolist()
        # A row no network has (gone again): the analysis is refused, to be run again.
        with pytest.raises(Refusal, match="^the data changed while the analysis ran; run it again$"):
            networks.network_with([county], [("center", [center.pk + 100_000])])
    finally:
        center.delete()


def test_the_villages_and_centers_are_kept_as_the_database_gives_them(committed, tmp_path):
    county = committed
    built = networks.county_network([county])
    networks._kept.clear()
    read = networks.county_network([county])  # from the kept file, as another process reads it
    assert read is not built
    for kept in (built, read):
        for places, wanted in ((kept.villages, arrays.villages(county)),
                               (kept.centers_of("relief")[0], arrays.centers([county], "relief")),
                               (kept.centers_of("relief", planned=True)[0],
                                arrays.centers([county], "relief", planned=True))):
            assert places.ids.tolist() == wanted.ids.tolist()
            assert places.names == wanted.names and places.srid == wanted.srid
            assert np.array_equal(places.xy, wanted.xy)
            assert places.extra.keys() == wanted.extra.keys()
            for column, values in wanted.extra.items():
                assert list(places.extra[column]) == list(values), column
        # Each center's place in the network is its own.
        centers, at = kept.centers_of("health_check")
        assert at.tolist() == kept.places("center", centers.ids).tolist()
