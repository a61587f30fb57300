//! `synth`: the CloudFormation template model.
//!
//! It knows CloudFormation (sections, intrinsics, references, limits) and no AWS service:
//! resource types come in through the [`Resource`] trait, implemented by the generated L1
//! types in `constructs`.
//!
//! - [`Template`]: the sections, built with `add_*` methods that return IDs and typed
//!   [`Handle`]s; schema checks run as resources are added.
//! - [`Expr`] and [`Value`]: intrinsic functions, and a property value that is a literal or
//!   an expression.
//! - A template, built here or read from a file, is a `serde_json::Value` (mappings keep
//!   their order): what the checks and the renderer read.
//! - [`Template::synthesize`]: the whole-template checks ([`validate`]) and the rendering
//!   ([`render`]), with every [`Diagnostic`] found on the way.
//!
//! # A template by hand
//!
//! A parameter, a resource, and outputs that `Ref` and `Fn::GetAtt` it. The resource type
//! here is a hand-written stand-in for a generated L1 type:
//!
//! ```
//! use serde::Serialize;
//! use synth::{checks, Attribute, Diagnostics, Expr, LogicalId, Output, Parameter, Resource};
//! use synth::{Template, Value};
//!
//! /// `AWS::ECR::Repository`, with one property.
//! #[derive(Serialize)]
//! #[serde(rename_all = "PascalCase")]
//! struct Repository {
//!     repository_name: Value<String>,
//! }
//!
//! #[derive(Clone, Copy)]
//! enum RepositoryAttr {
//!     Arn,
//! }
//!
//! impl Attribute for RepositoryAttr {
//!     const ALL: &'static [&'static str] = &["Arn"];
//!     fn name(self) -> &'static str {
//!         match self {
//!             RepositoryAttr::Arn => "Arn",
//!         }
//!     }
//! }
//!
//! impl Resource for Repository {
//!     const TYPE: &'static str = "AWS::ECR::Repository";
//!     type Attr = RepositoryAttr;
//!     const CREATE_ONLY: &'static [&'static str] = &["RepositoryName"];
//!     const HOLDS_DATA: bool = true;
//!     fn check(&self, path: &str, diags: &mut Diagnostics) {
//!         checks::length(diags, path, "RepositoryName", &self.repository_name, Some(2), Some(256));
//!     }
//! }
//!
//! let mut t = Template::new("example");
//! let name = t.add_parameter(
//!     "RepositoryName",
//!     Parameter::string().default("training").length(Some(2), Some(256)),
//! );
//! let repo = t.add(
//!     "Repository",
//!     Repository { repository_name: Expr::Ref(name).into() },
//! );
//! t.add_output("RepositoryName", Output::new(repo.reference()));
//! t.add_output("RepositoryArn", Output::new(repo.get_att(RepositoryAttr::Arn)));
//!
//! let out = t.synthesize();
//! assert!(!out.diagnostics.has_errors(), "{}", out.diagnostics);
//! assert_eq!(
//!     out.yaml,
//!     "\
//! AWSTemplateFormatVersion: '2010-09-09'
//! Parameters:
//!   RepositoryName:
//!     Type: String
//!     Default: training
//!     MinLength: 2
//!     MaxLength: 256
//! Resources:
//!   Repository:
//!     Type: AWS::ECR::Repository
//!     Properties:
//!       RepositoryName:
//!         Ref: RepositoryName
//! Outputs:
//!   RepositoryName:
//!     Value:
//!       Ref: Repository
//!   RepositoryArn:
//!     Value:
//!       Fn::GetAtt:
//!       - Repository
//!       - Arn
//! "
//! );
//!
//! // A Ref to nothing the template declares compiles, but synthesis reports it, with the
//! // path to the property that holds it.
//! let missing = LogicalId::new("RepositoryNmae")?;
//! t.add("Mirror", Repository { repository_name: Expr::Ref(missing).into() });
//! let out = t.synthesize();
//! let errors: Vec<String> = out.diagnostics.errors().map(|d| d.to_string()).collect();
//! assert_eq!(
//!     errors,
//!     [
//!         "error[E1020] example/Mirror (AWS::ECR::Repository).RepositoryName.Ref: Ref must \
//!          name a parameter, resource or pseudo parameter in this template, got \"RepositoryNmae\""
//!     ]
//! );
//! # Ok::<(), synth::Diagnostic>(())
//! ```

#![deny(missing_docs)]

pub mod catalog;
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
pub use template::{
    Output, Parameter, ParameterType, Policy, ResourceOptions, Rule, Section, Template,
};

/// Every diagnostic code synth declares, one list per declaring module (the registry,
/// `stacks::codes`, assembles every crate's).
pub const CODES: &[&[Code]] = &[code::CODES];

use serde_json::Value as Json;

/// A template checked and rendered, with every diagnostic found on the way. `template` and
/// `yaml` describe the same template: `yaml` is rendered once, so change neither afterwards
/// (synthesize again instead).
#[derive(Debug, Clone)]
pub struct Synthesized {
    /// The stack name the template was built with.
    pub name: String,
    /// The template, sections in CloudFormation's order.
    pub template: Json,
    /// The YAML rendering, made once: the size check needs it and so does every writer.
    pub yaml: String,
    /// Build-time diagnostics, then the whole-template checks'.
    pub diagnostics: Diagnostics,
}

impl Synthesized {
    /// The template as text in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Yaml => self.yaml.clone(),
            Format::Json => render::json(&self.template),
        }
    }
}

impl Template {
    /// Runs the whole-template checks and renders the template. Build-time diagnostics come
    /// first.
    pub fn synthesize(&self) -> Synthesized {
        self.finish(
            self.to_json(),
            self.diagnostics().clone(),
            &self.attribute_table(),
        )
    }

    /// [`Template::synthesize`], consuming the template: its sections move into the JSON
    /// instead of being copied (what `pcstack synth` does; same result).
    pub fn into_synthesized(mut self) -> Synthesized {
        let attributes = self.attribute_table();
        let template = self.take_json();
        let diagnostics = self.take_diagnostics();
        self.finish(template, diagnostics, &attributes)
    }

    /// Each resource type of the template with its `Fn::GetAtt` attributes.
    fn attribute_table(&self) -> Vec<(&'static str, &'static [&'static str])> {
        self.resources
            .values()
            .map(|r| (r.type_name, r.attributes))
            .collect()
    }

    fn finish(
        &self,
        template: Json,
        mut diagnostics: Diagnostics,
        attributes: &[(&'static str, &'static [&'static str])],
    ) -> Synthesized {
        let lookup = |type_name: &str| -> Option<&'static [&'static str]> {
            attributes
                .iter()
                .find(|(t, _)| *t == type_name)
                .map(|(_, a)| *a)
        };
        diagnostics.extend(validate::validate(&self.name, &template, &lookup));
        // The body-size limits apply to the template as deploy sends it: the YAML rendering.
        let yaml = render::yaml(&template);
        if let Some(d) = validate::check_body_size(&self.name, yaml.len()) {
            diagnostics.push(d);
        }
        Synthesized {
            name: self.name.clone(),
            template,
            yaml,
            diagnostics,
        }
    }
}

#[cfg(test)]
mod tests;
