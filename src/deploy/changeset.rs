//! Change sets on the AWS side: wait for one to be computed (every page of its changes) and
//! convert CloudFormation's answer into `plan::review`'s model, where the review is decided.

use super::aws::{patiently, Aws};
use super::backoff;
use crate::error::Error;
use aws_sdk_cloudformation::types::{
    self as cfn, Change, ChangeAction as CfnAction, ChangeSetStatus, Replacement as CfnReplacement,
    RequiresRecreation,
};
use plan::review::{self, ChangeAction, ChangeDetail, Recreation, Replacement, ResourceChange};

/// How a change set ended up.
#[derive(Debug)]
pub enum Ready {
    /// Computed (CREATE_COMPLETE): what it would do, resource by resource. Possibly no
    /// resource at all: then only outputs, parameters, metadata or tags change, and the change
    /// set must still be executed to apply them.
    Changes(Vec<ResourceChange>),
    /// CloudFormation found nothing to change: the FAILED status whose reason says the
    /// submission contained no changes.
    Empty,
    /// CloudFormation could not compute it.
    Failed { reason: String },
}

/// Waits for a change set to leave its pending states, then reads every page of its changes.
/// Polls every `change_set_poll` (one second: a ready change set is seen within about a second)
/// for `change_set_patience`, then backs off: a change set that takes minutes is rare, and
/// throttling headroom matters in accounts where other tools poll too.
pub async fn wait(aws: &Aws, arn: &str) -> Result<Ready, Error> {
    let (cfn, timing) = (&aws.cfn, &aws.timing);
    let start = std::time::Instant::now();
    let mut interval = timing.change_set_poll;
    loop {
        // Polls on a fixed cadence: the next one is `interval` after this one started, not
        // after its answer, so a slow answer doesn't delay noticing the change set.
        let polled = tokio::time::Instant::now();
        let first = patiently(timing, || {
            cfn.describe_change_set().change_set_name(arn).send()
        })
        .await
        .map_err(|e| aws.fail("DescribeChangeSet", e))?;
        match first.status() {
            Some(ChangeSetStatus::CreateComplete) => {
                let mut changes = convert(first.changes());
                let mut token = first.next_token().map(str::to_string);
                while let Some(t) = token {
                    let page = patiently(timing, || {
                        cfn.describe_change_set()
                            .change_set_name(arn)
                            .next_token(t.clone())
                            .send()
                    })
                    .await
                    .map_err(|e| aws.fail("DescribeChangeSet", e))?;
                    changes.extend(convert(page.changes()));
                    token = page.next_token().map(str::to_string);
                }
                return Ok(Ready::Changes(changes));
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = first.status_reason().unwrap_or("no reason given");
                return Ok(if review::is_empty_reason(reason) {
                    Ready::Empty
                } else {
                    Ready::Failed {
                        reason: reason.to_string(),
                    }
                });
            }
            _ => {
                tokio::time::sleep_until(polled + interval).await;
                if start.elapsed() >= timing.change_set_patience {
                    interval = backoff(interval, timing.max_poll);
                }
            }
        }
    }
}

/// CloudFormation's resource changes in the review model.
pub fn convert(changes: &[Change]) -> Vec<ResourceChange> {
    changes
        .iter()
        .filter_map(Change::resource_change)
        .map(resource_change)
        .collect()
}

fn resource_change(c: &cfn::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: match c.action() {
            Some(CfnAction::Add) => ChangeAction::Add,
            Some(CfnAction::Remove) => ChangeAction::Remove,
            Some(CfnAction::Import) => ChangeAction::Import,
            Some(CfnAction::Dynamic) => ChangeAction::Dynamic,
            Some(CfnAction::Modify) => ChangeAction::Modify,
            // SyncWithActual, a newer action, or none: said as unknown, not as a Modify.
            _ => ChangeAction::Unknown,
        },
        logical_id: c.logical_resource_id().unwrap_or("?").to_string(),
        type_name: c.resource_type().unwrap_or("?").to_string(),
        physical_id: c.physical_resource_id().map(str::to_string),
        replacement: c.replacement().and_then(|r| match r {
            CfnReplacement::True => Some(Replacement::True),
            CfnReplacement::False => Some(Replacement::False),
            CfnReplacement::Conditional => Some(Replacement::Conditional),
            _ => None,
        }),
        details: c.details().iter().filter_map(detail).collect(),
        // Filled from the templates by `review::apply_policies`.
        policy: review::Policy::Unknown,
    }
}

fn detail(d: &cfn::ResourceChangeDetail) -> Option<ChangeDetail> {
    let target = d.target()?;
    Some(ChangeDetail {
        attribute: target.attribute().map_or("", |a| a.as_str()).to_string(),
        name: target.name().or(target.path()).unwrap_or("").to_string(),
        recreation: target.requires_recreation().and_then(|r| match r {
            RequiresRecreation::Never => Some(Recreation::Never),
            RequiresRecreation::Conditionally => Some(Recreation::Conditionally),
            RequiresRecreation::Always => Some(Recreation::Always),
            _ => None,
        }),
        source: d.change_source().map(|s| s.as_str().to_string()),
        causing_entity: d.causing_entity().map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: Option<CfnAction>) -> Change {
        let rc = cfn::ResourceChange::builder()
            .set_action(action)
            .logical_resource_id("Bucket")
            .resource_type("AWS::S3::Bucket")
            .build();
        Change::builder().resource_change(rc).build()
    }

    /// Each action CloudFormation names is kept; one pcstack does not know (a newer action,
    /// SyncWithActual, none) is Unknown, shown in its own group, never a Modify.
    #[test]
    fn actions_keep_their_kind_and_unknown_ones_are_unknown() {
        let known = [
            (CfnAction::Add, ChangeAction::Add),
            (CfnAction::Modify, ChangeAction::Modify),
            (CfnAction::Remove, ChangeAction::Remove),
            (CfnAction::Import, ChangeAction::Import),
            (CfnAction::Dynamic, ChangeAction::Dynamic),
        ];
        for (cfn, ours) in known {
            assert_eq!(convert(&[change(Some(cfn))])[0].action, ours);
        }
        for other in [
            Some(CfnAction::SyncWithActual),
            Some(CfnAction::from("Teleport")),
            None,
        ] {
            let converted = convert(&[change(other)]);
            assert_eq!(converted[0].action, ChangeAction::Unknown);
            let shown = review::review(&plan::style::Style::default(), &converted);
            assert!(shown.starts_with("Unknown (1):\n"), "{shown}");
        }
    }
}
