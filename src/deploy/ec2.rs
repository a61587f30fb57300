//! The few read-only EC2 calls pcstack makes (DescribeAvailabilityZones,
//! DescribeInstanceTypeOfferings, DescribeCapacityReservations, DescribeCapacityBlockOfferings),
//! as signed EC2 Query requests run by the SDK's own orchestrator
//! (`aws_smithy_runtime`'s `Operation`): the login's credentials provider and SigV4, the
//! endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL_EC2`, `AWS_ENDPOINT_URL`), the HTTP client,
//! timeouts and retries of the other clients, and their failures classified by
//! `errors::classify` like every other call. `aws-sdk-ec2` would cost more to build than all of
//! pcstack for four calls, so it is not used (README, "Build cost").

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
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::Layer;
use aws_smithy_types::error::metadata::{ErrorMetadata, ProvideErrorMetadata};
use aws_types::SdkConfig;
use indexmap::IndexMap;

/// The EC2 API version of the Query protocol.
const VERSION: &str = "2016-11-15";

/// EC2's Query API for one Region, with the settings of the command's other clients.
#[derive(Clone, Debug)]
pub struct Ec2 {
    config: SdkConfig,
    region: String,
    endpoint: String,
}

/// An error answer of EC2 (`<Response><Errors><Error><Code>`...), or one that could not be read.
#[derive(Debug)]
pub struct Ec2Error {
    meta: ErrorMetadata,
}

impl std::fmt::Display for Ec2Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.meta.code(), self.meta.message()) {
            (Some(c), Some(m)) => write!(f, "{c}: {m}"),
            (Some(c), None) => f.write_str(c),
            (None, Some(m)) => f.write_str(m),
            (None, None) => f.write_str("EC2 error"),
        }
    }
}

impl std::error::Error for Ec2Error {}

impl ProvideErrorMetadata for Ec2Error {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

/// A failed EC2 call, as every SDK client reports one.
pub type Ec2SdkError = SdkError<Ec2Error, HttpResponse>;

/// One item of a list in an EC2 answer: the fields asked for, by their XML name.
pub type Item = IndexMap<&'static str, String>;

/// A page of a list: its items and the token of the next page.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next_token: Option<String>,
}

impl Ec2 {
    /// EC2 in `region`, with `config`'s credentials, HTTP client, timeouts and retries. The
    /// endpoint is the one every client of `config` would use: `--endpoint-url` (set on the
    /// loader), else `AWS_ENDPOINT_URL_EC2` / the profile's `ec2` `endpoint_url`, else
    /// `AWS_ENDPOINT_URL`, else EC2's own in the Region.
    pub fn new(config: &SdkConfig, region: &str) -> Self {
        let custom = if config.get_origin("endpoint_url").is_client_config() {
            config.endpoint_url().map(str::to_string)
        } else {
            config
                .service_config()
                .and_then(|c| {
                    c.load_config(
                        aws_types::service_config::ServiceConfigKey::builder()
                            .service_id("EC2")
                            .env("AWS_ENDPOINT_URL")
                            .profile("endpoint_url")
                            .build()
                            .ok()?,
                    )
                })
                .filter(|e| !e.trim().is_empty())
                .or_else(|| config.endpoint_url().map(str::to_string))
        };
        let endpoint = custom.unwrap_or_else(|| {
            format!(
                "https://ec2.{region}.{}",
                constructs::partition::of(region)
                    .url_suffix
                    .unwrap_or("amazonaws.com")
            )
        });
        Self {
            config: config.clone(),
            region: region.to_string(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
        }
    }

    /// One call: `action` with `params` (Query names such as `Filter.1.Name`); the answer's
    /// body on success.
    pub async fn call(
        &self,
        action: &'static str,
        params: &[(String, String)],
    ) -> Result<String, Ec2SdkError> {
        let mut body = String::new();
        let mut writer = aws_smithy_query::QueryWriter::new(&mut body, action, VERSION);
        for (name, value) in params {
            writer.prefix(name).string(value);
        }
        writer.finish();
        self.operation(action).invoke(body).await
    }

    /// Every page of a paginated list call: `list` is the list's XML name
    /// (`instanceTypeOfferingSet`), `fields` the item fields to keep. `MaxResults` and
    /// `NextToken` are added; EC2 may return fewer items than asked per page, so pages are
    /// read until there is no token.
    pub async fn list_all(
        &self,
        action: &'static str,
        params: &[(String, String)],
        list: &str,
        fields: &[&'static str],
    ) -> Result<Vec<Item>, Ec2SdkError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        // A service that kept answering with a token would never end: EC2's lists here are
        // at most a few thousand items, so 1,000 pages is far more than any real answer.
        for _ in 0..1000 {
            let mut page_params = params.to_vec();
            page_params.push(("MaxResults".into(), "1000".into()));
            if let Some(t) = &token {
                page_params.push(("NextToken".into(), t.clone()));
            }
            let body = self.call(action, &page_params).await?;
            let page = read_list(&body, list, fields).map_err(|e| malformed(action, &e))?;
            items.extend(page.items);
            match page.next_token.filter(|t| !t.is_empty()) {
                Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                _ => return Ok(items),
            }
        }
        Err(malformed(action, "the answer's NextToken never ended"))
    }

    /// The orchestrated operation: SigV4 with the config's credentials for service `ec2` in
    /// the Region, the config's retries, timeouts, HTTP client, sleep and clock.
    fn operation(&self, action: &'static str) -> Operation<String, String, Ec2Error> {
        let c = &self.config;
        let mut components = RuntimeComponentsBuilder::new("pcstack-ec2");
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
        let mut layer = Layer::new("pcstack-ec2");
        layer.store_put(AuthSchemeOptionResolverParams::new(()));
        let region = aws_types::region::SigningRegion::from(aws_types::region::Region::new(
            self.region.clone(),
        ));
        layer.store_put(aws_runtime::auth::SigV4OperationSigningConfig {
            region: Some(region),
            name: Some(aws_types::SigningName::from_static("ec2")),
            ..Default::default()
        });
        let mut builder = Operation::builder()
            .service_name("EC2")
            .operation_name(action)
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
                Ec2Error,
            >::new())
            .retry_classifier(TransientErrorClassifier::<Ec2Error>::new())
            .retry_classifier(HttpStatusCodeClassifier::default())
            .interceptor(super::waiting::Watch)
            .runtime_plugin(
                StaticRuntimePlugin::new()
                    .with_config(layer.freeze())
                    .with_runtime_components(components),
            );
        if let Some(http) = c.http_client() {
            builder = builder.http_client(http);
        }
        if let Some(sleep) = c.sleep_impl() {
            builder = builder.sleep_impl(sleep);
        }
        if let Some(time) = c.time_source() {
            builder = builder.time_source(time);
        }
        builder
            .serializer(|body: String| {
                let mut request = HttpRequest::new(SdkBody::from(body));
                request.set_method("POST")?;
                request.set_uri("/")?;
                request.headers_mut().insert(
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                );
                Ok(request)
            })
            .deserializer(|response: &HttpResponse| {
                let text = response
                    .body()
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                if response.status().is_success() {
                    Ok(text)
                } else {
                    Err(OrchestratorError::operation(error_of(&text)))
                }
            })
            .build()
    }
}

