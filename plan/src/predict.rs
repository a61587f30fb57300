//! Predicting what an update does from two templates alone, with no AWS call: resource by
//! resource and property by property, which changes replace a resource (a changed, added or
//! removed create-only property, or a type change), and which data-holding resources would be
//! replaced or removed. `pcstack diff` prints it; `deploy` checks it before creating a change set.
//!
//! Both templates are evaluated first ([`crate::eval`]), each with the parameter values it is
//! deployed with ([`predict_with`]): properties are compared as CloudFormation will resolve
//! them, so a mapping, parameter value or condition that changes what a property resolves to is
//! a change of that property, and an expression rewritten to the same value is none. Resources
//! are compared in dependency order and a replacement propagates: a replaced resource has a new
//! physical ID, so every create-only property that refers to it changes, and replaces its
//! resource in turn (the VPC, then its subnets, then the file systems in them).
//!
//! What it can't see: values known only at deployment (`Fn::ImportValue`, a parameter without a
//! value, a `NoEcho` value shown as `****`, pseudo parameters [`Context`] doesn't give). A
//! difference that involves one is reported as uncertain: a create-only property that may
//! change makes its resource "may be replaced" ([`ResourceDiff::maybe_replacement`]), and a
//! data-holding one is in the danger block. A resource's attributes are taken as unchanged
//! unless it is replaced (an in-place update that changes one is not seen); outputs are compared
//! as written; replacements CloudFormation decides at run time ("Conditional") are not
//! predicted. The change set review stays the second, authoritative check.

use crate::eval::{
    compare, is_no_echo, resource_order, Comparison, Context, Evaluated, Evaluator, Fate, Side,
    Truth, Value,
};
use crate::review::{danger_block, leaving_words, policy_of, Leaving, Policy, DANGER_TITLE};
use crate::style::Style;
use crate::types;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

/// The resource attributes compared as written besides `Type` and `Properties`. None of them
/// replaces. `Condition` is compared evaluated, except for an added or removed resource.
const ATTRIBUTES: [&str; 6] = [
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "DependsOn",
    "Metadata",
    "Condition",
    "UpdatePolicy",
];

/// Template sections compared as a whole (changed or not).
const OTHER_SECTIONS: [&str; 6] = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Mappings",
    "Conditions",
    "Transform",
];

/// What happens to a resource, parameter or output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Only in the local template.
    Add,
    /// Only in the deployed template.
    Remove,
    /// In both, with differences.
    Modify,
    /// Same logical ID, another `Type`.
    TypeChange,
}

/// One changed value at a path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// `Properties`, `DeletionPolicy`, `DependsOn`, ... for resources; empty for parameters and
    /// outputs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub attribute: String,
    /// `/`-separated path under the attribute (`LustreConfiguration/DeploymentType`,
    /// `SubnetIds/0`); empty when the attribute itself changed.
    pub path: String,
    /// The deployed value; `None` when it is added. Properties are shown evaluated
    /// ([`Value::to_json`]): a resource reference as its `Ref` / `Fn::GetAtt`, a value not known
    /// before deployment as its expression.
    pub old: Option<Json>,
    /// The local value; `None` when it is removed.
    pub new: Option<Json>,
    /// A create-only property changed (or was added or removed): the resource is replaced
    /// (or, when `uncertain`, may be).
    pub create_only: bool,
    /// The difference involves a value not known before deployment: it may not be real (for a
    /// create-only change, the create-only value may change). In JSON only when true.
    #[serde(skip_serializing_if = "is_false")]
    pub uncertain: bool,
    /// Resources the new value refers to that this update replaces: it holds their new
    /// physical ID or attribute (the expression reads the same). In JSON only when not empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaced_refs: Vec<String>,
    /// Resources the new value refers to that this update may replace. In JSON only when not
    /// empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub maybe_replaced_refs: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Change {
    fn label(&self) -> String {
        match (self.attribute.as_str(), self.path.as_str()) {
            ("Properties", "") => "Properties".to_string(),
            ("Properties" | "", p) => p.to_string(),
            (a, "") => a.to_string(),
            (a, p) => format!("{a}/{p}"),
        }
    }

    /// A change of a value compared as written.
    fn written(attribute: &str, path: String, old: Option<Json>, new: Option<Json>) -> Self {
        Change {
            attribute: attribute.to_string(),
            path,
            old,
            new,
            create_only: false,
            uncertain: false,
            replaced_refs: Vec::new(),
            maybe_replaced_refs: Vec::new(),
        }
    }

    /// A change of an evaluated property.
    fn evaluated(path: String, old: Option<&Value>, new: Option<&Value>, how: Comparison) -> Self {
        let refs = new.map(Value::changed_references).unwrap_or_default();
        let with = |fate: Fate| -> Vec<String> {
            refs.iter()
                .filter(|(_, f)| *f == fate)
                .map(|(id, _)| id.clone())
                .collect()
        };
        Change {
            replaced_refs: with(Fate::Replaced),
            maybe_replaced_refs: with(Fate::MaybeReplaced),
            uncertain: how == Comparison::MayDiffer,
            ..Change::written(
                "Properties",
                path,
                old.map(Value::to_json),
                new.map(Value::to_json),
            )
        }
    }
}

/// How one resource differs, and whether that replaces it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceDiff {
    /// The resource's logical ID.
    pub logical_id: String,
    /// Added, removed, modified, or given another type.
    pub action: Action,
    /// The local type (the deployed one for removals).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The deployed type, when it differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_type: Option<String>,
    /// The resource would be replaced: a new physical resource, the old one deleted.
    pub replacement: bool,
    /// Not certainly replaced, but a create-only property may change (its difference involves
    /// a value not known before deployment): the resource may be replaced.
    pub maybe_replacement: bool,
    /// FSx file system or association, S3 bucket, ECR repository.
    pub data_holding: bool,
    /// The type's create-only properties are known (generated types); when false, a property
    /// change may replace without this prediction seeing it.
    pub create_only_known: bool,
    /// Every changed value, in template order.
    pub changes: Vec<Change>,
    /// What happens to the current resource when it leaves the stack: the deployed template's
    /// DeletionPolicy for a removal, the local template's UpdateReplacePolicy otherwise.
    #[serde(skip)]
    pub policy: Policy,
}

/// A parameter or an output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryDiff {
    /// The parameter's or output's name.
    pub name: String,
    /// Added, removed or modified.
    pub action: Action,
    /// Every changed value.
    pub changes: Vec<Change>,
}

/// A parameter declared on both sides whose value differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParameterValue {
    /// The parameter's name.
    pub name: String,
    /// The deployed value; `None` when unknown. A `NoEcho` parameter's value is `****`.
    pub old: Option<String>,
    /// The value to deploy; `None` when unknown.
    pub new: Option<String>,
}

/// Everything that differs between a deployed template and a local one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Prediction {
    /// Resources that differ.
    pub resources: Vec<ResourceDiff>,
    /// Parameter declarations that differ.
    pub parameters: Vec<EntryDiff>,
    /// Parameters whose value differs.
    pub parameter_values: Vec<ParameterValue>,
    /// Outputs that differ.
    pub outputs: Vec<EntryDiff>,
    /// Other top-level sections that differ (`Description`, `Mappings`, `Conditions`...).
    pub sections: Vec<String>,
    /// Changes CloudFormation would start and then fail on, one line each ([`conflicts`]).
    pub conflicts: Vec<String>,
    /// For each FSx file system the local template replaces: what comes back on the new one
    /// and what doesn't ([`recovery`]), appended to its DANGER line.
    #[serde(skip)]
    pub recovery: IndexMap<String, String>,
}

/// Compares the deployed template `old` with the local template `new`, each on its parameters'
/// defaults and nothing known about the stack ([`predict_with`] with an empty [`Context`]): a
/// parameter without a default, a pseudo parameter, is the same unknown value on both sides.
pub fn predict(old: &Json, new: &Json) -> Prediction {
    let defaults = IndexMap::new();
    predict_with(
        &Side {
            template: old,
            parameters: &defaults,
        },
        &Side {
            template: new,
            parameters: &defaults,
        },
        &Context::default(),
    )
}

