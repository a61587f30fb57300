//! Failure sequences moto can't produce, scripted with aws-smithy-mocks: one file per step of
//! deploy (`changeset`, `prediction`, `danger`, `follow`, `interrupts`, `outputs`, `destroy`,
//! `adopt`), and `logins` (each connection's login in its errors); the mocked clients,
//! requests and answers they share are here.

use super::aws::Aws;
use super::events::Interrupts;
use super::run::{deploy, DeployRequest, Outcome};
use super::signed;
use super::ui::Ui;
use super::Timing;
use crate::error::Error;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, Output, Replacement, RequiresRecreation,
    ResourceAttribute, ResourceChange, ResourceChangeDetail, ResourceStatus,
    ResourceTargetDefinition, Stack, StackEvent, StackStatus,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_http_client::test_util::StaticReplayClient;
use aws_smithy_mocks::{mock, mock_client, MockResponse, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::DateTime;
use indexmap::IndexMap;
use plan::review::Approve;
use plan::TemplateSource;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod adopt;
mod changeset;
mod danger;
mod destroy;
mod follow;
mod interrupts;
mod logins;
mod outputs;
mod prediction;

const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1";

const TEMPLATE: &str = "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      FileSystemType: LUSTRE\n      SubnetIds: [subnet-1]\n  Vpc:\n    Type: AWS::EC2::VPC\n";

fn aws(rules: &[&Rule]) -> Aws {
    // Updates read the deployed template first (the prediction); unless a test says otherwise,
    // it is the template being deployed.
    let deployed = mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(TEMPLATE).build());
    let rules: Vec<&Rule> = rules.iter().copied().chain([&deployed]).collect();
    let cfn: Client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &rules, |c| c
        .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled()));
    let s3: aws_sdk_s3::Client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[]);
    Aws {
        cfn,
        s3,
        ecr: Replayed::answering(signed::ECR, &[]).0,
        fsx: Replayed::answering(signed::FSX, &[]).0,
        sts: None,
        ec2: Replayed::answering(signed::EC2, &[]).0,
        region: "us-east-1".into(),
        endpoint: None,
        timing: Timing::fast(),
        login: crate::deploy::login::Login::default(),
    }
}

fn request() -> DeployRequest<'static> {
    DeployRequest {
        stack_name: "s".into(),
        template: TemplateSource::parse(TEMPLATE.into()).unwrap_or_else(|e| panic!("{e}")),
        parameters: IndexMap::new(),
        checker: None,
        template_bucket: None,
        approve: Approve::Destructive,
        no_execute: false,
        adopt: false,
        timeout: None,
        termination_protection: None,
        disable_rollback: false,
        recreate: false,
        outputs_file: None,
        assets: Vec::new(),
        resume: "pcstack deploy --template t.yaml --stack-name s".into(),
        tags: Vec::new(),
        role_arn: None,
        notification_arns: Vec::new(),
        stack_policy: None,
        capabilities: Vec::new(),
    }
}

fn stack(status: StackStatus) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name("s")
                .stack_id(STACK_ID)
                .stack_status(status)
                .creation_time(DateTime::from_secs(0))
                .build(),
        )
        .build()
}

/// The body of an error answer with HTTP `status`: a client or server error, and the status
/// each code comes with (AWS's Query API answers AccessDenied with 403, validation and
/// throttling with 400).
fn error(status: u16, code: &str, message: &str) -> String {
    let expected = match code {
        "AccessDenied" => 403..=403,
        "ValidationError" | "Throttling" => 400..=400,
        _ => 400..=599,
    };
    assert!(
        expected.contains(&status),
        "{code} comes with HTTP {expected:?}, got {status}"
    );
    format!("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>")
}

fn event(secs: i64, id: &str, type_name: &str, status: ResourceStatus, reason: &str) -> StackEvent {
    StackEvent::builder()
        .stack_id(STACK_ID)
        .stack_name("s")
        .event_id(format!("{id}-{secs}-{}", status.as_str()))
        .logical_resource_id(id)
        .physical_resource_id(format!("phys-{id}"))
        .resource_type(type_name)
        .resource_status(status)
        .resource_status_reason(reason)
        .timestamp(DateTime::from_secs(secs))
        .build()
}

