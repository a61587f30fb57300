//! `predict_with` on evaluated templates: the built-in stack's template and the tutorial-shaped
//! fixture, changed the ways a config or parameter change changes them (a mapping value, a
//! parameter value, a condition), and a generated change of every create-only property each
//! resource sets, whose replacement must reach every resource that refers to it through a
//! create-only property.

use indexmap::IndexMap;
use plan::eval::{references, Context, Side};
use plan::predict::{predict, predict_with, Action, Prediction, ResourceDiff};
use plan::template::parse_template;
use plan::types;
use plan::Style;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

const BUILT_IN: &str = include_str!("../../out/parallelcluster-prerequisites.yaml");
const TUTORIAL: &str = include_str!("../../tests/fixtures/tutorial-shaped.yaml");

fn built_in() -> Json {
    parse_template(BUILT_IN).unwrap_or_else(|e| panic!("{e}"))
}

fn tutorial() -> Json {
    parse_template(TUTORIAL).unwrap_or_else(|e| panic!("{e}"))
}

fn ctx() -> Context {
    Context {
        region: Some("us-east-1".into()),
        account_id: Some("123456789012".into()),
        stack_name: Some("parallelcluster-prerequisites".into()),
        stack_id: None,
        zones: Some(vec!["us-east-1a".into(), "us-east-1b".into()]),
    }
}

/// Parameter values: the stack's required one plus `extra`.
fn values(extra: &[(&str, &str)]) -> IndexMap<String, Option<String>> {
    let mut v: IndexMap<String, Option<String>> = [(
        "PrimarySubnetAZ".to_string(),
        Some("us-east-1a".to_string()),
    )]
    .into();
    for (k, x) in extra {
        v.insert(k.to_string(), Some(x.to_string()));
    }
    v
}

fn run(
    old: &Json,
    old_values: &IndexMap<String, Option<String>>,
    new: &Json,
    new_values: &IndexMap<String, Option<String>>,
) -> Prediction {
    predict_with(
        &Side {
            template: old,
            parameters: old_values,
        },
        &Side {
            template: new,
            parameters: new_values,
        },
        &ctx(),
    )
}

fn text(p: &Prediction) -> String {
    p.render(&Style::PLAIN)
}

fn find<'a>(p: &'a Prediction, id: &str) -> &'a ResourceDiff {
    p.resources
        .iter()
        .find(|r| r.logical_id == id)
        .unwrap_or_else(|| panic!("no change predicted for {id}\n{}", text(p)))
}

