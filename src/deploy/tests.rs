//! Failure sequences moto can't produce, scripted with aws-smithy-mocks.

use super::aws::Aws;
use super::events::Interrupts;
use super::run::{deploy, DeployRequest, Outcome};
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
        ecr: mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &[]),
        fsx: mock_client!(aws_sdk_fsx, RuleMode::MatchAny, &[]),
        sts: None,
        ec2: crate::deploy::ec2::Ec2::new(&aws_types::SdkConfig::builder().build(), "us-east-1"),
        region: "us-east-1".into(),
        endpoint: None,
        timing: Timing::fast(),
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

fn create_rules() -> (Rule, Rule) {
    let create = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id("cs-arn")
            .stack_id(STACK_ID)
            .build()
    });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
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
    let delete =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    NoChanges {
        describe,
        create,
        execute,
        cs,
        delete,
    }
}

#[tokio::test]
async fn create_failed_root_cause_is_first_non_cancellation() {
    let t = now() + 5;
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .http_status(
            400,
            Some(error(
                400,
                "ValidationError",
                "Stack with id s does not exist",
            )),
        )
        .output(|| stack(StackStatus::CreateInProgress))
        .output(|| stack(StackStatus::RollbackComplete))
        .repeatedly()
        .build();
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![
            change("Fs", "AWS::FSx::FileSystem", ChangeAction::Add, None),
            change("Vpc", "AWS::EC2::VPC", ChangeAction::Add, None),
        ])
    });
    let events = mock!(Client::describe_stack_events).then_output(move || {
        // Newest first, as CloudFormation returns them.
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                t + 4,
                "s",
                "AWS::CloudFormation::Stack",
                ResourceStatus::RollbackComplete,
                "",
            ))
            .stack_events(event(
                t + 3,
                "Vpc",
                "AWS::EC2::VPC",
                ResourceStatus::CreateFailed,
                "Resource creation cancelled",
            ))
            .stack_events(event(
                t + 2,
                "Fs",
                "AWS::FSx::FileSystem",
                ResourceStatus::CreateFailed,
                "StorageCapacity must be 1200",
            ))
            .stack_events(event(
                t + 1,
                "Vpc",
                "AWS::EC2::VPC",
                ResourceStatus::CreateInProgress,
                "",
            ))
            .build()
    });
    let aws = aws(&[&describe, &create, &cs, &execute, &events]);
    let (result, text) = run(&aws, &request()).await;
    let failure = result.expect_err("stack failed");
    assert_eq!(failure.exit_code(), 3, "{text}");
    assert!(
        failure.to_string().contains("root cause: Fs (AWS::FSx::FileSystem) physical ID phys-Fs: CREATE_FAILED StorageCapacity must be 1200"),
        "{}",
        failure.to_string()
    );
    assert!(
        failure
            .to_string()
            .contains("other failed resources:\n  Vpc (AWS::EC2::VPC)"),
        "{}",
        failure.to_string()
    );
    assert!(
        failure.to_string().contains("--recreate"),
        "{}",
        failure.to_string()
    );
}

#[tokio::test]
async fn update_rollback_complete_is_exit_3_after_throttling() {
    let t = now() + 5;
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .output(|| stack(StackStatus::UpdateRollbackInProgress))
        .output(|| stack(StackStatus::UpdateRollbackComplete))
        .repeatedly()
        .build();
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set)
        .sequence()
        .output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreatePending)
                .build()
        })
        .output(|| {
            ready(vec![change(
                "Vpc",
                "AWS::EC2::VPC",
                ChangeAction::Modify,
                None,
            )])
        })
        .build();
    let events = mock!(Client::describe_stack_events)
        .sequence()
        .http_status(400, Some(error(400, "Throttling", "Rate exceeded")))
        .times(2)
        .output(move || {
            DescribeStackEventsOutput::builder()
                .stack_events(event(
                    t + 2,
                    "Vpc",
                    "AWS::EC2::VPC",
                    ResourceStatus::UpdateFailed,
                    "Invalid CIDR",
                ))
                .build()
        })
        .repeatedly()
        .build();
    let aws = aws(&[&describe, &create, &cs, &execute, &events]);
    let (result, text) = run(&aws, &request()).await;
    let failure = result.expect_err("update failed");
    assert_eq!(failure.exit_code(), 3, "{text}");
    assert!(
        failure.to_string().contains("UPDATE_ROLLBACK_COMPLETE"),
        "{}",
        failure.to_string()
    );
    assert!(
        failure.to_string().contains(
            "root cause: Vpc (AWS::EC2::VPC) physical ID phys-Vpc: UPDATE_FAILED Invalid CIDR"
        ),
        "{}",
        failure.to_string()
    );
    assert!(text.contains("UPDATE_FAILED"), "{text}");
}

#[tokio::test]
async fn in_progress_stack_is_waited_for_then_updated() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateInProgress))
        .output(|| stack(StackStatus::UpdateComplete))
        .repeatedly()
        .build();
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![change(
            "Vpc",
            "AWS::EC2::VPC",
            ChangeAction::Modify,
            None,
        )])
    });
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &events]);
    let (result, text) = run(&aws, &request()).await;
    assert!(
        matches!(result, Ok(Outcome::Deployed(_))),
        "{result:?}\n{text}"
    );
    assert!(text.contains("is UPDATE_IN_PROGRESS; waiting"), "{text}");
    assert_eq!(execute.num_calls(), 1);
}

#[tokio::test]
async fn failed_change_set_prints_reason_and_is_deleted() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .status(ChangeSetStatus::Failed)
            .status_reason("Template error: instance of Fn::GetAtt references undefined resource X")
            .build()
    });
    let delete =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &delete]);
    let (result, _) = run(&aws, &request()).await;
    let failure = result.expect_err("change set failed");
    assert_eq!(failure.exit_code(), 1);
    assert!(
        failure
            .to_string()
            .contains("references undefined resource X"),
        "{}",
        failure.to_string()
    );
    assert_eq!(delete.num_calls(), 1);
    assert_eq!(execute.num_calls(), 0);
}

