//! Change sets: create, wait (every page of changes), review, danger block, approval.

use super::aws::{fail, patiently};
use super::ui::Ui;
use super::{backoff, Failure, Timing};
use aws_sdk_cloudformation::types::{Change, ChangeSetStatus, ResourceChange};
use aws_sdk_cloudformation::Client;

/// Create-only property paths of a resource type (`LustreConfiguration/DeploymentType`).
/// `constructs::l1::create_only_of` in the CLI; tests pass their own.
pub type CreateOnlyLookup = fn(&str) -> Option<&'static [&'static str]>;

/// Types whose replacement or removal loses data.
pub const DATA_HOLDING: [&str; 4] = [
    "AWS::FSx::FileSystem",
    "AWS::FSx::DataRepositoryAssociation",
    "AWS::S3::Bucket",
    "AWS::ECR::Repository",
];

/// How a change set ended up.
#[derive(Debug)]
pub enum Ready {
    Changes {
        changes: Vec<ResourceChange>,
    },
    /// CloudFormation found nothing to change.
    Empty {
        arn: String,
    },
    Failed {
        arn: String,
        reason: String,
    },
}

/// Waits for a change set to leave its pending states, then reads every page of its changes.
pub async fn wait(cfn: &Client, timing: &Timing, arn: &str) -> Result<Ready, Failure> {
    let mut interval = timing.change_set_poll;
    loop {
        let first = patiently(timing, || {
            cfn.describe_change_set().change_set_name(arn).send()
        })
        .await
        .map_err(|e| fail("DescribeChangeSet", &e))?;
        let status = first.status().cloned();
        match status {
            Some(ChangeSetStatus::CreateComplete) => {
                let mut changes = collect(first.changes());
                let mut token = first.next_token().map(str::to_string);
                while let Some(t) = token {
                    let page = patiently(timing, || {
                        cfn.describe_change_set()
                            .change_set_name(arn)
                            .next_token(t.clone())
                            .send()
                    })
                    .await
                    .map_err(|e| fail("DescribeChangeSet", &e))?;
                    changes.extend(collect(page.changes()));
                    token = page.next_token().map(str::to_string);
                }
                return Ok(if changes.is_empty() {
                    Ready::Empty { arn: arn.into() }
                } else {
                    Ready::Changes { changes }
                });
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = first
                    .status_reason()
                    .unwrap_or("no reason given")
                    .to_string();
                return Ok(if is_empty_reason(&reason) {
                    Ready::Empty { arn: arn.into() }
                } else {
                    Ready::Failed {
                        arn: arn.into(),
                        reason,
                    }
                });
            }
            _ => {
                tokio::time::sleep(interval).await;
                interval = backoff(interval, timing.max_poll);
            }
        }
    }
}

fn collect(changes: &[Change]) -> Vec<ResourceChange> {
    changes
        .iter()
        .filter_map(|c| c.resource_change().cloned())
        .collect()
}

