//! The template model: every section, in CloudFormation's order.

use crate::code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::expr::Expr;
use crate::id::LogicalId;
use crate::resource::{Attribute, Handle, Resource};
use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

/// The only `AWSTemplateFormatVersion` CloudFormation has.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Delete the resource and its data (CloudFormation's default for most types).
    Delete,
    /// Keep the resource, outside the stack.
    Retain,
    /// DeletionPolicy only.
    RetainExceptOnCreate,
    /// Take a snapshot, then delete; only for types that support snapshots.
    Snapshot,
}

impl Policy {
    /// The value as the template writes it.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Delete => "Delete",
            Policy::Retain => "Retain",
            Policy::RetainExceptOnCreate => "RetainExceptOnCreate",
            Policy::Snapshot => "Snapshot",
        }
    }
}

/// Parameter types.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html>
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterType {
    /// `String`.
    String,
    /// `Number`: an integer or float; `Ref` returns it as a string.
    Number,
    /// `List<Number>`.
    NumberList,
    /// `CommaDelimitedList`: `Ref` returns a list of strings.
    CommaDelimitedList,
    /// An AWS-specific type such as `AWS::EC2::AvailabilityZone::Name`.
    Aws(String),
}

impl ParameterType {
    /// The type as the template writes it, e.g. `List<Number>`.
    pub fn name(&self) -> &str {
        match self {
            ParameterType::String => "String",
            ParameterType::Number => "Number",
            ParameterType::NumberList => "List<Number>",
            ParameterType::CommaDelimitedList => "CommaDelimitedList",
            ParameterType::Aws(t) => t,
        }
    }
}

/// A template parameter with every constraint field CloudFormation has.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// `Type`.
    pub kind: ParameterType,
    /// `Description`, shown in the console beside the field.
    pub description: Option<String>,
    /// `Default`; without one the value must be given when the stack is created.
    pub default: Option<Json>,
    /// `AllowedValues`; empty means any value.
    pub allowed_values: Vec<Json>,
    /// `AllowedPattern`, a Java regular expression the whole value must match.
    pub allowed_pattern: Option<String>,
    /// `ConstraintDescription`: what CloudFormation says when a constraint fails.
    pub constraint_description: Option<String>,
    /// `MinLength` of a String value.
    pub min_length: Option<u64>,
    /// `MaxLength` of a String value.
    pub max_length: Option<u64>,
    /// `MinValue` of a Number value.
    pub min_value: Option<f64>,
    /// `MaxValue` of a Number value.
    pub max_value: Option<f64>,
    /// `NoEcho`: the console and API mask the value.
    pub no_echo: bool,
}

impl Parameter {
    /// A parameter of type `kind` with no constraints.
    pub fn new(kind: ParameterType) -> Self {
        Parameter {
            kind,
            description: None,
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            min_length: None,
            max_length: None,
            min_value: None,
            max_value: None,
            no_echo: false,
        }
    }

    /// A `String` parameter.
    pub fn string() -> Self {
        Self::new(ParameterType::String)
    }

    /// A `Number` parameter.
    pub fn number() -> Self {
        Self::new(ParameterType::Number)
    }

    /// Sets `Description`.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Sets `Default`.
    pub fn default(mut self, v: impl Into<Json>) -> Self {
        self.default = Some(v.into());
        self
    }

    /// Sets `AllowedValues`.
    pub fn allowed_values<V: Into<Json>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `AllowedPattern`.
    pub fn allowed_pattern(mut self, p: impl Into<String>) -> Self {
        self.allowed_pattern = Some(p.into());
        self
    }

    /// Sets `ConstraintDescription`.
    pub fn constraint_description(mut self, d: impl Into<String>) -> Self {
        self.constraint_description = Some(d.into());
        self
    }

    /// Sets `MinLength` and `MaxLength`.
    pub fn length(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.min_length = min;
        self.max_length = max;
        self
    }