fn replaced(p: &Prediction) -> BTreeSet<String> {
    p.resources
        .iter()
        .filter(|r| r.replacement)
        .map(|r| r.logical_id.clone())
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// The built-in template, and the same with the config's `network.primary_cidr` 10.2.0.0/16.
fn new_vpc_cidr() -> (Json, Json, Prediction) {
    let old = built_in();
    let mut new = built_in();
    new["Mappings"]["Networking"]["VPC"]["CIDR0"] = json!("10.2.0.0/16");
    let v = values(&[]);
    let p = run(&old, &v, &new, &v);
    (old, new, p)
}

#[test]
fn a_new_vpc_cidr_in_the_mappings_replaces_the_network_and_the_file_systems() {
    let (_, _, p) = new_vpc_cidr();
    let text = text(&p);
    assert_eq!(
        replaced(&p),
        set(&[
            "VPC",
            "VpcCidrBlock",
            "GatewayToInternet",
            "PublicSubnet",
            "PrimaryPrivateSubnet",
            "NATGateway",
            "PublicRouteTable",
            "PrivateRouteTable",
            "PublicRoute",
            "PrivateRouteToInternet",
            "PublicSubnetRouteTableAssociation",
            "PrimaryPrivateSubnetRTAssociation",
            "SecurityGroup",
            "EFASecurityGroupIngress",
            "EFASecurityGroupEgress",
            "EFASecurityGroupEgressECS",
            "S3Endpoint",
            "VPCFlowLog",
            "FSxLFilesystem",
            "OpenZFSFileSystem",
            "DataAssociation",
            "CheckpointsAssociation",
            "LogsAssociation",
            "ResultsAssociation",
        ]),
        "{text}"
    );
    assert!(p.resources.iter().all(|r| !r.maybe_replacement), "{text}");
    // The mapping value is shown where it lands, evaluated; references as expressions.
    for line in [
        "  ~ VPC (AWS::EC2::VPC) (replaces)\n      ~ CidrBlock: \"10.0.0.0/16\" -> \"10.2.0.0/16\" (create-only, replaces)\n",
        "      ~ CidrBlock: \"10.0.0.0/17\" -> \"10.2.0.0/17\" (create-only, replaces)\n",
        "      ~ VpcId: {\"Ref\":\"VPC\"} (VPC replaced) (create-only, replaces)\n",
        "      ~ SubnetIds/0: {\"Ref\":\"PrimaryPrivateSubnet\"} (PrimaryPrivateSubnet replaced) (create-only, replaces)\n",
        "Other sections\n  ~ Mappings\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let danger = p.danger();
    for id in ["FSxLFilesystem", "OpenZFSFileSystem"] {
        let line = danger
            .iter()
            .find(|d| {
                d.starts_with(&format!(
                    "{id} (AWS::FSx::FileSystem): replaced by a new, empty one (create-only "
                ))
            })
            .unwrap_or_else(|| panic!("no danger line for {id}: {danger:?}"));
        assert!(
            line.contains("SubnetIds/0") && line.contains("SecurityGroupIds/0"),
            "{line}"
        );
        assert!(
            line.contains("the current one is kept (UpdateReplacePolicy Retain)"),
            "{line}"
        );
    }
    assert_eq!(
        p.danger_ids(),
        [
            "FSxLFilesystem",
            "OpenZFSFileSystem",
            "DataAssociation",
            "CheckpointsAssociation",
            "LogsAssociation",
            "ResultsAssociation"
        ]
    );
    assert!(text.contains("\nDANGER: data-holding resources would be replaced or removed:\n"));
    assert!(
        text.contains("0 to add, 24 to modify (24 replaced), 0 to remove\n"),
        "{text}"
    );
}

#[test]
fn a_new_vpc_cidr_in_json_and_without_parameters() {
    let (old, new, p) = new_vpc_cidr();
    // `predict` (defaults, nothing known about the stack) sees it too.
    assert_eq!(replaced(&predict(&old, &new)), replaced(&p));
    // In JSON: the evaluated values, and the replaced reference named.
    let j = p.to_json("s");
    let subnet = j["resources"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["logical_id"] == "PublicSubnet"))
        .cloned()
        .unwrap_or_default();
    assert!(
        subnet["changes"].as_array().is_some_and(|c| {
            c.contains(&json!({
        "attribute": "Properties", "path": "VpcId", "old": {"Ref": "VPC"}, "new": {"Ref": "VPC"},
        "create_only": true, "replaced_refs": ["VPC"]
    }))
        }),
        "{subnet}"
    );
    assert_eq!(subnet["maybe_replacement"], false);
}

#[test]
fn another_availability_zone_replaces_the_subnets_and_the_file_systems() {
    let t = built_in();
    let p = run(
        &t,
        &values(&[]),
        &t,
        &values(&[("PrimarySubnetAZ", "us-east-1b")]),
    );
    let text = text(&p);
    assert_eq!(
        replaced(&p),
        set(&[
            "PublicSubnet",
            "PrimaryPrivateSubnet",
            "NATGateway",
            "PublicSubnetRouteTableAssociation",
            "PrimaryPrivateSubnetRTAssociation",
            "FSxLFilesystem",
            "OpenZFSFileSystem",
            "DataAssociation",
            "CheckpointsAssociation",
            "LogsAssociation",
            "ResultsAssociation",
        ]),
        "{text}"
    );
    assert!(
        text.contains(
            "      ~ AvailabilityZone: \"us-east-1a\" -> \"us-east-1b\" (create-only, replaces)\n"
        ),
        "{text}"
    );
    // The Name tags follow, in place.
    assert!(text.contains("      ~ Tags/0/Value: \"AWS ParallelCluster Public Subnet - us-east-1a\" -> \"AWS ParallelCluster Public Subnet - us-east-1b\"\n"), "{text}");
    assert!(
        text.contains("Parameters\n  ~ PrimarySubnetAZ: us-east-1a -> us-east-1b\n"),
        "{text}"
    );
    assert_eq!(p.parameter_values.len(), 1);
    assert!(p.parameters.is_empty());
    assert!(
        p.danger_ids().contains(&"FSxLFilesystem") && p.danger_ids().contains(&"OpenZFSFileSystem")
    );
}

/// A subnet replaced in another zone with the same block in the same VPC can't be created
/// beside the current one, nor a NAT gateway with the current one's address, nor a gateway
/// attachment to a new VPC while the gateway is attached to the old one: the prediction says
/// the update would fail. A new secondary block alone conflicts with nothing.
#[test]
fn another_zone_alone_would_fail_on_the_subnets_blocks() {
    let t = built_in();
    let moved = values(&[("PrimarySubnetAZ", "us-east-1b")]);
    let p = run(&t, &values(&[]), &t, &moved);
    let subnets: Vec<&str> = p
        .conflicts
        .iter()
        .filter_map(|c| c.split_once(' ').map(|(id, _)| id))
        .collect();
    // The NAT gateway follows the public subnet and keeps its Elastic IP.
    assert_eq!(
        subnets,
        ["PublicSubnet", "PrimaryPrivateSubnet", "NATGateway"],
        "{}",
        text(&p)
    );
    assert!(
        p.conflicts[0].contains("the same CidrBlock 10.0.0.0/17: CloudFormation creates the replacement before deleting the current one, and EC2 refuses two subnets with one block in a VPC"),
        "{}",
        p.conflicts[0]
    );
    assert!(text(&p).contains("WOULD FAIL"), "{}", text(&p));
    assert_eq!(
        p.to_json("s")["conflicts"].as_array().map(Vec::len),
        Some(3)
    );
    // The zone with a new private block: the public subnet still conflicts.
    let mut renumbered = built_in();
    renumbered["Mappings"]["Networking"]["VPC"]["CIDR1"] = json!("10.3.0.0/16");
    let p = run(&t, &values(&[]), &renumbered, &moved);
    assert_eq!(p.conflicts.len(), 2, "{:?}", p.conflicts);
    assert!(
        p.conflicts[0].starts_with("PublicSubnet "),
        "{:?}",
        p.conflicts
    );
    // A new VPC: the subnets may keep their blocks, but the internet gateway, kept, can't be
    // attached to the new VPC while the old attachment stands.
    // So can't the NAT gateway in the new public subnet take the old one's address.
    let p = new_vpc_cidr().2;
    assert_eq!(p.conflicts.len(), 2, "{:?}", p.conflicts);
    assert!(
        p.conflicts[1].starts_with("NATGateway "),
        "{:?}",
        p.conflicts
    );
    assert!(
        p.conflicts[0].starts_with("GatewayToInternet (AWS::EC2::VPCGatewayAttachment): replaced with the same InternetGatewayId"),
        "{:?}",
        p.conflicts
    );
    // A new secondary block: the private subnet moves to a new block, nothing conflicts.
    let p = run(&t, &values(&[]), &renumbered, &values(&[]));
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    assert!(
        replaced(&p).contains("PrimaryPrivateSubnet"),
        "{}",
        text(&p)
    );
}

#[test]
fn more_lustre_capacity_is_an_in_place_change() {
    let t = built_in();
    let p = run(
        &t,
        &values(&[("Capacity", "1200")]),
        &t,
        &values(&[("Capacity", "2400")]),
    );
    let text = text(&p);
    assert_eq!(p.resources.len(), 1, "{text}");
    let fs = find(&p, "FSxLFilesystem");
    assert_eq!(fs.action, Action::Modify);
    assert!(!fs.replacement && !fs.maybe_replacement, "{text}");
    assert!(p.danger().is_empty(), "{text}");
    assert_eq!(
        (
            p.parameter_values[0].name.as_str(),
            p.parameter_values[0].old.as_deref(),
            p.parameter_values[0].new.as_deref()
        ),
        ("Capacity", Some("1200"), Some("2400"))
    );
    for line in [
        "  ~ FSxLFilesystem (AWS::FSx::FileSystem) [data]\n      ~ StorageCapacity: 1200 -> 2400\n",
        "Parameters\n  ~ Capacity: 1200 -> 2400\n",
        "0 to add, 1 to modify (0 replaced), 0 to remove\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let j = p.to_json("s");
    assert_eq!(
        j["parameter_values"],
        json!([{"name": "Capacity", "old": "1200", "new": "2400"}])
    );
    // The default is the value when none is given.
    let p = run(&t, &values(&[("Capacity", "1200")]), &t, &values(&[]));
    assert_eq!(p.parameter_values[0].new.as_deref(), Some("2400"));
}

#[test]
fn turning_the_s3_endpoint_condition_off_removes_the_endpoint() {
    let t = built_in();
    let p = run(
        &t,
        &values(&[]),
        &t,
        &values(&[("CreateS3Endpoint", "false")]),
    );
    let text = text(&p);
    assert_eq!(p.resources.len(), 1, "{text}");
    let e = find(&p, "S3Endpoint");
    assert_eq!(e.action, Action::Remove);
    assert!(
        text.contains("  - S3Endpoint (AWS::EC2::VPCEndpoint)\n"),
        "{text}"
    );
    assert!(p.danger().is_empty());
    // And back on: added.
    let p = run(
        &t,
        &values(&[("CreateS3Endpoint", "false")]),
        &t,
        &values(&[]),
    );
    assert_eq!(find(&p, "S3Endpoint").action, Action::Add);
}

#[test]
fn identical_sides_and_rewritten_expressions_are_no_change() {
    let t = built_in();
    let v = values(&[("Capacity", "4800")]);
    let p = run(&t, &v, &t, &v);
    assert!(p.is_empty(), "{}", text(&p));
    // The same value written another way.
    let mut new = built_in();
    new["Resources"]["S3Endpoint"]["Properties"]["ServiceName"] =
        json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"});
    new["Resources"]["VPC"]["Properties"]["CidrBlock"] = json!("10.0.0.0/16");
    new["Resources"]["LogBucket"]["Properties"]["BucketName"] = json!({"Fn::Join": ["-", ["parallelcluster-logs", {"Ref": "AWS::AccountId"}, "us-east-1"]]});
    new["Resources"]["PublicSubnet"]["Properties"]["AvailabilityZone"] =
        json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]});
    let p = run(&t, &v, &new, &v);
    assert!(p.resources.is_empty(), "{}", text(&p));
    // Without a context the Region is unknown, but the same unknown on both sides.
    let mut new = built_in();
    new["Resources"]["S3Endpoint"]["Properties"]["ServiceName"] =
        json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"});
    assert!(predict(&t, &new).is_empty());
}

