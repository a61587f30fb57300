//! What went wrong with an AWS call, in one or two lines: the operation and its resource, AWS's
//! code and message, and what to do. The SDK's whole structure (`DispatchFailure(...)`, headers,
//! bodies) is kept as `detail`, printed only with `--debug`.

use super::login::{Login, ProfileKind};
use crate::error::Error;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::error::Error as StdError;

pub use crate::error::AwsKind as Kind;

/// Classifies `e`, the failure of `operation` (`"HeadBucket pcstack-templates-1-us-east-1"`)
/// of an SDK client (CloudFormation, S3, STS).
pub fn classify<E>(operation: &str, err: SdkError<E, HttpResponse>, login: &Login) -> Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    classify_for(None, operation, err, login)
}

/// [`classify`], for a service whose IAM actions are `<iam_prefix>:<operation>` (a signed
/// call's signing name, `signed::Api::fail`); `None` for the SDK clients'.
pub fn classify_for<E>(
    iam_prefix: Option<&str>,
    operation: &str,
    err: SdkError<E, HttpResponse>,
    login: &Login,
) -> Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let e = &err;
    let detail = format!("{}\n{e:?}", DisplayErrorContext(e));
    // Credentials fail inside the request (a dispatch or construction failure), so look first.
    let credentials = credentials_error(e).map(|c| {
        let kind = credentials_kind(c, login);
        let message = match kind {
            Kind::NoCredentials => "no credentials in the environment, the AWS config files, web identity, container or instance metadata".to_string(),
            _ => chain(c),
        };
        (kind, message)
    });
    let (kind, message) = if let Some(found) = credentials {
        found
    } else {
        match e {
            SdkError::ServiceError(s) => {
                let status = s.raw().status().as_u16();
                let code = s.err().code().unwrap_or("");
                let text = s.err().message().map(one_line).unwrap_or_default();
                let message = match (code.is_empty(), text.is_empty()) {
                    (false, false) => format!("{code}: {text}"),
                    (false, true) => code.to_string(),
                    (true, false) => text.clone(),
                    (true, true) if (200..300).contains(&status) => {
                        return malformed(operation, status, err, login, detail);
                    }
                    (true, true) => format!("HTTP {status}"),
                };
                let message = if code.is_empty() && !text.is_empty() || message.starts_with("HTTP")
                {
                    message
                } else {
                    format!("{message} (HTTP {status})")
                };
                (service_kind(operation, code, &text, status), message)
            }
            SdkError::ResponseError(r) if r.raw().status().is_success() => {
                let status = r.raw().status().as_u16();
                return malformed(operation, status, err, login, detail);
            }
            SdkError::ResponseError(r) => {
                let status = r.raw().status().as_u16();
                let kind = if status >= 500 {
                    Kind::ServerError
                } else {
                    Kind::Other
                };
                (kind, format!("HTTP {status}: {}", chain(e)))
            }
            SdkError::TimeoutError(_) => (Kind::Stalled, "no answer in time".to_string()),
            SdkError::DispatchFailure(d) => {
                let text = chain(e);
                let lower = text.to_ascii_lowercase();
                let kind = if d.is_timeout() {
                    Kind::Stalled
                } else if lower.contains("dns error") || lower.contains("failed to lookup address")
                {
                    Kind::UnknownHost
                } else if d.is_io() {
                    Kind::Unreachable
                } else {
                    Kind::Other
                };
                (kind, text)
            }
            _ => (Kind::Other, chain(e)),
        }
    };
    Error::Aws {
        operation: operation.to_string(),
        message: shorten(&message),
        advice: advice(kind, iam_action(iam_prefix, operation), operation, login),
        detail: Some(detail),
        kind,
        source: Some(Box::new(err)),
    }
}

/// The error codes AWS services throttle with (CloudFormation `Throttling`, S3 `SlowDown`, EC2
/// `RequestLimitExceeded`, ...): retried by `aws::patiently`, [`Kind::Throttled`] when it gives
/// up.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
];

