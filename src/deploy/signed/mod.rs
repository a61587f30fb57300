//! The calls pcstack makes to services it has no SDK crate for, as signed requests run by the
//! SDK's own orchestrator (`aws_smithy_runtime`'s `Operation`): the login's credentials
//! provider and SigV4, the endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL_<SERVICE>`, the
//! profile's `services` section, `AWS_ENDPOINT_URL`), the HTTP client, timeouts and retries of
//! the other clients, the waiting interceptor, and failures as `SdkError`s that
//! `errors::classify` reads like every other call's.
//!
//! - [`EC2`]'s Query protocol (`query`): DescribeAvailabilityZones,
//!   DescribeInstanceTypeOfferings, DescribeCapacityReservations,
//!   DescribeCapacityBlockOfferings. `aws-sdk-ec2` would cost more to build than all of pcstack.
//! - [`ECR`] and [`FSX`] in awsJson1_1 (`json`): DescribeRepositories and
//!   DescribeDataRepositoryAssociations, `deploy --adopt`'s lookups. Their SDK crates cost about
//!   a sixth of the release build for these two calls.
//!
//! README, "Build cost".

pub mod json;
pub mod query;

use super::errors;
use super::login::Login;
use super::waiting::Watch;
use crate::error::Error;
use aws_smithy_runtime::client::orchestrator::operation::Operation;
use aws_smithy_runtime::client::retries::classifiers::{
    HttpStatusCodeClassifier, TransientErrorClassifier,
};
use aws_smithy_runtime_api::client::auth::static_resolver::StaticAuthSchemeOptionResolver;
use aws_smithy_runtime_api::client::auth::{
    AuthSchemeOptionResolverParams, SharedAuthScheme, SharedAuthSchemeOptionResolver,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse, OrchestratorError};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder;
use aws_smithy_runtime_api::client::runtime_plugin::StaticRuntimePlugin;
use aws_smithy_runtime_api::http::Headers;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::Layer;
use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
use aws_types::SdkConfig;
use std::future::Future;

/// How a service takes requests and answers them: each protocol is its own type, and only
/// [`Api`]s of that type have its calls (`query` on EC2, `json` on ECR and FSx).
pub trait Protocol: Copy + std::fmt::Debug + Send + Sync + 'static {
    /// The service's error answer.
    fn error_of(&self, headers: &Headers, body: &str) -> ApiError;
}

/// EC2's Query protocol: a form-encoded `Action` and `Version`, XML answers, errors as
/// `<Response><Errors><Error><Code>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ec2Query {
    pub version: &'static str,
}

/// awsJson1_1: POST `/` with `X-Amz-Target: <target>.<Operation>`, JSON both ways, errors as
/// `__type` (or `code`, or the `X-Amzn-ErrorType` header) and `message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwsJson11 {
    pub target: &'static str,
}

impl Protocol for Ec2Query {
    fn error_of(&self, _: &Headers, body: &str) -> ApiError {
        query::error_of(body)
    }
}

impl Protocol for AwsJson11 {
    fn error_of(&self, headers: &Headers, body: &str) -> ApiError {
        json::error_of(headers, body)
    }
}

/// A service as its SDK client would reach it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Service<P> {
    /// The SDK's service ID: names the endpoint settings (`AWS_ENDPOINT_URL_ECR`, the
    /// profile's `services` section key `ecr`) and the operation in messages.
    pub id: &'static str,
    /// SigV4's service name, which is also the prefix of its IAM actions (`ecr:`).
    pub signing_name: &'static str,
    /// The endpoint's host before the Region, per variant.
    pub hosts: Hosts,
    pub protocol: P,
}

/// The hosts of a service's endpoints before `.<region>.<suffix>`: the plain and FIPS ones
/// under the partition's DNS suffix, the dual-stack ones under its dual-stack suffix. From
/// each SDK crate's endpoint rules (aws-sdk-ec2, aws-sdk-ecr 1.138, aws-sdk-fsx 1.133,
/// `config/endpoint`), which derive every host from the partition table
/// (`constructs::partition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hosts {
    pub plain: &'static str,
    pub fips: &'static str,
    pub dual_stack: &'static str,
    pub fips_dual_stack: &'static str,
    /// FIPS in aws-us-gov is the plain endpoint (EC2's Regional endpoints there are FIPS).
    pub gov_fips_is_plain: bool,
}

