"""export_layer: every layer in every format, read back unchanged by the import; CRS choices,
text encodings, and the same through the command and the API."""
import csv
import io
import json
import zipfile

import fiona
import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from layers.datasets import DATASETS
from layers.exporting import FORMATS, ExportOptions, ExportRefused, export_layer
from layers.importing import ImportOptions, import_layer
from layers.models import County, PlanVersion, Road, Zone

pytestmark = pytest.mark.usefixtures("english")


def rows_in(path):
    """The data rows of an exported file, as dicts."""
    name = path.name
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    if name.endswith(".xlsx"):
        header, *rows = openpyxl.load_workbook(path).active.iter_rows(values_only=True)
        return [dict(zip(header, row)) for row in rows]
    with fiona.open(f"zip://{path}" if name.endswith(".zip") else path) as collection:
        return [dict(f.properties) for f in collection]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", DATASETS)
def test_every_layer_exports_in_every_format(sample, tmp_path, kind, fmt):
    path = tmp_path / f"{kind}{fmt}"
    count = export_layer(ExportOptions(kind, path))
    # The rows in the database: 1 county, 16 towns, 4 zones in force, 247 villages ... (sample).
    assert count == DATASETS[kind].queryset(County.objects.get()).count() == len(rows_in(path))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no partial file left behind


# Round trips: what an export writes, the import reads back unchanged ------------------------

@pytest.mark.parametrize("kind, fmt", [
    (kind, fmt) for kind in ("county", "towns", "villages", "centers", "industries")
    for fmt in FORMATS if fmt in (".geojson", ".gpkg", ".shp.zip") or DATASETS[kind].point_field])
def test_export_then_import_changes_nothing(sample, tmp_path, kind, fmt):
    path = tmp_path / f"{kind}{fmt.replace('.shp.zip', '.zip')}"
    count = export_layer(ExportOptions(kind, tmp_path / f"{kind}{fmt}"))
    if fmt == ".shp.zip":
        (tmp_path / f"{kind}{fmt}").rename(path)
    report = import_layer(ImportOptions(kind, path))
    assert (report.read, report.created, report.updated, report.deleted) == (count, 0, 0, 0)


@pytest.mark.parametrize("fmt", [".geojson", ".gpkg", ".shp.zip"])
def test_zones_export_imports_as_an_equal_draft(sample, tmp_path, fmt):
    path = tmp_path / f"zones{fmt}"
    export_layer(ExportOptions("zones", path))
    report = import_layer(ImportOptions("zones", path))
    draft = PlanVersion.objects.get(name=report.plan)
    assert draft.status == "draft" and report.created == 4
    for zone in Zone.objects.in_force():
        copy = draft.zones.get(code=zone.code)
        assert copy.name == zone.name and copy.preferred_industries == zone.preferred_industries
        assert copy.boundary.sym_difference(zone.boundary).area < 0.01  # m²: the same shape


def test_roads_export_imports_back_with_replace(sample, tmp_path):
    before = sorted(Road.objects.values_list("name", "road_class", "speed_kmh", "oneway"))
    length = sum(r.geometry.length for r in Road.objects.all())
    export_layer(ExportOptions("roads", tmp_path / "roads.gpkg"))
    report = import_layer(ImportOptions("roads", tmp_path / "roads.gpkg", replace=True))
    assert report.deleted == report.created == len(before)
    assert sorted(Road.objects.values_list("name", "road_class", "speed_kmh", "oneway")) == before
    assert sum(r.geometry.length for r in Road.objects.all()) == pytest.approx(length, abs=0.01)


# Coordinate systems and text ----------------------------------------------------------------

