//! Whole-template checks on the rendered JSON, so they apply to any template, built here or
//! read from a file: sections, names, limits, reference targets, GetAtt attributes,
//! conditions, mappings, DependsOn and dependency cycles. With a [`Catalog`]
//! ([`validate_with`]), also every resource's type, properties and GetAtt attributes.
//!
//! Transforms: with `AWS::Serverless-2016-10-31` (SAM) the `Globals` section and the SAM
//! attributes are accepted, `AWS::Serverless::*` resources are left to the transform, and a
//! reference may name a resource SAM generates (named after a SAM resource, or
//! `Serverless...`). With `AWS::LanguageExtensions`, `Fn::ForEach::*` entries are left to
//! the transform (references may name the IDs they generate), `DeletionPolicy` and
//! `UpdateReplacePolicy` may be intrinsic functions, and `Fn::FindInMap` may carry a default.
//! Any other transform (a macro, or a known one such as `AWS::CodeDeployBlueGreen`) may change
//! anything, so only the template's shape is checked. An `Fn::Transform` snippet may add any
//! entry, so references to undeclared names are accepted and the resource holding it is not
//! checked against its type.
//!
//! Limits source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>

use crate::catalog::{did_you_mean, Catalog, Lookup};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::expr::Pseudo;
use crate::id::{is_logical_id, MAX_NAME_LEN};
use crate::tree::{Entries, Tree, View};
use indexmap::{IndexMap, IndexSet};

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

/// The transforms a template declares in its top-level `Transform` (a name, a list of names,
/// or `{Name, Parameters}` entries), in order.
pub fn transforms<T: Tree>(template: &T) -> Vec<String> {
    fn name<T: Tree>(v: &T) -> Option<String> {
        match v.view() {
            View::Str(s) => Some(s.to_string()),
            View::Map(m) => m.get("Name").and_then(T::as_str).map(str::to_string),
            _ => None,
        }
    }
    match template.get("Transform") {
        Some(v) => match v.view() {
            View::Seq(items) => items.iter().filter_map(name).collect(),
            _ => name(v).into_iter().collect(),
        },
        None => Vec::new(),
    }
}

/// Whether an `Fn::Transform` (a macro or `AWS::Include` snippet) appears anywhere in `v`.
pub fn has_transform_snippet<T: Tree>(v: &T) -> bool {
    match v.view() {
        View::Map(m) => m
            .entries()
            .any(|(k, v)| k == "Fn::Transform" || has_transform_snippet(v)),
        View::Seq(items) => items.iter().any(has_transform_snippet),
        _ => false,
    }
}

/// Whether CloudFormation runs a transform or macro on the template (a top-level `Transform`
/// or an `Fn::Transform` anywhere): such a template needs the `CAPABILITY_AUTO_EXPAND`
/// acknowledgement.
pub fn needs_transform<T: Tree>(template: &T) -> bool {
    template.get("Transform").is_some() || has_transform_snippet(template)
}

/// Looks up the GetAtt attributes of a resource type; `None` when the type is unknown here.
pub type AttributeLookup<'a> = &'a dyn Fn(&str) -> Option<&'static [&'static str]>;

