//! The signed calls' requests as they leave (method, path, headers, signature scope, body) and
//! their failures as `errors::classify` reports them, against the SDK's static replay client:
//! answers moto can't give (throttling, server errors, a body that isn't JSON).

use super::*;
use crate::deploy::login::Login;
use crate::error::{AwsKind, Error};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::retry::RetryConfig;
use serde_json::{json, Value as Json};
use std::time::Duration;

/// An SDK config answering with `answers` in turn (then failing to connect), with fixed keys
/// and retries that wait 1 ms.
pub(crate) fn config(answers: &[(u16, &str)]) -> (SdkConfig, StaticReplayClient) {
    let http = StaticReplayClient::new(
        answers
            .iter()
            .map(|(status, body)| {
                let status = StatusCode::try_from(*status).unwrap_or_else(|e| panic!("{e}"));
                ReplayEvent::new(
                    HttpRequest::new(SdkBody::empty()),
                    HttpResponse::new(status, SdkBody::from(*body)),
                )
            })
            .collect(),
    );
    let config = SdkConfig::builder()
        .http_client(http.clone())
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        )))
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .build();
    (config, http)
}

/// `service` in us-east-1 with `config` and a watch of its own.
fn api<P: Protocol>(service: Service<P>, config: &SdkConfig) -> Api<P> {
    Api::new(service, config, "us-east-1", &Watch::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Every page of FSx's DescribeDataRepositoryAssociations with `filter`, as adoption reads them.
async fn associations(fsx: &JsonApi, filter: &Json) -> Result<Vec<Json>, CallError> {
    fsx.json_list_all(
        &crate::deploy::Timing::fast(),
        "DescribeDataRepositoryAssociations",
        filter,
        "Associations",
        "NextToken",
    )
    .await
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> &'a str {
    request.headers().get(name).unwrap_or("")
}

fn body(request: &HttpRequest) -> Json {
    let bytes = request.body().bytes().unwrap_or_default();
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{e}: {bytes:?}"))
}

/// `e` as `service`'s failure of `operation` (`Api::fail`).
fn classified<P: Protocol>(
    service: Service<P>,
    operation: &str,
    e: CallError,
) -> (AwsKind, String) {
    let (config, _) = config(&[]);
    let api = api(service, &config);
    match api.fail(operation, e, &Login::default()) {
        Error::Aws {
            kind,
            message,
            advice,
            ..
        } => (kind, format!("{message} | {}", advice.unwrap_or_default())),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ecr_is_called_in_aws_json_signed_for_ecr_at_its_regional_endpoint() {
    let (config, http) = config(&[(
        200,
        r#"{"repositories":[{"repositoryName":"r","encryptionConfiguration":{"encryptionType":"AES256"}}]}"#,
    )]);
    let ecr =
        Api::new(ECR, &config, "eu-west-1", &Watch::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ecr.endpoint(), "https://api.ecr.eu-west-1.amazonaws.com");
    let answer = ecr
        .json("DescribeRepositories", &json!({"repositoryNames": ["r"]}))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        answer["repositories"][0]["encryptionConfiguration"]["encryptionType"],
        "AES256"
    );
    let sent: Vec<&HttpRequest> = http.actual_requests().collect();
    assert_eq!(sent.len(), 1);
    let request = sent[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.uri(),
        "https://api.ecr.eu-west-1.amazonaws.com/",
        "POST / at the Region's endpoint"
    );
    assert_eq!(
        header(request, "x-amz-target"),
        "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"
    );
    assert_eq!(
        header(request, "content-type"),
        "application/x-amz-json-1.1"
    );
    assert!(
        header(request, "authorization").contains("/eu-west-1/ecr/aws4_request"),
        "SigV4 for ecr in the Region: {}",
        header(request, "authorization")
    );
    assert_eq!(body(request), json!({"repositoryNames": ["r"]}));
}

/// The endpoint settings the SDK reads per service (`AWS_ENDPOINT_URL_FSX`, the profile's
/// `services` section), asked by each service's own ID.
#[derive(Debug)]
struct PerService(&'static str, &'static str);

impl aws_types::service_config::LoadServiceConfig for PerService {
    fn load_config(&self, key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        (key.service_id() == self.0 && key.profile() == "endpoint_url").then(|| self.1.to_string())
    }
}

#[tokio::test]
async fn fsx_pages_are_read_to_the_end_at_the_services_own_endpoint_setting() {
    let (config, http) = config(&[
        (
            200,
            r#"{"Associations":[{"AssociationId":"dra-1","FileSystemPath":"/a"}],"NextToken":"t1"}"#,
        ),
        (
            200,
            r#"{"Associations":[{"AssociationId":"dra-2","FileSystemPath":"/b"}]}"#,
        ),
    ]);
    let config = config
        .into_builder()
        .service_config(PerService("FSx", "http://127.0.0.1:9/fsx/"))
        .build();
    let fsx = api(FSX, &config);
    assert_eq!(fsx.endpoint(), "http://127.0.0.1:9/fsx");
    assert_eq!(
        api(ECR, &config).endpoint(),
        "https://api.ecr.us-east-1.amazonaws.com",
        "FSx's setting is FSx's only"
    );
    let filter = json!({"Filters": [{"Name": "file-system-id", "Values": ["fs-1"]}]});
    let all = associations(&fsx, &filter)
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    let ids: Vec<&str> = all
        .iter()
        .filter_map(|a| a["AssociationId"].as_str())
        .collect();
    assert_eq!(ids, ["dra-1", "dra-2"]);
    let sent: Vec<&HttpRequest> = http.actual_requests().collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        header(sent[0], "x-amz-target"),
        "AWSSimbaAPIService_v20180301.DescribeDataRepositoryAssociations"
    );
    assert!(header(sent[0], "authorization").contains("/us-east-1/fsx/aws4_request"));
    assert_eq!(body(sent[0]), filter);
    let mut second = filter.clone();
    second["NextToken"] = json!("t1");
    assert_eq!(body(sent[1]), second, "the token sent back by its name");
}

#[tokio::test]
async fn service_errors_keep_their_code_and_are_classified_like_sdk_errors() {
    let (missing, http) = config(&[(
        400,
        r#"{"__type":"RepositoryNotFoundException","message":"The repository with name 'r' does not exist in the registry with id '123456789012'"}"#,
    )]);
    let ecr = api(ECR, &missing);
    let e = ecr
        .json("DescribeRepositories", &json!({"repositoryNames": ["r"]}))
        .await
        .expect_err("not found");
    assert_eq!(
        crate::deploy::aws::code(&e),
        Some("RepositoryNotFoundException")
    );
    assert_eq!(http.actual_requests().count(), 1, "not retried");

    let (denied, _) = config(&[(
        400,
        r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/u is not authorized to perform: ecr:DescribeRepositories"}"#,
    )]);
    let e = api(ECR, &denied)
        .json("DescribeRepositories", &json!({}))
        .await
        .expect_err("denied");
    let (kind, text) = classified(ECR, "DescribeRepositories r", e);
    assert_eq!(kind, AwsKind::AccessDenied, "{text}");
    assert!(
        text.contains("AccessDeniedException: User: arn:aws:iam::123456789012:user/u")
            && text.contains("allow ecr:DescribeRepositories on r"),
        "{text}"
    );
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_then_reported_as_the_sdk_does() {
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    let (first, http) = config(&[(400, throttled), (200, r#"{"Associations":[]}"#)]);
    let fsx = api(FSX, &first);
    let answer = fsx
        .json("DescribeDataRepositoryAssociations", &json!({}))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(answer, json!({"Associations": []}));
    assert_eq!(http.actual_requests().count(), 2, "throttled once, retried");

    let failed = r#"{"__type":"InternalServerError","Message":"try later"}"#;
    let (second, http) = config(&[(500, failed), (500, failed), (500, failed)]);
    let e = api(FSX, &second)
        .json("DescribeDataRepositoryAssociations", &json!({}))
        .await
        .expect_err("failed");
    assert_eq!(http.actual_requests().count(), 3, "the standard 3 attempts");
    let (kind, text) = classified(FSX, "DescribeDataRepositoryAssociations fs-1", e);
    assert_eq!(kind, AwsKind::ServerError, "{text}");
    assert!(
        text.starts_with("InternalServerError: try later (HTTP 500)"),
        "{text}"
    );
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_a_malformed_answer() {
    let cut = r#"{"repositories":[{"repositoryName":"#;
    let (config, _) = config(&[(200, cut), (200, cut), (200, cut)]);
    let e = api(ECR, &config)
        .json("DescribeRepositories", &json!({}))
        .await
        .expect_err("malformed");
    let (kind, text) = classified(ECR, "DescribeRepositories r", e);
    assert_eq!(kind, AwsKind::Other, "{text}");
    assert!(
        text.starts_with("AWS sent a malformed answer to DescribeRepositories (HTTP 200"),
        "{text}"
    );
}

#[tokio::test]
async fn ec2_is_called_in_its_query_protocol_signed_for_ec2() {
    let (config, http) = config(&[(
        200,
        "<DescribeAvailabilityZonesResponse><availabilityZoneInfo/></DescribeAvailabilityZonesResponse>",
    )]);
    let ec2 = Api::new(EC2, &config, "ap-southeast-2", &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let params = [("ZoneName.1".to_string(), "ap-southeast-2a".to_string())];
    ec2.query(
        "DescribeAvailabilityZones",
        &params,
        "availabilityZoneInfo",
        &["zoneName"],
    )
    .await
    .unwrap_or_else(|e| panic!("{e:?}"));
    let sent: Vec<&HttpRequest> = http.actual_requests().collect();
    assert_eq!(sent[0].uri(), "https://ec2.ap-southeast-2.amazonaws.com/");
    assert_eq!(
        header(sent[0], "content-type"),
        "application/x-www-form-urlencoded; charset=utf-8"
    );
    assert!(header(sent[0], "authorization").contains("/ap-southeast-2/ec2/aws4_request"));
    assert_eq!(
        sent[0].body().bytes(),
        Some(
            &b"Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=ap-southeast-2a"[..]
        )
    );
}

/// `service`'s endpoint in `region` with FIPS and dual-stack as given.
fn endpoint_of<P: Protocol>(service: Service<P>, region: &str, fips: bool, ds: bool) -> String {
    let config = SdkConfig::builder()
        .use_fips(fips)
        .use_dual_stack(ds)
        .build();
    match Api::new(service, &config, region, &Watch::default()) {
        Ok(api) => api.endpoint().to_string(),
        Err(e) => panic!("{e}"),
    }
}

/// (region, FIPS, dual-stack) -> EC2, ECR, FSx, as their SDK crates' endpoint rules give.
const ENDPOINTS: [(&str, bool, bool, [&str; 3]); 11] = [
    (
        "cn-north-1",
        false,
        false,
        [
            "https://ec2.cn-north-1.amazonaws.com.cn",
            "https://api.ecr.cn-north-1.amazonaws.com.cn",
            "https://fsx.cn-north-1.amazonaws.com.cn",
        ],
    ),
    (
        "cn-north-1",
        true,
        false,
        [
            "https://ec2-fips.cn-north-1.amazonaws.com.cn",
            "https://api.ecr-fips.cn-north-1.amazonaws.com.cn",
            "https://fsx-fips.cn-north-1.amazonaws.com.cn",
        ],
    ),
    (
        "cn-north-1",
        false,
        true,
        [
            "https://ec2.cn-north-1.api.amazonwebservices.com.cn",
            "https://ecr.cn-north-1.api.amazonwebservices.com.cn",
            "https://fsx.cn-north-1.api.amazonwebservices.com.cn",
        ],
    ),
    (
        "cn-north-1",
        true,
        true,
        [
            "https://ec2-fips.cn-north-1.api.amazonwebservices.com.cn",
            "https://ecr-fips.cn-north-1.api.amazonwebservices.com.cn",
            "https://fsx-fips.cn-north-1.api.amazonwebservices.com.cn",
        ],
    ),
    (
        "us-gov-west-1",
        false,
        false,
        [
            "https://ec2.us-gov-west-1.amazonaws.com",
            "https://api.ecr.us-gov-west-1.amazonaws.com",
            "https://fsx.us-gov-west-1.amazonaws.com",
        ],
    ),
    (
        "us-gov-west-1",
        true,
        false,
        [
            "https://ec2.us-gov-west-1.amazonaws.com",
            "https://api.ecr-fips.us-gov-west-1.amazonaws.com",
            "https://fsx-fips.us-gov-west-1.amazonaws.com",
        ],
    ),
    (
        "us-gov-west-1",
        false,
        true,
        [
            "https://ec2.us-gov-west-1.api.aws",
            "https://ecr.us-gov-west-1.api.aws",
            "https://fsx.us-gov-west-1.api.aws",
        ],
    ),
    (
        "us-gov-west-1",
        true,
        true,
        [
            "https://ec2-fips.us-gov-west-1.api.aws",
            "https://ecr-fips.us-gov-west-1.api.aws",
            "https://fsx-fips.us-gov-west-1.api.aws",
        ],
    ),
    (
        "eusc-de-east-1",
        false,
        false,
        [
            "https://ec2.eusc-de-east-1.amazonaws.eu",
            "https://api.ecr.eusc-de-east-1.amazonaws.eu",
            "https://fsx.eusc-de-east-1.amazonaws.eu",
        ],
    ),
    (
        "eu-isoe-west-1",
        true,
        false,
        [
            "https://ec2-fips.eu-isoe-west-1.cloud.adc-e.uk",
            "https://api.ecr-fips.eu-isoe-west-1.cloud.adc-e.uk",
            "https://fsx-fips.eu-isoe-west-1.cloud.adc-e.uk",
        ],
    ),
    (
        "us-isof-south-1",
        false,
        false,
        [
            "https://ec2.us-isof-south-1.csp.hci.ic.gov",
            "https://api.ecr.us-isof-south-1.csp.hci.ic.gov",
            "https://fsx.us-isof-south-1.csp.hci.ic.gov",
        ],
    ),
];

#[test]
fn endpoints_follow_fips_and_dual_stack_in_each_partition() {
    for (region, fips, ds, [ec2, ecr, fsx]) in ENDPOINTS {
        let got = [
            endpoint_of(EC2, region, fips, ds),
            endpoint_of(ECR, region, fips, ds),
            endpoint_of(FSX, region, fips, ds),
        ];
        assert_eq!(got, [ec2, ecr, fsx], "{region} fips={fips} dual-stack={ds}");
    }
    // A custom endpoint wins over both: the way out of a variant a partition lacks.
    let config = SdkConfig::builder()
        .use_fips(true)
        .use_dual_stack(true)
        .service_config(PerService("ECR", "http://127.0.0.1:9/"))
        .build();
    let ecr = Api::new(ECR, &config, "us-gov-west-1", &Watch::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ecr.endpoint(), "http://127.0.0.1:9");
}

#[test]
fn a_variant_the_partition_lacks_is_refused_before_any_call_naming_the_way_out() {
    let lacking = constructs::partition::Partition {
        fips: false,
        dual_stack: false,
        ..constructs::partition::of("us-gov-west-1")
    };
    for (fips, ds, what) in [
        (
            true,
            false,
            "FIPS (AWS_USE_FIPS_ENDPOINT, the profile's use_fips_endpoint) is enabled",
        ),
        (
            false,
            true,
            "dual-stack (AWS_USE_DUALSTACK_ENDPOINT, the profile's use_dualstack_endpoint) is enabled",
        ),
        (true, true, "use_fips_endpoint) with dual-stack (AWS_USE_DUALSTACK_ENDPOINT"),
    ] {
        let e = regional("FSx", &FSX.hosts, "us-gov-west-1", lacking, fips, ds)
            .expect_err("no such endpoint");
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(
            text.contains(what)
                && text.contains(
                    "partition aws-us-gov of region us-gov-west-1 has no such FSx endpoint"
                )
                && text.contains("AWS_ENDPOINT_URL_FSX"),
            "{text}"
        );
    }
    assert_eq!(
        regional("FSx", &FSX.hosts, "us-gov-west-1", lacking, false, false).ok(),
        Some("https://fsx.us-gov-west-1.amazonaws.com".to_string())
    );
}

#[tokio::test]
async fn a_throttled_later_page_is_retried_alone() {
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    // Page 1, then page 2 throttled through the SDK's 3 attempts, then page 2 again.
    let (config, http) = config(&[
        (
            200,
            r#"{"Associations":[{"AssociationId":"dra-1"}],"NextToken":"t1"}"#,
        ),
        (400, throttled),
        (400, throttled),
        (400, throttled),
        (200, r#"{"Associations":[{"AssociationId":"dra-2"}]}"#),
    ]);
    let fsx = api(FSX, &config);
    let all = associations(&fsx, &json!({}))
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(all.len(), 2);
    let tokens: Vec<Json> = http
        .actual_requests()
        .map(|r| body(r).get("NextToken").cloned().unwrap_or(Json::Null))
        .collect();
    assert_eq!(
        tokens,
        [
            Json::Null,
            json!("t1"),
            json!("t1"),
            json!("t1"),
            json!("t1")
        ],
        "page 1 read once"
    );
}

#[tokio::test]
async fn an_answer_that_is_not_the_xml_asked_for_is_a_malformed_answer_as_in_json() {
    let (config, _) = config(&[(200, "<cut"), (200, "<cut"), (200, "<cut")]);
    let ec2 = api(EC2, &config);
    let e = ec2
        .query(
            "DescribeAvailabilityZones",
            &[],
            "availabilityZoneInfo",
            &[],
        )
        .await
        .expect_err("malformed");
    assert!(matches!(e, SdkError::ResponseError(_)), "{e:?}");
    let (kind, text) = classified(EC2, "DescribeAvailabilityZones us-east-1", e);
    assert_eq!(kind, AwsKind::Other, "{text}");
    assert!(
        text.starts_with("AWS sent a malformed answer to DescribeAvailabilityZones (HTTP 200"),
        "{text}"
    );
}

#[tokio::test]
async fn a_token_that_never_ends_is_a_malformed_answer_after_1000_pages() {
    let pages: Vec<String> = (0..1000)
        .map(|i| format!(r#"{{"Associations":[],"NextToken":"t{i}"}}"#))
        .collect();
    let answers: Vec<(u16, &str)> = pages.iter().map(|p| (200, p.as_str())).collect();
    let (config, http) = config(&answers);
    let fsx = api(FSX, &config);
    let e = associations(&fsx, &json!({})).await.expect_err("runaway");
    assert_eq!(http.actual_requests().count(), 1000);
    assert!(matches!(e, SdkError::ResponseError(_)), "{e:?}");
    let (kind, text) = classified(FSX, "DescribeDataRepositoryAssociations fs-1", e);
    assert_eq!(kind, AwsKind::Other, "{text}");
    assert!(
        text.starts_with(
            "AWS sent a malformed answer to DescribeDataRepositoryAssociations (HTTP 200"
        ) && text.contains("NextToken never ended"),
        "{text}"
    );
}
