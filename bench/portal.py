"""The map portal against its floor: each layer endpoint beside one raw PostGIS query that
builds the same FeatureCollection (ST_AsGeoJSON aggregated in SQL), on the sample county and on
the sample with ten times the villages, centers, industries and roads; and the bytes of a
first view of the portal.

    .venv/bin/python bench/portal.py

It works in a database of its own (bench_gisplan), made and dropped here.
"""
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisplan.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from data.load import load_sample  # noqa: E402
from layers.api import LAYERS  # noqa: E402
from layers.models import County, Village  # noqa: E402
from layers.tiles import HALF_WORLD  # noqa: E402

REPEAT = 7
FIRST_VIEW_ZOOM = 10
# The raw floor of each layer: the same rows, geometry and properties in one SQL statement.
RAW = {
    "county": ("layers_county", "web_boundary", "name, adcode, synthetic", ""),
    "towns": ("layers_town", "web_boundary", "code, name, kind", ""),
    "zones": ("layers_zone z JOIN layers_planversion p ON p.id = z.plan_id", "z.web_boundary",
              "z.code, z.name, z.theme, z.color, p.name AS plan", "WHERE p.status = 'approved'"),
    "villages": ("layers_village v LEFT JOIN layers_town t ON t.id = v.town_id "
                 "LEFT JOIN layers_zone z ON z.id = v.zone_id", "v.web_boundary",
                 "v.code, v.name, t.name AS town, z.name AS zone, z.code AS zone_code, "
                 "v.households, v.population, v.poor_households, v.poor_population, "
                 "v.poor_population::float / NULLIF(v.population, 0) AS incidence, "
                 "v.exit_status, v.exit_year", ""),
    "centers": ("layers_servicecenter c LEFT JOIN layers_zone z ON z.id = c.zone_id",
                "ST_Transform(c.location, 4326)", "c.kind, c.name, c.status, c.capacity, "
                "z.name AS zone", ""),
    "industries": ("layers_industry i LEFT JOIN layers_zone z ON z.id = i.zone_id",
                   "ST_Transform(i.location, 4326)", "i.kind, i.name, i.status, "
                   "i.poor_households_driven, i.investment_10k_yuan, z.name AS zone", ""),
    "roads": ("layers_road", "ST_Transform(geometry, 4326)", "name, road_class, speed_kmh, oneway", ""),
    "rivers": ("layers_river", "ST_Transform(geometry, 4326)", "name", ""),
    "protected_areas": ("layers_protectedarea", "ST_Transform(boundary, 4326)", "kind, name", ""),
}


def raw_sql(name):
    table, geometry, columns, where = RAW[name]
    return f"""
        SELECT json_build_object('type', 'FeatureCollection', 'features',
                                 COALESCE(json_agg(ST_AsGeoJSON(t.*, 'geom', 6)::json), '[]'))::text
        FROM (SELECT {table.split()[1] + '.' if ' ' in table else ''}id, {columns},
                     {geometry} AS geom FROM {table} {where} ORDER BY 1) t"""


def timed(action):
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def endpoint_vs_raw(client):
    # What any signed-in request costs before a layer is read (session, user, permissions):
    # an answer with no rows.
    overhead, _ = timed(lambda: client.get("/api/layers/villages/", {"bbox": "0,0,1,1"}))
    print(f"request overhead (an empty answer): {overhead * 1000:.1f} ms")
    print(f"{'layer':<11}{'features':>9}{'endpoint ms':>13}{'raw SQL ms':>12}{'ratio':>7}"
          f"{'less overhead':>15}{'kB':>8}{'gzip kB':>9}")
    worst = worst_adjusted = 0.0
    for name in RAW:
        served, response = timed(lambda name=name: client.get(f"/api/layers/{name}/"))
        with connection.cursor() as cursor:
            floor, _ = timed(lambda name=name: (cursor.execute(raw_sql(name)), cursor.fetchone()))
        body = response.content
        features = body.count(b'"type":"Feature"')
        ratio = served / floor
        worst = max(worst, ratio)
        worst_adjusted = max(worst_adjusted, max(served - overhead, 0) / floor)
        print(f"{name:<11}{features:>9}{served * 1000:>13.1f}{floor * 1000:>12.1f}{ratio:>7.2f}"
              f"{max(served - overhead, 0) / floor:>15.2f}"
              f"{len(body) / 1024:>8.0f}{len(gzip.compress(body)) / 1024:>9.0f}")
    home, _ = timed(lambda: client.get("/"))
    print(f"{'/ (page)':<11}{'':>9}{home * 1000:>13.1f}")
    print(f"worst endpoint / raw SQL ratio: {worst:.2f}; less the request overhead: "
          f"{worst_adjusted:.2f} (aim: within 1.5)")