/// Compares the deployed side `old` with the local side `new`: both evaluated in `ctx`, their
/// resources in dependency order, a replacement propagated to what refers to it.
///
/// ```
/// use plan::eval::{Context, Side};
/// let template = |cidr: &str| serde_json::json!({
///     "Mappings": {"Net": {"VPC": {"CIDR": cidr}}},
///     "Resources": {
///         "Vpc": {"Type": "AWS::EC2::VPC",
///             "Properties": {"CidrBlock": {"Fn::FindInMap": ["Net", "VPC", "CIDR"]}}},
///         "Subnet": {"Type": "AWS::EC2::Subnet",
///             "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"}}
///     }
/// });
/// let (old, new) = (template("10.0.0.0/16"), template("10.2.0.0/16"));
/// let values = indexmap::IndexMap::new();
/// let p = plan::predict::predict_with(
///     &Side { template: &old, parameters: &values },
///     &Side { template: &new, parameters: &values },
///     &Context::default(),
/// );
/// // The mapping changes the VPC's CidrBlock (create-only): a new VPC, so a new subnet.
/// assert!(p.resources.iter().all(|r| r.replacement));
/// assert_eq!(p.resources.len(), 2);
/// ```
pub fn predict_with(old: &Side, new: &Side, ctx: &Context) -> Prediction {
    let mut before = Evaluator::new(*old, ctx);
    for id in resource_order(old.template) {
        before.resource(&id);
    }
    let mut after = Evaluator::new(*new, ctx);
    let mut found: HashMap<String, ResourceDiff> = HashMap::new();
    for id in resource_order(new.template) {
        let diff = compared(&id, old.template, new.template, &mut before, &mut after);
        let fate = match &diff {
            Some(d) if d.replacement || d.action == Action::Add => Fate::Replaced,
            Some(d) if d.maybe_replacement => Fate::MaybeReplaced,
            _ => Fate::Kept,
        };
        after.set_fate(&id, fate);
        if let Some(d) = diff {
            found.insert(id, d);
        }
    }
    let new_res = section(new.template, "Resources");
    let mut resources: Vec<ResourceDiff> =
        new_res.keys().filter_map(|id| found.remove(id)).collect();
    for (id, o) in section(old.template, "Resources") {
        match before.resource(id) {
            Some(e) if !new_res.contains_key(id) && e.present != Truth::False => {
                let changes = body_changes(o, &EMPTY, &e.properties, &NO_PROPERTIES);
                resources.push(resource(id, Action::Remove, &type_of(o), None, changes));
            }
            _ => {}
        }
    }
    for r in &mut resources {
        r.policy = match r.action {
            Action::Remove => policy_of(Some(old.template), &r.logical_id, "DeletionPolicy"),
            _ => policy_of(Some(new.template), &r.logical_id, "UpdateReplacePolicy"),
        };
    }
    let sections = OTHER_SECTIONS
        .iter()
        .filter(|s| !same(old.template.get(**s), new.template.get(**s)))
        .map(|s| s.to_string())
        .collect();
    let mut conflicts = conflicts(&resources, &mut before, &mut after);
    conflicts.extend(lustre_update_conflicts(&resources, &mut before, &mut after));
    let recovery = resources
        .iter()
        .filter(|r| {
            r.type_name == "AWS::FSx::FileSystem"
                && r.action != Action::Remove
                && (r.replacement || r.maybe_replacement)
        })
        .map(|r| (r.logical_id.clone(), recovery(new.template, &r.logical_id)))
        .collect();
    Prediction {
        recovery,
        conflicts,
        resources,
        parameters: entries(
            section(old.template, "Parameters"),
            section(new.template, "Parameters"),
        ),
        parameter_values: parameter_values(old, new),
        outputs: entries(
            section(old.template, "Outputs"),
            section(new.template, "Outputs"),
        ),
        sections,
    }
}

/// Replacements that can't succeed. CloudFormation creates a replacement before it deletes the
/// current resource, so a replacement that needs something the current one still holds fails,
/// and the update rolls back:
/// - a subnet replaced (another zone) with the same `CidrBlock` in the same VPC: EC2 refuses two
///   subnets with one block (`InvalidSubnet.Conflict`);
/// - a gateway attachment replaced (a new VPC) with the same internet gateway: a gateway is
///   attached to one VPC at a time (`Resource.AlreadyAssociated`);
/// - a NAT gateway replaced (a new subnet) with the same Elastic IP allocation: an address is
///   associated with one NAT gateway at a time.
///
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html>
const HELD_ONCE: [(&str, &str, &str); 3] = [
    (
        "AWS::EC2::Subnet",
        "CidrBlock",
        "EC2 refuses two subnets with one block in a VPC (InvalidSubnet.Conflict)",
    ),
    (
        "AWS::EC2::VPCGatewayAttachment",
        "InternetGatewayId",
        "an internet gateway is attached to one VPC at a time (Resource.AlreadyAssociated)",
    ),
    (
        "AWS::EC2::NatGateway",
        "AllocationId",
        "an Elastic IP address is associated with one NAT gateway at a time",
    ),
];

fn conflicts(
    resources: &[ResourceDiff],
    before: &mut Evaluator,
    after: &mut Evaluator,
) -> Vec<String> {
    let mut out = Vec::new();
    for r in resources.iter().filter(|r| r.action == Action::Modify) {
        let id = r.logical_id.as_str();
        let Some(old) = before.resource(id).map(|e| e.properties.clone()) else {
            continue;
        };
        let Some(new) = after.resource(id).map(|e| e.properties.clone()) else {
            continue;
        };
        if r.replacement {
            out.extend(held_once(r, &old, &new));
            out.extend(same_name(r, &old, &new));
        } else if !r.maybe_replacement {
            out.extend(refused_update(r, &old, &new));
        }
    }
    out
}

/// [`HELD_ONCE`]: the replacement needs what the current resource holds.
fn held_once(r: &ResourceDiff, old: &Value, new: &Value) -> Option<String> {
    let (_, key, why) = HELD_ONCE.iter().find(|(t, ..)| *t == r.type_name)?;
    // Subnets conflict only within one VPC: a new VPC takes any block.
    let vpc_kept = r.type_name != "AWS::EC2::Subnet"
        || match property(new, "VpcId") {
            Some(Value::Resource(reference)) => reference.fate == Fate::Kept,
            Some(Value::Scalar(_)) => true,
            _ => false,
        };
    let held = property(new, key)?;
    (vpc_kept && compare(property(old, key)?, held) == Comparison::Equal).then(|| {
        format!(
            "{} ({}): replaced with the same {key} {}: CloudFormation creates the replacement before deleting the current one, and {why}, so the update would fail and roll back; change {key} in the same update, or deploy a new stack beside this one (another --stack-name) and retire this one",
            r.logical_id,
            r.type_name,
            display_value(held)
        )
    })
}

/// A replaced resource that keeps its custom name: the replacement is created under the name
/// the current resource still holds, which the service refuses ("If you specify a name, you
/// can't perform updates that require replacement of this resource", the user guide's page on
/// the Name type). The name property is taken to be the type's `<Noun>Name` when it is
/// create-only (`AWS::S3::Bucket` `BucketName`, `AWS::ECR::Repository` `RepositoryName`,
/// `AWS::Logs::LogGroup` `LogGroupName`): other name properties are left alone, since a
/// false refusal would block a deploy that works.
///
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html>
fn same_name(r: &ResourceDiff, old: &Value, new: &Value) -> Option<String> {
    let noun = r.type_name.rsplit("::").next()?;
    let key = format!("{noun}Name");
    let entry = crate::registry::registry().get(&r.type_name)?;
    if !entry.create_only.contains(&key.as_str()) {
        return None;
    }
    let name = property(new, &key)?;
    (compare(property(old, &key)?, name) == Comparison::Equal).then(|| {
        format!(
            "{} ({}): replaced under the same {key} {}: CloudFormation creates the replacement before deleting the current one, and a name is held by one {noun} at a time, so the update would fail and roll back; give it another name in the same update (the current one is then deleted, or kept by its UpdateReplacePolicy)",
            r.logical_id,
            r.type_name,
            display_value(name)
        )
    })
}

