//! `pcstack deploy`: the request assembled and checked from the command line (no AWS call),
//! then `deploy::run::deploy`, bounded by `--timeout`.

use super::{bounded, Bounded};
use crate::cli::{self, args::DeployArgs, config, flags::ProgressMode, source};
use crate::deploy::{
    self,
    aws::Aws,
    events::Interrupts,
    run::{DeployRequest, Outcome},
    ui::Ui,
    waiting::Watch,
};
use crate::error::{Error, NotDone};
use indexmap::IndexMap;
use plan::TemplateSource;

pub async fn run(args: DeployArgs, interrupts: &Interrupts, watch: &Watch) -> Result<(), Error> {
    let src = &args.source;
    let mut config = config::load(src.stack.as_deref(), src.config.as_deref())?;
    let connection = args.aws.connection(&config)?;
    let ui = Ui::terminal(args.progress);
    let stack_policy = check_stack_options(&args)?;
    let source::Local {
        template,
        assets,
        parameters,
    } = source::local(src.template.as_deref(), &config, &src.values, &|d| {
        if ui.progress == ProgressMode::Json {
            for diag in d.iter().filter(|d| d.severity != synth::Severity::Info) {
                ui.json(&serde_json::json!({"type": "diagnostic", "message": diag.to_string()}));
            }
        } else {
            cli::print_diagnostics_as(d, cli::Infos::for_progress(ui.progress));
        }
    })?;
    let capabilities = capabilities(args.capabilities.as_deref(), &template)?;
    // Asset files are relative to the config file's folder (the current one without a config).
    let base = src
        .config
        .as_deref()
        .and_then(std::path::Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let assets = deploy::assets::resolve(&assets, base);

    // Built-in stacks check parameter values with the same rule functions synth uses.
    let builtin_checker = src.stack.as_deref().map(|name| {
        let name = name.to_string();
        move |values: &IndexMap<String, String>| stacks::check_parameters(&name, values)
    });
    // Hints say "re-run `...`": the user's own command, flags and all; `--recreate` only
    // where a hint adds it.
    let resume = cli::rerun::command_line(&["--recreate"]);
    let mut request = DeployRequest {
        stack_name: src.stack_name.clone(),
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
    bounded(request.timeout, Bounded::Operates(&resume), async {
        let aws = Aws::connect(&connection, watch).await?;
        place(&aws, &ui, config.stack_mut(), &mut request).await?;
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
    // Refused after calls that read (the zones, the stack): no change set ran.
    .map_err(|e| e.settled(NotDone::Changed))
}

/// Zone IDs in the built-in stack's config resolved to this account's zone names (the
/// template rebuilt with them) and the cluster's placement checked: EC2 calls only, before any
/// CloudFormation request.
async fn place(
    aws: &Aws,
    ui: &Ui,
    configured: Option<&mut stacks::Configured>,
    request: &mut DeployRequest<'_>,
) -> Result<(), Error> {
    let warn = |line: &str| ui.note(line);
    let needs = configured
        .as_deref()
        .and_then(stacks::Configured::cluster_needs);
    let zones = deploy::placement::resolve(
        aws,
        configured,
        &mut request.template,
        &mut request.parameters,
        needs.is_some(),
        &warn,
    )
    .await?;
    let (Some(zones), Some(needs)) = (&zones, &needs) else {
        return Ok(());
    };
    let found =
        deploy::placement::stack_zone(aws, &request.stack_name, &request.parameters, zones, needs)
            .await?;
    if let Some(zone) = found {
        ui.note(&format!(
            "zone: {} ({})",
            zone.label(),
            needs.zone_parameter
        ));
        deploy::placement::check(aws, zones, &zone, needs, &warn).await?;
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
        match source::read_file(path, "stack policy", opts::MAX_STACK_POLICY_BYTES) {
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
    Err(Error::invalid(problems))
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
