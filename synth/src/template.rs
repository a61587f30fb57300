//! The template model: every section, in CloudFormation's order.

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::expr::Expr;
use crate::id::LogicalId;
use crate::resource::{Attribute, Handle, Resource};
use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};

pub const FORMAT_VERSION: &str = "2010-09-09";

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
/// Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Delete,
    Retain,
    /// DeletionPolicy only.
    RetainExceptOnCreate,
    Snapshot,
}

impl Policy {
    pub fn name(self) -> &'static str {
        match self {
            Policy::Delete => "Delete",
            Policy::Retain => "Retain",
            Policy::RetainExceptOnCreate => "RetainExceptOnCreate",
            Policy::Snapshot => "Snapshot",
        }
    }
}

/// Parameter types. Source: parameters-section-structure.html.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterType {
    String,
    Number,
    NumberList,
    CommaDelimitedList,
    /// An AWS-specific type such as `AWS::EC2::AvailabilityZone::Name`.
    Aws(String),
}

impl ParameterType {
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
    pub kind: ParameterType,
    pub description: Option<String>,
    pub default: Option<Json>,
    pub allowed_values: Vec<Json>,
    pub allowed_pattern: Option<String>,
    pub constraint_description: Option<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    pub no_echo: bool,
}

impl Parameter {
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

    pub fn string() -> Self {
        Self::new(ParameterType::String)
    }

    pub fn number() -> Self {
        Self::new(ParameterType::Number)
    }

    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    pub fn default(mut self, v: impl Into<Json>) -> Self {
        self.default = Some(v.into());
        self
    }

    pub fn allowed_values<V: Into<Json>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.allowed_values = values.into_iter().map(Into::into).collect();
        self
    }

    pub fn allowed_pattern(mut self, p: impl Into<String>) -> Self {
        self.allowed_pattern = Some(p.into());
        self
    }

    pub fn constraint_description(mut self, d: impl Into<String>) -> Self {
        self.constraint_description = Some(d.into());
        self
    }

    pub fn length(mut self, min: Option<u64>, max: Option<u64>) -> Self {
        self.min_length = min;
        self.max_length = max;
        self
    }

    pub fn value_range(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.min_value = min;
        self.max_value = max;
        self
    }

    fn to_json(&self) -> Json {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.kind.name()));
        if let Some(d) = &self.description {
            m.insert("Description".into(), json!(d));
        }
        if let Some(d) = &self.default {
            m.insert("Default".into(), d.clone());
        }
        if !self.allowed_values.is_empty() {
            m.insert(
                "AllowedValues".into(),
                Json::Array(self.allowed_values.clone()),
            );
        }
        if let Some(p) = &self.allowed_pattern {
            m.insert("AllowedPattern".into(), json!(p));
        }
        if let Some(n) = self.min_length {
            m.insert("MinLength".into(), json!(n));
        }
        if let Some(n) = self.max_length {
            m.insert("MaxLength".into(), json!(n));
        }
        if let Some(n) = self.min_value {
            m.insert("MinValue".into(), number(n));
        }
        if let Some(n) = self.max_value {
            m.insert("MaxValue".into(), number(n));
        }
        if let Some(d) = &self.constraint_description {
            m.insert("ConstraintDescription".into(), json!(d));
        }
        if self.no_echo {
            m.insert("NoEcho".into(), json!(true));
        }
        Json::Object(m)
    }
}

/// Renders whole numbers without a fractional part.
fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// Per-resource options besides the properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceOptions {
    pub depends_on: Vec<LogicalId>,
    pub condition: Option<LogicalId>,
    pub deletion_policy: Option<Policy>,
    pub update_replace_policy: Option<Policy>,
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

    pub fn depends_on(mut self, id: &LogicalId) -> Self {
        self.depends_on.push(id.clone());
        self
    }

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

    pub fn metadata(mut self, key: impl Into<String>, value: Json) -> Self {
        self.metadata.insert(key.into(), value);
        self
    }
}

