//! The deploy operation: checks -> state gate -> upload -> change set -> review/approval ->
//! execute -> follow -> outputs.

use super::aws::{fail, patiently, Aws};
use super::changeset::{self, Approve, CreateOnlyLookup, Ready};
use super::events::{self, Follow, Interrupts};
use super::outputs::StackOutputs;
use super::params::{self, ParameterChecker};
use super::predict;
use super::stack::{self, Gate};
use super::template::TemplateSource;
use super::ui::Ui;
use super::upload;
use super::{Exit, Failure};
use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter};
use indexmap::IndexMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Everything `pcstack deploy` was asked to do.
pub struct DeployRequest<'a> {
    pub stack_name: String,
    pub template: TemplateSource,
    pub parameters: IndexMap<String, String>,
    /// Extra parameter rules of a built-in stack (`None` for `--template`).
    pub checker: Option<ParameterChecker<'a>>,
    pub create_only: CreateOnlyLookup,
    pub template_bucket: Option<String>,
    pub approve: Approve,
    pub no_execute: bool,
    pub timeout: Option<Duration>,
    pub termination_protection: Option<bool>,
    pub disable_rollback: bool,
    pub recreate: bool,
    pub outputs_file: Option<PathBuf>,
    /// The command line to print for "re-run to resume".
    pub resume: String,
}

/// How a deploy ended well (the fields are for callers embedding deploy; the CLI has printed them).
#[allow(dead_code)]
#[derive(Debug)]
pub enum Outcome {
    Deployed(StackOutputs),
    NoChanges,
    ChangeSetLeft { name: String, arn: String },
}

/// Checks that need no AWS call: the template's own validity and every parameter value.
pub fn precheck(req: &DeployRequest<'_>, region: &str) -> Result<(), Failure> {
    let mut diags = synth::validate::validate(&req.stack_name, &req.template.json, &|_| None);
    diags.extend(params::check(
        &req.stack_name,
        &req.template.parameters(),
        &req.parameters,
        region,
    ));
    if let Some(checker) = req.checker {
        diags.extend(checker(&req.parameters));
    }
    if diags.has_errors() {
        let lines: Vec<String> = diags.errors().map(|d| d.to_string()).collect();
        return Err(Failure::invalid(format!(
            "invalid input, nothing was sent to AWS:\n{}",
            lines.join("\n")
        )));
    }
    Ok(())
}

