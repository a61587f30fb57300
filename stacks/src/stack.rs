//! The interface every stack implements ([`Stack`]) and its object-safe form ([`AnyStack`]),
//! which the registry ([`crate::STACKS`]) and the CLI use.

use crate::{Built, StackOutput};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use std::any::Any;
use synth::{Code, Diagnostic, Diagnostics, Template};

/// A concrete stack: its name, its config type and what it builds from a config.
pub trait Stack: Sync + 'static {
    /// The stack's name: `pcstack synth --stack NAME`, and `out/NAME.yaml`.
    const NAME: &'static str;
    /// One line for `pcstack list` and the template's Description.
    const DESCRIPTION: &'static str;
    /// The config file's type. Unknown fields must be errors (`#[serde(deny_unknown_fields)]`);
    /// the default is what `pcstack synth` builds without `--config`.
    type Config: DeserializeOwned + JsonSchema + Default + PartialEq + std::fmt::Debug + 'static;

    /// Every problem with a config, named by config field (`config: lustre.capacity`).
    fn validate(config: &Self::Config) -> Diagnostics;

    /// The template and its outputs, for a config [`Stack::validate`] found no error in.
    fn template(config: &Self::Config) -> (Template, Vec<StackOutput>);

    /// Checks deploy-time parameter values with the rule functions synth uses; values for
    /// parameters the stack doesn't know are left to the generic check.
    fn check_parameters(values: &IndexMap<String, String>) -> Diagnostics;

    /// A commented starter config (`pcstack init`); it must parse to `Config::default()`.
    fn starter() -> &'static str;

    /// The files `pcstack deploy` uploads to the stack's bucket once the stack is complete
    /// ([`crate::assets`]); the template declares an output per asset. None by default.
    fn assets(_config: &Self::Config) -> Vec<crate::assets::AssetConfig> {
        Vec::new()
    }

    /// The parameter values the config sets (each with the config field it comes from), in
    /// template order. For a built-in stack the config is the desired state: deploy sends
    /// each of these values on every create and update, so changing the field changes the
    /// stack. A parameter left out (no field set it) keeps its deployed value on update.
    /// None by default.
    fn config_parameters(_config: &Self::Config) -> Vec<crate::ConfigParameter> {
        Vec::new()
    }

    /// The config fields that name an Availability Zone (a name such as `us-east-1a` or a zone
    /// ID such as `use1-az2`), each with its value. Deploy resolves the IDs among them
    /// (DescribeAvailabilityZones) and sets each to this account's zone name before building,
    /// so the template is the one the name would give. None by default.
    fn zones(_config: &mut Self::Config) -> Vec<crate::ZoneField<'_>> {
        Vec::new()
    }

    /// What the stack's cluster runs (instance types, capacity reservations), which deploy and
    /// `cluster-config` check against the stack's Availability Zone before any change set.
    /// None by default.
    fn cluster_needs(_config: &Self::Config) -> Option<crate::ClusterNeeds> {
        None
    }

    /// Validates the config, builds and checks the template. Errors carry every diagnostic.
    fn build(config: &Self::Config) -> Result<Built, Diagnostics> {
        // Config problems first, named by config field; the constructs would only repeat
        // them in template terms.
        let mut diagnostics = Self::validate(config);
        if diagnostics.has_errors() {
            return Err(diagnostics);
        }
        let (template, outputs) = Self::template(config);
        let mut synthesized = template.into_synthesized();
        diagnostics.extend(std::mem::take(&mut synthesized.diagnostics));
        synthesized.diagnostics = diagnostics;
        if synthesized.diagnostics.has_errors() {
            Err(synthesized.diagnostics)
        } else {
            Ok(Built {
                synthesized,
                outputs,
                assets: Self::assets(config),
                parameters: Self::config_parameters(config),
            })
        }
    }
}

/// A [`Stack`] behind a pointer: configs travel as `dyn Any` of the stack's config type.
/// Every `Stack` is one (blanket impl), so the registry is `&[&dyn AnyStack]`.
pub trait AnyStack: Sync {
    /// [`Stack::NAME`].
    fn name(&self) -> &'static str;
    /// [`Stack::DESCRIPTION`].
    fn description(&self) -> &'static str;
    /// The config file's JSON Schema (`pcstack schema --stack NAME`).
    fn schema(&self) -> schemars::schema::RootSchema;
    /// [`Stack::starter`].
    fn starter(&self) -> &'static str;
    /// `Config::default()`, boxed: what `pcstack synth` builds without `--config`.
    fn default_config(&self) -> Box<dyn Any>;
    /// Parses a YAML config; `source` names it in diagnostics.
    fn parse_config(&self, text: &str, source: &str) -> Result<Box<dyn Any>, Diagnostics>;
    /// Builds from a config of this stack's config type.
    fn build(&self, config: &dyn Any) -> Result<Built, Diagnostics>;
    /// [`Stack::check_parameters`].
    fn check_parameters(&self, values: &IndexMap<String, String>) -> Diagnostics;
    /// Ok when the starter parses to the default config.
    fn check_starter(&self) -> Result<(), String>;
    /// [`Stack::zones`] of a config of this stack's type (none for another type).
    fn zones<'a>(&self, config: &'a mut dyn Any) -> Vec<crate::ZoneField<'a>>;
    /// [`Stack::cluster_needs`] of a config of this stack's type.
    fn cluster_needs(&self, config: &dyn Any) -> Option<crate::ClusterNeeds>;
}

