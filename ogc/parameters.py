"""The query parameters of the OGC API – Features, checked: a wrong or unknown one is a 400
that says what is allowed (Part 1, /req/core/query-param-unknown and -invalid).

Coordinate systems are named by URI (Part 2): CRS84 (lon/lat, the default), EPSG:4326 and
EPSG:4490 (lat/lon, the EPSG order) and the storage CRS (northing/easting); coordinates in and
out follow each one's own axis order (layers.crs.north_first)."""
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _

from gisplan.api import Refusal, without_nul
from layers.crs import LONLAT_SRIDS, north_first

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
FORMATS = ("json", "html")
COMMON = {"f"}
ITEMS = {"f", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime"}


def crs_uris():
    """The URIs of every CRS the API answers in, CRS84 first."""
    return [CRS84, *(EPSG_URI.format(srid) for srid in (*LONLAT_SRIDS, settings.STORAGE_SRID))]


@dataclass(frozen=True)
class CRS:
    uri: str
    srid: int
    swapped: bool  # the URI's first axis is north: coordinates are written (y, x)

    @property
    def degrees(self):
        return self.srid in LONLAT_SRIDS


def crs_named(uri, parameter="crs"):
    if uri in ("", CRS84):
        return CRS(CRS84, 4326, False)
    if uri in crs_uris():
        srid = int(uri.rsplit("/", 1)[1])
        return CRS(uri, srid, north_first(srid))
    raise Refusal(_("%(parameter)s is one of %(uris)s") % {"parameter": parameter,
                                                           "uris": ", ".join(crs_uris())})


@dataclass(frozen=True)
class ItemsQuery:
    crs: CRS
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: Polygon = None  # in its CRS's SRID, x then y
    quarters: tuple = None  # (first, last) quarter index (year * 4 + quarter - 1), inclusive
    filters: dict = None  # field lookup -> value


def checked_format(params, allowed=COMMON):
    """The format asked for with `f` ("json", "html"; "" if not), the other parameters
    checked to be among `allowed`."""
    without_nul(params)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise Refusal(_("unknown parameter %(name)s; this URL takes %(allowed)s")
                      % {"name": unknown[0][:50], "allowed": ", ".join(sorted(allowed))})
    f = params.get("f", "")
    if f and f not in FORMATS:
        raise Refusal(_("f is json or html"))
    return f


def items_query(params, collection):
    """The items' parameters of `collection` (ogc.collections.Collection)."""
    filters = collection.layer.filters
    checked_format(params, ITEMS | set(filters))
    # Every collection takes datetime (Core); only the quarterly figures have a time, the
    # others are today's and are all kept.
    quarters = _quarters(params["datetime"]) if params.get("datetime") else None
    return ItemsQuery(
        crs=crs_named(params.get("crs", "")),
        limit=min(_whole(params, "limit", DEFAULT_LIMIT, least=1), MAX_LIMIT),
        offset=_whole(params, "offset", 0, least=0),
        bbox=_bbox(params.get("bbox"), crs_named(params.get("bbox-crs", ""), "bbox-crs")),
        quarters=quarters if collection.temporal else None,
        filters={lookup: params[name] for name, lookup in filters.items() if name in params})


def _whole(params, name, default, least):
    text = params.get(name, "")
    if text == "":
        return default
    if not re.fullmatch(r"\d{1,9}", text) or int(text) < least:
        raise Refusal(_("%(name)s is a whole number of at least %(least)d") % {"name": name, "least": least})
    return int(text)


def _bbox(text, crs):
    if not text:
        return None
    try:
        numbers = [float(v) for v in text.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(map(math.isfinite, numbers)):
        raise Refusal(_("bbox is four numbers (or six, with heights): the lower corner, then "
                        "the upper one, in the axis order of bbox-crs"))
    # With six, each corner has a height, which the features (on the ground) do not.
    low, high = (numbers[:2], numbers[2:]) if len(numbers) == 4 else (numbers[:2], numbers[3:5])
    if crs.swapped:
        low, high = low[::-1], high[::-1]
    (west, south), (east, north) = low, high
    if crs.degrees and not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise Refusal(_("bbox lies outside ±180° of longitude and ±90° of latitude"))
    if not (west < east and south < north):
        raise Refusal(_("bbox's lower corner must lie below and left of its upper corner"))
    box = Polygon.from_bbox((west, south, east, north))
    box.srid = crs.srid
    return box


def _quarters(text):
    """The quarters an RFC 3339 instant or interval ("2017-04-01", "2017-01-01/2017-06-30",
    "../2017-06-30") touches, as (first, last) quarter indexes."""
    parts = text.split("/")
    if len(parts) > 2:
        raise Refusal(_("datetime is an instant or an interval start/end"))
    ends = [_day(part) for part in parts]
    first = 0 if ends[0] is None else quarter_index(ends[0])
    last = 10_000 * 4 if ends[-1] is None else quarter_index(ends[-1])
    if first > last:
        raise Refusal(_("datetime's interval ends before it begins"))
    return first, last


def quarter_index(day):
    """year * 4 + quarter - 1 of the quarter `day` falls in."""
    return day.year * 4 + (day.month - 1) // 3


def _day(text):
    if text in ("", ".."):
        return None
    try:
        if "T" in text or "t" in text:  # an instant: its day in UTC
            moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
            return (moment.astimezone(timezone.utc) if moment.tzinfo else moment).date()
        return date.fromisoformat(text)
    except ValueError:
        raise Refusal(_("datetime is RFC 3339, as 2017-04-01 or 2017-04-01T00:00:00Z, or an "
                        "interval of two, either end open as ..")) from None
