"""Location-allocation: where new service centers should go.

Four classic models over a demand × site matrix, each solved exactly as a mixed-integer
programme with HiGHS:

- `lscp`: the fewest sites that cover every demand that can be covered;
- `mclp`: the most demand weight covered with `p` new sites;
- `p_median`: the least total weighted cost with `p` new sites;
- `p_center`: the least worst weighted cost with `p` new sites;

and, where sites have capacities, three single-source models (capacity.py):
`capacitated_assignment` of the demands to existing sites, `capacitated_p_median` and
`capacitated_mclp`.

Coverage models take a boolean `cover` matrix (demand i is covered by site j); median and center
take a `cost` matrix (np.inf where a site cannot be reached). Building those matrices (Euclidean,
network, a distance or time threshold) is the caller's business.

`fixed` lists sites that are open whatever happens (existing centers). For `mclp`, `p_median`
and `p_center`, `p` counts the new sites *in addition to* the fixed ones, which is what a
planner means by "where should three more centers go". A `p` that is negative, zero without
fixed sites (zero with them evaluates the fixed sites) or more than the candidate sites raises
ValueError. A model opens at most `p` new sites: fewer when more cannot improve the objective
(every demand is already covered, or the remaining candidates reach nobody who is not better
served already). Sites are never opened for demand of weight zero.

Demands that no site can serve (an all-false row of `cover`, an all-inf row of `cost`) are left
out of the model and reported in `Solution.unreachable`; they never make a model infeasible.

Every model accepts a `time_limit` in seconds; when it is reached the best solution found so far
is returned with `optimal=False`, the relative gap, and a status that says so. A greedy
solution is computed first, so there is always an answer (the capacitated models: when HiGHS
proves nothing in time, the best of what it found and of greedy assignments, capacity.py).

The model is built as sparse arrays and passed to HiGHS in one call: no Python loop runs over
demand × site pairs.

The modules: covering.py (`lscp`, `mclp` and the set cover the others use), reductions.py (the
exact reductions of the covering models before they are solved), median.py (`p_median`),
center.py (`p_center`), capacity.py (the capacitated models), proposals.py (`impact`),
solution.py (`Solution`), highs.py (the solver), inputs.py (the checks of the input).
"""
from .capacity import Assignment, capacitated_assignment, capacitated_mclp, capacitated_p_median
from .center import p_center
from .covering import lscp, mclp
from .highs import MIP_REL_GAP
from .median import p_median
from .proposals import Impact, impact
from .solution import Solution

__all__ = ["MIP_REL_GAP", "Assignment", "Impact", "Solution", "capacitated_assignment",
           "capacitated_mclp", "capacitated_p_median", "impact", "lscp", "mclp", "p_center",
           "p_median"]
