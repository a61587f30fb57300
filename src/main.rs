//! pcstack CLI: parse, dispatch, map errors to exit codes. `synth`, `list`, `schema`, `init`
//! and `cluster-config --outputs-file` never talk to AWS (`cli`); `deploy`, `diff`, `outputs`,
//! `destroy` and `cluster-config --stack-name` do (`deploy`).
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

use cli::args::{Cli, ClusterConfigArgs, Command, DeployArgs, DiffArgs, DiffFormat, FormatArg};
use cli::flags::ProgressMode;
#[cfg(feature = "aws")]
use deploy::{
    aws::Aws,
    events::Interrupts,
    run::{DeployRequest, Outcome},
    ui::Ui,
};
use error::Error;
use indexmap::IndexMap;
use plan::{params, TemplateSource};

/// The region of a command: `--region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else the
/// config's `region`; `None` leaves it to the profile. Each must be a Region that exists
/// (a near miss names the closest), and an override that disagrees with the config's `region`
/// is an error naming both: the config's availability zone lies in its region.
fn resolve_region(
    flag: Option<&str>,
    config: Option<&std::path::Path>,
) -> Result<Option<String>, Error> {
    let env = ["AWS_REGION", "AWS_DEFAULT_REGION"].iter().find_map(|k| {
        // Set but empty is a mistake to name, not a reason to fall back to the profile's.
        std::env::var(k).ok().map(|v| (*k, v))
    });
    let given = match (flag, env) {
        (Some(r), _) => Some(("--region".to_string(), r.to_string())),
        (None, Some((k, v))) => Some((k.to_string(), v)),
        (None, None) => None,
    };
    if let Some((source, value)) = &given {
        constructs::rules::names::region(value).map_err(|v| {
            Error::usage(format!(
                "{source}: {}",
                synth::input::cut_message(&v.message)
            ))
        })?;
    }
    let from_config = match config {
        Some(path) => config_region(path)?.map(|r| (path, r)),
        None => None,
    };
    if let Some((path, r)) = &from_config {
        constructs::rules::names::region(r).map_err(|v| {
            Error::usage(format!(
                "{}: {}",
                path.display(),
                synth::input::cut_message(&v.message)
            ))
        })?;
    }
    match (given, from_config) {
        (Some((source, value)), Some((path, r))) if value != r => Err(Error::usage(format!(
            "{source} {value} conflicts with `region: {r}` in {}: the stack and its availability zone are in {r}; use the same region in both, or remove one",
            path.display()
        ))),
        (Some((_, value)), _) => Ok(Some(value)),
        (None, Some((_, r))) => Ok(Some(r)),
        (None, None) => Ok(None),
    }
}

/// The top-level `region` of a pcstack config file, if it sets one.
fn config_region(path: &std::path::Path) -> Result<Option<String>, Error> {
    let text = read_small_file(path, "config")?;
    synth::input::check_limits(
        &text,
        "config file",
        synth::input::MAX_FILE_BYTES,
        synth::input::MAX_FILE_DEPTH,
    )
    .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text)
        .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
    match value.get("region") {
        None | Some(serde_yaml::Value::Null) => Ok(None),
        Some(serde_yaml::Value::String(r)) => Ok(Some(r.clone())),
        Some(other) => Err(Error::usage(format!(
            "{}: region must be a Region code such as us-east-1, got {}",
            path.display(),
            serde_yaml::to_string(other).unwrap_or_default().trim()
        ))),
    }
}

#[cfg(feature = "aws")]
/// Bounds a whole command by `--timeout` (plus a tenth of it, at most 10 s, so the follower's
/// own deadline, which names the stack's state, fires first): a stalled call can't outlast it.
async fn bounded(
    timeout: Option<std::time::Duration>,
    resume: &str,
    work: impl std::future::Future<Output = Result<(), Error>>,
) -> Result<(), Error> {
    let Some(limit) = timeout else {
        return work.await;
    };
    let grace = (limit / 10).min(std::time::Duration::from_secs(10));
    match tokio::time::timeout(limit + grace, work).await {
        Ok(result) => result,
        Err(_) => Err(Error::StoppedWaiting(format!(
            "timed out after {} (--timeout) waiting for AWS; if a stack operation started, it goes on in CloudFormation: re-run `{resume}` to follow it",
            deploy::format_elapsed(limit)
        ))),
    }
}