def test_output_crs(sample, tmp_path):
    export_layer(ExportOptions("centers", tmp_path / "c.gpkg", srid=4490))
    with fiona.open(tmp_path / "c.gpkg") as collection:
        assert collection.crs.to_epsg() == 4490
        x, y = next(iter(collection)).geometry.coordinates
        assert 109 < x < 111 and 33 < y < 35  # degrees around Luonan (110.1 E, 34.1 N)
    export_layer(ExportOptions("centers", tmp_path / "default.gpkg"))
    with fiona.open(tmp_path / "default.gpkg") as collection:
        assert collection.crs.to_epsg() == settings.STORAGE_SRID
    with pytest.raises(ExportRefused, match="RFC 7946"):
        export_layer(ExportOptions("centers", tmp_path / "c.geojson", srid=4546))
    with pytest.raises(ExportRefused, match="geographic"):
        export_layer(ExportOptions("centers", tmp_path / "c.csv", srid=4546))
    with pytest.raises(ExportRefused, match="must end with one of"):
        export_layer(ExportOptions("centers", tmp_path / "c.shp"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.gpkg", "default.gpkg"]  # no more


def test_geojson_is_rfc_7946(sample, tmp_path):
    export_layer(ExportOptions("villages", tmp_path / "v.geojson"))
    data = json.loads((tmp_path / "v.geojson").read_text(encoding="utf-8"))
    assert "crs" not in data and data["features"][0]["properties"]["name"]  # Chinese, unescaped by json


def test_shapefile_zip_has_utf8_cpg_and_short_names(sample, tmp_path):
    export_layer(ExportOptions("villages", tmp_path / "v.shp.zip"))
    with zipfile.ZipFile(tmp_path / "v.shp.zip") as archive:
        assert sorted(archive.namelist()) == ["v.cpg", "v.dbf", "v.prj", "v.shp", "v.shx"]
        assert archive.read("v.cpg").decode().strip() == "UTF-8"
    with fiona.open(f"zip://{tmp_path / 'v.shp.zip'}") as collection:
        assert all(len(name) <= 10 for name in collection.schema["properties"])
        assert collection.crs.to_epsg() == settings.STORAGE_SRID


def test_csv_has_a_bom_and_xlsx_codes_are_text(sample, tmp_path):
    export_layer(ExportOptions("villages", tmp_path / "v.csv"))
    assert (tmp_path / "v.csv").read_bytes().startswith(b"\xef\xbb\xbfl")  # BOM, then "lon"
    export_layer(ExportOptions("villages", tmp_path / "v.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "v.xlsx").active
    header = [c.value for c in sheet[1]]
    for name in ("code", "town_code"):
        code = sheet.cell(2, header.index(name) + 1)
        assert code.data_type == "s" and code.number_format == "@" and code.value.isdigit()


# Command and API ----------------------------------------------------------------------------

def test_command(sample, tmp_path, capsys):
    call_command("export_layer", "villages", str(tmp_path / "v.gpkg"))
    # The sample's 247 villages (data/sample/shangluo_divisions_2023.csv).
    assert "villages: 247 rows written" in capsys.readouterr().out
    with pytest.raises(CommandError, match="must end with one of"):
        call_command("export_layer", "villages", str(tmp_path / "v.txt"))
    with pytest.raises(CommandError, match="RFC 7946"):
        call_command("export_layer", "villages", str(tmp_path / "v.geojson"), srid=4490)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.gpkg"]


def test_api_any_role_downloads(role_client, tmp_path):
    response = role_client.get("/api/export/villages.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="villages.xlsx"'
    (tmp_path / "v.xlsx").write_bytes(response.content)
    assert len(rows_in(tmp_path / "v.xlsx")) == 247
    response = role_client.get("/api/export/towns.shp.zip", {"srid": 4490})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_api_errors(client, sample):
    assert client.get("/api/export/villages.gpkg").status_code == 401
    client.force_login(User.objects.get(username="official"))
    for url, status in [("/api/export/villages.shp", 400), ("/api/export/villages.geojson?srid=4546", 400),
                        ("/api/export/villages.gpkg?srid=x", 400), ("/api/export/rivers.gpkg", 404)]:
        response = client.get(url)
        assert response.status_code == status and json.loads(response.content)["error"], url
    user = User.objects.create_user("nobody")
    client.force_login(user)
    assert client.get("/api/export/villages.gpkg").status_code == 403


def test_schema_describes_the_file_endpoints(client, sample):
    paths = json.loads(client.get("/api/schema/").content)["paths"]
    assert set(paths["/api/import/villages/"]["post"]["responses"]) == {"200", "400", "401", "403"}
    assert "/api/export/roads.{format}" in paths
