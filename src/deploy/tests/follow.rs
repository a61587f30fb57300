//! Following a stack operation: its own events, throttling, failed pages.

use super::*;

#[tokio::test]
async fn one_ctrl_c_while_following_asks_and_detach_is_exit_4() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateInProgress));
    let events = no_events();
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
    let follow = crate::deploy::events::Follow {
        stack_id: STACK_ID,
        stack_name: "s",
        token: Some("t"),
        since: DateTime::from_secs(now()),
        total: 1,
        deadline: None,
        resume: "pcstack deploy --template t.yaml --stack-name s",
    };
    let failure = crate::deploy::events::follow(&aws, &ui, &interrupts, &follow)
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
    let ready = crate::deploy::changeset::wait(&aws, "cs-arn")
        .await
        .expect("computed");
    assert!(
        matches!(ready, crate::deploy::changeset::Ready::Changes(_)),
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