pub async fn deploy(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    req: &DeployRequest<'_>,
) -> Result<Outcome, Failure> {
    precheck(req, &aws.region)?;
    let name = req.stack_name.as_str();
    let deadline = req.timeout.map(|t| Instant::now() + t);

    // State gate.
    let existing = loop {
        let current = stack::describe(&aws.cfn, &aws.timing, name).await?;
        let status = current.as_ref().map(stack::status);
        match stack::gate(name, status) {
            Gate::Create => break current.filter(|s| stack::status(s) == "REVIEW_IN_PROGRESS"),
            Gate::Update => break current,
            Gate::Blocked(msg) => return Err(Failure::error(msg)),
            Gate::Wait => {
                let stack = current
                    .as_ref()
                    .ok_or_else(|| Failure::error("stack vanished"))?;
                ui.note(&format!(
                    "stack {name} is {}; waiting for that operation to finish",
                    status.unwrap_or("")
                ));
                let id = stack.stack_id().unwrap_or(name).to_string();
                events::follow(
                    &aws.cfn,
                    &aws.timing,
                    ui,
                    interrupts,
                    &Follow {
                        stack_id: &id,
                        stack_name: name,
                        token: None,
                        since: now(),
                        total: req.template.resource_count(),
                        deadline,
                        resume: &req.resume,
                    },
                )
                .await?;
            }
            Gate::Recreate => {
                ui.note(&format!(
                    "stack {name} is ROLLBACK_COMPLETE: its creation failed and it can only be deleted"
                ));
                let consent = req.recreate
                    || ui.confirm(&format!("Delete stack {name} and create it again?"));
                if !consent {
                    return Err(Failure::error(format!(
                        "stack {name} is ROLLBACK_COMPLETE; re-run with --recreate to delete and create it again, or run `pcstack destroy --stack-name {name}`"
                    )));
                }
                let id = current
                    .as_ref()
                    .and_then(|s| s.stack_id())
                    .unwrap_or(name)
                    .to_string();
                let done = super::destroy::delete_and_follow(
                    aws,
                    ui,
                    interrupts,
                    &id,
                    name,
                    deadline,
                    &req.resume,
                )
                .await?;
                if done.status != "DELETE_COMPLETE" {
                    return Err(Failure::error(format!(
                        "could not delete stack {name}: {}",
                        done.status
                    )));
                }
            }
        }
    };
    let is_update = existing
        .as_ref()
        .is_some_and(|s| stack::status(s) != "REVIEW_IN_PROGRESS");
    let created_review_stack = existing.is_none();

    // Parameters: given ones, UsePreviousValue for the rest on update.
    let declared = req.template.parameters();
    let mut cfn_params: Vec<Parameter> = req
        .parameters
        .iter()
        .map(|(k, v)| {
            Parameter::builder()
                .parameter_key(k)
                .parameter_value(v)
                .build()
        })
        .collect();
    let previous: Vec<String> = existing
        .as_ref()
        .map(|s| {
            s.parameters()
                .iter()
                .filter_map(|p| p.parameter_key().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut missing = synth::Diagnostics::new();
    for key in declared.keys() {
        if req.parameters.contains_key(key) {
            continue;
        }
        if is_update && previous.contains(key) {
            cfn_params.push(
                Parameter::builder()
                    .parameter_key(key)
                    .use_previous_value(true)
                    .build(),
            );
        }
    }
    let given: IndexMap<String, String> = req
        .parameters
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .chain(
            previous
                .iter()
                .filter(|_| is_update)
                .map(|k| (k.clone(), String::new())),
        )
        .collect();
    missing.extend(params::missing_required(name, &declared, &given));
    if missing.has_errors() {
        let lines: Vec<String> = missing.errors().map(|d| d.to_string()).collect();
        return Err(Failure::invalid(format!(
            "missing parameters, nothing was changed:\n{}",
            lines.join("\n")
        )));
    }

    // Prediction from the deployed template, before any change set: a predicted replacement or
    // removal of a data-holding resource needs the same approval as the change set's.
    let mut predicted: Option<Vec<String>> = None;
    let mut approved: Vec<String> = Vec::new();
    if is_update {
        let id = existing
            .as_ref()
            .and_then(|s| s.stack_id())
            .unwrap_or(name)
            .to_string();
        match deployed_template(aws, &id).await {
            Ok(old) => {
                let prediction = predict::predict(&old, &req.template.json, req.create_only);
                let ids: Vec<String> = prediction
                    .danger_ids()
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                let danger = prediction.danger();
                if !danger.is_empty() {
                    ui.note(
                        changeset::titled_danger_block(
                            ui,
                            "DANGER (predicted from the deployed template, before any change set): data-holding resources would be lost:",
                            &danger,
                        )
                        .trim_end(),
                    );
                    if req.approve != Approve::Never && !req.no_execute {
                        if !ui.interactive {
                            return Err(Failure::new(
                                Exit::Approval,
                                "approval needed (data-holding resources would be lost) but stdin is not a terminal, so no change set was created; review the prediction above (`pcstack diff` shows all of it) and re-run with `--approve never` to deploy without asking (or `--no-execute` to create and keep the change set)",
                            ));
                        }
                        if !ui.confirm(&format!(
                            "Create the change set for stack {name} anyway (it is reviewed again before executing)?"
                        )) {
                            return Err(Failure::new(
                                Exit::Approval,
                                "declined; no change set was created",
                            ));
                        }
                        approved.clone_from(&ids);
                    }
                }
                predicted = Some(ids);
            }
            Err(f) => ui.note(&format!(
                "could not predict the update from the deployed template ({}); the change set review still applies",
                f.message
            )),
        }
    }

    // Template: inline, or S3 when large or a bucket is given.
    let template_url =
        if req.template.body.len() > upload::MAX_INLINE_BYTES || req.template_bucket.is_some() {
            let account = match (
                &req.template_bucket,
                existing.as_ref().and_then(|s| s.stack_id()),
            ) {
                (Some(_), _) => String::new(),
                (None, Some(arn)) => stack::account_from_arn(arn).unwrap_or_default().to_string(),
                (None, None) => caller_account(aws).await?,
            };
            Some(
                upload::upload(
                    &aws.s3,
                    ui,
                    &req.template,
                    req.template_bucket.as_deref(),
                    &account,
                    &aws.region,
                    aws.endpoint.as_deref(),
                )
                .await?,
            )
        } else {
            None
        };

    // Change set.
    let change_set_name = format!("pcstack-{}", unix());
    let mut create = aws
        .cfn
        .create_change_set()
        .stack_name(name)
        .change_set_name(&change_set_name)
        .client_token(&change_set_name)
        .change_set_type(if is_update {
            ChangeSetType::Update
        } else {
            ChangeSetType::Create
        })
        .set_parameters(Some(cfn_params))
        .capabilities(Capability::CapabilityIam)
        .capabilities(Capability::CapabilityNamedIam)
        .capabilities(Capability::CapabilityAutoExpand)
        .description("pcstack deploy");
    create = match &template_url {
        Some(url) => create.template_url(url),
        None => create.template_body(&req.template.body),
    };
    let created = match create.send().await {
        Ok(c) => c,
        // Some endpoints refuse an empty change set outright instead of failing it.
        Err(e) if changeset::is_empty_reason(&super::aws::message(&e)) => {
            ui.result(&format!("no changes: stack {name} is up to date"));
            return Ok(Outcome::NoChanges);
        }
        Err(e) => return Err(fail("CreateChangeSet", &e)),
    };
    let arn = created.id().unwrap_or(&change_set_name).to_string();
    let stack_id = created.stack_id().unwrap_or(name).to_string();
    ui.note(&format!(
        "change set {change_set_name} created; waiting for CloudFormation to compute it"
    ));

    let changes = match changeset::wait(&aws.cfn, &aws.timing, &arn).await? {
        Ready::Empty { arn } => {
            cleanup(
                aws,
                ui,
                &arn,
                created_review_stack.then_some(stack_id.as_str()),
            )
            .await;
            ui.result(&format!("no changes: stack {name} is up to date"));
            return Ok(Outcome::NoChanges);
        }
        Ready::Failed { arn, reason } => {
            cleanup(
                aws,
                ui,
                &arn,
                created_review_stack.then_some(stack_id.as_str()),
            )
            .await;
            return Err(Failure::error(format!(
                "change set {change_set_name} failed: {reason}"
            )));
        }
        Ready::Changes { changes, .. } => changes,
    };

    // Review and approval.
    ui.note(&format!(
        "Changes to stack {name} ({} resources):",
        changes.len()
    ));
    ui.note(changeset::review(ui, &changes, req.create_only).trim_end());
    let danger = changeset::danger(&changes);
    if !danger.is_empty() {
        ui.note(changeset::danger_block(ui, &danger).trim_end());
    }
    // The second check: the change set's danger against the prediction's.
    let danger_ids = changeset::danger_ids(&changes);
    if let Some(predicted) = &predicted {
        let mut a = predicted.clone();
        let mut b = danger_ids.clone();
        a.sort();
        b.sort();
        if a != b {
            ui.note(&ui.yellow(&format!(
                "note: the prediction and the change set disagree on data-holding resources lost (predicted: [{}]; change set: [{}]); the change set is what would run",
                a.join(", "),
                b.join(", ")
            )));
        }
    }
    // Losses already approved from the prediction are not asked about twice.
    let danger: Vec<String> = danger
        .into_iter()
        .zip(&danger_ids)
        .filter(|(_, id)| !approved.contains(id))
        .map(|(d, _)| d)
        .collect();
    if req.no_execute {
        ui.result(&format!(
            "change set {change_set_name} left for review (not executed): {arn}"
        ));
        return Ok(Outcome::ChangeSetLeft {
            name: change_set_name,
            arn,
        });
    }
    if changeset::needs_approval(req.approve, &changes, &danger) {
        let refusal = if !ui.interactive {
            Some(format!(
                "approval needed ({}) but stdin is not a terminal, so nothing was executed; review the changes above and re-run with `--approve never` to deploy without asking (or `--no-execute` to keep the change set)",
                if danger.is_empty() { "--approve any" } else { "data-holding resources would be lost" }
            ))
        } else if !ui.confirm(&format!(
            "Execute change set {change_set_name} on stack {name}?"
        )) {
            Some("declined; the change set was deleted".to_string())
        } else {
            None
        };
        if let Some(message) = refusal {
            cleanup(
                aws,
                ui,
                &arn,
                created_review_stack.then_some(stack_id.as_str()),
            )
            .await;
            return Err(Failure::new(Exit::Approval, message));
        }
    }

    // Execute and follow.
    let token = format!("{change_set_name}-exec");
    let since = now();
    aws.cfn
        .execute_change_set()
        .change_set_name(&arn)
        .client_request_token(&token)
        .set_disable_rollback(req.disable_rollback.then_some(true))
        .send()
        .await
        .map_err(|e| fail("ExecuteChangeSet", &e))?;
    let finished = events::follow(
        &aws.cfn,
        &aws.timing,
        ui,
        interrupts,
        &Follow {
            stack_id: &stack_id,
            stack_name: name,
            token: Some(&token),
            since,
            total: changes.len(),
            deadline,
            resume: &req.resume,
        },
    )
    .await?;
    if !stack::succeeded(&finished.status) {
        let report =
            events::failure_report(ui, name, &finished.status, &finished.events, &req.resume);
        return Err(Failure::new(Exit::StackFailed, report.trim_end()));
    }
    ui.note(&ui.green(&format!("stack {name}: {}", finished.status)));

    if let Some(on) = req.termination_protection {
        aws.cfn
            .update_termination_protection()
            .stack_name(&stack_id)
            .enable_termination_protection(on)
            .send()
            .await
            .map_err(|e| {
                fail(
                    "UpdateTerminationProtection (the stack itself deployed)",
                    &e,
                )
            })?;
    }

    let final_stack = stack::describe(&aws.cfn, &aws.timing, &stack_id)
        .await?
        .ok_or_else(|| Failure::error(format!("stack {name} not found after deploy")))?;
    let outputs = StackOutputs::new(&final_stack, Some(&req.template.json), &aws.region);
    if !outputs.outputs.is_empty() {
        ui.result(outputs.table().trim_end());
    }
    if let Some(path) = &req.outputs_file {
        outputs.write_file(path).map_err(|e| {
            Failure::error(format!(
                "stack deployed, but writing {} failed: {e}",
                path.display()
            ))
        })?;
    }
    Ok(Outcome::Deployed(outputs))
}

/// Deletes a change set we won't execute, and the empty REVIEW_IN_PROGRESS stack pcstack made.
async fn cleanup(aws: &Aws, ui: &Ui, change_set_arn: &str, review_stack: Option<&str>) {
    if let Err(e) = aws
        .cfn
        .delete_change_set()
        .change_set_name(change_set_arn)
        .send()
        .await
    {
        ui.note(&format!(
            "could not delete change set {change_set_arn}: {}",
            super::aws::message(&e)
        ));
    }
    if let Some(id) = review_stack {
        if let Err(e) = aws.cfn.delete_stack().stack_name(id).send().await {
            ui.note(&format!(
                "could not delete the empty stack {id}: {}",
                super::aws::message(&e)
            ));
        }
    }
}

async fn caller_account(aws: &Aws) -> Result<String, Failure> {
    let sts = aws.sts.as_ref().ok_or_else(|| {
        Failure::error(
            "no STS client to find the account for the template bucket; pass --template-bucket",
        )
    })?;
    let me = sts.get_caller_identity().send().await.map_err(|e| {
        fail(
            "GetCallerIdentity (for the default template bucket name)",
            &e,
        )
    })?;
    me.account().map(str::to_string).ok_or_else(|| {
        Failure::error("GetCallerIdentity returned no account; pass --template-bucket")
    })
}

pub fn now() -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from(SystemTime::now())
}

pub fn unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The deployed template of a stack (GetTemplate, stage Original), parsed from JSON or YAML.
pub async fn deployed_template(aws: &Aws, stack: &str) -> Result<serde_json::Value, Failure> {
    let got = patiently(&aws.timing, || {
        aws.cfn
            .get_template()
            .stack_name(stack)
            .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
            .send()
    })
    .await
    .map_err(|e| fail("GetTemplate", &e))?;
    let body = got
        .template_body()
        .ok_or_else(|| Failure::error("GetTemplate returned no template body"))?;
    super::template::parse_template(body)
        .map_err(|e| Failure::error(format!("the deployed template can't be read: {e}")))
}

/// `pcstack outputs`: the deployed stack's outputs with env names from its deployed template
/// (or `local`, a template file, when given).
pub async fn fetch_outputs(
    aws: &Aws,
    name: &str,
    local: Option<&TemplateSource>,
) -> Result<StackOutputs, Failure> {
    let found = stack::describe(&aws.cfn, &aws.timing, name)
        .await?
        .ok_or_else(|| Failure::error(format!("stack {name} does not exist")))?;
    let template = match local {
        Some(t) => Some(t.json.clone()),
        None => {
            let got = aws
                .cfn
                .get_template()
                .stack_name(found.stack_id().unwrap_or(name))
                .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
                .send()
                .await
                .map_err(|e| fail("GetTemplate", &e))?;
            got.template_body()
                .and_then(|b| super::template::parse_template(b).ok())
        }
    };
    Ok(StackOutputs::new(&found, template.as_ref(), &aws.region))
}