    /// Sets `MinValue` and `MaxValue`.
    pub fn value_range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min_value = min;
        self.max_value = max;
        self
    }

    fn into_json(self) -> Json {
        let mut m = Map::new();
        m.insert("Type".into(), self.kind.name().into());
        if let Some(d) = self.description {
            m.insert("Description".into(), d.into());
        }
        if let Some(d) = self.default {
            m.insert("Default".into(), d);
        }
        if !self.allowed_values.is_empty() {
            m.insert("AllowedValues".into(), self.allowed_values.into());
        }
        if let Some(p) = self.allowed_pattern {
            m.insert("AllowedPattern".into(), p.into());
        }
        if let Some(n) = self.min_length {
            m.insert("MinLength".into(), n.into());
        }
        if let Some(n) = self.max_length {
            m.insert("MaxLength".into(), n.into());
        }
        if let Some(n) = self.min_value {
            m.insert("MinValue".into(), number(n));
        }
        if let Some(n) = self.max_value {
            m.insert("MaxValue".into(), number(n));
        }
        if let Some(d) = self.constraint_description {
            m.insert("ConstraintDescription".into(), d.into());
        }
        if self.no_echo {
            m.insert("NoEcho".into(), true.into());
        }
        Json::Object(m)
    }
}

/// Renders whole numbers without a fractional part.
fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

/// Per-resource options besides the properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceOptions {
    /// `DependsOn`: resources to create first that no property refers to.
    pub depends_on: Vec<LogicalId>,
    /// `Condition`: the resource exists only when this condition is true.
    pub condition: Option<LogicalId>,
    /// `DeletionPolicy`: what happens to the resource when the stack deletes it.
    pub deletion_policy: Option<Policy>,
    /// `UpdateReplacePolicy`: what happens to the old resource when an update replaces it.
    pub update_replace_policy: Option<Policy>,
    /// The resource's `Metadata`.
    pub metadata: IndexMap<String, Json>,
    /// Property values written as given, after the typed properties: for the rare value the
    /// schema types differently from a template that must be matched exactly.
    pub overrides: IndexMap<String, Json>,
}

impl ResourceOptions {
    /// Writes property `name` as `value`, replacing the typed value.
    pub fn override_property(mut self, name: &str, value: Json) -> Self {
        self.overrides.insert(name.to_string(), value);
        self
    }

    /// Adds a `DependsOn` entry.
    pub fn depends_on(mut self, id: &LogicalId) -> Self {
        self.depends_on.push(id.clone());
        self
    }

    /// Sets `Condition`.
    pub fn condition(mut self, id: &LogicalId) -> Self {
        self.condition = Some(id.clone());
        self
    }

    /// Sets both DeletionPolicy and UpdateReplacePolicy.
    pub fn retain_policy(mut self, policy: Policy) -> Self {
        self.deletion_policy = Some(policy);
        self.update_replace_policy = Some(policy);
        self
    }

    /// Adds a `Metadata` entry.
    pub fn metadata(mut self, key: impl Into<String>, value: Json) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }
}

/// One resource in the template: its type, its rendered properties and options.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceEntry {
    /// The CloudFormation type, e.g. `AWS::EC2::VPC`.
    pub type_name: &'static str,
    /// The type's `Fn::GetAtt` attributes, for the reference checks.
    pub attributes: &'static [&'static str],
    /// The type's create-only property paths: changing one replaces the resource.
    pub create_only: &'static [&'static str],
    /// The properties, overrides applied.
    pub properties: Json,
    /// DependsOn, Condition, policies, metadata.
    pub options: ResourceOptions,
}

/// An output, with an optional export and condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// `Description`.
    pub description: Option<String>,
    /// `Value`: a literal or an expression.
    pub value: Json,
    /// `Export.Name`: other stacks read the value with `Fn::ImportValue` of this name.
    pub export_name: Option<Json>,
    /// `Condition`: the output exists only when this condition is true.
    pub condition: Option<LogicalId>,
}

impl Output {
    /// An output of `value`, such as `handle.reference()` or `handle.get_att(..)`.
    pub fn new(value: impl Into<Json>) -> Self {
        Output {
            description: None,
            value: value.into(),
            export_name: None,
            condition: None,
        }
    }

    /// Sets `Description`.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Exports the value under `name`.
    pub fn export(mut self, name: impl Into<Json>) -> Self {
        self.export_name = Some(name.into());
        self
    }

    /// Sets `Condition`.
    pub fn condition(mut self, id: &LogicalId) -> Self {
        self.condition = Some(id.clone());
        self
    }
}

impl From<Expr> for Json {
    fn from(e: Expr) -> Self {
        e.to_json()
    }
}

