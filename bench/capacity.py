"""The capacitated p-median of analysis.locate beside the uncapacitated one, on the same cost
matrices, and beside spopt's capacitated PMedian (PuLP's HiGHS, same relative gap) where that
fits in memory:

- "sample": the sample-sized problem of bench/locate.py, 245 villages × 300 candidate sites in
  a 50 km square, p = 14;
- "2000x500": 2,000 villages × 500 candidate sites in a 100 km square, p = 60.

p is a few sites above the fewest that reach every village (11 and 46, by LSCP).

Villages weigh their poor population (1 to 199). A village reaches the sites within RADIUS km
(np.inf beyond: a service center is not reached from the other side of a county); villages
with none are moved until they have one, as in bench/locate.py. Every site takes at most
CAPACITY_SLACK times its share of the whole weight (total / p), so the uncapacitated optimum
overloads some of its sites and the capacitated one must move villages. spopt gets the same
matrix with the unreachable pairs priced at BIG (it takes no inf); when its optimum uses none of
them it is the same problem, which the objectives then show.

Each run is a subprocess of its own (peak memory of its own); times are the model building plus
solving. A solve may take TIME_LIMIT seconds; an objective not proven optimal in that time is
marked with *. spopt needs bench/requirements.txt:

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/capacity.py [CASE ...]     # both cases by default
"""
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.spatial.distance import cdist

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name: (villages, sites, square side km, p)
CASES = {"sample": (245, 300, 50.0, 14), "2000x500": (2_000, 500, 100.0, 60)}
RADIUS = {"sample": 10.0, "2000x500": 10.0}
CAPACITY_SLACK = 1.1
BIG = 1e6
TIME_LIMIT = 600.0
IMPLEMENTATIONS = ("uncapacitated", "capacitated", "spopt")


def instance(case):
    """(cost, weights, capacity, p): the same arrays in every process."""
    n, m, side, p = CASES[case]
    rng = np.random.default_rng(20_241_9)
    villages, sites = rng.random((n, 2)) * side, rng.random((m, 2)) * side
    cost = cdist(villages, sites)
    while (lost := np.flatnonzero(cost.min(axis=1) > RADIUS[case])).size:
        villages[lost] = rng.random((lost.size, 2)) * side
        cost[lost] = cdist(villages[lost], sites)
    cost[cost > RADIUS[case]] = np.inf
    weights = rng.integers(1, 200, n).astype(float)
    capacity = np.full(m, np.ceil(CAPACITY_SLACK * weights.sum() / p))
    return cost, weights, capacity, p


def run(impl, cost, weights, capacity, p):
    """(objective, proven optimal, sites over capacity or None, villages left unserved)"""
    from analysis import locate

    if impl == "uncapacitated":
        result = locate.p_median(cost, p, weights, time_limit=TIME_LIMIT)
        served = result.assignment >= 0
        load = np.bincount(result.assignment[served], weights[served], minlength=cost.shape[1])
        return result.objective, result.optimal, int((load > capacity).sum()), 0
    if impl == "capacitated":
        # Every village fits at the optimum; a greedy answer (HiGHS out of time) may leave some.
        result = locate.capacitated_p_median(cost, p, capacity, weights, time_limit=TIME_LIMIT)
        return (result.objective, result.optimal, int((result.load > capacity).sum()),
                int(result.unserved.size))
    import pulp
    from spopt.locate import PMedian

    solver = pulp.HiGHS(msg=False, gapRel=locate.MIP_REL_GAP, timeLimit=TIME_LIMIT)
    built = PMedian.from_cost_matrix(np.where(np.isfinite(cost), cost, BIG), weights, p,
                                     facility_capacities=capacity)
    problem = built.solve(solver, results=False).problem
    return pulp.value(problem.objective), problem.sol_status == pulp.LpSolutionOptimal, None, 0


def child(impl, case):
    cost, weights, capacity, p = instance(case)
    import analysis.locate  # noqa: F401  (imports are not the model's cost)
    if impl == "spopt":
        import pulp  # noqa: F401
        import spopt.locate  # noqa: F401
    start = time.perf_counter()
    objective, optimal, over, unserved = run(impl, cost, weights, capacity, p)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "objective": float(objective),
                      "optimal": bool(optimal), "over": over, "unserved": unserved,
                      "peak_kb": peak}))


def measure(impl, case):
    done = subprocess.run([sys.executable, __file__, "--child", impl, case],
                          capture_output=True, text=True)
    if done.returncode:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def shown(result):
    if "error" in result:
        return "failed"
    return f"{result['objective']:.6g}" + ("" if result["optimal"] else "*")


def main():
    chosen = sys.argv[1:] or list(CASES)
    header = (f"{'case':9} {'size':16} {'uncap. s':>9} {'cap. s':>9} {'spopt s':>9} "
              f"{'cap/uncap':>9} {'spopt/cap':>9} {'uncap. obj':>12} {'cap. obj':>12} "
              f"{'spopt obj':>12} {'over':>5} {'MB cap/spopt':>13}")
    print(header)
    print("-" * len(header))
    for case in chosen:
        n, m, _, p = CASES[case]
        runs = {impl: measure(impl, case) for impl in IMPLEMENTATIONS}
        plain, ours, theirs = (runs[impl] for impl in IMPLEMENTATIONS)
        seconds = [r.get("seconds", float("nan")) for r in (plain, ours, theirs)]
        memory = [r.get("peak_kb", 0) / 1024 for r in (ours, theirs)]
        print(f"{case:9} {f'{n:,}×{m:,} p={p}':16} {seconds[0]:9.2f} {seconds[1]:9.2f} "
              f"{seconds[2]:9.2f} {seconds[1] / seconds[0]:8.1f}× {seconds[2] / seconds[1]:8.1f}× "
              f"{shown(plain):>12} {shown(ours):>12} {shown(theirs):>12} "
              f"{plain.get('over', '-')!s:>5} {memory[0]:6.0f} /{memory[1]:6.0f}", flush=True)
        for impl, result in runs.items():
            if "error" in result:
                print(f"{'':10}{impl}: {result['error']}")
            elif result["unserved"]:
                print(f"{'':10}{impl}: {result['unserved']} villages left unserved")
    print(f"\ncap/uncap = capacitated seconds / uncapacitated seconds; spopt/cap = spopt seconds "
          f"/ gisplan capacitated seconds. over = sites of the uncapacitated optimum loaded "
          f"beyond their capacity ({CAPACITY_SLACK:g} × total weight / p). * = not proven "
          f"optimal within {TIME_LIMIT:g} s. MB = peak resident memory of the process.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:4])
    else:
        main()