fn main() {
    let cli = cli::args::parse();
    error::set_debug(cli.debug);
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
    let cli = match run_local(cli) {
        Ok(code) => std::process::exit(code),
        Err(cli) => *cli,
    };
    std::process::exit(run_aws(cli, json_errors));
}

/// Runs the AWS commands on a single-threaded runtime; returns the exit code.
#[cfg(feature = "aws")]
fn run_aws(cli: Cli, json_errors: bool) -> i32 {
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
        let interrupts = Interrupts::default();
        interrupts.install();
        // A call that takes long is named on stderr (deploy::waiting).
        tokio::spawn(deploy::waiting::heartbeat(json_errors));
        match run(cli, &interrupts).await {
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
            Err(e) => report(&e),
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
fn run_aws(cli: Cli, _json_errors: bool) -> i32 {
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
    )))
}

/// Runs synth, list, schema and init; hands every other command back.
fn run_local(cli: Cli) -> Result<i32, Box<Cli>> {
    let result = match cli.command {
        Command::Synth(cli::args::SynthArgs {
            config,
            stack,
            out,
            format,
            check,
            verbose,
        }) => {
            let format = match format {
                FormatArg::Yaml => synth::Format::Yaml,
                FormatArg::Json => synth::Format::Json,
            };
            cli::synth(cli::SynthOptions {
                config: config.as_deref(),
                stack: &stack,
                out: &out,
                format,
                check,
                verbose,
            })
            .and_then(|path| match path {
                // `--out -`: the template was the whole of stdout.
                None => Ok(()),
                Some(path) if check => {
                    cli::eprint_line(&format!("{} is up to date", path.display()));
                    Ok(())
                }
                Some(path) => cli::print_stdout(&format!("{}\n", path.display())),
            })
        }
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
            config,
            out,
            ..
        }) => cli::cluster_config::from_file(&file, config.as_deref(), out.as_deref()),
        _ => return Err(Box::new(cli)),
    };
    Ok(match result {
        Ok(()) => 0,
        Err(e) => report(&e),
    })
}