/// A `Rules` entry: assertions checked on parameter values before any resource is touched.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// `RuleCondition`: the assertions apply only when it is true.
    pub condition: Option<Expr>,
    /// Each `Assert` with its `AssertDescription`, the message CloudFormation shows.
    pub assertions: Vec<(Expr, String)>,
}

/// A parameter group in `AWS::CloudFormation::Interface`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterGroup {
    /// The group's heading in the console.
    pub label: String,
    /// The parameters shown under it, in order.
    pub parameters: Vec<LogicalId>,
}

/// A section of the template by logical ID, in insertion order. Hashed with foldhash: IDs
/// are short, and every add looks them up.
pub type Section<V> = IndexMap<LogicalId, V, foldhash::fast::RandomState>;

/// A CloudFormation template under construction. Problems found while building are
/// collected; [`Template::synthesize`] adds the whole-template checks and renders it.
///
/// The sections are public: set what has no builder (`description`, `metadata`) directly;
/// add entries through the `add_*` methods, which check IDs and report duplicates.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// Stack name, used as the first part of every diagnostic path.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// Template `Metadata`, besides the parameter groups and labels.
    pub metadata: IndexMap<String, Json>,
    /// Parameter groups of `AWS::CloudFormation::Interface`.
    pub parameter_groups: Vec<ParameterGroup>,
    /// Parameter labels of `AWS::CloudFormation::Interface`.
    pub parameter_labels: Section<String>,
    /// `Parameters`.
    pub parameters: Section<Parameter>,
    /// `Mappings`: map name, top-level key, second-level key, value.
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Json>>>,
    /// `Conditions`.
    pub conditions: Section<Expr>,
    /// `Rules`.
    pub rules: Section<Rule>,
    /// `Resources`.
    pub resources: Section<ResourceEntry>,
    /// `Outputs`.
    pub outputs: Section<Output>,
    diagnostics: Diagnostics,
}

impl Template {
    /// An empty template for the stack called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Template {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Problems recorded while building (duplicate IDs, schema checks, construct rules).
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Takes the diagnostics recorded so far, leaving none.
    pub(crate) fn take_diagnostics(&mut self) -> Diagnostics {
        std::mem::take(&mut self.diagnostics)
    }

    /// Records a diagnostic whose path is relative to the stack.
    pub fn report(&mut self, d: Diagnostic) {
        let d = d.under(&self.name);
        self.diagnostics.push(d);
    }

    /// Records several diagnostics whose paths are relative to the stack.
    pub fn report_all(&mut self, diags: Diagnostics) {
        for d in diags {
            self.report(d);
        }
    }

    fn checked_id(&mut self, section: &str, name: &str) -> LogicalId {
        match LogicalId::new(name) {
            Ok(id) => id,
            Err(d) => {
                self.report(Diagnostic {
                    path: format!("{section}/{name}"),
                    ..d
                });
                // Keep going so every other problem is found too; the error stops the write.
                LogicalId::new("Invalid").unwrap_or_else(|_| unreachable!("constant is valid"))
            }
        }
    }

    fn duplicate(&mut self, section: &str, id: &LogicalId) {
        self.report(Diagnostic::error(
            code::DUPLICATE_LOGICAL_ID,
            format!("{section}/{id}"),
            format!(
                "logical ID must be unique in the template, got {:?} twice",
                id.as_str()
            ),
        ));
    }

    /// Adds a resource and returns its typed handle. Schema checks run now.
    pub fn add<T: Resource>(&mut self, name: &str, props: T) -> Handle<T> {
        self.add_with(name, props, ResourceOptions::default())
    }

