//! `stacks`: the concrete stacks pcstack ships, each behind the [`Stack`] interface, and the
//! registry of them ([`STACKS`]).
//!
//! A stack is a name, a config type (the file `pcstack synth --config` reads) and what it
//! builds from a config: config rules first, then the template from `constructs`, then
//! `synth`'s whole-template checks. The CLI reaches stacks only through the registry and
//! [`AnyStack`], so a new stack needs no change there.
//!
//! # The built-in stacks
//!
//! ```
//! let names: Vec<&str> = stacks::STACKS.iter().map(|s| s.name()).collect();
//! assert_eq!(names, ["parallelcluster-prerequisites"]);
//!
//! // What `pcstack synth` does without --config: the default stack, from its default config.
//! let stack = stacks::find(stacks::DEFAULT_STACK)?;
//! let built = stack.default_config().build()?;
//! let lustre = &built.synthesized.template["Resources"]["FSxLFilesystem"];
//! assert_eq!(lustre["Type"], "AWS::FSx::FileSystem");
//! assert!(built.synthesized.yaml.contains("\n  FSxLFilesystem:\n"));
//! assert!(built.outputs.iter().any(|o| o.env == "FSX_LUSTRE_ID"));
//!
//! // A config breaking an AWS rule builds nothing; the diagnostic names the config field.
//! let config = stack.parse_config("lustre:\n  capacity: 1000\n", "pcstack.yaml")?;
//! let errors = config.build().unwrap_err();
//! assert_eq!(errors.iter().next().map(|d| d.path.as_str()), Some("config: lustre.capacity"));
//! # Ok::<(), synth::Diagnostics>(())
//! ```
//!
//! # A new stack
//!
//! Implement [`Stack`] for a unit type; every `Stack` is an [`AnyStack`]. A built-in stack
//! is a module of this crate plus one line in [`STACKS`]. Its config travels typed: a
//! [`Configured`] holds the stack's own config type.
//!
//! ```
//! use constructs::l1::ecr::{Repository, RepositoryAttr};
//! use constructs::rules::ecr;
//! use indexmap::IndexMap;
//! use stacks::{AnyStack, Stack, StackOutput};
//! use synth::{Diagnostics, Output, Template};
//!
//! /// The config file: unknown fields are errors, and every field has a default.
//! #[derive(Debug, PartialEq, serde::Deserialize, schemars::JsonSchema)]
//! #[serde(deny_unknown_fields, default)]
//! struct ImagesConfig {
//!     /// ECR repository name.
//!     name: String,
//! }
//!
//! impl Default for ImagesConfig {
//!     fn default() -> Self {
//!         ImagesConfig { name: "training".into() }
//!     }
//! }
//!
//! struct Images;
//!
//! impl Stack for Images {
//!     const NAME: &'static str = "images";
//!     const DESCRIPTION: &'static str = "An ECR repository for training images";
//!     type Config = ImagesConfig;
//!
//!     fn validate(config: &ImagesConfig) -> Diagnostics {
//!         // The same rule functions the constructs apply, reported at the config field.
//!         ecr::repository_name(&config.name)
//!             .err()
//!             .map(|v| v.at("config: name"))
//!             .into_iter()
//!             .collect()
//!     }
//!
//!     fn template(config: &ImagesConfig) -> (Template, Vec<StackOutput>) {
//!         let mut t = Template::new(Self::NAME);
//!         t.description = Some(Self::DESCRIPTION.into());
//!         let repo = t.add("Repository", Repository::new().repository_name(&config.name));
//!         t.add_output("RepositoryUri", Output::new(repo.get_att(RepositoryAttr::RepositoryUri)));
//!         let env = StackOutput { key: "RepositoryUri".into(), env: "REPOSITORY_URI".into() };
//!         (t, vec![env])
//!     }
//!
//!     fn check_parameters(_: &IndexMap<String, String>) -> Diagnostics {
//!         Diagnostics::new() // the template declares no parameters
//!     }
//!
//!     fn starter() -> &'static str {
//!         "# pcstack config for the images stack\nname: training\n"
//!     }
//! }
//!
//! let stack: &dyn AnyStack = &Images;
//! stack.check_starter()?;
//! let built = stack.default_config().build()?;
//! assert!(built.synthesized.yaml.contains("RepositoryName: training"));
//! let bad = Images::build(&ImagesConfig { name: "Training".into() }).unwrap_err();
//! assert_eq!(bad.iter().next().map(|d| d.code.as_str()), Some("PC141"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod assets;
pub mod codes;
pub mod prerequisites;
pub mod stack;

