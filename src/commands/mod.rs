//! The commands that talk to AWS (`deploy`, `diff`, `outputs`, `destroy`, `zones`,
//! `cluster-config --stack-name`): each one's glue between the command line and `deploy`. Every input is
//! checked here before any AWS call.

mod cluster_config;
mod deploy;
mod diff;
pub mod zones;

use crate::cli::{self, args::Command, config};
use crate::deploy::{aws::Aws, events::Interrupts, ui::Ui, waiting::Watch};
use crate::error::Error;

/// Runs an AWS command (any other is done already: `Ok`); its clients carry `watch`.
pub async fn run(command: Command, interrupts: &Interrupts, watch: &Watch) -> Result<(), Error> {
    match &command {
        Command::Deploy(a) => check_stack_name(&a.source.stack_name)?,
        Command::Outputs(a) => check_stack_name(&a.stack_name)?,
        Command::Destroy(a) => check_stack_name(&a.stack_name)?,
        Command::Diff(a) => check_stack_name(&a.source.stack_name)?,
        Command::ClusterConfig(a) => check_stack_name(a.stack_name.as_deref().unwrap_or(""))?,
        _ => {}
    }
    // The commands of a few calls: bounded by --timeout or its default.
    let calls = |aws: &cli::args::AwsArgs| Some(aws.timeout_or(cli::flags::CALL_TIMEOUT));
    let resume = cli::rerun::command_line(&[]);
    match command {
        Command::Deploy(args) => deploy::run(*args, interrupts, watch).await,
        Command::Diff(args) => {
            bounded(calls(&args.aws), Reads("diff"), diff::run(args, watch)).await
        }
        Command::ClusterConfig(args) => {
            let what = Reads("cluster-config");
            bounded(calls(&args.aws), what, cluster_config::run(args, watch)).await
        }
        Command::Zones(args) => {
            bounded(calls(&args.aws), Reads("zones"), run_zones(args, watch)).await
        }
        Command::Outputs(args) => {
            let local = args
                .template
                .as_deref()
                .map(cli::source::read_template)
                .transpose()?;
            let config = config::load(None, args.config.as_deref())?;
            let connection = args.aws.connection(&config)?;
            bounded(calls(&args.aws), Reads("outputs"), async {
                let aws = Aws::connect(&connection, watch).await?;
                let outputs =
                    crate::deploy::run::fetch_outputs(&aws, &args.stack_name, local.as_ref())
                        .await?;
                cli::print_stdout(&outputs.render(args.format))
            })
            .await
        }
        Command::Destroy(args) => {
            let config = config::load(None, args.config.as_deref())?;
            let connection = args.aws.connection(&config)?;
            let timeout = Some(args.aws.timeout_or(cli::flags::STACK_TIMEOUT));
            bounded(timeout, Operates(&resume), async {
                let aws = Aws::connect(&connection, watch).await?;
                let ui = Ui::terminal(args.progress);
                crate::deploy::destroy::destroy(
                    &aws,
                    &ui,
                    interrupts,
                    &args.stack_name,
                    args.yes,
                    timeout,
                )
                .await
                .map(|_| ())
            })
            .await
        }
        Command::Synth(_)
        | Command::Completions { .. }
        | Command::List
        | Command::Schema { .. }
        | Command::Init { .. } => Ok(()),
    }
}

/// `pcstack zones`: the flags and the config checked, then the EC2 calls.
async fn run_zones(args: cli::args::ZonesArgs, watch: &Watch) -> Result<(), Error> {
    // The cluster's instance types come from the built-in stack's config unless given.
    let from_config = args.instance_type.is_empty();
    let stack = from_config.then_some(stacks::DEFAULT_STACK);
    let config = config::load(stack, args.config.as_deref())?;
    let connection = args.aws.connection(&config)?;
    let needs = config
        .stack()
        .and_then(stacks::Configured::cluster_needs)
        .unwrap_or_default();
    let request = zones::request(&args, Some(needs))?;
    let aws = Aws::connect(&connection, watch).await?;
    let text = zones::run(&aws, &request, args.format).await?;
    cli::print_stdout(&text)
}

/// Stack names follow CloudFormation's rule; checked before any AWS call.
fn check_stack_name(name: &str) -> Result<(), Error> {
    constructs::rules::names::stack_name(name).map_err(|v| {
        Error::usage(format!(
            "--stack-name: {}",
            synth::input::cut_message(&v.message)
        ))
    })
}

/// What a command bounded by `--timeout` may have left going when it stops waiting.
enum Bounded<'a> {
    /// It starts stack operations (deploy, destroy): they go on; the command line follows them.
    Operates(&'a str),
    /// It only reads (the command's name): nothing goes on.
    Reads(&'static str),
}
use Bounded::{Operates, Reads};

/// Bounds a whole command by `--timeout` (plus a tenth of it, at most 10 s, so the follower's
/// own deadline, which names the stack's state, fires first): a stalled call can't outlast it.
async fn bounded(
    timeout: Option<std::time::Duration>,
    what: Bounded<'_>,
    work: impl std::future::Future<Output = Result<(), Error>>,
) -> Result<(), Error> {
    let Some(limit) = timeout else {
        return work.await;
    };
    let grace = (limit / 10).min(std::time::Duration::from_secs(10));
    match tokio::time::timeout(limit + grace, work).await {
        Ok(result) => result,
        Err(_) => {
            let then = match what {
                Operates(resume) => format!("if a stack operation started, it goes on in CloudFormation: re-run `{resume}` to follow it"),
                Reads(command) => format!("{command} changes nothing: run it again, with a longer --timeout if AWS is slow"),
            };
            Err(Error::StoppedWaiting(format!(
                "timed out after {} (--timeout) waiting for AWS; {then}",
                crate::deploy::format_elapsed(limit)
            )))
        }
    }
}