/// Prints an error (every diagnostic of invalid input) and returns its exit code.
fn report(e: &Error) -> i32 {
    match e {
        Error::Invalid(d) => cli::print_diagnostics(d, false),
        Error::Aws {
            detail: Some(detail),
            ..
        } if error::debug() => {
            cli::eprint_line(&format!("error: {e}\ndebug: the SDK's error:\n{detail}"))
        }
        other => cli::eprint_line(&format!("error: {other}")),
    }
    e.exit_code()
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

#[cfg(feature = "aws")]
async fn run(cli: Cli, interrupts: &Interrupts) -> Result<(), Error> {
    match &cli.command {
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
    match cli.command {
        Command::Deploy(args) => run_deploy(*args, interrupts).await,
        Command::Diff(args) => bounded(calls(&args.aws), &resume, run_diff(args)).await,
        Command::ClusterConfig(args) => {
            bounded(calls(&args.aws), &resume, run_cluster_config(args)).await
        }
        Command::Synth(_)
        | Command::Completions { .. }
        | Command::List
        | Command::Schema { .. }
        | Command::Init { .. } => Ok(()),
        Command::Zones(args) => bounded(calls(&args.aws), &resume, run_zones(args)).await,
        Command::Outputs(args) => {
            let local = args.template.as_deref().map(read_template).transpose()?;
            let connection = args.aws.connection(args.config.as_deref())?;
            bounded(calls(&args.aws), &resume, async {
                let aws = Aws::connect(&connection).await?;
                let outputs =
                    deploy::run::fetch_outputs(&aws, &args.stack_name, local.as_ref()).await?;
                cli::print_stdout(&outputs.render(args.format))
            })
            .await
        }
        Command::Destroy(args) => {
            let connection = args.aws.connection(args.config.as_deref())?;
            let resume = cli::rerun::command_line(&[]);
            let timeout = Some(args.aws.timeout_or(cli::flags::STACK_TIMEOUT));
            bounded(timeout, &resume, async {
                let aws = Aws::connect(&connection).await?;
                let ui = Ui::terminal(args.progress);
                deploy::destroy::destroy(&aws, &ui, interrupts, &args.stack_name, args.yes, timeout)
                    .await
                    .map(|_| ())
            })
            .await
        }
    }
}

#[cfg(feature = "aws")]
/// `pcstack zones`: the flags and the config checked, then the EC2 calls.
async fn run_zones(args: cli::args::ZonesArgs) -> Result<(), Error> {
    let connection = args.aws.connection(args.config.as_deref())?;
    let needs = if args.instance_type.is_empty() {
        cli::cluster_config::load_config(args.config.as_deref())?
            .cluster
            .needs()
    } else {
        stacks::ClusterNeeds::default()
    };
    let request = commands::zones::request(&args, Some(needs))?;
    let aws = Aws::connect(&connection).await?;
    let text = commands::zones::run(&aws, &request, args.format).await?;
    cli::print_stdout(&text)
}

#[cfg(feature = "aws")]
/// `pcstack cluster-config --stack-name`: the config and `--out` are checked before any AWS call.
async fn run_cluster_config(args: ClusterConfigArgs) -> Result<(), Error> {
    use cli::cluster_config as cc;
    let name = args.stack_name.as_deref().unwrap_or_default();
    cc::check_out(args.out.as_deref())?;
    let config = cc::load_config(args.config.as_deref())?;
    let problems = config.validate();
    if problems.has_errors() {
        return Err(Error::Invalid(problems));
    }
    let aws = Aws::connect(&args.aws.connection(args.config.as_deref())?).await?;
    let outputs = deploy::run::fetch_outputs(&aws, name, None).await?;
    // The cluster's instance types and reservations against the stack's zone, before writing.
    if let Some(zone) = outputs.value_of(deploy::outputs::ZONE_VARIABLE) {
        deploy::placement::check_in_zone(&aws, zone, &config.cluster.needs(), &|line| {
            cli::eprint_line(line)
        })
        .await?;
    }
    let text = cc::generate(&config, &outputs.json(), &format!("stack {name}"))?;
    cc::write(&text, args.out.as_deref())?;
    if let Some(out) = &args.out {
        cli::eprint_line(&format!("wrote {}", out.display()));
    }
    Ok(())
}

/// A template file: at most CloudFormation's 1,000,000 bytes (checked before reading it all,
/// so nothing is uploaded first), parsed, its output env names checked.
fn read_template(path: &std::path::Path) -> Result<TemplateSource, Error> {
    let body = read_file(path, "template", synth::input::MAX_TEMPLATE_BYTES)?;
    TemplateSource::parse(body).map_err(|e| Error::usage(format!("{}: {e}", path.display())))
}

/// A config or parameters file: at most [`synth::input::MAX_FILE_BYTES`].
fn read_small_file(path: &std::path::Path, what: &str) -> Result<String, Error> {
    read_file(path, what, synth::input::MAX_FILE_BYTES)
}

fn read_file(path: &std::path::Path, what: &str, max: usize) -> Result<String, Error> {
    cli::read_limited(path, max).map_err(|e| match e {
        cli::ReadError::Io(e) => {
            Error::usage(format!("cannot read {what} {}: {e}", path.display()))
        }
        cli::ReadError::TooLarge(n) => Error::usage(format!(
            "{}: {what} must be at most {max} bytes, got {n} bytes",
            path.display()
        )),
        cli::ReadError::NotRegular(kind) => Error::usage(format!(
            "{}: {what} must be a regular file, got {kind}",
            path.display()
        )),
    })
}

/// What deploy and diff compare with the deployed stack: the template, the files the stack's
/// bucket must hold, and the parameter values to send.
struct Local {
    template: TemplateSource,
    assets: Vec<stacks::assets::AssetConfig>,
    /// Every value given: the config's fields (a built-in stack), its `parameters:`,
    /// `--parameters-file`, `--parameter` ([`params::merge`]).
    parameters: IndexMap<String, String>,
    /// The built-in stack with its config, built again when deploy resolves a zone ID in it.
    configured: Option<stacks::Configured>,
}

/// The local template: a file, or a built-in stack built from the config exactly as deploy
/// sends it (rendered to YAML), with the built-in stack's assets (a template file takes them
/// from the config's `assets`) and the parameter values to send.
fn local_template(
    template: Option<&std::path::Path>,
    stack: Option<&str>,
    config: Option<&std::path::Path>,
    values: &cli::args::ParameterArgs,
    warn: &dyn Fn(&synth::Diagnostics),
) -> Result<Local, Error> {
    let config_text = config
        .map(|path| read_small_file(path, "config"))
        .transpose()?;
    let is_file = template.is_some();
    let mut configured = None;
    let (template, mut assets, fields) = match (template, stack) {
        (Some(path), _) => (read_template(path)?, Vec::new(), Vec::new()),
        (None, Some(name)) => {
            // The text read above: the config file is read once.
            let stack = stacks::find(name).map_err(Error::Invalid)?;
            let source = config.map(|p| p.display().to_string());
            let yaml = config_text.as_deref().zip(source.as_deref());
            let config = stacks::Configured::new(stack, yaml).map_err(Error::Invalid)?;
            let built = config
                .build()
                .map_err(|d| Error::usage(format!("stack {name} does not build:\n{d}")))?;
            warn(&built.synthesized.diagnostics);
            let template = TemplateSource::parse(built.synthesized.render(synth::Format::Yaml))
                .map_err(|e| Error::usage(format!("stack {name}: {e}")))?;
            let fields = built
                .parameters
                .iter()
                .map(|p| params::FieldValue {
                    name: p.name.to_string(),
                    field: p.field.to_string(),
                    value: p.value.clone(),
                })
                .collect();
            configured = Some(config);
            (template, built.assets, fields)
        }
        (None, None) => return Err(Error::usage("give a STACK or --template FILE")),
    };
    let mut layers: Vec<(String, IndexMap<String, String>)> = Vec::new();
    if let (Some(path), Some(text)) = (config, &config_text) {
        let values = params::parse_config(text)
            .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
        layers.push((format!("{}: parameters.", path.display()), values));
        // A template file has no built-in stack to read the config's `assets`.
        if is_file {
            assets = stacks::assets::from_config_text(text, &path.display().to_string())
                .map_err(Error::Invalid)?;
        }
    }
    if let Some(path) = &values.parameters_file {
        let text = read_small_file(path, "parameters file")?;
        let file = params::parse_file(&text)
            .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
        layers.push((format!("--parameters-file {}: ", path.display()), file));
    }
    layers.push((
        "--parameter ".into(),
        values.parameters.iter().cloned().collect(),
    ));
    let source = match config {
        Some(path) => path.display().to_string(),
        None => "the built-in default config".into(),
    };
    let layers: Vec<(&str, &IndexMap<String, String>)> =
        layers.iter().map(|(l, v)| (l.as_str(), v)).collect();
    let parameters = params::merge(&source, &fields, &layers).map_err(Error::Invalid)?;
    Ok(Local {
        template,
        assets,
        parameters,
        configured,
    })
}

#[cfg(feature = "aws")]
/// `pcstack diff`: the deployed template against the local one; no change set, nothing changed.
async fn run_diff(args: DiffArgs) -> Result<(), Error> {
    use std::io::IsTerminal;
    let stack = match (&args.source.template, &args.source.stack) {
        (None, None) => Some(stacks::DEFAULT_STACK),
        (_, s) => s.as_deref(),
    };
    // Invalid input fails here, before any AWS call.
    let connection = args.aws.connection(args.source.config.as_deref())?;
    let Local {
        template: mut local,
        mut parameters,
        mut configured,
        ..
    } = local_template(
        args.source.template.as_deref(),
        stack,
        args.source.config.as_deref(),
        &args.source.values,
        &|d| cli::print_diagnostics(d, false),
    )?;
    let aws = Aws::connect(&connection).await?;
    // Zone IDs resolved as deploy resolves them, so the comparison is with what it would send.
    deploy::placement::resolve(
        &aws,
        configured.as_mut(),
        &mut local,
        &mut parameters,
        false,
        &|line| cli::eprint_line(line),
    )
    .await?;
    deploy::run::check_template(&args.source.stack_name, &local, Some(&aws.region))?;
    let name = args.source.stack_name.as_str();
    let found = deploy::stack::describe(&aws.cfn, &aws.timing, name)
        .await?
        .ok_or_else(|| {
            Error::failed(format!(
                "stack {name} does not exist in {}: nothing to compare (`pcstack deploy` creates it)",
                aws.region
            ))
        })?;
    let reviewing =
        found.stack_status() == Some(&aws_sdk_cloudformation::types::StackStatus::ReviewInProgress);
    let deployed = if reviewing {
        // Created for a change set that never ran: nothing is deployed yet.
        serde_json::json!({})
    } else {
        deploy::run::deployed_template(&aws, found.stack_id().unwrap_or(name)).await?
    };
    let prediction = if reviewing {
        plan::predict::predict(&deployed, &local.json)
    } else {
        deploy::run::predict_update(&deployed, &found, &local, &parameters, &aws.region)
    };
    let differs = !prediction.is_empty();
    match args.format {
        DiffFormat::Json => {
            let json = prediction.to_json(name);
            let text = serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string());
            cli::print_stdout(&format!("{text}\n"))?;
        }
        DiffFormat::Text => {
            let mut ui = Ui::terminal(ProgressMode::Quiet);
            ui.style.color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let source = match (&args.source.template, stack) {
                (Some(path), _) => path.display().to_string(),
                (None, Some(s)) => format!("built-in stack {s}"),
                (None, None) => String::new(),
            };
            cli::print_stdout(&format!(
                "{}\n{}",
                ui.bold(&format!(
                    "stack {name} ({}) -> {source}",
                    deploy::stack::status(&found)
                )),
                prediction.render(&ui.style)
            ))?;
        }
    }
    if args.fail && differs {
        return Err(Error::Differs(format!(
            "stack {name} differs from the local template (--fail: exit 6)"
        )));
    }
    Ok(())
}

/// The stack-level flags (`--tags`, `--role-arn`, `--notification-arns`, `--stack-policy`),
/// every problem at once; the stack policy's text when given. No AWS call.
fn check_stack_options(args: &DeployArgs) -> Result<Option<String>, Error> {
    use plan::stack_options as opts;
    let mut problems = opts::check_tags(&args.tags);
    if let Some(arn) = &args.role_arn {
        problems.extend(opts::check_role_arn(arn).err().into_iter().collect());
    }
    problems.extend(opts::check_notification_arns(&args.notification_arns));
    let mut policy = None;
    if let Some(path) = &args.stack_policy {
        // SetStackPolicy's own limit, checked before reading it all.
        match read_file(path, "stack policy", opts::MAX_STACK_POLICY_BYTES) {
            Ok(text) => match opts::check_stack_policy(&path.display().to_string(), &text) {
                Ok(()) => policy = Some(text),
                Err(e) => problems.push(e),
            },
            Err(e) => problems.push(opts::stack_policy_problem(e.to_string())),
        }
    }
    if problems.is_empty() {
        return Ok(policy);
    }
    // Each problem as every diagnostic prints: `error[PC003] --tags: ...`.
    let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(Error::usage(format!(
        "invalid input, nothing was sent to AWS:\n{}",
        lines.join("\n")
    )))
}

/// The capabilities to send: `--capabilities` when given (refused when it lacks one the
/// template needs), else exactly those the template needs.
fn capabilities(
    given: Option<&[plan::capabilities::Capability]>,
    template: &TemplateSource,
) -> Result<Vec<plan::capabilities::Capability>, Error> {
    let needs = plan::capabilities::needs(&template.json);
    match given {
        None => Ok(needs.default_capabilities()),
        Some(given) => {
            needs
                .check(given)
                .map_err(|e| Error::usage(format!("{e}; nothing was sent to AWS")))?;
            let mut list = given.to_vec();
            list.sort();
            list.dedup();
            Ok(list)
        }
    }
}

#[cfg(feature = "aws")]
async fn run_deploy(args: DeployArgs, interrupts: &Interrupts) -> Result<(), Error> {
    let connection = args.aws.connection(args.source.config.as_deref())?;
    let ui = Ui::terminal(args.progress);
    let stack_policy = check_stack_options(&args)?;
    let Local {
        template,
        assets,
        parameters,
        mut configured,
    } = local_template(
        args.source.template.as_deref(),
        args.source.stack.as_deref(),
        args.source.config.as_deref(),
        &args.source.values,
        &|d| {
            if ui.progress == ProgressMode::Json {
                for diag in d.iter().filter(|d| d.severity != synth::Severity::Info) {
                    ui.json(
                        &serde_json::json!({"type": "diagnostic", "message": diag.to_string()}),
                    );
                }
            } else {
                cli::print_diagnostics_as(d, cli::Infos::for_progress(ui.progress));
            }
        },
    )?;
    let capabilities = capabilities(args.capabilities.as_deref(), &template)?;
    // Asset files are relative to the config file's folder (the current one without a config).
    let base = args
        .source
        .config
        .as_deref()
        .and_then(std::path::Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let assets = deploy::assets::resolve(&assets, base);

    // Built-in stacks check parameter values with the same rule functions synth uses.
    let builtin_checker = args.source.stack.as_deref().map(|name| {
        let name = name.to_string();
        move |values: &IndexMap<String, String>| stacks::check_parameters(&name, values)
    });
    // Hints say "re-run `...`": the user's own command, flags and all; `--recreate` only
    // where a hint adds it.
    let resume = cli::rerun::command_line(&["--recreate"]);
    let mut request = DeployRequest {
        stack_name: args.source.stack_name.clone(),
        template,
        parameters,
        checker: builtin_checker
            .as_ref()
            .map(|c| c as &dyn Fn(&IndexMap<String, String>) -> synth::Diagnostics),
        template_bucket: args.template_bucket.clone(),
        approve: args.approve,
        no_execute: args.no_execute,
        adopt: args.adopt,
        timeout: Some(args.aws.timeout_or(cli::flags::STACK_TIMEOUT)),
        termination_protection: args.termination_protection.as_deref().map(|v| v == "on"),
        disable_rollback: args.disable_rollback,
        recreate: args.recreate,
        outputs_file: args.outputs_file.clone(),
        assets,
        resume,
        tags: args.tags.clone(),
        role_arn: args.role_arn.clone(),
        notification_arns: args.notification_arns.clone(),
        stack_policy,
        capabilities,
    };
    // Invalid input fails before any AWS call, even before credentials are resolved; checked
    // here, the template is not validated again for the same Region.
    if let Some(region) = &connection.region {
        deploy::run::precheck(&request, region)?;
    }
    let resume = request.resume.clone();
    bounded(request.timeout, &resume, async {
        let aws = Aws::connect(&connection).await?;
        // Zone IDs resolved and the cluster's placement checked: EC2 calls only, before any
        // CloudFormation request.
        let warn = |line: &str| ui.note(line);
        let needs = configured
            .as_ref()
            .and_then(stacks::Configured::cluster_needs);
        let zones = deploy::placement::resolve(
            &aws,
            configured.as_mut(),
            &mut request.template,
            &mut request.parameters,
            needs.is_some(),
            &warn,
        )
        .await?;
        if let (Some(zones), Some(needs)) = (&zones, &needs) {
            let found = deploy::placement::stack_zone(
                &aws,
                &request.stack_name,
                &request.parameters,
                zones,
                needs,
            )
            .await?;
            if let Some(zone) = found {
                ui.note(&format!(
                    "zone: {} ({})",
                    zone.label(),
                    needs.zone_parameter
                ));
                deploy::placement::check(&aws, zones, &zone, needs, &warn).await?;
            }
        }
        let outcome = if connection.region.as_ref() == Some(&aws.region) {
            deploy::run::deploy_checked(&aws, &ui, interrupts, &request).await?
        } else {
            deploy::run::deploy(&aws, &ui, interrupts, &request).await?
        };
        match outcome {
            Outcome::Deployed(_) | Outcome::NoChanges | Outcome::ChangeSetLeft { .. } => Ok(()),
        }
    })
    .await
}
