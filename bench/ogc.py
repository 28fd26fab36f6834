"""The OGC API – Features against its floor: a page of 1,000 villages from
/ogc/collections/villages/items (full outlines in lon/lat, the count of all matched, the
links) beside one raw PostGIS query that builds the same FeatureCollection (ST_AsGeoJSON and
json_agg in SQL, the same rows, properties and count), on the sample with ten times the
villages (2,470); and GDAL's OAPIF driver reading the villages through a live server.

    .venv/bin/python bench/ogc.py

It works in a database of its own (bench_gisplan), made and dropped here.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from portal import multiply, official_client, timed  # noqa: E402  (sets Django up)

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.testcases import LiveServerThread  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from data.load import load_sample  # noqa: E402
from tokens.models import ApiToken  # noqa: E402

PAGE = 1000
# The floor: the same page of villages (by id), their properties and the label that names a
# village by its town where its name repeats, the count of all, one statement.
RAW = f"""
    SELECT json_build_object('type', 'FeatureCollection',
        'numberMatched', (SELECT count(*) FROM layers_village),
        'features', COALESCE(json_agg(json_build_object(
            'type', 'Feature', 'id', t.code, 'geometry', ST_AsGeoJSON(t.geom, 8)::json,
            'properties', to_jsonb(t) - 'geom' - 'id') ORDER BY t.id), '[]'))::text
    FROM (SELECT v.id, v.code, v.name,
                 CASE WHEN EXISTS (SELECT 1 FROM layers_village o WHERE o.name = v.name
                                   AND o.county_id = v.county_id AND o.id <> v.id)
                      THEN v.name || '（' || tn.name || '）' ELSE v.name END AS label,
                 v.kind, tn.name AS town, z.name AS zone, z.code AS zone_code, v.households,
                 v.population, v.poor_households, v.poor_population, v.exit_status, v.exit_year,
                 ST_Transform(v.boundary, 4326) AS geom
          FROM layers_village v LEFT JOIN layers_town tn ON tn.id = v.town_id
          LEFT JOIN layers_zone z ON z.id = v.zone_id ORDER BY v.id LIMIT {PAGE}) t"""


def endpoint_vs_raw(client):
    served, response = timed(lambda: client.get(f"/ogc/collections/villages/items?limit={PAGE}"))
    assert response.status_code == 200, response.content[:300]
    with connection.cursor() as cursor:
        floor, row = timed(lambda: (cursor.execute(RAW), cursor.fetchone())[1])
    ours, theirs = json.loads(response.content), json.loads(row[0])
    assert len(ours["features"]) == len(theirs["features"]) == PAGE
    assert ours["numberMatched"] == theirs["numberMatched"]
    assert [f["id"] for f in ours["features"]] == [f["id"] for f in theirs["features"]]
    print(f"{'villages':<10}{'matched':>9}{'page':>6}{'endpoint ms':>13}{'raw SQL ms':>12}{'ratio':>7}{'kB':>8}")
    print(f"{'items':<10}{ours['numberMatched']:>9}{PAGE:>6}{served * 1000:>13.1f}{floor * 1000:>12.1f}"
          f"{served / floor:>7.2f}{len(response.content) / 1024:>8.0f}")
    print(f"items / raw SQL: {served / floor:.2f} (aim: within 1.5)")


def gdal_reads():
    """ogr2ogr of every village into a GeoPackage through a live server, pages of PAGE."""
    _token, secret = ApiToken.objects.issue(User.objects.get(username="bench"), "bench")
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    try:
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            subprocess.run(["ogr2ogr", "-f", "GPKG", f"{folder}/v.gpkg",
                            f"OAPIF:http://127.0.0.1:{server.port}/ogc/", "villages",
                            "-oo", f"PAGE_SIZE={PAGE}"], check=True, capture_output=True,
                           env={**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Bearer {secret}"})
            print(f"ogr2ogr of every village to a GeoPackage over HTTP: "
                  f"{(time.perf_counter() - start) * 1000:.0f} ms")
    finally:
        server.terminate()


def main():
    connection.settings_dict["TEST"]["NAME"] = "bench_gisplan"
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        with tempfile.TemporaryDirectory() as folder:
            load_sample(folder)
            client = official_client()
            multiply(10)
            print("== the sample with ten times the villages ==")
            endpoint_vs_raw(client)
            gdal_reads()
    finally:
        connection.close()
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