fn service_kind(operation: &str, code: &str, text: &str, status: u16) -> Kind {
    let bucket_op = operation.starts_with("HeadBucket");
    match code {
        // An endpoint that refuses an empty change set instead of failing it (said in text
        // only, whatever the code).
        _ if operation.starts_with("CreateChangeSet") && plan::review::is_empty_reason(text) => {
            Kind::NoChanges
        }
        // The only way CloudFormation says it: "Stack with id X does not exist".
        "ValidationError"
            if operation.starts_with("DescribeStacks") && text.ends_with("does not exist") =>
        {
            Kind::StackMissing
        }

        _ if THROTTLING_CODES.contains(&code) => Kind::Throttled,
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" | "TokenRefreshRequired" => {
            Kind::ExpiredToken
        }
        "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId"
        | "AuthFailure"
        | "IncompleteSignature" => Kind::InvalidCredentials,
        "NoSuchBucket" => Kind::BucketMissing,
        "BucketAlreadyExists" => Kind::BucketNotYours,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "Forbidden"
            if bucket_op =>
        {
            Kind::BucketNotYours
        }
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => Kind::AccessDenied,
        _ if bucket_op && status == 404 => Kind::BucketMissing,
        _ if bucket_op && status == 403 => Kind::BucketNotYours,
        _ if status == 403 => Kind::AccessDenied,
        _ if status >= 500 => Kind::ServerError,
        _ => Kind::Service,
    }
}

/// A connection that failed, told from the text of an error chain (the credential providers
/// wrap their HTTP failures as text): DNS, refused or reset, timed out.
fn network_kind(text: &str) -> Option<Kind> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        Some(Kind::UnknownHost)
    } else if lower.contains("timed out") || lower.contains("timeout") {
        Some(Kind::Stalled)
    } else if lower.contains("connection refused")
        || lower.contains("connection reset")
        || lower.contains("io error")
        || lower.contains("dispatch failure")
    {
        Some(Kind::Unreachable)
    } else {
        None
    }
}

fn credentials_kind(c: &CredentialsError, login: &Login) -> Kind {
    // An endpoint a provider calls (SSO, STS) that can't be reached is a network problem,
    // not an expired session.
    if let Some(kind) = network_kind(&chain(c)) {
        return kind;
    }
    match (c, &login.kind) {
        (CredentialsError::InvalidConfiguration(_), _) => Kind::BadProfile,
        (_, ProfileKind::Sso) => Kind::SsoExpired,
        (CredentialsError::CredentialsNotLoaded(_), _) => Kind::NoCredentials,
        (CredentialsError::ProviderTimedOut(_), _) => Kind::Stalled,
        // Nothing in the environment or the profile files: the chain ended at container or
        // instance metadata, whose own failure (refused, forbidden, no role) means the same.
        (_, ProfileKind::Chain | ProfileKind::Settings) => Kind::NoCredentials,
        _ => Kind::Other,
    }
}

/// A success status whose body did not parse (cut short, not XML/JSON, characters XML
/// forbids): nothing pcstack can trust, said as such rather than "failed: HTTP 200".
fn malformed<E>(
    operation: &str,
    status: u16,
    e: SdkError<E, HttpResponse>,
    login: &Login,
    detail: String,
) -> Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let api = operation.split_whitespace().next().unwrap_or(operation);
    Error::Aws {
        operation: operation.to_string(),
        message: shorten(&format!(
            "AWS sent a malformed answer to {api} (HTTP {status} whose body did not parse: {})",
            chain(&e)
        )),
        advice: advice(Kind::Other, iam_action(None, operation), operation, login),
        detail: Some(detail),
        kind: Kind::Other,
        source: Some(Box::new(e)),
    }
}

/// The credentials error somewhere in `e`'s source chain.
fn credentials_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut next: Option<&'a (dyn StdError + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(c) = err.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        next = err.source();
    }
    None
}

