//! The prediction from the deployed template, before any change set.

use super::*;

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
    let events = no_events();
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
    let delete_cs = change_set_deleted();
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
