//! pcstack CLI: parse, dispatch, map errors to exit codes. `synth`, `list`, `schema`, `init`
//! and `cluster-config --outputs-file` never talk to AWS (`cli`); `deploy`, `diff`, `outputs`,
//! `destroy`, `zones` and `cluster-config --stack-name` do (`commands`, through `deploy`).
//!
//! Exit codes: 0 success or no changes; 1 error before any change; 2 invalid input (no AWS
//! call made); 3 the stack operation failed; 4 timed out or detached; 5 approval needed or
//! declined; 6 `diff --fail` found differences; 7 the stack deployed, then a later step failed;
//! 130 interrupted.
//!
//! The command line itself (every flag and its help) is in `cli::args`.
//!
//! Without the `aws` feature (`cargo run --no-default-features -- synth`) the AWS SDK is not
//! built: the command line is the same, and the AWS commands exit 2 naming the feature.
//! Helpers only those commands call are then unused, hence the `allow`.
#![cfg_attr(not(feature = "aws"), allow(dead_code, unused_imports))]

mod cli;
#[cfg(feature = "aws")]
mod commands;
#[cfg(feature = "aws")]
mod deploy;
mod error;

use cli::args::{Cli, ClusterConfigArgs, Command};
use cli::flags::ProgressMode;
use error::{Error, NotDone};

fn main() {
    let mut cli = cli::args::parse();
    let debug = cli.debug;
    if let Some(aws) = cli.command.aws_args_mut() {
        aws.debug = debug;
    }
    #[cfg(feature = "aws")]
    if let Some(url) = cli.command.aws().and_then(|a| a.endpoint_url.as_deref()) {
        // Only a URL the check accepts; a bad one is refused by `settings::check` later.
        if deploy::settings::endpoint("--endpoint-url", url).is_ok() {
            deploy::settings::endpoint_for_every_call(url);
        }
    }
    // With `--progress json`, stderr carries only JSON lines: the final error too.
    let json_errors = matches!(&cli.command,
        Command::Deploy(a) if a.progress == ProgressMode::Json)
        || matches!(&cli.command, Command::Destroy(a) if a.progress == ProgressMode::Json);
    // The library-only commands need no async runtime and no AWS.
    let cli = match run_local(cli, debug) {
        Ok(code) => std::process::exit(code),
        Err(cli) => *cli,
    };
    std::process::exit(run_aws(cli, json_errors, debug));
}

/// Runs the AWS commands on a single-threaded runtime; returns the exit code.
#[cfg(feature = "aws")]
fn run_aws(cli: Cli, json_errors: bool, debug: bool) -> i32 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            cli::eprint_line(&format!("error: cannot start the async runtime: {e}"));
            return 1;
        }
    };
    let code = runtime.block_on(async {
        let interrupts = deploy::events::Interrupts::default();
        interrupts.install();
        // A call that takes long is named on stderr (deploy::waiting): every client carries
        // the watch the heartbeat reads.
        let watch = deploy::waiting::Watch::default();
        tokio::spawn(deploy::waiting::heartbeat(watch.clone(), json_errors));
        // A refusal not settled by the command came before its first AWS call.
        match commands::run(cli.command, &interrupts, &watch)
            .await
            .map_err(|e| e.settled(NotDone::Sent))
        {
            Ok(()) => 0,
            Err(e) if json_errors => {
                let line = serde_json::json!({
                    "type": "error",
                    "message": e.to_string(),
                    "exit_code": e.exit_code(),
                });
                cli::eprint_line(&line.to_string());
                e.exit_code()
            }
            Err(e) => report(&e, debug),
        }
    });
    // A question's reading thread may still wait for a line (a signal answered it): don't
    // wait for it, or the exit would wait for Enter.
    runtime.shutdown_background();
    // A credential process still running (the command timed out waiting for it) ends too.
    deploy::waiting::end_children();
    code
}

/// Built without the `aws` feature: every AWS command is invalid input (exit 2).
#[cfg(not(feature = "aws"))]
fn run_aws(cli: Cli, _json_errors: bool, debug: bool) -> i32 {
    let name = match cli.command {
        Command::Deploy(_) => "deploy",
        Command::Diff(_) => "diff",
        Command::Outputs(_) => "outputs",
        Command::Destroy(_) => "destroy",
        Command::Zones(_) => "zones",
        _ => "cluster-config --stack-name",
    };
    report(&Error::usage(format!(
        "pcstack {name} talks to AWS, but this pcstack was built without AWS support (cargo's `aws` feature, off with --no-default-features); build it with the default features"
    )), debug)
}

/// Runs synth, list, schema, init and `cluster-config --outputs-file`; hands every other
/// command back.
fn run_local(cli: Cli, debug: bool) -> Result<i32, Box<Cli>> {
    let result = match cli.command {
        Command::Synth(args) => cli::run_synth(args),
        Command::List => cli::print_stdout(&cli::list()),
        Command::Completions { shell } => cli::print_stdout(&cli::completions(shell)),
        Command::Schema { stack } => cli::schema(&stack).and_then(|s| cli::print_stdout(&s)),
        Command::Init {
            stack,
            output,
            force,
        } => cli::init::run(&output, &stack, force),
        Command::ClusterConfig(ClusterConfigArgs {
            outputs_file: Some(file),
            stack,
            config,
            out,
            ..
        }) => cli::cluster_config::from_file(&stack, &file, config.as_deref(), out.as_deref()),
        _ => return Err(Box::new(cli)),
    };
    Ok(match result {
        Ok(()) => 0,
        Err(e) => report(&e.settled(NotDone::Written), debug),
    })
}

/// Prints an error (a refusal's diagnostics and its closing line; with `--debug`, the SDK's
/// whole error) and returns its exit code.
fn report(e: &Error, debug: bool) -> i32 {
    match e {
        Error::Invalid { .. } => cli::eprint_line(&e.to_string()),
        Error::Aws {
            detail: Some(detail),
            ..
        } if debug => cli::eprint_line(&format!("error: {e}\ndebug: the SDK's error:\n{detail}")),
        other => cli::eprint_line(&format!("error: {other}")),
    }
    e.exit_code()
}