/// EC2's error answer: `<Response><Errors><Error><Code/><Message/></Error></Errors>...`.
fn error_of(body: &str) -> Ec2Error {
    let page = read_list(body, "Errors", &["Code", "Message"]).unwrap_or_default();
    let mut meta = ErrorMetadata::builder();
    if let Some(first) = page.items.first() {
        if let Some(code) = first.get("Code") {
            meta = meta.code(code.clone());
        }
        if let Some(message) = first.get("Message") {
            meta = meta.message(message.clone());
        }
    }
    Ec2Error { meta: meta.build() }
}

/// An answer that parsed but not as EC2 answers: a response error, as the SDK reports one.
fn malformed(action: &str, why: &str) -> Ec2SdkError {
    SdkError::construction_failure(format!("AWS sent a malformed answer to {action}: {why}"))
}

/// The items of the list `list` directly under the answer's root (each `<item>` or, for
/// `Errors`, each `<Error>`), keeping `fields` (leaf elements of each item; nested ones are
/// skipped), and the root's `nextToken`.
pub fn read_list(body: &str, list: &str, fields: &[&'static str]) -> Result<Page, String> {
    use aws_smithy_xml::decode::{try_data, Document};
    let mut doc = Document::new(body);
    let mut root = doc.root_element().map_err(|e| e.to_string())?;
    let mut page = Page::default();
    while let Some(mut tag) = root.next_tag() {
        if tag.start_el().local() == "nextToken" {
            page.next_token = Some(try_data(&mut tag).map_err(|e| e.to_string())?.into_owned());
        } else if tag.start_el().local() == list {
            while let Some(mut item) = tag.next_tag() {
                let mut kept = Item::new();
                while let Some(mut field) = item.next_tag() {
                    let name = field.start_el().local().to_string();
                    if let Some(f) = fields.iter().find(|f| **f == name) {
                        let text = try_data(&mut field).map_err(|e| e.to_string())?;
                        kept.insert(f, text.into_owned());
                    }
                }
                page.items.push(kept);
            }
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_errors_and_tokens_are_read() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstanceTypeOfferingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>1</requestId>
  <instanceTypeOfferingSet>
    <item><instanceType>g5.8xlarge</instanceType><locationType>availability-zone-id</locationType><location>use1-az1</location></item>
    <item><instanceType>p4d.24xlarge</instanceType><tagSet><item><key>k</key></item></tagSet><location>use1-az2</location></item>
  </instanceTypeOfferingSet>
  <nextToken>abc</nextToken>
</DescribeInstanceTypeOfferingsResponse>"#;
        let page = read_list(
            body,
            "instanceTypeOfferingSet",
            &["instanceType", "location"],
        )
        .unwrap();
        assert_eq!(page.next_token.as_deref(), Some("abc"));
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[1]["instanceType"], "p4d.24xlarge");
        assert_eq!(page.items[1]["location"], "use1-az2");
        assert!(!page.items[0].contains_key("locationType"));
        let error = error_of(
            r#"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>x</RequestID></Response>"#,
        );
        assert_eq!(error.code(), Some("UnauthorizedOperation"));
        assert_eq!(
            error.to_string(),
            "UnauthorizedOperation: You are not authorized to perform this operation."
        );
        assert!(read_list("not xml", "x", &[]).is_err());
    }
}
