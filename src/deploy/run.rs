//! The deploy operation as named steps, each its own function, run in this order by
//! [`deploy`]:
//!
//! 1. [`precheck`]: the template and every parameter value, before any AWS call;
//! 2. [`gate`]: the stack's state decides create, update, wait or recreate;
//! 3. [`parameters`]: the values to send, previous values kept on update;
//! 4. [`plan`]: the update predicted from the deployed template, data loss approved up front;
//!    then `super::adopt`: what exists outside the stack is refused with the offer to adopt
//!    it, or imported with `--adopt` (an IMPORT change set), and the stack looked at again;
//! 5. [`upload`]: the template to S3 when it is too large to send inline;
//! 6. [`create_change_set`] and [`compute`]: the change set, and what CloudFormation says it does;
//! 7. [`review`]: the changes shown, approval asked when needed;
//! 8. [`execute`]: the change set run and followed to its end;
//! 9. [`outputs`]: termination protection and the stack policy, then the stack's outputs (also
//!    after "no changes").

use super::aws::{patiently, Aws};
use super::changeset::{self, Ready};
use super::events::{self, Follow, Interrupts};
use super::outputs::StackOutputs;
use super::stack::{self, Gate};
use super::ui::{ProgressMode, Ui};
use crate::error::{AwsKind, Error};
use aws_sdk_cloudformation::error::SdkError;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetError;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetType, Parameter, ResourceToImport, Stack, StackStatus, Tag,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use indexmap::IndexMap;
use plan::params::{self, ParameterChecker};
use plan::review::{self, Approve, ResourceChange};
use plan::TemplateSource;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Everything `pcstack deploy` was asked to do.
pub struct DeployRequest<'a> {
    pub stack_name: String,
    pub template: TemplateSource,
    pub parameters: IndexMap<String, String>,
    /// Extra parameter rules of a built-in stack (`None` for `--template`).
    pub checker: Option<ParameterChecker<'a>>,
    pub template_bucket: Option<String>,
    pub approve: Approve,
    pub no_execute: bool,
    /// `--adopt`: import resources that exist outside the stack (`super::adopt`).
    pub adopt: bool,
    pub timeout: Option<Duration>,
    pub termination_protection: Option<bool>,
    pub disable_rollback: bool,
    pub recreate: bool,
    pub outputs_file: Option<PathBuf>,
    /// Files uploaded to the stack's bucket once it is complete (`super::assets`).
    pub assets: Vec<super::assets::LocalAsset>,
    /// The command line to print for "re-run to resume".
    pub resume: String,
    /// Stack tags (`--tags`, checked); empty: not sent, so an update keeps the stack's tags.
    pub tags: Vec<(String, String)>,
    /// The service role (`--role-arn`, checked); `None`: not sent (the stack's previous role).
    pub role_arn: Option<String>,
    /// SNS topics (`--notification-arns`, checked); empty: not sent (the stack keeps its own).
    pub notification_arns: Vec<String>,
    /// A stack policy body (`--stack-policy`, checked), set after the change set ran.
    pub stack_policy: Option<String>,
    /// The capabilities to acknowledge: `--capabilities` (checked against the template) or
    /// exactly those the template needs ([`plan::capabilities::Needs::default_capabilities`]).
    pub capabilities: Vec<plan::capabilities::Capability>,
}

/// How a deploy ended well (the fields are for callers embedding deploy; the CLI has printed them).
#[allow(dead_code)]
#[derive(Debug)]
pub enum Outcome {
    Deployed(StackOutputs),
    NoChanges,
    ChangeSetLeft { name: String, arn: String },
}

/// What every step of one deploy works with: the AWS clients, the terminal, Ctrl-C, the
/// request and the `--timeout` deadline.
pub(super) struct Ctx<'a> {
    pub(super) aws: &'a Aws,
    pub(super) ui: &'a Ui,
    pub(super) interrupts: &'a Interrupts,
    pub(super) req: &'a DeployRequest<'a>,
    pub(super) deadline: Option<Instant>,
}

/// Runs every step; see the module docs for the order.
pub async fn deploy(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    req: &DeployRequest<'_>,
) -> Result<Outcome, Error> {
    precheck(req, &aws.region)?;
    deploy_checked(aws, ui, interrupts, req).await
}

