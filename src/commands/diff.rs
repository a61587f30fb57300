//! `pcstack diff`: the deployed template against the local one; no change set, nothing changed.

use crate::cli::{self, args::DiffArgs, args::DiffFormat, config, flags::ProgressMode, source};
use crate::deploy::{self, aws::Aws, ui::Ui, waiting::Watch};
use crate::error::{Error, NotDone};

pub async fn run(args: DiffArgs, watch: &Watch) -> Result<(), Error> {
    let src = &args.source;
    let stack = match (&src.template, &src.stack) {
        (None, None) => Some(stacks::DEFAULT_STACK),
        (_, s) => s.as_deref(),
    };
    // Invalid input fails here, before any AWS call.
    let mut config = config::load(stack, src.config.as_deref())?;
    let connection = args.aws.connection(&config)?;
    let source::Local {
        template: mut local,
        mut parameters,
        ..
    } = source::local(src.template.as_deref(), &config, &src.values, &|d| {
        cli::print_diagnostics(d, false)
    })?;
    let aws = Aws::connect(&connection, watch).await?;
    // Zone IDs resolved as deploy resolves them, so the comparison is with what it would send.
    deploy::placement::resolve(
        &aws,
        config.stack_mut(),
        &mut local,
        &mut parameters,
        false,
        &|line| cli::eprint_line(line),
    )
    .await
    .map_err(after_calls)?;
    deploy::run::check_template(&src.stack_name, &local, Some(&aws.region)).map_err(after_calls)?;
    let name = src.stack_name.as_str();
    let found = deploy::stack::describe(&aws, name).await?.ok_or_else(|| {
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
            use std::io::IsTerminal;
            let mut ui = Ui::terminal(ProgressMode::Quiet);
            ui.style.color = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            let shown = match (&src.template, stack) {
                (Some(path), _) => path.display().to_string(),
                (None, Some(s)) => format!("built-in stack {s}"),
                (None, None) => String::new(),
            };
            cli::print_stdout(&format!(
                "{}\n{}",
                ui.bold(&format!(
                    "stack {name} ({}) -> {shown}",
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

/// A refusal after the calls that read the Region's zones: nothing was changed.
fn after_calls(e: Error) -> Error {
    e.settled(NotDone::Changed)
}
