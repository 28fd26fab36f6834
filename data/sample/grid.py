"""The raster grid the sample county is generated on, and the cell graph used to route over it."""
from dataclasses import dataclass

import numpy as np
from rasterio.transform import Affine
from scipy.sparse import csr_matrix

# The four forward neighbour steps (row, col); with their reverses they give 8-connectivity.
STEPS = ((0, 1), (1, 0), (1, 1), (1, -1))


@dataclass(frozen=True)
class SampleGrid:
    """A north-up grid of square cells in the storage CRS."""

    x0: float
    y1: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def around(cls, bounds, cell, margin):
        x0, y0, x1, y1 = bounds
        x0, y0 = np.floor((x0 - margin) / cell) * cell, np.floor((y0 - margin) / cell) * cell
        x1, y1 = np.ceil((x1 + margin) / cell) * cell, np.ceil((y1 + margin) / cell) * cell
        return cls(float(x0), float(y1), float(cell), int(round((x1 - x0) / cell)),
                   int(round((y1 - y0) / cell)))

    @property
    def shape(self):
        return (self.ny, self.nx)

    @property
    def transform(self):
        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y1)

    def centers(self):
        """Cell-centre coordinates as two (ny, nx) arrays."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell
        ys = self.y1 - (np.arange(self.ny) + 0.5) * self.cell
        return np.meshgrid(xs, ys)

    def cell_of(self, x, y):
        """Row and column of the cells containing the points (x, y)."""
        col = np.floor((np.asarray(x) - self.x0) / self.cell).astype(int)
        row = np.floor((self.y1 - np.asarray(y)) / self.cell).astype(int)
        return np.clip(row, 0, self.ny - 1), np.clip(col, 0, self.nx - 1)

    def center_of(self, flat_index):
        row, col = np.divmod(np.asarray(flat_index), self.nx)
        return self.x0 + (col + 0.5) * self.cell, self.y1 - (row + 0.5) * self.cell


@dataclass(frozen=True)
class CellGraph:
    """Undirected 8-neighbour adjacency of the cells of a grid, as edge arrays."""

    a: np.ndarray  # flat index of one end
    b: np.ndarray  # flat index of the other end
    length: np.ndarray  # metres between the two cell centres
    size: int

    @classmethod
    def of(cls, grid):
        idx = np.arange(grid.nx * grid.ny).reshape(grid.shape)
        a, b, length = [], [], []
        for dy, dx in STEPS:
            xs, xe = max(0, -dx), grid.nx - max(0, dx)
            a.append(idx[0:grid.ny - dy, xs:xe].ravel())
            b.append(idx[dy:, xs + dx:xe + dx].ravel())
            length.append(np.full(a[-1].size, grid.cell * np.hypot(dy, dx)))
        return cls(np.concatenate(a), np.concatenate(b), np.concatenate(length), grid.nx * grid.ny)

    def matrix(self, weight, keep=None):
        """A symmetric sparse matrix with `weight` on the kept edges (all edges by default)."""
        a, b, w = self.a, self.b, weight
        if keep is not None:
            a, b, w = a[keep], b[keep], w[keep]
        return csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))),
                          shape=(self.size, self.size))


def trace(predecessors, node):
    """The cells from `node` back to the root of its shortest-path tree, in that order."""
    path = [int(node)]
    while predecessors[path[-1]] >= 0:
        path.append(int(predecessors[path[-1]]))
    return path