fn change(
    id: &str,
    type_name: &str,
    action: ChangeAction,
    replacement: Option<Replacement>,
) -> Change {
    let mut rc = ResourceChange::builder()
        .logical_resource_id(id)
        .resource_type(type_name)
        .action(action);
    if let Some(r) = replacement {
        rc = rc.replacement(r).details(
            ResourceChangeDetail::builder()
                .target(
                    ResourceTargetDefinition::builder()
                        .attribute(ResourceAttribute::Properties)
                        .name("LustreConfiguration.DeploymentType")
                        .requires_recreation(RequiresRecreation::Always)
                        .build(),
                )
                .build(),
        );
    }
    Change::builder().resource_change(rc.build()).build()
}

fn ready(changes: Vec<Change>) -> DescribeChangeSetOutput {
    DescribeChangeSetOutput::builder()
        .status(ChangeSetStatus::CreateComplete)
        .set_changes(Some(changes))
        .build()
}

fn now() -> i64 {
    DateTime::from(std::time::SystemTime::now()).secs()
}

async fn run(aws: &Aws, req: &DeployRequest<'_>) -> (Result<Outcome, Error>, String) {
    let (ui, buf) = Ui::captured();
    let result = deploy(aws, &ui, &Interrupts::default(), req).await;
    let text = buf
        .lock()
        .map(|b| String::from_utf8_lossy(&b).to_string())
        .unwrap_or_default();
    (result, text)
}
/// ExecuteChangeSet accepted.
fn executed() -> Rule {
    mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build())
}

/// DeleteChangeSet accepted.
fn change_set_deleted() -> Rule {
    mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build())
}

/// DescribeStackEvents with no events.
fn no_events() -> Rule {
    mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build())
}

fn create_rules() -> (Rule, Rule) {
    let create = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id("cs-arn")
            .stack_id(STACK_ID)
            .build()
    });
    let execute = executed();
    (create, execute)
}

/// An UPDATE_COMPLETE stack whose change set has nothing to change: CloudFormation fails it
/// with "didn't contain changes"; the change set is deleted, nothing executed.
struct NoChanges {
    describe: Rule,
    create: Rule,
    execute: Rule,
    cs: Rule,
    delete: Rule,
}

fn no_changes() -> NoChanges {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::Failed)
            .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
            .build()
    });
    let delete = change_set_deleted();
    NoChanges {
        describe,
        create,
        execute,
        cs,
        delete,
    }
}

const LUSTRE_V1: &str = "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      FileSystemType: LUSTRE\n      SubnetIds: [subnet-1]\n      LustreConfiguration:\n        DeploymentType: PERSISTENT_1\n  Vpc:\n    Type: AWS::EC2::VPC\n";

fn lustre_v2_request() -> DeployRequest<'static> {
    let mut req = request();
    req.template = TemplateSource::parse(LUSTRE_V1.replace("PERSISTENT_1", "PERSISTENT_2"))
        .unwrap_or_else(|e| panic!("{e}"));
    req
}

fn deployed_lustre_v1() -> Rule {
    mock!(Client::get_template).then_output(|| {
        GetTemplateOutput::builder()
            .template_body(LUSTRE_V1)
            .build()
    })
}

/// A CloudFormation client whose endpoint refuses connections (a port nothing listens on).
fn unreachable_cfn() -> Client {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    local_cfn(port, None)
}

/// A CloudFormation client of plain HTTP to 127.0.0.1:`port` with fixed keys and no retries,
/// carrying `watch` when given.
pub(crate) fn local_cfn(port: u16, watch: Option<&super::waiting::Watch>) -> Client {
    let mut config = aws_sdk_cloudformation::Config::builder()
        .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
            "a", "b", None, None, "test",
        ))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled())
        .http_client(aws_smithy_http_client::Builder::new().build_http());
    if let Some(watch) = watch {
        config = config.interceptor(watch.clone());
    }
    Client::from_conf(config.build())
}

fn skipped(secs: i64, id: &str, type_name: &str) -> StackEvent {
    // Events of an earlier run's DeleteStack: another token.
    StackEvent::builder()
        .client_request_token("pcstack-delete-earlier")
        .event_id(format!("{id}-{secs}-skipped"))
        .stack_id(STACK_ID)
        .stack_name("s")
        .logical_resource_id(id)
        .physical_resource_id(format!("phys-{id}"))
        .resource_type(type_name)
        .resource_status(ResourceStatus::DeleteSkipped)
        .timestamp(DateTime::from_secs(secs))
        .build()
}