#[tokio::test]
async fn empty_change_set_is_success() {
    let NoChanges {
        describe,
        create,
        execute,
        cs,
        delete,
    } = no_changes();
    let aws = aws(&[&describe, &create, &cs, &execute, &delete]);
    let (result, text) = run(&aws, &request()).await;
    assert!(matches!(result, Ok(Outcome::NoChanges)), "{result:?}");
    assert!(text.contains("no changes"), "{text}");
    assert_eq!(delete.num_calls(), 1);
}

#[tokio::test]
async fn replacing_a_file_system_needs_approval_exit_5_without_tty() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .http_status(
            400,
            Some(error(
                400,
                "ValidationError",
                "Stack with id s does not exist",
            )),
        )
        .build();
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![change(
            "Fs",
            "AWS::FSx::FileSystem",
            ChangeAction::Modify,
            Some(Replacement::True),
        )])
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let delete_stack =
        mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &delete_cs, &delete_stack]);
    let (result, text) = run(&aws, &request()).await;
    let failure = result.expect_err("approval needed");
    assert_eq!(failure.exit_code(), 5);
    assert!(
        failure.to_string().contains("--approve never"),
        "{}",
        failure.to_string()
    );
    assert!(
        text.contains("~ Fs (AWS::FSx::FileSystem) REPLACEMENT"),
        "{text}"
    );
    assert!(text.contains("Properties.LustreConfiguration.DeploymentType requires recreation: Always (create-only property of AWS::FSx::FileSystem"), "{text}");
    assert!(text.contains("DANGER: data-holding resources would be replaced or removed:\n  ! Fs (AWS::FSx::FileSystem): replaced"), "{text}");
    assert_eq!(execute.num_calls(), 0);
    // pcstack created the REVIEW_IN_PROGRESS stack, so it removes it with the change set.
    assert_eq!(delete_cs.num_calls(), 1);
    assert_eq!(delete_stack.num_calls(), 1);
}

#[tokio::test]
async fn invalid_parameter_makes_no_call() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let aws = aws(&[&describe]);
    let mut req = request();
    req.parameters.insert("Unknown".into(), "1".into());
    let (result, _) = run(&aws, &req).await;
    assert_eq!(result.expect_err("invalid").exit_code(), 2);
    assert_eq!(describe.num_calls(), 0);
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

#[tokio::test]
async fn predicted_file_system_replacement_exits_5_before_any_change_set() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let deployed = deployed_lustre_v1();
    let (create, execute) = create_rules();
    let aws = aws(&[&describe, &deployed, &create, &execute]);
    let (result, text) = run(&aws, &lustre_v2_request()).await;
    let failure = result.expect_err("approval needed");
    assert_eq!(failure.exit_code(), 5, "{text}");
    assert!(
        failure.to_string().contains("no change set was created")
            && failure.to_string().contains("--approve never"),
        "{}",
        failure.to_string()
    );
    assert!(text.contains("DANGER (predicted from the deployed template, before any change set): data-holding resources would be replaced or removed:\n  ! Fs (AWS::FSx::FileSystem): replaced: the current one is deleted (create-only LustreConfiguration/DeploymentType changed)"), "{text}");
    assert_eq!(deployed.num_calls(), 1);
    assert_eq!(create.num_calls(), 0, "no CreateChangeSet call");
    assert_eq!(execute.num_calls(), 0);
}

#[tokio::test]
async fn prediction_and_change_set_agree_and_approve_never_deploys() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let deployed = deployed_lustre_v1();
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![change(
            "Fs",
            "AWS::FSx::FileSystem",
            ChangeAction::Modify,
            Some(Replacement::True),
        )])
    });
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let aws = aws(&[&describe, &deployed, &create, &cs, &execute, &events]);
    let mut req = lustre_v2_request();
    req.approve = Approve::Never;
    let (result, text) = run(&aws, &req).await;
    assert!(
        matches!(result, Ok(Outcome::Deployed(_))),
        "{result:?}\n{text}"
    );
    // Both checks name the same resource; no disagreement note.
    assert!(text.contains("DANGER (predicted from the deployed template, before any change set): data-holding resources would be replaced or removed:\n  ! Fs (AWS::FSx::FileSystem): replaced"), "{text}");
    assert!(text.contains("DANGER: data-holding resources would be replaced or removed:\n  ! Fs (AWS::FSx::FileSystem): replaced"), "{text}");
    assert!(!text.contains("disagree"), "{text}");
    assert_eq!(create.num_calls(), 1);
    assert_eq!(execute.num_calls(), 1);
}

#[tokio::test]
async fn an_unpredicted_change_set_loss_is_still_blocked() {
    // The templates are identical (the prediction sees nothing), yet the change set replaces the
    // file system (e.g. a parameter value changed): the second check still asks, exit 5.
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![change(
            "Fs",
            "AWS::FSx::FileSystem",
            ChangeAction::Modify,
            Some(Replacement::True),
        )])
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &delete_cs]);
    let (result, text) = run(&aws, &request()).await;
    assert_eq!(result.expect_err("approval").exit_code(), 5, "{text}");
    assert!(!text.contains("DANGER (predicted"), "{text}");
    assert!(
        text.contains("Changes to stack s (1 resource):\n"),
        "{text}"
    );
    assert!(
        text.contains("disagree on data-holding resources lost (predicted: []; change set: [Fs])"),
        "{text}"
    );
    assert_eq!(create.num_calls(), 1);
    assert_eq!(execute.num_calls(), 0);
    assert_eq!(delete_cs.num_calls(), 1);
}

// ---- Lost updates: a computed change set without resource changes is executed. ----

