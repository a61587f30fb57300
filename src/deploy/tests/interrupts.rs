//! Ctrl-C: at a prompt, while following, and a lost connection.

use super::*;

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
    let delete_cs = change_set_deleted();
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
    let events = no_events();
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

#[tokio::test]
async fn a_lost_connection_while_following_stops_waiting_exit_4() {
    let mut aws = aws(&[]);
    aws.cfn = unreachable_cfn();
    let (ui, _) = Ui::captured();
    let follow = crate::deploy::events::Follow {
        stack_id: STACK_ID,
        stack_name: "s",
        token: Some("t"),
        since: DateTime::from_secs(now()),
        total: 1,
        deadline: None,
        resume: "pcstack deploy --template t.yaml --stack-name s",
    };
    let failure = crate::deploy::events::follow(&aws, &ui, &Interrupts::default(), &follow)
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

/// A CloudFormation connector for [`ctrl_c_while_computing_names_the_deletion_not_the_wait`]:
/// DescribeChangeSet is never answered, DeleteChangeSet once `delete` is released; every other
/// call at once (the mocks give the answers).
#[derive(Debug, Clone)]
struct Stalling {
    delete: Arc<tokio::sync::Semaphore>,
}

impl aws_smithy_runtime_api::client::http::HttpConnector for Stalling {
    fn call(
        &self,
        request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).to_string();
        let delete = self.delete.clone();
        aws_smithy_runtime_api::client::http::HttpConnectorFuture::new(async move {
            if body.contains("Action=DescribeChangeSet") {
                std::future::pending::<()>().await;
            }
            if body.contains("Action=DeleteChangeSet") {
                let _ = delete.acquire().await;
            }
            let ok = StatusCode::try_from(200).unwrap_or_else(|e| panic!("{e}"));
            Ok(HttpResponse::new(ok, SdkBody::empty()))
        })
    }
}

/// Ctrl-C while CloudFormation computes the change set abandons the DescribeChangeSet that
/// was waiting for AWS's answer and deletes the change set: meanwhile, what pcstack says it
/// waits for is that deletion, and once it is done, nothing.
#[tokio::test]
async fn ctrl_c_while_computing_names_the_deletion_not_the_wait() {
    use crate::deploy::waiting::{Watch, SAY_AFTER};
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let (create, execute) = create_rules();
    let deployed = mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(TEMPLATE).build());
    let cs = mock!(Client::describe_change_set).then_output(|| ready(vec![]));
    let delete_cs = change_set_deleted();
    let watch = Watch::default();
    let stalling = Stalling {
        delete: Arc::new(tokio::sync::Semaphore::new(0)),
    };
    let http = {
        let stalling = stalling.clone();
        aws_smithy_runtime_api::client::http::http_client_fn(move |_, _| {
            aws_smithy_runtime_api::client::http::SharedHttpConnector::new(stalling.clone())
        })
    };
    let mut aws = aws(&[]);
    aws.cfn = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        &[&describe, &create, &deployed, &cs, &delete_cs, &execute],
        |c| c
            .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled())
            .interceptor(watch.clone())
            .http_client(http.clone())
    );
    let (ui, buf) = Ui::captured();
    let interrupts = Interrupts::default();
    // What the heartbeat would say SAY_AFTER from now, once it names `operation` (polled for
    // up to 10 s); the last thing it said otherwise.
    let named = |operation: &'static str| {
        let watch = watch.clone();
        async move {
            let mut said = String::new();
            for _ in 0..2000 {
                said = watch
                    .waiting_for(Instant::now() + SAY_AFTER)
                    .unwrap_or_default();
                if said.contains(operation) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            said
        }
    };
    let person = async {
        let waiting = named("DescribeChangeSet").await;
        assert!(
            waiting.starts_with(
                "still waiting for AWS's answer to CloudFormation DescribeChangeSet ("
            ),
            "{waiting}"
        );
        assert!(interrupts.press(), "the wait listens for Ctrl-C");
        let deleting = named("DeleteChangeSet").await;
        stalling.delete.add_permits(1);
        deleting
    };
    let req = request();
    let (result, deleting) = tokio::join!(deploy(&aws, &ui, &interrupts, &req), person);
    let text = buf
        .lock()
        .map(|b| String::from_utf8_lossy(&b).to_string())
        .unwrap_or_default();
    assert!(
        deleting.starts_with("still waiting for AWS's answer to CloudFormation DeleteChangeSet ("),
        "{deleting}\n{text}"
    );
    let failure = result.expect_err("interrupted");
    assert_eq!(failure.exit_code(), 130, "{failure}\n{text}");
    let message = failure.to_string();
    assert!(
        message.starts_with("interrupted; change set pcstack-")
            && message.ends_with(" deleted, nothing was executed"),
        "{message}"
    );
    assert_eq!(delete_cs.num_calls(), 1);
    assert_eq!(execute.num_calls(), 0);
    assert_eq!(
        watch.waiting_for(Instant::now() + SAY_AFTER),
        None,
        "nothing runs any more"
    );
}
