//! SDK clients from the standard chain (env, profile, SSO cache, IMDS...), and error helpers.

use super::signed::{self, Api, JsonApi, QueryApi};
use super::waiting::Watch;
use super::{backoff, errors, login, Timing};
use crate::error::Error;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use std::future::Future;

/// The AWS side of a command.
#[derive(Clone, Debug)]
pub struct Aws {
    pub cfn: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    /// Only for `deploy`'s lookups of repositories outside the stack (`super::adopt`), as
    /// signed JSON calls (`super::signed`).
    pub ecr: JsonApi,
    /// Only for `deploy`'s lookups of data repository associations (`super::adopt`).
    pub fsx: JsonApi,
    pub sts: Option<aws_sdk_sts::Client>,
    /// The few read-only EC2 calls (zones, offerings, reservations), as signed Query calls.
    pub ec2: QueryApi,
    pub region: String,
    /// Set when a custom endpoint is used (`--endpoint-url`, `AWS_ENDPOINT_URL`): S3 template
    /// URLs are then path-style under it.
    pub endpoint: Option<String>,
    pub timing: Timing,
    /// Who is logged in: the advice of a failed call depends on it ([`Aws::fail`]).
    pub login: login::Login,
}

use crate::cli::flags::Connection;

impl Aws {
    /// Every client carries `watch` (`waiting::Watch`): a call that takes long is named.
    pub async fn connect(conn: &Connection, watch: &Watch) -> Result<Self, Error> {
        use aws_smithy_http_client::{tls, Builder};
        // The profile first: an unknown profile is an error before any network call.
        let (login, profiles) = login::select(conn.profile.as_deref()).await?;
        super::settings::check(conn.endpoint_url.as_deref(), &profiles)?;
        let http = Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(conn.timeouts.connect)
            .read_timeout(conn.timeouts.read)
            .operation_attempt_timeout(conn.timeouts.attempt)
            .build();
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http.clone())
            .timeout_config(timeouts.clone());
        if let Some(r) = &conn.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(p) = &login.profile {
            loader = loader.profile_name(p);
        }
        if let Some(e) = &conn.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let config = loader.load().await;
        let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
            Error::failed(
                "no AWS region: pass --region, set AWS_REGION, pass --config FILE with `region:` in it, or set one in your profile",
            )
        })?;
        if conn.region.is_none() {
            // From the profile (or instance metadata): checked like --region.
            constructs::rules::names::region(&region).map_err(|v| {
                let from = login
                    .profile
                    .as_deref()
                    .map_or("the default profile".to_string(), |p| {
                        format!("profile {p}")
                    });
                Error::usage(format!(
                    "the region of {from}: {}",
                    synth::input::cut_message(&v.message)
                ))
            })?;
        }
        let config = credentials(conn, &login, &profiles, config, http, timeouts).await?;
        let endpoint = config
            .endpoint_url()
            .map(|e| e.trim_end_matches('/').to_string());
        let aws = Self::clients(&config, region, endpoint, login, watch)?;
        if conn.debug {
            aws.print_identity().await?;
        }
        Ok(aws)
    }

    /// Every client from one SDK config, each carrying `watch`; an endpoint variant (FIPS,
    /// dual-stack) a signed service lacks in the Region is refused here, before any call.
    fn clients(
        config: &aws_config::SdkConfig,
        region: String,
        endpoint: Option<String>,
        login: login::Login,
        watch: &Watch,
    ) -> Result<Self, Error> {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(endpoint.is_some())
            .interceptor(watch.clone())
            .build();
        Ok(Self {
            cfn: aws_sdk_cloudformation::Client::from_conf(
                aws_sdk_cloudformation::config::Builder::from(config)
                    .interceptor(watch.clone())
                    .build(),
            ),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            ecr: Api::new(signed::ECR, config, &region, watch)?,
            fsx: Api::new(signed::FSX, config, &region, watch)?,
            sts: Some(aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(config)
                    .interceptor(watch.clone())
                    .build(),
            )),
            ec2: Api::new(signed::EC2, config, &region, watch)?,
            region,
            endpoint,
            timing: Timing::default(),
            login,
        })
    }

    /// `--debug`: who pcstack is logged in as (GetCallerIdentity), before anything else.
    async fn print_identity(&self) -> Result<(), Error> {
        let Some(sts) = &self.sts else {
            return Ok(());
        };
        let who = sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| self.fail("GetCallerIdentity", e))?;
        crate::cli::eprint_line(&format!(
            "debug: region {}, profile {} ({:?}), identity {} (account {})",
            self.region,
            self.login.profile.as_deref().unwrap_or("(default chain)"),
            self.login.kind,
            who.arn().unwrap_or("?"),
            who.account().unwrap_or("?")
        ));
        Ok(())
    }

    /// The error of a failed AWS call: the operation (and its resource), AWS's code and
    /// message, and what to do for this login (`errors::classify`); the SDK's whole error only
    /// with `--debug`.
    pub fn fail<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
        &self,
        operation: &str,
        e: SdkError<E, HttpResponse>,
    ) -> Error {
        errors::classify(operation, e, &self.login)
    }
}

/// The credentials of the login: an MFA profile's role assumed with the code read from the
/// terminal, or `--profile`'s provider (which wins over keys in the environment, as in the AWS
/// CLI; the SDK's default chain would read the environment first); else the default chain's.
async fn credentials(
    conn: &Connection,
    login: &login::Login,
    profiles: &aws_config::profile::ProfileSet,
    mut config: aws_config::SdkConfig,
    http: aws_smithy_runtime_api::client::http::SharedHttpClient,
    timeouts: aws_config::timeout::TimeoutConfig,
) -> Result<aws_config::SdkConfig, Error> {
    if let Some(name) = &login.credentials_profile {
        if let Some(role) = login::mfa_role(profiles, name)? {
            let code = login::read_mfa_code(&role)?;
            let credentials = login::assume_role_with_mfa(login, &role, &code, &config).await?;
            config = config
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(credentials),
                )
                .build();
        } else if conn.profile.is_some() {
            // `--profile` wins over AWS_ACCESS_KEY_ID in the environment, as in the AWS CLI
            // (the SDK's default chain would read the environment first).
            let mut provider_config = aws_config::provider_config::ProviderConfig::default()
                .with_region(config.region().cloned())
                .with_http_client(http)
                .with_timeout_config(timeouts);
            if let Some(sleep) = config.sleep_impl() {
                provider_config = provider_config.with_sleep_impl(sleep);
            }
            let provider = aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(name)
                .build();
            config = config
                .into_builder()
                .credentials_provider(
                    aws_credential_types::provider::SharedCredentialsProvider::new(provider),
                )
                .build();
        }
    }
    Ok(config)
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
    code(e).is_some_and(|c| errors::THROTTLING_CODES.contains(&c))
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
