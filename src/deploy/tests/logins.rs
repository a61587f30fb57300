//! Each connection's login, in the advice of its failures: two logins in one process each get
//! their own (the login was a process-wide value the first connection set).

use super::*;
use crate::deploy::login::{Login, ProfileKind};

/// A mocked connection as `login`, whose every DescribeStacks is answered ExpiredToken.
fn expired(login: Login) -> (Aws, Rule) {
    let body = error(
        400,
        "ExpiredToken",
        "The security token included in the request is expired",
    );
    let rule = mock!(Client::describe_stacks).then_http_response(move || {
        HttpResponse::new(
            StatusCode::try_from(400).unwrap_or_else(|e| panic!("{e}")),
            SdkBody::from(body.clone()),
        )
    });
    let mut aws = aws(&[&rule]);
    aws.login = login;
    (aws, rule)
}

fn advice_of(e: &Error) -> Option<&str> {
    match e {
        Error::Aws { advice, .. } => advice.as_deref(),
        other => panic!("not an AWS error: {other:?}"),
    }
}

#[tokio::test]
async fn two_logins_in_one_process_each_get_their_own_advice() {
    let (sso, sso_calls) = expired(Login {
        profile: Some("ml".into()),
        kind: ProfileKind::Sso,
        credentials_profile: Some("ml".into()),
    });
    let (keys, keys_calls) = expired(Login {
        profile: Some("dev".into()),
        kind: ProfileKind::AssumeRole,
        credentials_profile: Some("dev".into()),
    });
    let sso_advice =
        "the SSO credentials have expired: run `aws sso login --profile ml`, then retry";
    let keys_advice = "the temporary credentials have expired: get new ones (log in again, or re-run `aws sts assume-role` and export the result), then retry";
    // Interleaved: neither connection's login leaks into the other's failures.
    for _ in 0..2 {
        let e = crate::deploy::stack::describe(&sso, "s")
            .await
            .expect_err("expired");
        assert_eq!(advice_of(&e), Some(sso_advice), "{e}");
        let e = crate::deploy::stack::describe(&keys, "s")
            .await
            .expect_err("expired");
        assert_eq!(advice_of(&e), Some(keys_advice), "{e}");
    }
    assert_eq!((sso_calls.num_calls(), keys_calls.num_calls()), (2, 2));
}
