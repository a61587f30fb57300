//! The command line: every command, flag and its help (clap). `main.rs` dispatches on it.

use super::flags::{self, Connection, HttpTimeouts, OutputsFormat as Format, ProgressMode};
use crate::error::Error;
use clap::{Args, Parser, Subcommand, ValueEnum};
use plan::params;
use plan::review::Approve;
use std::path::PathBuf;

/// The command line of this process, read by clap.
pub fn parse() -> Cli {
    Cli::parse()
}

pub const EXIT_CODES: &str = "Exit codes: 0 success or no changes; 1 error before any change; 2 invalid input (no AWS call made); 3 the stack operation failed; 4 timed out or detached; 5 approval needed or declined; 6 `diff --fail`: the templates differ; 7 the stack deployed, then a later step failed (outputs, assets, stack policy); 130 interrupted.";

#[derive(Parser)]
#[command(name = "pcstack", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// On an AWS error, also print the SDK's full error (request, response, every cause); on
    /// connecting, print the region, profile and identity used.
    #[arg(long, global = true)]
    pub debug: bool,
    #[command(subcommand)]
    pub command: Command,
}

impl Command {
    /// The AWS flags of a command that talks to AWS.
    pub fn aws_args_mut(&mut self) -> Option<&mut AwsArgs> {
        match self {
            Command::Deploy(a) => Some(&mut a.aws),
            Command::Diff(a) => Some(&mut a.aws),
            Command::Outputs(a) => Some(&mut a.aws),
            Command::Destroy(a) => Some(&mut a.aws),
            Command::ClusterConfig(a) => Some(&mut a.aws),
            Command::Zones(a) => Some(&mut a.aws),
            Command::Synth(_)
            | Command::List
            | Command::Schema { .. }
            | Command::Init { .. }
            | Command::Completions { .. } => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Yaml,
    Json,
}

/// `defer`: a subcommand's flags are defined only when it runs (or its help is shown), not
/// all of them at every start.
#[derive(Subcommand)]
#[command(defer = true)]
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
        /// Where to write it (its folder must exist); `-` prints it to stdout and writes nothing
        #[arg(long, default_value = "pcstack.yaml")]
        output: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Deploy a built-in stack or a template file through a reviewed change set.
    Deploy(Box<DeployArgs>),
    /// Print a deployed stack's outputs.
    Outputs(OutputsArgs),
    /// Delete a stack and list the resources it retained.
    Destroy(DestroyArgs),
    /// Compare a deployed stack's template with a local one and predict replacements (no change
    /// set, changes nothing). Exit 0 with or without differences (6 with --fail when they differ).
    Diff(DiffArgs),
    /// Write the ParallelCluster 3 cluster configuration from the stack's outputs (live, or the
    /// JSON `outputs --format json` writes) and the config's `cluster` section.
    ClusterConfig(ClusterConfigArgs),
    /// List the Region's Availability Zones by name and ID: where each instance type is
    /// offered, the account's capacity reservations there and (with --capacity-block) the
    /// Capacity Blocks on sale. Read-only EC2 calls.
    Zones(ZonesArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(
        after_help = "Install, e.g.: pcstack completions bash > ~/.local/share/bash-completion/completions/pcstack; pcstack completions zsh > \"${fpath[1]}/_pcstack\"; pcstack completions fish > ~/.config/fish/completions/pcstack.fish; pcstack completions elvish > ~/.config/elvish/lib/pcstack.elv (and `use pcstack` in rc.elv); pcstack completions powershell >> $PROFILE"
    )]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Args, Debug)]