/// Updates in place that the service refuses: an FSx file system's storage capacity can
/// only grow, and its Lustre version can only be upgraded.
///
/// <https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-storage-capacity.html>,
/// <https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/managing-storage-capacity.html>,
/// <https://docs.aws.amazon.com/fsx/latest/LustreGuide/lustre-version-upgrade.html>
fn refused_update(r: &ResourceDiff, old: &Value, new: &Value) -> Vec<String> {
    if r.type_name != "AWS::FSx::FileSystem" {
        return Vec::new();
    }
    let number = |v: &Value, key: &str| -> Option<Vec<u64>> {
        let text = match property(v, key)? {
            Value::Scalar(Json::String(s)) => s.clone(),
            Value::Scalar(Json::Number(n)) => n.to_string(),
            _ => return None,
        };
        text.split('.').map(|part| part.parse().ok()).collect()
    };
    let rules = [
        (
            "StorageCapacity",
            "storage capacity can be increased, never decreased",
        ),
        (
            "FileSystemTypeVersion",
            "a Lustre version can be upgraded, never downgraded",
        ),
    ];
    rules
        .iter()
        .filter_map(|(key, why)| {
            let (was, will) = (number(old, key)?, number(new, key)?);
            (will < was).then(|| {
                format!(
                    "{} ({}): {key} {} -> {}: FSx refuses the update ({why}), so it would fail and roll back; keep {}, or create a new file system beside this one and move the data",
                    r.logical_id,
                    r.type_name,
                    display_value(property(old, key).unwrap_or(&Value::NoValue)),
                    display_value(property(new, key).unwrap_or(&Value::NoValue)),
                    display_value(property(old, key).unwrap_or(&Value::NoValue)),
                )
            })
        })
        .collect()
}

/// What a replaced FSx file system gets back, from the data repository associations of the
/// local template that name it (`FileSystemId: {Ref: id}`): each is recreated on the new file
/// system (its FileSystemId is create-only); `BatchImportMetaDataOnCreate` lists its S3
/// prefix there at creation, `AutoImportPolicy` events follow S3 from then on. Files never
/// exported to S3, files outside the association paths, and every file of a file system
/// without associations (OpenZFS) are not brought back.
///
/// Source: FSx for Lustre User Guide, "Linking your file system to an Amazon S3 bucket"
/// (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/create-dra-linked-data-repo.html>)
/// and "Automatically import updates from your S3 bucket" (autoimport-data-repo-dra.html).
fn recovery(template: &Json, id: &str) -> String {
    let mut back = Vec::new();
    let mut export_only = Vec::new();
    for (dra, r) in section(template, "Resources") {
        let props = &r["Properties"];
        if r["Type"] != "AWS::FSx::DataRepositoryAssociation"
            || props["FileSystemId"] != serde_json::json!({"Ref": id})
        {
            continue;
        }
        let path = props["FileSystemPath"].as_str().unwrap_or("?");
        let batch = props["BatchImportMetaDataOnCreate"] == Json::Bool(true);
        let events = |policy: &str| {
            props["S3"][policy]["Events"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
        };
        let what = match (batch, events("AutoImportPolicy")) {
            (true, true) => "its S3 prefix listed at creation, then S3 changes",
            (true, false) => "its S3 prefix listed at creation",
            (false, true) => "S3 changes from then on, nothing at creation",
            (false, false) => {
                if events("AutoExportPolicy") {
                    export_only.push(format!("{dra} {path}"));
                }
                continue;
            }
        };
        back.push(format!("{dra} {path} ({what})"));
    }
    if back.is_empty() && export_only.is_empty() {
        return "no data repository association brings anything back: copy what you need before (README: Changing create-only storage settings)".into();
    }
    let mut text = String::new();
    if !back.is_empty() {
        text.push_str(&format!(
            "its data repository associations bring back on the new one: {}; ",
            back.join(", ")
        ));
    }
    text.push_str("not brought back: files not exported to S3 before the replacement, files outside the association paths");
    if !export_only.is_empty() {
        text.push_str(&format!(
            ", and what export-only associations hold ({}: in S3, not imported again)",
            export_only.join(", ")
        ));
    }
    text
}

/// Lustre updates FSx refuses on a file system that is kept (not replaced), so the update
/// would fail and roll back: a MetadataConfiguration added to one created without, and (EFA-
/// enabled) a PerUnitStorageThroughput change.
///
/// Source: FSx for Lustre User Guide, "Working with EFA-enabled file systems"
/// (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html>), and the
/// `EfaEnabled` references: it "must be set at creation ... and this prevents changes to
/// perUnitStorageThroughput".
fn lustre_update_conflicts(
    resources: &[ResourceDiff],
    before: &mut Evaluator,
    after: &mut Evaluator,
) -> Vec<String> {
    let mut out = Vec::new();
    for r in resources.iter().filter(|r| {
        !r.replacement && r.action == Action::Modify && r.type_name == "AWS::FSx::FileSystem"
    }) {
        let id = r.logical_id.as_str();
        let lustre = |e: &mut Evaluator| -> Option<Value> {
            let props = e.resource(id)?.properties.clone();
            property(&props, "LustreConfiguration").cloned()
        };
        let (Some(old), Some(new)) = (lustre(before), lustre(after)) else {
            continue;
        };
        let efa = matches!(property(&old, "EfaEnabled"), Some(Value::Scalar(v)) if v == &Json::Bool(true) || v.as_str() == Some("true"));
        let tier = |v: &Value| property(v, "PerUnitStorageThroughput").cloned();
        // A metadata configuration is given at creation only (FSx for Lustre User Guide,
        // "Managing metadata performance"; aws-parallelcluster issue 7616).
        let metadata = |v: &Value| property(v, "MetadataConfiguration").is_some();
        if !metadata(&old) && metadata(&new) {
            out.push(format!(
                "{id} ({}): MetadataConfiguration added to a file system created without one: FSx takes a metadata configuration only at creation, so the update would fail and roll back; create a new file system with it (README: Changing create-only storage settings)",
                r.type_name
            ));
        }
        let (Some(from), Some(to)) = (tier(&old), tier(&new)) else {
            continue;
        };
        if efa && compare(&from, &to) == Comparison::Differs {
            out.push(format!(
                "{id} ({}): PerUnitStorageThroughput {} -> {} on an EFA-enabled file system: FSx refuses any change of its throughput tier (FSx for Lustre User Guide, EFA-enabled file systems), so the update would fail and roll back; keep the tier and change the capacity instead",
                r.type_name,
                display_value(&from),
                display_value(&to)
            ));
        }
    }
    out
}

fn property<'v>(properties: &'v Value, key: &str) -> Option<&'v Value> {
    match properties {
        Value::Map(map) => map.get(key),
        _ => None,
    }
}

fn display_value(v: &Value) -> String {
    match v.to_json() {
        Json::String(s) => s,
        other => other.to_string(),
    }
}

/// An empty resource body: the "before" of an addition, the "after" of a removal.
static EMPTY: Json = Json::Null;

/// The properties of a resource that isn't there.
static NO_PROPERTIES: Value = Value::NoValue;

fn section<'a>(t: &'a Json, name: &str) -> &'a Map<String, Json> {
    static NONE: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
    t.get(name)
        .and_then(Json::as_object)
        .unwrap_or_else(|| NONE.get_or_init(Map::new))
}