/// A `Throttling` answer, as CloudFormation sends it.
/// Follows stack `s` (one resource to change) from `since` until it ends, or until
/// `deadline`.
async fn follow_from(
    aws: &Aws,
    ui: &Ui,
    since: i64,
    deadline: Option<Instant>,
) -> Result<super::events::Finished, Error> {
    let follow = super::events::Follow {
        stack_id: STACK_ID,
        stack_name: "s",
        token: None,
        since: DateTime::from_secs(since),
        total: 1,
        deadline,
        resume: "pcstack deploy",
    };
    super::events::follow(aws, ui, &Interrupts::default(), &follow).await
}

fn throttled() -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(400).unwrap_or_else(|e| panic!("{e}")),
        SdkBody::from(error(400, "Throttling", "Rate exceeded")),
    )
}

/// When each call came, recorded by a mock's answer.
#[derive(Clone, Default)]
struct Calls(Arc<Mutex<Vec<Instant>>>);

impl Calls {
    /// Records a call; its index (0 for the first).
    fn record(&self) -> usize {
        let mut at = self.0.lock().unwrap_or_else(|e| e.into_inner());
        at.push(Instant::now());
        at.len() - 1
    }

    /// The waits between consecutive calls.
    fn gaps(&self) -> Vec<Duration> {
        let at = self.0.lock().unwrap_or_else(|e| e.into_inner());
        at.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

/// The tutorial's stack: a Lustre file system and its outputs, nothing else.
const TUTORIAL: &str = "Parameters:\n  Capacity: {Type: Number, Default: 2400}\nResources:\n  FSxLFilesystem:\n    Type: AWS::FSx::FileSystem\n    Properties: {FileSystemType: LUSTRE, SubnetIds: [subnet-1], StorageCapacity: {Ref: Capacity}}\nOutputs:\n  FSxLustreFilesystemId: {Value: {Ref: FSxLFilesystem}}\n";

/// pcstack's template: the same file system, plus the bucket, repository and association.
const ADOPTING: &str = r#"Parameters:
  Capacity: {Type: Number, Default: 2400}

Resources:
  FSxLFilesystem:
    Type: AWS::FSx::FileSystem
    Properties: {FileSystemType: LUSTRE, SubnetIds: [subnet-1], StorageCapacity: {Ref: Capacity}}

  DataBucket:
    Type: AWS::S3::Bucket
    DeletionPolicy: RetainExceptOnCreate
    Properties:
      BucketName: {"Fn::Sub": "parallelcluster-${AWS::AccountId}-${AWS::Region}"}

      VersioningConfiguration: {Status: Enabled}

  TrainingImageRepository:
    Type: AWS::ECR::Repository
    DeletionPolicy: RetainExceptOnCreate
    Properties:
      RepositoryName: pytorch-training-custom
      EncryptionConfiguration: {EncryptionType: AES256}

      ImageScanningConfiguration: {ScanOnPush: true}

  DataAssociation:
    Type: AWS::FSx::DataRepositoryAssociation
    Properties:
      BatchImportMetaDataOnCreate: true
      DataRepositoryPath: {"Fn::Sub": "s3://${DataBucket}/data/"}

      FileSystemId: {Ref: FSxLFilesystem}

      FileSystemPath: /data
      S3: {AutoImportPolicy: {Events: [NEW, CHANGED, DELETED]}}

Outputs:
  FSxLustreFilesystemId: {Value: {Ref: FSxLFilesystem}}

  S3BucketName: {Value: {Ref: DataBucket}}

"#;

const BUCKET: &str = "parallelcluster-123456789012-us-east-1";

fn adopt_request(adopt: bool) -> DeployRequest<'static> {
    let mut req = request();
    req.template = TemplateSource::parse(ADOPTING.into()).unwrap_or_else(|e| panic!("{e}"));
    req.adopt = adopt;
    req
}

/// A signed API's answers, given in turn, and the requests it was sent.
struct Replayed(StaticReplayClient);

impl Replayed {
    /// `service` answering `answers` in turn, then failing to connect.
    fn answering<P: signed::Protocol>(
        service: signed::Service<P>,
        answers: &[(u16, &str)],
    ) -> (signed::Api<P>, Self) {
        let (config, http) = signed::tests::config(answers);
        let watch = crate::deploy::waiting::Watch::default();
        let api = signed::Api::new(service, &config, "us-east-1", &watch)
            .unwrap_or_else(|e| panic!("{e}"));
        (api, Self(http))
    }