pub struct SynthArgs {
    /// Config file (YAML); without it, the built-in default (the tutorial's setup)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Built-in stack to synthesize (see `pcstack list`)
    #[arg(long, default_value = stacks::DEFAULT_STACK)]
    pub stack: String,
    /// Directory to write the template to; `-` writes the template to stdout and nothing to disk
    /// (diagnostics go to stderr)
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
#[command(
    after_help = EXIT_CODES,
    group = clap::ArgGroup::new("source").required(true).args(["stack_name", "outputs_file"])
)]
pub struct ClusterConfigArgs {
    /// Read the outputs of this deployed stack (DescribeStacks).
    #[arg(long)]
    pub stack_name: Option<String>,
    /// Read the outputs from this JSON file (`outputs --format json`, `deploy --outputs-file
    /// x.json`); no AWS call.
    #[arg(long)]
    pub outputs_file: Option<PathBuf>,
    /// pcstack config file: its `cluster` section and `lustre.mount_point` (default: built-in).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Built-in stack whose cluster configuration to write (see `pcstack list`).
    #[arg(long, default_value = stacks::DEFAULT_STACK)]
    pub stack: String,
    /// Write the configuration here (atomically); default: stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `pcstack zones --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ZonesFormat {
    /// A row per zone, a column per instance type, reservations and blocks under their zone.
    Table,
    /// One JSON object.
    Json,
}

#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct ZonesArgs {
    /// Instance type to look for (repeatable); default: the types of the config's `cluster`
    /// section (head node and every compute resource).
    #[arg(long, value_name = "TYPE")]
    pub instance_type: Vec<String>,
    /// pcstack config file: its `cluster` section's instance types when --instance-type is not
    /// given, and its `region` (default: the built-in config).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Also list the Capacity Blocks on sale for this many days (1 to 14, or whole weeks up to
    /// 182), with --count.
    #[arg(long, value_name = "DAYS", requires = "count")]
    pub capacity_block: Option<u32>,
    /// Instances per Capacity Block (1 to 64), with --capacity-block.
    #[arg(long, value_name = "N", requires = "capacity_block")]
    pub count: Option<u32>,
    /// `table` or `json`.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ZonesFormat,
    #[command(flatten)]
    pub aws: AwsArgs,
}

impl Command {
    /// The AWS flags of a command that talks to AWS.
    pub fn aws(&self) -> Option<&AwsArgs> {
        match self {
            Command::Deploy(a) => Some(&a.aws),
            Command::Outputs(a) => Some(&a.aws),
            Command::Destroy(a) => Some(&a.aws),
            Command::Diff(a) => Some(&a.aws),
            Command::ClusterConfig(a) => Some(&a.aws),
            Command::Zones(a) => Some(&a.aws),
            _ => None,
        }
    }
}

#[derive(Args)]
pub struct AwsArgs {
    /// AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the config's `region`, the
    /// profile's). Must agree with the config's `region` when both are set.
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile (default: AWS_PROFILE or "default").
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Custom endpoint for every service, the login's too (STS, SSO) (default:
    /// AWS_ENDPOINT_URL, or AWS's).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Give up connecting to AWS after this long (e.g. 10s); each call is retried.
    #[arg(long, global = true, value_parser = flags::parse_duration, default_value = "10s")]
    pub connect_timeout: std::time::Duration,
    /// Give up on an AWS response that stops arriving for this long (e.g. 30s).
    #[arg(long, global = true, value_parser = flags::parse_duration, default_value = "30s")]
    pub read_timeout: std::time::Duration,
    /// `--debug` (the top-level flag), set by `main` before the command runs.
    #[arg(skip)]
    pub debug: bool,
    /// Stop waiting after this long (e.g. 30m, 1h30m), exit 4: default 3h for deploy and
    /// destroy (a stack operation started goes on in CloudFormation; run the command again
    /// to follow it), 10m for the other commands.
    #[arg(long, global = true, value_parser = flags::parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

impl AwsArgs {
    /// `--timeout`, else `default` ([`flags::STACK_TIMEOUT`] or [`flags::CALL_TIMEOUT`]).
    pub fn timeout_or(&self, default: std::time::Duration) -> std::time::Duration {
        self.timeout.unwrap_or(default)
    }