#[tokio::test]
async fn a_change_set_without_resource_changes_is_executed_not_deleted() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    // CREATE_COMPLETE, no resource changes: only outputs (or parameters, metadata) change.
    let cs = mock!(Client::describe_change_set).then_output(|| ready(vec![]));
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &delete_cs, &events]);
    let (result, text) = run(&aws, &request()).await;
    assert!(
        matches!(result, Ok(Outcome::Deployed(_))),
        "{result:?}\n{text}"
    );
    assert!(
        text.contains("Changes to stack s (0 resources):\nno resource changes; outputs, parameters, metadata or tags change (the change set is executed to apply them)"),
        "{text}"
    );
    assert!(!text.contains("no changes:"), "{text}");
    assert_eq!(execute.num_calls(), 1);
    assert_eq!(delete_cs.num_calls(), 0);

    // `--approve any` still asks: without a terminal that is exit 5, and the change set goes.
    let mut req = request();
    req.approve = Approve::Any;
    let (result, text) = run(&aws, &req).await;
    let failure = result.expect_err("approval needed");
    assert_eq!(failure.exit_code(), 5, "{text}");
    assert!(failure.to_string().contains("(--approve any)"), "{failure}");
    assert_eq!(execute.num_calls(), 1, "not executed again");
    assert_eq!(delete_cs.num_calls(), 1);
}

// ---- Outputs: written on every success, the folder checked first; refused when empty. ----

#[tokio::test]
async fn outputs_file_is_written_on_no_changes() {
    let NoChanges {
        describe,
        create,
        execute,
        cs,
        delete,
    } = no_changes();
    let aws = aws(&[&describe, &create, &cs, &execute, &delete]);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("env.sh");
    let mut req = request();
    req.outputs_file = Some(file.clone());
    let (result, text) = run(&aws, &req).await;
    assert!(
        matches!(result, Ok(Outcome::NoChanges)),
        "{result:?}\n{text}"
    );
    let written = std::fs::read_to_string(&file).expect("outputs file written");
    assert!(written.contains("export STACK_NAME=s"), "{written}");
    assert_eq!(execute.num_calls(), 0);
}

#[tokio::test]
async fn a_step_failing_after_the_deploy_is_exit_7_naming_it_and_the_command_that_finishes() {
    let NoChanges {
        describe,
        create,
        execute,
        cs,
        delete,
    } = no_changes();
    let policy = mock!(Client::set_stack_policy).then_http_response(|| {
        HttpResponse::new(
            StatusCode::try_from(403).unwrap_or_else(|e| panic!("{e}")),
            SdkBody::from(error(403, "AccessDenied", "not allowed to set the policy")),
        )
    });
    let aws = aws(&[&describe, &create, &cs, &execute, &delete, &policy]);
    let mut req = request();
    req.stack_policy = Some(r#"{"Statement": []}"#.into());
    let (result, text) = run(&aws, &req).await;
    let failure = result.expect_err("the policy step fails");
    assert_eq!(failure.exit_code(), 7, "{failure}\n{text}");
    let message = failure.to_string();
    assert!(
        message.starts_with("stack s is deployed, but setting the stack policy failed: SetStackPolicy failed: AccessDenied"),
        "{message}"
    );
    assert!(
        message.contains("re-run `pcstack deploy --template t.yaml --stack-name s` to finish"),
        "{message}"
    );
    assert_eq!(policy.num_calls(), 1);
}

#[tokio::test]
async fn outputs_file_in_a_missing_folder_is_refused_before_any_call() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let aws = aws(&[&describe]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut req = request();
    req.outputs_file = Some(dir.path().join("missing").join("env.sh"));
    let (result, _) = run(&aws, &req).await;
    let failure = result.expect_err("refused");
    assert_eq!(failure.exit_code(), 2);
    assert!(
        failure
            .to_string()
            .starts_with("--outputs-file must be in a folder that exists, got ")
            && failure.to_string().contains("missing/env.sh (folder ")
            && failure
                .to_string()
                .ends_with("does not exist); nothing was sent to AWS"),
        "{failure}"
    );
    req.outputs_file = Some(dir.path().to_path_buf());
    let failure = run(&aws, &req).await.0.expect_err("a folder");
    assert!(
        failure
            .to_string()
            .contains("is a directory); nothing was sent to AWS"),
        "{failure}"
    );
    assert_eq!(describe.num_calls(), 0);
}

#[tokio::test]
async fn outputs_of_a_stack_in_review_or_without_outputs_are_refused() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::ReviewInProgress))
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let aws = aws(&[&describe]);
    let review = super::run::fetch_outputs(&aws, "s", None)
        .await
        .expect_err("review in progress");
    assert_eq!(review.exit_code(), 1);
    assert_eq!(
        review.to_string(),
        "stack s is REVIEW_IN_PROGRESS: it has never been deployed (a change set waits for review), so it has no outputs; deploy it first"
    );
    let none = super::run::fetch_outputs(&aws, "s", None)
        .await
        .expect_err("no outputs");
    assert_eq!(
        none.to_string(),
        "stack s (CREATE_COMPLETE) has no outputs: nothing to print"
    );
}

// ---- Interrupts ----

#[test]
fn a_press_goes_to_a_listener_or_exits() {
    let interrupts = Interrupts::default();
    assert!(!interrupts.press(), "nothing listens: exit at once");
    let listening = interrupts.listen();
    assert!(interrupts.press(), "handed to the listener");
    assert!(
        !interrupts.press(),
        "a second press before the first is taken: exit"
    );
    drop(listening);
    assert!(!interrupts.press());
}

#[tokio::test]
async fn a_taken_press_makes_room_for_the_next() {
    let interrupts = Interrupts::default();
    let _listening = interrupts.listen();
    assert!(interrupts.press());
    interrupts.pressed().await;
    assert!(interrupts.press(), "the first was taken");
}

