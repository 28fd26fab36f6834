"""The household exit standard checked on the register: each household's latest per-capita net
income above the poverty line of its year (PovertyLine), and 两不愁三保障 all met, with the
reason for each failure (analysis.register.exit_standard does the arithmetic)."""
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from analysis.register import exit_standard

from .models import Household, HouseholdIncome, PovertyLine


@dataclass(frozen=True)
class ExitChecks:
    """Households (in `codes` order) against the exit standard."""

    codes: list
    quarters: list  # (year, quarter) of each household's latest income, or None
    standard: object  # analysis.register.ExitStandard

    def index(self):
        return {code: i for i, code in enumerate(self.codes)}

    def reasons(self, i):
        """Why household `i` does not meet the standard, one phrase per failure."""
        out = []
        income, line, quarter = self.standard.income[i], self.standard.line[i], self.quarters[i]
        if quarter is None:
            out.append(_("no income recorded"))
        elif np.isnan(line):
            out.append(_("no poverty line set for %(year)d") % {"year": quarter[0]})
        elif not self.standard.income_above[i]:
            out.append(_("income %(income)s yuan in %(year)dQ%(quarter)d, not above the "
                         "%(year)d line of %(line)s yuan")
                       % {"income": f"{income:,.0f}", "year": quarter[0], "quarter": quarter[1],
                          "line": f"{line:,.0f}"})
        missing = [str(Household._meta.get_field(name).verbose_name)
                   for name, met in zip(Household.GUARANTEES, self.standard.guarantees[i])
                   if not met]
        if missing:
            out.append(_("not assured: %(guarantees)s") % {"guarantees": "、".join(missing)})
        return out


def check_exit(households):
    """The households of a queryset, in code order, checked against the exit standard."""
    rows = list(households.order_by("code").values_list("pk", "code", *Household.GUARANTEES))
    latest = {h: (year, quarter, yuan) for h, year, quarter, yuan in (
        HouseholdIncome.objects.filter(household__in=households)
        .order_by("household_id", "-year", "-quarter").distinct("household_id")
        .values_list("household_id", "year", "quarter", "per_capita_income_yuan"))}
    lines = dict(PovertyLine.objects.values_list("year", "yuan"))
    quarters, income, line = [], [], []
    for pk, *_rest in rows:
        year, quarter, yuan = latest.get(pk, (None, None, np.nan))
        quarters.append(None if year is None else (year, quarter))
        income.append(yuan)
        line.append(lines.get(year, np.nan))
    guarantees = np.array([r[2:] for r in rows], dtype=bool).reshape(len(rows), len(Household.GUARANTEES))
    return ExitChecks([r[1] for r in rows], quarters, exit_standard(income, line, guarantees))
