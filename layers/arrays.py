"""The one adapter from querysets to the arrays that `analysis` works on. Coordinates come out
in the county's own CGCS2000 Gauss-Krüger zone (`County.gk_srid`), whatever the storage CRS:
every length an analysis measures is measured there."""
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from .crs import transform_xy
from .exit_criteria import exit_rules
from .models import Road, ServiceCenter, Town, Village
from .naming import village_label


def exit_columns(villages):
    """The columns the exit modules read, one entry per village of the queryset, in its order."""
    names = sorted({column for m in exit_rules().modules.values() for c in m.criteria
                    for column in c.columns} - {"incidence"})
    rows = list(villages.values_list("poor_population", "population", *names))
    data = np.array(rows, dtype=float).reshape(len(rows), len(names) + 2)
    columns = dict(zip(names, data[:, 2:].T))
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["incidence"] = np.where(data[:, 1] > 0, data[:, 0] / data[:, 1], np.nan)
    return columns


@dataclass(frozen=True)
class Places:
    """Points with what the analyses count, one entry per row, in the queryset's order."""

    ids: np.ndarray
    names: list
    xy: np.ndarray  # (n, 2) in EPSG `srid`
    extra: dict  # column name -> array
    srid: int  # the county's own zone (County.gk_srid)

    def lonlat(self):
        """`xy` in lon/lat (EPSG:4326), (n, 2)."""
        return transform_xy(self.xy, self.srid, 4326)

    def subset(self, rows):
        """The places at `rows` (indices, in their order)."""
        return Places(self.ids[rows], [self.names[i] for i in rows], self.xy[rows],
                      {name: column[rows] if isinstance(column, np.ndarray)
                       else [column[i] for i in rows] for name, column in self.extra.items()},
                      self.srid)


def villages(county, queryset=None):
    """The village committees of `county` (or only those of `queryset`, some of them), named by
    their labels (layers.naming), with code, zone and the people the analyses weigh."""
    queryset = Village.objects.of_county(county) if queryset is None else queryset
    rows = list(queryset.order_by("code")
                .annotate(label=village_label())
                .values_list("pk", "label", "location", "code", "zone__code", "zone__name",
                             "population", "poor_population"))
    return Places(np.array([r[0] for r in rows], dtype=int), [r[1] for r in rows],
                  _xy((r[2] for r in rows), county.gk_srid), {
                      "code": [r[3] for r in rows], "zone": [r[4] for r in rows],
                      "zone_name": [r[5] for r in rows],
                      "population": np.array([r[6] for r in rows], dtype=np.int64),
                      "poor_population": np.array([r[7] for r in rows], dtype=np.int64)},
                  county.gk_srid)


def centers(counties, kind, planned=False):
    """The service centers of `kind` (None: of every kind; existing ones, and planned ones if
    asked) of `counties`, a list whose first is the county asked about: the others' centers are
    named with their county, as 镇卫生院（丹凤县）, and come after its own."""
    home = counties[0]
    rows = ServiceCenter.objects.filter(county__in=counties)
    if kind is not None:
        rows = rows.of_kind(kind)
    if not planned:
        rows = rows.existing()
    rows = sorted(rows.values_list("pk", "name", "location", "status", "county", "county__name",
                                   "kind"),
                  key=lambda r: (r[4] != home.pk, r[1], r[0]))
    return Places(np.array([r[0] for r in rows], dtype=int),
                  [r[1] if r[4] == home.pk else f"{r[1]}（{r[5]}）" for r in rows],
                  _xy((r[2] for r in rows), home.gk_srid),
                  {"status": [r[3] for r in rows], "kind": [r[6] for r in rows],
                   "foreign": np.array([r[4] != home.pk for r in rows], bool)}, home.gk_srid)


def capacities(center_ids):
    """Each center's capacity (the people it can take), in the order of `center_ids`; np.inf
    where none is recorded."""
    given = dict(ServiceCenter.objects.filter(pk__in=list(center_ids)).values_list("pk", "capacity"))
    return np.array([np.inf if given.get(int(pk)) is None else given[int(pk)] for pk in center_ids],
                    dtype=float)


def town_seats(county):
    rows = list(Town.objects.of_county(county).order_by("code").values_list("pk", "name", "seat"))
    return Places(np.array([r[0] for r in rows], dtype=int), [r[1] for r in rows],
                  _xy((r[2] for r in rows), county.gk_srid), {}, county.gk_srid)


def roads(counties):
    """The vertices of the roads of `counties` ((k, 2) arrays in the first county's own zone),
    their speeds and one-way flags. Roads of neighbouring counties that meet at the border join."""
    rows = list(Road.objects.filter(county__in=counties).order_by("pk")
                .values_list("geometry", "speed_kmh", "oneway"))
    lines = [np.array(r[0].coords, dtype=float).reshape(-1, 2) for r in rows]
    if lines:  # transformed all at once: one call to PROJ, not one per road
        ends = np.cumsum([len(line) for line in lines])[:-1]
        lines = np.split(transform_xy(np.concatenate(lines), settings.STORAGE_SRID,
                                      counties[0].gk_srid), ends)
    return (lines, np.array([r[1] for r in rows], dtype=float),
            np.array([r[2] for r in rows], dtype=bool))


def _xy(points, srid):
    """Stored points as an (n, 2) array in EPSG `srid`."""
    return transform_xy([(p.x, p.y) for p in points], settings.STORAGE_SRID, srid)