impl<S: Stack> AnyStack for S {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn description(&self) -> &'static str {
        S::DESCRIPTION
    }

    fn schema(&self) -> schemars::schema::RootSchema {
        schemars::schema_for!(S::Config)
    }

    fn starter(&self) -> &'static str {
        S::starter()
    }

    fn default_config(&self) -> Box<dyn Any> {
        Box::new(S::Config::default())
    }

    fn parse_config(&self, text: &str, source: &str) -> Result<Box<dyn Any>, Diagnostics> {
        parse_config::<S::Config>(text, source).map(|c| Box::new(c) as Box<dyn Any>)
    }

    fn build(&self, config: &dyn Any) -> Result<Built, Diagnostics> {
        match config.downcast_ref::<S::Config>() {
            Some(config) => S::build(config),
            None => Err(std::iter::once(Diagnostic::error(
                Code::ConfigType,
                "config",
                format!(
                    "config must be of type {} for stack {}, got another type",
                    std::any::type_name::<S::Config>(),
                    S::NAME
                ),
            ))
            .collect()),
        }
    }

    fn check_parameters(&self, values: &IndexMap<String, String>) -> Diagnostics {
        S::check_parameters(values)
    }

    fn zones<'a>(&self, config: &'a mut dyn Any) -> Vec<crate::ZoneField<'a>> {
        config
            .downcast_mut::<S::Config>()
            .map(S::zones)
            .unwrap_or_default()
    }

    fn cluster_needs(&self, config: &dyn Any) -> Option<crate::ClusterNeeds> {
        config
            .downcast_ref::<S::Config>()
            .and_then(S::cluster_needs)
    }

    fn check_starter(&self) -> Result<(), String> {
        let parsed = parse_config::<S::Config>(S::starter(), "starter")
            .map_err(|d| format!("starter of {} does not parse:\n{d}", S::NAME))?;
        if parsed == S::Config::default() {
            Ok(())
        } else {
            Err(format!(
                "starter of {} must parse to the default config, got {parsed:?}",
                S::NAME
            ))
        }
    }
}

/// A stack with a config of its type: what `pcstack synth` and `deploy` build.
pub struct Configured {
    /// The stack, from the registry.
    pub stack: &'static dyn AnyStack,
    config: Box<dyn Any>,
}

impl Configured {
    /// The stack's config from YAML (`(text, source)`), or its default.
    pub fn new(
        stack: &'static dyn AnyStack,
        yaml: Option<(&str, &str)>,
    ) -> Result<Configured, Diagnostics> {
        let config = match yaml {
            Some((text, source)) => stack.parse_config(text, source)?,
            None => stack.default_config(),
        };
        Ok(Configured { stack, config })
    }

    /// Builds the stack from its config ([`Stack::build`]).
    pub fn build(&self) -> Result<Built, Diagnostics> {
        self.stack.build(self.config.as_ref())
    }

    /// The config's Availability Zone fields ([`Stack::zones`]), to resolve zone IDs in place.
    pub fn zones(&mut self) -> Vec<crate::ZoneField<'_>> {
        self.stack.zones(self.config.as_mut())
    }

    /// What the config's cluster runs ([`Stack::cluster_needs`]).
    pub fn cluster_needs(&self) -> Option<crate::ClusterNeeds> {
        self.stack.cluster_needs(self.config.as_ref())
    }
}

/// The first tagged value (`!Ref X`) in a config, with its path (`network.vpc_name`): serde
/// would read it as its untagged value, silently.
fn first_tag(value: &serde_yaml::Value, path: String) -> Option<(String, String)> {
    use serde_yaml::Value;
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Tagged(t) => {
            let inner = serde_yaml::to_string(&t.value).unwrap_or_default();
            Some((path, format!("{} {}", t.tag, inner.trim())))
        }
        Value::Mapping(m) => m.iter().find_map(|(k, v)| {
            let key = match k {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            first_tag(k, join(&key)).or_else(|| first_tag(v, join(&key)))
        }),
        Value::Sequence(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_tag(v, format!("{path}[{i}]"))),
        _ => None,
    }
}

/// Parses a YAML config; unknown fields and wrong types are errors naming the field.
///
/// Size and nesting depth are checked first ([`synth::input`]): the YAML parser slows down
/// quadratically with depth, so a deep file is refused before it reaches the parser.
pub fn parse_config<C: DeserializeOwned>(text: &str, source: &str) -> Result<C, Diagnostics> {
    use synth::input::{check_limits, MAX_FILE_BYTES, MAX_FILE_DEPTH};
    check_limits(text, "config file", MAX_FILE_BYTES, MAX_FILE_DEPTH).map_err(|message| {
        std::iter::once(Diagnostic::error(Code::ConfigLimit, source, message))
            .collect::<Diagnostics>()
    })?;
    if let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) {
        if let Some((path, tag)) = first_tag(&value, String::new()) {
            return Err(std::iter::once(Diagnostic::error(
                Code::ConfigSchema,
                source,
                format!(
                    "{} must be a plain value, not a YAML tag (a config is not a template: CloudFormation functions don't apply), got {}",
                    synth::input::echo(&path),
                    synth::input::echo(&tag)
                ),
            ))
            .collect());
        }
    }
    serde_yaml::from_str::<C>(text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(":{}:{}", l.line(), l.column()))
            .unwrap_or_default();
        let msg = e.to_string();
        // serde_yaml appends " at line X column Y"; the location is in the path already.
        // Cut like any echoed value: it can hold a user's key of any length.
        let msg = synth::input::echo(msg.split(" at line ").next().unwrap_or(&msg));
        std::iter::once(Diagnostic::error(
            Code::ConfigSchema,
            format!("{source}{at}"),
            format!("config must be valid for pcstack's schema (see `pcstack schema`), got: {msg}"),
        ))
        .collect()
    })
}
