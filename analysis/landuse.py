"""Land-use coding schemes mapped onto gisplan's six classes (analysis/landcover.py), as data.

A scheme is a TOML file; the bundled ones are in landuse_schemes/ (SCHEMES), and a county may
give its own of the same layout:

    name = "sandiao"
    title = "第三次全国国土调查 三调 DLBM"
    match = "prefix"            # or "exact"
    nodata = []                 # codes meaning no data, exactly (text or numbers; "" for blank)
    [classes]
    "01" = "cropland"           # one of cropland, orchard, forest, grassland, built_up, water
    "0303" = "water"

With `match = "exact"` a code takes the class listed for it; a raster's numeric codes match the
listed codes as numbers ("010" and "10" are the same code, so one table cannot list both). With
`match = "prefix"` a text code takes the class of its longest listed prefix: "0103" that of "01"
unless "0103" is listed. Prefix tables are for text codes only: a raster stores "0201" (果园) as
201, which is 城市 in 三调.

A code that is neither listed nor no-data is refused with its value and how often it occurs,
before anything is written. Arrays in, arrays out; no Django.
"""
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rasterio import features

from .landcover import BUILT_UP, CROPLAND, FOREST, GRASSLAND, ORCHARD, WATER
from .refusals import AnalysisRefusal

FOLDER = Path(__file__).with_name("landuse_schemes")
GISPLAN = "gisplan"  # gisplan's own codes: what it exports reads back as is
SANDIAO = "sandiao"  # the Third National Land Survey's DLBM codes, what its parcel layers carry
SCHEMES = tuple(sorted(path.stem for path in FOLDER.glob("*.toml")))
CLASS_NAMES = {"cropland": CROPLAND, "orchard": ORCHARD, "forest": FOREST,
               "grassland": GRASSLAND, "built_up": BUILT_UP, "water": WATER}
KEYS = ("name", "title", "match", "nodata", "classes")
NODATA = 0
UNMAPPED = 255  # in a lookup table: a code the table does not map (no class is 255)
SHOWN = 10  # unmapped codes named in a refusal; the rest are counted
SHOWN_CHARS = 24  # of one code in a refusal (parcel codes are whatever the layer holds)
MAX_MESSAGE = 500  # a refusal is one line of at most this many characters
# Codes spanning at most this many values are classified through a lookup table indexed by the
# code; wider ones through np.unique and searchsorted.
LOOKUP_SPAN = 1 << 20
# Cells classified at a time: bounds the temporary index arrays (8 bytes a cell) to 32 MB.
CHUNK = 1 << 22


class SchemeError(AnalysisRefusal):
    """A class table that cannot be used; the one-line message says which entry and why."""


class UnmappedCodes(AnalysisRefusal):
    """Codes the class table does not map; the message lists them with their counts."""


def _one_line(text):
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def _shown(code):
    """A code as a refusal names it: as it is, unless empty, unprintable or long."""
    if not isinstance(code, str):
        return str(code)
    if code and code.isprintable() and " " not in code and len(code) <= SHOWN_CHARS:
        return code
    return repr(code[:SHOWN_CHARS] + ("…" if len(code) > SHOWN_CHARS else ""))


def _integer(code):
    """The whole number a listed code stands for in a raster, or None ("05H1", "201A")."""
    text = code[1:] if code[:1] in "+-" else code
    return int(code) if text.isascii() and text.isdigit() else None


