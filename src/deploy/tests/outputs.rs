//! The steps after the change set: outputs, the outputs file, the stack policy.

use super::*;

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
    let review = crate::deploy::run::fetch_outputs(&aws, "s", None)
        .await
        .expect_err("review in progress");
    assert_eq!(review.exit_code(), 1);
    assert_eq!(
        review.to_string(),
        "stack s is REVIEW_IN_PROGRESS: it has never been deployed (a change set waits for review), so it has no outputs; deploy it first"
    );
    let none = crate::deploy::run::fetch_outputs(&aws, "s", None)
        .await
        .expect_err("no outputs");
    assert_eq!(
        none.to_string(),
        "stack s (CREATE_COMPLETE) has no outputs: nothing to print"
    );
}
