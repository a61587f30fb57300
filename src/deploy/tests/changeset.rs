//! The change set: created, computed (empty, failed, throttled), reviewed and executed; the stack gate before it.

use super::*;

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
    let events = no_events();
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
    let delete = change_set_deleted();
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

/// An endpoint that refuses an empty change set outright ("No updates are to be performed")
/// is "no changes" too (`AwsKind::NoChanges`): nothing to compute, delete or execute.
#[tokio::test]
async fn a_refused_empty_change_set_is_no_changes() {
    let NoChanges {
        describe,
        execute,
        cs,
        delete,
        ..
    } = no_changes();
    let create = mock!(Client::create_change_set).then_http_response(|| {
        HttpResponse::new(
            StatusCode::try_from(400).unwrap_or_else(|e| panic!("{e}")),
            SdkBody::from(error(
                400,
                "ValidationError",
                "No updates are to be performed.",
            )),
        )
    });
    let aws = aws(&[&describe, &create, &cs, &execute, &delete]);
    let (result, text) = run(&aws, &request()).await;
    assert!(matches!(result, Ok(Outcome::NoChanges)), "{result:?}");
    assert!(text.contains("no changes: stack s is up to date"), "{text}");
    assert_eq!(
        (cs.num_calls(), delete.num_calls(), execute.num_calls()),
        (0, 0, 0)
    );
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
    let delete_cs = change_set_deleted();
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

#[tokio::test]
async fn a_change_set_without_resource_changes_is_executed_not_deleted() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    // CREATE_COMPLETE, no resource changes: only outputs (or parameters, metadata) change.
    let cs = mock!(Client::describe_change_set).then_output(|| ready(vec![]));
    let delete_cs = change_set_deleted();
    let events = no_events();
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
