"""The coordinate-system policy, in one place: imports, exports, drawings and the system checks
all call it.

- Spatial references come from users only as EPSG codes, read by PROJ (pyproj). A file's own
  coordinate system (a .prj, a GeoPackage's WKT) is matched to an EPSG code with pyproj too and
  never handed to Django's GDAL as free text: GDAL 3.6 parses untrusted definitions unsafely
  (Django's check gis.W001; docs/architecture.md, "Platform facts").
- Geometries are stored in settings.STORAGE_SRID, a projected CRS in metres, whatever the
  county; each county is measured and analysed in its own CGCS2000 3-degree Gauss-Krüger zone
  (`gauss_kruger_srid`, `County.gk_srid`), into which its coordinates are transformed.
- Lon/lat on the way in and out is EPSG:4326 (GeoJSON, RFC 7946), or CGCS2000's EPSG:4490.
- Axes are always east then north (x, y), whatever order an EPSG definition lists them in;
  one exception, which a standard demands: the OGC API (ogc/) answers a CRS asked for by its
  URI in the authority's order (`north_first`), as QGIS and GDAL expect of it.
"""
import functools

import numpy as np
import pyproj
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj.crs import ProjectedCRS

from gisplan.api import Refusal

LONLAT_SRIDS = (4326, 4490)  # WGS 84 and CGCS2000 lon/lat
# CGCS2000 / 3-degree Gauss-Kruger CM 75E ... CM 135E: EPSG:4534 ... 4554, eastings without
# the zone number in front (500 km on the central meridian).
GK_MERIDIANS = (75, 135)
GK_FIRST_SRID = 4534


class CRSRefused(Refusal):
    """A coordinate system gisplan does not take; the message says why."""


def epsg_crs(srid):
    """The EPSG coordinate system `srid`, if it places points on a map (geographic or projected)."""
    try:
        crs = pyproj.CRS.from_epsg(srid)
    except (pyproj.exceptions.CRSError, OverflowError, TypeError, ValueError):
        raise CRSRefused(_("EPSG:%(srid)s is not a known coordinate system") % {"srid": srid}) from None
    if not (crs.is_geographic or crs.is_projected):  # a height, a geocentric system, ...
        raise CRSRefused(_("EPSG:%(srid)s (%(name)s) is not a geographic or projected "
                           "coordinate system") % {"srid": srid, "name": crs.name})
    return crs


def in_metres(crs):
    """Whether `crs` (a pyproj CRS) is projected with axes in metres."""
    return crs.is_projected and all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info)


def file_srid(wkt):
    """The EPSG code of a file's coordinate system (its WKT), if one matches it exactly."""
    if not wkt:
        raise CRSRefused(_("the file says nothing of its coordinate system (no .prj?); "
                           "give its EPSG code with --srid"))
    try:
        crs = pyproj.CRS.from_wkt(wkt)
    except pyproj.exceptions.CRSError:
        raise CRSRefused(_("the file's coordinate system cannot be read; give its EPSG code "
                           "with --srid")) from None
    if crs.is_bound and not any(p.value for p in crs.coordinate_operation.params):
        # TOWGS84[0,0,0,0,0,0,0], as ERDAS Imagine and some .prj files write CGCS2000: no shift,
        # nothing to keep; the CRS is what it is bound to.
        crs = crs.source_crs
    code = crs.to_epsg(min_confidence=25)
    if code:
        candidate = pyproj.CRS.from_epsg(code)
        # Files store easting before northing; an EPSG definition may list northing first.
        east_north = (ProjectedCRS(candidate.coordinate_operation, geodetic_crs=candidate.geodetic_crs)
                      if candidate.is_projected else candidate)
        if candidate.equals(crs, ignore_axis_order=True) or east_north.equals(crs, ignore_axis_order=True):
            return code
    raise CRSRefused(_("the file's coordinate system (%(name)s) matches no EPSG code; "
                       "give one with --srid") % {"name": crs.name})


def drawing_srid(value):
    """The EPSG code a drawing's coordinates are in (lon/lat 4326 when none is given): lon/lat
    (4326, 4490), or projected in metres."""
    if value in (None, ""):
        return 4326
    try:
        srid = int(value)
    except (TypeError, ValueError):
        raise CRSRefused(_("srid must be an EPSG code such as 4326 or 4546")) from None
    if srid in LONLAT_SRIDS or srid == settings.STORAGE_SRID:
        return srid
    if not in_metres(epsg_crs(srid)):
        raise CRSRefused(_("EPSG:%(srid)s is neither lon/lat (4326, 4490) nor projected in metres")
                         % {"srid": srid})
    return srid


@functools.cache
def north_first(srid):
    """Whether EPSG `srid` lists its northing (or latitude) axis first: 4326 and 4490, and the
    CGCS2000 Gauss-Krüger zones, do."""
    return epsg_crs(srid).axis_info[0].direction in ("north", "south")


def gauss_kruger_srid(longitude):
    """The EPSG code of the CGCS2000 3-degree Gauss-Krüger zone whose central meridian is
    nearest `longitude` (degrees east): its scale error stays under 0.04% of a length inside
    China's latitudes, where a zone 6 degrees away is off by 0.3 to 0.4%."""
    first, last = GK_MERIDIANS
    meridian = min(max(3 * round(longitude / 3), first), last)
    return GK_FIRST_SRID + (meridian - first) // 3


def transformer(source, target=None):
    """From `source` to `target` (EPSG codes or pyproj CRSs; default target: the storage CRS),
    x east and y north."""
    return _transformer(source, target or settings.STORAGE_SRID)


@functools.lru_cache(maxsize=64)
def _transformer(source, target):
    # Kept: making one takes PROJ some 70 ms, and a map's answer transforms many geometries.
    # pyproj's Transformer may be shared between threads (it keeps one PROJ object per thread).
    def crs(value):
        return value if isinstance(value, pyproj.CRS) else pyproj.CRS.from_epsg(value)
    return pyproj.Transformer.from_crs(crs(source), crs(target), always_xy=True)


def transform_xy(xy, source, target):
    """An (n, 2) array of points from EPSG `source` to EPSG `target` (the same array when they
    are one)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if source == target or not len(xy):
        return xy
    # Lists, not arrays: pyproj takes a one-element array for a scalar, which numpy deprecates.
    x, y = transformer(source, target).transform(xy[:, 0].tolist(), xy[:, 1].tolist())
    return np.column_stack([x, y])


def reproject(geometry, transform):
    """A shapely geometry with its coordinates transformed by a pyproj Transformer."""
    # Lists, not arrays: pyproj takes a one-element array for a scalar, which numpy deprecates.
    return shapely.transform(geometry, lambda xy: np.column_stack(transform.transform(*xy.T.tolist())))


def to_lonlat(geometry, srid=None):
    """A shapely geometry in EPSG `srid` (default: the storage CRS) in lon/lat (EPSG:4326)."""
    return reproject(geometry, transformer(srid or settings.STORAGE_SRID, 4326))
