//! Predicting what an update does from two templates alone, with no AWS call: resource by
//! resource and property by property, which changes replace a resource (a changed, added or
//! removed create-only property, or a type change), and which data-holding resources would be
//! replaced or removed. `pcstack diff` prints it; `deploy` checks it before creating a change set.
//!
//! What it can't see: parameter values (a `Ref` to a parameter whose value changes is not a
//! template change), conditions' evaluation, and replacements CloudFormation decides at run time
//! ("Conditional"). The change set review stays the second, authoritative check.

use crate::review::{danger_block, leaving_words, policy_of, Leaving, Policy, DANGER_TITLE};
use crate::style::Style;
use crate::types;
use serde::Serialize;
use serde_json::{Map, Value as Json};

/// The resource attributes compared besides `Type` and `Properties`. None of them replaces.
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
    /// The deployed value; `None` when it is added.
    pub old: Option<Json>,
    /// The local value; `None` when it is removed.
    pub new: Option<Json>,
    /// A create-only property changed (or was added or removed): the resource is replaced.
    pub create_only: bool,
}

impl Change {
    fn label(&self) -> String {
        match (self.attribute.as_str(), self.path.as_str()) {
            ("Properties" | "", p) => p.to_string(),
            (a, "") => a.to_string(),
            (a, p) => format!("{a}/{p}"),
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

/// Everything that differs between a deployed template and a local one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Prediction {
    /// Resources that differ.
    pub resources: Vec<ResourceDiff>,
    /// Parameter declarations that differ.
    pub parameters: Vec<EntryDiff>,
    /// Outputs that differ.
    pub outputs: Vec<EntryDiff>,
    /// Other top-level sections that differ (`Description`, `Mappings`, `Conditions`...).
    pub sections: Vec<String>,
}

/// Compares the deployed template `old` with the local template `new`.
pub fn predict(old: &Json, new: &Json) -> Prediction {
    let (old_res, new_res) = (section(old, "Resources"), section(new, "Resources"));
    let mut resources: Vec<ResourceDiff> = new_res
        .iter()
        .filter_map(|(id, n)| match old_res.get(id) {
            None => Some(resource(
                id,
                Action::Add,
                &type_of(n),
                None,
                body_changes(&EMPTY, n),
            )),
            Some(o) => modified(id, o, n),
        })
        .collect();
    resources.extend(
        old_res
            .iter()
            .filter(|(id, _)| !new_res.contains_key(*id))
            .map(|(id, o)| {
                resource(
                    id,
                    Action::Remove,
                    &type_of(o),
                    None,
                    body_changes(o, &EMPTY),
                )
            }),
    );
    for r in &mut resources {
        r.policy = match r.action {
            Action::Remove => policy_of(Some(old), &r.logical_id, "DeletionPolicy"),
            _ => policy_of(Some(new), &r.logical_id, "UpdateReplacePolicy"),
        };
    }
    let sections = OTHER_SECTIONS
        .iter()
        .filter(|s| !same(old.get(**s), new.get(**s)))
        .map(|s| s.to_string())
        .collect();
    Prediction {
        resources,
        parameters: entries(section(old, "Parameters"), section(new, "Parameters")),
        outputs: entries(section(old, "Outputs"), section(new, "Outputs")),
        sections,
    }
}

/// An empty resource body: the "before" of an addition, the "after" of a removal.
static EMPTY: Json = Json::Null;

fn section<'a>(t: &'a Json, name: &str) -> &'a Map<String, Json> {
    static NONE: std::sync::OnceLock<Map<String, Json>> = std::sync::OnceLock::new();
    t.get(name)
        .and_then(Json::as_object)
        .unwrap_or_else(|| NONE.get_or_init(Map::new))
}

fn body_changes(old: &Json, new: &Json) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_resource_body(old, new, &mut changes);
    changes
}

