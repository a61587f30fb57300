#!/usr/bin/env python3
"""Whole-process time of checking one template: pcstack beside cfn-lint, on a fixed sample of
the corpus's valid templates (and any extra files given).

    .venv/bin/python bench/corpus/speed.py CORPUS_DIR [--sample N] [--runs R] [FILE...]

pcstack is the `check_templates` example (parse, then every check `deploy --template` runs,
loading the type table and the value schemas it needs), the median of R runs after one
untimed run; cfn-lint is `.venv/bin/cfn-lint FILE`, the median of 2 runs. Prints each
template's times and ratio, then the median ratio. Run `measure.py` first: it finds the
valid templates (the cfn-lint cache in target/corpus).
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402


def timed(argv, runs):
    subprocess.run(argv, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("files", nargs="*")
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="target/corpus")
    ap.add_argument("--check", default="target/release/examples/check_templates")
    ap.add_argument("--lint", default=".venv/bin/cfn-lint")
    args = ap.parse_intermixed_args()
    paths = measure.templates(args.corpus)
    linted = measure.lint_all(paths, os.path.join(args.work, "lint-cache.json"), 2)
    valid = [p for p in paths if not linted[p]]
    sample = sorted(random.Random("speed").sample(valid, min(args.sample, len(valid)))) + args.files
    print(f"load average {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'bytes':>8} {'pcstack ms':>10} {'cfn-lint ms':>11} {'ratio':>7}  template")
    ratios = []
    for p in sample:
        ours = timed([args.check, p], args.runs)
        theirs = timed([args.lint, p], 2)
        ratios.append(theirs / ours)
        print(f"{os.path.getsize(p):>8} {ours:>10.1f} {theirs:>11.0f} {theirs / ours:>6.0f}x  {os.path.relpath(p, args.corpus) if p.startswith(args.corpus) else p}")
    print(f"median ratio cfn-lint / pcstack: {statistics.median(ratios):.0f}x over {len(ratios)} templates (lowest {min(ratios):.0f}x)")


if __name__ == "__main__":
    main()