/// Resource `id` of the local template against the deployed one: added, removed (its
/// condition false here), modified, or nothing.
fn compared(
    id: &str,
    old: &Json,
    new: &Json,
    before: &mut Evaluator,
    after: &mut Evaluator,
) -> Option<ResourceDiff> {
    let n_raw = section(new, "Resources").get(id)?;
    let n = after.resource(id)?;
    let o_raw = section(old, "Resources").get(id);
    let o = match o_raw {
        Some(_) => before.resource(id).filter(|e| e.present != Truth::False),
        None => None,
    };
    match (o_raw.zip(o), n.present != Truth::False) {
        (None, false) => None,
        (None, true) => {
            let changes = body_changes(&EMPTY, n_raw, &NO_PROPERTIES, &n.properties);
            Some(resource(id, Action::Add, &type_of(n_raw), None, changes))
        }
        (Some((o_raw, o)), false) => {
            let changes = body_changes(o_raw, &EMPTY, &o.properties, &NO_PROPERTIES);
            Some(resource(id, Action::Remove, &type_of(o_raw), None, changes))
        }
        (Some((o_raw, o)), true) => modified(id, (o_raw, o), (n_raw, n)),
    }
}

/// An added or removed resource's properties (top-level keys) and attributes, as added or
/// removed values.
fn body_changes(old: &Json, new: &Json, old_props: &Value, new_props: &Value) -> Vec<Change> {
    let empty = Value::Map(IndexMap::new());
    let (o, n) = (
        if *old_props == Value::NoValue {
            &empty
        } else {
            old_props
        },
        if *new_props == Value::NoValue {
            &empty
        } else {
            new_props
        },
    );
    let mut changes = Vec::new();
    diff_evaluated("", o, n, &mut changes);
    for c in &mut changes {
        c.uncertain = false;
    }
    changes.extend(attribute_changes(old, new, true));
    changes
}

/// The attributes compared as written; `Condition` only when `with_condition`.
fn attribute_changes(old: &Json, new: &Json, with_condition: bool) -> Vec<Change> {
    let mut out = Vec::new();
    for attr in ATTRIBUTES {
        if attr == "Condition" && !with_condition {
            continue;
        }
        let (o, n) = (old.get(attr), new.get(attr));
        let equal = if attr == "DependsOn" {
            depends_on(o) == depends_on(n)
        } else {
            same(o, n)
        };
        if !equal {
            out.push(Change::written(attr, String::new(), o.cloned(), n.cloned()));
        }
    }
    out
}

/// A resource in both templates (present on both sides): a type change, a modification (each
/// property change marked create-only or not, certain or not), or nothing.
fn modified(
    id: &str,
    (o_raw, o): (&Json, &Evaluated),
    (n_raw, n): (&Json, &Evaluated),
) -> Option<ResourceDiff> {
    let (o_type, n_type) = (type_of(o_raw), type_of(n_raw));
    let mut changes = Vec::new();
    diff_evaluated("", &o.properties, &n.properties, &mut changes);
    changes.extend(attribute_changes(o_raw, n_raw, false));
    let (oc, nc) = (o.present.to_value(), n.present.to_value());
    if compare(&oc, &nc) != Comparison::Equal {
        // Present on both sides: at least one condition is unknown.
        let mut c = Change::written(
            "Condition",
            String::new(),
            Some(oc.to_json()),
            Some(nc.to_json()),
        );
        c.uncertain = true;
        changes.push(c);
    }
    if o_type != n_type {
        return Some(resource(
            id,
            Action::TypeChange,
            &n_type,
            Some(o_type),
            changes,
        ));
    }
    if changes.is_empty() {
        return None;
    }
    if let Some(paths) = types::create_only(&n_type) {
        for c in changes.iter_mut().filter(|c| c.attribute == "Properties") {
            let own = if c.uncertain {
                Comparison::MayDiffer
            } else {
                Comparison::Differs
            };
            if let Some(how) =
                create_only_difference(paths, &c.path, own, &o.properties, &n.properties)
            {
                c.create_only = true;
                c.uncertain = how == Comparison::MayDiffer;
            }
        }
    }
    Some(resource(id, Action::Modify, &n_type, None, changes))
}

fn resource(
    id: &str,
    action: Action,
    type_name: &str,
    old_type: Option<String>,
    changes: Vec<Change>,
) -> ResourceDiff {
    let replacement = match action {
        Action::TypeChange => true,
        Action::Modify => changes.iter().any(|c| c.create_only && !c.uncertain),
        Action::Add | Action::Remove => false,
    };
    let maybe_replacement = action == Action::Modify
        && !replacement
        && changes.iter().any(|c| c.create_only && c.uncertain);
    let data_holding =
        types::holds_data(type_name) || old_type.as_deref().is_some_and(types::holds_data);
    ResourceDiff {
        logical_id: id.to_string(),
        action,
        type_name: type_name.to_string(),
        old_type,
        replacement,
        maybe_replacement,
        data_holding,
        create_only_known: types::create_only(type_name).is_some(),
        changes,
        policy: Policy::Unknown,
    }
}

fn type_of(resource: &Json) -> String {
    resource
        .get("Type")
        .and_then(Json::as_str)
        .unwrap_or("?")
        .to_string()
}

/// Every differing leaf of two evaluated values: maps key by key, lists of the same length
/// index by index (other lists as a whole), anything else as a whole.
fn diff_evaluated(path: &str, old: &Value, new: &Value, out: &mut Vec<Change>) {
    let how = compare(old, new);
    if how == Comparison::Equal {
        return;
    }
    match (old, new) {
        (Value::Map(o), Value::Map(n)) => {
            for (k, nv) in n {
                match o.get(k) {
                    Some(ov) => diff_evaluated(&join(path, k), ov, nv, out),
                    None => out.push(Change::evaluated(
                        join(path, k),
                        None,
                        Some(nv),
                        compare(&Value::NoValue, nv),
                    )),
                }
            }
            for (k, ov) in o {
                if !n.contains_key(k) {
                    out.push(Change::evaluated(
                        join(path, k),
                        Some(ov),
                        None,
                        compare(ov, &Value::NoValue),
                    ));
                }
            }
        }
        (Value::List(o), Value::List(n)) if o.len() == n.len() => {
            for (i, (ov, nv)) in o.iter().zip(n).enumerate() {
                diff_evaluated(&join(path, &i.to_string()), ov, nv, out);
            }
        }
        _ => out.push(Change::evaluated(
            path.to_string(),
            Some(old),
            Some(new),
            how,
        )),
    }
}

/// How a change at `path` touches a create-only property, if it does: the path is one or lies
/// under one (the change's own difference, `own`: a whole-object create-only path covers
/// everything in it), or holds one whose value differs (that difference).
fn create_only_difference(
    create_only: &[&str],
    path: &str,
    own: Comparison,
    old: &Value,
    new: &Value,
) -> Option<Comparison> {
    create_only
        .iter()
        .filter_map(|c| {
            if *c == path || path.starts_with(&format!("{c}/")) {
                Some(own)
            } else if path.is_empty() || c.starts_with(&format!("{path}/")) {
                Some(compare_at(old, new, c)).filter(|h| *h != Comparison::Equal)
            } else {
                None
            }
        })
        .max()
}

/// What is at a `/`-separated property path of an evaluated value.
enum At<'v> {
    Found(&'v Value),
    Absent,
    /// Inside a value not known here.
    Unknown,
}

fn at<'v>(v: &'v Value, path: &str) -> At<'v> {
    let mut cur = v;
    for key in path.split('/') {
        match cur {
            Value::Map(m) => match m.get(key) {
                Some(next) => cur = next,
                None => return At::Absent,
            },
            Value::Unknown(_) => return At::Unknown,
            _ => return At::Absent,
        }
    }
    At::Found(cur)
}

fn compare_at(old: &Value, new: &Value, path: &str) -> Comparison {
    match (at(old, path), at(new, path)) {
        (At::Absent, At::Absent) => Comparison::Equal,
        (At::Found(a), At::Found(b)) => compare(a, b),
        (At::Unknown, _) | (_, At::Unknown) => Comparison::MayDiffer,
        (At::Found(v), At::Absent) | (At::Absent, At::Found(v)) => compare(v, &Value::NoValue),
    }
}

