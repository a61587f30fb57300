//! `pcstack destroy`: ask, delete, follow, then list every retained resource.

use super::aws::{patiently, Aws};
use super::events::{self, Follow, Interrupts};
use super::run::{now, unix};
use super::stack;
use super::ui::Ui;
use crate::error::Error;
use aws_sdk_cloudformation::types::{ResourceStatus, StackEvent, StackStatus, StackSummary};
use std::time::{Duration, Instant};

/// A resource CloudFormation left in place (DeletionPolicy Retain -> DELETE_SKIPPED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retained {
    pub logical_id: String,
    pub type_name: String,
    pub physical_id: String,
}

pub fn retained(events: &[StackEvent]) -> Vec<Retained> {
    let mut out: Vec<Retained> = Vec::new();
    for e in events {
        if e.resource_status() == Some(&ResourceStatus::DeleteSkipped) {
            let r = Retained {
                logical_id: e.logical_resource_id().unwrap_or_default().into(),
                type_name: e.resource_type().unwrap_or_default().into(),
                physical_id: e.physical_resource_id().unwrap_or_default().into(),
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// DeleteStack with a request token, then follows the deletion's events.
/// Used by `destroy` and by deploy when it recreates a ROLLBACK_COMPLETE stack.
pub async fn delete_and_follow(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    id: &str,
    name: &str,
    deadline: Option<Instant>,
    resume: &str,
) -> Result<events::Finished, Error> {
    let token = format!("pcstack-delete-{}", unix());
    let since = now();
    aws.cfn
        .delete_stack()
        .stack_name(id)
        .client_request_token(&token)
        .send()
        .await
        .map_err(|e| aws.fail("DeleteStack", e))?;
    events::follow(
        aws,
        ui,
        interrupts,
        &Follow {
            stack_id: id,
            stack_name: name,
            token: Some(&token),
            since,
            total: 0,
            deadline,
            resume,
        },
    )
    .await
}

/// `pcstack destroy`. Run again after a timeout it finds the deletion already going on (follows
/// it, no new DeleteStack) or finished (reads the deleted stack's events): either way it lists
/// what the deletion retained.
pub async fn destroy(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    name: &str,
    yes: bool,
    timeout: Option<Duration>,
) -> Result<Vec<Retained>, Error> {
    let Some(current) = stack::describe(aws, name).await? else {
        return already_deleted(aws, ui, name).await;
    };
    let id = current.stack_id().unwrap_or(name).to_string();
    let resume = format!("{} --yes", crate::cli::rerun::command_line(&["--yes"]));
    let deadline = timeout.map(|t| Instant::now() + t);
    let finished = if current.stack_status() == Some(&StackStatus::DeleteInProgress) {
        ui.note(&format!(
            "stack {name} is already DELETE_IN_PROGRESS (an earlier destroy); following that deletion"
        ));
        // Its events carry the earlier run's token: take every event since the deletion began.
        let since = current
            .deletion_time()
            .or(current.last_updated_time())
            .copied()
            .unwrap_or_else(now);
        events::follow(
            aws,
            ui,
            interrupts,
            &Follow {
                stack_id: &id,
                stack_name: name,
                token: None,
                since,
                total: 0,
                deadline,
                resume: &resume,
            },
        )
        .await?
    } else {
        if current.enable_termination_protection() == Some(true) {
            return Err(Error::failed(format!(
                "stack {name} has termination protection on; turn it off with `pcstack deploy ... --termination-protection off` or the console, then destroy"
            )));
        }
        if !yes {
            if !ui.interactive {
                return Err(Error::NotApproved(format!(
                    "deleting stack {name} needs confirmation but stdin is not a terminal; pass --yes"
                )));
            }
            let question = format!("Delete stack {name} ({})?", stack::status(&current));
            match ui.confirm(&question, interrupts).await {
                Ok(true) => {}
                Ok(false) => {
                    return Err(Error::NotApproved("declined; nothing was deleted".into()))
                }
                Err(_) => {
                    return Err(Error::Interrupted(
                        "interrupted at the question; taken as no: nothing was deleted".into(),
                    ))
                }
            }
        }
        delete_and_follow(aws, ui, interrupts, &id, name, deadline, &resume).await?
    };
    if finished.status != StackStatus::DeleteComplete {
        let report = events::failure_report(ui, name, &finished.status, &finished.events, &resume);
        return Err(Error::StackFailed(report.trim_end().to_string()));
    }
    let kept = retained(&finished.events);
    ui.result(&format!("stack {name} deleted"));
    show_retained(ui, &kept);
    Ok(kept)
}

fn show_retained(ui: &Ui, kept: &[Retained]) {
    if kept.is_empty() {
        return;
    }
    ui.result("retained (DeletionPolicy Retain; delete them yourself when no longer needed):");
    for r in kept {
        ui.result(&format!(
            "  {} ({}): {}",
            r.logical_id, r.type_name, r.physical_id
        ));
    }
}

/// No stack of that name: when one was deleted (the deletion an earlier destroy stopped
/// following, say), what that deletion retained, from the deleted stack's events.
async fn already_deleted(aws: &Aws, ui: &Ui, name: &str) -> Result<Vec<Retained>, Error> {
    let mut latest: Option<StackSummary> = None;
    let mut token: Option<String> = None;
    loop {
        let page = patiently(&aws.timing, || {
            aws.cfn
                .list_stacks()
                .stack_status_filter(StackStatus::DeleteComplete)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| aws.fail("ListStacks (deleted stacks)", e))?;
        for s in page.stack_summaries() {
            let newer = latest.as_ref().is_none_or(|l| {
                s.deletion_time().map(|t| t.secs()) >= l.deletion_time().map(|t| t.secs())
            });
            if s.stack_name() == Some(name) && newer {
                latest = Some(s.clone());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let Some(gone) = latest.as_ref().and_then(|s| s.stack_id().map(|id| (s, id))) else {
        ui.result(&format!(
            "stack {name} does not exist in {}; nothing to delete",
            aws.region
        ));
        return Ok(Vec::new());
    };
    let (summary, id) = gone;
    let events = deletion_events(aws, id, name).await?;
    let kept = retained(&events);
    ui.result(&format!(
        "stack {name} was already deleted{}",
        summary
            .deletion_time()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    ));
    show_retained(ui, &kept);
    Ok(kept)
}

/// The events of a deleted stack's deletion: every event after the stack's own
/// DELETE_IN_PROGRESS (events come newest first).
async fn deletion_events(aws: &Aws, id: &str, name: &str) -> Result<Vec<StackEvent>, Error> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = patiently(&aws.timing, || {
            aws.cfn
                .describe_stack_events()
                .stack_name(id)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| aws.fail("DescribeStackEvents (deleted stack)", e))?;
        for e in page.stack_events() {
            let began = e.resource_type() == Some("AWS::CloudFormation::Stack")
                && e.logical_resource_id() == Some(name)
                && e.resource_status() == Some(&ResourceStatus::DeleteInProgress);
            if began {
                return Ok(out);
            }
            out.push(e.clone());
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(out);
        }
    }
}