/// CloudFormation's ways of saying a change set has nothing to do.
pub fn is_empty_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// The review: every change grouped by action, replacements colored, with the details causing
/// them and the create-only properties that explain them.
pub fn review(ui: &Ui, changes: &[ResourceChange], create_only: CreateOnlyLookup) -> String {
    let mut out = String::new();
    for action in ["Add", "Modify", "Remove", "Import", "Dynamic"] {
        let group: Vec<&ResourceChange> = changes
            .iter()
            .filter(|c| c.action().map(|a| a.as_str()) == Some(action))
            .collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("{} ({}):\n", ui.bold(action), group.len()));
        for c in group {
            let sign = match action {
                "Add" => "+",
                "Remove" => "-",
                "Modify" => "~",
                _ => "*",
            };
            let id = c.logical_resource_id().unwrap_or("?");
            let type_name = c.resource_type().unwrap_or("?");
            let mut line = format!("  {sign} {id} ({type_name})");
            if let Some(p) = c.physical_resource_id() {
                line.push_str(&format!(" [{p}]"));
            }
            match c.replacement().map(|r| r.as_str()) {
                Some("True") => line.push_str(&format!(" {}", ui.red("REPLACEMENT"))),
                Some("Conditional") => {
                    line.push_str(&format!(" {}", ui.yellow("may be replaced (Conditional)")))
                }
                _ => {}
            }
            out.push_str(&line);
            out.push('\n');
            for d in c.details() {
                let Some(target) = d.target() else { continue };
                let name = target.name().or(target.path()).unwrap_or("");
                let attr = target.attribute().map_or("", |a| a.as_str());
                let recreation = target.requires_recreation().map_or("", |r| r.as_str());
                let mut detail = format!("      {attr}");
                if !name.is_empty() {
                    detail.push_str(&format!(".{name}"));
                }
                match recreation {
                    "Always" => {
                        detail.push_str(&format!(" {}", ui.red("requires recreation: Always")))
                    }
                    "Conditionally" => detail.push_str(&format!(
                        " {}",
                        ui.yellow("requires recreation: Conditionally")
                    )),
                    _ => {}
                }
                if recreation != "Never"
                    && !recreation.is_empty()
                    && is_create_only(create_only, type_name, name)
                {
                    detail.push_str(&format!(" (create-only property of {type_name}: changing it creates a new resource)"));
                }
                if let Some(src) = d.change_source().map(|s| s.as_str()) {
                    let by = d
                        .causing_entity()
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default();
                    detail.push_str(&format!(" <- {src}{by}"));
                }
                out.push_str(&detail);
                out.push('\n');
            }
        }
    }
    out
}

fn is_create_only(lookup: CreateOnlyLookup, type_name: &str, property: &str) -> bool {
    let property = property.replace('.', "/");
    lookup(type_name).is_some_and(|paths| {
        paths.iter().any(|p| {
            *p == property
                || property.starts_with(&format!("{p}/"))
                || p.starts_with(&format!("{property}/"))
        })
    })
}

/// What happens to a data-holding resource's data, when it is lost.
fn loss(c: &ResourceChange) -> Option<&'static str> {
    if !c.resource_type().is_some_and(|t| DATA_HOLDING.contains(&t)) {
        return None;
    }
    match (
        c.action().map(|a| a.as_str()),
        c.replacement().map(|r| r.as_str()),
    ) {
        (Some("Remove"), _) => Some("deleted"),
        (_, Some("True")) => Some("replaced: the current one is deleted"),
        (_, Some("Conditional")) => Some("may be replaced: the current one would be deleted"),
        _ => None,
    }
}

/// Logical IDs of the resources in [`danger`].
pub fn danger_ids(changes: &[ResourceChange]) -> Vec<String> {
    changes
        .iter()
        .filter(|c| loss(c).is_some())
        .map(|c| c.logical_resource_id().unwrap_or("?").to_string())
        .collect()
}

/// Every replacement (True or Conditional) or removal of a data-holding resource.
pub fn danger(changes: &[ResourceChange]) -> Vec<String> {
    changes
        .iter()
        .filter_map(|c| {
            let what = loss(c)?;
            Some(format!(
                "{} ({}){}: {what}",
                c.logical_resource_id().unwrap_or("?"),
                c.resource_type().unwrap_or("?"),
                c.physical_resource_id()
                    .map(|p| format!(" [{p}]"))
                    .unwrap_or_default()
            ))
        })
        .collect()
}

/// When to ask before executing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Approve {
    /// Ask for every change set.
    Any,
    /// Ask only when a data-holding resource would be replaced or removed.
    Destructive,
    /// Never ask.
    Never,
}

pub fn needs_approval(approve: Approve, changes: &[ResourceChange], danger: &[String]) -> bool {
    match approve {
        Approve::Any => !changes.is_empty(),
        Approve::Destructive => !danger.is_empty(),
        Approve::Never => false,
    }
}

/// Renders the danger block.
pub fn danger_block(ui: &Ui, danger: &[String]) -> String {
    titled_danger_block(ui, "DANGER: data-holding resources would be lost:", danger)
}

/// The danger block under another title (the prediction's, before any change set).
pub fn titled_danger_block(ui: &Ui, title: &str, danger: &[String]) -> String {
    let mut out = format!("{}\n", ui.red(title));
    for d in danger {
        out.push_str(&format!("  ! {}\n", ui.red(d)));
    }
    out
}