#[tokio::test]
async fn ctrl_c_at_the_review_prompt_declines_deletes_the_change_set_and_exits_130() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![change(
            "Vpc",
            "AWS::EC2::VPC",
            ChangeAction::Modify,
            None,
        )])
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &delete_cs]);
    // A person who doesn't answer (the read blocks), then presses Ctrl-C.
    let (ui, buf) = Ui::answering(|_| {
        std::thread::sleep(std::time::Duration::from_millis(300));
        Some("y".into())
    });
    let interrupts = Interrupts::default();
    let presser = interrupts.clone();
    tokio::spawn(async move {
        // Pressed once the question listens (the runtime isn't blocked by the prompt).
        while !presser.press() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    });
    let mut req = request();
    req.approve = Approve::Any;
    let result = deploy(&aws, &ui, &interrupts, &req).await;
    let text = buf
        .lock()
        .map(|b| String::from_utf8_lossy(&b).to_string())
        .unwrap_or_default();
    let failure = result.expect_err("interrupted");
    assert_eq!(failure.exit_code(), 130, "{failure}\n{text}");
    assert_eq!(
        failure.to_string(),
        "interrupted at the question; taken as no: the change set was deleted"
    );
    assert_eq!(delete_cs.num_calls(), 1, "same cleanup as a no");
    assert_eq!(execute.num_calls(), 0);
}

#[tokio::test]
async fn a_yes_at_the_prompt_executes() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| ready(vec![]));
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let aws = aws(&[&describe, &create, &cs, &execute, &events]);
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    let (ui, _) = Ui::answering(move |q| {
        if let Ok(mut s) = seen.lock() {
            s.push(q.to_string());
        }
        Some("yes".into())
    });
    let mut req = request();
    req.approve = Approve::Any;
    let result = deploy(&aws, &ui, &Interrupts::default(), &req).await;
    assert!(matches!(result, Ok(Outcome::Deployed(_))), "{result:?}");
    assert_eq!(execute.num_calls(), 1);
    let asked = asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(
        asked[0].starts_with("Execute change set pcstack-"),
        "{asked:?}"
    );
}

/// A CloudFormation client whose endpoint refuses connections (a port nothing listens on).
fn unreachable_cfn() -> Client {
    use aws_smithy_http_client::{tls, Builder};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let http = Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_sdk_cloudformation::Config::builder()
        .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
            "a", "b", None, None, "test",
        ))
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled())
        .http_client(http)
        .build();
    Client::from_conf(config)
}

#[tokio::test]
async fn a_lost_connection_while_following_stops_waiting_exit_4() {
    let cfn = unreachable_cfn();
    let (ui, _) = Ui::captured();
    let follow = super::events::Follow {
        stack_id: STACK_ID,
        stack_name: "s",
        token: Some("t"),
        since: DateTime::from_secs(now()),
        total: 1,
        deadline: None,
        resume: "pcstack deploy --template t.yaml --stack-name s",
    };
    let failure =
        super::events::follow(&cfn, &Timing::fast(), &ui, &Interrupts::default(), &follow)
            .await
            .expect_err("connection refused");
    assert_eq!(failure.exit_code(), 4, "{failure}");
    let msg = failure.to_string();
    assert!(
        msg.starts_with("lost the connection to CloudFormation while following stack s (")
            && msg.ends_with("); the operation goes on in CloudFormation; run `pcstack deploy --template t.yaml --stack-name s` again to follow it"),
        "{msg}"
    );
}

// ---- destroy run again ----

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

#[tokio::test]
async fn destroy_again_follows_a_deletion_in_progress_and_lists_what_it_retained() {
    let t = now();
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(move || {
            DescribeStacksOutput::builder()
                .stacks(
                    Stack::builder()
                        .stack_name("s")
                        .stack_id(STACK_ID)
                        .stack_status(StackStatus::DeleteInProgress)
                        .creation_time(DateTime::from_secs(0))
                        .deletion_time(DateTime::from_secs(t - 600))
                        .build(),
                )
                .build()
        })
        .http_status(
            400,
            Some(error(
                400,
                "ValidationError",
                "Stack with id s does not exist",
            )),
        )
        .repeatedly()
        .build();
    let events = mock!(Client::describe_stack_events).then_output(move || {
        DescribeStackEventsOutput::builder()
            .stack_events(skipped(t - 60, "Bucket", "AWS::S3::Bucket"))
            .build()
    });
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let aws = aws(&[&describe, &events, &delete]);
    let (ui, buf) = Ui::captured();
    let kept = super::destroy::destroy(&aws, &ui, &Interrupts::default(), "s", false, None)
        .await
        .expect("followed to the end");
    let text = buf
        .lock()
        .map(|b| String::from_utf8_lossy(&b).to_string())
        .unwrap_or_default();
    assert_eq!(kept.len(), 1, "{text}");
    assert!(text.contains("already DELETE_IN_PROGRESS"), "{text}");
    assert!(
        text.contains("retained (DeletionPolicy Retain; delete them yourself when no longer needed):\n  Bucket (AWS::S3::Bucket): phys-Bucket"),
        "{text}"
    );
    assert_eq!(
        delete.num_calls(),
        0,
        "no second DeleteStack, no question asked"
    );
}

