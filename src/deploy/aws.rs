//! SDK clients from the standard chain (env, profile, SSO cache, IMDS...), and error helpers.

use super::{backoff, Timing};
use crate::error::Error;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::future::Future;

/// The AWS side of a command.
#[derive(Clone, Debug)]
pub struct Aws {
    pub cfn: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    pub sts: Option<aws_sdk_sts::Client>,
    pub region: String,
    /// Set when a custom endpoint is used (`--endpoint-url`, `AWS_ENDPOINT_URL`): S3 template
    /// URLs are then path-style under it.
    pub endpoint: Option<String>,
    pub timing: Timing,
}

/// Where to connect; each `None` falls back to the SDK's standard chain.
#[derive(Debug, Default, Clone)]
pub struct Connection {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

impl Aws {
    pub async fn connect(conn: &Connection) -> Result<Self, Error> {
        use aws_smithy_http_client::{tls, Builder};
        let http = Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader =
            aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(http);
        if let Some(r) = &conn.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(p) = &conn.profile {
            loader = loader.profile_name(p);
        }
        if let Some(e) = &conn.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let config = loader.load().await;
        let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::failed(
                "no AWS region: pass --region, set AWS_REGION, or set one in your profile",
            )
        })?;
        let endpoint = config
            .endpoint_url()
            .map(|e| e.trim_end_matches('/').to_string());
        let s3_config = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(endpoint.is_some())
            .build();
        Ok(Self {
            cfn: aws_sdk_cloudformation::Client::new(&config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            sts: Some(aws_sdk_sts::Client::new(&config)),
            region,
            endpoint,
            timing: Timing::default(),
        })
    }
}

/// `aws` or `aws-cn` (or `aws-us-gov`) for a region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The DNS suffix of a partition.
pub fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    }
}

/// Error code of an SDK error, if the service sent one.
pub fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<&str> {
    match e {
        SdkError::ServiceError(s) => s.err().code(),
        _ => None,
    }
}

/// The service's message, or the whole error chain.
pub fn message<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    e: &SdkError<E, R>,
) -> String {
    match e {
        SdkError::ServiceError(s) => match (s.err().code(), s.err().message()) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (None, Some(m)) => m.to_string(),
            _ => DisplayErrorContext(e).to_string(),
        },
        _ => DisplayErrorContext(e).to_string(),
    }
}

pub fn is_throttling<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    matches!(
        code(e),
        Some(
            "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
        )
    )
}

/// Calls `f`, backing off and retrying while the service throttles (the SDK's own retries
/// give up after 3 attempts; polling should outlast a burst of throttling).
pub async fn patiently<T, E, R, F, Fut>(timing: &Timing, mut f: F) -> Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
{
    let mut wait = timing.events_poll;
    for _ in 0..20 {
        match f().await {
            Err(e) if is_throttling(&e) => {
                tokio::time::sleep(wait).await;
                wait = backoff(wait, timing.max_poll * 3);
            }
            other => return other,
        }
    }
    f().await
}

/// The error of a failed AWS call: the operation (and what it was for) and AWS's answer.
pub fn fail<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    operation: &str,
    e: &SdkError<E, R>,
) -> Error {
    Error::Aws {
        operation: operation.to_string(),
        message: message(e),
    }
}
