//! Resources that exist outside the stack, before any change set: found, refused with the
//! offer to adopt them (exit 1), or adopted with `--adopt` by an IMPORT change set. Named
//! steps, run in this order by [`adopt`]:
//!
//! 1. [`context`]: what the template's names resolve to (account, Region, parameters, the
//!    physical IDs of the stack's file systems);
//! 2. [`look`]: HeadBucket (with the caller's account as expected owner), DescribeRepositories,
//!    DescribeDataRepositoryAssociations, for each resource the stack lacks
//!    (`plan::adopt::lookups`);
//! 3. [`judge`]: `plan::adopt::assess`: blockers stop the deploy, differences are reported;
//!    without `--adopt` the offer (`plan::adopt::offer`), exit 1;
//! 4. [`import`]: CreateChangeSet IMPORT with `ResourcesToImport` and
//!    `plan::adopt::import_template`, computed, reviewed (what is adopted, by physical ID),
//!    executed and followed like any change set.
//!
//! The ordinary update follows in `run::deploy`. A run interrupted between the two finds the
//! resources in the stack and goes straight to the update.

use super::aws::{code, patiently, Aws};
use super::run::{self, Ctx, DeployRequest, NewChangeSet, Question};
use super::stack;
use super::ui::Ui;
use crate::error::Error;
use aws_sdk_cloudformation::error::SdkError;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetType, Parameter, ResourceToImport, Stack,
};
use plan::adopt::{self, Adoption, Context, Found, Lookup};
use plan::review;
use serde_json::{json, Map, Value as Json};

/// How the adoption step ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Adopted {
    /// Nothing of the template exists outside the stack: deploy goes on.
    Nothing,
    /// The IMPORT change set ran: the stack holds them now; deploy looks at it again.
    Imported,
    /// `--no-execute`: the IMPORT change set is left for review.
    Left { name: String, arn: String },
}

/// Runs every step; see the module docs.
pub(super) async fn adopt(
    cx: &Ctx<'_>,
    stack: Option<&Stack>,
    deployed: Option<&Json>,
) -> Result<Adopted, Error> {
    let Ctx { aws, ui, req, .. } = *cx;
    if stack.is_some() && deployed.is_none() {
        ui.note("the deployed template could not be read, so pcstack did not check for resources that exist outside the stack");
        return Ok(Adopted::Nothing);
    }
    let mut ctx = context(aws, req, stack, deployed).await?;
    let (lookups, notes) = adopt::lookups(&req.template.json, deployed, &ctx);
    for n in &notes {
        ui.note(n);
    }
    if lookups.is_empty() {
        return Ok(Adopted::Nothing);
    }
    let found = look(aws, &lookups, &ctx).await?;
    for l in &lookups {
        // `Ref` of a bucket or repository is its name, found or about to be created.
        if let Lookup::Bucket { logical_id, name } | Lookup::Repository { logical_id, name } = l {
            ctx.physical.insert(logical_id.clone(), name.clone());
        }
    }
    let Some(adoptions) = judge(ui, req, &found, &ctx)? else {
        return Ok(Adopted::Nothing);
    };
    import(cx, stack, deployed, &adoptions).await
}

/// What the template's names resolve to: the account (from the stack ARN, else
/// GetCallerIdentity), the Region, the stack's parameters (the template's defaults, the
/// stack's values, the given ones), and the physical IDs of the stack resources that an
/// association's `FileSystemId` refers to (DescribeStackResource).
async fn context(
    aws: &Aws,
    req: &DeployRequest<'_>,
    stack: Option<&Stack>,
    deployed: Option<&Json>,
) -> Result<Context, Error> {
    let account = match stack
        .and_then(|s| s.stack_id())
        .and_then(stack::account_from_arn)
    {
        Some(a) => Some(a.to_string()),
        None if aws.sts.is_some() => Some(run::caller_account(aws).await?),
        None => None,
    };
    let mut ctx = Context {
        account,
        region: aws.region.clone(),
        stack_name: req.stack_name.clone(),
        ..Context::default()
    };
    for (k, p) in req.template.parameters() {
        if let Some(d) = p.get("Default") {
            ctx.parameters.insert(k, scalar(d));
        }
    }
    for p in stack.map(|s| s.parameters()).unwrap_or_default() {
        if let (Some(k), Some(v)) = (p.parameter_key(), p.parameter_value()) {
            ctx.parameters.insert(k.into(), v.into());
        }
    }
    ctx.parameters
        .extend(req.parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
    let in_stack = deployed
        .and_then(|d| d.get("Resources"))
        .and_then(Json::as_object);
    let Some(in_stack) = in_stack else {
        return Ok(ctx);
    };
    let mut wanted: Vec<String> = Vec::new();
    for r in req
        .template
        .json
        .get("Resources")
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|m| m.values())
    {
        if r.get("Type").and_then(Json::as_str) != Some("AWS::FSx::DataRepositoryAssociation") {
            continue;
        }
        let target = r
            .pointer("/Properties/FileSystemId/Ref")
            .and_then(Json::as_str);
        if let Some(t) = target.filter(|t| in_stack.contains_key(*t)) {
            if !wanted.iter().any(|w| w == t) {
                wanted.push(t.to_string());
            }
        }
    }
    for logical in wanted {
        let got = patiently(&aws.timing, || {
            aws.cfn
                .describe_stack_resource()
                .stack_name(&req.stack_name)
                .logical_resource_id(&logical)
                .send()
        })
        .await
        .map_err(|e| aws.fail(&format!("DescribeStackResource {logical}"), e))?;
        if let Some(id) = got
            .stack_resource_detail()
            .and_then(|d| d.physical_resource_id())
        {
            ctx.physical.insert(logical, id.to_string());
        }
    }
    Ok(ctx)
}