    /// Adds a resource with DependsOn, Condition, policies or metadata.
    pub fn add_with<T: Resource>(
        &mut self,
        name: &str,
        props: T,
        options: ResourceOptions,
    ) -> Handle<T> {
        let id = self.checked_id("Resources", name);
        if self.resources.contains_key(&id) || self.parameters.contains_key(&id) {
            self.duplicate("Resources", &id);
        }
        let mut diags = Diagnostics::new();
        let path = [id.as_str(), " (", T::TYPE, ")"].concat();
        props.check(&path, &mut diags);
        self.report_all(diags);
        let mut properties = match serde_json::to_value(&props) {
            Ok(v) => v,
            Err(e) => {
                self.report(Diagnostic::error(
                    code::PROPERTIES_NOT_JSON,
                    path,
                    format!("properties must serialize to JSON, got {e}"),
                ));
                Json::Null
            }
        };
        if let Json::Object(map) = &mut properties {
            // In place when the typed properties have it, else at the end.
            for (name, value) in &options.overrides {
                map.insert(name.clone(), value.clone());
            }
        }
        self.resources.insert(
            id.clone(),
            ResourceEntry {
                type_name: T::TYPE,
                attributes: <T::Attr as Attribute>::ALL,
                create_only: T::CREATE_ONLY,
                properties,
                options,
            },
        );
        Handle::new(id)
    }

    /// Options of an added resource, to add DependsOn or metadata after the fact.
    pub fn options_mut(&mut self, id: &LogicalId) -> Option<&mut ResourceOptions> {
        self.resources.get_mut(id).map(|r| &mut r.options)
    }

    /// Adds a parameter and returns its ID for `Ref`.
    pub fn add_parameter(&mut self, name: &str, p: Parameter) -> LogicalId {
        let id = self.checked_id("Parameters", name);
        if self.parameters.contains_key(&id) || self.resources.contains_key(&id) {
            self.duplicate("Parameters", &id);
        }
        self.parameters.insert(id.clone(), p);
        id
    }

    /// Adds a condition and returns its ID for `Fn::If` and `Condition`.
    pub fn add_condition(&mut self, name: &str, e: Expr) -> LogicalId {
        let id = self.checked_id("Conditions", name);
        if self.conditions.contains_key(&id) {
            self.duplicate("Conditions", &id);
        }
        self.conditions.insert(id.clone(), e);
        id
    }

    /// Adds a `Rules` entry.
    pub fn add_rule(&mut self, name: &str, rule: Rule) -> LogicalId {
        let id = self.checked_id("Rules", name);
        if self.rules.contains_key(&id) {
            self.duplicate("Rules", &id);
        }
        self.rules.insert(id.clone(), rule);
        id
    }

    /// Adds an output.
    pub fn add_output(&mut self, name: &str, o: Output) -> LogicalId {
        let id = self.checked_id("Outputs", name);
        if self.outputs.contains_key(&id) {
            self.duplicate("Outputs", &id);
        }
        self.outputs.insert(id.clone(), o);
        id
    }

    /// Adds one mapping value `map.top.second`.
    pub fn add_mapping(&mut self, map: &str, top: &str, second: &str, value: impl Into<Json>) {
        self.mappings
            .entry(map.to_string())
            .or_default()
            .entry(top.to_string())
            .or_default()
            .insert(second.to_string(), value.into());
    }

    /// Groups parameters under a heading in the console.
    pub fn add_parameter_group(&mut self, label: &str, parameters: &[&LogicalId]) {
        self.parameter_groups.push(ParameterGroup {
            label: label.to_string(),
            parameters: parameters.iter().map(|p| (*p).clone()).collect(),
        });
    }

    /// Gives a parameter a friendlier name in the console.
    pub fn label_parameter(&mut self, id: &LogicalId, label: &str) {
        self.parameter_labels.insert(id.clone(), label.to_string());
    }

    /// The whole template as JSON, sections in CloudFormation's order; empty sections left out.
    pub fn to_json(&self) -> Json {
        self.clone().take_json()
    }

