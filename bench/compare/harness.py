#!/usr/bin/env python3
"""Time whole processes and print a table with ratios against the first entry.

Usage: harness.py CASES.json [--hyperfine] [--json OUT.json]

CASES.json is a list of {"name", "argv", "runs", "warmup", "goal"?}. Each case is one whole
process (argv, no shell), started `warmup` times untimed and then `runs` times timed.

Default timer: time.perf_counter() around subprocess.run() (stdout/stderr discarded).
With --hyperfine: each case is run by `hyperfine -N` (no intermediate shell) and its
JSON export is read; hyperfine subtracts nothing and reports the same wall times.

The first case is the reference (pcstack synth); every other row shows median(case) /
median(reference), and the case's "goal" (a minimum ratio) when it has one. A case with
"reference": true is the reference of the rows after it instead (pcstack checking a
template, for cfn-lint's row).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def time_with_perf_counter(case):
    for _ in range(case["warmup"]):
        subprocess.run(case["argv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(case["runs"]):
        t0 = time.perf_counter()
        subprocess.run(case["argv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return times


def time_with_hyperfine(case):
    with tempfile.TemporaryDirectory() as d:
        export = os.path.join(d, "h.json")
        # hyperfine -N takes one command string and splits it on whitespace itself;
        # the paths used here contain no spaces (run checks).
        cmd = " ".join(case["argv"])
        subprocess.run(
            ["hyperfine", "-N", "--style", "none", "--warmup", str(case["warmup"]),
             "--runs", str(case["runs"]), "--export-json", export, cmd],
            stdout=subprocess.DEVNULL, check=True,
        )
        with open(export) as f:
            return json.load(f)["results"][0]["times"]


def fmt_ms(s):
    ms = s * 1e3
    return f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def main(argv):
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[0]) as f:
        cases = json.load(f)
    use_hyperfine = "--hyperfine" in argv
    out_json = argv[argv.index("--json") + 1] if "--json" in argv else None
    timer = time_with_hyperfine if use_hyperfine else time_with_perf_counter

    results = []
    for case in cases:
        sys.stderr.write(f"  timing {case['name']} ({case['runs']} runs)...\n")
        times = timer(case)
        results.append({
            "name": case["name"], "runs": len(times),
            "min": min(times), "median": statistics.median(times),
            "mean": statistics.fmean(times), "max": max(times),
            "goal": case.get("goal"),
        })

    ref = results[0]["median"]
    print(f"timer: {'hyperfine -N' if use_hyperfine else 'python perf_counter around subprocess.run'}; wall time per whole process, ms")
    header = f"{'case':<56} {'runs':>4} {'min':>9} {'median':>9} {'max':>9} {'x pcstack':>10}  goal"
    print(header)
    print("-" * len(header))
    for case, r in zip(cases, results):
        if case.get("reference"):
            ref = r["median"]
            print(f"-- against {r['name']}:")
        ratio = r["median"] / ref
        r["ratio_vs_first"] = ratio
        goal = ""
        if r["goal"] is not None:
            goal = f">= {r['goal']}x: {'met' if ratio >= r['goal'] else 'NOT met'}"
        print(f"{r['name']:<56} {r['runs']:>4} {fmt_ms(r['min']):>9} {fmt_ms(r['median']):>9} "
              f"{fmt_ms(r['max']):>9} {ratio:>9.1f}x  {goal}")
    if out_json:
        with open(out_json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
