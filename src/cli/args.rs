//! The command line: every command, flag and its help (clap). `main.rs` dispatches on it.

use crate::deploy;
use crate::deploy::aws::Connection;
use crate::deploy::outputs::Format;
use crate::deploy::ui::ProgressMode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use plan::params;
use plan::review::Approve;
use std::path::PathBuf;

pub const EXIT_CODES: &str = "Exit codes: 0 success or no changes; 1 error before any change; 2 invalid input (no AWS call made); 3 the stack operation failed; 4 timed out or detached; 5 approval needed or declined; 130 interrupted.";

#[derive(Parser)]
#[command(name = "pcstack", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Yaml,
    Json,
}

#[derive(Subcommand)]
pub enum Command {
    /// Build a stack's CloudFormation template and write it to <out>/<stack>.yaml
    Synth(SynthArgs),
    /// List the built-in stacks
    List,
    /// Print the JSON Schema of a stack's config file
    Schema {
        /// Built-in stack whose config schema to print (see `pcstack list`)
        #[arg(long, default_value = stacks::DEFAULT_STACK)]
        stack: String,
    },
    /// Write a commented starter config with a stack's built-in defaults
    Init {
        /// Built-in stack to write the starter config of (see `pcstack list`)
        #[arg(long, default_value = stacks::DEFAULT_STACK)]
        stack: String,
        /// Where to write it
        #[arg(long, default_value = "pcstack.yaml")]
        output: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Deploy a built-in stack or a template file through a reviewed change set.
    Deploy(DeployArgs),
    /// Print a deployed stack's outputs.
    Outputs(OutputsArgs),
    /// Delete a stack and list the resources it retained.
    Destroy(DestroyArgs),
    /// Compare a deployed stack's template with a local one and predict replacements (no change
    /// set, changes nothing). Exit 0 with or without differences.
    Diff(DiffArgs),
}

#[derive(Args)]
pub struct SynthArgs {
    /// Config file (YAML); without it, the built-in default (the tutorial's setup)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Built-in stack to synthesize (see `pcstack list`)
    #[arg(long, default_value = stacks::DEFAULT_STACK)]
    pub stack: String,
    /// Directory to write the template to
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: FormatArg,
    /// Write nothing; fail with a diff when the file on disk differs from the synthesized template
    #[arg(long)]
    pub check: bool,
    /// Also list values left to CloudFormation's parameter constraints
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Args)]
pub struct AwsArgs {
    /// AWS region (default: the SDK's chain: AWS_REGION, profile...).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile (default: AWS_PROFILE or "default").
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Custom endpoint for every service (default: AWS_ENDPOINT_URL, or AWS's).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
}

impl AwsArgs {
    pub fn connection(&self) -> Connection {
        Connection {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
        }
    }
}

#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct DeployArgs {
    /// Built-in stack to deploy (or use --template).
    #[arg(conflicts_with = "template", required_unless_present = "template")]
    pub stack: Option<String>,
    /// Deploy this template file (JSON or YAML).
    #[arg(long)]
    pub template: Option<PathBuf>,
    #[arg(long)]
    pub stack_name: String,
    /// pcstack config file; its `parameters` map is read too.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// KEY=VALUE; repeatable; wins over the file and the config.
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = params::parse_flag)]
    pub parameters: Vec<(String, String)>,
    /// CloudFormation's JSON list or a YAML/JSON map.
    #[arg(long)]
    pub parameters_file: Option<PathBuf>,
    /// Upload the template to this bucket (default: pcstack-templates-ACCOUNT-REGION, only when
    /// the template is over 51,200 bytes).
    #[arg(long)]
    pub template_bucket: Option<String>,
    #[arg(long, value_enum, default_value = "destructive")]
    pub approve: Approve,
    /// Create the change set, show it, and stop.
    #[arg(long)]
    pub no_execute: bool,
    /// Stop waiting after this long (e.g. 30m, 1h30m); the operation goes on.
    #[arg(long, value_parser = deploy::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressMode,
    /// Write the outputs: JSON for .json, `export` lines otherwise (.env, .sh).
    #[arg(long)]
    pub outputs_file: Option<PathBuf>,
    #[arg(long, value_parser = ["on", "off"])]
    pub termination_protection: Option<String>,
    #[arg(long)]
    pub disable_rollback: bool,
    /// Delete and recreate a stack left in ROLLBACK_COMPLETE without asking.
    #[arg(long)]
    pub recreate: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args)]
pub struct OutputsArgs {
    #[arg(long)]
    pub stack_name: String,
    #[arg(long, value_enum, default_value = "env")]
    pub format: Format,
    /// Read environment variable names from this template instead of the deployed one.
    #[arg(long)]
    pub template: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Text,
    Json,
}

#[derive(Args)]
#[command(
    after_help = "Exit codes: 0 compared (whether or not the templates differ); 1 AWS error or the stack does not exist; 2 invalid input (no AWS call made)."
)]
pub struct DiffArgs {
    /// Built-in stack to compare (default: parallelcluster-prerequisites), or use --template.
    #[arg(conflicts_with = "template")]
    pub stack: Option<String>,
    /// Compare this template file (JSON or YAML) instead of a built-in stack.
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// The deployed stack to compare with.
    #[arg(long)]
    pub stack_name: String,
    /// pcstack config file the built-in stack is built from.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// `text` (grouped, +/~/- markers, colors on a terminal unless NO_COLOR) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct DestroyArgs {
    #[arg(long)]
    pub stack_name: String,
    /// Don't ask.
    #[arg(long)]
    pub yes: bool,
    #[arg(long, value_parser = deploy::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressMode,
    #[command(flatten)]
    pub aws: AwsArgs,
}
