//! References: `Ref`, `Fn::GetAtt`, `Fn::Sub` variables, `Fn::FindInMap`, conditions, and the
//! walk over values that finds them.

use super::{is_custom, Scope, Validator};
use crate::catalog::{did_you_mean, Lookup};
use crate::code;
use crate::expr::Pseudo;
use serde_json::Value as Json;

impl<'a> Validator<'a> {
    pub(super) fn condition_name(&mut self, c: &Json, path: &str) {
        match c.as_str() {
            Some(name) if self.conditions.contains(name) || self.tx.may_generate(name) => {}
            _ => self.error(
                code::UNDECLARED_CONDITION,
                path.into(),
                format!("condition must be declared in Conditions for this template, got {c}"),
            ),
        }
    }

    /// Walks a value and checks every intrinsic function in it. `path` is a buffer holding
    /// the path of `v`: each level appends its segment and truncates it again, so no path
    /// string is built unless a check needs one (intrinsics and diagnostics borrow it).
    pub(super) fn walk(
        &mut self,
        v: &'a Json,
        path: &mut String,
        scope: Scope,
        from: Option<&'a str>,
    ) {
        use std::fmt::Write;
        let len = path.len();
        match v {
            Json::Array(items) => {
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
            Json::Object(m) if m.len() == 1 => {
                let Some((k, arg)) = m.iter().next() else {
                    return;
                };
                let k = k.as_str();
                path.push('.');
                path.push_str(k);
                match k {
                    "Ref" => self.reference(arg, path, scope, from),
                    "Fn::GetAtt" => self.get_att(arg, path, scope, from),
                    "Fn::Sub" => self.sub(arg, path, scope, from),
                    "Fn::FindInMap" => self.find_in_map(arg, path),
                    "Fn::If" => {
                        if let Some(c) = arg.as_array().and_then(|a| a.first()) {
                            self.condition_name(c, path);
                        } else {
                            self.error(code::IF, path.clone(), format!("Fn::If must be [condition, value if true, value if false] here, got {arg}"));
                        }
                    }
                    "Condition" if scope == Scope::ParametersOnly => self.condition_name(arg, path),
                    // In property values the schema check reports an unknown name, with the
                    // code cfn-lint gives it there.
                    _ if (k.starts_with("Fn::") || super::functions::looks_like_function(k))
                        && (!self.values_checked || super::functions::known(k)) =>
                    {
                        self.function(k, arg, path)
                    }
                    _ => {}
                }
                // The schema check stops at a function: the names inside its arguments are
                // this walk's to check.
                let checked = self.values_checked;
                if super::functions::known(k) {
                    self.values_checked = false;
                }
                if k != "Fn::Sub" {
                    self.walk(arg, path, scope, from);
                } else if let Some(vars) = arg.as_array().and_then(|a| a.get(1)) {
                    self.walk(vars, path, scope, from);
                }
                self.values_checked = checked;
                path.truncate(len);
            }
            Json::Object(m) => {
                for (k, item) in m.iter() {
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
    pub(super) fn edge(&mut self, from: &'a str, to: &'a str) {
        self.edges.push((from, to));
    }

    pub(super) fn reference(
        &mut self,
        arg: &'a Json,
        path: &str,
        scope: Scope,
        from: Option<&'a str>,
    ) {
        let Some(name) = arg.as_str() else {
            self.error(
                code::REF,
                path.into(),
                format!("Ref must name a parameter, resource or pseudo parameter here, got {arg}"),
            );
            return;
        };
        self.target(name, path, scope, from, false);
    }

    /// Checks that `name` can be referenced from here; records the dependency edge.
    pub(super) fn target(
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
                self.error(code::REF, path.into(), format!("Ref must name a parameter or pseudo parameter in Conditions and Rules, got {name:?}"));
            } else if let Some(from) = from {
                self.edge(from, name);
            }
            return;
        }
        if self.tx.may_generate(name) {
            return;
        }
        let what = if via_sub { "Fn::Sub variable" } else { "Ref" };
        self.error(code::REF, path.into(), format!("{what} must name a parameter, resource or pseudo parameter in this template, got {name:?}"));
    }

    pub(super) fn get_att(
        &mut self,
        arg: &'a Json,
        path: &str,
        scope: Scope,
        from: Option<&'a str>,
    ) {
        let pair = match arg {
            Json::Array(a) if a.len() == 2 => a[0].as_str().map(|id| (id, a[1].as_str())),
            Json::String(s) => s.split_once('.').map(|(id, attr)| (id, Some(attr))),
            _ => None,
        };
        let Some((id, attr)) = pair else {
            self.error(
                code::GET_ATT,
                path.into(),
                format!("Fn::GetAtt must be [logical ID, attribute] here, got {arg}"),
            );
            return;
        };
        self.att_target(id, attr, path, scope, from);
    }

    pub(super) fn att_target(
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
                code::GET_ATT,
                path.into(),
                format!("Fn::GetAtt must name a resource in this template, got {id:?}"),
            );
            return;
        };
        if scope == Scope::ParametersOnly {
            self.error(
                code::GET_ATT,
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
                        code::GET_ATT,
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
                    code::GET_ATT,
                    path.into(),
                    format!("Fn::GetAtt attribute must be one of {} for {id} ({type_name}), got {attr:?}", known.join(", ")),
                );
            }
        }
    }

    pub(super) fn sub(&mut self, arg: &'a Json, path: &str, scope: Scope, from: Option<&'a str>) {
        let (template, vars) = match arg {
            Json::String(s) => (s.as_str(), None),
            Json::Array(a)
                if a.len() == 2 && a[0].as_str().is_some() && a[1].as_object().is_some() =>
            {
                (a[0].as_str().unwrap_or(""), a[1].as_object())
            }
            // A snippet fills it in before CloudFormation reads it.
            Json::Object(m) if m.contains_key("Fn::Transform") => return,
            _ => {
                self.error(
                    code::SUB,
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

    pub(super) fn find_in_map(&mut self, arg: &Json, path: &str) {
        // A fourth element {DefaultValue: ...}: once LanguageExtensions only, now
        // CloudFormation itself (the Fn::FindInMap reference: "no longer requires the
        // AWS::LanguageExtensions transform").
        let default = arg
            .as_array()
            .and_then(|a| a.get(3))
            .is_some_and(|d| d.get("DefaultValue").is_some());
        let Some(a) = arg
            .as_array()
            .filter(|a| a.len() == 3 || (default && a.len() == 4))
        else {
            self.error(
                code::FIND_IN_MAP,
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
                code::FIND_IN_MAP,
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
                    code::FIND_IN_MAP,
                    path.into(),
                    format!(
                        "Fn::FindInMap keys must exist in mapping {map}, got {top:?}/{second:?}"
                    ),
                );
            }
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
