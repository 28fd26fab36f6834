"""Import a layer from a file, all or nothing: read it (reading.py), check every feature
(checking.py), then write in one transaction (writing.py).

Files: GeoJSON, GeoPackage, a shapefile (.shp with its sidecars) or a .zip holding one of
those, and CSV/XLSX tables with lon/lat columns (or, for villages, keyed by code to update
their figures). Coordinate systems are taken as EPSG codes only (layers/crs.py).
"""
from django.db import transaction
from django.utils.translation import gettext as _

from ..datasets import DATASETS
from ..models import County, PlanVersion, Zone
from ..regions import county_named
from .checking import checked, county_in_codes
from .options import ImportOptions, ImportRefused, ImportReport
from .reading import read
from .writing import plan_name, write, write_zones

__all__ = ["ImportOptions", "ImportRefused", "ImportReport", "import_layer", "read"]


def import_layer(options, progress=iter):
    """Import `options.path` into the layer `options.kind`; raises a Refusal (ImportRefused, or
    the CRS policy's CRSRefused) with the reason."""
    dataset = DATASETS[options.kind]
    if options.replace and dataset.model is Zone:
        raise ImportRefused(_("--replace does not apply to zones: each import makes a new draft plan version"))
    if dataset.model is Zone:
        limit = PlanVersion._meta.get_field("name").max_length
        if len(plan_name(options)) > limit:
            raise ImportRefused(_("the draft plan version is named after the file (or --layer), and "
                                  "a name has at most %(n)d characters: rename the file")
                                % {"n": limit})
    source = read(options)
    county = None if dataset.model is County else county_named(
        options.county or county_in_codes(dataset, source))
    features = checked(dataset, source, progress, county)
    with transaction.atomic():
        if dataset.model is Zone:
            counts = write_zones(features, options, county)
        else:
            counts = write(dataset, features, options, county)
        transaction.set_rollback(options.dry_run)
    return ImportReport(options.kind, len(features), dry_run=options.dry_run,
                        encoding=source.encoding, source_srid=source.srid, **counts)
