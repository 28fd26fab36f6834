"""Checking an import's records: each becomes the model's values in the storage CRS, or the
first bad one refuses the file with its label and the reason."""
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from ..crs import epsg_crs, reproject, transformer
from ..datasets import convert
from ..models import County, Town, Village
from .options import ImportRefused
from .reading import blank

# A point may lie this far outside the county outline (digitising error along the border).
POINT_MARGIN_METRES = 500
# A road must come this close to the county: roads run on to the neighbouring towns.
LINE_MARGIN_METRES = 5000
# The share of a polygon's area that must lie inside the county.
INSIDE_SHARE = 0.9
SHAPES = {"Point": "point", "MultiPoint": "point", "LineString": "line",
          "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}


@dataclass(frozen=True)
class Feature:
    label: str
    values: dict  # model field -> value, only what the file gives


class Invalid(ValueError):
    """What is wrong with one feature."""


def checked(dataset, source, progress, county):
    """The records as model values in the storage CRS, checked against `county` (None for the
    county layer itself); the first bad one refuses the file."""
    if source.srid is None and not dataset.table_updates:
        raise ImportRefused(_("a table of %(kind)s needs lon/lat columns")
                            % {"kind": dataset.model._meta.verbose_name_plural})
    to_storage = None
    if source.srid is not None:
        crs = epsg_crs(source.srid)
        to_storage = transformer(crs)
    area = None if dataset.model is County else Outline(shapely.from_wkb(bytes(county.boundary.wkb)))
    if not source.records:
        raise ImportRefused(_("the file holds no features"))
    headers = column_headers(dataset, source.records[0].properties if source.records else {})
    features = []
    for record in progress(source.records):
        try:
            values = parse(dataset, headers, record.properties)
            if record.geometry is not None or source.srid is not None:
                shape, geometry = storage_geometry(dataset, record.geometry, crs, to_storage, area)
                values[dataset.geometry[shape]] = geometry
            in_county(dataset, values, county)
            features.append(Feature(record.label, values))
        except Invalid as problem:
            raise ImportRefused(f"{record.label}: {problem}") from None
    if not features:
        raise ImportRefused(_("the file holds no features"))
    return features


def in_county(dataset, values, county):
    """Refuses a town or village whose code, or town, is another county's."""
    code = values.get("code") if dataset.model in (Town, Village) else None
    town = values.get("town")
    if code is not None and not code.startswith(county.adcode):
        raise Invalid(_("the code %(code)s is not of the county %(county)s (%(adcode)s)")
                      % {"code": code, "county": county.name, "adcode": county.adcode})
    if town is not None and town.county_id != county.pk:  # as if it did not exist
        raise Invalid(_("no town has the code %(code)s") % {"code": town.code})


def county_in_codes(dataset, source):
    """The code of the county a file of towns or villages names by their codes, when every code
    begins with the same existing county's; None otherwise (an import without --county then
    goes to the main county, and a code of another county is refused there)."""
    if dataset.model not in (Town, Village) or not source.records:
        return None
    header = column_headers(dataset, source.records[0].properties).get(
        next(c for c in dataset.columns if c.target == "code"))
    if header is None:
        return None
    prefixes = {str(record.properties.get(header) or "").strip()[:6] for record in source.records}
    if len(prefixes) != 1:
        return None
    code = prefixes.pop()
    return code if County.objects.filter(adcode=code).exists() else None


def column_headers(dataset, properties):
    """Column -> the file's header for it; refuses a file without a required column."""
    found = {}
    for column in dataset.columns:
        matches = [h for h in properties if str(h).strip().casefold() in column.headers]
        if len(matches) > 1:
            raise ImportRefused(_("the columns %(headers)s all mean %(column)s; keep one")
                                % {"headers": ", ".join(matches), "column": column.name})
        if matches:
            found[column] = matches[0]
        elif column.target in dataset.key:
            raise ImportRefused(_("the file has no %(column)s column (%(aliases)s)")
                                % {"column": column.name, "aliases": "/".join(column.aliases)})
    return found


def parse(dataset, headers, properties):
    values = {}
    for column, header in headers.items():
        model_field = dataset.model._meta.get_field(column.target)
        raw = properties[header]
        if isinstance(raw, str) and "\x00" in raw:  # PostgreSQL text holds no NUL
            raise Invalid(_("%(column)s: a NUL character in the text") % {"column": header})
        if isinstance(raw, str) and raw.lstrip().startswith("=") and column.parse is None \
                and not model_field.choices and isinstance(model_field, models.CharField):
            # Exported to CSV or XLSX, it would run as a formula in the next spreadsheet.
            raise Invalid(_("%(column)s: %(value)s looks like a spreadsheet formula, not text")
                          % {"column": header, "value": raw.strip()})
        if blank(raw):
            if model_field.null and not model_field.is_relation:
                values[column.target] = None
            continue
        try:
            value = column.parse(raw) if column.parse else convert(model_field, raw)
            if not model_field.is_relation:
                model_field.run_validators(value)
        except ValueError as problem:
            raise Invalid(f"{header}: {problem}") from None
        except ValidationError as problem:
            raise Invalid(f"{header}: {' '.join(problem.messages)}") from None
        values[column.target] = value
    missing = [k for k in dataset.key if values.get(k) is None]
    if missing:
        raise Invalid(_("%(columns)s is empty") % {"columns": ", ".join(missing)})
    return values


class Outline:
    """The county, to test that features lie (mostly) inside it."""

    def __init__(self, boundary):
        self.boundary = boundary
        self.near = boundary.buffer(POINT_MARGIN_METRES)
        shapely.prepare(self.boundary)
        shapely.prepare(self.near)

    def holds(self, shape, geometry):
        """A point within the margin, a line that comes near, a polygon mostly inside."""
        if shape == "point":
            return self.near.contains(geometry)
        if shape == "line":
            return shapely.dwithin(self.boundary, geometry, LINE_MARGIN_METRES)
        return (self.boundary.contains(geometry)
                or self.boundary.intersection(geometry).area >= INSIDE_SHARE * geometry.area)


def storage_geometry(dataset, geometry, crs, to_storage, area):
    """(shape, GEOS geometry in the storage CRS) of a record, or Invalid with the reason."""
    if geometry is None or geometry.is_empty:
        raise Invalid(_("it has no geometry"))
    shape = SHAPES.get(geometry.geom_type)
    if shape not in dataset.geometry:
        raise Invalid(_("a %(found)s where %(expected)s are expected")
                      % {"found": geometry.geom_type, "expected": " or ".join(dataset.geometry)})
    if shape in ("point", "line") and geometry.geom_type.startswith("Multi"):
        if len(geometry.geoms) != 1:
            raise Invalid(_("a %(found)s of %(n)d parts where one is expected")
                          % {"found": geometry.geom_type, "n": len(geometry.geoms)})
        geometry = geometry.geoms[0]
    if geometry.geom_type == "Polygon":
        geometry = shapely.MultiPolygon([geometry])
    xy = shapely.get_coordinates(geometry)
    if not np.isfinite(xy).all():
        raise Invalid(_("a coordinate is not a finite number"))
    outside = (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    if crs.is_geographic and outside.any() and (np.abs(xy) <= 1000).all():
        x, y = xy[outside.argmax()]
        raise Invalid(_("coordinates %(x)g, %(y)g are out of range: longitude is -180 to 180 "
                        "and latitude -90 to 90") % {"x": x, "y": y})
    if crs.is_geographic and outside.any():
        x, y = xy[outside.argmax()]
        raise Invalid(_("coordinates like %(x).0f, %(y).0f look like metres in a file declared "
                        "as degrees (%(crs)s); give the right EPSG code with --srid")
                      % {"x": x, "y": y, "crs": crs.name})
    geometry = reproject(geometry, to_storage)
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise Invalid(_("its coordinates cannot be projected to EPSG:%(srid)d")
                      % {"srid": settings.STORAGE_SRID})
    geos = GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=settings.STORAGE_SRID)
    if not geos.valid:
        raise Invalid(_("invalid geometry: %(reason)s") % {"reason": geos.valid_reason})
    if area is not None and not area.holds(shape, geometry):
        raise Invalid(_("it lies outside the county"))
    return shape, geos
