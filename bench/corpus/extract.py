#!/usr/bin/env python3
"""Copies the CloudFormation templates of some git repositories into a folder, and writes the
manifest that reproduces it (one `repo<TAB>commit<TAB>path` line per template).

    extract.py OUT GITDIR...        every template of each repository's HEAD
    extract.py OUT --manifest FILE  the templates a manifest lists (GITDIRs found as
                                    $CORPUS_GIT/<owner>+<name>/repo, e.g. from `git clone --bare`)

A file is a template when it parses as YAML or JSON into a mapping with a `Resources` mapping
whose entries have a `Type`.
"""
import os
import subprocess
import sys


def git(gitdir, *args):
    return subprocess.run(["git", "-C", gitdir, *args], capture_output=True, check=True).stdout


def looks_like_template(text):
    if "Resources" not in text or "Type" not in text:
        return False
    from cfnlint.decode import decode_str

    try:
        tpl, errors = decode_str(text)
    except Exception:
        return False
    if errors or not isinstance(tpl, dict):
        return False
    res = tpl.get("Resources")
    return isinstance(res, dict) and res and all(isinstance(r, dict) and "Type" in r for r in res.values())


def repo_name(gitdir):
    # .../<owner>+<name>/repo
    base = os.path.basename(os.path.dirname(os.path.abspath(gitdir)))
    return base.replace("+", "/", 1)


def save(out, repo, path, data):
    dest = os.path.join(out, repo.replace("/", "+"), path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(data)


def main():
    out = sys.argv[1]
    lines = []
    if sys.argv[2] == "--manifest":
        root = os.environ.get("CORPUS_GIT", ".")
        for line in open(sys.argv[3]):
            if line.startswith("#") or not line.strip():
                continue
            repo, commit, path = line.rstrip("\n").split("\t")
            gitdir = os.path.join(root, repo.replace("/", "+"), "repo")
            save(out, repo, path, git(gitdir, "show", f"{commit}:{path}"))
        return
    for gitdir in sys.argv[2:]:
        repo = repo_name(gitdir)
        commit = git(gitdir, "rev-parse", "HEAD").decode().strip()
        names = git(gitdir, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()
        for path in names:
            if not path.lower().endswith((".yaml", ".yml", ".json", ".template")):
                continue
            try:
                data = git(gitdir, "show", f"HEAD:{path}")
            except subprocess.CalledProcessError:
                continue  # listed but absent (a large file)
            if len(data) > 1_000_000:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if looks_like_template(text):
                save(out, repo, path, data)
                lines.append(f"{repo}\t{commit}\t{path}")
    sys.stdout.write("".join(l + "\n" for l in lines))


if __name__ == "__main__":
    main()
