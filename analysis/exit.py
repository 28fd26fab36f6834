"""The two village exit modules, declared as data, and their assessment.

"一率五通五有" (standard) and "一率两强五通八有" (demonstration): one rate (poverty incidence
strictly below 3%), the connections, and the "haves". Each criterion tests one column, or any
of several (the report's "or"). The modules and their thresholds are read from a TOML file
(exit_rules.toml by default), so that a county's own rules can be loaded.
"""
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .refusals import AnalysisRefusal


@dataclass(frozen=True)
class Test:
    """One test of one column of a village's figures."""

    column: str
    test: str  # "below": column < threshold; "at_least": column >= threshold; "true": column set
    threshold: float = 0.0

    def __post_init__(self):
        if self.test not in ("below", "at_least", "true"):
            raise ValueError(f"unknown test {self.test!r}")

    def met(self, values):
        values = np.asarray(values)
        if self.test == "below":
            return values < self.threshold
        if self.test == "at_least":
            return values >= self.threshold
        return values.astype(bool)


@dataclass(frozen=True)
class Criterion:
    """A criterion of a module: met where any of its tests is met (one test, or the report's
    "or": 合作社或集体经济组织)."""

    key: str
    tests: tuple  # Test, ...
    county_choice: bool = False  # a threshold the report does not give, set by the county

    @property
    def columns(self):
        return tuple(t.column for t in self.tests)

    def met(self, columns):
        """Met or not per village, from `columns` (a mapping of column name to values)."""
        return np.logical_or.reduce([t.met(columns[t.column]) for t in self.tests])


@dataclass(frozen=True)
class Module:
    name: str
    criteria: tuple


@dataclass(frozen=True)
class Rules:
    """The modules by name, and how close a road or a clinic must be on the map."""

    modules: dict
    road_within_m: float
    clinic_within_minutes: float
    services_within_minutes: float
    clinic_kinds: tuple = ("village_clinic",)  # the service centers that count as a clinic


class RulesError(AnalysisRefusal):
    """A rules file that cannot be used; the message names the module and the criterion."""


DEFAULT_RULES = Path(__file__).with_name("exit_rules.toml")


def load_rules(path=DEFAULT_RULES):
    """The exit rules of a TOML file (see exit_rules.toml); RulesError says what is wrong."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
        raise RulesError(f"{path.name}: {problem}") from None
    try:
        return _rules(document)
    except (KeyError, TypeError, ValueError) as problem:
        raise RulesError(f"{path.name}: {problem}") from None


def _rules(document):
    modules = {}
    for entry in document["module"]:
        name = str(entry["name"])
        criteria = []
        for n, c in enumerate(entry["criterion"], 1):
            try:
                if "any_of" in c and "column" in c:
                    raise ValueError("give a column or any_of, not both")
                tests = tuple(_test(t) for t in c.get("any_of", [c]))
                if not tests:
                    raise ValueError("any_of is empty")
                choice = c.get("county_choice", False)
                if not isinstance(choice, bool):
                    raise ValueError("county_choice is true or false")
                criteria.append(Criterion(str(c["key"]), tests, choice))
            except (KeyError, TypeError, ValueError) as problem:
                raise ValueError(f"module {name}: criterion {n}: {problem}") from None
        if not criteria or name in modules:
            raise ValueError(f"module {name} is empty or declared twice")
        modules[name] = Module(name, tuple(criteria))
    if not {"standard", "demonstration"} <= set(modules):
        raise ValueError("the rules need the modules standard and demonstration")
    checks = document.get("map_checks", {})
    limits = [float(checks.get(name, default)) for name, default in (
        ("road_within_m", 500), ("clinic_within_minutes", 30), ("services_within_minutes", 30))]
    if not all(math.isfinite(v) and v >= 0 for v in limits):
        raise ValueError("map_checks are finite numbers, zero or more")
    kinds = checks.get("clinic_kinds", ["village_clinic"])
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise ValueError("map_checks.clinic_kinds is a list of kinds of service center")
    return Rules(modules, *limits, tuple(kinds))


def _test(entry):
    if entry["test"] != "true" and "threshold" not in entry:
        raise ValueError(f"a {entry['test']} test needs a threshold")
    return Test(str(entry["column"]), str(entry["test"]), float(entry.get("threshold", 0.0)))


# The rules the county ships with (the sample county's figures are drawn to them).
DEFAULT = load_rules()
STANDARD, DEMONSTRATION = DEFAULT.modules["standard"], DEFAULT.modules["demonstration"]


@dataclass(frozen=True)
class Assessment:
    """Per village (rows) and criterion (columns of `met`), whether the criterion is met."""

    module: str
    criteria: tuple  # criterion keys, in column order
    met: np.ndarray  # bool, (villages, criteria)

    @property
    def passed(self):
        return self.met.all(axis=1)

    @property
    def failures(self):
        """How many criteria each village fails."""
        return (~self.met).sum(axis=1)


def assess(module, columns):
    """Assess villages against `module`.

    Parameters
    ----------
    module : Module
    columns : mapping of column name to a 1-d array, one entry per village; `incidence` is the
        poor population over the registered population.

    Returns
    -------
    Assessment
    """
    met = np.column_stack([c.met(columns) for c in module.criteria])
    met.setflags(write=False)
    return Assessment(module.name, tuple(c.key for c in module.criteria), met)
