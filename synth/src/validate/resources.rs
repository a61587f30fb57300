//! One resource: its attributes (Condition, DeletionPolicy, DependsOn ...), its type against the
//! catalog, and the walk of its properties.

use super::{entry, is_custom, Scope, Validator, SAM_TRANSFORM};
use crate::catalog::{did_you_mean, Lookup};
use crate::code;
use crate::diag::Diagnostic;
use serde_json::{Map, Value as Json};

impl<'a> Validator<'a> {
    pub(super) fn resource(&mut self, id: &'a str, r: &'a Json) {
        let type_name: &'a str = self.resources.get(id).copied().unwrap_or("");
        let path = [id, " (", type_name, ")"].concat();
        self.walked.push(id);
        self.values_checked = false;
        self.ignored_here = super::ignore_checks(r.as_object().and_then(|m| entry(m, "Metadata")));
        let Some(r) = r.as_object() else {
            self.error(
                code::RESOURCE_STRUCTURE,
                path,
                format!("resource must be a mapping for {id}, got something else"),
            );
            return;
        };
        for key in r.keys().map(String::as_str) {
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
                    code::RESOURCE_STRUCTURE,
                    format!("{path}.{key}"),
                    format!(
                        "resource attribute must be one of {} for resource {id}, got {key:?}",
                        KEYS.join(", ")
                    ),
                );
            }
        }
        if let Some(c) = entry(r, "Condition") {
            self.condition_name(c, &format!("{path}.Condition"));
        }
        self.policies(id, r, &path);
        if let Some(depends) = entry(r, "DependsOn") {
            match depends {
                Json::String(s) => self.depends_on(id, s, &path),
                Json::Array(items) => {
                    for item in items {
                        match item.as_str() {
                            Some(s) => self.depends_on(id, s, &path),
                            None => self.error(code::DEPENDS_ON, format!("{path}.DependsOn"), format!("DependsOn must list logical IDs for resource {id}, got {item}")),
                        }
                    }
                }
                _ => self.error(code::DEPENDS_ON, format!("{path}.DependsOn"), format!("DependsOn must be a logical ID or a list of them for resource {id}, got {depends}")),
            }
        }
        if self.catalog.is_some() && entry(r, "Fn::Transform").is_none() {
            self.check_type(id, type_name, r, &path);
        }
        if let Some(props) = entry(r, "Properties") {
            let mut path = path;
            // A SAM resource or module is replaced by others: its references are not the
            // dependencies the transformed template will have.
            let from = (!self.tx.expanding.iter().any(|e| e == id)).then_some(id);
            self.walk(props, &mut path, Scope::Resource, from);
        }
        // CloudFormation resolves references in a resource's Metadata too
        // (AWS::CloudFormation::Init reads them): each must name something declared.
        if let Some(metadata) = entry(r, "Metadata") {
            self.values_checked = false;
            let mut path = [id, " (", type_name, ").Metadata"].concat();
            self.walk(metadata, &mut path, Scope::Resource, None);
        }
    }

    /// `DeletionPolicy` and `UpdateReplacePolicy`: one of the values CloudFormation takes, or
    /// an intrinsic function (a `Ref` to a parameter, `Fn::If`, `Fn::FindInMap`) it resolves.
    fn policies(&mut self, id: &str, r: &Map<String, Json>, path: &str) {
        for (key, allowed) in [
            (
                "DeletionPolicy",
                &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"][..],
            ),
            ("UpdateReplacePolicy", &["Delete", "Retain", "Snapshot"][..]),
        ] {
            if let Some(p) = entry(r, key) {
                // An intrinsic function here (Ref to a parameter, Fn::If, Fn::FindInMap) needed
                // LanguageExtensions once; CloudFormation now resolves it itself (user guide:
                // "Intrinsic function references in DeletionPolicy and UpdateReplacePolicy
                // attributes").
                let intrinsic = p.as_object().is_some_and(|m| m.len() == 1);
                if !intrinsic && !p.as_str().is_some_and(|p| allowed.contains(&p)) {
                    self.error(
                        code::DELETION_POLICY,
                        format!("{path}.{key}"),
                        format!(
                            "{key} must be one of {} for resource {id}, got {p}",
                            allowed.join(", ")
                        ),
                    );
                }
            }
        }
    }

    /// The resource against the catalog: its type, property names and required properties.
    pub(super) fn check_type(
        &mut self,
        id: &str,
        type_name: &str,
        r: &Map<String, Json>,
        path: &str,
    ) {
        let Some(catalog) = self.catalog else {
            return;
        };
        if type_name.is_empty() || is_custom(type_name) || type_name.ends_with("::MODULE") {
            return;
        }
        if type_name.starts_with("AWS::Serverless::") {
            if !self.tx.sam {
                self.error(
                    code::UNKNOWN_TYPE,
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
                    code::UNKNOWN_TYPE,
                    format!("{path}.Type"),
                    format!("Type must be a resource type available in {region} for resource {id}, got {type_name:?} (the registry schemas list it only in other Regions)"),
                );
                return;
            }
            Lookup::Unknown => {
                let suggestion = catalog.suggest_type(type_name);
                match suggestion {
                    Some(s) if type_name.starts_with("AWS::") => self.error(
                        code::UNKNOWN_TYPE,
                        format!("{path}.Type"),
                        format!("Type must be a CloudFormation resource type for resource {id}, got {type_name:?}; did you mean {s:?}?"),
                    ),
                    _ => self.diags.push(Diagnostic::warning(
                        code::UNCHECKED_TYPE,
                        format!("{}/{path}.Type", self.stack),
                        format!("Type should be a type of the CloudFormation registry schemas pcstack knows for resource {id}, got {type_name:?}: a third-party, private or newer type, so CloudFormation checks its properties"),
                    )),
                }
                return;
            }
        };
        let props = match entry(r, "Properties") {
            None => None,
            Some(Json::Object(m)) => Some(m),
            // Not a mapping: an error CloudFormation reports; the walk still checks it.
            Some(_) => return,
        };
        let keys = || props.into_iter().flat_map(|p| p.keys()).map(String::as_str);
        // An intrinsic function or snippet in place of properties decides them at deploy time.
        if keys().any(|k| k.starts_with("Fn::") || k == "Ref") {
            return;
        }
        for key in keys() {
            if !facts.properties.contains(&key) {
                self.error(
                    code::UNKNOWN_PROPERTY,
                    format!("{path}.{key}"),
                    format!(
                        "property must be one of the properties of {type_name} for resource {id}, got {key:?}{}",
                        did_you_mean(key, facts.properties.iter().copied())
                    ),
                );
            }
        }
        for required in facts.required {
            if !props.is_some_and(|p| p.contains_key(*required)) {
                self.error(
                    code::REQUIRED_PROPERTY,
                    format!("{path}.{required}"),
                    format!("{required} must be set for {type_name} (resource {id}), got nothing"),
                );
            }
        }
        if let (Some(props), Some(schema)) = (entry(r, "Properties"), catalog.schema(type_name)) {
            self.check_values(id, type_name, props, schema);
        }
    }

    pub(super) fn depends_on(&mut self, id: &'a str, target: &'a str, path: &str) {
        if target == id {
            self.error(
                code::DEPENDS_ON,
                format!("{path}.DependsOn"),
                format!(
                    "DependsOn must not name the resource itself for resource {id}, got {target:?}"
                ),
            );
        } else if !self.resources.contains_key(target) {
            if self.tx.may_generate(target) {
                return;
            }
            self.error(code::DEPENDS_ON, format!("{path}.DependsOn"), format!("DependsOn must name a resource in this template for resource {id}, got {target:?}"));
        } else {
            self.edge(id, target);
        }
    }
}
