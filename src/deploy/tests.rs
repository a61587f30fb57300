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
    Change, ChangeAction, ChangeSetStatus, Replacement, RequiresRecreation, ResourceAttribute,
    ResourceChange, ResourceChangeDetail, ResourceStatus, ResourceTargetDefinition, Stack,
    StackEvent, StackStatus,
};
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::DateTime;
use indexmap::IndexMap;
use plan::review::Approve;
use plan::TemplateSource;

const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1";
const TEMPLATE: &str =
    "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n  Vpc:\n    Type: AWS::EC2::VPC\n";

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
        sts: None,
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
        timeout: None,
        termination_protection: None,
        disable_rollback: false,
        recreate: false,
        outputs_file: None,
        resume: "pcstack deploy --template t.yaml --stack-name s".into(),
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

fn error(status: u16, code: &str, message: &str) -> String {
    let _ = status;
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
    assert!(text.contains("DANGER: data-holding resources would be lost:\n  ! Fs (AWS::FSx::FileSystem): replaced"), "{text}");
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

const LUSTRE_V1: &str = "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      FileSystemType: LUSTRE\n      LustreConfiguration:\n        DeploymentType: PERSISTENT_1\n  Vpc:\n    Type: AWS::EC2::VPC\n";

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
    assert!(text.contains("DANGER (predicted from the deployed template, before any change set): data-holding resources would be lost:\n  ! Fs (AWS::FSx::FileSystem): replaced: the current one is deleted (create-only LustreConfiguration/DeploymentType changed)"), "{text}");
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
    assert!(text.contains("DANGER (predicted from the deployed template, before any change set): data-holding resources would be lost:\n  ! Fs (AWS::FSx::FileSystem): replaced"), "{text}");
    assert!(text.contains("DANGER: data-holding resources would be lost:\n  ! Fs (AWS::FSx::FileSystem): replaced"), "{text}");
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
        text.contains("disagree on data-holding resources lost (predicted: []; change set: [Fs])"),
        "{text}"
    );
    assert_eq!(create.num_calls(), 1);
    assert_eq!(execute.num_calls(), 0);
    assert_eq!(delete_cs.num_calls(), 1);
}
