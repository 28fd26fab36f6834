"""Zones derived on write, plan approval, and the schema's spatial indexes."""
import pytest
from django.contrib.gis.geos import MultiPolygon
from django.core.management import call_command
from django.db import connection

from layers.models import County, Industry, PlanVersion, ServiceCenter, Village, Zone


def test_migrations_match_the_models(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_geometry_column_has_a_gist_index(db):
    # Raw SQL: the catalogue of indexes is not reachable through the ORM.
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT f_table_name, f_geometry_column FROM geometry_columns g
            WHERE f_table_name LIKE 'layers_%' AND NOT EXISTS (
                SELECT 1 FROM pg_indexes i WHERE i.tablename = g.f_table_name
                AND i.indexdef ILIKE '%USING gist%' AND i.indexdef LIKE '%' || g.f_geometry_column || '%')""")
        assert cursor.fetchall() == []


def test_a_saved_village_takes_the_zone_around_it(sample):
    village = Village.objects.select_related("zone").first()
    elsewhere = Zone.objects.in_force().exclude(pk=village.zone_id).first()
    village.location = elsewhere.boundary.point_on_surface
    village.save()
    village.refresh_from_db()
    assert village.zone == elsewhere


def test_approving_a_plan_reassigns_everything_zoned(sample):
    # A draft with one zone covering the whole county: once approved, every village, center and
    # industry is in it, and the old plan is archived.
    old = PlanVersion.objects.approved().get()
    county = County.objects.get()
    draft = PlanVersion.objects.create(county=county, name="one zone")
    whole = Zone.objects.create(plan=draft, code="C", name="全县", boundary=county.boundary)
    draft.approve()
    old.refresh_from_db()
    assert old.status == PlanVersion.Status.ARCHIVED
    assert PlanVersion.objects.approved().get() == draft
    for model in (Village, ServiceCenter, Industry):
        assert set(model.objects.values_list("zone", flat=True)) == {whole.pk}


def test_only_one_plan_is_approved_at_a_time(sample):
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.create(county=County.objects.get(), name="second",
                                   status=PlanVersion.Status.APPROVED)


def test_a_storage_srid_other_than_the_columns_is_reported(db, settings):
    from layers.checks import geometry_columns_match_storage_srid
    assert geometry_columns_match_storage_srid(None, databases=["default"]) == []
    settings.STORAGE_SRID = 32649  # WGS 84 / UTM 49N: also metres, but not what was migrated
    errors = geometry_columns_match_storage_srid(None, databases=["default"])
    assert errors and all(e.id == "gisplan.E003" for e in errors)
    assert "layers_village.location is stored in EPSG:4546" in " ".join(e.msg for e in errors)


def test_web_shapes_follow_the_boundary_on_every_save(sample):
    village = Village.objects.first()
    smaller = village.boundary.buffer(-50)  # 50 m smaller all round
    village.boundary = smaller if smaller.geom_type == "MultiPolygon" else MultiPolygon(smaller)
    village.save(update_fields=["boundary"])
    village.refresh_from_db()
    web = village.web_boundary.transform(village.boundary.srid, clone=True)
    assert abs(web.area - village.boundary.area) / village.boundary.area < 0.01
