//! What the template's transforms allow: SAM, LanguageExtensions (`Fn::ForEach`), macros and
//! `Fn::Transform` snippets.

use super::{LANGUAGE_EXTENSIONS, SAM_TRANSFORM};
use serde_json::Value as Json;

/// The transforms a template declares in its top-level `Transform` (a name, a list of names,
/// or `{Name, Parameters}` entries), in order.
pub fn transforms(template: &Json) -> Vec<String> {
    fn name(v: &Json) -> Option<String> {
        match v {
            Json::String(s) => Some(s.to_string()),
            Json::Object(m) => m.get("Name").and_then(Json::as_str).map(str::to_string),
            _ => None,
        }
    }
    match template.get("Transform") {
        Some(v) => match v {
            Json::Array(items) => items.iter().filter_map(name).collect(),
            _ => name(v).into_iter().collect(),
        },
        None => Vec::new(),
    }
}

/// Whether an `Fn::Transform` (a macro or `AWS::Include` snippet) appears anywhere in `v`.
pub fn has_transform_snippet(v: &Json) -> bool {
    match v {
        Json::Object(m) => m
            .iter()
            .any(|(k, v)| k == "Fn::Transform" || has_transform_snippet(v)),
        Json::Array(items) => items.iter().any(has_transform_snippet),
        _ => false,
    }
}

/// Whether CloudFormation runs a transform or macro on the template (a top-level `Transform`
/// or an `Fn::Transform` anywhere): such a template needs the `CAPABILITY_AUTO_EXPAND`
/// acknowledgement.
pub fn needs_transform(template: &Json) -> bool {
    template.get("Transform").is_some() || has_transform_snippet(template)
}

/// What the template's transforms allow (see the module docs).
pub(super) struct Transforms<'a> {
    pub(super) sam: bool,
    pub(super) language_extensions: bool,
    /// Transforms other than SAM and LanguageExtensions.
    pub(super) macros: Vec<String>,
    /// The template, to look for an `Fn::Transform` in.
    pub(super) template: Option<&'a Json>,
    /// An `Fn::Transform` appears somewhere: looked for only when a name is missing (a
    /// whole-template walk that a valid template never needs).
    pub(super) snippet: std::cell::OnceCell<bool>,
    /// Logical IDs whose resources expand into others named after them (SAM resources,
    /// modules).
    pub(super) expanding: Vec<String>,
    /// The key templates of `Fn::ForEach` fragments (`Topic${Name}`, `Topic&{Name}`).
    pub(super) for_each: Vec<String>,
}

impl Default for Transforms<'_> {
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

impl<'a> Transforms<'a> {
    pub(super) fn read(t: &'a Json) -> Self {
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
                if let Some(m) = t.get(section).and_then(Json::as_object) {
                    for (k, v) in m.iter() {
                        if k.starts_with("Fn::ForEach::") {
                            for_each_keys(v, &mut tx.for_each);
                        }
                    }
                }
            }
        }
        tx
    }

    /// Whether an `Fn::Transform` may add declarations: one at the top level or in place of
    /// a section's entries (`Resources: {Fn::Transform: ...}`). A snippet inside a resource
    /// or a property value changes only that fragment, so it declares nothing.
    pub(super) fn snippet(&self) -> bool {
        *self.snippet.get_or_init(|| {
            let Some(top) = self.template.and_then(Json::as_object) else {
                return false;
            };
            top.contains_key("Fn::Transform")
                || top
                    .values()
                    .filter_map(Json::as_object)
                    .any(|section| section.contains_key("Fn::Transform"))
        })
    }

    /// Whether `name`, declared nowhere, may still be made by a transform.
    pub(super) fn may_generate(&self, name: &str) -> bool {
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
    pub(super) fn opaque(&self, key: &str) -> bool {
        key == "Fn::Transform" || (self.language_extensions && key.starts_with("Fn::ForEach::"))
    }
}

/// The output keys of an `Fn::ForEach` value `[identifier, collection, {key: fragment}]`,
/// nested loops included.
pub(super) fn for_each_keys(v: &Json, out: &mut Vec<String>) {
    let Some(fragment) = v
        .as_array()
        .and_then(|a| a.get(2))
        .and_then(Json::as_object)
    else {
        return;
    };
    for (k, inner) in fragment.iter() {
        if k.starts_with("Fn::ForEach::") {
            for_each_keys(inner, out);
        } else {
            out.push(k.to_string());
        }
    }
}

/// Whether `name` can come out of an `Fn::ForEach` key template: each `${x}` or `&{x}` stands
/// for one or more characters, the rest must match exactly.
pub(super) fn matches_key_template(template: &str, name: &str) -> bool {
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
