"""Travel over the road network, in minutes, with scipy.sparse.csgraph.

Roads are lines with a speed and a one-way flag (one-way roads run the way they are digitised).
A place (a village committee, a center, a candidate site) off the network walks, at walking
speed, to its nearest point on a road; that point splits the road there, so that two places on
the same road travel between their own points. Villagers travel to the centers, so costs run
from origins to destinations: the searches start at the destinations on the reversed graph,
all of them at once (multi-source Dijkstra), not one search per pair.

Arrays in, frozen results out; no Django.
"""
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

WALK_KMH = 4.0
# A road's speed on the flat by its class, when the road does not say (km/h): the design speeds
# of China's highway classes (JTG B01) for national and provincial roads, lower for the county,
# township and village roads of a mountain county.
ROAD_SPEED_KMH = {"national": 60, "provincial": 50, "county": 40, "township": 30, "village": 20}
# Road ends closer than this are one junction (the sample's roads are noded exactly).
SNAP_METRES = 0.01
# csgraph drops zero weights: two places at the same point of a road are this far apart.
NEAR_ZERO = 1e-9


def minutes(metres, kmh):
    return np.asarray(metres, dtype=float) / (kmh * 1000.0 / 60.0)


@dataclass(frozen=True)
class Pieces:
    """The roads cut at the places: piece i runs along `lines[line[i]]` from measure `start[i]`
    (node `tail[i]`) to `end[i]` (node `head[i]`), at `speed` metres a minute, one way if `oneway`."""

    lines: np.ndarray  # shapely LineStrings
    line: np.ndarray
    start: np.ndarray
    end: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    speed: np.ndarray
    oneway: np.ndarray


@dataclass(frozen=True)
class Network:
    """The road graph with places joined to it.

    Attributes
    ----------
    graph : csr_matrix
        Travel minutes from node to node (directed: one-way roads only one way).
    place_node : ndarray of int
        The node where each place (in the order given) joins the roads.
    walk_minutes : ndarray of float
        Each place's walk to that node, at `walk_kmh`.
    walk_metres : ndarray of float
        The length of that walk (straight, to the nearest point on a road).
    pieces : Pieces
        The roads cut at the places: what isochrones are drawn from.
    walk_kmh : float
    """

    graph: csr_matrix
    place_node: np.ndarray
    walk_minutes: np.ndarray
    walk_metres: np.ndarray
    pieces: "Pieces"
    walk_kmh: float

    @property
    def reversed(self):
        return self.graph.T.tocsr()


def build_network(lines, speeds_kmh, oneway, places, walk_kmh=WALK_KMH):
    """The road graph with `places` joined to their nearest road point.

    Parameters
    ----------
    lines : sequence of (k, 2) arrays
        Each road's vertices in a projected CRS (metres), in the order it is digitised.
    speeds_kmh, oneway : array-like, one entry per line
    places : (p, 2) array
        Points to join (origins and destinations together), in the same CRS.
    walk_kmh : float
        Walking speed off the roads.

    Returns
    -------
    Network
    """
    speeds = np.asarray(speeds_kmh, dtype=float)
    oneway = np.asarray(oneway, dtype=bool)
    places = np.asarray(places, dtype=float).reshape(-1, 2)
    if len(lines) == 0:
        raise ValueError("there are no roads")
    if (speeds <= 0).any() or not np.isfinite(speeds).all():
        raise ValueError("every road needs a speed above zero")
    vertices = [np.asarray(line, dtype=float).reshape(-1, 2) for line in lines]
    geometries = shapely.linestrings(np.concatenate(vertices),
                                     indices=np.repeat(np.arange(len(vertices)), [len(v) for v in vertices]))
    lengths = shapely.length(geometries)

    # Junctions: line ends that coincide (to SNAP_METRES) are one node.
    ends = np.concatenate([shapely.get_coordinates(shapely.get_point(geometries, 0)),
                           shapely.get_coordinates(shapely.get_point(geometries, -1))])
    _, junction = np.unique(np.round(ends / SNAP_METRES).astype(np.int64), axis=0, return_inverse=True)
    junction = junction.ravel()
    junctions = junction.max() + 1
    n_lines = len(geometries)
    start_node, end_node = junction[:n_lines], junction[n_lines:]

    # Each place joins its nearest line at the nearest point, which becomes a node of its own.
    tree = shapely.STRtree(geometries)
    points = shapely.points(places)
    pairs, distance = tree.query_nearest(points, return_distance=True, all_matches=False)
    line_of = np.empty(len(places), dtype=np.int64)
    walk = np.empty(len(places))
    line_of[pairs[0]], walk[pairs[0]] = pairs[1], distance
    measure = shapely.line_locate_point(geometries[line_of], points)
    place_node = junctions + np.arange(len(places))

    # Cut every line at the places on it: breakpoints sorted along each line, start to end.
    edge = np.concatenate([np.arange(n_lines), line_of, np.arange(n_lines)])
    at = np.concatenate([np.zeros(n_lines), measure, lengths])
    rank = np.concatenate([np.zeros(n_lines), np.ones(len(places)), np.full(n_lines, 2)])
    node = np.concatenate([start_node, place_node, end_node])
    order = np.lexsort((rank, at, edge))
    edge, at, node = edge[order], at[order], node[order]
    same = edge[:-1] == edge[1:]
    a, b = node[:-1][same], node[1:][same]
    line = edge[:-1][same]
    pieces = Pieces(geometries, line, at[:-1][same], at[1:][same], a, b, speeds[line] * 1000 / 60,
                    oneway[line])
    cost = np.maximum(minutes(np.diff(at)[same], speeds[line]), NEAR_ZERO)
    both = ~oneway[line]
    tails = np.concatenate([a, b[both]])
    heads = np.concatenate([b, a[both]])
    weights = np.concatenate([cost, cost[both]])
    keep = tails != heads
    graph = _shortest_edges(tails[keep], heads[keep], weights[keep], junctions + len(places))
    return Network(graph, place_node, minutes(walk, walk_kmh), walk, pieces, walk_kmh)


