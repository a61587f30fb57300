//! Adoption: resources that exist outside the stack, refused or imported.

use super::*;

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
    assert_eq!(
        made.repos.sent(),
        [(
            "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories".to_string(),
            serde_json::json!({"repositoryNames": ["pytorch-training-custom"]})
        )]
    );
    assert_eq!(
        made.dras.sent(),
        [(
            "AWSSimbaAPIService_v20180301.DescribeDataRepositoryAssociations".to_string(),
            serde_json::json!({"Filters": [{"Name": "file-system-id", "Values": ["fs-0abc"]}]})
        )]
    );
}

/// The hand-made resources, but FSx answers `associations` (status, body) and ECR `repositories`.
fn answering(fsx: (u16, &str), ecr: (u16, &str)) -> HandMade {
    let mut made = hand_made("s3://parallelcluster-123456789012-us-east-1/data/");
    (made.fsx, made.dras) = Replayed::answering(signed::FSX, &[fsx]);
    (made.ecr, made.repos) = Replayed::answering(signed::ECR, &[ecr]);
    made
}

async fn refused_with(made: &HandMade) -> (String, i32) {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let get = mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(TUTORIAL).build());
    let (create, execute) = create_rules();
    let aws = adopting_aws(&[&describe, &get, &made.resource, &create, &execute], made);
    let (result, text) = run(&aws, &adopt_request(false)).await;
    let failure = result.expect_err("refused");
    assert_eq!(create.num_calls(), 0, "{text}");
    (failure.to_string(), failure.exit_code())
}

#[tokio::test]
async fn answers_about_another_file_system_or_repository_are_not_taken_for_ours() {
    let other_fs = serde_json::json!({"Associations": [{
        "AssociationId": "dra-other", "FileSystemId": "fs-other", "FileSystemPath": "/data",
        "DataRepositoryPath": "s3://parallelcluster-123456789012-us-east-1/data/",
    }]})
    .to_string();
    let other_repo = r#"{"repositories":[{"repositoryName":"someone-elses"}]}"#;
    let made = answering((200, &other_fs), (200, r#"{"repositories":[]}"#));
    let (message, _) = refused_with(&made).await;
    assert!(!message.contains("dra-other"), "{message}");
    assert!(!message.contains("DataAssociation"), "{message}");
    let made = answering((200, r#"{"Associations":[]}"#), (200, other_repo));
    let (message, code) = refused_with(&made).await;
    assert_eq!(code, 1, "{message}");
    assert!(
        message.contains("DescribeRepositories of pytorch-training-custom: it lists other repositories (someone-elses)"),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_file_system_of_the_stack_is_drift_not_a_missing_association() {
    let gone =
        r#"{"__type":"FileSystemNotFound","Message":"File system 'fs-0abc' does not exist."}"#;
    let none = r#"{"__type":"DataRepositoryAssociationNotFound","Message":"none"}"#;
    let made = answering((400, gone), (200, r#"{"repositories":[]}"#));
    let (message, code) = refused_with(&made).await;
    assert_eq!(code, 1, "{message}");
    assert!(
        message.contains("file system fs-0abc of the stack's FSxLFilesystem does not exist")
            && message.contains("drifted"),
        "{message}"
    );
    // No association: the deploy goes on to the bucket's offer.
    let made = answering((400, none), (200, r#"{"repositories":[]}"#));
    let (message, _) = refused_with(&made).await;
    assert!(
        message.contains("DataBucket (AWS::S3::Bucket)") && !message.contains("DataAssociation"),
        "{message}"
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
    let execute = executed();
    let events = no_events();
    let delete = change_set_deleted();
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
    let execute = executed();
    let events = no_events();
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
    let execute = executed();
    let events = no_events();
    let delete = change_set_deleted();
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