/// A create-only property given by `Fn::ImportValue`: a changed export name may change it.
#[test]
fn an_unknown_create_only_value_may_replace() {
    let template = |export: &str| {
        json!({
            "Parameters": {"Pw": {"Type": "String", "NoEcho": true}},
            "Resources": {
                "Fs": {"Type": "AWS::FSx::FileSystem", "UpdateReplacePolicy": "Retain", "Properties": {
                    "FileSystemType": "LUSTRE",
                    "SubnetIds": [{"Fn::ImportValue": export}],
                    "StorageCapacity": 1200
                }},
                "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                    "GroupDescription": {"Ref": "Pw"},
                    "VpcId": {"Fn::ImportValue": "net-vpc"}
                }},
                "Route": {"Type": "AWS::EC2::Route", "Properties": {
                    "RouteTableId": {"Ref": "Fs"},
                    "DestinationCidrBlock": "0.0.0.0/0"
                }}
            }
        })
    };
    let (old, new) = (template("net-a"), template("net-b"));
    let none = IndexMap::new();
    let p = run(&old, &none, &new, &none);
    let text = text(&p);
    let fs = find(&p, "Fs");
    assert!(fs.maybe_replacement && !fs.replacement, "{text}");
    assert!(fs.changes[0].create_only && fs.changes[0].uncertain);
    assert_eq!(
        p.danger(),
        ["Fs (AWS::FSx::FileSystem): may be replaced by a new, empty one (create-only SubnetIds/0 may change); the current one would be kept (UpdateReplacePolicy Retain), still billed, under its physical ID; no data repository association brings anything back: copy what you need before (README: Changing create-only storage settings)"]
    );
    assert_eq!(p.danger_ids(), ["Fs"]);
    for line in [
        "  ~ Fs (AWS::FSx::FileSystem) (may replace) [data]\n",
        "      ~ SubnetIds/0: {\"Fn::ImportValue\":\"net-a\"} -> {\"Fn::ImportValue\":\"net-b\"} (create-only, may replace)\n",
        // What refers to it in a create-only property may be replaced too.
        "  ~ Route (AWS::EC2::Route) (may replace)\n      ~ RouteTableId: {\"Ref\":\"Fs\"} (Fs may be replaced) (create-only, may replace)\n",
        "0 to add, 2 to modify (0 replaced, 2 may be replaced), 0 to remove\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let j = p.to_json("s");
    assert_eq!(j["summary"]["maybe_replace"], 2);
    assert_eq!(
        j["resources"][1]["changes"][0]["maybe_replaced_refs"],
        json!(["Fs"])
    );
    assert_eq!(j["resources"][0]["maybe_replacement"], true);
    assert_eq!(j["resources"][0]["changes"][0]["uncertain"], true);
    // The same import on both sides is no change; the same secret neither, another one may be.
    assert!(run(&old, &none, &old, &none).is_empty());
    let pw = |v: Option<&str>| -> IndexMap<String, Option<String>> {
        [("Pw".to_string(), v.map(str::to_string))].into()
    };
    assert!(run(&old, &pw(Some("a")), &old, &pw(Some("a"))).is_empty());
    let p = run(&old, &pw(None), &old, &pw(Some("b")));
    let sg = find(&p, "Sg");
    assert!(sg.maybe_replacement, "{}", self::text(&p));
    assert_eq!(p.parameter_values[0].new.as_deref(), Some("****"));
    assert!(!self::text(&p).contains("\"b\"") && !p.to_json("s").to_string().contains("\"b\""));
    // A change the resource's own policy can't keep: deleted.
    let mut deleting = new.clone();
    deleting["Resources"]["Fs"]["UpdateReplacePolicy"] = json!("Delete");
    assert_eq!(
        run(&old, &none, &deleting, &none).danger(),
        ["Fs (AWS::FSx::FileSystem): may be replaced (create-only SubnetIds/0 may change): the current one would be deleted; no data repository association brings anything back: copy what you need before (README: Changing create-only storage settings)"]
    );
}

