"""System checks: the storage CRS must be projected and in metres, and the columns in it."""
from django.conf import settings
from django.core import checks

from .crs import CRSRefused, epsg_crs, in_metres


@checks.register()
def storage_srid_is_projected_metres(app_configs, **kwargs):
    srid = settings.STORAGE_SRID
    try:
        crs = epsg_crs(srid)
    except CRSRefused:
        return [checks.Error(f"GISPLAN_SRID={srid} is not an EPSG code PROJ knows.",
                             id="gisplan.E001")]
    if not in_metres(crs):
        return [checks.Error(f"GISPLAN_SRID={srid} ({crs.name}) is not a projected CRS in "
                             f"metres; distances and areas need one (the sample uses 4546).",
                             id="gisplan.E002")]
    return []


@checks.register(checks.Tags.database)
def geometry_columns_match_storage_srid(app_configs, databases=None, **kwargs):
    """The columns keep the SRID of the first migrate; a later GISPLAN_SRID must match it."""
    from django.db import connections

    from .models import WEB_SRID

    errors = []
    for alias in databases or []:
        # Raw SQL: PostGIS's geometry_columns catalogue has no model.
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
                           "WHERE f_table_name LIKE 'layers_%%' AND srid NOT IN (%s, %s)",
                           [settings.STORAGE_SRID, WEB_SRID])
            errors += [checks.Error(
                f"{table}.{column} is stored in EPSG:{srid}, but GISPLAN_SRID is "
                f"{settings.STORAGE_SRID}; the SRID is fixed at the first migrate.",
                id="gisplan.E003") for table, column, srid in cursor.fetchall()]
    return errors