/// Parameters declared on both sides whose values differ (both unknown is no difference).
fn parameter_values(old: &Side, new: &Side) -> Vec<ParameterValue> {
    let declared = section(old.template, "Parameters");
    section(new.template, "Parameters")
        .iter()
        .filter_map(|(name, n_decl)| {
            let o_decl = declared.get(name)?;
            let (o, n) = (old.parameter(name), new.parameter(name));
            if o == n {
                return None;
            }
            let secret = is_no_echo(o_decl) || is_no_echo(n_decl);
            let shown = |v: Option<String>| {
                if secret {
                    v.map(|_| "****".to_string())
                } else {
                    v
                }
            };
            Some(ParameterValue {
                name: name.clone(),
                old: shown(o),
                new: shown(n),
            })
        })
        .collect()
}

/// `DependsOn: X` and `DependsOn: [X]` are the same; order doesn't matter.
fn depends_on(v: Option<&Json>) -> Vec<String> {
    let mut ids: Vec<String> = match v {
        Some(Json::String(s)) => vec![s.clone()],
        Some(Json::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    ids.sort();
    ids.dedup();
    ids
}

fn entries(old: &Map<String, Json>, new: &Map<String, Json>) -> Vec<EntryDiff> {
    let mut out = Vec::new();
    let empty = Json::Object(Map::new());
    for (name, n) in new {
        let o = old.get(name);
        let mut changes = Vec::new();
        diff_values("", o.unwrap_or(&empty), n, &mut changes);
        if o.is_none() || !changes.is_empty() {
            out.push(EntryDiff {
                name: name.clone(),
                action: if o.is_none() {
                    Action::Add
                } else {
                    Action::Modify
                },
                changes: to_changes(changes),
            });
        }
    }
    for (name, o) in old {
        if !new.contains_key(name) {
            let mut changes = Vec::new();
            diff_values("", o, &empty, &mut changes);
            out.push(EntryDiff {
                name: name.clone(),
                action: Action::Remove,
                changes: to_changes(changes),
            });
        }
    }
    out
}

fn to_changes(raw: Vec<(String, Option<Json>, Option<Json>)>) -> Vec<Change> {
    raw.into_iter()
        .map(|(path, old, new)| Change::written("", path, old, new))
        .collect()
}

/// An intrinsic function or `Ref`: compared and reported as one value.
fn is_expression(v: &Json) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.keys()
                .all(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
    })
}

/// Values equal as CloudFormation sees them: scalars by their text (`-1` = `"-1"`,
/// `true` = `"true"`), objects by key, arrays in order.
fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| equal(v, w))
        }
        (Json::Object(_) | Json::Array(_), _) | (_, Json::Object(_) | Json::Array(_)) => false,
        (Json::Null, Json::Null) => true,
        (Json::Null, _) | (_, Json::Null) => false,
        _ => scalar_text(a) == scalar_text(b),
    }
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn same(a: Option<&Json>, b: Option<&Json>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => equal(x, y),
        _ => false,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}/{key}")
    }
}

/// Every differing leaf: objects key by key, arrays of the same length index by index (other
/// arrays as a whole), expressions as a whole.
fn diff_values(
    path: &str,
    old: &Json,
    new: &Json,
    out: &mut Vec<(String, Option<Json>, Option<Json>)>,
) {
    if equal(old, new) {
        return;
    }
    match (old, new) {
        (Json::Object(o), Json::Object(n)) if !is_expression(old) && !is_expression(new) => {
            for (k, nv) in n {
                match o.get(k) {
                    Some(ov) => diff_values(&join(path, k), ov, nv, out),
                    None => out.push((join(path, k), None, Some(nv.clone()))),
                }
            }
            for (k, ov) in o {
                if !n.contains_key(k) {
                    out.push((join(path, k), Some(ov.clone()), None));
                }
            }
        }
        (Json::Array(o), Json::Array(n)) if o.len() == n.len() => {
            for (i, (ov, nv)) in o.iter().zip(n).enumerate() {
                diff_values(&join(path, &i.to_string()), ov, nv, out);
            }
        }
        _ => out.push((path.to_string(), Some(old.clone()), Some(new.clone()))),
    }
}

/// The title of the block of changes that would fail ([`Prediction::conflicts`]).
pub const CONFLICT_TITLE: &str =
    "WOULD FAIL: CloudFormation would start these changes and roll back:";

impl Prediction {
    /// The templates are the same: nothing to deploy.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.parameters.is_empty()
            && self.parameter_values.is_empty()
            && self.outputs.is_empty()
            && self.sections.is_empty()
    }

    /// Replacements, possible replacements and removals of data-holding resources, one line
    /// each, worded like `review::danger` (`Fs (AWS::FSx::FileSystem): replaced: ...`, `...: may
    /// be replaced ...`): deleted, or kept under the resource's DeletionPolicy /
    /// UpdateReplacePolicy.
    pub fn danger(&self) -> Vec<String> {
        self.resources
            .iter()
            .filter(|r| r.data_holding)
            .filter_map(|r| {
                let what = match r.action {
                    Action::Remove => leaving_words(Leaving::Removed, r.policy, ""),
                    _ if r.replacement => {
                        let cause = r
                            .changes
                            .iter()
                            .filter(|c| c.create_only)
                            .map(Change::label)
                            .collect::<Vec<_>>();
                        let cause = if cause.is_empty() {
                            " (type changed)".to_string()
                        } else {
                            format!(" (create-only {} changed)", cause.join(", "))
                        };
                        leaving_words(Leaving::Replaced, r.policy, &cause)
                    }
                    _ if r.maybe_replacement => {
                        let cause = r
                            .changes
                            .iter()
                            .filter(|c| c.create_only && c.uncertain)
                            .map(Change::label)
                            .collect::<Vec<_>>()
                            .join(", ");
                        let cause = format!(" (create-only {cause} may change)");
                        leaving_words(Leaving::MaybeReplaced, r.policy, &cause)
                    }
                    _ => return None,
                };
                let recovery = self
                    .recovery
                    .get(&r.logical_id)
                    .map(|t| format!("; {t}"))
                    .unwrap_or_default();
                Some(format!(
                    "{} ({}): {what}{recovery}",
                    r.logical_id, r.type_name
                ))
            })
            .collect()
    }

    /// Logical IDs of the data-holding resources in [`Prediction::danger`].
    pub fn danger_ids(&self) -> Vec<&str> {
        self.resources
            .iter()
            .filter(|r| {
                r.data_holding
                    && (r.action == Action::Remove || r.replacement || r.maybe_replacement)
            })
            .map(|r| r.logical_id.as_str())
            .collect()
    }

    /// `(added, modified, replaced, removed)` resources; a resource that may be replaced counts
    /// as modified, not replaced ([`Prediction::maybe_replaced`]).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let n = |f: &dyn Fn(&ResourceDiff) -> bool| self.resources.iter().filter(|r| f(r)).count();
        (
            n(&|r| r.action == Action::Add),
            n(&|r| matches!(r.action, Action::Modify | Action::TypeChange)),
            n(&|r| r.replacement),
            n(&|r| r.action == Action::Remove),
        )
    }

    /// Modified resources that may be replaced (and are not certainly).
    pub fn maybe_replaced(&self) -> usize {
        self.resources
            .iter()
            .filter(|r| r.maybe_replacement)
            .count()
    }

    /// The machine-readable form of `pcstack diff --format json`.
    pub fn to_json(&self, stack_name: &str) -> Json {
        let (add, modify, replace, remove) = self.counts();
        serde_json::json!({
            "stack_name": stack_name,
            "changed": !self.is_empty(),
            "summary": {"add": add, "modify": modify, "replace": replace,
                "maybe_replace": self.maybe_replaced(), "remove": remove},
            "resources": self.resources,
            "parameters": self.parameters,
            "parameter_values": self.parameter_values,
            "outputs": self.outputs,
            "sections": self.sections,
            "danger": self.danger(),
            "conflicts": self.conflicts,
        })
    }

    /// The text form of `pcstack diff`: grouped by section and action, `+`/`~`/`-` markers,
    /// `(replaces)` on replacing changes and `(may replace)` on possibly replacing ones,
    /// parameter values after the declarations, then the danger block and a summary.
    pub fn render(&self, style: &Style) -> String {
        if self.is_empty() {
            return "no differences: the local template matches the deployed one\n".into();
        }
        let mut out = String::new();
        if !self.resources.is_empty() {
            out.push_str(&format!("{}\n", style.bold("Resources")));
            for action in [
                Action::Add,
                Action::TypeChange,
                Action::Modify,
                Action::Remove,
            ] {
                for r in self.resources.iter().filter(|r| r.action == action) {
                    self.render_resource(style, r, &mut out);
                }
            }
        }
        for (title, entries) in [("Parameters", &self.parameters), ("Outputs", &self.outputs)] {
            let values = if title == "Parameters" {
                self.parameter_values.as_slice()
            } else {
                &[]
            };
            if entries.is_empty() && values.is_empty() {
                continue;
            }
            out.push_str(&format!("{}\n", style.bold(title)));
            for action in [Action::Add, Action::Modify, Action::Remove] {
                for e in entries.iter().filter(|e| e.action == action) {
                    out.push_str(&format!("  {} {}\n", paint_sign(style, action), e.name));
                    if action == Action::Modify {
                        for c in &e.changes {
                            out.push_str(&change_line(style, c));
                        }
                    }
                }
            }
            for v in values {
                let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unknown)".into());
                out.push_str(&format!(
                    "  {} {}: {} -> {}\n",
                    paint_sign(style, Action::Modify),
                    v.name,
                    shown(&v.old),
                    shown(&v.new)
                ));
            }
        }
        if !self.sections.is_empty() {
            out.push_str(&format!(
                "{}\n  ~ {}\n",
                style.bold("Other sections"),
                self.sections.join(", ")
            ));
        }
        let danger = self.danger();
        if !danger.is_empty() {
            out.push('\n');
            out.push_str(&danger_block(style, DANGER_TITLE, &danger));
        }
        if !self.conflicts.is_empty() {
            out.push('\n');
            out.push_str(&danger_block(style, CONFLICT_TITLE, &self.conflicts));
        }
        let (add, modify, replace, remove) = self.counts();
        let maybe = match self.maybe_replaced() {
            0 => String::new(),
            n => format!(", {n} may be replaced"),
        };
        out.push_str(&format!(
            "\n{add} to add, {modify} to modify ({replace} replaced{maybe}), {remove} to remove\n"
        ));
        out
    }

    fn render_resource(&self, style: &Style, r: &ResourceDiff, out: &mut String) {
        let mut line = format!(
            "  {} {} ({})",
            paint_sign(style, r.action),
            r.logical_id,
            r.type_name
        );
        if let Some(t) = &r.old_type {
            line = format!(
                "  {} {} ({} -> {})",
                paint_sign(style, r.action),
                r.logical_id,
                t,
                r.type_name
            );
        }
        if r.replacement {
            line.push_str(&format!(" {}", style.red("(replaces)")));
        } else if r.maybe_replacement {
            line.push_str(&format!(" {}", style.yellow("(may replace)")));
        }
        if r.data_holding {
            line.push_str(" [data]");
        }
        out.push_str(&line);
        out.push('\n');
        match r.action {
            Action::TypeChange => out.push_str(&format!(
                "      {}\n",
                style.yellow("CloudFormation refuses to change a resource's type in place; rename the logical ID to replace it")
            )),
            Action::Modify => {
                for c in &r.changes {
                    out.push_str(&change_line(style, c));
                }
                if !r.create_only_known && r.changes.iter().any(|c| c.attribute == "Properties") {
                    out.push_str(&format!(
                        "      {}\n",
                        style.yellow("create-only properties of this type are unknown: the change set shows whether it is replaced")
                    ));
                }
            }
            Action::Add | Action::Remove => {}
        }
    }
}