/// [`deploy`] once [`precheck`] has passed for `aws.region` (the CLI runs it before connecting
/// when it knows the Region, so the template is validated once).
pub async fn deploy_checked(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    req: &DeployRequest<'_>,
) -> Result<Outcome, Error> {
    let cx = Ctx {
        aws,
        ui,
        interrupts,
        req,
        deadline: req.timeout.map(|t| Instant::now() + t),
    };
    let mut target = gate(&cx).await?;
    parameters(req, &target)?;
    let mut planned = plan(&cx, &target).await?;
    // What the template would create that exists outside the stack: refused with the offer,
    // or imported with `--adopt`; then the stack is looked at again for the update.
    let stack = target.deployed.as_ref();
    match super::adopt::adopt(&cx, stack, planned.deployed.as_ref()).await? {
        super::adopt::Adopted::Nothing => {}
        super::adopt::Adopted::Imported => {
            target = gate(&cx).await?;
            planned = plan(&cx, &target).await?;
        }
        super::adopt::Adopted::Left { name, arn } => {
            return Ok(Outcome::ChangeSetLeft { name, arn })
        }
    }
    let values = parameters(req, &target)?;
    let template_url = upload(&cx, &target).await?;
    let Some(change_set) = create_change_set(&cx, &target, values, template_url).await? else {
        // Nothing to change: the outputs are still shown and written.
        outputs(&cx, target.stack_id(&req.stack_name)).await?;
        return Ok(Outcome::NoChanges);
    };
    let Some(mut changes) = compute(&cx, &change_set).await? else {
        outputs(&cx, &change_set.stack_id).await?;
        return Ok(Outcome::NoChanges);
    };
    // What happens to a replaced or removed resource follows its policies: the new template's
    // UpdateReplacePolicy, the deployed template's DeletionPolicy.
    review::apply_policies(&mut changes, planned.deployed.as_ref(), &req.template.json);
    if req.no_execute {
        let _ = show(ui, req, &changes, &planned);
        ui.result(&format!(
            "change set {} left for review (not executed): {}",
            change_set.name, change_set.arn
        ));
        return Ok(Outcome::ChangeSetLeft {
            name: change_set.name,
            arn: change_set.arn,
        });
    }
    review(&cx, &change_set, &changes, &planned).await?;
    execute(&cx, &change_set, changes.len()).await?;
    outputs(&cx, &change_set.stack_id)
        .await
        .map(Outcome::Deployed)
}

/// Checks that need no AWS call: the `--outputs-file` folder, the template's own validity and
/// every parameter value.
pub fn precheck(req: &DeployRequest<'_>, region: &str) -> Result<(), Error> {
    if let Some(path) = &req.outputs_file {
        check_outputs_file(path)?;
    }
    if let Some(bucket) = &req.template_bucket {
        constructs::rules::s3::bucket_name(bucket).map_err(|v| {
            Error::usage(format!(
                "--template-bucket: {}; nothing was sent to AWS",
                synth::input::cut_message(&v.message)
            ))
        })?;
    }
    // Every resource against the registry schemas of the target Region (plan::registry).
    let region_known = Some(region).filter(|r| !r.is_empty());
    let mut diags = req.template.check(&req.stack_name, region_known);
    // A stack's own rule on a parameter says more than the template's generic constraint on
    // it (the Region's zones, not only a zone's shape): one error per parameter, the rule's.
    let stack_rules = req.checker.map(|c| c(&req.parameters)).unwrap_or_default();
    let ruled: Vec<String> = stack_rules
        .iter()
        .filter_map(|d| d.path.strip_prefix("parameter "))
        .map(|name| format!("/Parameters/{name}"))
        .collect();
    diags.extend(
        params::check(
            &req.stack_name,
            &req.template.parameters(),
            &req.parameters,
            region,
        )
        .into_iter()
        .filter(|d| !ruled.iter().any(|suffix| d.path.ends_with(suffix.as_str())))
        .collect(),
    );
    diags.extend(stack_rules);
    diags.extend(super::assets::precheck(&req.assets, &req.template.json));
    refuse(diags)
}

/// The template alone, as `diff` checks it before any AWS call: the same checks as
/// [`precheck`] without parameter values (`plan::template::check`).
pub fn check_template(
    stack_name: &str,
    template: &plan::TemplateSource,
    region: Option<&str>,
) -> Result<(), Error> {
    let diags = template.check(stack_name, region.filter(|r| !r.is_empty()));
    refuse(diags)
}

/// `--outputs-file` is written after the stack changed: a path that can't be written must fail
/// before anything changes.
/// The rule every written file follows (`cli::check_destination`: a regular file or none, in
/// a folder that exists), and the folder must take a new file (the temporary file the write
/// renames into place): probed by creating one.
pub fn check_outputs_file(path: &Path) -> Result<(), Error> {
    use crate::cli::{check_destination, folder_of, Existing, Folder};
    let sent = |e: Error| {
        Error::usage(
            e.to_string()
                .replace("nothing was written", "nothing was sent to AWS"),
        )
    };
    check_destination("--outputs-file", path, Existing::Replace, Folder::Exists).map_err(sent)?;
    let folder = folder_of(path);
    if let Err(e) = tempfile::Builder::new()
        .prefix(".pcstack-probe")
        .tempfile_in(folder)
    {
        return Err(Error::usage(format!(
            "--outputs-file must be in a folder pcstack can write to, got {} (cannot create a file in {}: {e}); nothing was sent to AWS",
            path.display(),
            folder.display()
        )));
    }
    Ok(())
}

/// A refusal of `diags` when it holds an error, else `Ok`.
fn refuse(diags: synth::Diagnostics) -> Result<(), Error> {
    if !diags.has_errors() {
        return Ok(());
    }
    Err(Error::invalid(diags))
}

