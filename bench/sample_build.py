"""Time each stage of the sample county generator (it should stay under 60 s on 2 cores).

    .venv/bin/python bench/sample_build.py

There is no outside anchor for this one; it prints the time of each stage and the total.
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.sample.build import build_sample  # noqa: E402


def main():
    marks = [("start", time.perf_counter())]
    with tempfile.TemporaryDirectory() as folder:
        sample = build_sample(folder, progress=lambda stage: marks.append((stage, time.perf_counter())))
    for (_, before), (stage, after) in zip(marks, marks[1:]):
        print(f"{stage:<20} {after - before:6.2f} s")
    print(f"{'total':<20} {marks[-1][1] - marks[0][1]:6.2f} s "
          f"({len(sample.villages)} villages, {len(sample.roads)} road segments)")


if __name__ == "__main__":
    main()