/// Runs every whole-template check. `stack` prefixes each path.
pub fn validate<T: Tree>(
    stack: &str,
    template: &T,
    attributes: AttributeLookup<'_>,
) -> Diagnostics {
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
pub fn validate_with<T: Tree>(stack: &str, template: &T, catalog: &dyn Catalog) -> Diagnostics {
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
            Code::TemplateSize,
            stack,
            format!("template size must be at most {MAX_URL_TEMPLATE_BYTES} bytes for CloudFormation, got {bytes}"),
        ))
    } else if bytes > MAX_BODY_BYTES {
        Some(Diagnostic::info(
            Code::TemplateBodySize,
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
struct Validator<'a, T: Tree> {
    stack: &'a str,
    diags: Diagnostics,
    attributes: Option<AttributeLookup<'a>>,
    catalog: Option<&'a dyn Catalog>,
    tx: Transforms<'a, T>,
    parameters: Names<'a>,
    /// Resource -> its type.
    resources: IndexMap<&'a str, &'a str, Fast>,
    conditions: Names<'a>,
    mappings: Option<&'a T::Map>,
    /// The resources walked, in order: the nodes of the dependency graph.
    walked: Vec<&'a str>,
    /// Resource -> a resource it needs first, as found (repeats included).
    edges: Vec<(&'a str, &'a str)>,
}

impl<T: Tree> Default for Validator<'_, T> {
    fn default() -> Self {
        Validator {
            stack: "",
            diags: Diagnostics::new(),
            attributes: None,
            catalog: None,
            tx: Transforms::default(),
            parameters: Names::default(),
            resources: IndexMap::default(),
            conditions: Names::default(),
            mappings: None,
            walked: Vec::new(),
            edges: Vec::new(),
        }
    }
}

/// What the template's transforms allow (see the module docs).
struct Transforms<'a, T: Tree> {
    sam: bool,
    language_extensions: bool,
    /// Transforms other than SAM and LanguageExtensions.
    macros: Vec<String>,
    /// The template, to look for an `Fn::Transform` in.
    template: Option<&'a T>,
    /// An `Fn::Transform` appears somewhere: looked for only when a name is missing (a
    /// whole-template walk that a valid template never needs).
    snippet: std::cell::OnceCell<bool>,
    /// Logical IDs whose resources expand into others named after them (SAM resources,
    /// modules).
    expanding: Vec<String>,
    /// The key templates of `Fn::ForEach` fragments (`Topic${Name}`, `Topic&{Name}`).
    for_each: Vec<String>,
}

impl<T: Tree> Default for Transforms<'_, T> {
    fn default() -> Self {
        Transforms {
            sam: false,
            language_extensions: false,
            macros: Vec::new(),
            template: None,
            snippet: std::cell::OnceCell::new(),
            expanding: Vec::new(),
            for_each: Vec::new(),
        }
    }
}

impl<'a, T: Tree> Transforms<'a, T> {
    fn read(t: &'a T) -> Self {
        let mut tx = Transforms {
            template: Some(t),
            ..Transforms::default()
        };
        for name in transforms(t) {
            match name.as_str() {
                SAM_TRANSFORM => tx.sam = true,
                LANGUAGE_EXTENSIONS => tx.language_extensions = true,
                _ => tx.macros.push(name),
            }
        }
        if tx.language_extensions {
            for section in ["Resources", "Outputs", "Conditions"] {
                if let Some(m) = t.get(section).and_then(T::as_map) {
                    for (k, v) in m.entries() {
                        if k.starts_with("Fn::ForEach::") {
                            for_each_keys(v, &mut tx.for_each);
                        }
                    }
                }
            }
        }
        tx
    }

    /// Whether an `Fn::Transform` appears anywhere.
    fn snippet(&self) -> bool {
        *self
            .snippet
            .get_or_init(|| self.template.is_some_and(has_transform_snippet))
    }

    /// Whether `name`, declared nowhere, may still be made by a transform.
    fn may_generate(&self, name: &str) -> bool {
        (self.sam && name.starts_with("Serverless"))
            || self
                .expanding
                .iter()
                .any(|id| name.starts_with(id.as_str()))
            || self.for_each.iter().any(|k| matches_key_template(k, name))
            // Last: it may walk the whole template.
            || self.snippet()
    }

    /// A key the transform replaces: `Fn::ForEach::*` entries, `Fn::Transform` snippets.
    fn opaque(&self, key: &str) -> bool {
        key == "Fn::Transform" || (self.language_extensions && key.starts_with("Fn::ForEach::"))
    }
}

/// The output keys of an `Fn::ForEach` value `[identifier, collection, {key: fragment}]`,
/// nested loops included.
fn for_each_keys<T: Tree>(v: &T, out: &mut Vec<String>) {
    let Some(fragment) = v.as_seq().and_then(|a| a.get(2)).and_then(T::as_map) else {
        return;
    };
    for (k, inner) in fragment.entries() {
        if k.starts_with("Fn::ForEach::") {
            for_each_keys(inner, out);
        } else {
            out.push(k.to_string());
        }
    }
}