def _shortest_edges(tails, heads, weights, size):
    """A CSR graph keeping the cheapest of parallel edges (csr_matrix would add them up)."""
    order = np.lexsort((weights, heads, tails))
    tails, heads, weights = tails[order], heads[order], weights[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    return csr_matrix((weights[first], (tails[first], heads[first])), shape=(size, size))


@dataclass(frozen=True)
class Nearest:
    """For each origin, the cheapest destination and its cost (inf and -1 when none is reached)."""

    cost: np.ndarray
    index: np.ndarray


def nearest_by_road(network, origins, destinations, limit=np.inf):
    """Each origin's nearest destination in travel minutes, walks included.

    `origins` and `destinations` index the places given to build_network. One Dijkstra from all
    destinations at once on the reversed graph; each destination starts with its own walk, through
    a source node of its own.
    """
    origins, destinations = np.asarray(origins, dtype=int), np.asarray(destinations, dtype=int)
    if len(destinations) == 0:
        return Nearest(np.full(len(origins), np.inf), np.full(len(origins), -1))
    size = network.graph.shape[0]
    sources = size + np.arange(len(destinations))
    reverse = network.reversed.tocoo()
    tails = np.concatenate([reverse.row, sources])
    heads = np.concatenate([reverse.col, network.place_node[destinations]])
    weights = np.concatenate([reverse.data, np.maximum(network.walk_minutes[destinations], NEAR_ZERO)])
    graph = _shortest_edges(tails, heads, weights, size + len(destinations))
    cost, _, source = dijkstra(graph, indices=sources, min_only=True, return_predecessors=True,
                               limit=limit)
    total = cost[network.place_node[origins]] + network.walk_minutes[origins]
    index = source[network.place_node[origins]] - size
    reached = np.isfinite(total) & (total <= limit)
    return Nearest(np.where(reached, total, np.inf), np.where(reached, index, -1))


def road_minutes(network, origins, destinations, limit=np.inf, chunk=256):
    """The origin × destination matrix of travel minutes, walks included (inf: not reached).

    Searches run from `chunk` destinations at a time, so that memory stays bounded.
    """
    origins, destinations = np.asarray(origins, dtype=int), np.asarray(destinations, dtype=int)
    reverse = network.reversed
    result = np.full((len(origins), len(destinations)), np.inf)
    for first in range(0, len(destinations), chunk):
        part = destinations[first:first + chunk]
        reached = dijkstra(reverse, indices=network.place_node[part], limit=limit)
        result[:, first:first + chunk] = (reached[:, network.place_node[origins]].T
                                          + network.walk_minutes[origins][:, None]
                                          + network.walk_minutes[part][None, :])
    result[result > limit] = np.inf
    return result


def straight_metres(origins, destinations):
    """The origin × destination matrix of straight-line metres (both (n, 2) arrays)."""
    origins, destinations = np.asarray(origins, dtype=float), np.asarray(destinations, dtype=float)
    return np.hypot(origins[:, None, 0] - destinations[None, :, 0],
                    origins[:, None, 1] - destinations[None, :, 1])


def isochrone(network, destination, limit, step=250.0):
    """The land from which a place is reached within `limit` minutes, as a shapely geometry.

    Drawn from the reached road network, not from the reached points' hull (an alpha shape
    would fill the valleys between roads): points every `step` metres along each road piece,
    each with the minutes from there to the place (a one-way piece only towards its head), and
    around each point a disc as wide as the walk the remaining minutes allow. Off-road walking
    is straight and at the network's walking speed, as for the places themselves.
    """
    pieces = network.pieces
    start = max(float(network.walk_minutes[destination]), NEAR_ZERO)
    node_cost = dijkstra(network.reversed, indices=network.place_node[destination], limit=limit) + start
    tail_cost, head_cost = node_cost[pieces.tail], node_cost[pieces.head]
    reached = (np.minimum(tail_cost, head_cost) <= limit)
    index = np.flatnonzero(reached)
    length = pieces.end[index] - pieces.start[index]
    count = np.maximum(np.ceil(length / step).astype(int), 1) + 1
    piece = np.repeat(index, count)
    offset = np.concatenate([np.linspace(0, 1, n) for n in count]) if len(count) else np.empty(0)
    along = offset * np.repeat(length, count)
    speed = pieces.speed[piece]
    to_head = head_cost[piece] + (np.repeat(length, count) - along) / speed
    to_tail = np.where(pieces.oneway[piece], np.inf, tail_cost[piece] + along / speed)
    cost = np.minimum(to_head, to_tail)
    keep = cost <= limit
    points = shapely.line_interpolate_point(pieces.lines[pieces.line[piece[keep]]],
                                            pieces.start[piece[keep]] + along[keep])
    walk_per_minute = network.walk_kmh * 1000 / 60
    discs = shapely.buffer(points, (limit - cost[keep]) * walk_per_minute + 1.0, quad_segs=4)
    return shapely.union_all(discs)