def first_view_bytes(client):
    """What a browser downloads for a first view of the portal, gzip where the server gzips."""
    page = client.get("/")
    html = page.content.decode()
    assets = sorted(set(re.findall(r'(?:src|href)="/static/([^"]+)"', html)))
    rows = [("page /", len(page.content))]
    for asset in assets:
        rows.append((f"static {asset}", Path(finders.find(asset)).stat().st_size))
    rows.append(("basemap.jpg", len(b"".join(client.get("/basemap.jpg").streaming_content))))
    for name in ("county", "towns", "zones", "rivers", "centers", "industries"):
        response = client.get(f"/api/layers/{name}/", HTTP_ACCEPT_ENCODING="gzip")
        rows.append((f"api {name} (gzip)", len(response.content)))
    # The villages and the roads come from the vector tiles: those that cover the county at
    # FIRST_VIEW_ZOOM, where an 800-pixel map fits a county of Luonan's size.
    west, south, east, north = (County.objects.default().web_boundary
                                .transform(3857, clone=True).extent)
    size = 2 * HALF_WORLD / 2 ** FIRST_VIEW_ZOOM
    columns = range(int((west + HALF_WORLD) // size), int((east + HALF_WORLD) // size) + 1)
    tile_rows = range(int((HALF_WORLD - north) // size), int((HALF_WORLD - south) // size) + 1)
    for name in ("villages", "roads"):
        tiles = [client.get(f"/tiles/{name}/{FIRST_VIEW_ZOOM}/{x}/{y}.pbf") for x in columns for y in tile_rows]
        rows.append((f"tiles {name} ({len(tiles)} at zoom {FIRST_VIEW_ZOOM})",
                     sum(len(t.content) for t in tiles)))
    total = sum(size for _, size in rows)
    for label, size in rows:
        print(f"  {label:<48}{size / 1024:>8.0f} kB")
    print(f"first view: {total / 1024 / 1024:.2f} MB (aim: under 1.5 MB; static files counted "
          f"uncompressed)")


def multiply(times):
    """Copy villages, centers, industries and roads so that there are `times` as many."""
    # Raw SQL: bulk copies with new codes in one statement each, for a benchmark only.
    with connection.cursor() as cursor:
        # Every column of a village but its key, code and name, as the model declares them.
        copied = ", ".join(f.column for f in Village._meta.concrete_fields
                           if f.column not in ("id", "code", "name"))
        # New codes of 12 digits: the county's 6, then 9 (no town has it), the copy's number
        # and the village's id.
        assert times <= 10, "one digit for the copy's number"
        cursor.execute("SELECT max(id) < 10000 FROM layers_village")
        assert cursor.fetchone()[0], "four digits for the village's id"
        cursor.execute(f"""
            INSERT INTO layers_village (code, name, {copied})
            SELECT left(code, 6) || '9' || k || lpad(id::text, 4, '0'), name || k, {copied}
            FROM layers_village v, generate_series(1, {times - 1}) k""")
        for table, columns in (
                ("layers_servicecenter", "county_id, kind, name, location, zone_id, capacity, status"),
                ("layers_industry", "county_id, kind, name, location, zone_id, site, "
                                    "poor_households_driven, investment_10k_yuan, status"),
                ("layers_road", "county_id, name, road_class, speed_kmh, oneway, geometry")):
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}, "
                           f"generate_series(1, {times - 1})")


def official_client():
    """Django's test client signed in as a new user of the official group."""
    user = User.objects.create_user("bench", password="bench-password-1")
    user.groups.add(Group.objects.get(name="official"))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def main():
    connection.settings_dict["TEST"]["NAME"] = "bench_gisplan"
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with tempfile.TemporaryDirectory() as folder:
            load_sample(folder)
            client = official_client()
            print("== sample county ==")
            endpoint_vs_raw(client)
            first_view_bytes(client)
            multiply(10)
            print("\n== ten times the villages, centers, industries and roads ==")
            endpoint_vs_raw(client)
    finally:
        connection.close()
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    assert set(RAW) == set(LAYERS)
    main()
