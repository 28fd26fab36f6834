"""The county outline and the declared places, in the storage CRS."""
import json
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from .places import STORAGE_SRID
from .terrain import River, densify

OUTLINE = Path(__file__).resolve().parent.parent / "county_boundary.geojson"

_to_storage = Transformer.from_crs(4490, STORAGE_SRID, always_xy=True)
_to_lonlat = Transformer.from_crs(STORAGE_SRID, 4490, always_xy=True)


def project(lon, lat):
    """CGCS2000 lon/lat to storage metres (arrays or scalars)."""
    return _to_storage.transform(lon, lat)


def unproject(x, y):
    return _to_lonlat.transform(x, y)


def county_outline():
    """The county MultiPolygon in storage metres, and the GeoJSON properties of the feature."""
    feature = json.loads(OUTLINE.read_text(encoding="utf-8"))["features"][0]
    outline = shapely.transform(shape(feature["geometry"]), lambda xy: np.column_stack(
        _to_storage.transform(xy[:, 0], xy[:, 1])))
    return outline, feature["properties"]


def meander(xy, rng, amplitude=500.0):
    """Swing a densified polyline from side to side, keeping both ends in place."""
    if len(xy) < 3:
        return xy
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    t = along / along[-1]
    offset = np.zeros_like(along)
    for wavelength in (6000.0, 2500.0, 1100.0):
        offset += amplitude * (wavelength / 6000.0) ** 0.7 * np.sin(
            2 * np.pi * along / wavelength + rng.uniform(0, 2 * np.pi))
    offset *= np.sin(np.pi * t) ** 0.5
    tangent = np.gradient(xy, axis=0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    normal /= np.linalg.norm(normal, axis=1)[:, None]
    return xy + normal * offset[:, None]


def river_profiles(courses, seat_xy, step, rng):
    """The rivers of `courses` (the main river first) densified every `step` metres and
    meandering, each tributary ending on the river it joins with that river's floor elevation
    there. The main river's valley is narrow upstream of the seat (`seat_xy`) and broadens
    downstream of it."""
    rivers = []
    for course in courses:
        points = np.column_stack(project(*np.array(course.points).T))
        floors = list(course.floor_m)
        if floors[-1] is None:
            xy = np.vstack([r.xy for r in rivers])
            floor = np.concatenate([r.floor for r in rivers])
            nearest = np.argmin(np.hypot(*(xy - points[-1]).T))
            points[-1], floors[-1] = xy[nearest], floor[nearest]
        widths = [course.half_width_m] * len(floors)
        if course is courses[0]:  # narrow in the mountains, a broad valley below the seat
            d = 1.0 if points[-1, 0] >= points[0, 0] else -1.0  # flowing east or west
            widths = list(np.interp(d * points[:, 0], [d * seat_xy[0] - 5000, d * seat_xy[0] + 25000],
                                    [800.0, 2600.0]))
        parts = [densify(points[i:i + 2], [floors[i:i + 2], widths[i:i + 2]], step)
                 for i in range(len(points) - 1)]
        xy = np.vstack([meander(p_xy, rng)[:-1] for p_xy, _ in parts] + [points[-1:]])
        floor = np.concatenate([p_floor[:-1] for _, (p_floor, _) in parts] + [floors[-1:]])
        width = np.concatenate([p_width[:-1] for _, (_, p_width) in parts] + [widths[-1:]])
        rivers.append(River(course.name, xy, floor, width, course.synthetic_name))
    return rivers
