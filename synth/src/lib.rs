//! `synth`: the CloudFormation template model.
//!
//! It knows CloudFormation (sections, intrinsics, references, limits) and no AWS service:
//! resource types come in through the [`Resource`] trait, implemented by the generated L1
//! types in `constructs`.

pub mod code;
pub mod diag;
pub mod expr;
pub mod id;
pub mod input;
pub mod reference;
pub mod render;
pub mod resource;
pub mod template;
pub mod validate;

pub use code::Code;
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use expr::{Arg, Expr, Pseudo, Value};
pub use id::LogicalId;
pub use reference::{Ref, Target};
pub use render::Format;
pub use resource::{checks, Attribute, Check, Handle, NoAttributes, Resource};
pub use template::{Output, Parameter, ParameterType, Policy, ResourceOptions, Rule, Template};

use serde_json::Value as Json;

/// A template checked and rendered, with every diagnostic found on the way.
#[derive(Debug, Clone)]
pub struct Synthesized {
    pub name: String,
    pub json: Json,
    /// The YAML rendering, made once: the size check needs it and so does every writer.
    pub yaml: String,
    pub diagnostics: Diagnostics,
}

impl Synthesized {
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Yaml => self.yaml.clone(),
            Format::Json => render::json(&self.json),
        }
    }
}

impl Template {
    /// Runs the whole-template checks and renders to JSON. Build-time diagnostics come first.
    pub fn synthesize(&self) -> Synthesized {
        let json = self.to_json();
        let mut diagnostics = self.diagnostics().clone();
        let lookup = |type_name: &str| -> Option<&'static [&'static str]> {
            self.resources
                .values()
                .find(|r| r.type_name == type_name)
                .map(|r| r.attributes)
        };
        diagnostics.extend(validate::validate(&self.name, &json, &lookup));
        // The body-size limits apply to the template as deploy sends it: the YAML rendering.
        let yaml = render::yaml(&json);
        if let Some(d) = validate::check_body_size(&self.name, yaml.len()) {
            diagnostics.push(d);
        }
        Synthesized {
            name: self.name.clone(),
            json,
            yaml,
            diagnostics,
        }
    }
}

#[cfg(test)]
mod tests;
