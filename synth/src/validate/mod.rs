//! Whole-template checks on the rendered JSON, so they apply to any template, built here or
//! read from a file (`pcstack synth` runs them on what it builds, `deploy --template` and
//! `diff` on the file). One module per family:
//!
//! - this module: sections, names, limits, and the driver;
//! - `transforms`: what SAM, LanguageExtensions, macros and `Fn::Transform` snippets allow;
//! - `resources`: resource attributes (`DeletionPolicy` ...), `DependsOn`, and with a
//!   [`Catalog`] ([`validate_with`]) each resource's type (in the target Region), property
//!   names and required properties;
//! - `schema`: with a catalog that has the type's registry schema, every property value
//!   against it (types, nested structures, enums, patterns, bounds, `oneOf`/`anyOf`);
//! - `references`: `Ref`, `Fn::GetAtt` (dotted attributes too), `Fn::Sub` variables,
//!   `Fn::FindInMap`, conditions, in properties, outputs and resource `Metadata`;
//! - `functions`: every `Fn::` name by name and argument shape;
//! - `outputs`: output values and export names used once;
//! - `cycles`: dependency cycles.
//!
//! A resource's (or the template's) `Metadata.cfn-lint.config.ignore_checks` makes the errors
//! of the codes it lists warnings, as cfn-lint does for the rules whose codes pcstack shares.
//!
//! Transforms: with `AWS::Serverless-2016-10-31` (SAM) the `Globals` section and the SAM
//! attributes are accepted, `AWS::Serverless::*` resources are left to the transform, and a
//! reference may name a resource SAM generates (named after a SAM resource, or
//! `Serverless...`). With `AWS::LanguageExtensions`, `Fn::ForEach::*` entries are left to
//! the transform (references may name the IDs they generate). `DeletionPolicy` and
//! `UpdateReplacePolicy` may be intrinsic functions and `Fn::FindInMap` may carry a
//! `DefaultValue` with or without it (CloudFormation itself resolves them now).
//! Any other transform (a macro, or a known one such as `AWS::CodeDeployBlueGreen`) may change
//! anything, so only the template's shape is checked. An `Fn::Transform` snippet at the top
//! level or in place of a section's entries may add any entry, so references to undeclared
//! names are accepted; the resource holding one is not checked against its type.
//!
//! Limits source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>

mod cycles;
mod functions;
mod outputs;
mod references;
mod resources;
mod schema;
mod transforms;

pub use functions::FUNCTIONS;
pub use references::sub_variables;
pub use schema::{parameter_shape, Shape};
pub use transforms::{has_transform_snippet, needs_transform, transforms};

use crate::catalog::Catalog;
use crate::code;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::id::{is_logical_id, MAX_NAME_LEN};
use indexmap::{IndexMap, IndexSet};
use serde_json::{Map, Value as Json};
use transforms::Transforms;

/// Most resources one template may declare.
pub const MAX_RESOURCES: usize = 500;
/// Most parameters one template may declare.
pub const MAX_PARAMETERS: usize = 200;
/// Most outputs one template may declare.
pub const MAX_OUTPUTS: usize = 200;
/// Most mappings one template may declare.
pub const MAX_MAPPINGS: usize = 200;
/// Most attributes (second-level keys) one mapping may have.
pub const MAX_MAPPING_ATTRIBUTES: usize = 200;
/// Longest template Description, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 1024;
/// Largest template accepted inline as `TemplateBody`.
pub const MAX_BODY_BYTES: usize = 51_200;
/// Largest template accepted from S3 through `TemplateURL`.
pub const MAX_URL_TEMPLATE_BYTES: usize = 1_000_000;

const SECTIONS: [&str; 10] = [
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// The transform that lets a template use SAM resources and `Globals`.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";
/// The transform that adds `Fn::ForEach`, `Fn::Length`, `Fn::ToJsonString` and intrinsic
/// functions in resource policies.
pub const LANGUAGE_EXTENSIONS: &str = "AWS::LanguageExtensions";

/// Looks up the GetAtt attributes of a resource type; `None` when the type is unknown here.
pub type AttributeLookup<'a> = &'a dyn Fn(&str) -> Option<&'static [&'static str]>;

/// Runs every whole-template check. `stack` prefixes each path.
pub fn validate(stack: &str, template: &Json, attributes: AttributeLookup<'_>) -> Diagnostics {
    let mut v = Validator {
        stack,
        diags: Diagnostics::new(),
        attributes: Some(attributes),
        ..Default::default()
    };
    v.run(template);
    v.diags
}