/// The IAM action of an operation, for "needs s3:ListBucket on B": `<iam_prefix>:<API>` for a
/// signed call's service, else the SDK client's (S3's own names, STS, CloudFormation).
fn iam_action(iam_prefix: Option<&str>, operation: &str) -> String {
    let api = operation.split_whitespace().next().unwrap_or(operation);
    if let Some(prefix) = iam_prefix {
        return format!("{prefix}:{api}");
    }
    let s3 = |action: &str| format!("s3:{action}");
    match api {
        "HeadBucket" => s3("ListBucket"),
        "HeadObject" | "GetObject" => s3("GetObject"),
        "PutObject" => s3("PutObject"),
        "CreateBucket" => s3("CreateBucket"),
        "PutBucketEncryption" => s3("PutEncryptionConfiguration"),
        "PutPublicAccessBlock" => s3("PutBucketPublicAccessBlock"),
        "PutBucketPolicy" => s3("PutBucketPolicy"),
        "GetCallerIdentity" => "sts:GetCallerIdentity".to_string(),
        other => format!("cloudformation:{other}"),
    }
}

/// `--profile NAME` as the user would type it, or nothing for the default chain.
fn profile_flag(login: &Login) -> String {
    match &login.profile {
        Some(p) => format!(" --profile {p}"),
        None => String::new(),
    }
}

fn advice(kind: Kind, action: String, operation: &str, login: &Login) -> Option<String> {
    // `HeadBucket B (the template bucket)` -> `B`.
    let resource = operation
        .split_whitespace()
        .nth(1)
        .unwrap_or("its resource");
    let profile = profile_flag(login);
    let name = login.profile.as_deref().unwrap_or("default");
    Some(match kind {
        Kind::NoCredentials => "log in first (`aws sso login --profile NAME`, `aws configure`), then pass --profile or set AWS_PROFILE; or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY".to_string(),
        Kind::BadProfile => format!("profile {name} is not usable as configured: fix it in ~/.aws/config (or AWS_CONFIG_FILE); `aws configure list --profile {name}` shows what the AWS CLI sees"),
        Kind::SsoExpired => format!("the IAM Identity Center (SSO) session of profile {name} has expired or was never started: run `aws sso login --profile {name}`, then retry"),
        Kind::ExpiredToken => match login.kind {
            ProfileKind::Sso => format!("the SSO credentials have expired: run `aws sso login --profile {name}`, then retry"),
            _ => "the temporary credentials have expired: get new ones (log in again, or re-run `aws sts assume-role` and export the result), then retry".to_string(),
        },
        Kind::InvalidCredentials => format!("AWS does not accept these credentials (wrong or deleted access key): check `aws sts get-caller-identity{profile}`"),
        Kind::AccessDenied => format!("the caller may not do this: allow {action} on {resource} in its IAM policy (`aws sts get-caller-identity{profile}` shows who the caller is)"),
        Kind::UnknownHost => "the endpoint's host name does not resolve: check the region (--region, AWS_REGION, the config's region, the profile's region), --endpoint-url, and your network's DNS".to_string(),
        Kind::Unreachable => "the endpoint refused the connection: check --endpoint-url / AWS_ENDPOINT_URL, a proxy or firewall, and your network".to_string(),
        Kind::Stalled => "the endpoint did not answer in time: check your network, proxy or --endpoint-url, then retry (on a slow link, raise --read-timeout)".to_string(),
        Kind::Throttled => "AWS is still throttling after the SDK's retries: wait a minute and re-run; if it persists, other tools are using the same API in this account and region".to_string(),
        Kind::BucketMissing => format!("bucket {resource} does not exist: create it, or leave --template-bucket out to let pcstack create its own"),
        Kind::BucketNotYours => format!("bucket {resource} exists but this account may not use it (another account owns it, or a policy denies {action}): choose another --template-bucket"),
        Kind::ServerError => "AWS failed on its side after the SDK's retries: re-run in a few minutes".to_string(),
        Kind::StackMissing | Kind::NoChanges | Kind::Service | Kind::Other => return None,
    })
}