fn scalar(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The HTTP status of a service error, if the service answered.
fn status<E>(
    e: &SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// One AWS lookup per resource; what exists comes back as [`Found`] with what import needs
/// of it (create-only properties, the association's policies).
async fn look(aws: &Aws, lookups: &[Lookup], ctx: &Context) -> Result<Vec<Found>, Error> {
    let account = ctx.account.as_deref();
    let mut found = Vec::new();
    for l in lookups {
        let hit = match l {
            Lookup::Bucket { logical_id, name } => bucket(aws, logical_id, name, account).await?,
            Lookup::Repository { logical_id, name } => repository(aws, logical_id, name).await?,
            Lookup::Association {
                logical_id,
                file_system_id,
                file_system_path,
            } => {
                // The stack's file system: its logical ID, for a message if FSx lost it.
                let of_stack = ctx
                    .physical
                    .iter()
                    .find(|(_, physical)| *physical == file_system_id)
                    .map_or("?", |(logical, _)| logical.as_str());
                let file_system = (of_stack, file_system_id.as_str());
                association(aws, logical_id, file_system, file_system_path).await?
            }
        };
        found.extend(hit);
    }
    Ok(found)
}

async fn bucket(
    aws: &Aws,
    logical_id: &str,
    name: &str,
    account: Option<&str>,
) -> Result<Option<Found>, Error> {
    let head = aws
        .s3
        .head_bucket()
        .bucket(name)
        .set_expected_bucket_owner(account.map(str::to_string))
        .send()
        .await;
    let mut live = Map::new();
    live.insert("BucketName".into(), json!(name));
    let found = |foreign_owner: Option<String>| Found {
        logical_id: logical_id.to_string(),
        type_name: "AWS::S3::Bucket".into(),
        physical_id: name.to_string(),
        foreign_owner,
        live: live.clone(),
    };
    match head {
        Ok(_) if account.is_some() => Ok(Some(found(None))),
        Ok(_) => Ok(Some(found(Some(
            "pcstack could not learn the caller's account to check who owns it".into(),
        )))),
        Err(e) if status(&e) == Some(404) => Ok(None),
        Err(e) if status(&e) == Some(403) => Ok(Some(found(Some(format!(
            "HeadBucket with account {} as the expected owner was refused (403): the bucket is another account's (bucket names are global), or this identity may not read it",
            account.unwrap_or("?")
        ))))),
        Err(e) => Err(aws.fail(&format!("HeadBucket {name}"), e)),
    }
}

/// DescribeRepositories of the one name: `repositories` holds it (by `repositoryName`), or
/// the answer is RepositoryNotFoundException. An answer naming only other repositories is not
/// trusted.
async fn repository(aws: &Aws, logical_id: &str, name: &str) -> Result<Option<Found>, Error> {
    let input = json!({ "repositoryNames": [name] });
    let got = patiently(&aws.timing, || aws.ecr.json("DescribeRepositories", &input)).await;
    let answer = match got {
        Ok(answer) => answer,
        Err(e) if code(&e) == Some("RepositoryNotFoundException") => return Ok(None),
        Err(e) => {
            let operation = format!("DescribeRepositories {name}");
            return Err(aws.ecr.fail(&operation, e, &aws.login));
        }
    };
    let listed: Vec<&Json> = answer
        .get("repositories")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .collect();
    let Some(repo) = listed
        .iter()
        .find(|r| r.get("repositoryName").and_then(Json::as_str) == Some(name))
    else {
        if listed.is_empty() {
            return Ok(None);
        }
        return Err(Error::failed(format!(
            "AWS sent a malformed answer to DescribeRepositories of {name}: it lists other repositories ({}), not {name}",
            listed
                .iter()
                .map(|r| r.get("repositoryName").and_then(Json::as_str).unwrap_or("?"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let mut live = Map::new();
    live.insert("RepositoryName".into(), json!(name));
    if let Some(enc) = repo.get("encryptionConfiguration") {
        let mut e = Map::new();
        if let Some(t) = enc.get("encryptionType").and_then(Json::as_str) {
            e.insert("EncryptionType".into(), json!(t));
        }
        if let Some(k) = enc.get("kmsKey").and_then(Json::as_str) {
            e.insert("KmsKey".into(), json!(k));
        }
        live.insert("EncryptionConfiguration".into(), Json::Object(e));
    }
    Ok(Some(Found {
        logical_id: logical_id.to_string(),
        type_name: "AWS::ECR::Repository".into(),
        physical_id: name.to_string(),
        foreign_owner: None,
        live,
    }))
}

/// DescribeDataRepositoryAssociations of the stack's file system `(logical, physical)`, every
/// page: the one of that file system at `path`, if any. DataRepositoryAssociationNotFound
/// (FSx's answer when there is none) means none; FileSystemNotFound means the stack's file
/// system is gone outside CloudFormation: an error.
async fn association(
    aws: &Aws,
    logical_id: &str,
    (fs_logical, file_system_id): (&str, &str),
    path: &str,
) -> Result<Option<Found>, Error> {
    let filter = json!({ "Filters": [{ "Name": "file-system-id", "Values": [file_system_id] }] });
    let got = aws
        .fsx
        .json_list_all(
            &aws.timing,
            "DescribeDataRepositoryAssociations",
            &filter,
            "Associations",
            "NextToken",
        )
        .await;
    let associations = match got {
        Ok(all) => all,
        Err(e) if code(&e) == Some("DataRepositoryAssociationNotFound") => return Ok(None),
        Err(e) if code(&e) == Some("FileSystemNotFound") => {
            return Err(Error::failed(format!(
                "file system {file_system_id} of the stack's {fs_logical} does not exist (FSx: {}): the stack has drifted (it was deleted outside CloudFormation); look at it with `aws cloudformation detect-stack-drift`, and restore or remove {fs_logical} before deploying",
                super::aws::message(&e)
            )))
        }
        Err(e) => {
            let operation = format!("DescribeDataRepositoryAssociations {file_system_id}");
            return Err(aws.fsx.fail(&operation, e, &aws.login));
        }
    };
    let Some(a) = associations.iter().find(|a| {
        a.get("FileSystemId").and_then(Json::as_str) == Some(file_system_id)
            && a.get("FileSystemPath").and_then(Json::as_str) == Some(path)
    }) else {
        return Ok(None);
    };
    Ok(Some(Found {
        logical_id: logical_id.to_string(),
        type_name: "AWS::FSx::DataRepositoryAssociation".into(),
        physical_id: a
            .get("AssociationId")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        foreign_owner: None,
        live: association_live(a, file_system_id, path),
    }))
}

/// An association's properties as the template writes them, from FSx's answer.
fn association_live(a: &Json, file_system_id: &str, path: &str) -> Map<String, Json> {
    let mut live = Map::new();
    live.insert("FileSystemId".into(), json!(file_system_id));
    live.insert("FileSystemPath".into(), json!(path));
    if let Some(p) = a.get("DataRepositoryPath").and_then(Json::as_str) {
        live.insert("DataRepositoryPath".into(), json!(p));
    }
    if let Some(b) = a.get("BatchImportMetaDataOnCreate").and_then(Json::as_bool) {
        live.insert("BatchImportMetaDataOnCreate".into(), json!(b));
    }
    let mut s3 = Map::new();
    for policy in ["AutoImportPolicy", "AutoExportPolicy"] {
        if let Some(p) = a.get("S3").and_then(|s| s.get(policy)) {
            let events: Vec<&str> = p
                .get("Events")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            s3.insert(policy.into(), json!({ "Events": events }));
        }
    }
    live.insert("S3".into(), Json::Object(s3));
    live
}

/// What was found, judged: `None` when nothing exists outside the stack; blockers, or the
/// offer without `--adopt`, stop the deploy (exit 1) before any change set.
fn judge(
    ui: &Ui,
    req: &DeployRequest<'_>,
    found: &[Found],
    ctx: &Context,
) -> Result<Option<Vec<Adoption>>, Error> {
    if found.is_empty() {
        return Ok(None);
    }
    let assessment = adopt::assess(&req.template.json, found, ctx);
    let reports = assessment.reports.join("\n");
    if !assessment.blockers.is_empty() {
        let mut text = format!(
            "these resources of the template already exist outside stack {} and can't be adopted; nothing was changed:\n{}",
            req.stack_name,
            assessment.blockers.join("\n")
        );
        if !reports.is_empty() {
            text.push_str(&format!("\nalso:\n{reports}"));
        }
        return Err(Error::Failed(text));
    }
    if !req.adopt {
        let mut text = adopt::offer(&req.stack_name, found, &req.resume);
        if !reports.is_empty() {
            text.push_str(&format!("\nadopting them would also:\n{reports}"));
        }
        return Err(Error::Failed(text));
    }
    if !reports.is_empty() {
        ui.note(&reports);
    }
    Ok(Some(assessment.adopt))
}

/// The IMPORT change set: created, computed, reviewed, executed and followed. On an existing
/// stack every parameter keeps its value (UsePreviousValue): nothing but the import changes.
async fn import(
    cx: &Ctx<'_>,
    stack: Option<&Stack>,
    deployed: Option<&Json>,
    adoptions: &[Adoption],
) -> Result<Adopted, Error> {
    let Ctx { ui, req, .. } = *cx;
    let (template, body) = import_template(req, deployed, adoptions)?;
    let kept: Vec<Parameter> = stack
        .map(|s| s.parameters())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.parameter_key())
        .map(|k| {
            Parameter::builder()
                .parameter_key(k)
                .use_previous_value(true)
                .build()
        })
        .collect();
    let to_import: Vec<ResourceToImport> = adoptions
        .iter()
        .map(|a| {
            ResourceToImport::builder()
                .resource_type(&a.type_name)
                .logical_resource_id(&a.logical_id)
                .resource_identifier(&a.key, &a.value)
                .build()
        })
        .collect();
    let new = NewChangeSet {
        name: format!("pcstack-import-{}", run::unix()),
        kind: ChangeSetType::Import,
        parameters: (!kept.is_empty()).then_some(kept),
        capabilities: plan::capabilities::needs(&template)
            .default_capabilities()
            .iter()
            .map(|c| Capability::from(c.as_str()))
            .collect(),
        template_url: None,
        template_body: &body,
        to_import: Some(to_import),
        description: "pcstack deploy --adopt",
        stack_options: false,
        makes_stack: stack.is_none(),
    };
    let change_set = run::submit(cx, new)
        .await
        .map_err(|e| cx.aws.fail("CreateChangeSet (IMPORT)", e))?;
    ui.note(&format!(
        "import change set {} created; waiting for CloudFormation to compute it",
        change_set.name
    ));
    let Some(changes) = run::compute(cx, &change_set).await? else {
        return Ok(Adopted::Nothing);
    };
    ui.note(&format!(
        "Adopting into stack {} (IMPORT: nothing is created, changed or deleted; each resource joins the stack with DeletionPolicy {}):",
        req.stack_name,
        "as in the template, Retain when it has none"
    ));
    ui.note(review::review(&ui.style, &changes).trim_end());
    if req.no_execute {
        ui.result(&format!(
            "import change set {} left for review (not executed): {}",
            change_set.name, change_set.arn
        ));
        return Ok(Adopted::Left {
            name: change_set.name,
            arn: change_set.arn,
        });
    }
    if review::needs_approval(req.approve, &[], &[]) {
        let question = Question {
            ask: format!(
                "Execute import change set {} on stack {}?",
                change_set.name, req.stack_name
            ),
            no_terminal: "approval needed (--approve any) but stdin is not a terminal, so nothing was imported".into(),
            declined: "declined; the import change set was deleted",
            interrupted: "interrupted at the question; taken as no: the import change set was deleted",
        };
        if let Err(e) = run::approval(cx, &question).await {
            run::cleanup(cx.aws, ui, &change_set).await;
            return Err(e);
        }
    }
    run::execute(cx, &change_set, changes.len()).await?;
    ui.note(&format!(
        "adopted into stack {}: {}; now the update to the template's settings",
        req.stack_name,
        adoptions
            .iter()
            .map(|a| format!("{} ({})", a.logical_id, a.value))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    Ok(Adopted::Imported)
}

/// The import template ([`adopt::import_template`]) and its text, which must fit inline.
fn import_template(
    req: &DeployRequest<'_>,
    deployed: Option<&Json>,
    adoptions: &[Adoption],
) -> Result<(Json, String), Error> {
    let template =
        adopt::import_template(deployed, &req.template.json, adoptions).map_err(|e| {
            Error::failed(format!(
                "can't build the import template: {e}; nothing was changed"
            ))
        })?;
    let body = serde_json::to_string_pretty(&template)
        .map_err(|e| Error::failed(format!("can't write the import template: {e}")))?;
    if body.len() > super::upload::MAX_INLINE_BYTES {
        return Err(Error::failed(format!(
            "the import template is {} bytes, over CloudFormation's inline limit of {}; pcstack does not upload import templates yet; nothing was changed",
            body.len(),
            super::upload::MAX_INLINE_BYTES
        )));
    }
    Ok((template, body))
}
