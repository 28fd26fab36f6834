"""The household exit standard checked on the register: each household's latest per-capita net
income above the poverty line of its year (PovertyLine), and 两不愁三保障 all met, with the
reason for each failure (analysis.register.exit_standard does the arithmetic)."""
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from analysis.register import exit_standard

from .models import Household


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
    rows = list(households.with_latest_income().order_by("code").values_list(
        "code", "latest_year", "latest_quarter", "latest_income", "line", *Household.GUARANTEES))
    quarters = [None if year is None else (year, quarter) for _code, year, quarter, *_rest in rows]
    income = [np.nan if r[3] is None else r[3] for r in rows]
    line = [np.nan if r[4] is None else r[4] for r in rows]
    guarantees = np.array([r[5:] for r in rows], dtype=bool).reshape(len(rows), len(Household.GUARANTEES))
    return ExitChecks([r[0] for r in rows], quarters, exit_standard(income, line, guarantees))