#[tokio::test]
async fn destroy_after_the_stack_is_gone_lists_what_its_deletion_retained() {
    use aws_sdk_cloudformation::operation::list_stacks::ListStacksOutput;
    use aws_sdk_cloudformation::types::StackSummary;
    let t = now();
    let describe = mock!(Client::describe_stacks).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(400)
                .unwrap_or_else(|e| panic!("{e}")),
            aws_smithy_types::body::SdkBody::from(error(
                400,
                "ValidationError",
                "Stack with id s does not exist",
            )),
        )
    });
    let summary = |id: &str, name: &str, deleted: i64| {
        StackSummary::builder()
            .stack_id(id)
            .stack_name(name)
            .stack_status(StackStatus::DeleteComplete)
            .creation_time(DateTime::from_secs(0))
            .deletion_time(DateTime::from_secs(deleted))
            .build()
    };
    let list = mock!(Client::list_stacks).then_output(move || {
        ListStacksOutput::builder()
            .stack_summaries(summary("old-id", "s", t - 9000))
            .stack_summaries(summary(STACK_ID, "s", t - 60))
            .stack_summaries(summary("other-id", "other", t))
            .build()
    });
    let stack_event = |secs: i64, status: ResourceStatus| {
        StackEvent::builder()
            .event_id(format!("s-{secs}"))
            .stack_id(STACK_ID)
            .stack_name("s")
            .logical_resource_id("s")
            .resource_type("AWS::CloudFormation::Stack")
            .resource_status(status)
            .timestamp(DateTime::from_secs(secs))
            .build()
    };
    let events = mock!(Client::describe_stack_events)
        .match_requests(|r| r.stack_name() == Some(STACK_ID))
        .then_output(move || {
            DescribeStackEventsOutput::builder()
                .stack_events(stack_event(t - 50, ResourceStatus::DeleteComplete))
                .stack_events(skipped(t - 55, "Bucket", "AWS::S3::Bucket"))
                .stack_events(stack_event(t - 60, ResourceStatus::DeleteInProgress))
                // Retained by an earlier update, not by the deletion.
                .stack_events(skipped(t - 4000, "Repo", "AWS::ECR::Repository"))
                .build()
        });
    let aws = aws(&[&describe, &list, &events]);
    let (ui, buf) = Ui::captured();
    let kept = super::destroy::destroy(&aws, &ui, &Interrupts::default(), "s", true, None)
        .await
        .expect("nothing to do");
    let text = buf
        .lock()
        .map(|b| String::from_utf8_lossy(&b).to_string())
        .unwrap_or_default();
    assert!(text.starts_with("stack s was already deleted ("), "{text}");
    assert!(
        text.ends_with("retained (DeletionPolicy Retain; delete them yourself when no longer needed):\n  Bucket (AWS::S3::Bucket): phys-Bucket\n"),
        "{text}"
    );
    assert_eq!(kept.len(), 1);
    assert_eq!(events.num_calls(), 1);
}

// ---- Honest danger: the change set's losses follow the templates' policies. ----

#[tokio::test]
async fn a_retained_replacement_and_removal_are_said_to_be_kept() {
    const DEPLOYED: &str = "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      FileSystemType: LUSTRE\n      SubnetIds: [subnet-1]\n  Vpc:\n    Type: AWS::EC2::VPC\n  Repo:\n    Type: AWS::ECR::Repository\n    DeletionPolicy: RetainExceptOnCreate\n";
    const LOCAL: &str = "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    UpdateReplacePolicy: Retain\n    Properties:\n      FileSystemType: LUSTRE\n      SubnetIds: [subnet-1]\n  Vpc:\n    Type: AWS::EC2::VPC\n";
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let deployed = mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(DEPLOYED).build());
    let (create, execute) = create_rules();
    let cs = mock!(Client::describe_change_set).then_output(|| {
        ready(vec![
            change(
                "Fs",
                "AWS::FSx::FileSystem",
                ChangeAction::Modify,
                Some(Replacement::True),
            ),
            change("Repo", "AWS::ECR::Repository", ChangeAction::Remove, None),
        ])
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let aws = aws(&[
        &describe, &deployed, &create, &cs, &execute, &delete_cs, &events,
    ]);
    let mut req = request();
    req.template = TemplateSource::parse(LOCAL.into()).unwrap_or_else(|e| panic!("{e}"));
    // Kept or not, a replacement or removal still needs approval: exit 5 without a terminal,
    // before any change set (the prediction sees the removal).
    let (result, text) = run(&aws, &req).await;
    assert_eq!(result.expect_err("approval").exit_code(), 5, "{text}");
    assert_eq!(create.num_calls(), 0);
    req.approve = Approve::Never;
    let (result, text) = run(&aws, &req).await;
    assert!(
        matches!(result, Ok(Outcome::Deployed(_))),
        "{result:?}\n{text}"
    );
    assert!(text.contains("DANGER (predicted from the deployed template, before any change set): data-holding resources would be replaced or removed:\n  ! Repo (AWS::ECR::Repository): removed from the stack and kept (DeletionPolicy Retain): it goes on existing, still billed, under its physical ID\n"), "{text}");
    assert!(text.contains("DANGER: data-holding resources would be replaced or removed:\n  ! Fs (AWS::FSx::FileSystem): replaced by a new, empty one; the current one is kept (UpdateReplacePolicy Retain), still billed, under its physical ID\n  ! Repo (AWS::ECR::Repository): removed from the stack and kept (DeletionPolicy Retain): it goes on existing, still billed, under its physical ID"), "{text}");
    assert!(!text.contains("deleted"), "{text}");
}

#[tokio::test]
async fn one_ctrl_c_while_following_asks_and_detach_is_exit_4() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateInProgress));
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let aws = aws(&[&describe, &events]);
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    let (ui, _) = Ui::answering(move |q| {
        if let Ok(mut s) = seen.lock() {
            s.push(q.to_string());
        }
        Some("d".into())
    });
    let interrupts = Interrupts::default();
    let presser = interrupts.clone();
    // One press, handed to the follower (the handler would exit only with nobody listening).
    tokio::spawn(async move {
        while !presser.press() {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    });
    let follow = super::events::Follow {
        stack_id: STACK_ID,
        stack_name: "s",
        token: Some("t"),
        since: DateTime::from_secs(now()),
        total: 1,
        deadline: None,
        resume: "pcstack deploy --template t.yaml --stack-name s",
    };
    let failure = super::events::follow(&aws.cfn, &aws.timing, &ui, &interrupts, &follow)
        .await
        .expect_err("detached");
    assert_eq!(failure.exit_code(), 4, "{failure}");
    assert_eq!(
        failure.to_string(),
        "detached from stack s; the operation goes on in CloudFormation. Re-run `pcstack deploy --template t.yaml --stack-name s` to follow it."
    );
    let asked = asked.lock().map(|a| a.clone()).unwrap_or_default();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].contains("[c]ancel the update"), "{asked:?}");
}