/// The stack deploy works on, as the gate left it.
struct Target {
    /// The stack as DescribeStacks returned it, when it exists and has been deployed.
    deployed: Option<Stack>,
    /// A REVIEW_IN_PROGRESS stack waiting for its first change set (someone else's, or ours
    /// from an earlier run): created again by the change set, not deleted on cleanup.
    reviewing: bool,
}

impl Target {
    fn stack_id<'a>(&'a self, name: &'a str) -> &'a str {
        self.deployed
            .as_ref()
            .and_then(|s| s.stack_id())
            .unwrap_or(name)
    }
}

/// The state gate: waits out a running operation, recreates a ROLLBACK_COMPLETE stack with
/// consent, refuses states deploy can't continue from.
async fn gate(cx: &Ctx<'_>) -> Result<Target, Error> {
    let (aws, name) = (cx.aws, cx.req.stack_name.as_str());
    loop {
        let current = stack::describe(aws, name).await?;
        let status = current.as_ref().and_then(|s| s.stack_status());
        match stack::gate(name, status) {
            Gate::Create => {
                return Ok(Target {
                    reviewing: status == Some(&StackStatus::ReviewInProgress),
                    deployed: None,
                })
            }
            Gate::Update => {
                return Ok(Target {
                    deployed: current,
                    reviewing: false,
                })
            }
            Gate::Blocked(msg) => return Err(Error::Failed(msg)),
            Gate::Wait => wait_for_running(cx, current).await?,
            Gate::Recreate => recreate(cx, current).await?,
        }
    }
}

/// Follows another operation on the stack to its end.
async fn wait_for_running(cx: &Ctx<'_>, current: Option<Stack>) -> Result<(), Error> {
    let Ctx { aws, ui, req, .. } = *cx;
    let name = req.stack_name.as_str();
    let stack = current.ok_or_else(|| Error::failed(format!("stack {name} vanished")))?;
    ui.note(&format!(
        "stack {name} is {}; waiting for that operation to finish",
        stack::status(&stack)
    ));
    let follow = Follow {
        stack_id: stack.stack_id().unwrap_or(name),
        stack_name: name,
        token: None,
        since: now(),
        total: req.template.resource_count(),
        deadline: cx.deadline,
        resume: &req.resume,
    };
    events::follow(aws, ui, cx.interrupts, &follow).await?;
    Ok(())
}

