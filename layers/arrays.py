"""The one adapter from querysets to the arrays that `analysis` works on."""
import numpy as np

from analysis.exit import MODULES


def exit_columns(villages):
    """The columns the exit modules read, one entry per village of the queryset, in its order."""
    names = sorted({c.column for m in MODULES.values() for c in m.criteria} - {"incidence"})
    rows = list(villages.values_list("poor_population", "population", *names))
    data = np.array(rows, dtype=float).reshape(len(rows), len(names) + 2)
    columns = dict(zip(names, data[:, 2:].T))
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["incidence"] = np.where(data[:, 1] > 0, data[:, 0] / data[:, 1], np.nan)
    return columns