    /// What each awsJson1_1 request asked: its `x-amz-target` and its body.
    fn sent(&self) -> Vec<(String, serde_json::Value)> {
        self.0
            .actual_requests()
            .map(|r| {
                let target = r.headers().get("x-amz-target").unwrap_or("").to_string();
                let body = r.body().bytes().unwrap_or_default();
                let body = serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
                (target, body)
            })
            .collect()
    }

    fn num_calls(&self) -> usize {
        self.0.actual_requests().count()
    }
}

/// The hand-made bucket, repository (AES256, as `aws ecr create-repository` makes it) and
/// association, as S3, ECR and FSx describe them; and the rules counting the lookups.
struct HandMade {
    head: Rule,
    repos: Replayed,
    dras: Replayed,
    ecr: signed::JsonApi,
    fsx: signed::JsonApi,
    resource: Rule,
}

fn hand_made(data_path: &'static str) -> HandMade {
    let head = mock!(aws_sdk_s3::Client::head_bucket)
        .match_requests(|r| {
            r.bucket() == Some(BUCKET) && r.expected_bucket_owner() == Some("123456789012")
        })
        .then_output(|| aws_sdk_s3::operation::head_bucket::HeadBucketOutput::builder().build());
    let repository = serde_json::json!({"repositories": [{
        "repositoryName": "pytorch-training-custom",
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }]})
    .to_string();
    let (ecr, repos) = Replayed::answering(signed::ECR, &[(200, &repository)]);
    let association = |id: &str, path: &str, repo: &str| {
        serde_json::json!({
            "AssociationId": id,
            "FileSystemId": "fs-0abc",
            "FileSystemPath": path,
            "DataRepositoryPath": repo,
            "BatchImportMetaDataOnCreate": true,
            "S3": {"AutoImportPolicy": {"Events": ["NEW", "CHANGED", "DELETED"]}},
        })
    };
    let associations = serde_json::json!({"Associations": [
        association("dra-logs", "/logs", "s3://b/logs/"),
        association("dra-data", "/data", data_path),
    ]})
    .to_string();
    let (fsx, dras) = Replayed::answering(signed::FSX, &[(200, &associations)]);
    let resource = mock!(Client::describe_stack_resource)
        .match_requests(|r| r.logical_resource_id() == Some("FSxLFilesystem"))
        .then_output(|| {
            aws_sdk_cloudformation::operation::describe_stack_resource::DescribeStackResourceOutput::builder()
                .stack_resource_detail(
                    aws_sdk_cloudformation::types::StackResourceDetail::builder()
                        .logical_resource_id("FSxLFilesystem")
                        .physical_resource_id("fs-0abc")
                        .resource_type("AWS::FSx::FileSystem")
                        .last_updated_timestamp(DateTime::from_secs(0))
                        .resource_status(ResourceStatus::CreateComplete)
                        .build(),
                )
                .build()
        });
    HandMade {
        head,
        repos,
        dras,
        ecr,
        fsx,
        resource,
    }
}

fn adopting_aws(cfn_rules: &[&Rule], made: &HandMade) -> Aws {
    let mut aws = aws(cfn_rules);
    aws.s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&made.head]);
    aws.ecr = made.ecr.clone();
    aws.fsx = made.fsx.clone();
    aws
}

