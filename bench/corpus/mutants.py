"""One-error mutants of a valid template, one kind at a time (`make(kind, template, rng)`).

Each kind changes one thing a user gets wrong; the value's expected shape comes from the
resource type's registry schema in the pinned cfn-lint. `make` returns None when the
template has no place for that kind. Kinds:

- list_given_string, integer_given_list, enum_typo, pattern, length, range: a property
  value (at any depth) against its schema;
- nested_property_typo, tag_property_typo: a property name misspelled below the top level;
- select_index, unknown_function, getatt_dotted_typo: intrinsic functions;
- duplicate_export: a second output exporting an existing export name (CloudFormation:
  "export names must be unique within a Region"; cfn-lint does not check it);
- metadata_ref: a Ref to an undeclared name in a resource's AWS::CloudFormation::Init
  metadata (CloudFormation resolves references there: "Unresolved resource dependencies");
- the kinds checked before: unknown_type, unknown_property, missing_required, ref_missing,
  depends_on_missing, condition_missing, cycle, sub_variable.
"""
import json
import os

import cfnlint

KINDS = [
    "list_given_string",
    "integer_given_list",
    "enum_typo",
    "pattern",
    "length",
    "range",
    "nested_property_typo",
    "tag_property_typo",
    "select_index",
    "unknown_function",
    "getatt_dotted_typo",
    "duplicate_export",
    "metadata_ref",
    "unknown_type",
    "unknown_property",
    "missing_required",
    "ref_missing",
    "depends_on_missing",
    "condition_missing",
    "cycle",
    "sub_variable",
]

SCHEMAS = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
_providers = None
_schemas = {}


def schema(type_name):
    global _providers
    if _providers is None:
        with open(os.path.join(SCHEMAS, "providers", "us-east-1.json")) as f:
            _providers = json.load(f)
    h = _providers.get(type_name)
    if not h:
        return None
    if h not in _schemas:
        with open(os.path.join(SCHEMAS, "resources", f"{h}.json")) as f:
            _schemas[h] = json.load(f)
    return _schemas[h]


