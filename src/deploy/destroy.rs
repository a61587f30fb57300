//! `pcstack destroy`: ask, delete, follow, then list every retained resource.

use super::aws::{fail, Aws};
use super::events::{self, Follow, Interrupts};
use super::run::{now, unix};
use super::stack;
use super::ui::Ui;
use crate::error::Error;
use aws_sdk_cloudformation::types::{ResourceStatus, StackEvent, StackStatus};
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
        .map_err(|e| fail("DeleteStack", &e))?;
    events::follow(
        &aws.cfn,
        &aws.timing,
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

pub async fn destroy(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    name: &str,
    yes: bool,
    timeout: Option<Duration>,
) -> Result<Vec<Retained>, Error> {
    let Some(current) = stack::describe(&aws.cfn, &aws.timing, name).await? else {
        ui.result(&format!("stack {name} does not exist; nothing to delete"));
        return Ok(Vec::new());
    };
    let id = current.stack_id().unwrap_or(name).to_string();
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
        if !ui.confirm(&format!(
            "Delete stack {name} ({})?",
            stack::status(&current)
        )) {
            return Err(Error::NotApproved("declined; nothing was deleted".into()));
        }
    }
    let resume = format!("pcstack destroy --stack-name {name} --yes");
    let deadline = timeout.map(|t| Instant::now() + t);
    let finished = delete_and_follow(aws, ui, interrupts, &id, name, deadline, &resume).await?;
    if finished.status != StackStatus::DeleteComplete {
        let report = events::failure_report(ui, name, &finished.status, &finished.events, &resume);
        return Err(Error::StackFailed(report.trim_end().to_string()));
    }
    let kept = retained(&finished.events);
    ui.result(&format!("stack {name} deleted"));
    if !kept.is_empty() {
        ui.result("retained (DeletionPolicy Retain; delete them yourself when no longer needed):");
        for r in &kept {
            ui.result(&format!(
                "  {} ({}): {}",
                r.logical_id, r.type_name, r.physical_id
            ));
        }
    }
    Ok(kept)
}