    /// Where to connect, the region checked first (no AWS call): see [`super::region::resolve`].
    pub fn connection(&self, config: &super::config::Config) -> Result<Connection, Error> {
        Ok(Connection {
            region: super::region::resolve(self.region.as_deref(), config.region())?,
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            debug: self.debug,
            timeouts: HttpTimeouts {
                connect: self.connect_timeout,
                read: self.read_timeout,
                // One attempt may take the connect and a few reads, never forever.
                attempt: (self.connect_timeout + self.read_timeout * 2)
                    .max(std::time::Duration::from_secs(1)),
            },
        })
    }
}

// What deploy sends and diff compares: a built-in stack or a template file, the stack, the
// config and the parameter values. Each command words the help of the first four its own way
// (`mut_arg` on `DeployArgs` and `DiffArgs`). Plain comments: clap would show a flattened
// struct's doc comment as the command's description.
#[derive(Args)]
pub struct SourceArgs {
    #[arg(conflicts_with = "template")]
    pub stack: Option<String>,
    #[arg(long)]
    pub template: Option<PathBuf>,
    #[arg(long)]
    pub stack_name: String,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub values: ParameterArgs,
}

#[derive(Args)]
#[command(
    after_help = EXIT_CODES,
    mut_arg("stack", |a| a
        .help("Built-in stack to deploy (or use --template)")
        .required_unless_present("template")),
    mut_arg("template", |a| a.help("Deploy this template file (JSON or YAML)")),
    mut_arg("stack_name", |a| a.help("The CloudFormation stack to create or update")),
    mut_arg("config", |a| a.help("pcstack config file; its `parameters` map is read too")),
)]
pub struct DeployArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Upload the template to this bucket (default: pcstack-templates-ACCOUNT-REGION, only when
    /// the template is over 51,200 bytes).
    #[arg(long)]
    pub template_bucket: Option<String>,
    /// When to ask before executing: `destructive` when data-holding resources would be
    /// replaced or removed; `broadening` also when access widens (the BROADENING block); `any`
    /// always; `never`. Without a terminal, a needed approval is exit 5.
    #[arg(long, value_enum, default_value = "destructive")]
    pub approve: Approve,
    /// Stack tag KEY=VALUE, repeatable (at most 50); CloudFormation propagates stack tags to the
    /// resources that take them. On update, the tags given replace the stack's tags; without
    /// --tags the stack keeps its tags.
    #[arg(long = "tags", visible_alias = "tag", value_name = "KEY=VALUE", value_parser = parse_tag)]
    pub tags: Vec<(String, String)>,
    /// IAM role CloudFormation assumes for this and later operations on the stack
    /// (arn:aws:iam::ACCOUNT:role/NAME); without it, the stack's previous role, else your
    /// credentials.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// SNS topic ARNs for stack events, comma-separated or repeated (at most 5); without it, the
    /// stack keeps its topics.
    #[arg(long, value_name = "ARN", value_delimiter = ',')]
    pub notification_arns: Vec<String>,
    /// Stack policy (a JSON file, at most 16,384 bytes), applied with SetStackPolicy once the
    /// change set has run (or when there are no changes): it guards the updates after this one.
    #[arg(long, value_name = "FILE")]
    pub stack_policy: Option<PathBuf>,
    /// Capabilities to acknowledge, comma-separated: CAPABILITY_IAM, CAPABILITY_NAMED_IAM,
    /// CAPABILITY_AUTO_EXPAND. Default: exactly those the template needs (from its IAM
    /// resources, their names and its Transform); a list missing a needed one is refused.
    #[arg(long, value_name = "CAPABILITY", value_delimiter = ',', value_parser = plan::capabilities::Capability::parse)]
    pub capabilities: Option<Vec<plan::capabilities::Capability>>,
    /// Create the change set, show it, and stop.
    #[arg(long)]
    pub no_execute: bool,
    /// Adopt what the template would create that already exists outside the stack (the
    /// tutorial's bucket, repository and associations): an IMPORT change set, reviewed and
    /// executed, then the ordinary update. Without it, deploy stops before any change set
    /// and names them (exit 1).
    #[arg(long)]
    pub adopt: bool,
    /// How to show progress on stderr: `live` (a bar; the default on a terminal), `log` (a line
    /// per event; the default otherwise), `json` (stderr carries only JSON lines: events,
    /// notes, the review, questions and the error), `quiet`. Results go to stdout.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressMode,
    /// Write the outputs: JSON for .json, `export` lines otherwise (.env, .sh).
    #[arg(long)]
    pub outputs_file: Option<PathBuf>,
    /// Turn the stack's termination protection on or off after the deploy.
    #[arg(long, value_parser = ["on", "off"])]
    pub termination_protection: Option<String>,
    /// Keep what was created or changed when the operation fails, instead of rolling back.
    #[arg(long)]
    pub disable_rollback: bool,
    /// Delete and recreate a stack left in ROLLBACK_COMPLETE without asking.
    #[arg(long)]
    pub recreate: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

// Parameter values besides the config, shared by deploy and diff (which predicts with the
// values deploy would send). A plain comment, as above.
#[derive(Args)]
pub struct ParameterArgs {
    /// KEY=VALUE; repeatable; wins over --parameters-file and the config's `parameters:`. For
    /// a built-in stack it may set only parameters no config field sets (PrimarySubnetAZ, a zone
    /// name or ID such as use1-az2, when `network.availability_zone` is unset): a value
    /// contradicting a field is refused.
    #[arg(long = "parameter", value_name = "KEY=VALUE", value_parser = params::parse_flag)]
    pub parameters: Vec<(String, String)>,
    /// CloudFormation's JSON list or a YAML/JSON map; same rule as --parameter.
    #[arg(long)]
    pub parameters_file: Option<PathBuf>,
}

#[derive(Args)]
pub struct OutputsArgs {
    /// The deployed stack whose outputs to print.
    #[arg(long)]
    pub stack_name: String,
    /// `env` (export lines), `json` or `table`.
    #[arg(long, value_enum, default_value = "env")]
    pub format: Format,
    /// Read environment variable names from this template instead of the deployed one.
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// pcstack config file: its `region` is the stack's Region unless --region or AWS_REGION says.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    /// Grouped, with +/~/- markers.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Args)]
#[command(
    after_help = "Exit codes: 0 compared (whether or not the templates differ; with --fail: they are equal); 1 AWS error or the stack does not exist; 2 invalid input (no AWS call made); 6 with --fail: the templates differ.",
    mut_arg("stack", |a| a.help(
        "Built-in stack to compare (default: parallelcluster-prerequisites), or use --template"
    )),
    mut_arg("template", |a| a.help(
        "Compare this template file (JSON or YAML) instead of a built-in stack"
    )),
    mut_arg("stack_name", |a| a.help("The deployed stack to compare with")),
    mut_arg("config", |a| a.help("pcstack config file the built-in stack is built from")),
)]
pub struct DiffArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// `text` (grouped, +/~/- markers, colors on a terminal unless NO_COLOR) or `json`.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
    /// Exit 6 when the templates differ (after printing the diff), so CI can gate on drift.
    #[arg(long)]
    pub fail: bool,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Args)]
#[command(after_help = EXIT_CODES)]
pub struct DestroyArgs {
    /// The stack to delete.
    #[arg(long)]
    pub stack_name: String,
    /// Don't ask.
    #[arg(long)]
    pub yes: bool,
    /// How to show progress on stderr: live, log, json (only JSON lines) or quiet.
    #[arg(long, value_enum, default_value = "auto")]
    pub progress: ProgressMode,
    /// pcstack config file: its `region` is the stack's Region unless --region or AWS_REGION says.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// `--tags KEY=VALUE`; the tag rule itself is checked with the other flags before any AWS call.
fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(format!("tag must be KEY=VALUE, got {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every command, argument and flag has help text (`--help`, `--version` are clap's own).
    #[test]
    fn every_flag_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            for arg in cmd.get_arguments() {
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(format!("{path} {}", sub.get_name()));
                }
                walk(sub, &path, missing);
            }
        }
        let mut missing = Vec::new();
        let mut cmd = Cli::command();
        cmd.build();
        walk(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
        cmd.debug_assert();
    }
}