/// The value at a `/`-separated path.
fn at<'a>(v: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('/').try_fold(v, |v, k| v.get(k))
}

fn at_mut<'a>(v: &'a mut Json, path: &str) -> Option<&'a mut Json> {
    path.split('/').try_fold(v, |v, k| v.get_mut(k))
}

fn is_expression(v: &Json) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

/// No intrinsic function anywhere in it.
fn is_literal(v: &Json) -> bool {
    match v {
        Json::Array(a) => a.iter().all(is_literal),
        Json::Object(m) => !is_expression(v) && m.values().all(is_literal),
        _ => true,
    }
}

/// Changes a value so that it evaluates to something else: a literal to another literal of
/// its kind, an expression wrapped in a `Fn::Join` that appends to it, a list by its first item,
/// a mapping by a new key.
fn mutate(v: &mut Json) {
    match v {
        Json::String(s) => s.push('x'),
        Json::Number(n) => {
            *v = match n.as_i64() {
                Some(i) => json!(i + 1),
                None => json!(n.as_f64().unwrap_or(0.0) + 1.0),
            }
        }
        Json::Bool(b) => *b = !*b,
        Json::Array(a) => match a.first_mut() {
            Some(first) => mutate(first),
            None => a.push(json!("x")),
        },
        Json::Object(_) if is_expression(v) => *v = json!({"Fn::Join": ["", [v.clone(), "x"]]}),
        Json::Object(m) => {
            m.insert("PcstackTestKey".into(), json!("x"));
        }
        Json::Null => *v = json!("x"),
    }
}