/// Following reads the stack's status from its own events: one DescribeStackEvents a poll and
/// no DescribeStacks while the events say the operation runs (today's follow sent one of each).
#[tokio::test]
async fn following_takes_the_stack_status_from_its_own_events() {
    let t = now() + 5;
    let page = move |events: Vec<StackEvent>| {
        move || {
            DescribeStackEventsOutput::builder()
                .set_stack_events(Some(events.clone()))
                .build()
        }
    };
    let stack_event = |secs, status| event(secs, "s", "AWS::CloudFormation::Stack", status, "");
    // Newest first, as CloudFormation pages them.
    let events = mock!(Client::describe_stack_events)
        .sequence()
        .output(page(vec![
            event(
                t + 1,
                "Vpc",
                "AWS::EC2::VPC",
                ResourceStatus::CreateInProgress,
                "",
            ),
            stack_event(t, ResourceStatus::CreateInProgress),
        ]))
        .output(page(vec![]))
        .output(page(vec![event(
            t + 2,
            "Vpc",
            "AWS::EC2::VPC",
            ResourceStatus::CreateComplete,
            "",
        )]))
        .output(page(vec![stack_event(
            t + 3,
            ResourceStatus::CreateComplete,
        )]))
        .build();
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::CreateInProgress));
    let mut aws = aws(&[&events, &describe]);
    // The fallback DescribeStacks would come only after a minute without the stack's event.
    aws.timing.status_poll = std::time::Duration::from_secs(60);
    let (ui, _) = Ui::captured();
    let finished = follow_from(&aws, &ui, t - 1, None).await.expect("followed");
    assert_eq!(finished.status, StackStatus::CreateComplete);
    assert_eq!(events.num_calls(), 4);
    assert_eq!(
        describe.num_calls(),
        0,
        "no DescribeStacks while events tell"
    );
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
    super::events::follow(&aws.cfn, &aws.timing, ui, &Interrupts::default(), &follow).await
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

/// Throttled while following, the next DescribeStackEvents waits longer each time (at least
/// twice as long as the last wait, starting above the steady interval) instead of polling on at
/// the steady interval: CloudFormation's guidance for "Rate exceeded" is exponential backoff.
#[tokio::test]
async fn following_backs_off_while_throttled() {
    let t = now() + 5;
    let calls = Calls::default();
    let recorded = calls.clone();
    let events = mock!(Client::describe_stack_events).then_compute_response(move |_| {
        if recorded.record() < 3 {
            return MockResponse::Http(throttled());
        }
        MockResponse::Output(
            DescribeStackEventsOutput::builder()
                .stack_events(event(
                    t,
                    "s",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::CreateComplete,
                    "",
                ))
                .build(),
        )
    });
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::CreateInProgress));
    let mut aws = aws(&[&events, &describe]);
    let poll = Duration::from_millis(20);
    aws.timing.events_poll = poll;
    aws.timing.max_poll = Duration::from_secs(1);
    aws.timing.status_poll = Duration::from_secs(60);
    let (ui, _) = Ui::captured();
    let finished = follow_from(&aws, &ui, t - 1, None).await.expect("followed");
    assert_eq!(finished.status, StackStatus::CreateComplete);
    let gaps = calls.gaps();
    assert_eq!(gaps.len(), 3, "{gaps:?}");
    for (i, gap) in gaps.iter().enumerate() {
        let least = poll * 2u32.pow(i as u32 + 1);
        assert!(
            *gap >= least,
            "wait {i} after a throttled DescribeStackEvents was {gap:?}, not at least {least:?}: {gaps:?}"
        );
    }
}

/// Throttled while a change set is computed, DescribeChangeSet waits longer each time than the
/// steady one-second poll, and longer than the last wait, until an answer comes.
#[tokio::test]
async fn change_set_polling_backs_off_while_throttled() {
    let calls = Calls::default();
    let recorded = calls.clone();
    let cs = mock!(Client::describe_change_set).then_compute_response(move |_| {
        let n = recorded.record();
        if n < 4 {
            return MockResponse::Http(throttled());
        }
        let status = if n == 4 {
            ChangeSetStatus::CreateInProgress
        } else {
            ChangeSetStatus::CreateComplete
        };
        MockResponse::Output(DescribeChangeSetOutput::builder().status(status).build())
    });
    let mut aws = aws(&[&cs]);
    let poll = Duration::from_millis(10);
    aws.timing.change_set_poll = poll;
    aws.timing.change_set_patience = Duration::from_secs(60);
    aws.timing.events_poll = Duration::from_millis(40);
    aws.timing.max_poll = Duration::from_secs(1);
    let ready = super::changeset::wait(&aws.cfn, &aws.timing, "cs-arn")
        .await
        .expect("computed");
    assert!(
        matches!(ready, super::changeset::Ready::Changes(_)),
        "{ready:?}"
    );
    let gaps = calls.gaps();
    assert_eq!(gaps.len(), 5, "{gaps:?}");
    let mut least = poll * 4;
    for (i, gap) in gaps[..4].iter().enumerate() {
        assert!(
            *gap >= least,
            "wait {i} after a throttled DescribeChangeSet was {gap:?}, not at least {least:?}: {gaps:?}"
        );
        least = least.mul_f64(1.5);
    }
}