/// GetTemplate: the tutorial's template until the import ran, then the import template.
fn deployed_then_imported() -> Rule {
    let imported = plan::adopt::import_template(
        plan::template::parse_template(TUTORIAL).ok().as_ref(),
        &plan::template::parse_template(ADOPTING).unwrap_or_else(|e| panic!("{e}")),
        &[
            plan::adopt::Adoption {
                logical_id: "DataBucket".into(),
                type_name: "AWS::S3::Bucket".into(),
                key: "BucketName".into(),
                value: BUCKET.into(),
            },
            plan::adopt::Adoption {
                logical_id: "TrainingImageRepository".into(),
                type_name: "AWS::ECR::Repository".into(),
                key: "RepositoryName".into(),
                value: "pytorch-training-custom".into(),
            },
            plan::adopt::Adoption {
                logical_id: "DataAssociation".into(),
                type_name: "AWS::FSx::DataRepositoryAssociation".into(),
                key: "AssociationId".into(),
                value: "dra-data".into(),
            },
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .to_string();
    mock!(Client::get_template)
        .sequence()
        .output(|| GetTemplateOutput::builder().template_body(TUTORIAL).build())
        .output(move || {
            GetTemplateOutput::builder()
                .template_body(imported.clone())
                .build()
        })
        .repeatedly()
        .build()
}

/// CreateChangeSet of the IMPORT change set (checked by [`is_the_import`]): `import-arn`.
fn created_import() -> Rule {
    mock!(Client::create_change_set)
        .match_requests(is_the_import)
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id("import-arn")
                .stack_id(STACK_ID)
                .build()
        })
}

/// CreateChangeSet of the update that follows an import: `update-arn`.
fn created_update() -> Rule {
    use aws_sdk_cloudformation::types::ChangeSetType;
    mock!(Client::create_change_set)
        .match_requests(|r| r.change_set_type() == Some(&ChangeSetType::Update))
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id("update-arn")
                .stack_id(STACK_ID)
                .build()
        })
}

/// DescribeChangeSet of `import-arn`: the three resources to import.
fn import_computed() -> Rule {
    mock!(Client::describe_change_set)
        .match_requests(|r| r.change_set_name() == Some("import-arn"))
        .then_output(import_changes)
}

/// The IMPORT change set's request: the three resources by identifier, the deployed template
/// plus them, outputs unchanged, parameters kept.
fn is_the_import(
    r: &aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetInput,
) -> bool {
    use aws_sdk_cloudformation::types::ChangeSetType;
    if r.change_set_type() != Some(&ChangeSetType::Import) {
        return false;
    }
    let ids: Vec<(String, String)> = r
        .resources_to_import()
        .iter()
        .map(|i| {
            let (k, v) = i
                .resource_identifier()
                .into_iter()
                .flatten()
                .next()
                .map(|(k, v)| (k.clone(), v.clone()))
                .unwrap_or_default();
            let id = i.logical_resource_id().unwrap_or_default().to_string();
            (id, format!("{k}={v}"))
        })
        .collect();
    let body: serde_json::Value =
        serde_json::from_str(r.template_body().unwrap_or("{}")).unwrap_or_default();
    let tutorial = plan::template::parse_template(TUTORIAL).unwrap_or_default();
    ids == [
        ("DataBucket".to_string(), format!("BucketName={BUCKET}")),
        (
            "TrainingImageRepository".to_string(),
            "RepositoryName=pytorch-training-custom".to_string(),
        ),
        (
            "DataAssociation".to_string(),
            "AssociationId=dra-data".to_string(),
        ),
    ] && body["Outputs"] == tutorial["Outputs"]
        && body["Resources"]["FSxLFilesystem"] == tutorial["Resources"]["FSxLFilesystem"]
        && body["Resources"]["DataBucket"]["DeletionPolicy"] == "RetainExceptOnCreate"
        && body["Resources"]["DataBucket"]["Properties"]
            .get("VersioningConfiguration")
            .is_none()
        && r.parameters()
            .iter()
            .all(|p| p.use_previous_value() == Some(true))
}

fn import_changes() -> DescribeChangeSetOutput {
    let imported = |id: &str, t: &str, phys: &str| {
        Change::builder()
            .resource_change(
                ResourceChange::builder()
                    .logical_resource_id(id)
                    .resource_type(t)
                    .physical_resource_id(phys)
                    .action(ChangeAction::Import)
                    .build(),
            )
            .build()
    };
    ready(vec![
        imported("DataBucket", "AWS::S3::Bucket", BUCKET),
        imported(
            "TrainingImageRepository",
            "AWS::ECR::Repository",
            "pytorch-training-custom",
        ),
        imported(
            "DataAssociation",
            "AWS::FSx::DataRepositoryAssociation",
            "dra-data",
        ),
    ])
}
