"""Industry profiles: which criteria count, how each is scored 0-1, their weights, which cells
are excluded and what makes a candidate site; read from a TOML file by `load_profiles`."""
import dataclasses
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..refusals import AnalysisRefusal


class ProfileError(AnalysisRefusal):
    """A profile file that cannot be used; the message names the profile and the entry."""


@dataclass(frozen=True)
class Criterion:
    """A criterion layer scored 0-1: through points (value, score) joined by straight lines and
    held flat beyond the ends, or through a score per class (classes not listed score 0)."""

    layer: str
    weight: float
    points: tuple = ()  # ((value, score), ...), values increasing
    classes: tuple = ()  # ((class, score), ...)

    def score(self, values):
        if self.points:
            # The first score plus each sloping segment's rise up to the value: the same as
            # np.interp, in float32 and five times as fast.
            x = np.asarray(values, np.float32)
            out = np.full(x.shape, self.points[0][1], np.float32)
            step = np.empty(x.shape, np.float32)
            for (xa, ya), (xb, yb) in zip(self.points, self.points[1:]):
                if ya != yb:
                    np.subtract(x, np.float32(xa), out=step)
                    np.clip(step, 0, np.float32(xb - xa), out=step)
                    step *= np.float32((yb - ya) / (xb - xa))
                    out += step
            np.copyto(out, np.float32(np.nan), where=np.isnan(x))
            return out
        table = np.zeros(max(256, max(code for code, _ in self.classes) + 1), np.float32)
        for code, score in self.classes:
            table[code] = score
        if values.dtype == np.uint8:  # land cover: a straight lookup
            return table[values]
        codes = np.asarray(values).astype(np.int64)
        known = (codes >= 0) & (codes < len(table))
        out = np.zeros(codes.shape, np.float32)
        out[known] = table[codes[known]]
        return out


@dataclass(frozen=True)
class Constraint:
    """Cells excluded outright: a layer's value above or below a limit, or one of some classes."""

    layer: str
    above: float | None = None
    below: float | None = None
    classes: tuple = ()

    def excludes(self, values):
        out = np.zeros(values.shape, bool)
        if self.above is not None:
            out |= values > self.above
        if self.below is not None:
            out |= values < self.below
        for code in self.classes:  # a few classes: comparisons beat np.isin
            out |= values == code
        return out


@dataclass(frozen=True)
class Profile:
    """Where an industry fits: its criteria, constraints, and what makes a candidate site."""

    industry: str
    criteria: tuple  # of Criterion
    constraints: tuple  # of Constraint
    threshold: float  # a cell scoring at least this is suitable
    min_area: float  # square metres: smaller parcels are not candidate sites
    max_area: float | None = None  # square metres a project can occupy (None: no limit)

    def without(self, layer):
        """This profile without its criteria and constraints on `layer`: the other criteria
        keep their weights' proportions."""
        criteria = tuple(c for c in self.criteria if c.layer != layer)
        if not criteria:
            raise ProfileError(f"{self.industry}: every criterion is on {layer}")
        return dataclasses.replace(self, criteria=criteria,
                                   constraints=tuple(c for c in self.constraints if c.layer != layer))

    @property
    def weights(self):
        w = np.array([c.weight for c in self.criteria], float)
        return w / w.sum()

    @property
    def layers(self):
        return sorted({c.layer for c in self.criteria} | {c.layer for c in self.constraints})

    def reweighted(self, layer, factor):
        """This profile with the weight of `layer` multiplied by `factor`."""
        return dataclasses.replace(self, criteria=tuple(
            Criterion(c.layer, c.weight * factor if c.layer == layer else c.weight, c.points,
                      c.classes) for c in self.criteria))


def load_profiles(path):
    """The profiles of a TOML file, by industry; ProfileError names what is wrong and where."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise ProfileError(f"{path.name}: {problem}") from None
    profiles = {}
    for n, entry in enumerate(document.get("profile", []), 1):
        where = f"{path.name}: profile {entry.get('industry', n)}"
        try:
            profile = _profile(entry)
        except (KeyError, TypeError, ValueError) as problem:
            raise ProfileError(f"{where}: {problem}") from None
        if profile.industry in profiles:
            raise ProfileError(f"{where}: declared twice")
        profiles[profile.industry] = profile
    if not profiles:
        raise ProfileError(f"{path.name}: no [[profile]] tables")
    return profiles


def _profile(entry):
    criteria = []
    for n, c in enumerate(entry.get("criterion", []), 1):
        if not (isinstance(c.get("weight"), (int, float)) and c["weight"] > 0):
            raise ValueError(f"criterion {n} ({c.get('layer')}): the weight must be above zero")
        if ("points" in c) == ("classes" in c):
            raise ValueError(f"criterion {n} ({c.get('layer')}): give points or classes")
        if "points" in c:
            points = tuple((float(x), float(s)) for x, s in c["points"])
            if len(points) < 2 or any(b[0] <= a[0] for a, b in zip(points, points[1:])):
                raise ValueError(f"criterion {n} ({c['layer']}): points need two or more "
                                 f"values, increasing")
            scores = [s for _, s in points]
            classes = ()
        else:
            classes = tuple(sorted((int(k), float(s)) for k, s in c["classes"].items()))
            scores = [s for _, s in classes]
            if any(code < 0 for code, _ in classes):
                raise ValueError(f"criterion {n} ({c['layer']}): classes are codes of 0 or more")
            points = ()
        if not all(0 <= s <= 1 for s in scores):
            raise ValueError(f"criterion {n} ({c['layer']}): scores lie between 0 and 1")
        criteria.append(Criterion(str(c["layer"]), float(c["weight"]), points, classes))
    if not criteria:
        raise ValueError("give at least one criterion")
    constraints = []
    for n, c in enumerate(entry.get("constraint", []), 1):
        rule = Constraint(str(c["layer"]), *(None if c.get(k) is None else float(c[k])
                                             for k in ("above", "below")),
                          tuple(int(k) for k in c.get("classes", ())))
        if rule.above is None and rule.below is None and not rule.classes:
            raise ValueError(f"constraint {n} ({rule.layer}): give above, below or classes")
        constraints.append(rule)
    threshold = float(entry["threshold"])
    if not 0 < threshold <= 1:
        raise ValueError("the threshold lies above 0 and at most 1")
    min_area = float(entry["min_area_ha"]) * 10_000
    if not min_area >= 0:
        raise ValueError("min_area_ha is zero or more")
    max_area = entry.get("max_area_ha")
    if max_area is not None:
        if not (isinstance(max_area, (int, float)) and not isinstance(max_area, bool)
                and math.isfinite(max_area) and max_area > 0):
            raise ValueError(f"max_area_ha is a number above zero, not {max_area!r}")
        max_area = float(max_area) * 10_000
        if max_area < min_area:
            raise ValueError(f"max_area_ha ({max_area / 10_000:g}) is below min_area_ha "
                             f"({min_area / 10_000:g})")
    return Profile(str(entry["industry"]), tuple(criteria), tuple(constraints), threshold, min_area,
                   max_area)