/// Deletes a ROLLBACK_COMPLETE stack (which can only be deleted) with `--recreate` or a yes.
async fn recreate(cx: &Ctx<'_>, current: Option<Stack>) -> Result<(), Error> {
    let Ctx { aws, ui, req, .. } = *cx;
    let name = req.stack_name.as_str();
    ui.note(&format!(
        "stack {name} is ROLLBACK_COMPLETE: its creation failed and it can only be deleted"
    ));
    let consent = req.recreate
        || ui
            .confirm(
                &format!("Delete stack {name} and create it again?"),
                cx.interrupts,
            )
            .await?;
    if !consent {
        return Err(Error::failed(format!(
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
        cx.interrupts,
        &id,
        name,
        cx.deadline,
        &req.resume,
    )
    .await?;
    if done.status != StackStatus::DeleteComplete {
        return Err(Error::failed(format!(
            "could not delete stack {name}: {}",
            done.status.as_str()
        )));
    }
    Ok(())
}

/// The parameters to send: the given values, and `UsePreviousValue` on update for declared
/// parameters not given. A new stack must get every parameter without a Default.
fn parameters(req: &DeployRequest<'_>, target: &Target) -> Result<Vec<Parameter>, Error> {
    let previous: Vec<&str> = target
        .deployed
        .iter()
        .flat_map(|s| s.parameters())
        .filter_map(|p| p.parameter_key())
        .collect();
    let given = req.parameters.iter().map(|(k, v)| {
        Parameter::builder()
            .parameter_key(k)
            .parameter_value(v)
            .build()
    });
    let kept = req
        .template
        .parameters()
        .keys()
        .filter(|k| !req.parameters.contains_key(*k) && previous.contains(&k.as_str()))
        .map(|k| {
            Parameter::builder()
                .parameter_key(k)
                .use_previous_value(true)
                .build()
        })
        .collect::<Vec<_>>();
    let mut known = req.parameters.clone();
    known.extend(previous.iter().map(|k| (k.to_string(), String::new())));
    let missing = params::missing_required(&req.stack_name, &req.template.parameters(), &known);
    refuse(missing)?;
    Ok(given.chain(kept).collect())
}

/// What the prediction found before any change set.
#[derive(Default)]
struct Planned {
    /// The deployed template (`None`: a create, or it could not be read); removals in the
    /// change set take their DeletionPolicy from it.
    deployed: Option<serde_json::Value>,
    /// Data-holding resources the prediction says are lost (`None`: no prediction was made).
    predicted: Option<Vec<String>>,
    /// Of those, the ones a person already approved.
    approved: Vec<String>,
}

/// On update: predicts the change from the deployed template. A predicted loss of data needs
/// approval before any change set exists.
async fn plan(cx: &Ctx<'_>, target: &Target) -> Result<Planned, Error> {
    let Ctx { aws, ui, req, .. } = *cx;
    if target.deployed.is_none() {
        return Ok(Planned::default());
    }
    let old = match deployed_template(aws, target.stack_id(&req.stack_name)).await {
        Ok(old) => old,
        Err(e) => {
            ui.note(&format!(
                "could not predict the update from the deployed template ({e}); the change set review still applies"
            ));
            return Ok(Planned::default());
        }
    };
    let prediction = match &target.deployed {
        Some(stack) => predict_update(&old, stack, &req.template, &req.parameters, &aws.region),
        None => plan::predict::predict(&old, &req.template.json),
    };
    show_parameter_values(ui, &prediction);
    if !prediction.conflicts.is_empty() {
        return Err(Error::failed(format!(
            "{}\n  {}\nno change set was created; nothing was changed",
            plan::predict::CONFLICT_TITLE,
            prediction.conflicts.join("\n  ")
        )));
    }
    let ids: Vec<String> = prediction
        .danger_ids()
        .into_iter()
        .map(String::from)
        .collect();
    let danger = prediction.danger();
    let mut planned = Planned {
        predicted: Some(ids.clone()),
        approved: Vec::new(),
        deployed: Some(old),
    };
    if danger.is_empty() {
        return Ok(planned);
    }
    ui.note(
        review::danger_block(
            &ui.style,
            "DANGER (predicted from the deployed template, before any change set): data-holding resources would be replaced or removed:",
            &danger,
        )
        .trim_end(),
    );
    if req.approve == Approve::Never || req.no_execute {
        return Ok(planned);
    }
    approval(
        cx,
        &Question {
            ask: format!(
                "Create the change set for stack {} anyway (it is reviewed again before executing)?",
                req.stack_name
            ),
            no_terminal: "approval needed (data-holding resources would be replaced or removed) but stdin is not a terminal, so no change set was created; review the prediction above (`pcstack diff` shows all of it) and re-run with `--approve never` to deploy without asking (or `--no-execute` to create and keep the change set)".into(),
            declined: "declined; no change set was created",
            interrupted: "interrupted at the question; no change set was created",
        },
    )
    .await?;
    planned.approved = ids;
    Ok(planned)
}

/// The update predicted from the deployed stack: its template with the parameter values it
/// holds, against the local template with the values deploy sends (the given ones, the rest
/// kept as UsePreviousValue), every intrinsic function evaluated that can be
/// ([`plan::predict::predict_with`]). `pcstack diff` and deploy's prediction are this one call.
pub fn predict_update(
    deployed: &serde_json::Value,
    stack: &Stack,
    template: &TemplateSource,
    given: &IndexMap<String, String>,
    region: &str,
) -> plan::predict::Prediction {
    use plan::eval::{Context, Side};
    let previous: IndexMap<String, String> = stack
        .parameters()
        .iter()
        .filter_map(|p| {
            Some((
                p.parameter_key()?.to_string(),
                p.resolved_value().or(p.parameter_value())?.to_string(),
            ))
        })
        .collect();
    let before = params::values_before(&previous);
    let after = params::values_after(&template.parameters(), given, &previous);
    let stack_id = stack.stack_id().map(String::from);
    // arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
    let account_id = stack_id
        .as_deref()
        .and_then(|arn| arn.split(':').nth(4))
        .filter(|a| !a.is_empty())
        .map(String::from);
    let ctx = Context {
        region: Some(region.to_string()).filter(|r| !r.is_empty()),
        account_id,
        stack_name: stack.stack_name().map(String::from),
        stack_id,
        zones: None,
    };
    plan::predict::predict_with(
        &Side {
            template: deployed,
            parameters: &before,
        },
        &Side {
            template: &template.json,
            parameters: &after,
        },
        &ctx,
    )
}

/// The parameters whose value this deploy changes, before any change set: CloudFormation's
/// review lists resources only.
fn show_parameter_values(ui: &Ui, prediction: &plan::predict::Prediction) {
    if prediction.parameter_values.is_empty() || ui.progress == ProgressMode::Json {
        return;
    }
    let unknown = || "(unknown)".to_string();
    let lines: Vec<String> = prediction
        .parameter_values
        .iter()
        .map(|p| {
            format!(
                "  ~ {}: {} -> {}",
                p.name,
                p.old.clone().unwrap_or_else(unknown),
                p.new.clone().unwrap_or_else(unknown)
            )
        })
        .collect();
    ui.note(&format!(
        "Parameters this deploy changes:\n{}",
        lines.join("\n")
    ));
}

/// The template's S3 URL when it must go through S3 (over the inline limit, or a bucket was
/// given); `None` to send it inline.
async fn upload(cx: &Ctx<'_>, target: &Target) -> Result<Option<String>, Error> {
    let Ctx { aws, ui, req, .. } = *cx;
    if req.template.body.len() <= super::upload::MAX_INLINE_BYTES && req.template_bucket.is_none() {
        return Ok(None);
    }
    // The account owns the bucket, default or given: every S3 call says so
    // (ExpectedBucketOwner), so a bucket of another account is refused.
    let deployed_arn = target.deployed.as_ref().and_then(|s| s.stack_id());
    let account = match deployed_arn.and_then(stack::account_from_arn) {
        Some(account) => account.to_string(),
        None => caller_account(aws).await?,
    };
    let url = super::upload::upload(
        aws,
        ui,
        &req.template,
        req.template_bucket.as_deref(),
        &account,
    )
    .await?;
    Ok(Some(url))
}

/// A change set pcstack created.
pub(super) struct ChangeSet {
    pub(super) name: String,
    pub(super) arn: String,
    pub(super) stack_id: String,
    /// pcstack created the stack (REVIEW_IN_PROGRESS) for this change set: cleanup deletes it.
    pub(super) made_stack: bool,
}

/// One CreateChangeSet, as every change set pcstack makes is created ([`submit`]).
pub(super) struct NewChangeSet<'a> {
    pub(super) name: String,
    pub(super) kind: ChangeSetType,
    /// `None`: not sent.
    pub(super) parameters: Option<Vec<Parameter>>,
    /// Empty: not sent (the template needs none).
    pub(super) capabilities: Vec<Capability>,
    /// The template's S3 URL, else its body inline.
    pub(super) template_url: Option<String>,
    pub(super) template_body: &'a str,
    /// The resources an IMPORT change set adopts.
    pub(super) to_import: Option<Vec<ResourceToImport>>,
    pub(super) description: &'static str,
    /// Send the stack-level options deploy was given (tags, topics, role); an import sends
    /// none.
    pub(super) stack_options: bool,
    /// pcstack creates the stack (REVIEW_IN_PROGRESS) with this change set: cleanup deletes it.
    pub(super) makes_stack: bool,
}

/// Sends CreateChangeSet with the request's stack, a client token equal to the name, and (with
/// `stack_options`) the tags, topics and role deploy was given: left out when not given, so on
/// update CloudFormation keeps the stack's (UpdateStack's documented behaviour;
/// CreateChangeSet takes the same fields).
pub(super) async fn submit(
    cx: &Ctx<'_>,
    new: NewChangeSet<'_>,
) -> Result<ChangeSet, SdkError<CreateChangeSetError, HttpResponse>> {
    let req = cx.req;
    let options = new.stack_options;
    let create = cx
        .aws
        .cfn
        .create_change_set()
        .stack_name(&req.stack_name)
        .change_set_name(&new.name)
        .client_token(&new.name)
        .change_set_type(new.kind)
        .set_parameters(new.parameters)
        .set_capabilities((!new.capabilities.is_empty()).then_some(new.capabilities))
        .set_resources_to_import(new.to_import)
        .set_tags((options && !req.tags.is_empty()).then(|| {
            req.tags
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect()
        }))
        .set_notification_arns(
            (options && !req.notification_arns.is_empty()).then(|| req.notification_arns.clone()),
        )
        .set_role_arn(req.role_arn.clone().filter(|_| options))
        .description(new.description);
    let create = match new.template_url {
        Some(url) => create.template_url(url),
        None => create.template_body(new.template_body),
    };
    let created = create.send().await?;
    Ok(ChangeSet {
        arn: created.id().unwrap_or(&new.name).to_string(),
        stack_id: created.stack_id().unwrap_or(&req.stack_name).to_string(),
        made_stack: new.makes_stack,
        name: new.name,
    })
}

/// CreateChangeSet; `None` when the endpoint refuses it for having no changes.
async fn create_change_set(
    cx: &Ctx<'_>,
    target: &Target,
    parameters: Vec<Parameter>,
    template_url: Option<String>,
) -> Result<Option<ChangeSet>, Error> {
    let Ctx { ui, req, .. } = *cx;
    let new = NewChangeSet {
        name: format!("pcstack-{}", unix()),
        kind: if target.deployed.is_some() {
            ChangeSetType::Update
        } else {
            ChangeSetType::Create
        },
        parameters: Some(parameters),
        // Only what the template needs (or `--capabilities`); nothing is sent when it needs none.
        capabilities: req
            .capabilities
            .iter()
            .map(|c| Capability::from(c.as_str()))
            .collect(),
        template_url,
        template_body: &req.template.body,
        to_import: None,
        description: "pcstack deploy",
        stack_options: true,
        makes_stack: target.deployed.is_none() && !target.reviewing,
    };
    let change_set = match submit(cx, new)
        .await
        .map_err(|e| cx.aws.fail("CreateChangeSet", e))
    {
        Ok(c) => c,
        // Some endpoints refuse an empty change set outright instead of failing it.
        Err(Error::Aws {
            kind: AwsKind::NoChanges,
            ..
        }) => {
            ui.result(&format!(
                "no changes: stack {} is up to date",
                req.stack_name
            ));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    ui.note(&format!(
        "change set {} created; waiting for CloudFormation to compute it",
        change_set.name
    ));
    Ok(Some(change_set))
}

/// Waits for CloudFormation to compute the change set. `None` when it has nothing to do (the
/// change set is then deleted); a failed change set is deleted and reported.
/// Only the FAILED status saying the submission contained no changes is empty: a computed
/// change set without resource changes is returned (and executed) like any other. A Ctrl-C while
/// waiting deletes the change set and exits 130.
pub(super) async fn compute(
    cx: &Ctx<'_>,
    change_set: &ChangeSet,
) -> Result<Option<Vec<ResourceChange>>, Error> {
    let Ctx {
        aws,
        ui,
        interrupts,
        req,
        ..
    } = *cx;
    let ready = {
        let _listening = interrupts.listen();
        tokio::select! {
            biased;
            _ = interrupts.pressed() => {
                cleanup(aws, ui, change_set).await;
                return Err(Error::Interrupted(format!(
                    "interrupted; change set {} deleted, nothing was executed",
                    change_set.name
                )));
            }
            ready = changeset::wait(aws, &change_set.arn) => ready?,
        }
    };
    match ready {
        Ready::Changes(changes) => Ok(Some(changes)),
        Ready::Empty => {
            cleanup(aws, ui, change_set).await;
            ui.result(&format!(
                "no changes: stack {} is up to date",
                req.stack_name
            ));
            Ok(None)
        }
        Ready::Failed { reason } => {
            cleanup(aws, ui, change_set).await;
            Err(Error::failed(format!(
                "change set {} failed: {reason}",
                change_set.name
            )))
        }
    }
}

/// What the review asks about.
struct Shown {
    /// Losses of data not approved yet.
    danger: Vec<String>,
    /// Widened access (the BROADENING block).
    broadening: Vec<String>,
}

/// Prints the review, the danger block and the broadening block, and notes where the change
/// set disagrees with the prediction. With `--progress json` the review is one JSON object.
fn show(ui: &Ui, req: &DeployRequest<'_>, changes: &[ResourceChange], planned: &Planned) -> Shown {
    let danger = review::danger(changes);
    let broadening = review::broadening(changes, &req.template.json, planned.deployed.as_ref());
    if ui.progress == ProgressMode::Json {
        ui.json(&review::review_json(
            &req.stack_name,
            changes,
            &danger,
            &broadening,
        ));
    } else {
        let noun = if changes.len() == 1 {
            "resource"
        } else {
            "resources"
        };
        ui.note(&format!(
            "Changes to stack {} ({} {noun}):",
            req.stack_name,
            changes.len()
        ));
        ui.note(review::review(&ui.style, changes).trim_end());
        if !danger.is_empty() {
            ui.note(review::danger_block(&ui.style, review::DANGER_TITLE, &danger).trim_end());
        }
        if !broadening.is_empty() {
            ui.note(review::broadening_block(&ui.style, &broadening).trim_end());
        }
    }
    let ids = review::danger_ids(changes);
    if let Some(predicted) = &planned.predicted {
        let (mut a, mut b) = (predicted.clone(), ids.clone());
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
    let danger = danger
        .into_iter()
        .zip(&ids)
        .filter(|(_, id)| !planned.approved.contains(id))
        .map(|(d, _)| d)
        .collect();
    Shown { danger, broadening }
}

/// Shows the changes and asks for approval when `--approve` wants it; a refusal deletes the
/// change set (and the empty stack pcstack made for it).
async fn review(
    cx: &Ctx<'_>,
    change_set: &ChangeSet,
    changes: &[ResourceChange],
    planned: &Planned,
) -> Result<(), Error> {
    let Shown { danger, broadening } = show(cx.ui, cx.req, changes, planned);
    if !review::needs_approval(cx.req.approve, &danger, &broadening) {
        return Ok(());
    }
    let why = match (danger.is_empty(), broadening.is_empty()) {
        (false, false) => {
            "data-holding resources would be replaced or removed, and access would widen"
        }
        (false, true) => "data-holding resources would be replaced or removed",
        (true, false) => "access would widen: --approve broadening",
        (true, true) => "--approve any",
    };
    let question = Question {
        ask: format!(
            "Execute change set {} on stack {}?",
            change_set.name, cx.req.stack_name
        ),
        no_terminal: format!(
            "approval needed ({why}) but stdin is not a terminal, so nothing was executed; review the changes above and re-run with `--approve never` to deploy without asking (or `--no-execute` to keep the change set)"
        ),
        declined: "declined; the change set was deleted",
        // A Ctrl-C at the prompt is a no, with the same cleanup; then exit 130.
        interrupted: "interrupted at the question; taken as no: the change set was deleted",
    };
    if let Err(refusal) = approval(cx, &question).await {
        cleanup(cx.aws, cx.ui, change_set).await;
        return Err(refusal);
    }
    Ok(())
}

/// An approval question. Without a terminal nothing is asked: `no_terminal`, exit 5.
pub(super) struct Question<'q> {
    pub(super) ask: String,
    pub(super) no_terminal: String,
    /// The answer was no (exit 5).
    pub(super) declined: &'q str,
    /// Ctrl-C at the question: taken as no (exit 130).
    pub(super) interrupted: &'q str,
}

/// Asks `q` on the terminal: `Ok` on a yes, else the refusal to return (the caller cleans up
/// what it made first). Every approval deploy asks goes through here.
pub(super) async fn approval(cx: &Ctx<'_>, q: &Question<'_>) -> Result<(), Error> {
    if !cx.ui.interactive {
        return Err(Error::NotApproved(q.no_terminal.clone()));
    }
    match cx.ui.confirm(&q.ask, cx.interrupts).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NotApproved(q.declined.into())),
        Err(_) => Err(Error::Interrupted(q.interrupted.into())),
    }
}

/// Executes the change set and follows the stack to the end of the operation.
pub(super) async fn execute(
    cx: &Ctx<'_>,
    change_set: &ChangeSet,
    total: usize,
) -> Result<(), Error> {
    let Ctx {
        aws,
        ui,
        interrupts,
        req,
        deadline,
    } = *cx;
    let token = format!("{}-exec", change_set.name);
    let since = now();
    aws.cfn
        .execute_change_set()
        .change_set_name(&change_set.arn)
        .client_request_token(&token)
        .set_disable_rollback(req.disable_rollback.then_some(true))
        .send()
        .await
        .map_err(|e| aws.fail("ExecuteChangeSet", e))?;
    let follow = Follow {
        stack_id: &change_set.stack_id,
        stack_name: &req.stack_name,
        token: Some(&token),
        since,
        total,
        deadline,
        resume: &req.resume,
    };
    let finished = events::follow(aws, ui, interrupts, &follow).await?;
    if !stack::succeeded(&finished.status) {
        let report = events::failure_report(
            ui,
            &req.stack_name,
            &finished.status,
            &finished.events,
            &req.resume,
        );
        return Err(Error::StackFailed(report.trim_end().to_string()));
    }
    ui.note(&ui.green(&format!(
        "stack {}: {}",
        req.stack_name,
        finished.status.as_str()
    )));
    Ok(())
}

/// After a successful operation or "no changes": termination protection as asked, then the
/// outputs, shown and written to `--outputs-file`.
async fn outputs(cx: &Ctx<'_>, stack_id: &str) -> Result<StackOutputs, Error> {
    let Ctx { aws, ui, req, .. } = *cx;
    let after = |step: &str| {
        let resume = req.resume.clone();
        let step = step.to_string();
        move |e: Error| {
            match e {
            // Ctrl-C keeps its own code; the stack is deployed either way.
            Error::Interrupted(_) => e,
            e => Error::AfterDeploy(format!(
                "stack {} is deployed, but {step} failed: {e}\n  re-run `{resume}` to finish: with no changes left, only the steps after the change set run again",
                req.stack_name
            )),
        }
        }
    };
    if let Some(on) = req.termination_protection {
        aws.cfn
            .update_termination_protection()
            .stack_name(stack_id)
            .enable_termination_protection(on)
            .send()
            .await
            .map_err(|e| aws.fail("UpdateTerminationProtection", e))
            .map_err(after("turning termination protection on or off"))?;
    }
    if let Some(policy) = &req.stack_policy {
        // CreateChangeSet and ExecuteChangeSet take no stack policy (only CreateStack,
        // UpdateStack and SetStackPolicy do): set once the change set has run.
        aws.cfn
            .set_stack_policy()
            .stack_name(stack_id)
            .stack_policy_body(policy)
            .send()
            .await
            .map_err(|e| aws.fail("SetStackPolicy", e))
            .map_err(after("setting the stack policy"))?;
        ui.note(&format!("stack policy set on stack {}", req.stack_name));
    }
    let name = &req.stack_name;
    let final_stack = stack::describe(aws, stack_id)
        .await
        .and_then(|s| s.ok_or_else(|| Error::failed(format!("stack {name} not found"))))
        .map_err(after("reading its outputs"))?;
    let mut outputs = StackOutputs::new(&final_stack, Some(&req.template.json), &aws.region)
        .map_err(after("reading its outputs"))?;
    add_zone_id(aws, &mut outputs, &|line| ui.note(line)).await;
    super::assets::upload(aws, ui, &outputs, &req.assets)
        .await
        .map_err(after("uploading the assets"))?;
    if !outputs.outputs.is_empty() {
        ui.result(outputs.table().trim_end());
    }
    if let Some(path) = &req.outputs_file {
        outputs
            .write_file(path)
            .map_err(after("writing --outputs-file"))?;
    }
    Ok(outputs)
}

/// Deletes a change set we won't execute, and the empty REVIEW_IN_PROGRESS stack pcstack made.
pub(super) async fn cleanup(aws: &Aws, ui: &Ui, change_set: &ChangeSet) {
    // Cleanup never fails the command: what it could not delete is said, and the first error
    // stays the one reported.
    let deleted = aws
        .cfn
        .delete_change_set()
        .change_set_name(&change_set.arn)
        .send()
        .await;
    if let Err(e) = deleted {
        let what = format!("change set {}", change_set.arn);
        ui.note(&format!(
            "could not delete {what}: {}",
            super::aws::message(&e)
        ));
    }
    if !change_set.made_stack {
        return;
    }
    let deleted = aws
        .cfn
        .delete_stack()
        .stack_name(&change_set.stack_id)
        .send()
        .await;
    if let Err(e) = deleted {
        let what = format!("the empty stack {}", change_set.stack_id);
        ui.note(&format!(
            "could not delete {what}: {}",
            super::aws::message(&e)
        ));
    }
}

pub(super) async fn caller_account(aws: &Aws) -> Result<String, Error> {
    let sts = aws.sts.as_ref().ok_or_else(|| {
        Error::failed(
            "no STS client to find the account for the template bucket; pass --template-bucket",
        )
    })?;
    let me = sts.get_caller_identity().send().await.map_err(|e| {
        aws.fail(
            "GetCallerIdentity (for the default template bucket name)",
            e,
        )
    })?;
    me.account().map(str::to_string).ok_or_else(|| {
        Error::failed("GetCallerIdentity returned no account; pass --template-bucket")
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
pub async fn deployed_template(aws: &Aws, stack: &str) -> Result<serde_json::Value, Error> {
    let body = deployed_body(aws, stack).await?;
    plan::template::parse_template(&body)
        .map_err(|e| Error::failed(format!("the deployed template can't be read: {e}")))
}

/// The deployed template's text (GetTemplate, stage Original).
async fn deployed_body(aws: &Aws, stack: &str) -> Result<String, Error> {
    let got = patiently(&aws.timing, || {
        aws.cfn
            .get_template()
            .stack_name(stack)
            .template_stage(aws_sdk_cloudformation::types::TemplateStage::Original)
            .send()
    })
    .await
    .map_err(|e| aws.fail("GetTemplate", e))?;
    got.template_body
        .ok_or_else(|| Error::failed("GetTemplate returned no template body"))
}

/// `pcstack outputs`: the deployed stack's outputs with env names from its deployed template
/// (or `local`, a template file, when given). A deployed template pcstack can't read only
/// costs the declared names: outputs then get derived ones.
pub async fn fetch_outputs(
    aws: &Aws,
    name: &str,
    local: Option<&TemplateSource>,
) -> Result<StackOutputs, Error> {
    let found = stack::describe(aws, name)
        .await?
        .ok_or_else(|| {
            Error::failed(format!(
                "stack {name} does not exist in {}: check the stack name and the Region (--region, AWS_REGION, the config's region, the profile's)",
                aws.region
            ))
        })?;
    // An empty answer would be written as if it were the stack's outputs
    // (`pcstack outputs --format env > env.sh`): refuse instead.
    if found.stack_status() == Some(&StackStatus::ReviewInProgress) {
        return Err(Error::failed(format!(
            "stack {name} is REVIEW_IN_PROGRESS: it has never been deployed (a change set waits for review), so it has no outputs; deploy it first"
        )));
    }
    if found.outputs().is_empty() {
        return Err(Error::failed(format!(
            "stack {name} ({}) has no outputs: nothing to print",
            stack::status(&found)
        )));
    }
    let template = match local {
        Some(t) => Some(t.json.clone()),
        None => {
            let body = deployed_body(aws, found.stack_id().unwrap_or(name)).await?;
            plan::template::parse_template(&body).ok()
        }
    };
    let mut outputs = StackOutputs::new(&found, template.as_ref(), &aws.region)?;
    add_zone_id(aws, &mut outputs, &|line| crate::cli::eprint_line(line)).await;
    Ok(outputs)
}

/// The zone ID of the stack's zone (the output whose variable is `PRIMARY_AZ`), from
/// DescribeAvailabilityZones. It only adds a line, so a failed lookup (no
/// `ec2:DescribeAvailabilityZones`) is a warning, and the outputs are written without it.
async fn add_zone_id(aws: &Aws, outputs: &mut StackOutputs, warn: &dyn Fn(&str)) {
    use super::outputs::{ZONE_ID_VARIABLE, ZONE_VARIABLE};
    let Some(name) = outputs.value_of(ZONE_VARIABLE).map(str::to_string) else {
        return;
    };
    match super::zones::Zones::fetch(aws).await {
        Ok(zones) => outputs.zone_id = zones.by_name(&name).map(|z| z.id.clone()),
        Err(f) => warn(&format!(
            "warning: {ZONE_ID_VARIABLE} not written: {} failed{}",
            f.action,
            if f.denied {
                " (this identity may not call it)".to_string()
            } else {
                format!(": {}", f.error)
            }
        )),
    }
}