    /// [`Template::to_json`], its sections moved out rather than copied (the template is
    /// left without them): what [`Template::into_synthesized`] renders.
    pub(crate) fn take_json(&mut self) -> Json {
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), FORMAT_VERSION.into());
        if let Some(d) = self.description.take() {
            t.insert("Description".into(), d.into());
        }
        let mappings = std::mem::take(&mut self.mappings)
            .into_iter()
            .map(|(name, top)| {
                let top = top
                    .into_iter()
                    .map(|(k, second)| (k, Json::Object(second.into_iter().collect())))
                    .collect();
                (name, Json::Object(top))
            })
            .collect();
        let sections = [
            ("Metadata", self.take_metadata()),
            (
                "Parameters",
                take_each(&mut self.parameters, Parameter::into_json),
            ),
            ("Rules", take_each(&mut self.rules, |r| rule_json(&r))),
            ("Mappings", mappings),
            (
                "Conditions",
                take_each(&mut self.conditions, |e| e.to_json()),
            ),
        ];
        for (name, section) in sections {
            if !section.is_empty() {
                t.insert(name.into(), Json::Object(section));
            }
        }
        // Resources always: CloudFormation requires the section.
        let resources = take_each(&mut self.resources, resource_json);
        t.insert("Resources".into(), Json::Object(resources));
        let outputs = take_each(&mut self.outputs, output_json);
        if !outputs.is_empty() {
            t.insert("Outputs".into(), Json::Object(outputs));
        }
        Json::Object(t)
    }

    /// The Metadata section: the template's own entries, then the console's parameter groups
    /// and labels (`AWS::CloudFormation::Interface`).
    fn take_metadata(&mut self) -> Map<String, Json> {
        let mut metadata: Map<String, Json> =
            std::mem::take(&mut self.metadata).into_iter().collect();
        if !self.parameter_groups.is_empty() || !self.parameter_labels.is_empty() {
            let default = |text: String| json!({ "default": text });
            let groups: Vec<Json> = std::mem::take(&mut self.parameter_groups)
                .into_iter()
                .map(|g| {
                    let parameters: Vec<String> = g
                        .parameters
                        .into_iter()
                        .map(LogicalId::into_string)
                        .collect();
                    json!({"Label": default(g.label), "Parameters": parameters})
                })
                .collect();
            let labels = take_each(&mut self.parameter_labels, default);
            metadata.insert(
                "AWS::CloudFormation::Interface".into(),
                json!({"ParameterGroups": groups, "ParameterLabels": labels}),
            );
        }
        metadata
    }
}

/// A section's entries, in insertion order, moved out of it.
fn take_each<V>(entries: &mut Section<V>, to_json: impl Fn(V) -> Json) -> Map<String, Json> {
    std::mem::take(entries)
        .into_iter()
        .map(|(k, v)| (k.into_string(), to_json(v)))
        .collect()
}

fn rule_json(r: &Rule) -> Json {
    let mut m = Map::new();
    if let Some(c) = &r.condition {
        m.insert("RuleCondition".into(), c.to_json());
    }
    let asserts: Vec<Json> = r
        .assertions
        .iter()
        .map(|(e, d)| json!({"Assert": e.to_json(), "AssertDescription": d}))
        .collect();
    m.insert("Assertions".into(), asserts.into());
    Json::Object(m)
}

fn output_json(o: Output) -> Json {
    let mut m = Map::new();
    if let Some(d) = o.description {
        m.insert("Description".into(), d.into());
    }
    if let Some(c) = o.condition {
        m.insert("Condition".into(), c.into_string().into());
    }
    m.insert("Value".into(), o.value);
    if let Some(e) = o.export_name {
        let mut export = Map::new();
        export.insert("Name".into(), e);
        m.insert("Export".into(), Json::Object(export));
    }
    Json::Object(m)
}

/// A resource's entry: type, condition, dependencies, policies, metadata, in the order
/// CloudFormation's documentation lists them, then its properties (left out when empty).
fn resource_json(r: ResourceEntry) -> Json {
    let o = r.options;
    let mut m = Map::new();
    m.insert("Type".into(), r.type_name.into());
    if let Some(c) = o.condition {
        m.insert("Condition".into(), c.into_string().into());
    }
    let mut depends_on: Vec<Json> = o
        .depends_on
        .into_iter()
        .map(|id| id.into_string().into())
        .collect();
    match depends_on.len() {
        0 => {}
        1 => {
            m.insert("DependsOn".into(), depends_on.remove(0));
        }
        _ => {
            m.insert("DependsOn".into(), depends_on.into());
        }
    }
    if let Some(p) = o.deletion_policy {
        m.insert("DeletionPolicy".into(), p.name().into());
    }
    if let Some(p) = o.update_replace_policy {
        m.insert("UpdateReplacePolicy".into(), p.name().into());
    }
    if !o.metadata.is_empty() {
        m.insert(
            "Metadata".into(),
            Json::Object(o.metadata.into_iter().collect()),
        );
    }
    if matches!(&r.properties, Json::Object(p) if !p.is_empty()) {
        m.insert("Properties".into(), r.properties);
    }
    Json::Object(m)
}