fn paint_sign(style: &Style, action: Action) -> String {
    match action {
        Action::Add => style.green("+"),
        Action::Remove => style.red("-"),
        Action::Modify | Action::TypeChange => style.yellow("~"),
    }
}

fn change_line(style: &Style, c: &Change) -> String {
    let (sign, values) = match (&c.old, &c.new) {
        (None, Some(n)) => (Action::Add, short(n)),
        (Some(o), None) => (Action::Remove, short(o)),
        // The same expression, another value: a reference to a replaced resource.
        (Some(o), Some(n)) if o == n => (Action::Modify, short(n)),
        (Some(o), Some(n)) => {
            let (o, n) = short_pair(o, n);
            (Action::Modify, format!("{o} -> {n}"))
        }
        (None, None) => (Action::Modify, String::new()),
    };
    let mut line = format!("      {} {}: {values}", paint_sign(style, sign), c.label());
    if !c.replaced_refs.is_empty() {
        line.push_str(&format!(" ({} replaced)", c.replaced_refs.join(", ")));
    }
    if !c.maybe_replaced_refs.is_empty() {
        line.push_str(&format!(
            " ({} may be replaced)",
            c.maybe_replaced_refs.join(", ")
        ));
    }
    match (c.create_only, c.uncertain) {
        (true, false) => line.push_str(&format!(" {}", style.red("(create-only, replaces)"))),
        (true, true) => line.push_str(&format!(" {}", style.yellow("(create-only, may replace)"))),
        (false, true) => line.push_str(&format!(" {}", style.yellow("(may change)"))),
        (false, false) => {}
    }
    line.push('\n');
    line
}

/// Two long values cut where they start to differ, not both at the start: a tag added at the
/// end of a long list would otherwise look the same on both sides.
fn short_pair(old: &Json, new: &Json) -> (String, String) {
    let (o, n) = (old.to_string(), new.to_string());
    if o.chars().count() <= 120 && n.chars().count() <= 120 {
        return (o, n);
    }
    let same = o.chars().zip(n.chars()).take_while(|(a, b)| a == b).count();
    // A little of what they share, for context, then what differs.
    let start = same.saturating_sub(20);
    let window = |s: &str| {
        let rest: Vec<char> = s.chars().skip(start).collect();
        let mut out = if start > 0 {
            "...".to_string()
        } else {
            String::new()
        };
        out.extend(rest.iter().take(100));
        if rest.len() > 100 {
            out.push_str("...");
        }
        out
    };
    (window(&o), window(&n))
}