/// An [`Api`] of EC2's Query protocol.
pub type QueryApi = Api<Ec2Query>;
/// An [`Api`] of awsJson1_1.
pub type JsonApi = Api<AwsJson11>;

pub const EC2: Service<Ec2Query> = Service {
    id: "EC2",
    signing_name: "ec2",
    hosts: Hosts {
        plain: "ec2",
        fips: "ec2-fips",
        dual_stack: "ec2",
        fips_dual_stack: "ec2-fips",
        gov_fips_is_plain: true,
    },
    protocol: Ec2Query {
        version: "2016-11-15",
    },
};

pub const ECR: Service<AwsJson11> = Service {
    id: "ECR",
    signing_name: "ecr",
    hosts: Hosts {
        plain: "api.ecr",
        fips: "api.ecr-fips",
        dual_stack: "ecr",
        fips_dual_stack: "ecr-fips",
        gov_fips_is_plain: false,
    },
    protocol: AwsJson11 {
        target: "AmazonEC2ContainerRegistry_V20150921",
    },
};

pub const FSX: Service<AwsJson11> = Service {
    id: "FSx",
    signing_name: "fsx",
    hosts: Hosts {
        plain: "fsx",
        fips: "fsx-fips",
        dual_stack: "fsx",
        fips_dual_stack: "fsx-fips",
        gov_fips_is_plain: false,
    },
    protocol: AwsJson11 {
        target: "AWSSimbaAPIService_v20180301",
    },
};

/// One service in one Region, with the settings of the command's other clients.
#[derive(Clone, Debug)]
pub struct Api<P> {
    service: Service<P>,
    config: SdkConfig,
    region: String,
    endpoint: String,
    watch: Watch,
}

/// A service's error answer (its code and message), or one that could not be read.
#[derive(Debug)]
pub struct ApiError {
    meta: ErrorMetadata,
}

impl ApiError {
    fn new(code: Option<&str>, message: Option<&str>) -> Self {
        let mut meta = ErrorMetadata::builder();
        if let Some(c) = code.filter(|c| !c.is_empty()) {
            meta = meta.code(c);
        }
        if let Some(m) = message.filter(|m| !m.is_empty()) {
            meta = meta.message(m);
        }
        Self { meta: meta.build() }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.meta.code(), self.meta.message()) {
            (Some(c), Some(m)) => write!(f, "{c}: {m}"),
            (Some(c), None) => f.write_str(c),
            (None, Some(m)) => f.write_str(m),
            (None, None) => f.write_str("AWS error"),
        }
    }
}

impl std::error::Error for ApiError {}

