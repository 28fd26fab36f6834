"""The road network of a county as the analyses travel it, kept per state of the data.

Building the graph (analysis.network.build_network: the roads cut at every place, each place
joined to its nearest road) is most of the time of a road analysis of a large county; the
search itself is a fraction of it. So a county's network joins every place an analysis of it
asks about (its village committees and town seats, and the service centers of every kind and
status of the counties it reaches) and is kept under the version of the layers' data
(layers.DataVersion, raised by database triggers when a transaction that changed a layer
commits): in each process's memory, and under DATA_DIR/networks for the other processes. A
change to a road, a center or a village raises the version, and the next analysis builds the
network again: a stale network is never used. Reading the version first and the data after, a
change committed in between is kept under the older version, which no later request asks for.

The places themselves (layers.arrays.Places of its villages, town seats and centers: names,
codes, zones, people) are kept with their network, read in the same moment: a coverage run on
a kept network reads nothing else from the database.

A transaction that has written anything sees changes the version does not count yet: it builds
a network of its own and keeps none. A row an analysis read that its network lacks (committed
between the two reads) gets it a network built for it alone (`network_with`). A kept file
names the database (its oid: a database made again starts its version again) and the code
that built it (a hash of analysis/network.py, this file, arrays.py and naming.py), so neither a new
database nor new code reads an old file.
"""
import hashlib
import json
import os
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from scipy.sparse import csr_matrix

from analysis import network as network_module
from analysis.network import WALK_KMH, Network, Pieces, build_network
from gisplan.api import Refusal

from . import arrays, naming
from .models import ServiceCenter

FORMAT = 3  # what a kept file holds: add 1 when its layout changes
IN_MEMORY = 8  # networks a process keeps, the least recently used going first
# The code that builds a network: a file another version of it built is never read.
CODE = hashlib.sha256(b"".join(Path(m.__file__).read_bytes()
                               for m in (network_module, arrays, naming))
                      + Path(__file__).read_bytes()).hexdigest()[:12]
KINDS = ("village", "seat", "center")  # the places joined, in this order

_kept = OrderedDict()  # key -> CountyNetwork
_lock = threading.Lock()


@dataclass(frozen=True)
class CountyNetwork:
    """A county's network and the places joined to it, in the order of KINDS: its village
    committees and town seats (as arrays.villages and arrays.town_seats read them), and the
    service centers of every kind and status of its reach (as arrays.centers reads them)."""

    network: Network
    joined: dict  # kind of KINDS -> arrays.Places

    @property
    def villages(self):
        return self.joined["village"]

    @property
    def centers(self):
        return self.joined["center"]

    @cached_property
    def index(self):
        """(kind of KINDS, primary key) -> the place's index in `network`."""
        pairs = [(kind, int(pk)) for kind in KINDS for pk in self.joined[kind].ids]
        return {pair: i for i, pair in enumerate(pairs)}

    def places(self, kind, ids):
        """The network's place indices of the rows `ids` of `kind` ("village", "seat" or
        "center"), in their order."""
        return np.array([self.index[(kind, int(pk))] for pk in ids], dtype=int)

    def centers_of(self, kind, planned=False):
        """The centers of `kind` (existing ones, and planned ones if asked), as
        arrays.centers(counties, kind, planned) reads them, and their place indices."""
        rows = np.flatnonzero([k == kind and (planned or s == ServiceCenter.Status.EXISTING)
                               for k, s in zip(self.centers.extra["kind"],
                                               self.centers.extra["status"])])
        return self.centers.subset(rows), self.places("center", self.centers.ids[rows])


def network_with(counties, wanted, walk_kmh=WALK_KMH):
    """The network of `county_network` and the place indices of `wanted`, (kind, ids) pairs,
    each in its order. A row it lacks was committed after the network's version was read (or
    went before it was built): a network built for this call alone has it, or the data changed
    again and the analysis is refused, to be run again."""
    def indices(found):
        return [found.places(kind, ids) for kind, ids in wanted]

    kept = county_network(counties, walk_kmh)
    try:
        return kept, indices(kept)
    except KeyError:
        fresh = _build(counties, walk_kmh)
    try:
        return fresh, indices(fresh)
    except KeyError:
        raise Refusal(_("the data changed while the analysis ran; run it again")) from None


