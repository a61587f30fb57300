//! `destroy` run again: a deletion in progress, a stack already gone.

use super::*;

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
    let kept = crate::deploy::destroy::destroy(&aws, &ui, &Interrupts::default(), "s", false, None)
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
    let kept = crate::deploy::destroy::destroy(&aws, &ui, &Interrupts::default(), "s", true, None)
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