/// Runs every whole-template check, and checks every resource against `catalog`: that its type
/// exists (in the catalog's Region), its property names, its required properties and the
/// attributes `Fn::GetAtt` reads from it. Custom resources (`Custom::*`,
/// `AWS::CloudFormation::CustomResource`) and modules (`::MODULE`) are not checked; a type
/// the catalog doesn't know is a warning, or an error when it is a near miss of a known type.
pub fn validate_with(stack: &str, template: &Json, catalog: &dyn Catalog) -> Diagnostics {
    let mut v = Validator {
        stack,
        diags: Diagnostics::new(),
        catalog: Some(catalog),
        ..Default::default()
    };
    v.run(template);
    v.diags
}

/// Checks the rendered size of a template body: `bytes` is the length of the text deploy
/// sends ([`Template::synthesize`](crate::Template::synthesize) passes the YAML rendering's
/// length).
pub fn check_body_size(stack: &str, bytes: usize) -> Option<Diagnostic> {
    if bytes > MAX_URL_TEMPLATE_BYTES {
        Some(Diagnostic::error(
            code::TEMPLATE_SIZE,
            stack,
            format!("template size must be at most {MAX_URL_TEMPLATE_BYTES} bytes for CloudFormation, got {bytes}"),
        ))
    } else if bytes > MAX_BODY_BYTES {
        Some(Diagnostic::info(
            code::TEMPLATE_BODY_SIZE,
            stack,
            format!("template size must be at most {MAX_BODY_BYTES} bytes to be sent inline, got {bytes}; deploy uploads it to S3"),
        ))
    } else {
        None
    }
}

/// The hasher of the checks' own tables: the names are the template's, short, and looked up
/// for every reference; SipHash's guard against chosen keys buys nothing for a template the
/// user checks on their own machine.
type Fast = foldhash::fast::RandomState;
type Names<'a> = IndexSet<&'a str, Fast>;

/// The names are borrowed from the template: recording them allocates nothing.
struct Validator<'a> {
    stack: &'a str,
    diags: Diagnostics,
    attributes: Option<AttributeLookup<'a>>,
    catalog: Option<&'a dyn Catalog>,
    tx: Transforms<'a>,
    parameters: Names<'a>,
    /// Parameter -> its `Type`.
    parameter_types: IndexMap<&'a str, &'a str, Fast>,
    /// Resource -> its type.
    resources: IndexMap<&'a str, &'a str, Fast>,
    conditions: Names<'a>,
    mappings: Option<&'a Map<String, Json>>,
    /// The resources walked, in order: the nodes of the dependency graph.
    walked: Vec<&'a str>,
    /// Resource -> a resource it needs first, as found (repeats included).
    edges: Vec<(&'a str, &'a str)>,
    /// The resource being checked has had its property values checked against its schema
    /// (which then reports unknown functions in them).
    values_checked: bool,
    /// Rule codes the template's `Metadata.cfn-lint.config.ignore_checks` names: for the
    /// whole template, and for the resource being checked.
    ignored: Vec<&'a str>,
    ignored_here: Vec<&'a str>,
}

impl Default for Validator<'_> {
    fn default() -> Self {
        Validator {
            stack: "",
            diags: Diagnostics::new(),
            attributes: None,
            catalog: None,
            tx: Transforms::default(),
            parameters: Names::default(),
            parameter_types: IndexMap::default(),
            resources: IndexMap::default(),
            conditions: Names::default(),
            mappings: None,
            walked: Vec::new(),
            edges: Vec::new(),
            values_checked: false,
            ignored: Vec::new(),
            ignored_here: Vec::new(),
        }
    }
}

/// The kind of value, for messages: "a string", "a mapping".
pub(crate) fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "a mapping",
    }
}

/// Whether a type is a custom resource: any properties and attributes are the provider's.
fn is_custom(type_name: &str) -> bool {
    type_name.starts_with("Custom::") || type_name == "AWS::CloudFormation::CustomResource"
}

/// Where a reference was found, for the rules that differ by section.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    Resource,
    Output,
    /// Conditions and Rules see parameters and pseudo parameters only.
    ParametersOnly,
}

impl<'a> Validator<'a> {
    /// Reports an error; a warning when the template's cfn-lint `ignore_checks` names its
    /// code (or a prefix of it), as cfn-lint does for the rules it shares codes with.
    fn error(&mut self, code: Code, path: String, message: String) {
        let path = format!("{}/{path}", self.stack);
        let c = code.as_str();
        match self.ignored.iter().chain(&self.ignored_here).find(|i| c.starts_with(**i)) {
            Some(rule) => self.diags.push(Diagnostic::warning(
                code,
                path,
                format!("{message} (the template's cfn-lint ignore_checks names {rule}, so not an error)"),
            )),
            None => self.diags.push(Diagnostic::error(code, path, message)),
        }
    }