def county_network(counties, walk_kmh=WALK_KMH):
    """The network of counties[0] with the roads and centers of every county of `counties` (its
    reach: itself, and its neighbours across borders), its places joined, walking at `walk_kmh`;
    kept, or built and kept. Refused when those counties have no road."""
    database, version = _version()
    if version is None:
        return _build(counties, walk_kmh)
    name = f"{database}_{'-'.join(str(c.pk) for c in counties)}_{walk_kmh:g}_{FORMAT}_{CODE}"
    key = f"{name}_v{version}"
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    path = Path(settings.DATA_DIR) / "networks" / f"{key}.npz"
    found = _read(path) if path.exists() else None
    if found is None:
        found = _build(counties, walk_kmh)
        _write(found, path, name, version)
    with _lock:
        _kept[key] = found
        while len(_kept) > IN_MEMORY:
            _kept.popitem(last=False)
    return found


def _version():
    """The database's oid and the version of the layers' data (None when this transaction has
    written something)."""
    # Raw SQL: txid_current_if_assigned() and pg_database have no ORM form; one round trip.
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT oid FROM pg_database WHERE datname = current_database()), "
                       "(SELECT version FROM layers_dataversion WHERE id = 1), "
                       "txid_current_if_assigned()")
        database, version, writing = cursor.fetchone()
    return database, None if writing is not None else version or 0


def _build(counties, walk_kmh):
    lines, speeds, oneway = arrays.roads(counties)
    if not lines:
        raise Refusal(_("there are no roads to travel on; use the euclidean mode"))
    home = counties[0]
    joined = {"village": arrays.villages(home), "seat": arrays.town_seats(home),
              "center": arrays.centers(counties, kind=None, planned=True)}
    network = build_network(lines, speeds, oneway,
                            np.concatenate([joined[kind].xy for kind in KINDS]), walk_kmh)
    return CountyNetwork(network, joined)


def _write(found, path, name, version):
    """Keep `found` at `path`, written aside, on disk, and moved in whole; remove the files of
    the same network under older versions of the data. A folder that cannot be written costs
    the other processes a build, not this analysis."""
    n, p = found.network, found.network.pieces
    coordinates, line_of = shapely.get_coordinates(p.lines, return_index=True)
    scratch = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(scratch, "wb") as out:
            np.savez(out, data=n.graph.data, indices=n.graph.indices, indptr=n.graph.indptr,
                     shape=np.array(n.graph.shape), place_node=n.place_node,
                     walk_minutes=n.walk_minutes, walk_metres=n.walk_metres,
                     walk_kmh=np.array(n.walk_kmh), coordinates=coordinates, line_of=line_of,
                     line=p.line, start=p.start, end=p.end, tail=p.tail, head=p.head,
                     speed=p.speed, oneway=p.oneway,
                     **{name: array for kind in KINDS
                        for name, array in _places_arrays(kind, found.joined[kind]).items()})
            out.flush()
            os.fsync(out.fileno())
        scratch.replace(path)
    except OSError:
        scratch.unlink(missing_ok=True)
        return
    for other in path.parent.glob(f"{name}_v*.npz"):
        older = other.stem.rpartition("_v")[2]
        if older.isdigit() and int(older) < version:
            other.unlink(missing_ok=True)


def _read(path):
    """The network kept at `path`, or None when it cannot be read (another process removing it,
    a file cut short): it is built again."""
    try:
        with np.load(path, allow_pickle=False) as f:
            lines = shapely.linestrings(f["coordinates"], indices=f["line_of"])
            pieces = Pieces(lines, f["line"], f["start"], f["end"], f["tail"], f["head"],
                            f["speed"], f["oneway"])
            graph = csr_matrix((f["data"], f["indices"], f["indptr"]), shape=tuple(f["shape"]))
            network = Network(graph, f["place_node"], f["walk_minutes"], f["walk_metres"], pieces,
                              float(f["walk_kmh"]))
            return CountyNetwork(network, {kind: _places_read(f, kind) for kind in KINDS})
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def _places_arrays(name, places):
    """`places` as arrays for np.savez, named after `name`: the numbers as they are, the texts
    (names, codes, zones, which may be None) as one JSON document."""
    texts = {column: values for column, values in places.extra.items()
             if not isinstance(values, np.ndarray)}
    return {f"{name}_ids": places.ids, f"{name}_xy": places.xy, f"{name}_srid": np.array(places.srid),
            f"{name}_texts": np.array(json.dumps({"names": places.names, **texts})),
            **{f"{name}__{column}": values for column, values in places.extra.items()
               if isinstance(values, np.ndarray)}}


def _places_read(f, name):
    texts = json.loads(str(f[f"{name}_texts"]))
    numbers = {key.removeprefix(f"{name}__"): f[key] for key in f.files
               if key.startswith(f"{name}__")}
    return arrays.Places(f[f"{name}_ids"], texts.pop("names"), f[f"{name}_xy"],
                         {**texts, **numbers}, int(f[f"{name}_srid"]))