/// The messages of an error's source chain, without the SDK's generic wrapper texts.
pub fn chain(e: &(dyn StdError + 'static)) -> String {
    const GENERIC: &[&str] = &[
        "dispatch failure",
        "service error",
        "unhandled error",
        "io error",
        "other",
        "failed to construct request",
        "response error",
        "timeout",
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut next: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(err) = next {
        let text = one_line(&err.to_string());
        let generic = GENERIC.contains(&text.to_ascii_lowercase().as_str());
        if !text.is_empty() && !generic && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    if parts.is_empty() {
        one_line(&DisplayErrorContext(e).to_string())
    } else {
        parts.join(": ")
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most 400 characters: an AWS message can quote a whole policy.
fn shorten(s: &str) -> String {
    const MAX: usize = 400;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}... (--debug shows all)")
}

#[cfg(test)]
mod tests {
    //! Each kind from a real HTTP answer (aws-smithy-mocks), parsed by the SDK as it would be
    //! from AWS, then classified.
    use super::super::login::{Login, ProfileKind};
    use crate::error::Error;
    use aws_sdk_cloudformation::config::retry::RetryConfig;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};
    use std::time::Duration;

    const CFN_ERROR: &str = r#"<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>CODE</Code><Message>MESSAGE</Message></Error><RequestId>1</RequestId></ErrorResponse>"#;

    fn cfn_body(code: &str, message: &str) -> String {
        CFN_ERROR.replace("CODE", code).replace("MESSAGE", message)
    }

    fn parts(e: &Error) -> (String, String, Option<String>, Option<String>) {
        match e {
            Error::Aws {
                operation,
                message,
                advice,
                detail,
                ..
            } => (
                operation.clone(),
                message.clone(),
                advice.clone(),
                detail.clone(),
            ),
            other => panic!("not an AWS error: {other:?}"),
        }
    }

    async fn describe_stacks(status: u16, body: &str, attempts: usize) -> (Error, usize) {
        let rule = mock!(aws_sdk_cloudformation::Client::describe_stacks)
            .sequence()
            .http_status(status, Some(body.to_string()))
            .times(attempts)
            .build();
        let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, &[&rule], |c| c
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1))
                    .with_max_backoff(Duration::from_millis(2))
            ));
        let e = match client.describe_stacks().stack_name("net").send().await {
            Err(e) => e,
            Ok(_) => panic!("expected a failure"),
        };
        (
            super::classify("DescribeStacks net", e, &Login::default()),
            rule.num_calls(),
        )
    }

    #[tokio::test]
    async fn access_denied_names_the_action_and_resource() {
        let (e, _) = describe_stacks(
            403,
            &cfn_body(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStacks",
            ),
            1,
        )
        .await;
        let (operation, message, advice, detail) = parts(&e);
        assert_eq!(operation, "DescribeStacks net");
        assert_eq!(
            message,
            "AccessDenied: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStacks (HTTP 403)"
        );
        assert_eq!(
            advice.as_deref(),
            Some("the caller may not do this: allow cloudformation:DescribeStacks on net in its IAM policy (`aws sts get-caller-identity` shows who the caller is)")
        );
        assert!(detail.is_some_and(|d| d.contains("ServiceError")));
        assert_eq!(e.to_string().lines().count(), 2, "{e}");
    }

    #[tokio::test]
    async fn throttling_after_the_sdk_retries() {
        let (e, calls) = describe_stacks(400, &cfn_body("Throttling", "Rate exceeded"), 3).await;
        assert_eq!(calls, 3, "the SDK retried before giving up");
        let (_, message, advice, _) = parts(&e);
        assert_eq!(message, "Throttling: Rate exceeded (HTTP 400)");
        assert!(advice
            .is_some_and(|a| a.starts_with("AWS is still throttling after the SDK's retries")));
    }

    #[tokio::test]
    async fn server_errors_after_retries() {
        let (e, calls) =
            describe_stacks(500, &cfn_body("InternalFailure", "internal error"), 3).await;
        assert_eq!(calls, 3);
        let (_, message, advice, _) = parts(&e);
        assert_eq!(message, "InternalFailure: internal error (HTTP 500)");
        assert!(advice.is_some_and(|a| a.contains("re-run in a few minutes")));
    }

    #[tokio::test]
    async fn expired_token_says_to_log_in_again() {
        let (e, _) = describe_stacks(
            400,
            &cfn_body(
                "ExpiredToken",
                "The security token included in the request is expired",
            ),
            1,
        )
        .await;
        let (_, message, advice, _) = parts(&e);
        assert!(message.starts_with("ExpiredToken: "), "{message}");
        assert!(advice.is_some_and(|a| a.starts_with("the temporary credentials have expired")));
        // An SSO profile: the command that renews it.
        let login = Login {
            profile: Some("ml".into()),
            kind: ProfileKind::Sso,
            credentials_profile: Some("ml".into()),
        };
        assert_eq!(
            super::advice(
                super::Kind::ExpiredToken,
                super::iam_action(None, "DescribeStacks net"),
                "DescribeStacks net",
                &login
            )
            .as_deref(),
            Some("the SSO credentials have expired: run `aws sso login --profile ml`, then retry")
        );
    }

    #[tokio::test]
    async fn other_service_errors_keep_aws_code_and_message_without_advice() {
        let (e, _) = describe_stacks(
            400,
            &cfn_body("ValidationError", "Stack with id net does not exist"),
            1,
        )
        .await;
        assert_eq!(
            e.to_string(),
            "DescribeStacks net failed: ValidationError: Stack with id net does not exist (HTTP 400)"
        );
        // Its kind says the stack is missing (callers take it as no stack), and the SDK's
        // error stays its source.
        assert!(
            matches!(
                e,
                Error::Aws {
                    kind: super::Kind::StackMissing,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(std::error::Error::source(&e).is_some());
        let (other, _) = describe_stacks(
            400,
            &cfn_body("ValidationError", "Template format error"),
            1,
        )
        .await;
        assert!(matches!(
            other,
            Error::Aws {
                kind: super::Kind::Service,
                ..
            }
        ));
    }

    async fn head_bucket(status: u16) -> Error {
        let rule = mock!(aws_sdk_s3::Client::head_bucket)
            .sequence()
            .http_status(status, None)
            .build();
        let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&rule], |c| c
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled()));
        let e = match client.head_bucket().bucket("my-templates").send().await {
            Err(e) => e,
            Ok(_) => panic!("expected a failure"),
        };
        super::classify(
            "HeadBucket my-templates (the template bucket)",
            e,
            &Login::default(),
        )
    }

    #[tokio::test]
    async fn template_bucket_missing_or_not_yours() {
        let missing = head_bucket(404).await;
        assert_eq!(
            missing.to_string(),
            "HeadBucket my-templates (the template bucket) failed: NotFound (HTTP 404)\n  bucket my-templates does not exist: create it, or leave --template-bucket out to let pcstack create its own"
        );
        let not_ours = head_bucket(403).await;
        let (_, _, advice, _) = parts(&not_ours);
        assert_eq!(
            advice.as_deref(),
            Some("bucket my-templates exists but this account may not use it (another account owns it, or a policy denies s3:ListBucket): choose another --template-bucket")
        );
    }

    #[test]
    fn a_failed_metadata_lookup_with_nothing_configured_is_no_credentials() {
        use aws_credential_types::provider::error::CredentialsError;
        // What instance metadata says when it refuses (no instance, or a firewall): the chain's
        // last word when nothing else was configured.
        let refused = CredentialsError::provider_error("request forbidden: IMDS is disabled");
        let chain = Login::default();
        assert!(matches!(
            super::credentials_kind(&refused, &chain),
            super::Kind::NoCredentials
        ));
        // A profile that assumes a role failing the same way is that profile's problem.
        let assume = Login {
            kind: ProfileKind::AssumeRole,
            ..Login::default()
        };
        assert!(matches!(
            super::credentials_kind(&refused, &assume),
            super::Kind::Other
        ));
    }

    #[test]
    fn long_messages_are_cut_and_whitespace_folded() {
        let long = "x ".repeat(500);
        let short = super::shorten(&super::one_line(&long));
        assert!(short.ends_with("... (--debug shows all)"), "{short}");
        assert!(short.chars().count() < 430);
        assert_eq!(super::one_line("a\n  b\tc"), "a b c");
    }
}