    fn run(&mut self, t: &'a Json) {
        let Some(top) = t.as_object() else {
            self.error(
                code::TEMPLATE_STRUCTURE,
                "Template".into(),
                format!(
                    "template must be a mapping of sections for CloudFormation, got {}",
                    kind(t)
                ),
            );
            return;
        };
        self.tx = Transforms::read(t);
        self.ignored = ignore_checks(t.get("Metadata"));
        if !self.tx.macros.is_empty() {
            self.diags.push(Diagnostic::info(
                code::TRANSFORMED,
                format!("{}/Transform", self.stack),
                format!(
                    "Transform {} may change any part of the template, so CloudFormation checks it after the transform; pcstack checked its shape only",
                    self.tx.macros.join(", ")
                ),
            ));
            if t.get("Resources").is_none() {
                self.error(
                    code::TEMPLATE_STRUCTURE,
                    "Resources".into(),
                    "Resources must be a section of the template for CloudFormation, got nothing"
                        .into(),
                );
            }
            return;
        }
        self.top_level(top);
        let parameters = self.section(
            top,
            "Parameters",
            Some((MAX_PARAMETERS, code::PARAMETER_LIMIT)),
        );
        let resources = self.section(
            top,
            "Resources",
            Some((MAX_RESOURCES, code::RESOURCE_LIMIT)),
        );
        let outputs = self.section(top, "Outputs", Some((MAX_OUTPUTS, code::OUTPUT_LIMIT)));
        let conditions = self.section(top, "Conditions", None);
        let rules = self.section(top, "Rules", None);
        self.mappings = self.section(top, "Mappings", Some((MAX_MAPPINGS, code::MAPPING_LIMIT)));
        if resources.is_none_or(|r| r.is_empty()) {
            self.error(
                code::TEMPLATE_STRUCTURE,
                "Resources".into(),
                "Resources must declare at least one resource for CloudFormation, got none".into(),
            );
        }
        self.mapping_sizes();
        self.declare(parameters, conditions, resources);
        for (id, c) in conditions.into_iter().flat_map(Map::iter) {
            if self.tx.opaque(id) {
                continue;
            }
            self.walk(
                c,
                &mut ["Conditions/", id].concat(),
                Scope::ParametersOnly,
                None,
            );
        }
        for (id, r) in rules.into_iter().flat_map(Map::iter) {
            self.walk(r, &mut ["Rules/", id].concat(), Scope::ParametersOnly, None);
        }
        for (id, r) in resources.into_iter().flat_map(Map::iter) {
            if !self.tx.opaque(id) {
                self.resource(id, r);
            }
        }
        self.values_checked = false;
        self.ignored_here.clear();
        for (id, o) in outputs.into_iter().flat_map(Map::iter) {
            if !self.tx.opaque(id) {
                self.output(id, o);
            }
        }
        self.exports(outputs);
        self.cycles();
    }

    /// Top-level keys, the format version and the description.
    fn top_level(&mut self, top: &Map<String, Json>) {
        for key in top.keys().map(String::as_str) {
            let sam_section = self.tx.sam && key == "Globals";
            if !SECTIONS.contains(&key) && !sam_section {
                self.error(code::TEMPLATE_STRUCTURE, key.to_string(), format!("top-level key must be one of {} for a CloudFormation template, got {key:?}", SECTIONS.join(", ")));
            }
        }
        if let Some(v) = top.get("AWSTemplateFormatVersion") {
            if v.as_str() != Some(crate::template::FORMAT_VERSION) {
                self.error(code::TEMPLATE_STRUCTURE, "AWSTemplateFormatVersion".into(), format!("AWSTemplateFormatVersion must be \"2010-09-09\" for CloudFormation, got {v}"));
            }
        }
        if let Some(d) = top.get("Description") {
            match d.as_str() {
                Some(s) if s.len() > MAX_DESCRIPTION_BYTES => self.error(code::DESCRIPTION_SIZE, "Description".into(), format!("Description must be at most {MAX_DESCRIPTION_BYTES} bytes for CloudFormation, got {} bytes", s.len())),
                Some(_) => {}
                None => self.error(code::DESCRIPTION_TYPE, "Description".into(), format!("Description must be a string for CloudFormation, got {}", kind(d))),
            }
        }
    }

