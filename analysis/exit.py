"""The two village exit modules (DESIGN.md section 1), declared as data, and their assessment.

"一率五通五有" (standard) and "一率两强五通八有" (demonstration): one rate (poverty incidence
strictly below 3%), the connections, and the "haves". Each criterion reads one column.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Criterion:
    key: str
    column: str
    test: str  # "below": column < threshold; "at_least": column >= threshold; "true": column set
    threshold: float = 0.0

    def __post_init__(self):
        if self.test not in ("below", "at_least", "true"):
            raise ValueError(f"criterion {self.key}: unknown test {self.test!r}")

    def met(self, values):
        values = np.asarray(values)
        if self.test == "below":
            return values < self.threshold
        if self.test == "at_least":
            return values >= self.threshold
        return values.astype(bool)


@dataclass(frozen=True)
class Module:
    name: str
    criteria: tuple


INCIDENCE = Criterion("incidence", "incidence", "below", 0.03)
CONNECTIONS = tuple(Criterion(c, c, "true") for c in (
    "water_connected", "electricity_connected", "road_connected", "tv_connected",
    "internet_connected"))

STANDARD = Module("standard", (INCIDENCE, *CONNECTIONS,
    Criterion("has_collective_org", "has_collective_org", "true"),
    Criterion("leading_industries", "leading_industries", "at_least", 1),
    Criterion("has_office_space", "has_office_space", "true"),
    Criterion("has_clinic", "has_clinic", "true"),
    Criterion("all_housing_safe", "all_housing_safe", "true"),
))

DEMONSTRATION = Module("demonstration", (INCIDENCE, *CONNECTIONS,
    Criterion("no_poor_party_members", "no_poor_party_members", "true"),
    Criterion("cooperatives", "cooperatives", "at_least", 1),
    Criterion("collective_income", "collective_income_yuan", "at_least", 50_000),
    Criterion("connections_high_standard", "connections_high_standard", "true"),
    Criterion("leading_industries", "leading_industries", "at_least", 1),
    Criterion("has_collective_org", "has_collective_org", "true"),
    Criterion("office_fully_equipped", "office_fully_equipped", "true"),
    Criterion("clinic_standardised", "clinic_standardised", "true"),
    Criterion("has_environment_facilities", "has_environment_facilities", "true"),
    Criterion("environment_clean", "environment_clean", "true"),
    Criterion("social_security_sound", "social_security_sound", "true"),
    Criterion("all_housing_safe", "all_housing_safe", "true"),
))

MODULES = {m.name: m for m in (STANDARD, DEMONSTRATION)}


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
    met = np.column_stack([c.met(columns[c.column]) for c in module.criteria])
    met.setflags(write=False)
    return Assessment(module.name, tuple(c.key for c in module.criteria), met)