/// A resource in both templates: a type change, a modification (each property change marked
/// create-only or not), or nothing.
fn modified(id: &str, o: &Json, n: &Json) -> Option<ResourceDiff> {
    let (o_type, n_type) = (type_of(o), type_of(n));
    let mut changes = body_changes(o, n);
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
    let (o_props, n_props) = (props(o), props(n));
    let paths = types::create_only(&n_type);
    for c in &mut changes {
        c.create_only = c.attribute == "Properties"
            && paths.is_some_and(|p| touches_create_only(p, &c.path, &o_props, &n_props));
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
        Action::Modify => changes.iter().any(|c| c.create_only),
        Action::Add | Action::Remove => false,
    };
    let data_holding =
        types::holds_data(type_name) || old_type.as_deref().is_some_and(types::holds_data);
    ResourceDiff {
        logical_id: id.to_string(),
        action,
        type_name: type_name.to_string(),
        old_type,
        replacement,
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

fn props(resource: &Json) -> Json {
    resource
        .get("Properties")
        .cloned()
        .unwrap_or_else(|| Json::Object(Map::new()))
}

/// Properties (path by path) and the other attributes (as a whole).
fn diff_resource_body(old: &Json, new: &Json, out: &mut Vec<Change>) {
    let mut changes = Vec::new();
    diff_values("", &props(old), &props(new), &mut changes);
    out.extend(changes.into_iter().map(|(path, old, new)| Change {
        attribute: "Properties".into(),
        path,
        old,
        new,
        create_only: false,
    }));
    for attr in ATTRIBUTES {
        let (o, n) = (old.get(attr), new.get(attr));
        let equal = if attr == "DependsOn" {
            depends_on(o) == depends_on(n)
        } else {
            same(o, n)
        };
        if !equal {
            out.push(Change {
                attribute: attr.into(),
                path: String::new(),
                old: o.cloned(),
                new: n.cloned(),
                create_only: false,
            });
        }
    }
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
        .map(|(path, old, new)| Change {
            attribute: String::new(),
            path,
            old,
            new,
            create_only: false,
        })
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

/// Whether a change at `path` touches a create-only property: the path is one, lies under one
/// (a whole-object create-only path covers everything in it), or holds one whose value differs.
fn touches_create_only(create_only: &[&str], path: &str, old: &Json, new: &Json) -> bool {
    create_only.iter().any(|c| {
        *c == path
            || path.starts_with(&format!("{c}/"))
            || ((path.is_empty() || c.starts_with(&format!("{path}/")))
                && !same(at(old, c), at(new, c)))
    })
}

fn at<'a>(v: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('/').try_fold(v, |v, k| v.get(k))
}

impl Prediction {
    /// The templates are the same: nothing to deploy.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
            && self.parameters.is_empty()
            && self.outputs.is_empty()
            && self.sections.is_empty()
    }

    /// Replacements and removals of data-holding resources, one line each, worded like
    /// `review::danger` (`Fs (AWS::FSx::FileSystem): replaced: ...`): deleted, or kept under
    /// the resource's DeletionPolicy / UpdateReplacePolicy.
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
                    _ => return None,
                };
                Some(format!("{} ({}): {what}", r.logical_id, r.type_name))
            })
            .collect()
    }

    /// Logical IDs of the data-holding resources in [`Prediction::danger`].
    pub fn danger_ids(&self) -> Vec<&str> {
        self.resources
            .iter()
            .filter(|r| r.data_holding && (r.action == Action::Remove || r.replacement))
            .map(|r| r.logical_id.as_str())
            .collect()
    }

    /// `(added, modified, replaced, removed)` resources.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let n = |f: &dyn Fn(&ResourceDiff) -> bool| self.resources.iter().filter(|r| f(r)).count();
        (
            n(&|r| r.action == Action::Add),
            n(&|r| matches!(r.action, Action::Modify | Action::TypeChange)),
            n(&|r| r.replacement),
            n(&|r| r.action == Action::Remove),
        )
    }

    /// The machine-readable form of `pcstack diff --format json`.
    pub fn to_json(&self, stack_name: &str) -> Json {
        let (add, modify, replace, remove) = self.counts();
        serde_json::json!({
            "stack_name": stack_name,
            "changed": !self.is_empty(),
            "summary": {"add": add, "modify": modify, "replace": replace, "remove": remove},
            "resources": self.resources,
            "parameters": self.parameters,
            "outputs": self.outputs,
            "sections": self.sections,
            "danger": self.danger(),
        })
    }

    /// The text form of `pcstack diff`: grouped by section and action, `+`/`~`/`-` markers,
    /// `(replaces)` on replacing changes, then the danger block and a summary.
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
            if entries.is_empty() {
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
        let (add, modify, replace, remove) = self.counts();
        out.push_str(&format!(
            "\n{add} to add, {modify} to modify ({replace} replaced), {remove} to remove\n"
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
        (Some(o), Some(n)) => (Action::Modify, format!("{} -> {}", short(o), short(n))),
        (None, None) => (Action::Modify, String::new()),
    };
    let mut line = format!("      {} {}: {values}", paint_sign(style, sign), c.label());
    if c.create_only {
        line.push_str(&format!(" {}", style.red("(create-only, replaces)")));
    }
    line.push('\n');
    line
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

    /// The built-in stack exactly as `deploy` sends it: rendered to YAML and parsed back.
    fn synthesized() -> Json {
        let built = stacks::build(stacks::prerequisites::NAME, &stacks::Config::default())
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
        // Not data-holding: no danger block.
        assert!(p.danger().is_empty(), "{text}");
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
            ["FSxLFilesystem (AWS::FSx::FileSystem): replaced by a new, empty one (create-only LustreConfiguration/DeploymentType changed); the current one is kept (UpdateReplacePolicy Retain), still billed, under its physical ID"]
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
            ["FSxLFilesystem (AWS::FSx::FileSystem): replaced: the current one is deleted (create-only LustreConfiguration/DeploymentType changed)"]
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
