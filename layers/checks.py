"""System check: the storage CRS must be projected and in metres."""
from django.conf import settings
from django.contrib.gis.gdal import GDALException, SpatialReference
from django.core import checks


@checks.register()
def storage_srid_is_projected_metres(app_configs, **kwargs):
    srid = settings.STORAGE_SRID
    try:
        reference = SpatialReference(srid)
    except GDALException:
        return [checks.Error(f"GISPLAN_SRID={srid} is not an EPSG code GDAL knows.",
                             id="gisplan.E001")]
    if not reference.projected or reference.linear_name.lower() not in ("metre", "meter"):
        return [checks.Error(f"GISPLAN_SRID={srid} ({reference.name}) is not a projected CRS in "
                             f"metres; distances and areas need one (the sample uses 4546).",
                             id="gisplan.E002")]
    return []
