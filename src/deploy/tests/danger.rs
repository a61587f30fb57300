//! What the review says of replacements and removals.

use super::*;

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
    let delete_cs = change_set_deleted();
    let events = no_events();
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
