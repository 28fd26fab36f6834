"""analysis.locate against spopt (PySAL): LSCP, MCLP and p-median from the same cost matrix,
both solved by HiGHS with the same relative gap, on

- the sample-sized problem: 245 villages × 300 candidate sites in a 50 km square;
- a generated region: 20,000 villages × 2,000 candidate sites in a 250 km square (LSCP, MCLP),
  with a 7 km service radius (about 5 candidate sites within reach of a village: at 10 km,
  about 10, HiGHS did not prove the LSCP optimum within 15 minutes);
- p-median on 600 × 300 (spopt builds and HiGHS solves n × m assignment variables, so the large
  region is out of its reach) and on OR-Library pmed1 and pmed5.

Each run is a subprocess of its own, so that its peak resident memory is its own; the time is
the model building plus solving (for spopt `from_cost_matrix` + `solve(..., results=False)`,
for gisplan the `cost <= radius` cover plus the locate call). Needs bench/requirements.txt:

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
    "median": (600, 300, 50.0, None, 25),
    "pmed1": "pmed1",
    "pmed5": "pmed5",
}
RUNS = [
    ("lscp", "sample"), ("mclp", "sample"), ("p_median", "sample"),
    ("lscp", "region"), ("mclp", "region"),
    ("p_median", "median"), ("p_median", "pmed1"), ("p_median", "pmed5"),
]


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


def run_gisplan(model, cost, weights, radius, p):
    from analysis import locate

    if model == "lscp":
        return locate.lscp(cost <= radius).objective
    if model == "mclp":
        return locate.mclp(cost <= radius, weights, p).objective
    return locate.p_median(cost, p, weights).objective


def run_spopt(model, cost, weights, radius, p):
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    from analysis.locate import MIP_REL_GAP

    solver = pulp.HiGHS(msg=False, gapRel=MIP_REL_GAP)
    if model == "lscp":
        built = LSCP.from_cost_matrix(cost, radius)
    elif model == "mclp":
        built = MCLP.from_cost_matrix(cost, weights, radius, p)
    else:
        built = PMedian.from_cost_matrix(cost, weights, p)
    return pulp.value(built.solve(solver, results=False).problem.objective)


def child(impl, model, case):
    """Run one solve and print its numbers as JSON."""
    cost, weights, radius, p = instance(case)
    run = {"gisplan": run_gisplan, "spopt": run_spopt}[impl]
    if impl == "spopt":
        import pulp  # noqa: F401  (imports are not the model's cost)
        import spopt.locate  # noqa: F401
    import analysis.locate  # noqa: F401

    base = rss_kb()
    start = time.perf_counter()
    objective = run(model, cost, weights, radius, p)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "objective": float(objective), "peak_kb": peak,
                      "base_kb": base}))


def measure(impl, model, case):
    done = subprocess.run([sys.executable, __file__, "--child", impl, model, case],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{impl} {model} {case} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def size(model, case):
    spec = CASES[case]
    if isinstance(spec, str):
        return f"{spec} 100×100"
    n, m, _, radius, p = spec
    return f"{n:,}×{m:,}" + (f" r={radius:g}" if model != "p_median" else "") + \
        (f" p={p}" if model != "lscp" else "")


def main():
    header = (f"{'model':9} {'size':24} {'gisplan s':>9} {'spopt s':>9} {'ratio':>7} "
              f"{'same opt':>8} {'objective':>14} {'gisplan MB':>10} {'spopt MB':>9} "
              f"{'(+model MB)':>12}")
    print(header)
    print("-" * len(header))
    chosen = sys.argv[1:]  # e.g. lscp:region; all by default
    for model, case in RUNS:
        if chosen and f"{model}:{case}" not in chosen:
            continue
        ours = measure("gisplan", model, case)
        theirs = measure("spopt", model, case)
        same = abs(ours["objective"] - theirs["objective"]) <= 1e-6 * max(1.0, abs(
            theirs["objective"]))
        grow = [(r["peak_kb"] - r["base_kb"]) / 1024 for r in (ours, theirs)]
        print(f"{model:9} {size(model, case):24} {ours['seconds']:9.2f} {theirs['seconds']:9.2f} "
              f"{theirs['seconds'] / ours['seconds']:6.1f}× {'yes' if same else 'NO':>8} "
              f"{ours['objective']:14.6g} {ours['peak_kb'] / 1024:10.0f} "
              f"{theirs['peak_kb'] / 1024:9.0f} {grow[0]:5.0f} /{grow[1]:5.0f}", flush=True)
    print("\nratio = spopt seconds / gisplan seconds (model building plus solving). MB = peak "
          "resident memory of the process; (+model MB) = its rise during the timed call, "
          "gisplan / spopt.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(*sys.argv[2:5])
    else:
        main()
