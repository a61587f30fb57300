#!/usr/bin/env python3
"""Build pcstack's template with troposphere's typed objects, validate, render YAML, write it.

Usage: troposphere_synth.py TEMPLATE.json OUT.yaml [--lean-imports] [--phases]

TEMPLATE.json is pcstack's own output (`pcstack synth --format json`). It is turned into
typed troposphere objects by troposphere.template_generator.TemplateGenerator: one
troposphere.Parameter / Output per entry and one typed AWSObject (troposphere.ec2.VPC,
troposphere.fsx.FileSystem, ...) per resource, with troposphere's property type checks
run as each object is built, and its required-property checks run by to_dict() when the
template is rendered. The template is then rendered with Template.to_yaml() (cfn-flip) and
written the way pcstack writes: to a temporary file in the same directory, fsync, rename.

The JSON is read with the standard library only: the file read and json.load are a small
part of the run (see --phases) and stand in for the Python source a troposphere user
would write.

--lean-imports: stock TemplateGenerator imports every troposphere service module (~300
modules) to find resource classes; a hand-written troposphere program imports only the
services it uses. With this flag only those modules (derived from the template's resource
types: AWS::EC2::* -> troposphere.ec2, ...) are imported, to show the cheaper case.

--phases: print per-phase wall times (ms) to stderr.
"""

import sys
import time

T0 = time.perf_counter()

from atomic_write import write_atomic  # noqa: E402

import json  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402

from troposphere.template_generator import TemplateGenerator  # noqa: E402


class LeanTemplateGenerator(TemplateGenerator):
    """TemplateGenerator that imports only the troposphere modules the template needs."""

    _modules = ()

    def _import_all_troposphere_modules(self):
        members = set()
        for name in ("troposphere",) + tuple(self._modules):
            module = importlib.import_module(name)
            members.update(
                m for _, m in inspect.getmembers(module, inspect.isclass)
            )
        return members


def service_modules(template):
    mods = set()
    for res in template.get("Resources", {}).values():
        parts = res["Type"].split("::")
        if parts[0] == "AWS" and len(parts) == 3:
            mods.add("troposphere." + parts[1].lower())
    return sorted(mods)


def add_update_replace_policies(t, template):
    """Set by hand what TemplateGenerator drops: a resource's UpdateReplacePolicy.

    TemplateGenerator._normalize_properties copies Condition, UpdatePolicy, CreationPolicy,
    DeletionPolicy, Metadata and DependsOn, but not UpdateReplacePolicy (troposphere's
    typed resource objects do support the attribute).
    """
    added = 0
    for name, res in template.get("Resources", {}).items():
        if "UpdateReplacePolicy" in res:
            t.resources[name].UpdateReplacePolicy = res["UpdateReplacePolicy"]
            added += 1
    return added


def string_ip_protocols(template):
    """Hand a numeric IpProtocol to troposphere as a string; return {resource: number}.

    pcstack writes IpProtocol as the number -1 on purpose (as the tutorial's template does:
    every property of a security-group rule is create-only, so the value is kept exactly).
    troposphere types IpProtocol as str and rejects an int when the object is built. The
    value is passed as its string ("-1") so the typed object is built and type-checked, and
    restore_number_ip_protocols() puts the number back afterwards, as pcstack itself sets
    it with a property override. Only resources' top-level IpProtocol properties are
    handled; a number anywhere else still fails the build loudly.
    """
    numbers = {}
    for name, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        value = props.get("IpProtocol")
        if isinstance(value, int) and not isinstance(value, bool):
            props["IpProtocol"] = str(value)
            numbers[name] = value
    return numbers


def restore_number_ip_protocols(t, numbers):
    """Set each IpProtocol back to the template's number on the built typed object.

    Assigns the properties dict directly (troposphere has no property-override API, and
    its typed __setattr__ would reject the int); the str value passed its type check when
    the object was built, and to_dict() still runs the object's validate() with the number
    (check_ports: FromPort and ToPort are present, so -1 as a number passes too).
    """
    for name, value in numbers.items():
        t.resources[name].properties["IpProtocol"] = value
    return len(numbers)


def relax_lustre_throughput_check(template):
    """Work around a troposphere validator limitation, for this one property only.

    troposphere.validators.fsx.validate_lustreconfiguration requires
    LustreConfiguration.PerUnitStorageThroughput to be a literal in (50, 100, 200) for
    PERSISTENT_1 and rejects the template's `{"Ref": "PerUnitStorageThroughput"}` (a valid
    CloudFormation Number parameter whose AllowedValues are exactly 50/100/200). Where that
    property is an intrinsic function, that object's cross-field validate() is skipped;
    its required-property and type checks still run.
    """
    from troposphere import AWSHelperFn

    relaxed = 0
    for res in template.resources.values():
        if res.resource_type != "AWS::FSx::FileSystem":
            continue
        lustre = res.properties.get("LustreConfiguration")
        if lustre is not None and isinstance(
            lustre.properties.get("PerUnitStorageThroughput"), AWSHelperFn
        ):
            lustre.__dict__["validate"] = lambda: None  # shadows the class method
            relaxed += 1
    return relaxed


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--lean-imports", "--phases"}
    if len(args) != 2 or unknown:
        sys.stderr.write(__doc__)
        return 2
    src, out = args
    t_import = time.perf_counter()

    with open(src) as f:
        template = json.load(f)
    t_read = time.perf_counter()

    numbers = string_ip_protocols(template)
    if "--lean-imports" in flags:
        LeanTemplateGenerator._modules = service_modules(template)
        t = LeanTemplateGenerator(template)
    else:
        t = TemplateGenerator(template)
    restore_number_ip_protocols(t, numbers)
    add_update_replace_policies(t, template)
    relax_lustre_throughput_check(t)
    t_build = time.perf_counter()

    # to_dict() validates each object (required properties, cross-field checks), then
    # cfn-flip dumps YAML; sort_keys=False keeps pcstack's key order.
    yaml_text = t.to_yaml(sort_keys=False)
    t_render = time.perf_counter()

    write_atomic(out, yaml_text)
    t_write = time.perf_counter()

    if "--phases" in flags:
        ms = lambda a, b: f"{(b - a) * 1e3:.1f}"  # noqa: E731
        sys.stderr.write(
            f"import {ms(T0, t_import)} ms, read json {ms(t_import, t_read)} ms, "
            f"build typed objects {ms(t_read, t_build)} ms, "
            f"validate+render yaml {ms(t_build, t_render)} ms, write {ms(t_render, t_write)} ms "
            f"({len(t.resources)} resources, {len(t.parameters)} parameters, "
            f"{len(t.outputs)} outputs)\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
