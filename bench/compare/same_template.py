#!/usr/bin/env python3
"""Check that templates (JSON or YAML, short-form tags allowed) are the same template.

Usage: same_template.py REFERENCE FILE...

Compares parsed data, not text: key order, quoting and YAML short/long forms are
ignored. A resource's DependsOn is compared as an unordered collection: "X" is the same as
["X"] (CDK writes the list form), and ["A", "B"] is the same as ["B", "A"] (CDK sorts the
list; CloudFormation gives DependsOn order no meaning). Nothing else is normalized: every
other list keeps its order, and a number is not the same as a string (IpProtocol -1 is not
"-1").
Exits 1 and prints the first differences when a file differs from REFERENCE.
"""

import json
import sys

from cfn_tools import load_yaml


def load(path):
    with open(path) as f:
        text = f.read()
    data = json.loads(text) if path.endswith(".json") else load_yaml(text)
    data = json.loads(json.dumps(data, default=str))  # plain dicts/lists/scalars
    for res in data.get("Resources", {}).values():
        deps = res.get("DependsOn")
        if isinstance(deps, str):
            deps = [deps]
        if isinstance(deps, list) and all(isinstance(d, str) for d in deps):
            res["DependsOn"] = sorted(deps)  # duplicates kept: a multiset, not a set
    return data


def diff(a, b, path, out):
    if type(a) is not type(b):
        out.append(f"{path}: {a!r:.60} != {b!r:.60}")
    elif isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'reference' if k in a else 'file'}")
            else:
                diff(a[k], b[k], f"{path}/{k}", out)
    elif isinstance(a, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r:.60} != {b!r:.60}")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    ref = load(argv[0])
    failed = False
    for path in argv[1:]:
        out = []
        diff(ref, load(path), "", out)
        name = path.rsplit("/", 2)[-2:]
        if out:
            failed = True
            print(f"DIFFERENT: {'/'.join(name)}")
            for line in out[:10]:
                print(f"  {line}")
        else:
            print(f"same template: {'/'.join(name)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
