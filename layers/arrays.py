"""The one adapter from querysets to the arrays that `analysis` works on."""
from dataclasses import dataclass

import numpy as np

from .exit_criteria import exit_rules
from .models import Road, ServiceCenter, Town, Village
from .naming import village_label


def exit_columns(villages):
    """The columns the exit modules read, one entry per village of the queryset, in its order."""
    names = sorted({c.column for m in exit_rules().modules.values() for c in m.criteria}
                   - {"incidence"})
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
    xy: np.ndarray  # (n, 2) in the storage CRS
    extra: dict  # column name -> array


def villages(queryset=None):
    """Village committees, named by their labels (layers.naming), with code, zone and the
    people the analyses weigh."""
    rows = list((queryset if queryset is not None else Village.objects.all()).order_by("code")
                .annotate(label=village_label())
                .values_list("pk", "label", "location", "code", "zone__code", "zone__name",
                             "population", "poor_population"))
    return Places(np.array([r[0] for r in rows], dtype=int), [r[1] for r in rows],
                  _xy(r[2] for r in rows), {
                      "code": [r[3] for r in rows], "zone": [r[4] for r in rows],
                      "zone_name": [r[5] for r in rows],
                      "population": np.array([r[6] for r in rows], dtype=np.int64),
                      "poor_population": np.array([r[7] for r in rows], dtype=np.int64)})


def centers(kind, planned=False):
    """Service centers of `kind` (existing ones, and planned ones if asked)."""
    rows = ServiceCenter.objects.of_kind(kind).order_by("name", "pk")
    if not planned:
        rows = rows.existing()
    rows = list(rows.values_list("pk", "name", "location", "status"))
    return Places(np.array([r[0] for r in rows], dtype=int), [r[1] for r in rows],
                  _xy(r[2] for r in rows), {"status": [r[3] for r in rows]})


def town_seats():
    rows = list(Town.objects.order_by("code").values_list("pk", "name", "seat"))
    return Places(np.array([r[0] for r in rows], dtype=int), [r[1] for r in rows],
                  _xy(r[2] for r in rows), {})


def roads():
    """Every road's vertices ((k, 2) arrays in the storage CRS), speeds and one-way flags."""
    rows = list(Road.objects.order_by("pk").values_list("geometry", "speed_kmh", "oneway"))
    return ([np.array(r[0].coords) for r in rows], np.array([r[1] for r in rows], dtype=float),
            np.array([r[2] for r in rows], dtype=bool))


def _xy(points):
    return np.array([(p.x, p.y) for p in points], dtype=float).reshape(-1, 2)