@dataclass(frozen=True)
class ClassTable:
    """How the codes of one scheme map onto gisplan's classes.

    Attributes
    ----------
    name, title : str
        The scheme's short name and its title for people.
    match : str
        "exact" or "prefix" (the longest listed prefix of a text code wins).
    classes : tuple of (str, int)
        Each listed code with gisplan's class (analysis/landcover.py), in the file's order.
    nodata : tuple of str
        Codes that mean no data: class 0. They match exactly, also in a prefix table.
    """

    name: str
    title: str
    match: str
    classes: tuple
    nodata: tuple
    _text: dict = field(init=False, repr=False, compare=False)
    _numbers: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        text = dict(self.classes)
        numbers = {}
        for code, klass in [*text.items(), *((code, NODATA) for code in self.nodata)]:
            number = _integer(code)
            if number is not None:
                numbers[number] = klass
        object.__setattr__(self, "_text", text)
        object.__setattr__(self, "_numbers", numbers)

    @property
    def prefix(self):
        return self.match == "prefix"

    def _lookup(self, code):
        """The class of one code (text or a whole number), 0 for no data, None if unmapped."""
        if not isinstance(code, str):
            self._numeric()
            return self._numbers.get(int(code))
        code = code.strip()
        if code in self.nodata:  # exactly, also in a prefix table
            return NODATA
        if not self.prefix:
            return self._text.get(code)
        for end in range(len(code), 0, -1):
            if code[:end] in self._text:
                return self._text[code[:end]]
        return None

    def _numeric(self):
        if self.prefix:
            raise SchemeError(_one_line(
                f"the class table {self.name} matches text codes by prefix; a raster's numeric "
                f"codes need a table with match = \"exact\" (a raster stores 0201 as 201)"))

    def class_of(self, code):
        """gisplan's class of one code.

        Parameters
        ----------
        code : str or int
            A text code (a parcel's DLBM, "0103") or a raster's whole-number code.

        Returns
        -------
        int
            The class (analysis/landcover.py), 0 for a no-data code.

        Raises
        ------
        UnmappedCodes
            When the table does not map the code.
        """
        klass = self._lookup(code)
        if klass is None:
            shown = _shown(code.strip() if isinstance(code, str) else code)
            raise UnmappedCodes(_one_line(f"the class table {self.name} does not map the code {shown}"))
        return klass

    def check_counts(self, counts, unit="cells"):
        """Refuse the codes the table does not map, with how often each occurs.

        Parameters
        ----------
        counts : mapping of code to count
            Text codes or whole numbers, e.g. every value of a raster with its cells.
        unit : str
            What is counted, in the plural ("cells", "parcels"); "cell", "parcel" for one.

        Raises
        ------
        UnmappedCodes
            Naming the unmapped codes, the most frequent first (equal counts by code), at most
            SHOWN of them, then how many more: "77 (2 cells), 88 (1 cell)".
        SchemeError
            Whole-number codes given to a prefix table.
        """
        unmapped = {code: n for code, n in counts.items() if self._lookup(code) is None}
        if unmapped:
            raise UnmappedCodes(self._refusal(unmapped, unit))

    def _refusal(self, unmapped, unit):
        one = unit[:-1] if unit.endswith("s") else unit
        order = sorted(unmapped.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{_shown(code)} ({n} {one if n == 1 else unit})" for code, n in order[:SHOWN])
        more = f" and {len(order) - SHOWN} more" if len(order) > SHOWN else ""
        return _one_line(f"the class table {self.name} does not map {len(order)} "
                         f"code{'' if len(order) == 1 else 's'}: {shown}{more}; "
                         f"map {'it' if len(order) == 1 else 'them'} in a TOML table of classes "
                         f"of your own")

    def classify(self, codes):
        """gisplan's classes of a raster's whole-number codes.

        Parameters
        ----------
        codes : array of int
            Any shape and integer type (a 10,000 x 10,000 uint8 band is classified a chunk at a
            time, with no copy of it).

        Returns
        -------
        ndarray of uint8
            The classes, same shape; 0 where the code is a no-data code.

        Raises
        ------
        UnmappedCodes
            When any value is neither mapped nor no-data: every such value with its cells.
        SchemeError
            For a prefix table (text codes only).
        """
        values = np.asarray(codes)
        if values.dtype.kind not in "iu":
            raise AnalysisRefusal(f"land-use codes are whole numbers, not {values.dtype}")
        self._numeric()
        out = np.empty(values.shape, np.uint8)
        if values.size == 0:
            return out
        source, into = values.reshape(-1), out.reshape(-1)  # views, unless `codes` is strided
        flat = source
        if values.itemsize <= 2:
            # A lookup table over every value of the type, the codes read as unsigned (a view,
            # no copy): an int16's -1 is looked up at 65535.
            bits = 8 * values.itemsize
            flat = source.view(np.dtype(f"u{values.itemsize}"))
            span = np.arange(1 << bits)
            if values.dtype.kind == "i":
                span = np.where(span >= 1 << bits - 1, span - (1 << bits), span)
            lookup, index = self._lookup_table(span), None
        elif int(values.max()) - int(values.min()) < LOOKUP_SPAN:
            low = int(values.min())
            lookup, index = self._lookup_table(np.arange(low, int(values.max()) + 1)), low
        else:
            index = np.unique(flat)
            lookup = self._lookup_table(index)
        unmapped = Counter()
        for start in range(0, flat.size, CHUNK):
            chunk = flat[start:start + CHUNK]
            if index is None:
                positions = chunk
            elif isinstance(index, int):
                positions = chunk.astype(np.int64) - index
            else:
                positions = np.searchsorted(index, chunk)
            np.take(lookup, positions, out=into[start:start + CHUNK], mode="clip")
            bad = into[start:start + CHUNK] == UNMAPPED
            if bad.any():
                found, n = np.unique(source[start:start + CHUNK][bad], return_counts=True)
                unmapped.update(dict(zip(found.tolist(), n.tolist())))
        if unmapped:
            raise UnmappedCodes(self._refusal(unmapped, "cells"))
        return out

    def _lookup_table(self, codes):
        """The class of each whole number of `codes` as uint8, UNMAPPED where there is none."""
        return np.array([self._numbers.get(code, UNMAPPED) for code in codes.tolist()], np.uint8)

    def classify_codes(self, codes):
        """gisplan's classes of text codes, one per parcel (a 三调 layer's DLBM).

        Parameters
        ----------
        codes : sequence of str
            Leading and trailing blanks are ignored; None counts as the empty code.

        Returns
        -------
        ndarray of uint8
            One class per code, 0 for a no-data code.

        Raises
        ------
        UnmappedCodes
            When any code is neither mapped nor no-data: every such code with its parcels.
        """
        text = np.array(["" if code is None else str(code).strip() for code in codes], dtype=str)
        found, inverse, counts = np.unique(text, return_inverse=True, return_counts=True)
        classes = [self._lookup(code) for code in found.tolist()]
        self.check_counts({code: n for code, n, klass in zip(found.tolist(), counts.tolist(), classes)
                           if klass is None}, unit="parcels")
        return np.array(classes, np.uint8)[inverse.reshape(-1)]


def load_scheme(scheme):
    """The class table of a bundled scheme or of a TOML file.

    Parameters
    ----------
    scheme : str or path
        One of SCHEMES, or the path of a TOML file of the same layout.

    Returns
    -------
    ClassTable

    Raises
    ------
    SchemeError
        In one line, naming the file and the entry: no such scheme or file, not TOML, a key
        missing or unknown, an unknown class name, a code mapped twice or both mapped and
        no-data.
    """
    path = FOLDER / f"{scheme}.toml" if str(scheme) in SCHEMES else Path(scheme)
    if not path.is_file():
        raise SchemeError(_one_line(f"no class scheme {scheme}: give one of {', '.join(SCHEMES)} "
                                    f"or a TOML file"))
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise SchemeError(_one_line(f"{path.name} is not a TOML table of classes: {problem}")) from None
    try:
        return _table(document)
    except ValueError as problem:
        raise SchemeError(_one_line(f"{path.name}: {problem}")) from None


def _code(value, where, blank=False):
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not (blank or str(value).strip()):
        raise ValueError(f"{where}: {value!r} is not a code (text or a whole number)")
    return str(value).strip()


def _table(document):
    missing = [key for key in KEYS if key not in document]
    unknown = [key for key in document if key not in KEYS]
    if missing or unknown:
        raise ValueError("; ".join([f"missing {', '.join(missing)}"] * bool(missing)
                                   + [f"unknown key {', '.join(unknown)}"] * bool(unknown))
                         + f" (a table of classes has {', '.join(KEYS)})")
    name, title, match = (document[key] for key in ("name", "title", "match"))
    for key, value in (("name", name), ("title", title)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{key} is a text, not {value!r}")
    if match not in ("exact", "prefix"):
        raise ValueError(f"match is \"exact\" or \"prefix\", not {match!r}")
    nodata, classes = document["nodata"], document["classes"]
    if not isinstance(nodata, list):
        raise ValueError("nodata is a list of codes")
    if not isinstance(classes, dict) or not classes:
        raise ValueError("[classes] maps codes to classes and lists at least one")
    nodata = tuple(dict.fromkeys(_code(code, "nodata", blank=True) for code in nodata))
    mapped, seen = [], {}
    for listed, klass in classes.items():
        code = _code(listed, "classes")
        if not isinstance(klass, str) or klass not in CLASS_NAMES:
            raise ValueError(f"code {code} maps to {klass!r}, not one of {', '.join(CLASS_NAMES)}")
        # The same code twice: "01" and " 01"; in an exact table also "10" and "010", which a
        # raster cannot tell apart.
        same = _integer(code) if match == "exact" and _integer(code) is not None else code
        if same in seen:
            raise ValueError(f"code {code} is mapped twice (as {seen[same]} too)")
        seen[same] = code
        mapped.append((code, CLASS_NAMES[klass]))
    both = [code for code in nodata if code in seen or (match == "exact" and _integer(code) in seen)]
    if both:
        raise ValueError(f"code {both[0]} is both no-data and mapped")
    return ClassTable(name.strip(), title.strip(), match, tuple(mapped), nodata)


def rasterize_parcels(geometries, codes, table, transform, shape, all_touched=False):
    """Parcels burnt onto a grid with their classes.

    Parameters
    ----------
    geometries : sequence of shapely Polygon or MultiPolygon
        The parcels, in the grid's CRS; None or empty ones are skipped.
    codes : sequence of str
        Each parcel's code in the scheme of `table` (a 三调 parcel's DLBM).
    table : ClassTable
        Any unmapped code refuses the whole layer before anything is burnt.
    transform : affine.Affine
    shape : (rows, columns)
    all_touched : bool
        Burn every cell a parcel touches, not only those whose centre lies in it.

    Returns
    -------
    ndarray of uint8
        The class of each cell, 0 in cells outside every parcel (and under no-data parcels).

    Raises
    ------
    UnmappedCodes
        Every unmapped code with the number of parcels that have it.
    AnalysisRefusal
        A parcel that is not a polygon.

    Notes
    -----
    Parcels should not overlap. Where they do, they are burnt in the order given and the later
    parcel's class wins in the cells both cover (rasterio's "replace"); a no-data parcel burns
    nothing, so it never erases an earlier parcel.
    """
    geometries = list(geometries)
    codes = list(codes)
    if len(geometries) != len(codes):
        raise ValueError(f"{len(geometries)} parcels but {len(codes)} codes")
    classes = table.classify_codes(codes)
    shapes = []
    for n, (geometry, klass) in enumerate(zip(geometries, classes.tolist())):
        if geometry is None or geometry.is_empty:
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise AnalysisRefusal(f"parcel {n + 1} is a {geometry.geom_type}, not a polygon")
        if klass != NODATA:
            shapes.append((geometry, klass))
    if not shapes:
        return np.zeros(shape, np.uint8)
    return features.rasterize(shapes, out_shape=shape, transform=transform, fill=NODATA,
                              all_touched=all_touched, dtype="uint8")