/// A page of events that fails (throttled past the SDK's retries) is read again on the next
/// poll: the events of the pages before it are not taken as seen, so the stack's final event,
/// on the first page, still ends the follow.
#[tokio::test]
async fn events_of_a_poll_whose_later_page_failed_are_read_again() {
    let t = now() + 5;
    let stack_event = |secs, status| event(secs, "s", "AWS::CloudFormation::Stack", status, "");
    let page = move |events: Vec<StackEvent>, next: Option<&str>| {
        MockResponse::Output(
            DescribeStackEventsOutput::builder()
                .set_stack_events(Some(events))
                .set_next_token(next.map(str::to_string))
                .build(),
        )
    };
    let second_pages = Calls::default();
    let events = mock!(Client::describe_stack_events).then_compute_response(move |input| {
        // Newest first, as CloudFormation pages them; the first read of page 2 fails.
        if input.next_token().is_none() {
            return page(
                vec![
                    stack_event(t + 3, ResourceStatus::CreateComplete),
                    event(
                        t + 2,
                        "Vpc",
                        "AWS::EC2::VPC",
                        ResourceStatus::CreateComplete,
                        "",
                    ),
                ],
                Some("p2"),
            );
        }
        if second_pages.record() == 0 {
            return MockResponse::Http(throttled());
        }
        page(
            vec![
                event(
                    t + 1,
                    "Vpc",
                    "AWS::EC2::VPC",
                    ResourceStatus::CreateInProgress,
                    "",
                ),
                stack_event(t, ResourceStatus::CreateInProgress),
            ],
            None,
        )
    });
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::CreateInProgress));
    let mut aws = aws(&[&events, &describe]);
    aws.timing.status_poll = Duration::from_secs(60);
    let (ui, _) = Ui::captured();
    // Without the final event the follow would only end at this deadline, timed out.
    let deadline = Instant::now() + Duration::from_secs(2);
    let finished = follow_from(&aws, &ui, t - 1, Some(deadline))
        .await
        .expect("the final event was read again");
    assert_eq!(finished.status, StackStatus::CreateComplete);
    let statuses: Vec<_> = finished
        .events
        .iter()
        .map(|e| e.resource_status().map_or("", |s| s.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            "CREATE_IN_PROGRESS",
            "CREATE_IN_PROGRESS",
            "CREATE_COMPLETE",
            "CREATE_COMPLETE"
        ],
        "every event once, oldest first"
    );
}

// ---- Adoption: what the tutorial made by hand, found before any change set and imported. ----

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

/// The hand-made bucket, repository (AES256, as `aws ecr create-repository` makes it) and
/// association, as S3, ECR and FSx describe them; and the rules counting the lookups.
struct HandMade {
    head: Rule,
    repos: Rule,
    dras: Rule,
    resource: Rule,
}

fn hand_made(data_path: &'static str) -> HandMade {
    use aws_sdk_ecr::types::{EncryptionConfiguration, EncryptionType, Repository};
    use aws_sdk_fsx::types::{
        AutoImportPolicy, DataRepositoryAssociation, EventType, S3DataRepositoryConfiguration,
    };
    let head = mock!(aws_sdk_s3::Client::head_bucket)
        .match_requests(|r| {
            r.bucket() == Some(BUCKET) && r.expected_bucket_owner() == Some("123456789012")
        })
        .then_output(|| aws_sdk_s3::operation::head_bucket::HeadBucketOutput::builder().build());
    let repos = mock!(aws_sdk_ecr::Client::describe_repositories).then_output(|| {
        aws_sdk_ecr::operation::describe_repositories::DescribeRepositoriesOutput::builder()
            .repositories(
                Repository::builder()
                    .repository_name("pytorch-training-custom")
                    .encryption_configuration(
                        EncryptionConfiguration::builder()
                            .encryption_type(EncryptionType::Aes256)
                            .build()
                            .unwrap_or_else(|e| panic!("{e}")),
                    )
                    .build(),
            )
            .build()
    });
    let dras = mock!(aws_sdk_fsx::Client::describe_data_repository_associations).then_output(move || {
        let association = |id: &str, path: &str, repo: &str| {
            DataRepositoryAssociation::builder()
                .association_id(id)
                .file_system_id("fs-0abc")
                .file_system_path(path)
                .data_repository_path(repo)
                .batch_import_meta_data_on_create(true)
                .s3(S3DataRepositoryConfiguration::builder()
                    .auto_import_policy(
                        AutoImportPolicy::builder()
                            .events(EventType::New)
                            .events(EventType::Changed)
                            .events(EventType::Deleted)
                            .build(),
                    )
                    .build())
                .build()
        };
        aws_sdk_fsx::operation::describe_data_repository_associations::DescribeDataRepositoryAssociationsOutput::builder()
            .associations(association("dra-logs", "/logs", "s3://b/logs/"))
            .associations(association("dra-data", "/data", data_path))
            .build()
    });
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
        resource,
    }
}

fn adopting_aws(cfn_rules: &[&Rule], made: &HandMade) -> Aws {
    let mut aws = aws(cfn_rules);
    aws.s3 = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&made.head]);
    aws.ecr = mock_client!(aws_sdk_ecr, RuleMode::MatchAny, &[&made.repos]);
    aws.fsx = mock_client!(aws_sdk_fsx, RuleMode::MatchAny, &[&made.dras]);
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