pub use stack::{parse_config, AnyStack, Configured, Stack, StackCommand};

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use synth::{Code, Diagnostic, Diagnostics, Expr, Output, Synthesized, Template};

/// Every built-in stack. Adding a stack is its own module plus one line here.
pub static STACKS: &[&dyn AnyStack] = &[&prerequisites::Prerequisites];

/// The stack the CLI builds when none is named.
pub const DEFAULT_STACK: &str = prerequisites::NAME;

/// The config of the default stack. Kept for callers that name the prerequisites stack's
/// config directly; code that takes a stack name goes through [`find`].
pub use prerequisites::config::Config;

/// Every diagnostic code this crate declares, one list per declaring module; [`codes`]
/// assembles every crate's into the registry.
pub const CODES: &[&[Code]] = &[
    stack::code::CODES,
    prerequisites::rules::code::CODES,
    prerequisites::cluster::code::CODES,
    assets::code::CODES,
];

/// The built-in stack called `name`; an error diagnostic listing them all when none is.
pub fn find(name: &str) -> Result<&'static dyn AnyStack, Diagnostics> {
    STACKS
        .iter()
        .copied()
        .find(|s| s.name() == name)
        .ok_or_else(|| {
            std::iter::once(Diagnostic::error(
                stack::code::UNKNOWN_STACK,
                "stack",
                format!(
                    "stack must be one of {} for pcstack, got {name:?}",
                    STACKS
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
            .collect()
        })
}

/// Checks deploy-time parameter values of a built-in stack with the same rule functions
/// synth uses. Values for parameters the stack doesn't know (and unknown stacks) are left
/// to the generic check.
pub fn check_parameters(stack: &str, values: &IndexMap<String, String>) -> Diagnostics {
    find(stack)
        .map(|s| s.check_parameters(values))
        .unwrap_or_default()
}

/// One output and the environment variable `pcstack outputs --format env` writes it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutput {
    /// The output's logical ID, e.g. `FSxLustreFilesystemId`.
    pub key: String,
    /// The environment variable name, e.g. `FSX_LUSTRE_ID`.
    pub env: String,
}

/// One line of the env file, in order: a stack output with its variable, or one of the
/// variables pcstack writes itself (`AWS_REGION` ...) placed among them.
pub(crate) struct OutputSpec {
    key: String,
    description: String,
    /// `None`: pcstack's own variable `env`, no output.
    value: Option<Json>,
    env: String,
}

impl OutputSpec {
    pub(crate) fn new(key: &str, description: &str, value: impl Into<Json>, env: &str) -> Self {
        OutputSpec {
            key: key.into(),
            description: description.into(),
            value: Some(value.into()),
            env: env.into(),
        }
    }

    /// Where pcstack's own variable `env` (one of `FIXED_ENV_NAMES`) goes among the outputs.
    pub(crate) fn own(env: &str) -> Self {
        OutputSpec {
            key: String::new(),
            description: String::new(),
            value: None,
            env: env.into(),
        }
    }
}

/// Adds outputs exported as `<stack name>-<key>`, and records in the template's
/// `Metadata.pcstack` each one's environment variable (`OutputEnvironmentVariables`) and the
/// order of the env file's lines (`EnvironmentVariableOrder`: every output's variable and
/// pcstack's own, in `specs` order, pcstack's own not placed at the end), so `pcstack
/// outputs` finds both in a deployed stack's template too.
pub(crate) fn add_outputs(t: &mut Template, specs: Vec<OutputSpec>) -> Vec<StackOutput> {
    let mut env = Map::new();
    let mut order: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let outputs: Vec<&OutputSpec> = specs.iter().filter(|s| s.value.is_some()).collect();
    check_env_names(t, &outputs);
    for s in specs {
        order.push(s.env.clone());
        let Some(value) = s.value else {
            continue;
        };
        let export = Expr::sub(format!("${{AWS::StackName}}-{}", s.key));
        t.add_output(
            &s.key,
            Output::new(value).description(s.description).export(export),
        );
        // A repeated key (an error reported elsewhere) keeps one entry.
        env.insert(s.key.clone(), s.env.as_str().into());
        out.push(StackOutput {
            key: s.key,
            env: s.env,
        });
    }
    for own in FIXED_ENV_NAMES {
        if !order.iter().any(|n| n == own) {
            order.push(own.to_string());
        }
    }
    let mut metadata = Map::new();
    metadata.insert(plan::env::OUTPUT_VARIABLES.into(), Json::Object(env));
    metadata.insert(plan::env::VARIABLE_ORDER.into(), order.into());
    t.metadata
        .insert(plan::env::METADATA_KEY.into(), Json::Object(metadata));
    out
}

use plan::env::OWN_NAMES as FIXED_ENV_NAMES;

/// Every output's environment variable is a shell name (`[A-Za-z_][A-Za-z0-9_]*`) and no two
/// outputs share one, nor an output and a name pcstack writes itself: the env file is sourced
/// by a shell, and a repeated name silently loses a value.
fn check_env_names(t: &mut Template, specs: &[&OutputSpec]) {
    // Each name's holder: an output's key, or None for pcstack's own variables.
    let mut holders: IndexMap<&str, Option<&str>> =
        FIXED_ENV_NAMES.iter().map(|n| (*n, None)).collect();
    for s in specs {
        let path = || format!("Outputs/{}", s.key);
        let mut chars = s.env.chars();
        let shell_name = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !shell_name {
            t.report(Diagnostic::error(
                prerequisites::rules::code::ASSOCIATION_ENV,
                path(),
                format!(
                    "output {} environment variable must be a name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got {:?}",
                    s.key, s.env
                ),
            ));
        } else if plan::env::acted_on(&s.env) {
            t.report(Diagnostic::error(
                plan::env::code::ACTED_ON_ENV_NAME,
                path(),
                format!(
                    "output {} environment variable must not be a name a shell, loader or runtime acts on (PATH, LD_*, PYTHON*, AWS_* ...; the list is in the README) for pcstack outputs, got {:?}",
                    s.key, s.env
                ),
            ));
        } else if let Some(holder) = holders.get(s.env.as_str()) {
            let holder = match holder {
                Some(key) => format!("output {key}"),
                None => "pcstack's own variable".to_string(),
            };
            t.report(Diagnostic::error(
                plan::env::code::DUPLICATE_ENV_NAME,
                path(),
                format!(
                    "output {} environment variable must differ from that of {holder} for pcstack outputs, got {:?}",
                    s.key, s.env
                ),
            ));
        } else {
            holders.insert(&s.env, Some(&s.key));
        }
    }
}

/// A built stack: the checked template and its outputs' environment variables.
#[derive(Debug, Clone)]
pub struct Built {
    /// The rendered template and its diagnostics (none of them errors).
    pub synthesized: Synthesized,
    /// Every output the stack declares, in template order, with its environment variable.
    pub outputs: Vec<StackOutput>,
    /// The files deploy uploads to the stack's bucket ([`Stack::assets`]).
    pub assets: Vec<assets::AssetConfig>,
    /// The parameter values the config sets ([`Stack::config_parameters`]).
    pub parameters: Vec<ConfigParameter>,
}

/// A config field naming an Availability Zone ([`Stack::zones`]): a zone name, or a zone ID
/// that deploy replaces with the account's zone name.
#[derive(Debug, PartialEq, Eq)]
pub struct ZoneField<'a> {
    /// The config field, e.g. `network.availability_zone`.
    pub field: &'static str,
    /// Its value.
    pub value: &'a mut String,
}