/// One resource in the template: its type, its rendered properties and options.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceEntry {
    pub type_name: &'static str,
    pub attributes: &'static [&'static str],
    pub create_only: &'static [&'static str],
    pub properties: Json,
    pub options: ResourceOptions,
}

/// An output, with an optional export and condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub description: Option<String>,
    pub value: Json,
    pub export_name: Option<Json>,
    pub condition: Option<LogicalId>,
}

impl Output {
    pub fn new(value: impl Into<Json>) -> Self {
        Output {
            description: None,
            value: value.into(),
            export_name: None,
            condition: None,
        }
    }

    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    pub fn export(mut self, name: impl Into<Json>) -> Self {
        self.export_name = Some(name.into());
        self
    }

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
    pub condition: Option<Expr>,
    pub assertions: Vec<(Expr, String)>,
}

/// A parameter group in `AWS::CloudFormation::Interface`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterGroup {
    pub label: String,
    pub parameters: Vec<LogicalId>,
}

/// A CloudFormation template under construction. Problems found while building are
/// collected; [`Template::validate`] adds the whole-template checks.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// Stack name, used as the first part of every diagnostic path.
    pub name: String,
    pub description: Option<String>,
    pub metadata: IndexMap<String, Json>,
    pub parameter_groups: Vec<ParameterGroup>,
    pub parameter_labels: IndexMap<LogicalId, String>,
    pub parameters: IndexMap<LogicalId, Parameter>,
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Json>>>,
    pub conditions: IndexMap<LogicalId, Expr>,
    pub rules: IndexMap<LogicalId, Rule>,
    pub resources: IndexMap<LogicalId, ResourceEntry>,
    pub outputs: IndexMap<LogicalId, Output>,
    diagnostics: Diagnostics,
}

