#!/usr/bin/env python3
"""Measures pcstack's template check against cfn-lint on a corpus of public templates.

    .venv/bin/python bench/corpus/measure.py CORPUS_DIR [--work DIR] [--per-kind N] [--check BIN]

1. Every template under CORPUS_DIR (made by `extract.py`) is linted by cfn-lint (in this
   Python, so the pinned one); those with no error (E) are the valid set.
2. From the valid templates, one-error mutants are made of each kind in `KINDS` (at most
   `--per-kind`, spread over the templates, chosen by a fixed seed) and written as JSON.
3. A mutant is kept when cfn-lint refuses it, or, for the kinds cfn-lint does not check
   (`CFN_RULES`), when CloudFormation's documented rule refuses it.
4. pcstack checks every valid template and every kept mutant the way `deploy --template`
   does (`BIN`, default `target/release/examples/check_templates`, built by
   `cargo build --release -p plan --example check_templates`), and the counts are printed:
   valid templates accepted, mutants caught, per kind.

cfn-lint results are cached in WORK (default `target/corpus`) by content hash, so a second
run lints only what changed.
"""
import argparse
import copy
import hashlib
import json
import os
import random
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import mutants

# Kinds cfn-lint does not check, kept because CloudFormation refuses them (see mutants.py).
CFN_RULES = {"duplicate_export", "metadata_ref"}


def lint_errors(path):
    """cfn-lint's error rule IDs for one file (warnings and informational matches dropped)."""
    from cfnlint.api import lint_file
    from pathlib import Path

    try:
        matches = lint_file(Path(path))
    except Exception as e:  # a template cfn-lint itself cannot read
        return ["crash:" + type(e).__name__]
    return sorted({m.rule.id for m in matches if m.rule.id.startswith("E")})


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def lint_all(paths, cache_file, jobs):
    cache = {}
    if os.path.exists(cache_file):
        with open(cache_file) as f:
            cache = json.load(f)
    keys = {p: digest(p) for p in paths}
    todo = [p for p in paths if keys[p] not in cache]
    if todo:
        print(f"cfn-lint: {len(todo)} files to lint", file=sys.stderr)
        with ProcessPoolExecutor(jobs) as pool:
            for p, errs in zip(todo, pool.map(lint_errors, todo, chunksize=4)):
                cache[keys[p]] = errs
        with open(cache_file, "w") as f:
            json.dump(cache, f)
    return {p: cache[keys[p]] for p in paths}


def templates(root):
    out = []
    for d, _, files in os.walk(root):
        for name in files:
            if name.lower().endswith((".yaml", ".yml", ".json", ".template")):
                out.append(os.path.join(d, name))
    return sorted(out)


def pcstack_refused(binary, paths):
    """The paths pcstack refuses, with its first error line."""
    refused = {}
    for i in range(0, len(paths), 200):
        run = subprocess.run([binary, *paths[i : i + 200]], capture_output=True, text=True)
        current = None
        for line in run.stdout.splitlines():
            if line.startswith("REFUSED "):
                current = line[len("REFUSED ") :]
                refused[current] = ""
            elif current and line.startswith("    ") and not refused[current]:
                refused[current] = line.strip()
    return refused


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--work", default="target/corpus")
    ap.add_argument("--per-kind", type=int, default=60)
    ap.add_argument("--check", default="target/release/examples/check_templates")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show", action="store_true", help="print each miss and false rejection")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    cache = os.path.join(args.work, "lint-cache.json")

    paths = templates(args.corpus)
    linted = lint_all(paths, cache, args.jobs)
    valid = [p for p in paths if not linted[p]]
    print(f"corpus: {len(paths)} templates, {len(valid)} valid (no cfn-lint error)")

    # Mutants: per kind, the valid templates in a seeded order, one mutant each until the
    # kind has --per-kind.
    mdir = os.path.join(args.work, "mutants")
    os.makedirs(mdir, exist_ok=True)
    made = {}  # path -> kind
    for kind in mutants.KINDS:
        order = list(valid)
        random.Random(kind).shuffle(order)
        count = 0
        for p in order:
            if count >= args.per_kind:
                break
            tpl = mutants.load(p)
            if tpl is None:
                continue
            rng = random.Random(f"{kind}:{p}")
            m = mutants.make(kind, copy.deepcopy(tpl), rng)
            if m is None:
                continue
            name = hashlib.sha256(f"{kind}:{p}".encode()).hexdigest()[:16]
            out = os.path.join(mdir, f"{kind}-{name}.json")
            with open(out, "w") as f:
                json.dump(m, f, indent=1)
            made[out] = (kind, p)
            count += 1
    mlint = lint_all(list(made), cache, args.jobs)
    kept = [m for m in made if mlint[m] or made[m][0] in CFN_RULES]

    refused = pcstack_refused(args.check, valid + kept)
    false_rejections = [p for p in valid if p in refused]
    print(f"valid accepted: {len(valid) - len(false_rejections)} of {len(valid)}")
    if args.show:
        for p in false_rejections:
            print(f"  FALSE REJECTION {p}: {refused[p]}")
    total = caught_all = 0
    print(f"{'kind':28} {'made':>5} {'kept':>5} {'caught':>7}")
    for kind in mutants.KINDS:
        ks = [m for m in kept if made[m][0] == kind]
        caught = [m for m in ks if m in refused]
        n_made = sum(1 for m in made if made[m][0] == kind)
        pct = f"{100 * len(caught) / len(ks):.1f}%" if ks else "-"
        print(f"{kind:28} {n_made:5} {len(ks):5} {len(caught):5}  {pct}")
        total += len(ks)
        caught_all += len(caught)
        if args.show:
            for m in ks:
                if m not in refused:
                    print(f"  MISSED {m} (from {made[m][1]}; cfn-lint {mlint[m]})")
    if total:
        print(f"mutants caught: {caught_all} of {total} ({100 * caught_all / total:.1f}%)")


if __name__ == "__main__":
    main()