/// Whether `name` can come out of an `Fn::ForEach` key template: each `${x}` or `&{x}` stands
/// for one or more characters, the rest must match exactly.
fn matches_key_template(template: &str, name: &str) -> bool {
    let mut parts: Vec<&str> = Vec::new();
    let mut rest = template;
    while let Some(start) = rest
        .find(['$', '&'])
        .filter(|&i| rest[i + 1..].starts_with('{'))
    {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        parts.push(&rest[..start]);
        rest = &rest[start + end + 1..];
    }
    parts.push(rest);
    let Some((first, others)) = parts.split_first() else {
        return false;
    };
    let Some(mut remaining) = name.strip_prefix(first) else {
        return false;
    };
    if others.is_empty() {
        return remaining.is_empty();
    }
    for (i, part) in others.iter().enumerate() {
        let last = i + 1 == others.len();
        // Each variable stands for at least one character.
        let search = remaining.get(1..).unwrap_or("");
        let found = if last {
            search.ends_with(part).then(|| search.len() - part.len())
        } else {
            search.find(part)
        };
        match found {
            Some(at) => remaining = &search[at + part.len()..],
            None => return false,
        }
    }
    remaining.is_empty()
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

impl<'a, T: Tree> Validator<'a, T> {
    fn error(&mut self, code: Code, path: String, message: String) {
        self.diags.push(Diagnostic::error(
            code,
            format!("{}/{path}", self.stack),
            message,
        ));
    }

    fn run(&mut self, t: &'a T) {
        let Some(top) = t.as_map() else {
            self.error(
                Code::TemplateStructure,
                "Template".into(),
                format!(
                    "template must be a mapping of sections for CloudFormation, got {}",
                    t.kind()
                ),
            );
            return;
        };
        self.tx = Transforms::read(t);
        if !self.tx.macros.is_empty() {
            self.diags.push(Diagnostic::info(
                Code::Transformed,
                format!("{}/Transform", self.stack),
                format!(
                    "Transform {} may change any part of the template, so CloudFormation checks it after the transform; pcstack checked its shape only",
                    self.tx.macros.join(", ")
                ),
            ));
            if t.get("Resources").is_none() {
                self.error(
                    Code::TemplateStructure,
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
            Some((MAX_PARAMETERS, Code::ParameterLimit)),
        );
        let resources = self.section(top, "Resources", Some((MAX_RESOURCES, Code::ResourceLimit)));
        let outputs = self.section(top, "Outputs", Some((MAX_OUTPUTS, Code::OutputLimit)));
        let conditions = self.section(top, "Conditions", None);
        let rules = self.section(top, "Rules", None);
        self.mappings = self.section(top, "Mappings", Some((MAX_MAPPINGS, Code::MappingLimit)));
        if resources.is_none_or(|r| r.is_empty()) {
            self.error(
                Code::TemplateStructure,
                "Resources".into(),
                "Resources must declare at least one resource for CloudFormation, got none".into(),
            );
        }
        self.mapping_sizes();
        self.declare(parameters, conditions, resources);
        for (id, c) in conditions.into_iter().flat_map(Entries::entries) {
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
        for (id, r) in rules.into_iter().flat_map(Entries::entries) {
            self.walk(r, &mut ["Rules/", id].concat(), Scope::ParametersOnly, None);
        }
        for (id, r) in resources.into_iter().flat_map(Entries::entries) {
            if !self.tx.opaque(id) {
                self.resource(id, r);
            }
        }
        for (id, o) in outputs.into_iter().flat_map(Entries::entries) {
            if !self.tx.opaque(id) {
                self.output(id, o);
            }
        }
        self.cycles();
    }

    /// Top-level keys, the format version and the description.
    fn top_level(&mut self, top: &T::Map) {
        for key in top.keys() {
            let sam_section = self.tx.sam && key == "Globals";
            if !SECTIONS.contains(&key) && !sam_section {
                self.error(Code::TemplateStructure, key.to_string(), format!("top-level key must be one of {} for a CloudFormation template, got {key:?}", SECTIONS.join(", ")));
            }
        }
        if let Some(v) = top.get("AWSTemplateFormatVersion") {
            if v.as_str() != Some(crate::template::FORMAT_VERSION) {
                self.error(Code::TemplateStructure, "AWSTemplateFormatVersion".into(), format!("AWSTemplateFormatVersion must be \"2010-09-09\" for CloudFormation, got {v}"));
            }
        }
        if let Some(d) = top.get("Description") {
            match d.as_str() {
                Some(s) if s.len() > MAX_DESCRIPTION_BYTES => self.error(Code::DescriptionSize, "Description".into(), format!("Description must be at most {MAX_DESCRIPTION_BYTES} bytes for CloudFormation, got {} bytes", s.len())),
                Some(_) => {}
                None => self.error(Code::DescriptionType, "Description".into(), format!("Description must be a string for CloudFormation, got {}", d.kind())),
            }
        }
    }

    /// Each mapping's widest entry against CloudFormation's attribute limit.
    fn mapping_sizes(&mut self) {
        let Some(maps) = self.mappings else {
            return;
        };
        for (name, m) in maps.entries() {
            let entries = m.as_map().map_or(0, |o| {
                o.values()
                    .map(|v| v.as_map().map_or(0, |m| m.len()))
                    .max()
                    .unwrap_or(0)
            });
            if entries > MAX_MAPPING_ATTRIBUTES {
                self.error(Code::MappingAttributeLimit, format!("Mappings/{name}"), format!("mapping must have at most {MAX_MAPPING_ATTRIBUTES} attributes for CloudFormation, got {entries}"));
            }
        }
    }

    /// Records the names references may target: parameters, conditions, and resources with
    /// their types (a resource without a type is an error).
    fn declare(
        &mut self,
        parameters: Option<&'a T::Map>,
        conditions: Option<&'a T::Map>,
        resources: Option<&'a T::Map>,
    ) {
        self.parameters = parameters.map(|p| p.keys().collect()).unwrap_or_default();
        self.conditions = conditions.map(|c| c.keys().collect()).unwrap_or_default();
        for (id, r) in resources.into_iter().flat_map(Entries::entries) {
            if self.tx.opaque(id) {
                continue;
            }
            let type_name = r.get("Type").and_then(T::as_str).unwrap_or("");
            if type_name.is_empty() {
                self.error(
                    Code::ResourceStructure,
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

    /// One output: a Value, a known Condition, and its references.
    fn output(&mut self, id: &str, o: &'a T) {
        let mut path = ["Outputs/", id].concat();
        if o.get("Value").is_none() {
            self.error(
                Code::OutputValue,
                path.clone(),
                format!("Value must be set for output {id}, got nothing"),
            );
        }
        if let Some(c) = o.get("Condition") {
            self.condition_name(c, &format!("{path}.Condition"));
        }
        self.walk(o, &mut path, Scope::Output, None);
    }

    fn section(
        &mut self,
        top: &'a T::Map,
        name: &str,
        limit: Option<(usize, Code)>,
    ) -> Option<&'a T::Map> {
        let v = top.get(name)?;
        let Some(m) = v.as_map() else {
            self.error(
                Code::TemplateStructure,
                name.into(),
                format!(
                    "{name} must be a mapping for CloudFormation, got {}",
                    v.kind()
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
                    Code::TemplateStructure,
                    format!("{name}/{key}"),
                    format!("name must {rule} for {name}, got {key:?}"),
                );
            }
        }
        Some(m)
    }

    fn resource(&mut self, id: &'a str, r: &'a T) {
        let type_name: &'a str = self.resources.get(id).copied().unwrap_or("");
        let path = [id, " (", type_name, ")"].concat();
        self.walked.push(id);
        let Some(r) = r.as_map() else {
            self.error(
                Code::ResourceStructure,
                path,
                format!("resource must be a mapping for {id}, got something else"),
            );
            return;
        };
        for key in r.keys() {
            const KEYS: [&str; 8] = [
                "Type",
                "Properties",
                "DependsOn",
                "Condition",
                "DeletionPolicy",
                "UpdateReplacePolicy",
                "Metadata",
                "UpdatePolicy",
            ];
            let other = match key {
                "CreationPolicy" => true,
                // Custom resources may carry a Version; SAM adds Connectors and IgnoreGlobals.
                "Version" => is_custom(type_name),
                "Connectors" | "IgnoreGlobals" => self.tx.sam,
                k => self.tx.opaque(k),
            };
            if !KEYS.contains(&key) && !other {
                self.error(
                    Code::ResourceStructure,
                    format!("{path}.{key}"),
                    format!(
                        "resource attribute must be one of {} for resource {id}, got {key:?}",
                        KEYS.join(", ")
                    ),
                );
            }
        }
        if let Some(c) = r.get("Condition") {
            self.condition_name(c, &format!("{path}.Condition"));
        }
        for (key, allowed) in [
            (
                "DeletionPolicy",
                &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"][..],
            ),
            ("UpdateReplacePolicy", &["Delete", "Retain", "Snapshot"][..]),
        ] {
            if let Some(p) = r.get(key) {
                // LanguageExtensions resolves intrinsic functions here first.
                let intrinsic = self.tx.language_extensions && p.as_map().is_some();
                if !intrinsic && !p.as_str().is_some_and(|p| allowed.contains(&p)) {
                    let hint = if p.as_map().is_some() {
                        format!(" (intrinsic functions here need Transform {LANGUAGE_EXTENSIONS})")
                    } else {
                        String::new()
                    };
                    self.error(
                        Code::DeletionPolicy,
                        format!("{path}.{key}"),
                        format!(
                            "{key} must be one of {} for resource {id}, got {p}{hint}",
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(depends) = r.get("DependsOn") {
            match depends.view() {
                View::Str(s) => self.depends_on(id, s, &path),
                View::Seq(items) => {
                    for item in items {
                        match item.as_str() {
                            Some(s) => self.depends_on(id, s, &path),
                            None => self.error(Code::DependsOn, format!("{path}.DependsOn"), format!("DependsOn must list logical IDs for resource {id}, got {item}")),
                        }
                    }
                }
                _ => self.error(Code::DependsOn, format!("{path}.DependsOn"), format!("DependsOn must be a logical ID or a list of them for resource {id}, got {depends}")),
            }
        }
        if self.catalog.is_some() && !r.contains_key("Fn::Transform") {
            self.check_type(id, type_name, r, &path);
        }
        if let Some(props) = r.get("Properties") {
            let mut path = path;
            // A SAM resource or module is replaced by others: its references are not the
            // dependencies the transformed template will have.
            let from = (!self.tx.expanding.iter().any(|e| e == id)).then_some(id);
            self.walk(props, &mut path, Scope::Resource, from);
        }
    }

    /// The resource against the catalog: its type, property names and required properties.
    fn check_type(&mut self, id: &str, type_name: &str, r: &T::Map, path: &str) {
        let Some(catalog) = self.catalog else {
            return;
        };
        if type_name.is_empty() || is_custom(type_name) || type_name.ends_with("::MODULE") {
            return;
        }
        if type_name.starts_with("AWS::Serverless::") {
            if !self.tx.sam {
                self.error(
                    Code::UnknownType,
                    format!("{path}.Type"),
                    format!("Type {type_name} must come with Transform {SAM_TRANSFORM} for resource {id}, got no such transform"),
                );
            }
            return;
        }
        let facts = match catalog.lookup(type_name) {
            Lookup::Known(facts) => facts,
            Lookup::NotInRegion { region } => {
                self.error(
                    Code::UnknownType,
                    format!("{path}.Type"),
                    format!("Type must be a resource type available in {region} for resource {id}, got {type_name:?} (the registry schemas list it only in other Regions)"),
                );
                return;
            }
            Lookup::Unknown => {
                let suggestion = catalog.suggest_type(type_name);
                match suggestion {
                    Some(s) if type_name.starts_with("AWS::") => self.error(
                        Code::UnknownType,
                        format!("{path}.Type"),
                        format!("Type must be a CloudFormation resource type for resource {id}, got {type_name:?}; did you mean {s:?}?"),
                    ),
                    _ => self.diags.push(Diagnostic::warning(
                        Code::UncheckedType,
                        format!("{}/{path}.Type", self.stack),
                        format!("Type should be a type of the CloudFormation registry schemas pcstack knows for resource {id}, got {type_name:?}: a third-party, private or newer type, so CloudFormation checks its properties"),
                    )),
                }
                return;
            }
        };
        let props = match r.get("Properties").map(T::view) {
            None => None,
            Some(View::Map(m)) => Some(m),
            // Not a mapping: an error CloudFormation reports; the walk still checks it.
            Some(_) => return,
        };
        let keys = || props.into_iter().flat_map(|p| p.keys());
        // An intrinsic function or snippet in place of properties decides them at deploy time.
        if keys().any(|k| k.starts_with("Fn::") || k == "Ref") {
            return;
        }
        for key in keys() {
            if !facts.properties.contains(&key) {
                self.error(
                    Code::UnknownProperty,
                    format!("{path}.{key}"),
                    format!(
                        "property must be one of the properties of {type_name} for resource {id}, got {key:?}{}",
                        did_you_mean(key, facts.properties.iter().copied())
                    ),
                );
            }
        }
        for required in facts.required {
            if !props.is_some_and(|p| p.contains_key(required)) {
                self.error(
                    Code::RequiredProperty,
                    format!("{path}.{required}"),
                    format!("{required} must be set for {type_name} (resource {id}), got nothing"),
                );
            }
        }
    }

    fn depends_on(&mut self, id: &'a str, target: &'a str, path: &str) {
        if target == id {
            self.error(
                Code::DependsOn,
                format!("{path}.DependsOn"),
                format!(
                    "DependsOn must not name the resource itself for resource {id}, got {target:?}"
                ),
            );
        } else if !self.resources.contains_key(target) {
            if self.tx.may_generate(target) {
                return;
            }
            self.error(Code::DependsOn, format!("{path}.DependsOn"), format!("DependsOn must name a resource in this template for resource {id}, got {target:?}"));
        } else {
            self.edge(id, target);
        }
    }

    fn condition_name(&mut self, c: &T, path: &str) {
        match c.as_str() {
            Some(name) if self.conditions.contains(name) || self.tx.may_generate(name) => {}
            _ => self.error(
                Code::UndeclaredCondition,
                path.into(),
                format!("condition must be declared in Conditions for this template, got {c}"),
            ),
        }
    }

    /// Walks a value and checks every intrinsic function in it. `path` is a buffer holding
    /// the path of `v`: each level appends its segment and truncates it again, so no path
    /// string is built unless a check needs one (intrinsics and diagnostics borrow it).
    fn walk(&mut self, v: &'a T, path: &mut String, scope: Scope, from: Option<&'a str>) {
        use std::fmt::Write;
        let len = path.len();
        match v.view() {
            View::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    // Most lists are short: a one-digit index without the formatting machinery.
                    match u8::try_from(i) {
                        Ok(d @ 0..=9) => {
                            path.push('[');
                            path.push(char::from(b'0' + d));
                            path.push(']');
                        }
                        _ => {
                            let _ = write!(path, "[{i}]");
                        }
                    }
                    self.walk(item, path, scope, from);
                    path.truncate(len);
                }
            }
            View::Map(m) if m.len() == 1 => {
                let Some((k, arg)) = m.entries().next() else {
                    return;
                };
                path.push('.');
                path.push_str(k);
                match k {
                    "Ref" => self.reference(arg, path, scope, from),
                    "Fn::GetAtt" => self.get_att(arg, path, scope, from),
                    "Fn::Sub" => self.sub(arg, path, scope, from),
                    "Fn::FindInMap" => self.find_in_map(arg, path),
                    "Fn::If" => {
                        if let Some(c) = arg.as_seq().and_then(|a| a.first()) {
                            self.condition_name(c, path);
                        } else {
                            self.error(Code::If, path.clone(), format!("Fn::If must be [condition, value if true, value if false] here, got {arg}"));
                        }
                    }
                    "Condition" if scope == Scope::ParametersOnly => self.condition_name(arg, path),
                    _ => {}
                }
                if k != "Fn::Sub" {
                    self.walk(arg, path, scope, from);
                } else if let Some(vars) = arg.as_seq().and_then(|a| a.get(1)) {
                    self.walk(vars, path, scope, from);
                }
                path.truncate(len);
            }
            View::Map(m) => {
                for (k, item) in m.entries() {
                    path.push('.');
                    path.push_str(k);
                    self.walk(item, path, scope, from);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// Records that resource `from` depends on `to`, for the cycle check (repeats too: the
    /// check drops them).
    fn edge(&mut self, from: &'a str, to: &'a str) {
        self.edges.push((from, to));
    }

    fn reference(&mut self, arg: &'a T, path: &str, scope: Scope, from: Option<&'a str>) {
        let Some(name) = arg.as_str() else {
            self.error(
                Code::Ref,
                path.into(),
                format!("Ref must name a parameter, resource or pseudo parameter here, got {arg}"),
            );
            return;
        };
        self.target(name, path, scope, from, false);
    }

    /// Checks that `name` can be referenced from here; records the dependency edge.
    fn target(
        &mut self,
        name: &'a str,
        path: &str,
        scope: Scope,
        from: Option<&'a str>,
        via_sub: bool,
    ) {
        if Pseudo::from_name(name).is_some() || self.parameters.contains(name) {
            return;
        }
        if self.resources.contains_key(name) {
            if scope == Scope::ParametersOnly {
                self.error(Code::Ref, path.into(), format!("Ref must name a parameter or pseudo parameter in Conditions and Rules, got {name:?}"));
            } else if let Some(from) = from {
                self.edge(from, name);
            }
            return;
        }
        if self.tx.may_generate(name) {
            return;
        }
        let what = if via_sub { "Fn::Sub variable" } else { "Ref" };
        self.error(Code::Ref, path.into(), format!("{what} must name a parameter, resource or pseudo parameter in this template, got {name:?}"));
    }

    fn get_att(&mut self, arg: &'a T, path: &str, scope: Scope, from: Option<&'a str>) {
        let pair = match arg.view() {
            View::Seq(a) if a.len() == 2 => a[0].as_str().map(|id| (id, a[1].as_str())),
            View::Str(s) => s.split_once('.').map(|(id, attr)| (id, Some(attr))),
            _ => None,
        };
        let Some((id, attr)) = pair else {
            self.error(
                Code::GetAtt,
                path.into(),
                format!("Fn::GetAtt must be [logical ID, attribute] here, got {arg}"),
            );
            return;
        };
        self.att_target(id, attr, path, scope, from);
    }

    fn att_target(
        &mut self,
        id: &'a str,
        attr: Option<&str>,
        path: &str,
        scope: Scope,
        from: Option<&'a str>,
    ) {
        let Some(type_name) = self.resources.get(id).copied() else {
            if self.tx.may_generate(id) {
                return;
            }
            self.error(
                Code::GetAtt,
                path.into(),
                format!("Fn::GetAtt must name a resource in this template, got {id:?}"),
            );
            return;
        };
        if scope == Scope::ParametersOnly {
            self.error(
                Code::GetAtt,
                path.into(),
                format!("Fn::GetAtt must not be used in Conditions and Rules, got {id:?}"),
            );
            return;
        }
        if let Some(from) = from {
            self.edge(from, id);
        }
        // An attribute given as an expression can't be checked here.
        let Some(attr) = attr else {
            return;
        };
        if let Some(catalog) = self.catalog {
            if is_custom(type_name) {
                return;
            }
            if let Lookup::Known(facts) = catalog.lookup(type_name) {
                if !facts.has_attribute(attr) {
                    let names = facts.attributes.iter().chain(facts.properties).copied();
                    self.error(
                        Code::GetAtt,
                        path.into(),
                        format!("Fn::GetAtt attribute must be an attribute of {type_name} for {id}, got {attr:?}{}", did_you_mean(attr, names)),
                    );
                }
            }
            return;
        }
        let Some(lookup) = self.attributes else {
            return;
        };
        if let Some(known) = lookup(type_name) {
            if !known.contains(&attr) {
                self.error(
                    Code::GetAtt,
                    path.into(),
                    format!("Fn::GetAtt attribute must be one of {} for {id} ({type_name}), got {attr:?}", known.join(", ")),
                );
            }
        }
    }

    fn sub(&mut self, arg: &'a T, path: &str, scope: Scope, from: Option<&'a str>) {
        let (template, vars) = match arg.view() {
            View::Str(s) => (s, None),
            View::Seq(a) if a.len() == 2 && a[0].as_str().is_some() && a[1].as_map().is_some() => {
                (a[0].as_str().unwrap_or(""), a[1].as_map())
            }
            // A snippet fills it in before CloudFormation reads it.
            View::Map(m) if m.contains_key("Fn::Transform") => return,
            _ => {
                self.error(
                    Code::Sub,
                    path.into(),
                    format!("Fn::Sub must be a string or [string, variables] here, got {arg}"),
                );
                return;
            }
        };
        for name in sub_variable_names(template) {
            if vars.is_some_and(|v| v.contains_key(name)) {
                continue;
            }
            match name.split_once('.') {
                Some((id, attr)) if Pseudo::from_name(name).is_none() => {
                    self.att_target(id, Some(attr), path, scope, from)
                }
                _ => self.target(name, path, scope, from, true),
            }
        }
    }

    fn find_in_map(&mut self, arg: &T, path: &str) {
        // LanguageExtensions adds a fourth element: {DefaultValue: ...}.
        let default = self.tx.language_extensions
            && arg
                .as_seq()
                .and_then(|a| a.get(3))
                .is_some_and(|d| d.get("DefaultValue").is_some());
        let Some(a) = arg
            .as_seq()
            .filter(|a| a.len() == 3 || (default && a.len() == 4))
        else {
            self.error(
                Code::FindInMap,
                path.into(),
                format!(
                    "Fn::FindInMap must be [map, top-level key, second-level key] here, got {arg}"
                ),
            );
            return;
        };
        let Some(map) = a[0].as_str() else { return };
        let Some(m) = self.mappings.and_then(|maps| maps.get(map)) else {
            if self.tx.snippet() {
                return;
            }
            self.error(
                Code::FindInMap,
                path.into(),
                format!(
                    "Fn::FindInMap map must be declared in Mappings for this template, got {map:?}"
                ),
            );
            return;
        };
        if let (Some(top), Some(second)) = (a[1].as_str(), a[2].as_str()) {
            if !default && m.get(top).and_then(|t| t.get(second)).is_none() {
                self.error(
                    Code::FindInMap,
                    path.into(),
                    format!(
                        "Fn::FindInMap keys must exist in mapping {map}, got {top:?}/{second:?}"
                    ),
                );
            }
        }
    }

    /// Reports each dependency cycle once, as the chain of resources that forms it.
    fn cycles(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        // The graph as adjacency lists in one array (`targets[starts[n]..starts[n + 1]]`),
        // each node's targets in the order first found, repeats dropped; an edge to a
        // resource that was not walked (left to a transform) leads nowhere.
        let index: IndexMap<&str, usize, Fast> = self
            .walked
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let mut pairs: Vec<(usize, usize)> = self
            .edges
            .iter()
            .filter_map(|(from, to)| Some((*index.get(from)?, *index.get(to)?)))
            .collect();
        // A stable sort: each node's targets stay in the order they were found.
        pairs.sort_by_key(|&(from, _)| from);
        let n = self.walked.len();
        let mut starts = vec![0; n + 1];
        let mut targets: Vec<usize> = Vec::with_capacity(pairs.len());
        let mut pairs = pairs.into_iter().peekable();
        for node in 0..n {
            starts[node] = targets.len();
            while let Some((_, to)) = pairs.next_if(|&(from, _)| from == node) {
                if !targets[starts[node]..].contains(&to) {
                    targets.push(to);
                }
            }
        }
        starts[n] = targets.len();
        let mut mark = vec![Mark::New; n];
        let mut found = Vec::new();
        for start in 0..n {
            if mark[start] != Mark::New {
                continue;
            }
            // Iterative DFS keeping the current chain, so a cycle can be printed.
            let mut stack: Vec<(usize, usize)> = vec![(start, starts[start])];
            mark[start] = Mark::Open;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if *next < starts[node + 1] {
                    let t = targets[*next];
                    *next += 1;
                    match mark[t] {
                        Mark::New => {
                            mark[t] = Mark::Open;
                            stack.push((t, starts[t]));
                        }
                        Mark::Open => {
                            let pos = stack.iter().position(|(n, _)| *n == t).unwrap_or(0);
                            let mut chain: Vec<&str> =
                                stack[pos..].iter().map(|(n, _)| self.walked[*n]).collect();
                            chain.push(self.walked[t]);
                            found.push(chain.join(" -> "));
                        }
                        Mark::Done => {}
                    }
                } else {
                    mark[node] = Mark::Done;
                    stack.pop();
                }
            }
        }
        for chain in found {
            self.error(Code::DependencyCycle, "Resources".into(), format!("resources must not depend on each other in a cycle for CloudFormation, got {chain}"));
        }
    }
}

/// The `${Name}` variables of an `Fn::Sub` string, skipping `${!Literal}` escapes.
pub fn sub_variables(template: &str) -> Vec<&str> {
    sub_variable_names(template).collect()
}

/// [`sub_variables`] without collecting them: found by looking for `$` (a byte search), not
/// for the two-byte `${` (a substring searcher set up for every string).
fn sub_variable_names(template: &str) -> impl Iterator<Item = &str> {
    let mut rest = template;
    std::iter::from_fn(move || loop {
        let start = rest.find('$')?;
        let after = &rest[start + 1..];
        let Some(inner) = after.strip_prefix('{') else {
            rest = after;
            continue;
        };
        let end = inner.find('}')?;
        let name = &inner[..end];
        rest = &inner[end + 1..];
        if !name.starts_with('!') {
            return Some(name.trim());
        }
    })
}