/// For each resource, the resources that refer to it in a create-only property they set.
fn create_only_dependents(template: &Json) -> BTreeMap<String, BTreeSet<String>> {
    let resources = template["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, body) in &resources {
        let ty = body["Type"].as_str().unwrap_or("");
        for path in types::create_only(ty).unwrap_or(&[]) {
            if let Some(v) = at(&body["Properties"], path) {
                for r in references(v)
                    .into_iter()
                    .filter(|r| resources.contains_key(r))
                {
                    out.entry(r).or_default().insert(id.clone());
                }
            }
        }
    }
    out
}

fn closure(start: &str, dependents: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let mut seen = set(&[start]);
    let mut todo = vec![start.to_string()];
    while let Some(id) = todo.pop() {
        for d in dependents.get(&id).into_iter().flatten() {
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

/// Every create-only property each resource sets, changed: the resource and everything that
/// refers to it through create-only properties are replaced, nothing else; every literal
/// property that isn't create-only, changed: an in-place modification of that resource alone.
fn every_property_of(name: &str, template: &Json) -> usize {
    let v = values(&[]);
    assert!(run(template, &v, template, &v).is_empty(), "{name}");
    let dependents = create_only_dependents(template);
    let resources = template["Resources"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut checked = 0;
    for (id, body) in &resources {
        let ty = body["Type"].as_str().unwrap_or("");
        let props = body["Properties"].as_object().cloned().unwrap_or_default();
        for path in types::create_only(ty).unwrap_or(&[]) {
            let mut new = template.clone();
            let Some(value) = at_mut(&mut new["Resources"][id]["Properties"], path) else {
                continue;
            };
            mutate(value);
            let p = run(template, &v, &new, &v);
            let maybe: Vec<&str> = p
                .resources
                .iter()
                .filter(|r| r.maybe_replacement)
                .map(|r| r.logical_id.as_str())
                .collect();
            assert_eq!(
                (replaced(&p), maybe),
                (closure(id, &dependents), vec![]),
                "{name}: {id} {path}\n{}",
                text(&p)
            );
            checked += 1;
        }
        for (key, value) in &props {
            if types::is_create_only(ty, key) || !is_literal(value) {
                continue;
            }
            let mut new = template.clone();
            mutate(&mut new["Resources"][id]["Properties"][key]);
            let p = run(template, &v, &new, &v);
            let r = find(&p, id);
            assert!(
                p.resources.len() == 1
                    && r.action == Action::Modify
                    && !r.replacement
                    && !r.maybe_replacement,
                "{name}: {id} {key}\n{}",
                text(&p)
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_create_only_change_replaces_its_resource_and_what_refers_to_it() {
    let built_in = every_property_of("built-in", &built_in());
    let tutorial = every_property_of("tutorial-shaped", &tutorial());
    // Enough cases that a template losing most of its properties would show.
    assert!(built_in >= 100 && tutorial >= 50, "{built_in} {tutorial}");
}

/// FSx grows a file system and upgrades its Lustre version in place, and refuses the reverse:
/// a smaller capacity or an older version is an update that would fail and roll back.
#[test]
fn a_smaller_file_system_or_an_older_lustre_would_fail_and_the_reverse_does_not() {
    let t = built_in();
    let big = values(&[
        ("Capacity", "4800"),
        ("LustreVersion", "2.15"),
        ("OpenZFSCapacity", "1024"),
    ]);
    let small = values(&[
        ("Capacity", "2400"),
        ("LustreVersion", "2.12"),
        ("OpenZFSCapacity", "512"),
    ]);
    let p = run(&t, &big, &t, &small);
    assert_eq!(p.conflicts.len(), 3, "{:?}", p.conflicts);
    assert!(
        p.conflicts[0].starts_with("FSxLFilesystem (AWS::FSx::FileSystem): StorageCapacity 4800 -> 2400: FSx refuses the update (storage capacity can be increased, never decreased)"),
        "{:?}",
        p.conflicts
    );
    assert!(
        p.conflicts[1].starts_with("FSxLFilesystem (AWS::FSx::FileSystem): FileSystemTypeVersion 2.15 -> 2.12: FSx refuses the update (a Lustre version can be upgraded, never downgraded)"),
        "{:?}",
        p.conflicts
    );
    assert!(
        p.conflicts[2]
            .starts_with("OpenZFSFileSystem (AWS::FSx::FileSystem): StorageCapacity 1024 -> 512"),
        "{:?}",
        p.conflicts
    );
    assert!(text(&p).contains("WOULD FAIL"), "{}", text(&p));
    // Growing and upgrading are in-place updates FSx performs.
    let p = run(&t, &small, &t, &big);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    assert!(!find(&p, "FSxLFilesystem").replacement);
}

/// A repository replaced (its encryption is create-only) under the name the current one still
/// holds can't be created beside it; renamed in the same update, it can.
#[test]
fn a_replacement_under_the_same_custom_name_would_fail() {
    let t = built_in();
    let mut aes = t.clone();
    aes["Resources"]["TrainingImageRepository"]["Properties"]["EncryptionConfiguration"]
        ["EncryptionType"] = json!("AES256");
    let p = run(&t, &values(&[]), &aes, &values(&[]));
    assert!(find(&p, "TrainingImageRepository").replacement);
    assert_eq!(p.conflicts.len(), 1, "{:?}", p.conflicts);
    assert!(
        p.conflicts[0].starts_with("TrainingImageRepository (AWS::ECR::Repository): replaced under the same RepositoryName pytorch-training-custom:"),
        "{:?}",
        p.conflicts
    );
    aes["Resources"]["TrainingImageRepository"]["Properties"]["RepositoryName"] =
        json!("pytorch-training-aes");
    let p = run(&t, &values(&[]), &aes, &values(&[]));
    assert!(find(&p, "TrainingImageRepository").replacement);
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
}
