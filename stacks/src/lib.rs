//! `stacks`: the concrete stacks pcstack ships, each with its config type.

pub mod prerequisites;

use indexmap::IndexMap;
use serde_json::json;
use synth::{Diagnostics, Expr, Output, Synthesized, Template};

/// A built-in stack.
#[derive(Debug, Clone, Copy)]
pub struct StackInfo {
    pub name: &'static str,
    pub description: &'static str,
}

/// Every built-in stack.
pub const STACKS: [StackInfo; 1] = [StackInfo {
    name: prerequisites::NAME,
    description: prerequisites::DESCRIPTION,
}];

/// The config of a built-in stack, from YAML or the default.
pub use prerequisites::config::Config;

/// One output and the environment variable `pcstack outputs --format env` writes it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutput {
    pub key: String,
    pub env: String,
}

pub(crate) struct OutputSpec {
    key: String,
    description: String,
    value: serde_json::Value,
    env: String,
}

impl OutputSpec {
    pub(crate) fn new(
        key: &str,
        description: &str,
        value: impl Into<serde_json::Value>,
        env: &str,
    ) -> Self {
        OutputSpec {
            key: key.into(),
            description: description.into(),
            value: value.into(),
            env: env.into(),
        }
    }
}

/// Adds outputs exported as `<stack name>-<key>`, and records each one's environment
/// variable in the template's `Metadata.pcstack.OutputEnvironmentVariables`, so
/// `pcstack outputs` finds them in a deployed stack's template too.
pub(crate) fn add_outputs(t: &mut Template, specs: Vec<OutputSpec>) -> Vec<StackOutput> {
    let mut env = IndexMap::new();
    let mut out = Vec::new();
    for s in specs {
        let export = Expr::sub(format!("${{AWS::StackName}}-{}", s.key));
        t.add_output(
            &s.key,
            Output::new(s.value)
                .description(s.description)
                .export(export),
        );
        env.insert(s.key.clone(), json!(s.env));
        out.push(StackOutput {
            key: s.key,
            env: s.env,
        });
    }
    t.metadata.insert(
        "pcstack".into(),
        json!({ "OutputEnvironmentVariables": env }),
    );
    out
}

/// A built stack: the checked template and its outputs' environment variables.
#[derive(Debug, Clone)]
pub struct Built {
    pub synthesized: Synthesized,
    pub outputs: Vec<StackOutput>,
}

/// Builds a built-in stack. Errors carry every diagnostic.
pub fn build(name: &str, config: &Config) -> Result<Built, Diagnostics> {
    match name {
        prerequisites::NAME => {
            // Config problems first, named by config field; the constructs would only
            // repeat them in template terms.
            let mut diagnostics = config.validate();
            if diagnostics.has_errors() {
                return Err(diagnostics);
            }
            let (t, outputs) = prerequisites::build(config);
            let mut synthesized = t.synthesize();
            diagnostics.extend(std::mem::take(&mut synthesized.diagnostics));
            synthesized.diagnostics = diagnostics;
            if synthesized.diagnostics.has_errors() {
                Err(synthesized.diagnostics)
            } else {
                Ok(Built {
                    synthesized,
                    outputs,
                })
            }
        }
        other => Err(std::iter::once(synth::Diagnostic::error(
            synth::Code::UnknownStack,
            "stack",
            format!(
                "stack must be one of {} for pcstack, got {other:?}",
                STACKS.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
            ),
        ))
        .collect()),
    }
}

/// Checks deploy-time parameter values of a built-in stack with the same rule functions
/// synth uses. Values for parameters the stack doesn't know are left to the generic check.
pub fn check_parameters(stack: &str, values: &IndexMap<String, String>) -> Diagnostics {
    match stack {
        prerequisites::NAME => prerequisites::check_parameters(values),
        _ => Diagnostics::new(),
    }
}
