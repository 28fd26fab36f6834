"""The sample road network: least-cost paths over a slope-penalised surface, noded and classed."""
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import LineString

from analysis.network import ROAD_SPEED_KMH

from .grid import trace
from .places import ROAD_CLASSES

# A road may share the cells of a better road; village roads that carry this many villages'
# traffic are township roads.
TOWNSHIP_ROAD_VILLAGES = 3


@dataclass(frozen=True)
class RoadLine:
    name: str
    road_class: str
    speed_kmh: float
    line: LineString


def road_cost(graph, dem, on_road=None, discount=0.25):
    """Metres weighted by grade squared, so that roads keep to valleys and take slopes gently;
    edges already on a road cost `discount` of that."""
    flat = dem.ravel()
    grade = np.abs(flat[graph.a] - flat[graph.b]) / graph.length
    cost = graph.length * (1 + (grade / 0.06) ** 2)
    if on_road is not None:
        cost = np.where(on_road[graph.a] & on_road[graph.b], graph.length * discount, cost)
    return cost


def build_roads(grid, graph, dem, trunks, seat_cell, town_cells, village_cells, region):
    """Trunk roads along their waypoints, county roads from the seat to each town seat, and
    village roads from each village committee to the nearest road.

    `trunks` is a list of (name, class, waypoint cells); cells outside `region` are avoided
    except by trunk roads, which may leave the county.
    """
    edges = {}  # (cell, cell) -> [class rank, name]
    usage = defaultdict(int)

    def add(path, road_class, name):
        rank = ROAD_CLASSES.index(road_class)
        for a, b in zip(path[:-1], path[1:]):
            key = (min(a, b), max(a, b))
            if key not in edges or rank < edges[key][0]:
                edges[key] = [rank, name]

    cost = road_cost(graph, dem)
    everywhere = graph.matrix(cost)
    for name, road_class, waypoints in trunks:
        for start, end in zip(waypoints[:-1], waypoints[1:]):
            # A search bounded by a few times the straight distance: trunk legs are long.
            reach = 4 * grid.cell * np.hypot(*np.subtract(divmod(start, grid.nx), divmod(end, grid.nx)))
            _, pred = dijkstra(everywhere, indices=start, return_predecessors=True, limit=reach)
            add(trace(pred, end), road_class, name)

    keep = region[graph.a] & region[graph.b]
    on_road = _on_road(edges, graph.size)
    _, pred = dijkstra(graph.matrix(road_cost(graph, dem, on_road), keep), indices=seat_cell,
                       return_predecessors=True)
    for cell in town_cells:
        add(_until_road(trace(pred, cell), on_road), "county", "")
        on_road = _on_road(edges, graph.size)

    road_cells = np.flatnonzero(on_road)
    _, pred, _ = dijkstra(graph.matrix(cost, keep), indices=road_cells, min_only=True,
                          return_predecessors=True)
    for cell in village_cells:
        path = trace(pred, cell)
        for a, b in zip(path[:-1], path[1:]):
            usage[(min(a, b), max(a, b))] += 1
    for key, count in usage.items():
        if key not in edges:
            edges[key] = [ROAD_CLASSES.index("township" if count >= TOWNSHIP_ROAD_VILLAGES
                                              else "village"), ""]
    _node_diagonal_crossings(edges, grid.nx)
    return _lines(edges, grid, dem)


def _on_road(edges, size):
    on = np.zeros(size, bool)
    if edges:
        on[np.array(list(edges)).ravel()] = True
    return on


def _until_road(path, on_road):
    """The path from its start up to and including the first cell already on a road."""
    for i, cell in enumerate(path):
        if on_road[cell]:
            return path[: i + 1]
    return path


def _node_diagonal_crossings(edges, nx):
    """Where two diagonal edges cross between four cells, route one of them through a shared
    cell, so that the crossing becomes a junction of the network."""
    for a, b in list(edges):
        if b - a == nx + 1 and (a + 1, a + nx) in edges:
            corner = a + 1
            edges.pop((a, b))
            for key in ((a, corner), (corner, b)):
                edges.setdefault(key, edges.get((a + 1, a + nx)))


def _lines(edges, grid, dem):
    """Merge edges into polylines between junctions (or where the class changes), simplify them,
    and give each a speed from its class, slower where the road is steep."""
    links = defaultdict(list)
    for (a, b), (rank, name) in edges.items():
        links[a].append((b, rank, name))
        links[b].append((a, rank, name))

    def is_node(cell):
        return len(links[cell]) != 2 or links[cell][0][1:] != links[cell][1][1:]

    seen, lines = set(), []
    for start in sorted(links):
        if not is_node(start):
            continue
        for nxt, rank, name in links[start]:
            if (min(start, nxt), max(start, nxt)) in seen:
                continue
            path = [start, nxt]
            seen.add((min(start, nxt), max(start, nxt)))
            while not is_node(path[-1]):
                step = next(c for c, _, _ in links[path[-1]] if c != path[-2])
                seen.add((min(path[-1], step), max(path[-1], step)))
                path.append(step)
            lines.append((path, ROAD_CLASSES[rank], name))
    # Loops with no junction on them would be missed above; the network built here has none.
    result = []
    flat = dem.ravel()
    for path, road_class, name in lines:
        x, y = grid.center_of(np.array(path))
        line = LineString(np.column_stack([x, y])).simplify(grid.cell * 0.5)
        climb = np.abs(np.diff(flat[path])).sum()
        grade = climb / max(line.length, 1.0)
        speed = ROAD_SPEED_KMH[road_class] * float(np.clip(1 - 4 * grade, 0.5, 1.0))
        result.append(RoadLine(name, road_class, round(speed, 1), line))
    return result
