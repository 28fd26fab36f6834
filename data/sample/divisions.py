"""Towns, villages and zones of the sample county: cost-distance allocations over the terrain."""
from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely
from rasterio import features
from scipy import ndimage
from scipy.sparse.csgraph import dijkstra
from shapely import STRtree
from shapely.geometry import MultiPolygon, Point, shape
from shapely.ops import unary_union

from analysis.landcover import WATER


@dataclass(frozen=True)
class Divisions:
    town_of_cell: np.ndarray  # index into places.TOWNS, -1 outside
    village_of_cell: np.ndarray  # index into villages, -1 outside
    village_cells: np.ndarray  # flat cell index of each village committee
    village_town: np.ndarray  # index into places.TOWNS of each village


def ridge_cost(graph, dem):
    """Edge cost that makes climbing expensive, so that allocations meet on ridges."""
    flat = dem.ravel()
    return graph.length + 8.0 * np.abs(flat[graph.a] - flat[graph.b])


def allocate(graph, weight, keep, sources):
    """For every cell, the index of the source it is cheapest to reach from (-1: unreachable)."""
    _, _, nearest = dijkstra(graph.matrix(weight, keep), indices=sources, min_only=True,
                             return_predecessors=True)
    order = np.full(graph.size, -1)
    order[sources] = np.arange(len(sources))
    return np.where(nearest >= 0, order[nearest], -1)


def largest_remainder(shares, total):
    """Integers proportional to `shares` that add up to `total` exactly."""
    exact = np.asarray(shares, float) / np.sum(shares) * total
    whole = np.floor(exact).astype(int)
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[: total - whole.sum()]] += 1
    return whole


def pick_sites(candidates, score, xy, count, spacing, rng):
    """Poisson-disc picks among `candidates`: best score first (with jitter), `spacing` apart,
    the spacing shrinking until `count` sites are found."""
    order = candidates[np.argsort(-(score[candidates] * rng.uniform(0.6, 1.0, candidates.size)))]
    chosen = []
    while len(chosen) < count and spacing > 100:
        for cell in order:
            if len(chosen) == count:
                break
            if all(np.hypot(*(xy[cell] - xy[c])) >= spacing for c in chosen):
                chosen.append(cell)
        spacing *= 0.85
    return np.array(chosen)


def build_divisions(grid, graph, county_mask, terrain, seats_xy, counts, rng):
    """Towns from the seats, then `counts[t]` villages in valleys within town t; both partition
    the county."""
    inner = ndimage.binary_dilation(county_mask, iterations=2).ravel()
    keep = inner[graph.a] & inner[graph.b]
    cost = ridge_cost(graph, terrain.dem)
    seat_cells = np.ravel_multi_index(grid.cell_of(*np.asarray(seats_xy).T), grid.shape)
    town_of_cell = allocate(graph, cost, keep, seat_cells)

    dem = terrain.dem
    # Below the mean of their surroundings at two scales: in a valley, not on a spur or a ridge.
    relative = np.maximum(dem - ndimage.uniform_filter(dem, size=int(1500 / grid.cell)),
                          dem - ndimage.uniform_filter(dem, size=int(3000 / grid.cell)))
    land = county_mask & (terrain.landcover != WATER)
    # Village committees: low, gentle, below their surroundings, near the valley floor.
    score = (np.exp(-terrain.height_above_floor / 120.0) * np.exp(-terrain.slope / 8.0)).ravel()
    valley_cell = (land & (terrain.slope < 20) & (relative < -25)).ravel()
    X, Y = grid.centers()
    xy = np.column_stack([X.ravel(), Y.ravel()])
    village_cells, village_town = [], []
    for t, target in enumerate(counts):
        in_town = np.flatnonzero(valley_cell & (town_of_cell == t))
        town_area = np.count_nonzero(county_mask.ravel() & (town_of_cell == t)) * grid.cell ** 2
        spacing = 0.8 * np.sqrt(town_area / target)
        sites = pick_sites(in_town, score, xy, target, spacing, rng)
        if len(sites) < target:  # a town of few valleys: its committees also on the slopes
            on_land = np.flatnonzero(land.ravel() & (town_of_cell == t))
            sites = pick_sites(on_land, score, xy, target, spacing, rng)
        if len(sites) < target:
            raise ValueError(f"town {t}: valleys for {len(sites)} committees, not {target}")
        village_cells.extend(sites)
        village_town.extend([t] * len(sites))
    village_cells = np.array(village_cells)

    same_town = keep & (town_of_cell[graph.a] == town_of_cell[graph.b])
    village_of_cell = allocate(graph, cost, same_town, village_cells)
    outside = ~inner
    town_of_cell[outside] = -1
    village_of_cell[outside] = -1
    return Divisions(town_of_cell.reshape(grid.shape), village_of_cell.reshape(grid.shape),
                     village_cells, np.array(village_town))


def polygons(label, grid, county, count):
    """The MultiPolygon of each label 0..count-1, clipped to the county outline."""
    parts = [[] for _ in range(count)]
    for geom, value in features.shapes(label.astype(np.int32), mask=label >= 0,
                                       transform=grid.transform):
        parts[int(value)].append(shape(geom))
    result = []
    for p in parts:
        clipped = unary_union(p).intersection(county)
        polys = [g for g in getattr(clipped, "geoms", [clipped]) if g.geom_type == "Polygon"]
        result.append(MultiPolygon(polys))
    return result