def plain(v):
    """cfn-lint's decoded nodes as plain JSON values."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, (int, float)):
        return v
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def load(path):
    from cfnlint.decode import decode

    try:
        tpl, errors = decode(path)
    except Exception:
        return None
    if errors or not isinstance(tpl, dict):
        return None
    tpl = plain(tpl)
    # Transformed templates are checked after the transform: leave them out of mutation.
    if "Transform" in tpl:
        return None
    return tpl


def resolve(s, root, depth=0):
    while isinstance(s, dict) and "$ref" in s and depth < 20:
        ptr = s["$ref"].lstrip("#").strip("/").split("/")
        t = root
        for p in ptr:
            t = t.get(p, {}) if isinstance(t, dict) else {}
        s = t
        depth += 1
    return s if isinstance(s, dict) else {}


def is_fn(v):
    return isinstance(v, dict) and len(v) == 1 and next(iter(v)).startswith(("Fn::", "Ref"))


def slots(tpl):
    """(container, key, value, schema, type_name, depth) for every literal property value
    whose schema is known, at any depth."""
    out = []

    def walk(container, key, v, s, root, t, depth):
        s = resolve(s, root)
        if is_fn(v) or not s:
            return
        out.append((container, key, v, s, t, depth))
        if isinstance(v, dict):
            props = s.get("properties", {})
            for k, x in v.items():
                if k in props:
                    walk(v, k, x, props[k], root, t, depth + 1)
        elif isinstance(v, list):
            items = s.get("items")
            if isinstance(items, dict):
                for i, x in enumerate(v):
                    walk(v, i, x, items, root, t, depth + 1)

    for r in (tpl.get("Resources") or {}).values():
        if not isinstance(r, dict) or not isinstance(r.get("Properties"), dict):
            continue
        if "Condition" in r:
            continue
        root = schema(r.get("Type", ""))
        if not root:
            continue
        for k, v in r["Properties"].items():
            if k in root.get("properties", {}):
                walk(r["Properties"], k, v, root["properties"][k], root, r["Type"], 1)
    return out


def types_of(s):
    t = s.get("type")
    return t if isinstance(t, list) else [t] if t else []


def typo(name, rng, avoid=()):
    """A misspelling: a letter doubled, dropped or two swapped."""
    for _ in range(20):
        if len(name) < 3:
            return name + name[-1:]
        i = rng.randrange(1, len(name) - 1)
        op = rng.choice(["double", "drop", "swap"])
        if op == "double":
            new = name[:i] + name[i] + name[i:]
        elif op == "drop":
            new = name[:i] + name[i + 1 :]
        else:
            new = name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]
        if new != name and new not in avoid:
            return new
    return None


def pick(rng, items):
    return rng.choice(items) if items else None


def walk_values(v, visit, path=()):
    visit(v, path)
    if isinstance(v, dict):
        for k, x in list(v.items()):
            walk_values(x, visit, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk_values(x, visit, path + (i,))


def functions(tpl, names):
    found = []

    def visit(v, path):
        if isinstance(v, dict) and len(v) == 1 and next(iter(v)) in names:
            found.append(v)

    for section in ("Resources", "Outputs"):
        walk_values(tpl.get(section) or {}, visit)
    return found


def _value_kind(kind, tpl, rng):
    s = slots(tpl)
    if kind == "list_given_string":
        c = [x for x in s if types_of(x[3]) == ["array"] and isinstance(x[2], list)]
        x = pick(rng, c)
        if x:
            x[0][x[1]] = "not-a-list"
    elif kind == "integer_given_list":
        c = [x for x in s if types_of(x[3]) == ["integer"] and isinstance(x[2], (int, str))]
        x = pick(rng, c)
        if x:
            x[0][x[1]] = [x[2]]
    elif kind == "enum_typo":
        c = [x for x in s if isinstance(x[2], str) and x[2] in (x[3].get("enum") or [])]
        x = pick(rng, c)
        if x:
            new = typo(x[2], rng, x[3]["enum"])
            if not new:
                return None
            x[0][x[1]] = new
    elif kind == "pattern":
        c = [x for x in s if isinstance(x[2], str) and "pattern" in x[3] and "enum" not in x[3]]
        x = pick(rng, c)
        if x:
            x[0][x[1]] = "#" + x[2] + " !"
    elif kind == "length":
        c = [x for x in s if isinstance(x[2], str) and ("maxLength" in x[3] or x[3].get("minLength", 0) > 0)]
        x = pick(rng, c)
        if x:
            if "maxLength" in x[3]:
                x[0][x[1]] = (x[2] or "a") * (x[3]["maxLength"] // max(len(x[2]), 1) + 1) + "a"
            else:
                x[0][x[1]] = ""
    elif kind == "range":
        c = [x for x in s if isinstance(x[2], (int, float)) and not isinstance(x[2], bool)
             and ("minimum" in x[3] or "maximum" in x[3])]
        x = pick(rng, c)
        if x:
            x[0][x[1]] = x[3]["minimum"] - 1 if "minimum" in x[3] else x[3]["maximum"] + 1
    elif kind in ("nested_property_typo", "tag_property_typo"):
        tags = kind == "tag_property_typo"
        c = []
        for x in s:
            if x[5] < 2 or not isinstance(x[2], dict) or x[3].get("additionalProperties") is not False:
                continue
            under_tags = isinstance(x[1], int)
            if tags != (under_tags and "Key" in x[2] and "Value" in x[2]):
                continue
            for k in x[2]:
                if k in x[3].get("properties", {}):
                    c.append((x[2], k, x[3]))
        y = pick(rng, c)
        if y:
            obj, k, sch = y
            new = typo(k, rng, sch.get("properties", {}))
            if not new or new in obj:
                return None
            obj[new] = obj.pop(k)
        return tpl if y else None
    else:
        return None
    return tpl if x is not None else None


def _function_kind(kind, tpl, rng):
    if kind == "select_index":
        f = pick(rng, functions(tpl, {"Fn::Select"}))
        if not f or not isinstance(f["Fn::Select"], list) or len(f["Fn::Select"]) != 2:
            return None
        f["Fn::Select"][0] = rng.choice(["first", 1.5, [0]])
    elif kind == "unknown_function":
        f = pick(rng, functions(tpl, {"Fn::Join", "Fn::Sub", "Fn::GetAtt", "Fn::ImportValue", "Fn::Select", "Fn::If", "Fn::Base64", "Fn::GetAZs", "Fn::Split", "Fn::FindInMap"}))
        if not f:
            return None
        k = next(iter(f))
        f[typo(k, rng) or k + "x"] = f.pop(k)
    elif kind == "getatt_dotted_typo":
        c = []
        for f in functions(tpl, {"Fn::GetAtt"}):
            a = f["Fn::GetAtt"]
            if isinstance(a, list) and len(a) == 2 and isinstance(a[1], str) and "." in a[1]:
                c.append(f)
            elif isinstance(a, str) and a.count(".") >= 2:
                c.append(f)
        f = pick(rng, c)
        if not f:
            return None
        a = f["Fn::GetAtt"]
        if isinstance(a, list):
            head, last = a[1].rsplit(".", 1)
            a[1] = f"{head}.{typo(last, rng) or last + 'x'}"
        else:
            head, last = a.rsplit(".", 1)
            f["Fn::GetAtt"] = f"{head}.{typo(last, rng) or last + 'x'}"
    else:
        return None
    return tpl


def _section_kind(kind, tpl, rng):
    res = tpl.get("Resources") or {}
    ids = [i for i, r in res.items() if isinstance(r, dict)]
    if kind == "duplicate_export":
        outs = tpl.get("Outputs") or {}
        c = [k for k, o in outs.items() if isinstance(o, dict) and "Export" in o]
        k = pick(rng, c)
        if not k:
            return None
        dup = dict(outs[k])
        outs[k + "Again"] = dup
    elif kind == "metadata_ref":
        rid = pick(rng, ids)
        if not rid:
            return None
        md = res[rid].setdefault("Metadata", {})
        if not isinstance(md, dict):
            return None
        init = md.setdefault("AWS::CloudFormation::Init", {})
        if not isinstance(init, dict):
            return None
        cfg = init.setdefault("config", {})
        cfg.setdefault("files", {})["/etc/pcstack-mutant"] = {"content": {"Ref": "NoSuchName" + str(rng.randrange(100))}}
    elif kind == "unknown_type":
        c = [i for i in ids if str(res[i].get("Type", "")).startswith("AWS::")]
        rid = pick(rng, c)
        if not rid:
            return None
        t = res[rid]["Type"]
        svc, name = t.rsplit("::", 1)
        res[rid]["Type"] = f"{svc}::{typo(name, rng) or name + 'x'}"
    elif kind in ("unknown_property", "missing_required"):
        c = []
        for i in ids:
            s = schema(res[i].get("Type", ""))
            p = res[i].get("Properties")
            if s and isinstance(p, dict):
                if kind == "unknown_property":
                    c += [(i, k, s) for k in p if k in s.get("properties", {})]
                else:
                    c += [(i, k, s) for k in p if k in s.get("required", [])]
        y = pick(rng, c)
        if not y:
            return None
        i, k, s = y
        p = res[i]["Properties"]
        if kind == "unknown_property":
            new = typo(k, rng, s.get("properties", {}))
            if not new:
                return None
            p[new] = p.pop(k)
        else:
            del p[k]
    else:
        return _reference_kind(kind, tpl, rng, res, ids)
    return tpl


def _reference_kind(kind, tpl, rng, res, ids):
    if kind == "ref_missing":
        c = []

        def visit(v, path):
            if isinstance(v, dict) and len(v) == 1 and isinstance(v.get("Ref"), str) and not v["Ref"].startswith("AWS::"):
                c.append(v)

        for i in ids:
            walk_values(res[i].get("Properties") or {}, visit)
        f = pick(rng, c)
        if not f:
            return None
        f["Ref"] = typo(f["Ref"], rng) or f["Ref"] + "x"
    elif kind == "depends_on_missing":
        rid = pick(rng, ids)
        if not rid:
            return None
        res[rid]["DependsOn"] = "NoSuchResource"
    elif kind == "condition_missing":
        rid = pick(rng, ids)
        if not rid:
            return None
        res[rid]["Condition"] = "NoSuchCondition"
    elif kind == "cycle":
        # A resource that references another gets that one depending back on it.
        edges = []
        for i in ids:
            def visit(v, path, i=i):
                if isinstance(v, dict) and len(v) == 1:
                    if isinstance(v.get("Ref"), str) and v["Ref"] in res and v["Ref"] != i:
                        edges.append((i, v["Ref"]))
            walk_values(res[i].get("Properties") or {}, visit)
        e = pick(rng, edges)
        if not e:
            return None
        src, dst = e
        dep = res[dst].get("DependsOn", [])
        res[dst]["DependsOn"] = (dep if isinstance(dep, list) else [dep]) + [src]
    elif kind == "sub_variable":
        import re

        c = []
        for f in functions(tpl, {"Fn::Sub"}):
            s = f["Fn::Sub"] if isinstance(f["Fn::Sub"], str) else None
            if s and re.search(r"\$\{(?!AWS::)[A-Za-z0-9]+\}", s):
                c.append(f)
        f = pick(rng, c)
        if not f:
            return None
        m = re.search(r"\$\{((?!AWS::)[A-Za-z0-9]+)\}", f["Fn::Sub"])
        name = m.group(1)
        f["Fn::Sub"] = f["Fn::Sub"].replace("${" + name + "}", "${" + (typo(name, rng) or name + "x") + "}", 1)
    else:
        raise ValueError(kind)
    return tpl


def make(kind, tpl, rng):
    """The template with one error of `kind`, or None when it has no place for one."""
    if kind in VALUE_KINDS:
        return _value_kind(kind, tpl, rng)
    if kind in FUNCTION_KINDS:
        return _function_kind(kind, tpl, rng)
    return _section_kind(kind, tpl, rng)


VALUE_KINDS = {"list_given_string", "integer_given_list", "enum_typo", "pattern", "length", "range",
               "nested_property_typo", "tag_property_typo"}
FUNCTION_KINDS = {"select_index", "unknown_function", "getatt_dotted_typo"}