/// What a stack's cluster runs ([`Stack::cluster_needs`]), each with the config field it comes
/// from, for the checks against the stack's Availability Zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterNeeds {
    /// The template parameter holding the zone the cluster runs in (`PrimarySubnetAZ`).
    pub zone_parameter: String,
    /// Every instance type the cluster launches: (field, type), the head node's first.
    pub instance_types: Vec<(String, String)>,
    /// Every capacity reservation a queue targets.
    pub reservations: Vec<ReservationUse>,
}

/// A queue's capacity reservation and what the queue launches into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservationUse {
    /// The config field, e.g. `cluster.queues[0].capacity_reservation_id`.
    pub field: String,
    /// The reservation's ID (`cr-...`).
    pub id: String,
    /// The queue's `capacity_type`: `ONDEMAND` or `CAPACITY_BLOCK`.
    pub capacity_type: String,
    /// The queue's instance types (one, for a queue with a reservation).
    pub instance_types: Vec<String>,
    /// The most instances the queue launches into it (the sum of its `max_count`s).
    pub max_count: i64,
}

/// A parameter value that a config field sets ([`Stack::config_parameters`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigParameter {
    /// The template parameter, e.g. `Capacity`.
    pub name: &'static str,
    /// The config field it comes from, e.g. `lustre.capacity`.
    pub field: &'static str,
    /// The value as CloudFormation receives it, e.g. `2400`.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn synthesizing_by_value_gives_what_synthesizing_by_reference_gives() {
        use crate::stack::Stack;
        let (template, _) = prerequisites::Prerequisites::template(&Config::default());
        let by_ref = template.synthesize();
        let by_value = template.clone().into_synthesized();
        assert_eq!(by_value.template, by_ref.template);
        assert_eq!(by_value.yaml, by_ref.yaml);
        assert_eq!(
            by_value.diagnostics.to_string(),
            by_ref.diagnostics.to_string()
        );
        assert!(by_ref.template["Resources"]["VPC"]["Properties"].is_object());
    }

    #[test]
    fn registry_names_are_unique_and_found() {
        let mut seen = HashSet::new();
        for s in STACKS {
            assert!(seen.insert(s.name()), "{} registered twice", s.name());
            assert_eq!(find(s.name()).map(|f| f.name()).ok(), Some(s.name()));
        }
        assert!(find(DEFAULT_STACK).is_ok());
    }

    #[test]
    fn every_starter_is_its_default_and_every_default_builds() {
        for s in STACKS {
            s.check_starter().unwrap();
            s.default_config().build().unwrap();
        }
    }

    #[test]
    fn every_schema_denies_unknown_fields() {
        for s in STACKS {
            let schema = serde_json::to_value(s.schema()).unwrap();
            assert_eq!(
                schema["additionalProperties"],
                serde_json::json!(false),
                "{}",
                s.name()
            );
        }
    }

    #[test]
    fn unknown_stack() {
        let err = find("nope").err().unwrap().to_string();
        assert_eq!(
            err,
            "error[PC000] stack: stack must be one of parallelcluster-prerequisites for pcstack, got \"nope\"\n"
        );
    }

    #[test]
    fn a_huge_config_key_is_cut_in_the_message() {
        let stack = find(DEFAULT_STACK).unwrap();
        for yaml in [
            format!("{}: 1\n", "k".repeat(200_000)),
            format!("network:\n  {}: 1\n", "k".repeat(200_000)),
        ] {
            let err = Configured::new(stack, Some((&yaml, "c.yaml")))
                .err()
                .map(|d| d.to_string())
                .unwrap();
            assert!(err.len() < 1_000, "{} bytes: {}", err.len(), &err[..300]);
            assert!(err.contains("more)"), "{err}");
        }
    }

    #[test]
    fn yaml_tags_in_a_config_are_refused_not_dropped() {
        let stack = find(DEFAULT_STACK).unwrap();
        let err = Configured::new(
            stack,
            Some(("network:\n  vpc_name: !Ref AWS::StackName\n", "c.yaml")),
        )
        .err()
        .map(|d| d.to_string())
        .unwrap();
        assert_eq!(
            err,
            "error[PC001] c.yaml: network.vpc_name must be a plain value, not a YAML tag (a config is not a template: CloudFormation functions don't apply), got !Ref AWS::StackName\n"
        );
    }

    #[test]
    fn output_env_names_are_unique_shell_names() {
        let build = |yaml: &str| {
            let stack = find(DEFAULT_STACK).unwrap();
            Configured::new(stack, Some((yaml, "c.yaml")))
                .unwrap()
                .build()
                .err()
                .map(|d| d.to_string())
        };
        let err = build("associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: VPC_ID}\n").unwrap();
        assert!(
            err.contains("error[PC007] parallelcluster-prerequisites/Outputs/A: output A environment variable must differ from that of output VPC for pcstack outputs, got \"VPC_ID\""),
            "{err}"
        );
        // A name the shell acts on would run code where the env file is sourced.
        for name in ["PATH", "LD_PRELOAD", "PROMPT_COMMAND", "BASH_ENV"] {
            let err = build(&format!("associations:\n  - {{id: A, file_system_path: /a, s3_prefix: a/, output: A, env: {name}}}\n")).unwrap();
            assert!(
                err.contains(&format!("error[PC008] parallelcluster-prerequisites/Outputs/A: output A environment variable must not be a name a shell, loader or runtime acts on (PATH, LD_*, PYTHON*, AWS_* ...; the list is in the README) for pcstack outputs, got \"{name}\"")),
                "{err}"
            );
        }
        let err = build("associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: AWS_REGION}\n").unwrap();
        assert!(
            err.contains("must differ from that of pcstack's own variable"),
            "{err}"
        );
        let err = build("associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: D}\n  - {id: B, file_system_path: /b, s3_prefix: b/, output: B, env: D}\n").unwrap();
        assert!(
            err.contains("output B environment variable must differ from that of output A"),
            "{err}"
        );
    }
}