#[tokio::test]
async fn hand_made_resources_stop_the_deploy_before_any_change_set_with_the_offer() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let get = mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(TUTORIAL).build());
    let (create, execute) = create_rules();
    let made = hand_made("s3://parallelcluster-123456789012-us-east-1/data/");
    let aws = adopting_aws(&[&describe, &get, &made.resource, &create, &execute], &made);
    let (result, text) = run(&aws, &adopt_request(false)).await;
    let failure = result.expect_err("exists outside the stack");
    assert_eq!(failure.exit_code(), 1, "{text}");
    let message = failure.to_string();
    for name in [
        "DataBucket (AWS::S3::Bucket): parallelcluster-123456789012-us-east-1",
        "TrainingImageRepository (AWS::ECR::Repository): pytorch-training-custom",
        "DataAssociation (AWS::FSx::DataRepositoryAssociation): dra-data",
        "--adopt`",
    ] {
        assert!(message.contains(name), "{name} in {message}");
    }
    assert_eq!(create.num_calls(), 0);
    assert_eq!(
        (
            made.head.num_calls(),
            made.repos.num_calls(),
            made.dras.num_calls()
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn an_association_on_another_prefix_is_refused_not_adopted() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let get = mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(TUTORIAL).build());
    let (create, execute) = create_rules();
    let made = hand_made("s3://someone-elses/data/");
    let aws = adopting_aws(&[&describe, &get, &made.resource, &create, &execute], &made);
    let (result, _) = run(&aws, &adopt_request(true)).await;
    let message = result.expect_err("refused").to_string();
    assert!(
        message.contains("DataRepositoryPath is s3://someone-elses/data/ on the live resource"),
        "{message}"
    );
    assert_eq!(create.num_calls(), 0);
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

#[tokio::test]
async fn adopt_imports_then_updates_and_a_second_run_goes_straight_to_the_update() {
    // The outputs the template declares: the final step reads them all.
    let describe = mock!(Client::describe_stacks).then_output(|| {
        let mut out = stack(StackStatus::UpdateComplete);
        if let Some(s) = out.stacks.as_mut().and_then(|s| s.first_mut()) {
            for key in ["FSxLustreFilesystemId", "S3BucketName"] {
                s.outputs
                    .get_or_insert_with(Vec::new)
                    .push(Output::builder().output_key(key).output_value("v").build());
            }
        }
        out
    });
    let get = deployed_then_imported();
    let import = created_import();
    let update = created_update();
    let import_cs = import_computed();
    let update_cs = mock!(Client::describe_change_set)
        .match_requests(|r| r.change_set_name() == Some("update-arn"))
        .then_output(|| {
            ready(vec![change(
                "DataBucket",
                "AWS::S3::Bucket",
                ChangeAction::Modify,
                None,
            )])
        });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let delete =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let made = hand_made("s3://parallelcluster-123456789012-us-east-1/data/");
    let aws = adopting_aws(
        &[
            &describe,
            &get,
            &made.resource,
            &import,
            &update,
            &import_cs,
            &update_cs,
            &execute,
            &events,
            &delete,
        ],
        &made,
    );
    let (result, text) = run(&aws, &adopt_request(true)).await;
    assert!(
        matches!(result, Ok(Outcome::Deployed(_))),
        "{result:?}\n{text}"
    );
    assert_eq!((import.num_calls(), update.num_calls()), (1, 1), "{text}");
    assert_eq!(execute.num_calls(), 2, "the import, then the update");
    assert_eq!(delete.num_calls(), 0, "nothing deleted");
    assert!(text.contains("Adopting into stack s"), "{text}");
    assert!(
        text.contains("dra-data") && text.contains("pytorch-training-custom"),
        "{text}"
    );
    assert!(
        text.contains("adopted into stack s: DataBucket (parallelcluster-123456789012-us-east-1)"),
        "{text}"
    );

    // Interrupted after the import (or run again): the stack holds them, no lookup, the update.
    let lookups = (
        made.head.num_calls(),
        made.repos.num_calls(),
        made.dras.num_calls(),
    );
    let (result, text) = run(&aws, &adopt_request(false)).await;
    assert!(
        matches!(result, Ok(Outcome::Deployed(_))),
        "{result:?}\n{text}"
    );
    assert_eq!(
        (
            made.head.num_calls(),
            made.repos.num_calls(),
            made.dras.num_calls()
        ),
        lookups
    );
    assert_eq!((import.num_calls(), update.num_calls()), (1, 2));
}

#[tokio::test]
async fn a_failed_import_stops_before_the_update_exit_3() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .output(|| stack(StackStatus::ImportRollbackComplete))
        .repeatedly()
        .build();
    let get = deployed_then_imported();
    let import = created_import();
    let import_cs = mock!(Client::describe_change_set).then_output(import_changes);
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let made = hand_made("s3://parallelcluster-123456789012-us-east-1/data/");
    let aws = adopting_aws(
        &[
            &describe,
            &get,
            &made.resource,
            &import,
            &import_cs,
            &execute,
            &events,
        ],
        &made,
    );
    let (result, text) = run(&aws, &adopt_request(true)).await;
    let failure = result.expect_err("import rolled back");
    assert_eq!(failure.exit_code(), 3, "{text}");
    assert!(
        failure.to_string().contains("IMPORT_ROLLBACK_COMPLETE"),
        "{failure}"
    );
    assert_eq!(
        (import.num_calls(), execute.num_calls()),
        (1, 1),
        "no update after a failed import"
    );
}

#[tokio::test]
async fn a_failed_update_after_the_import_is_reported_and_the_import_stays() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let get = deployed_then_imported();
    let import = created_import();
    let update = created_update();
    let import_cs = import_computed();
    let update_cs = mock!(Client::describe_change_set)
        .match_requests(|r| r.change_set_name() == Some("update-arn"))
        .then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::Failed)
                .status_reason("Access denied for s3:PutBucketVersioning")
                .build()
        });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let events = mock!(Client::describe_stack_events)
        .then_output(|| DescribeStackEventsOutput::builder().build());
    let delete =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let made = hand_made("s3://parallelcluster-123456789012-us-east-1/data/");
    let aws = adopting_aws(
        &[
            &describe,
            &get,
            &made.resource,
            &import,
            &update,
            &import_cs,
            &update_cs,
            &execute,
            &events,
            &delete,
        ],
        &made,
    );
    let (result, text) = run(&aws, &adopt_request(true)).await;
    let failure = result.expect_err("update change set failed");
    assert_eq!(failure.exit_code(), 1, "{text}");
    assert!(
        failure.to_string().contains("PutBucketVersioning"),
        "{failure}"
    );
    assert_eq!(execute.num_calls(), 1, "only the import ran");
    assert_eq!(
        delete.num_calls(),
        1,
        "the failed update change set is deleted"
    );
}
