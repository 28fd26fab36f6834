"""analysis.locate against spopt (PySAL): LSCP, MCLP and p-median from the same cost matrix,
both solved by HiGHS with the same relative gap, on

- the sample-sized problem: 245 villages × 300 candidate sites in a 50 km square;
- a generated region: 20,000 villages × 2,000 candidate sites in a 250 km square (LSCP, MCLP),
  with a 7 km service radius (about 5 candidate sites within reach of a village: at 10 km,
  about 10, HiGHS did not prove the LSCP optimum within 15 minutes);
- uniform random villages and sites in a 100 km square with a 10 km radius (a tenth of the
  side), where the solve dominates: 5,000 × 500 (about 16 sites within reach of a village;
  MCLP with p = 18) and 8,000 × 400 (about 12; LSCP, and MCLP with p = 15). LSCP on 5,000 × 500
  uses 9 km: at 10 km the unreduced model did not prove its optimum within 5 minutes (the
  reduced one took 90 s);
- p-median on 600 × 300 (spopt builds and HiGHS solves n × m assignment variables, so the large
  region is out of its reach) and on OR-Library pmed1 and pmed5.

LSCP and MCLP run three times: gisplan as it is (with the exact reductions of
analysis/locate/reductions.py), gisplan with `reduce=False` (the model HiGHS would get without
them) and spopt; a line under each says what each reduction removed (rows are villages, sites
candidate sites; timed apart, the reductions' time is part of the first run's).

Each run is a subprocess of its own, so that its peak resident memory is its own; the time is
the model building plus solving (for spopt `from_cost_matrix` + `solve(..., results=False)`,
for gisplan the `cost <= radius` cover plus the locate call). Every solve may take TIME_LIMIT
seconds; an objective not proven optimal in that time is marked with *. Needs
bench/requirements.txt:

    .venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/locate.py [MODEL:CASE ...]     # e.g. lscp:region; all by default
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

# name: (demands, sites, square side km, radius km, p), or an OR-Library file.
CASES = {
    "sample": (245, 300, 50.0, 5.0, 5),
    "region": (20_000, 2_000, 250.0, 7.0, 50),
    "uniform5k": (5_000, 500, 100.0, 10.0, 18),
    "uniform5k-9km": (5_000, 500, 100.0, 9.0, 18),
    "uniform8k": (8_000, 400, 100.0, 10.0, 15),
    "median": (600, 300, 50.0, None, 25),
    "pmed1": "pmed1",
    "pmed5": "pmed5",
}
RUNS = [
    ("lscp", "sample"), ("mclp", "sample"), ("p_median", "sample"),
    ("lscp", "region"), ("mclp", "region"),
    ("mclp", "uniform5k"), ("lscp", "uniform5k-9km"), ("mclp", "uniform8k"), ("lscp", "uniform8k"),
    ("p_median", "median"), ("p_median", "pmed1"), ("p_median", "pmed5"),
]
TIME_LIMIT = 600.0  # seconds for each solve


def instance(case):
    """(cost, weights, radius, p) of a case; the same arrays in every process."""
    spec = CASES[case]
    if isinstance(spec, str):
        from tests.test_locate import ORLIB, read_pmed

        cost, p = read_pmed(ORLIB / f"{spec}.txt")
        return cost, np.ones(len(cost)), None, p
    n, m, side, radius, p = spec
    rng = np.random.default_rng(20_240_5)
    villages, sites = rng.random((n, 2)) * side, rng.random((m, 2)) * side
    cost = cdist(villages, sites)
    if radius is not None:
        # spopt's LSCP is infeasible when a village has no site within the radius (gisplan
        # reports such villages as uncoverable): move those villages until every one has.
        while (lost := np.flatnonzero(cost.min(axis=1) > radius)).size:
            villages[lost] = rng.random((lost.size, 2)) * side
            cost[lost] = cdist(villages[lost], sites)
    poor = rng.integers(1, 200, n).astype(float)  # poor population per village
    return cost, poor, radius, p


def rss_kb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() // 1024


def run_gisplan(model, cost, weights, radius, p, reduce=True):
    """(objective, proven optimal)"""
    from analysis import locate

    if model == "lscp":
        result = locate.lscp(cost <= radius, time_limit=TIME_LIMIT, reduce=reduce)
    elif model == "mclp":
        result = locate.mclp(cost <= radius, weights, p, time_limit=TIME_LIMIT, reduce=reduce)
    else:
        result = locate.p_median(cost, p, weights, time_limit=TIME_LIMIT)
    return result.objective, result.optimal


def run_unreduced(model, cost, weights, radius, p):
    return run_gisplan(model, cost, weights, radius, p, reduce=False)


def run_spopt(model, cost, weights, radius, p):
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    from analysis.locate import MIP_REL_GAP

    solver = pulp.HiGHS(msg=False, gapRel=MIP_REL_GAP, timeLimit=TIME_LIMIT)
    if model == "lscp":
        built = LSCP.from_cost_matrix(cost, radius)
    elif model == "mclp":
        built = MCLP.from_cost_matrix(cost, weights, radius, p)
    else:
        built = PMedian.from_cost_matrix(cost, weights, p)
    problem = built.solve(solver, results=False).problem
    return pulp.value(problem.objective), problem.sol_status == pulp.LpSolutionOptimal


def reductions(model, cost, weights, radius):
    """What the reductions remove from the model gisplan gives HiGHS, and their seconds."""
    from analysis.locate import covering

    start = time.perf_counter()
    reduced = covering.reduction(cost <= radius, weights if model == "mclp" else None)
    return str(reduced.sizes), time.perf_counter() - start


def highs_timed():
    """Time every HiGHS call gisplan makes from now on (analysis.locate's modules call
    highs.solve by the name they imported); the list the seconds go to."""
    from analysis.locate import covering, highs, median

    seconds = []

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return highs.solve(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - start)

    covering.solve = median.solve = timed
    return seconds


def child(impl, model, case):
    """Run one solve and print its numbers as JSON."""
    cost, weights, radius, p = instance(case)
    run = {"gisplan": run_gisplan, "unreduced": run_unreduced, "spopt": run_spopt}[impl]
    if impl == "spopt":
        import pulp  # noqa: F401  (imports are not the model's cost)
        import spopt.locate  # noqa: F401
    import analysis.locate  # noqa: F401

    solver_seconds = highs_timed() if impl != "spopt" else [0.0]
    base = rss_kb()
    start = time.perf_counter()
    objective, optimal = run(model, cost, weights, radius, p)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    numbers = {"seconds": seconds, "objective": float(objective), "optimal": bool(optimal),
               "peak_kb": peak, "base_kb": base, "highs_seconds": sum(solver_seconds)}
    if impl == "gisplan" and model != "p_median":
        numbers["reductions"], numbers["reduction_seconds"] = reductions(model, cost, weights,
                                                                          radius)
    print(json.dumps(numbers))


def measure(impl, model, case):
    done = subprocess.run([sys.executable, __file__, "--child", impl, model, case],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{impl} {model} {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def same(a, b):
    return abs(a["objective"] - b["objective"]) <= 1e-6 * max(1.0, abs(b["objective"]))


def shown(run):
    return f"{run['objective']:.6g}" + ("" if run["optimal"] else "*")


def size(model, case):
    spec = CASES[case]
    if isinstance(spec, str):
        return f"{spec} 100×100"
    n, m, _, radius, p = spec
    return f"{n:,}×{m:,}" + (f" r={radius:g}" if model != "p_median" else "") + \
        (f" p={p}" if model != "lscp" else "")


def main():
    header = (f"{'model':9} {'size':26} {'gisplan s':>9} {'unreduced s':>11} {'spopt s':>9} "
              f"{'ratio':>7} {'unred.':>7} {'same opt':>8} {'objective':>14} {'gisplan MB':>10} "
              f"{'spopt MB':>9} {'(+model MB)':>12}")
    print(header)
    print("-" * len(header))
    chosen = sys.argv[1:]  # e.g. lscp:region; all by default
    for model, case in RUNS:
        if chosen and f"{model}:{case}" not in chosen:
            continue
        ours = measure("gisplan", model, case)
        plain = measure("unreduced", model, case) if model != "p_median" else None
        theirs = measure("spopt", model, case)
        runs = [r for r in (ours, plain, theirs) if r is not None]
        agree = all(same(r, theirs) for r in runs)
        proven = all(r["optimal"] for r in runs)
        grow = [(r["peak_kb"] - r["base_kb"]) / 1024 for r in (ours, theirs)]
        unreduced = f"{plain['seconds']:11.2f}" if plain else f"{'-':>11}"
        plain_ratio = f"{theirs['seconds'] / plain['seconds']:6.1f}×" if plain else f"{'-':>7}"
        print(f"{model:9} {size(model, case):26} {ours['seconds']:9.2f} {unreduced} "
              f"{theirs['seconds']:9.2f} {theirs['seconds'] / ours['seconds']:6.1f}× "
              f"{plain_ratio} {('yes' if agree else 'NO') if proven else 'unproven':>8} "
              f"{shown(ours):>14} {ours['peak_kb'] / 1024:10.0f} {theirs['peak_kb'] / 1024:9.0f} "
              f"{grow[0]:5.0f} /{grow[1]:5.0f}", flush=True)
        print(f"{'':10}HiGHS alone: gisplan {ours['highs_seconds']:.2f} s of "
              f"{ours['seconds']:.2f} s (spopt seconds / HiGHS's: "
              f"{theirs['seconds'] / max(ours['highs_seconds'], 1e-9):.1f}×, the ratio were "
              "the rest free)", flush=True)
        if plain:
            print(f"{'':10}objectives {shown(ours)} / {shown(plain)} / {shown(theirs)} "
                  f"(gisplan / unreduced / spopt); reductions ({ours['reduction_seconds']:.2f} "
                  f"s): {ours['reductions']}", flush=True)
    print("\nratio = spopt seconds / gisplan seconds (model building plus solving); unred. = "
          "spopt seconds / gisplan's without the reductions. * = not proven optimal within "
          f"{TIME_LIMIT:g} s. MB = peak resident memory of the process; (+model MB) = its rise "
          "during the timed call, gisplan / spopt. Reductions: rows are villages, sites "
          "candidate sites, both of the model gisplan gives HiGHS (without villages no site "
          "covers and, for MCLP, of weight zero); identical rows merged, dominated rows (LSCP: "
          "containing another's sites), forced (LSCP: rows covered by sites that a village has "
          "alone); sites forced open, identical to one of lower index, dominated (covering a "
          "subset of another's villages), empty (covering none left).")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:5])
    else:
        main()
