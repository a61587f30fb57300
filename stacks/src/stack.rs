//! The interface every stack implements ([`Stack`]) and its object-safe form ([`AnyStack`]),
//! which the registry ([`crate::STACKS`]) and the CLI use. A config travels with its stack
//! ([`Configured`]): built from the stack's own config type, never a value of another.

use crate::{Built, StackOutput};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use synth::{Diagnostic, Diagnostics, Template};

/// The diagnostic codes of stack names and configs.
pub mod code {
    synth::codes! {
        UNKNOWN_STACK = "PC000", "the stack name is not a built-in stack";
        CONFIG_SCHEMA = "PC001", "the config file does not parse against the stack's config schema";
        CONFIG_UNREADABLE = "PC004", "the config file cannot be read";
        CONFIG_LIMIT = "PC006", "the config file is larger or nests deeper than pcstack reads (1 MiB, 64 levels)";
    }
}

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

    /// The config's `region` (the Region the stack is deployed to), when it sets one. None by
    /// default.
    fn region(_config: &Self::Config) -> Option<&str> {
        None
    }

    /// The config's `parameters` map: values deploy passes (flags and `--parameters-file`
    /// win). Empty by default.
    fn parameters(_config: &Self::Config) -> IndexMap<String, String> {
        IndexMap::new()
    }

    /// The commands the stack offers besides synth and deploy. None by default.
    fn commands() -> &'static [StackCommand] {
        &[]
    }

    /// [`StackCommand::ClusterConfig`], when [`Stack::commands`] lists it: the cluster
    /// configuration from a config and the stack's outputs JSON (`source` names where the
    /// outputs came from). `None` by default: the stack offers no such command.
    fn cluster_config(
        _config: &Self::Config,
        _outputs: &Json,
        _source: &str,
    ) -> Option<Result<String, Diagnostics>> {
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

/// A command only some stacks offer ([`Stack::commands`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackCommand {
    /// `pcstack cluster-config`: the ParallelCluster cluster configuration from the stack's
    /// outputs ([`Stack::cluster_config`]).
    ClusterConfig,
}

/// A [`Stack`] behind a pointer, for the registry (`&[&dyn AnyStack]`). Every `Stack` is one
/// (blanket impl). Its configs come out as [`Configured`], which holds the stack's own config
/// type: there is no way to pair a stack with another stack's config.
pub trait AnyStack: Sync {
    /// [`Stack::NAME`].
    fn name(&self) -> &'static str;
    /// [`Stack::DESCRIPTION`].
    fn description(&self) -> &'static str;
    /// The config file's JSON Schema (`pcstack schema --stack NAME`).
    fn schema(&self) -> schemars::schema::RootSchema;
    /// [`Stack::starter`].
    fn starter(&self) -> &'static str;
    /// The stack with `Config::default()`: what `pcstack synth` builds without `--config`.
    fn default_config(&self) -> Configured;
    /// The stack with a config parsed from YAML; `source` names it in diagnostics.
    fn parse_config(&self, text: &str, source: &str) -> Result<Configured, Diagnostics>;
    /// [`Stack::check_parameters`].
    fn check_parameters(&self, values: &IndexMap<String, String>) -> Diagnostics;
    /// [`Stack::commands`].
    fn commands(&self) -> &'static [StackCommand];
    /// Ok when the starter parses to the default config.
    fn check_starter(&self) -> Result<(), String>;
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

    fn default_config(&self) -> Configured {
        Configured::of::<S>(S::Config::default())
    }

    fn parse_config(&self, text: &str, source: &str) -> Result<Configured, Diagnostics> {
        parse_config::<S::Config>(text, source).map(Configured::of::<S>)
    }

    fn check_parameters(&self, values: &IndexMap<String, String>) -> Diagnostics {
        S::check_parameters(values)
    }

    fn commands(&self) -> &'static [StackCommand] {
        S::commands()
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

/// A stack with a config of its own type: what `pcstack synth`, `deploy`, `diff` and
/// `cluster-config` work from. Everything the CLI reads from a config comes through here
/// (the config file is parsed once, into this).
pub struct Configured(Box<dyn ConfiguredStack>);

/// [`Configured`]'s inside: the stack's methods with its config bound.
trait ConfiguredStack {
    fn name(&self) -> &'static str;
    fn commands(&self) -> &'static [StackCommand];
    fn validate(&self) -> Diagnostics;
    fn build(&self) -> Result<Built, Diagnostics>;
    fn region(&self) -> Option<&str>;
    fn parameters(&self) -> IndexMap<String, String>;
    fn assets(&self) -> Vec<crate::assets::AssetConfig>;
    fn cluster_config(&self, outputs: &Json, source: &str) -> Option<Result<String, Diagnostics>>;
    fn zones(&mut self) -> Vec<crate::ZoneField<'_>>;
    fn cluster_needs(&self) -> Option<crate::ClusterNeeds>;
}

/// A stack's config, typed by its stack.
struct Typed<S: Stack>(S::Config);

impl<S: Stack> ConfiguredStack for Typed<S> {
    fn name(&self) -> &'static str {
        S::NAME
    }

