"""HiGHS, the mixed-integer solver: one programme given as arrays in, one run record out."""
import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

# Relative MIP gap at which HiGHS stops. HiGHS's default (1e-4) would call a p-median solution
# "optimal" up to 0.01% above the optimum; this is as exact as floating point objectives allow.
MIP_REL_GAP = 1e-9


@dataclass(frozen=True)
class Run:
    """One solver run: the column values, or None when the solver found nothing."""

    values: np.ndarray | None
    status: str
    optimal: bool
    gap: float
    bound: float = math.nan  # the solver's dual bound on the objective

    @classmethod
    def trivial(cls):
        return cls(np.zeros(0), "optimal", True, 0.0)

    def fallback(self, values):
        """The greedy solution instead, the solver having found nothing better in time."""
        return Run(values, "time limit: best found (greedy)", False, math.inf, self.bound)


def _highs():
    # highspy.Highs registers its Python callback in its constructor, and HiGHS writes its
    # banner to stdout then, before any option can be set (ERGO-Code/HiGHS#2749). The core
    # class it extends has every method used here and stays silent once output_flag is off.
    h = getattr(highspy, "_Highs", highspy.Highs)()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", MIP_REL_GAP)
    return h


def solve(cost, lower, upper, matrix, row_lower, row_upper, integer, maximize, deadline,
          options=()):
    """Solve one MILP given as arrays; `matrix` is the constraint matrix (any sparse format).

    No start solution is passed: HiGHS 1.16 can misprice a start solution after presolve and
    then stop, "optimal", at that wrong value (seen on OR-Library pmed5). The greedy solutions
    are kept on this side instead, and win when the solver does worse within its time limit.
    """
    matrix = sparse.csc_array(matrix)
    h = _highs()
    limit = remaining(deadline)
    if limit is not None:
        h.setOptionValue("time_limit", max(limit, 1e-3))
    for key, value in options:
        h.setOptionValue(key, value)
    sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    h.passModel(
        matrix.shape[1], matrix.shape[0], matrix.nnz, int(highspy.MatrixFormat.kColwise),
        int(sense), 0.0, np.asarray(cost, dtype=float), np.asarray(lower, dtype=float),
        np.asarray(upper, dtype=float), np.asarray(row_lower, dtype=float),
        np.asarray(row_upper, dtype=float), matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32), matrix.data.astype(float),
        np.asarray(integer, dtype=np.int32))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value) if has_solution else None
    bound = float(info.mip_dual_bound)
    if status == highspy.HighsModelStatus.kOptimal:
        return Run(values, "optimal", True, 0.0, bound)
    if status in (highspy.HighsModelStatus.kInfeasible,
                  highspy.HighsModelStatus.kObjectiveBound):
        return Run(None, "infeasible", True, math.inf, bound)
    if status == highspy.HighsModelStatus.kTimeLimit:
        if not has_solution:
            return Run(None, "time limit", False, math.inf, bound)
        return Run(values, "time limit: best found", False, max(float(info.mip_gap), 0.0),
                   bound)
    raise RuntimeError(f"HiGHS stopped with status {h.modelStatusToString(status)}")


def remaining(deadline):
    """Seconds left until `deadline` (a time.monotonic() value), never below 0; None: no limit."""
    return None if deadline is None else max(deadline - time.monotonic(), 0.0)