impl ProvideErrorMetadata for ApiError {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// A failed call, as every SDK client reports one.
pub type CallError = SdkError<ApiError, HttpResponse>;

/// What one protocol sends: its headers beside the signed ones, and the body.
#[derive(Debug)]
struct Request {
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl<P: Protocol> Api<P> {
    /// `service` in `region`, with `config`'s credentials, HTTP client, timeouts and retries.
    /// The endpoint is the one the service's SDK client of `config` would use:
    /// `--endpoint-url` (set on the loader), else `AWS_ENDPOINT_URL_<ID>` / the profile's
    /// `services` `endpoint_url`, else `AWS_ENDPOINT_URL`, else the service's own in the Region
    /// in the variant the config asks for (FIPS, dual-stack: [`regional`]). Every call goes
    /// through `watch`.
    pub fn new(
        service: Service<P>,
        config: &SdkConfig,
        region: &str,
        watch: &Watch,
    ) -> Result<Self, Error> {
        let endpoint = match custom_endpoint(service.id, config) {
            Some(custom) => custom,
            None => regional(
                service.id,
                &service.hosts,
                region,
                constructs::partition::of(region),
                config.use_fips().unwrap_or(false),
                config.use_dual_stack().unwrap_or(false),
            )?,
        };
        Ok(Self {
            service,
            config: config.clone(),
            region: region.to_string(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            watch: watch.clone(),
        })
    }

    /// The URL requests go to.
    #[cfg(test)]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The IAM action of `operation` of this service (`ecr:DescribeRepositories`).
    pub fn action(&self, operation: &str) -> String {
        format!("{}:{operation}", self.service.signing_name)
    }

    /// A failed call of this service, classified like every SDK call's, with its IAM action
    /// named in access-denied advice by the service's signing name.
    pub fn fail(&self, operation: &str, e: CallError, login: &Login) -> Error {
        errors::classify_for(Some(self.service.signing_name), operation, e, login)
    }

    /// A request of this service's protocol: the answer's body read by `read` on success (a
    /// body it can't read is a response error, as the SDK reports one: classified as a
    /// malformed answer), the service's error otherwise.
    async fn send<O, R>(
        &self,
        operation: &'static str,
        request: Request,
        read: R,
    ) -> Result<O, CallError>
    where
        O: std::fmt::Debug + Send + Sync + 'static,
        R: Fn(&str) -> Result<O, String> + Send + Sync + 'static,
    {
        self.operation(operation, read).invoke(request).await
    }

    /// The orchestrated operation: SigV4 with the config's credentials for the service's
    /// signing name in the Region, the config's retries, timeouts, HTTP client, sleep and
    /// clock; errors read by the service's protocol.
    fn operation<O, R>(&self, name: &'static str, read: R) -> Operation<Request, O, ApiError>
    where
        O: std::fmt::Debug + Send + Sync + 'static,
        R: Fn(&str) -> Result<O, String> + Send + Sync + 'static,
    {
        let c = &self.config;
        let mut builder = Operation::builder()
            .service_name(self.service.id)
            .operation_name(name)
            .behavior_version(c.behavior_version().unwrap_or_else(
                aws_smithy_runtime_api::client::behavior_version::BehaviorVersion::latest,
            ))
            .endpoint_url(&self.endpoint)
            .standard_retry(
                &c.retry_config()
                    .cloned()
                    .unwrap_or_else(aws_smithy_types::retry::RetryConfig::standard),
            )
            .timeout_config(
                c.timeout_config()
                    .cloned()
                    .unwrap_or_else(aws_smithy_types::timeout::TimeoutConfig::disabled),
            )
            .retry_classifier(aws_runtime::retries::classifiers::AwsErrorCodeClassifier::<
                ApiError,
            >::new())
            .retry_classifier(TransientErrorClassifier::<ApiError>::new())
            .retry_classifier(HttpStatusCodeClassifier::default())
            .interceptor(self.watch.clone())
            .runtime_plugin(self.signing());
        if let Some(http) = c.http_client() {
            builder = builder.http_client(http);
        }
        if let Some(sleep) = c.sleep_impl() {
            builder = builder.sleep_impl(sleep);
        }
        if let Some(time) = c.time_source() {
            builder = builder.time_source(time);
        }
        let protocol = self.service.protocol;
        builder
            .serializer(|request: Request| {
                let length = request.body.len();
                let mut http = HttpRequest::new(SdkBody::from(request.body));
                http.set_method("POST")?;
                http.set_uri("/")?;
                for (name, value) in request.headers {
                    http.headers_mut().insert(name, value);
                }
                http.headers_mut()
                    .insert("content-length", length.to_string());
                Ok(http)
            })
            .deserializer(move |response: &HttpResponse| {
                let text = response
                    .body()
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                if response.status().is_success() {
                    read(&text).map_err(|why| OrchestratorError::response(why.into()))
                } else {
                    Err(OrchestratorError::operation(
                        protocol.error_of(response.headers(), &text),
                    ))
                }
            })
            .build()
    }

    /// SigV4 with the config's credentials and identity cache, for the service in the Region.
    fn signing(&self) -> StaticRuntimePlugin {
        let c = &self.config;
        let mut components = RuntimeComponentsBuilder::new("pcstack-signed");
        components.push_auth_scheme(SharedAuthScheme::new(
            aws_runtime::auth::sigv4::SigV4AuthScheme::new(),
        ));
        components.set_auth_scheme_option_resolver(Some(SharedAuthSchemeOptionResolver::new(
            StaticAuthSchemeOptionResolver::new(vec![aws_runtime::auth::sigv4::SCHEME_ID]),
        )));
        if let Some(credentials) = c.credentials_provider() {
            components.set_identity_resolver(aws_runtime::auth::sigv4::SCHEME_ID, credentials);
        }
        if let Some(cache) = c.identity_cache() {
            components.set_identity_cache(Some(cache));
        }
        let mut layer = Layer::new("pcstack-signed");
        layer.store_put(AuthSchemeOptionResolverParams::new(()));
        let region = aws_types::region::SigningRegion::from(aws_types::region::Region::new(
            self.region.clone(),
        ));
        layer.store_put(aws_runtime::auth::SigV4OperationSigningConfig {
            region: Some(region),
            name: Some(aws_types::SigningName::from_static(
                self.service.signing_name,
            )),
            ..Default::default()
        });
        StaticRuntimePlugin::new()
            .with_config(layer.freeze())
            .with_runtime_components(components)
    }
}

/// The endpoint the config sets for the service (`--endpoint-url`, else
/// `AWS_ENDPOINT_URL_<ID>` / the profile's `services` section, else `AWS_ENDPOINT_URL`), if any.
fn custom_endpoint(id: &str, config: &SdkConfig) -> Option<String> {
    if config.get_origin("endpoint_url").is_client_config() {
        return config.endpoint_url().map(str::to_string);
    }
    config
        .service_config()
        .and_then(|c| {
            c.load_config(
                aws_types::service_config::ServiceConfigKey::builder()
                    .service_id(id)
                    .env("AWS_ENDPOINT_URL")
                    .profile("endpoint_url")
                    .build()
                    .ok()?,
            )
        })
        .filter(|e| !e.trim().is_empty())
        .or_else(|| config.endpoint_url().map(str::to_string))
}

/// The service's own endpoint in `region` of `partition`, in the variant asked for, as its SDK
/// crate's endpoint rules build it: FIPS and dual-stack hosts under the partition's suffixes
/// ([`Hosts`]). A variant the partition lacks is refused before any call (exit 2), as the SDK
/// refuses it, naming the setting and the way out.
pub fn regional(
    id: &str,
    hosts: &Hosts,
    region: &str,
    partition: constructs::partition::Partition,
    fips: bool,
    dual_stack: bool,
) -> Result<String, Error> {
    let refuse = |what: &str| {
        let fips_setting = "FIPS (AWS_USE_FIPS_ENDPOINT, the profile's use_fips_endpoint)";
        let dual_stack_setting =
            "dual-stack (AWS_USE_DUALSTACK_ENDPOINT, the profile's use_dualstack_endpoint)";
        let setting = match what {
            "FIPS" => fips_setting.to_string(),
            "dual-stack" => dual_stack_setting.to_string(),
            _ => format!("{fips_setting} with {dual_stack_setting}"),
        };
        Error::usage(format!(
            "{setting} is enabled but partition {} of region {region} has no such {id} endpoint: turn the setting off, or set AWS_ENDPOINT_URL_{} to the endpoint to use",
            partition.name,
            id.to_ascii_uppercase()
        ))
    };
    let p = partition;
    let (host, suffix) = match (fips, dual_stack) {
        (true, true) if p.fips && p.dual_stack => (hosts.fips_dual_stack, p.dual_stack_suffix),
        (true, true) => return Err(refuse("both")),
        (true, false) if !p.fips => return Err(refuse("FIPS")),
        (true, false) if hosts.gov_fips_is_plain && p.name == "aws-us-gov" => {
            (hosts.plain, p.url_suffix)
        }
        (true, false) => (hosts.fips, p.url_suffix),
        (false, true) if !p.dual_stack => return Err(refuse("dual-stack")),
        (false, true) => (hosts.dual_stack, p.dual_stack_suffix),
        (false, false) => (hosts.plain, p.url_suffix),
    };
    Ok(format!("https://{host}.{region}.{suffix}"))
}

/// An answer that arrived but not in the service's shape, found after the answer was read
/// (a paging runaway): a response error of a success, as a body that does not parse is, so
/// `errors::classify` reports both as a malformed answer.
fn malformed(why: &str) -> CallError {
    SdkError::response_error(
        why.to_string(),
        HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(200)
                .unwrap_or_else(|e| unreachable!("{e}")),
            SdkBody::empty(),
        ),
    )
}

/// Every page of a paginated call: `page(token)` reads one page (its items and the next
/// token); pages are read until there is no token. A service that kept answering with a
/// token would never end: the lists read here are at most a few thousand items, so 1,000
/// pages is far more than any real answer.
async fn paginate<T, F, Fut>(mut page: F) -> Result<Vec<T>, CallError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), CallError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..1000 {
        let (got, next) = page(token.clone()).await?;
        items.extend(got);
        match next.filter(|t| !t.is_empty()) {
            Some(next) if Some(&next) != token.as_ref() => token = Some(next),
            _ => return Ok(items),
        }
    }
    Err(malformed(
        "its NextToken never ended (1,000 pages, each with a new token)",
    ))
}

#[cfg(test)]
pub(crate) mod tests;