/// Compact JSON, at most 120 characters.
fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse_template;
    use serde_json::json;

    const TUTORIAL: &str = include_str!("../../tests/fixtures/tutorial-shaped.yaml");

    /// A tag added at the end of a long tag list is visible in the diff's line.
    #[test]
    fn long_values_are_cut_where_they_differ() {
        let tags: Vec<Json> = (0..8)
            .map(|i| json!({"Key": format!("team-{i}"), "Value": "machine-learning"}))
            .collect();
        let mut more = tags.clone();
        more.push(json!({"Key": "owner", "Value": "me"}));
        let line = change_line(
            &Style::PLAIN,
            &Change {
                attribute: "Properties".into(),
                path: "Tags".into(),
                old: Some(Json::Array(tags)),
                new: Some(Json::Array(more)),
                create_only: false,
                uncertain: false,
                replaced_refs: Vec::new(),
                maybe_replaced_refs: Vec::new(),
            },
        );
        let (old, new) = line.split_once(" -> ").unwrap_or_else(|| panic!("{line}"));
        assert!(new.contains(r#"{"Key":"owner","Value":"me"}"#), "{line}");
        assert!(!old.contains("owner"), "{line}");
        assert!(old.contains("...") && line.chars().count() < 300, "{line}");
    }

    /// The built-in stack exactly as `deploy` sends it: rendered to YAML and parsed back.
    fn synthesized() -> Json {
        let built = <stacks::prerequisites::Prerequisites as stacks::Stack>::build(
            &stacks::Config::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        parse_template(&built.synthesized.render(synth::Format::Yaml))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn tutorial() -> Json {
        parse_template(TUTORIAL).unwrap_or_else(|e| panic!("{e}"))
    }

    fn find<'a>(p: &'a Prediction, id: &str) -> &'a ResourceDiff {
        p.resources
            .iter()
            .find(|r| r.logical_id == id)
            .unwrap_or_else(|| panic!("no change predicted for {id}"))
    }

    fn plain() -> Style {
        Style::PLAIN
    }

    #[test]
    fn the_tutorial_stack_updates_in_place() {
        let p = predict(&tutorial(), &synthesized());
        let text = p.render(&plain());
        let replaced: Vec<&str> = p
            .resources
            .iter()
            .filter(|r| r.replacement)
            .map(|r| r.logical_id.as_str())
            .collect();
        assert!(
            replaced.is_empty(),
            "predicted replacements {replaced:?}\n{text}"
        );
        assert!(
            p.resources.iter().all(|r| r.action != Action::Remove),
            "{text}"
        );
        let mut added: Vec<&str> = p
            .resources
            .iter()
            .filter(|r| r.action == Action::Add)
            .map(|r| r.logical_id.as_str())
            .collect();
        added.sort_unstable();
        assert_eq!(
            added,
            [
                "CheckpointsAssociation",
                "DataAssociation",
                "DataBucket",
                "DataBucketPolicy",
                "LogBucket",
                "LogBucketPolicy",
                "LogsAssociation",
                "ResultsAssociation",
                "TrainingImageRepository",
                "VPCFlowLog",
            ],
            "{text}"
        );
        assert!(p.danger().is_empty(), "{text}");
        let lustre = find(&p, "FSxLFilesystem");
        assert_eq!(lustre.action, Action::Modify);
        assert!(lustre.data_holding && !lustre.replacement, "{text}");
        let policy = lustre
            .changes
            .iter()
            .find(|c| c.attribute == "DeletionPolicy")
            .unwrap_or_else(|| panic!("DeletionPolicy change missing\n{text}"));
        assert_eq!(
            (policy.old.clone(), policy.new.clone(), policy.create_only),
            (
                Some(json!("Delete")),
                Some(json!("RetainExceptOnCreate")),
                false
            )
        );
        assert!(
            text.contains("~ FSxLFilesystem (AWS::FSx::FileSystem) [data]\n"),
            "{text}"
        );
        assert!(
            text.contains("      ~ DeletionPolicy: \"Delete\" -> \"RetainExceptOnCreate\"\n"),
            "{text}"
        );
        // The race fix is a DependsOn change: shown, never replacing.
        let eip = find(&p, "ElasticIP");
        assert!(!eip.replacement);
        assert_eq!(eip.changes[0].attribute, "DependsOn");
        assert!(!text.contains("(replaces)"), "{text}");
        assert!(!text.contains("DANGER"), "{text}");
    }

    fn edited(edit: impl FnOnce(&mut Json)) -> Json {
        let mut t = synthesized();
        edit(&mut t);
        t
    }

    #[test]
    fn a_changed_group_description_replaces_the_security_group() {
        let new = edited(|t| {
            t["Resources"]["SecurityGroup"]["Properties"]["GroupDescription"] = json!("EFA");
        });
        let p = predict(&tutorial(), &new);
        let sg = find(&p, "SecurityGroup");
        assert!(sg.replacement && !sg.data_holding);
        assert_eq!(sg.changes.len(), 1);
        assert_eq!(sg.changes[0].path, "GroupDescription");
        assert!(sg.changes[0].create_only);
        let text = p.render(&plain());
        assert!(
            text.contains("~ SecurityGroup (AWS::EC2::SecurityGroup) (replaces)\n"),
            "{text}"
        );
        assert!(text.contains("      ~ GroupDescription: \"Allow EFA communication for Multi-Node Parallel Batch jobs\" -> \"EFA\" (create-only, replaces)\n"), "{text}");
        // The group itself holds no data, but a new group is a new GroupId, and the file
        // systems' SecurityGroupIds are create-only: they are replaced with it.
        for id in [
            "FSxLFilesystem",
            "OpenZFSFileSystem",
            "EFASecurityGroupIngress",
        ] {
            assert!(find(&p, id).replacement, "{id}\n{text}");
        }
        assert!(text.contains("      ~ SecurityGroupIds/0: {\"Ref\":\"SecurityGroup\"} (SecurityGroup replaced) (create-only, replaces)\n"), "{text}");
        assert_eq!(
            p.danger_ids(),
            ["FSxLFilesystem", "OpenZFSFileSystem"],
            "{text}"
        );
    }

    #[test]
    fn a_changed_lustre_deployment_type_is_a_dangerous_replacement() {
        let new = edited(|t| {
            t["Resources"]["FSxLFilesystem"]["Properties"]["LustreConfiguration"]
                ["DeploymentType"] = json!("PERSISTENT_2");
        });
        let p = predict(&tutorial(), &new);
        let fs = find(&p, "FSxLFilesystem");
        assert!(fs.replacement && fs.data_holding);
        let dt = fs
            .changes
            .iter()
            .find(|c| c.path == "LustreConfiguration/DeploymentType")
            .expect("DeploymentType change");
        assert!(dt.create_only);
        // Other Lustre changes (backups off for the associations) don't replace.
        assert!(fs
            .changes
            .iter()
            .filter(|c| c.path != "LustreConfiguration/DeploymentType")
            .all(|c| !c.create_only));
        // The built-in stack's UpdateReplacePolicy Retain keeps the old file system.
        assert_eq!(
            p.danger(),
            ["FSxLFilesystem (AWS::FSx::FileSystem): replaced by a new, empty one (create-only LustreConfiguration/DeploymentType changed); the current one is kept (UpdateReplacePolicy Retain), still billed, under its physical ID; its data repository associations bring back on the new one: DataAssociation /data (its S3 prefix listed at creation, then S3 changes), CheckpointsAssociation /checkpoints (S3 changes from then on, nothing at creation); not brought back: files not exported to S3 before the replacement, files outside the association paths, and what export-only associations hold (LogsAssociation /logs, ResultsAssociation /results: in S3, not imported again)"]
        );
        assert_eq!(p.danger_ids(), ["FSxLFilesystem"]);
        // Without that policy it is deleted.
        let deleting = edited(|t| {
            let fs = &mut t["Resources"]["FSxLFilesystem"];
            fs["Properties"]["LustreConfiguration"]["DeploymentType"] = json!("PERSISTENT_2");
            fs["UpdateReplacePolicy"] = json!("Delete");
        });
        assert_eq!(
            predict(&tutorial(), &deleting).danger(),
            ["FSxLFilesystem (AWS::FSx::FileSystem): replaced: the current one is deleted (create-only LustreConfiguration/DeploymentType changed); its data repository associations bring back on the new one: DataAssociation /data (its S3 prefix listed at creation, then S3 changes), CheckpointsAssociation /checkpoints (S3 changes from then on, nothing at creation); not brought back: files not exported to S3 before the replacement, files outside the association paths, and what export-only associations hold (LogsAssociation /logs, ResultsAssociation /results: in S3, not imported again)"]
        );
        // A file system no association names (OpenZFS) gets nothing back.
        let zfs = edited(|t| {
            t["Resources"]["OpenZFSFileSystem"]["Properties"]["OpenZFSConfiguration"]
                ["DeploymentType"] = json!("MULTI_AZ_1");
        });
        assert_eq!(
            predict(&tutorial(), &zfs).danger(),
            ["OpenZFSFileSystem (AWS::FSx::FileSystem): replaced by a new, empty one (create-only OpenZFSConfiguration/DeploymentType changed); the current one is kept (UpdateReplacePolicy Retain), still billed, under its physical ID; no data repository association brings anything back: copy what you need before (README: Changing create-only storage settings)"]
        );
        let text = p.render(&plain());
        assert!(text.contains("DANGER: data-holding resources would be replaced or removed:\n  ! FSxLFilesystem (AWS::FSx::FileSystem): replaced"), "{text}");
        assert!(
            text.contains("~ FSxLFilesystem (AWS::FSx::FileSystem) (replaces) [data]"),
            "{text}"
        );
        let j = p.to_json("s");
        let r = j["resources"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["logical_id"] == "FSxLFilesystem"))
            .cloned()
            .expect("resource in JSON");
        assert_eq!(r["action"], "modify");
        assert_eq!(r["replacement"], true);
        assert_eq!(r["data_holding"], true);
        assert!(r["changes"].as_array().is_some_and(|c| c.iter().any(|c| c
            == &json!({"attribute": "Properties", "path": "LustreConfiguration/DeploymentType", "old": "PERSISTENT_1", "new": "PERSISTENT_2", "create_only": true}))));
    }

    #[test]
    fn a_throughput_change_on_efa_enabled_lustre_would_fail() {
        let efa = |tier: i64| {
            edited(|t| {
                let lustre =
                    &mut t["Resources"]["FSxLFilesystem"]["Properties"]["LustreConfiguration"];
                lustre["EfaEnabled"] = json!(true);
                lustre["PerUnitStorageThroughput"] = json!(tier);
            })
        };
        let p = predict(&efa(1000), &efa(500));
        assert_eq!(
            p.conflicts,
            ["FSxLFilesystem (AWS::FSx::FileSystem): PerUnitStorageThroughput 1000 -> 500 on an EFA-enabled file system: FSx refuses any change of its throughput tier (FSx for Lustre User Guide, EFA-enabled file systems), so the update would fail and roll back; keep the tier and change the capacity instead"]
        );
        // The same change without EFA is an ordinary update; EfaEnabled itself is create-only.
        assert!(predict(&synthesized(), &efa(500)).conflicts.is_empty());
        let p = predict(&efa(1000), &synthesized());
        assert!(find(&p, "FSxLFilesystem").replacement);
        assert!(p.conflicts.is_empty());
        // A metadata configuration can't be added after creation.
        let with_metadata = edited(|t| {
            t["Resources"]["FSxLFilesystem"]["Properties"]["LustreConfiguration"]
                ["MetadataConfiguration"] = json!({"Mode": "AUTOMATIC"});
        });
        assert_eq!(
            predict(&synthesized(), &with_metadata).conflicts,
            ["FSxLFilesystem (AWS::FSx::FileSystem): MetadataConfiguration added to a file system created without one: FSx takes a metadata configuration only at creation, so the update would fail and roll back; create a new file system with it (README: Changing create-only storage settings)"]
        );
        assert!(predict(&with_metadata, &with_metadata).conflicts.is_empty());
    }

    #[test]
    fn a_whole_object_create_only_path_covers_what_is_under_it() {
        let new = edited(|t| {
            t["Resources"]["OpenZFSFileSystem"]["Properties"]["OpenZFSConfiguration"]
                ["RootVolumeConfiguration"]["NfsExports"][0]["ClientConfigurations"][0]
                ["Options"] = json!(["rw", "crossmnt"]);
        });
        let p = predict(&synthesized(), &new);
        let fs = find(&p, "OpenZFSFileSystem");
        assert!(fs.replacement, "{fs:?}");
        assert_eq!(
            fs.changes[0].path,
            "OpenZFSConfiguration/RootVolumeConfiguration/NfsExports/0/ClientConfigurations/0/Options"
        );
        // Removing the whole configuration removes a create-only value under it.
        let gone = edited(|t| {
            t["Resources"]["OpenZFSFileSystem"]["Properties"]
                .as_object_mut()
                .map(|m| m.remove("OpenZFSConfiguration"));
        });
        let p = predict(&synthesized(), &gone);
        assert!(find(&p, "OpenZFSFileSystem").replacement);
        // Adding a create-only property replaces too.
        let kms = edited(|t| {
            t["Resources"]["FSxLFilesystem"]["Properties"]["KmsKeyId"] = json!("k");
        });
        let p = predict(&synthesized(), &kms);
        let fs = find(&p, "FSxLFilesystem");
        assert!(fs.replacement && fs.changes[0].old.is_none());
    }

    #[test]
    fn identical_templates_and_cloudformation_equalities_are_no_change() {
        let p = predict(&synthesized(), &synthesized());
        assert!(p.is_empty(), "{p:?}");
        assert!(p.render(&plain()).starts_with("no differences"));
        let old = json!({"Resources": {"R": {"Type": "AWS::EC2::SecurityGroupIngress", "DependsOn": "A",
            "Properties": {"IpProtocol": -1, "FromPort": "-1", "ToPort": -1}}}});
        let new = json!({"Resources": {"R": {"Type": "AWS::EC2::SecurityGroupIngress", "DependsOn": ["A"],
            "Properties": {"IpProtocol": "-1", "FromPort": -1, "ToPort": -1}}}});
        assert!(predict(&old, &new).is_empty());
    }

    #[test]
    fn removals_type_changes_parameters_and_outputs() {
        let old = json!({
            "Parameters": {"A": {"Type": "Number", "Default": 1}, "Gone": {"Type": "String"}},
            "Resources": {
                "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
                "Thing": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
                "Custom": {"Type": "Custom::Thing", "Properties": {"Path": "/"}},
                "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/"}}
            },
            "Outputs": {"O": {"Value": {"Ref": "Thing"}}, "Old": {"Value": "x"}}
        });
        let new = json!({
            "Parameters": {"A": {"Type": "Number", "Default": 2, "MaxValue": 9}, "New": {"Type": "String"}},
            "Resources": {
                "Thing": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.0.0.0/16"}},
                "Custom": {"Type": "Custom::Thing", "Properties": {"Path": "/x/"}},
                "Role": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/x/"}}
            },
            "Outputs": {"O": {"Value": {"Fn::GetAtt": ["Thing", "SubnetId"]}}}
        });
        let p = predict(&old, &new);
        let bucket = find(&p, "Bucket");
        assert_eq!(bucket.action, Action::Remove);
        assert!(bucket.data_holding);
        // The deployed template's DeletionPolicy keeps it.
        assert_eq!(
            p.danger(),
            ["Bucket (AWS::S3::Bucket): removed from the stack and kept (DeletionPolicy Retain): it goes on existing, still billed, under its physical ID"]
        );
        let thing = find(&p, "Thing");
        assert_eq!(thing.action, Action::TypeChange);
        assert!(thing.replacement);
        assert_eq!(thing.old_type.as_deref(), Some("AWS::EC2::VPC"));
        let custom = find(&p, "Custom");
        assert!(!custom.replacement && !custom.create_only_known);
        // Every registry type's create-only properties are known (the type table): a role's
        // Path is one.
        let role = find(&p, "Role");
        assert!(role.replacement && role.create_only_known);
        let a = p.parameters.iter().find(|e| e.name == "A").expect("A");
        assert_eq!(a.action, Action::Modify);
        let paths: Vec<&str> = a.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["Default", "MaxValue"]);
        let actions: Vec<(&str, Action)> = p
            .parameters
            .iter()
            .chain(&p.outputs)
            .map(|e| (e.name.as_str(), e.action))
            .collect();
        assert_eq!(
            actions,
            [
                ("A", Action::Modify),
                ("New", Action::Add),
                ("Gone", Action::Remove),
                ("O", Action::Modify),
                ("Old", Action::Remove)
            ]
        );
        let text = p.render(&plain());
        for line in [
            "  ~ Thing (AWS::EC2::VPC -> AWS::EC2::Subnet) (replaces)\n",
            "  - Bucket (AWS::S3::Bucket) [data]\n",
            "  ~ Custom (Custom::Thing)\n      ~ Path: \"/\" -> \"/x/\"\n      create-only properties of this type are unknown",
            "Parameters\n  + New\n  ~ A\n      ~ Default: 1 -> 2\n      + MaxValue: 9\n  - Gone\n",
            "Outputs\n  ~ O\n      ~ Value: {\"Ref\":\"Thing\"} -> {\"Fn::GetAtt\":[\"Thing\",\"SubnetId\"]}\n  - Old\n",
            "DANGER: data-holding resources would be replaced or removed:\n  ! Bucket (AWS::S3::Bucket): removed from the stack and kept",
            "  ~ Role (AWS::IAM::Role) (replaces)\n      ~ Path: \"/\" -> \"/x/\" (create-only, replaces)\n",
            "0 to add, 3 to modify (2 replaced), 1 to remove\n",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }
}