impl Template {
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
            Code::DuplicateLogicalId,
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
        props.check(&format!("{id} ({})", T::TYPE), &mut diags);
        self.report_all(diags);
        let mut properties = match serde_json::to_value(&props) {
            Ok(v) => v,
            Err(e) => {
                self.report(Diagnostic::error(
                    Code::PropertiesNotJson,
                    format!("{id} ({})", T::TYPE),
                    format!("properties must serialize to JSON, got {e}"),
                ));
                Json::Null
            }
        };
        if let Some(map) = properties.as_object_mut() {
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

    pub fn add_condition(&mut self, name: &str, e: Expr) -> LogicalId {
        let id = self.checked_id("Conditions", name);
        if self.conditions.contains_key(&id) {
            self.duplicate("Conditions", &id);
        }
        self.conditions.insert(id.clone(), e);
        id
    }

    pub fn add_rule(&mut self, name: &str, rule: Rule) -> LogicalId {
        let id = self.checked_id("Rules", name);
        if self.rules.contains_key(&id) {
            self.duplicate("Rules", &id);
        }
        self.rules.insert(id.clone(), rule);
        id
    }

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

    pub fn add_parameter_group(&mut self, label: &str, parameters: &[&LogicalId]) {
        self.parameter_groups.push(ParameterGroup {
            label: label.to_string(),
            parameters: parameters.iter().map(|p| (*p).clone()).collect(),
        });
    }

    pub fn label_parameter(&mut self, id: &LogicalId, label: &str) {
        self.parameter_labels.insert(id.clone(), label.to_string());
    }

    /// The whole template as JSON, sections in CloudFormation's order.
    pub fn to_json(&self) -> Json {
        let mut t = Map::new();
        t.insert("AWSTemplateFormatVersion".into(), json!(FORMAT_VERSION));
        if let Some(d) = &self.description {
            t.insert("Description".into(), json!(d));
        }
        let mut metadata: Map<String, Json> = self
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !self.parameter_groups.is_empty() || !self.parameter_labels.is_empty() {
            let groups: Vec<Json> = self
                .parameter_groups
                .iter()
                .map(|g| json!({"Label": {"default": g.label}, "Parameters": g.parameters}))
                .collect();
            let labels: Map<String, Json> = self
                .parameter_labels
                .iter()
                .map(|(id, l)| (id.to_string(), json!({"default": l})))
                .collect();
            metadata.insert(
                "AWS::CloudFormation::Interface".into(),
                json!({"ParameterGroups": groups, "ParameterLabels": labels}),
            );
        }
        if !metadata.is_empty() {
            t.insert("Metadata".into(), Json::Object(metadata));
        }
        if !self.parameters.is_empty() {
            t.insert(
                "Parameters".into(),
                Json::Object(
                    self.parameters
                        .iter()
                        .map(|(k, p)| (k.to_string(), p.to_json()))
                        .collect(),
                ),
            );
        }
        if !self.rules.is_empty() {
            let rules = self
                .rules
                .iter()
                .map(|(k, r)| {
                    let mut m = Map::new();
                    if let Some(c) = &r.condition {
                        m.insert("RuleCondition".into(), c.to_json());
                    }
                    let asserts: Vec<Json> = r
                        .assertions
                        .iter()
                        .map(|(e, d)| json!({"Assert": e.to_json(), "AssertDescription": d}))
                        .collect();
                    m.insert("Assertions".into(), Json::Array(asserts));
                    (k.to_string(), Json::Object(m))
                })
                .collect();
            t.insert("Rules".into(), Json::Object(rules));
        }
        if !self.mappings.is_empty() {
            t.insert(
                "Mappings".into(),
                serde_json::to_value(&self.mappings).unwrap_or(Json::Null),
            );
        }
        if !self.conditions.is_empty() {
            t.insert(
                "Conditions".into(),
                Json::Object(
                    self.conditions
                        .iter()
                        .map(|(k, e)| (k.to_string(), e.to_json()))
                        .collect(),
                ),
            );
        }
        let resources: Map<String, Json> = self
            .resources
            .iter()
            .map(|(k, r)| (k.to_string(), resource_json(r)))
            .collect();
        t.insert("Resources".into(), Json::Object(resources));
        if !self.outputs.is_empty() {
            let outputs = self
                .outputs
                .iter()
                .map(|(k, o)| {
                    let mut m = Map::new();
                    if let Some(d) = &o.description {
                        m.insert("Description".into(), json!(d));
                    }
                    if let Some(c) = &o.condition {
                        m.insert("Condition".into(), json!(c.as_str()));
                    }
                    m.insert("Value".into(), o.value.clone());
                    if let Some(e) = &o.export_name {
                        m.insert("Export".into(), json!({"Name": e}));
                    }
                    (k.to_string(), Json::Object(m))
                })
                .collect();
            t.insert("Outputs".into(), Json::Object(outputs));
        }
        Json::Object(t)
    }
}

fn resource_json(r: &ResourceEntry) -> Json {
    let mut m = Map::new();
    m.insert("Type".into(), json!(r.type_name));
    let o = &r.options;
    if let Some(c) = &o.condition {
        m.insert("Condition".into(), json!(c.as_str()));
    }
    match o.depends_on.as_slice() {
        [] => {}
        [one] => {
            m.insert("DependsOn".into(), json!(one.as_str()));
        }
        many => {
            m.insert(
                "DependsOn".into(),
                json!(many.iter().map(LogicalId::as_str).collect::<Vec<_>>()),
            );
        }
    }
    if let Some(p) = o.deletion_policy {
        m.insert("DeletionPolicy".into(), json!(p.name()));
    }
    if let Some(p) = o.update_replace_policy {
        m.insert("UpdateReplacePolicy".into(), json!(p.name()));
    }
    if !o.metadata.is_empty() {
        m.insert(
            "Metadata".into(),
            serde_json::to_value(&o.metadata).unwrap_or(Json::Null),
        );
    }
    if r.properties.as_object().is_some_and(|p| !p.is_empty()) {
        m.insert("Properties".into(), r.properties.clone());
    }
    Json::Object(m)
}