    /// Each mapping's widest entry against CloudFormation's attribute limit.
    fn mapping_sizes(&mut self) {
        let Some(maps) = self.mappings else {
            return;
        };
        for (name, m) in maps.iter() {
            let entries = m.as_object().map_or(0, |o| {
                o.values()
                    .map(|v| v.as_object().map_or(0, |m| m.len()))
                    .max()
                    .unwrap_or(0)
            });
            if entries > MAX_MAPPING_ATTRIBUTES {
                self.error(code::MAPPING_ATTRIBUTE_LIMIT, format!("Mappings/{name}"), format!("mapping must have at most {MAX_MAPPING_ATTRIBUTES} attributes for CloudFormation, got {entries}"));
            }
        }
    }

    /// Records the names references may target: parameters, conditions, and resources with
    /// their types (a resource without a type is an error).
    fn declare(
        &mut self,
        parameters: Option<&'a Map<String, Json>>,
        conditions: Option<&'a Map<String, Json>>,
        resources: Option<&'a Map<String, Json>>,
    ) {
        self.parameters = parameters
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for (name, p) in parameters.into_iter().flat_map(Map::iter) {
            let type_name = p.get("Type").and_then(Json::as_str).unwrap_or("String");
            self.parameter_types.insert(name, type_name);
        }
        self.conditions = conditions
            .map(|c| c.keys().map(String::as_str).collect())
            .unwrap_or_default();
        self.resources.reserve(resources.map_or(0, Map::len));
        for (id, r) in resources.into_iter().flat_map(Map::iter) {
            if self.tx.opaque(id) {
                continue;
            }
            let type_name = r
                .as_object()
                .and_then(|m| entry(m, "Type"))
                .and_then(Json::as_str)
                .unwrap_or("");
            if type_name.is_empty() {
                self.error(
                    code::RESOURCE_STRUCTURE,
                    id.to_string(),
                    format!(
                        "Type must be a resource type name for resource {id}, got {}",
                        r.get("Type").map_or("nothing".into(), |t| t.to_string())
                    ),
                );
            }
            if (self.tx.sam && type_name.starts_with("AWS::Serverless::"))
                || type_name.ends_with("::MODULE")
            {
                self.tx.expanding.push(id.to_string());
            }
            self.resources.insert(id, type_name);
        }
    }

    fn section(
        &mut self,
        top: &'a Map<String, Json>,
        name: &str,
        limit: Option<(usize, Code)>,
    ) -> Option<&'a Map<String, Json>> {
        let v = top.get(name)?;
        let Some(m) = v.as_object() else {
            self.error(
                code::TEMPLATE_STRUCTURE,
                name.into(),
                format!(
                    "{name} must be a mapping for CloudFormation, got {}",
                    kind(v)
                ),
            );
            return None;
        };
        if let Some((max, code)) = limit.filter(|(max, _)| m.len() > *max) {
            self.error(
                code,
                name.into(),
                format!(
                    "{name} must have at most {max} entries for CloudFormation, got {}",
                    m.len()
                ),
            );
        }
        for key in m.keys() {
            if self.tx.opaque(key) {
                continue;
            }
            // Condition names are not logical IDs: CloudFormation accepts any name (AWS's own
            // VPC Quick Start named them `AdditionalPrivateSubnets&3AZCondition`).
            let ok = if name == "Conditions" {
                !key.is_empty() && key.len() <= MAX_NAME_LEN
            } else if name == "Mappings" {
                !key.is_empty()
                    && key.len() <= MAX_NAME_LEN
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            } else {
                is_logical_id(key)
            };
            if !ok {
                let rule = match name {
                    "Conditions" => format!("be 1 to {MAX_NAME_LEN} characters long"),
                    "Mappings" => format!("match ^[A-Za-z0-9.-]{{1,{MAX_NAME_LEN}}}$"),
                    _ => format!("match ^[A-Za-z0-9]{{1,{MAX_NAME_LEN}}}$"),
                };
                self.error(
                    code::TEMPLATE_STRUCTURE,
                    format!("{name}/{key}"),
                    format!("name must {rule} for {name}, got {key:?}"),
                );
            }
        }
        Some(m)
    }
}

/// The value of `key` in a mapping of a few entries (a resource's attributes, a schema's
/// keywords, properties and definitions, a property value's keys): a scan, cheaper than
/// hashing the key for the few entries these have (serde_json's maps hash with SipHash).
fn entry<'m>(m: &'m Map<String, Json>, key: &str) -> Option<&'m Json> {
    m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
}

/// The rule codes `Metadata.cfn-lint.config.ignore_checks` lists (of the template or of one
/// resource).
fn ignore_checks(metadata: Option<&Json>) -> Vec<&str> {
    let list = metadata
        .and_then(|m| m.get("cfn-lint"))
        .and_then(|c| c.get("config"))
        .and_then(|c| c.get("ignore_checks"))
        .and_then(Json::as_array);
    list.into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter(|s| !s.is_empty())
        .collect()
}