    fn commands(&self) -> &'static [StackCommand] {
        S::commands()
    }

    fn validate(&self) -> Diagnostics {
        S::validate(&self.0)
    }

    fn build(&self) -> Result<Built, Diagnostics> {
        S::build(&self.0)
    }

    fn region(&self) -> Option<&str> {
        S::region(&self.0)
    }

    fn parameters(&self) -> IndexMap<String, String> {
        S::parameters(&self.0)
    }

    fn assets(&self) -> Vec<crate::assets::AssetConfig> {
        S::assets(&self.0)
    }

    fn cluster_config(&self, outputs: &Json, source: &str) -> Option<Result<String, Diagnostics>> {
        S::cluster_config(&self.0, outputs, source)
    }

    fn zones(&mut self) -> Vec<crate::ZoneField<'_>> {
        S::zones(&mut self.0)
    }

    fn cluster_needs(&self) -> Option<crate::ClusterNeeds> {
        S::cluster_needs(&self.0)
    }
}

impl Configured {
    /// Stack `S` with `config`.
    pub fn of<S: Stack>(config: S::Config) -> Configured {
        Configured(Box::new(Typed::<S>(config)))
    }

    /// The stack's config from YAML (`(text, source)`), or its default.
    pub fn new(
        stack: &dyn AnyStack,
        yaml: Option<(&str, &str)>,
    ) -> Result<Configured, Diagnostics> {
        match yaml {
            Some((text, source)) => stack.parse_config(text, source),
            None => Ok(stack.default_config()),
        }
    }

    /// The stack's name ([`Stack::NAME`]).
    pub fn stack_name(&self) -> &'static str {
        self.0.name()
    }

    /// Whether the stack offers `command` ([`Stack::commands`]).
    pub fn offers(&self, command: StackCommand) -> bool {
        self.0.commands().contains(&command)
    }

    /// Every problem with the config ([`Stack::validate`]).
    pub fn validate(&self) -> Diagnostics {
        self.0.validate()
    }

    /// Builds the stack from its config ([`Stack::build`]).
    pub fn build(&self) -> Result<Built, Diagnostics> {
        self.0.build()
    }

    /// [`Stack::region`].
    pub fn region(&self) -> Option<&str> {
        self.0.region()
    }

    /// [`Stack::parameters`].
    pub fn parameters(&self) -> IndexMap<String, String> {
        self.0.parameters()
    }

    /// [`Stack::assets`].
    pub fn assets(&self) -> Vec<crate::assets::AssetConfig> {
        self.0.assets()
    }

    /// [`Stack::cluster_config`]: `None` when the stack offers no such command.
    pub fn cluster_config(
        &self,
        outputs: &Json,
        source: &str,
    ) -> Option<Result<String, Diagnostics>> {
        self.0.cluster_config(outputs, source)
    }

    /// The config's Availability Zone fields ([`Stack::zones`]), to resolve zone IDs in place.
    pub fn zones(&mut self) -> Vec<crate::ZoneField<'_>> {
        self.0.zones()
    }

    /// What the config's cluster runs ([`Stack::cluster_needs`]).
    pub fn cluster_needs(&self) -> Option<crate::ClusterNeeds> {
        self.0.cluster_needs()
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

/// serde's `unknown field `X`, expected one of `a`, `b`, ...` (cut to a few names by the echo
/// limit) as `unknown field `X` (did you mean `a`?)` when one of the expected fields is a
/// plausible typo of it; `None` otherwise (then the message is echoed as it is).
fn unknown_field_hint(msg: &str) -> Option<String> {
    let (before, rest) = msg.split_once("unknown field `")?;
    let (given, expected) = rest.split_once("`, expected ")?;
    let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let near = synth::catalog::nearest(given, fields)?;
    Some(format!(
        "{before}unknown field `{}` (did you mean `{near}`?)",
        synth::input::echo(given)
    ))
}

/// Parses a YAML config; unknown fields and wrong types are errors naming the field.
///
/// Size and nesting depth are checked first ([`synth::input`]): the YAML parser slows down
/// quadratically with depth, so a deep file is refused before it reaches the parser.
pub fn parse_config<C: DeserializeOwned>(text: &str, source: &str) -> Result<C, Diagnostics> {
    use synth::input::{check_limits, MAX_FILE_BYTES, MAX_FILE_DEPTH};
    check_limits(text, "config file", MAX_FILE_BYTES, MAX_FILE_DEPTH).map_err(|message| {
        std::iter::once(Diagnostic::error(code::CONFIG_LIMIT, source, message))
            .collect::<Diagnostics>()
    })?;
    if let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) {
        if let Some((path, tag)) = first_tag(&value, String::new()) {
            return Err(std::iter::once(Diagnostic::error(
                code::CONFIG_SCHEMA,
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
        let msg = msg.split(" at line ").next().unwrap_or(&msg);
        // Cut like any echoed value: it can hold a user's key of any length.
        let msg = unknown_field_hint(msg).unwrap_or_else(|| synth::input::echo(msg));
        std::iter::once(Diagnostic::error(
            code::CONFIG_SCHEMA,
            format!("{source}{at}"),
            format!("config must be valid for pcstack's schema (see `pcstack schema`), got: {msg}"),
        ))
        .collect()
    })
}
