"""Time each stage of the sample county generator, and with --city each county of the sample
city (the whole city should build within a minute on 2 cores; `make demo` stays under 2).

    .venv/bin/python bench/sample_build.py [--city]

There is no outside anchor for this one; it prints the time of each stage and the totals.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.sample.build import build_sample  # noqa: E402
from data.sample.counties import city_specs, luonan  # noqa: E402


def build(spec, folder):
    marks = [("start", time.perf_counter())]
    sample = build_sample(folder, spec, progress=lambda stage: marks.append((stage, time.perf_counter())))
    print(f"{spec.name} {spec.adcode} ({spec.cell:.0f} m grid)")
    for (_, before), (stage, after) in zip(marks, marks[1:]):
        print(f"  {stage:<20} {after - before:6.2f} s")
    print(f"  {'total':<20} {marks[-1][1] - marks[0][1]:6.2f} s "
          f"({len(sample.villages)} villages, {len(sample.roads)} road segments)")
    return marks[-1][1] - marks[0][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", action="store_true", help="the six other counties of Shangluo too")
    arguments = parser.parse_args()
    specs = [luonan(), *(city_specs() if arguments.city else [])]
    with tempfile.TemporaryDirectory() as folder:
        seconds = [build(spec, Path(folder) / spec.adcode) for spec in specs]
    print(f"all {len(specs)} counties: {sum(seconds):.1f} s")


if __name__ == "__main__":
    main()