def smooth_borders(parts, outline, tolerance, keep=()):
    """Simplify the shared borders of a partition once per border, so that the pieces still
    partition the outline: the raster staircase becomes a line, and no gap or overlap appears.

    `parts` is a list of MultiPolygons; borders on the outline, borders within `tolerance` of a
    point in `keep` (so that no point changes sides), and simplified borders that would cross
    another are kept as they were.
    """
    arcs = list(shapely.line_merge(shapely.union_all([p.boundary for p in parts])).geoms)
    on_outline = outline.boundary.buffer(0.01)
    tree = STRtree(arcs)
    near_points = STRtree(list(keep))
    for i, arc in enumerate(arcs):
        if (arc.is_ring or on_outline.covers(arc)
                or near_points.query(arc, predicate="dwithin", distance=tolerance).size):
            continue
        simple = arc.simplify(tolerance, preserve_topology=True)
        if all(j == i or _meets_only_at_ends(simple, arcs[j]) for j in tree.query(simple)):
            arcs[i] = simple
    pieces = [(k, g) for k, p in enumerate(parts) for g in p.geoms]
    piece_tree = STRtree([g for _, g in pieces])
    result = [[] for _ in parts]
    for polygon in shapely.polygonize(arcs).geoms:
        best = max(piece_tree.query(polygon), key=lambda c: polygon.intersection(pieces[c][1]).area)
        result[pieces[best][0]].append(polygon)
    return [MultiPolygon(r) for r in result]


def fit_to_outline(parts, outline, tolerance=1.0):
    """`parts` (MultiPolygons) made to partition `outline` where they do not already, to
    `tolerance` square metres: clipped to it (smoothing may fill a hole of the outline or cross
    a narrow neck of it), each piece of it they leave uncovered joining the part that shares the
    longest border with it. Parts that already partition it are returned as they are."""
    union = shapely.union_all(parts)
    if shapely.symmetric_difference(union, outline).area <= tolerance:
        return parts
    clipped = [shapely.intersection(p, outline) for p in parts]
    uncovered = shapely.difference(outline, shapely.union_all(clipped))
    for piece in getattr(uncovered, "geoms", [uncovered]):
        if piece.geom_type != "Polygon" or piece.area <= tolerance:
            continue
        shared = [piece.boundary.intersection(p.buffer(0.01)).length for p in clipped]
        best = int(np.argmax(shared))
        clipped[best] = shapely.union(clipped[best], piece)
    return [MultiPolygon([g for g in getattr(p, "geoms", [p]) if g.geom_type == "Polygon"])
            for p in clipped]


def _meets_only_at_ends(line, other):
    touching = line.intersection(other)
    if touching.is_empty:
        return True
    if touching.geom_type not in ("Point", "MultiPoint"):
        return False
    ends = [Point(line.coords[0]), Point(line.coords[-1])]
    return all(min(p.distance(e) for e in ends) < 1e-6 for p in getattr(touching, "geoms", [touching]))


def adjacency(label):
    """Pairs of labels whose cells touch (4-neighbours)."""
    pairs = set()
    for a, b in ((label[:, :-1], label[:, 1:]), (label[:-1, :], label[1:, :])):
        touch = (a != b) & (a >= 0) & (b >= 0)
        pairs.update(zip(a[touch].tolist(), b[touch].tolist()))
    return pairs


def assign_zones(village_xy, seat_xy, anchors, radius, corridor, neighbours):
    """Zone code per village: Central within `radius` metres of the seat and within 5 km of the
    `corridor` line south of the seat (None: no corridor), the others by the nearest of
    `anchors` ({code: (dx, dy) from the seat}); pieces cut off from their zone join the zone
    around them."""
    anchors = {code: np.array(xy) for code, xy in anchors.items()}
    zones = []
    for x, y in village_xy:
        offset = np.array([x - seat_xy[0], y - seat_xy[1]])
        if np.hypot(*offset) < radius or (corridor is not None and offset[1] < 0
                                          and corridor.distance(Point(x, y)) < 5000):
            zones.append("C")
        else:
            zones.append(min(anchors, key=lambda z: np.hypot(*(offset - anchors[z]))))
    return make_contiguous(zones, neighbours)


def make_contiguous(zones, neighbours):
    """Move villages in pieces of a zone other than its largest to their neighbours' zone."""
    links = {i: set() for i in range(len(zones))}
    for a, b in neighbours:
        links[a].add(b)
        links[b].add(a)
    zones = list(zones)
    changed = True
    while changed:
        changed = False
        for code in set(zones):
            pieces = _components([i for i, z in enumerate(zones) if z == code], links)
            for piece in sorted(pieces, key=len)[:-1]:
                around = Counter(zones[n] for i in piece for n in links[i] if zones[n] != code)
                for i in piece:
                    zones[i] = around.most_common(1)[0][0]
                changed = True
    return zones


def _components(members, links):
    members, seen, pieces = set(members), set(), []
    for start in members:
        if start in seen:
            continue
        stack, piece = [start], []
        seen.add(start)
        while stack:
            i = stack.pop()
            piece.append(i)
            for n in links[i] & members:
                if n not in seen:
                    seen.add(n)
                    stack.append(n)
        pieces.append(piece)
    return pieces
