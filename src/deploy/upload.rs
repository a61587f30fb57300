//! Template upload to S3 under a content-addressed key, creating pcstack's default bucket on
//! first use (encrypted, public access blocked, TLS only).
//!
//! Trust: the default bucket's name is predictable, so another account could create it first
//! and plant a template under the key pcstack would reuse. Every S3 call therefore names the
//! expected owner (`ExpectedBucketOwner`, the caller's account): S3 refuses a bucket of another
//! account with 403, and so does pcstack, before anything is deployed. An existing object is
//! reused only when its stored SHA-256 (uploaded with `ChecksumSHA256`, read back with
//! HeadObject `ChecksumMode=ENABLED`) is the template's; otherwise it is uploaded again.

use super::aws::{code, Aws};
use super::ui::Ui;
use crate::error::Error;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, ChecksumAlgorithm, ChecksumMode, CreateBucketConfiguration,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use constructs::partition;
use plan::TemplateSource;
use sha2::{Digest, Sha256};

/// Largest body sent inline (TemplateBody); larger ones must go through S3.
pub const MAX_INLINE_BYTES: usize = 51_200;

pub fn default_bucket(account: &str, region: &str) -> String {
    format!("pcstack-templates-{account}-{region}")
}

/// The S3 key: `templates/<sha256>.<json|yaml>`.
pub fn key_for(template: &TemplateSource) -> String {
    let ext = if template.body.trim_start().starts_with('{') {
        "json"
    } else {
        "yaml"
    };
    format!("templates/{}.{ext}", template.sha256())
}

/// The template's SHA-256 as S3 stores and returns it (`x-amz-checksum-sha256`): base64.
pub fn checksum_sha256(template: &TemplateSource) -> String {
    sha256_base64(template.body.as_bytes())
}

/// The HTTP status of S3's answer (HEAD answers carry no error code, only a status).
fn http_status<E>(
    e: &SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// The refusal of a bucket S3 says is not `account`'s (or not readable by it).
pub fn not_ours(bucket: &str, account: &str, is_default: bool) -> Error {
    let why = if is_default {
        " pcstack's default bucket name is predictable, so another account may have created it first."
    } else {
        ""
    };
    Error::failed(format!(
        "template bucket {bucket} is not owned by account {account} (S3 answered 403 Forbidden to a request with ExpectedBucketOwner {account}): it belongs to another account, or this account may not read it.{why} pcstack neither uploads nor reuses a template there, and nothing was deployed; pass --template-bucket with a bucket of account {account}"
    ))
}

/// Partition-correct HTTPS URL, or path-style under a custom endpoint.
pub fn template_url(bucket: &str, key: &str, region: &str, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(e) => format!("{e}/{bucket}/{key}"),
        None => {
            let suffix = partition::of(region).url_suffix;
            format!("https://{bucket}.s3.{region}.{suffix}/{key}")
        }
    }
}

/// TLS-only bucket policy.
pub fn tls_only_policy(bucket: &str, region: &str) -> String {
    let arn = format!("arn:{}:s3:::{bucket}", partition::of(region).name);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn.clone(), format!("{arn}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": false}}
        }]
    })
    .to_string()
}

/// Uploads unless the object exists with the template's SHA-256; returns the TemplateURL.
/// `bucket` is the user's bucket or `None` for the default one; `account` is the caller's,
/// the bucket's expected owner on every call.
pub async fn upload(
    aws: &Aws,
    ui: &Ui,
    template: &TemplateSource,
    bucket: Option<&str>,
    account: &str,
) -> Result<String, Error> {
    let (region, endpoint) = (aws.region.as_str(), aws.endpoint.as_deref());
    let (bucket, is_default) = match bucket {
        Some(b) => (b.to_string(), false),
        None => (default_bucket(account, region), true),
    };
    let key = key_for(template);
    let url = template_url(&bucket, &key, region, endpoint);
    match aws
        .s3
        .head_bucket()
        .bucket(&bucket)
        .expected_bucket_owner(account)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e)
            if is_default
                && (matches!(code(&e), Some("NotFound" | "NoSuchBucket"))
                    || http_status(&e) == Some(404)) =>
        {
            create_bucket(aws, ui, &bucket, account).await?;
        }
        Err(e) if http_status(&e) == Some(403) => {
            return Err(not_ours(&bucket, account, is_default))
        }
        Err(e) => return Err(aws.fail(&format!("HeadBucket {bucket} (the template bucket)"), e)),
    }
    let stored = put_if_changed(
        aws,
        &Object {
            bucket: &bucket,
            key: &key,
            account,
            body: template.body.as_bytes(),
            content_type: "text/plain",
        },
        &|| not_ours(&bucket, account, is_default),
    )
    .await?;
    match stored {
        Stored::Verified => ui.note(&format!(
            "template already uploaded (SHA-256 verified): s3://{bucket}/{key}"
        )),
        Stored::Uploaded => ui.note(&format!("template uploaded: s3://{bucket}/{key}")),
        Stored::Replaced { stored } => {
            ui.note(&format!(
                "s3://{bucket}/{key} exists but its stored SHA-256 is {stored}, not the template's {}; uploading it again",
                checksum_sha256(template)
            ));
            ui.note(&format!("template uploaded: s3://{bucket}/{key}"));
        }
    }
    Ok(url)
}

/// An object to store: where, whose bucket, what.
pub struct Object<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    /// The caller's account: the bucket's expected owner on every call.
    pub account: &'a str,
    pub body: &'a [u8],
    pub content_type: &'a str,
}

/// What [`put_if_changed`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// The object was there with the body's SHA-256: nothing sent.
    Verified,
    /// There was no object: uploaded.
    Uploaded,
    /// An object was there with another SHA-256 (`stored`, or "missing"): uploaded over it.
    Replaced { stored: String },
}

/// Base64 SHA-256, as S3 stores and returns it (`x-amz-checksum-sha256`).
pub fn sha256_base64(body: &[u8]) -> String {
    aws_smithy_types::base64::encode(Sha256::digest(body))
}

/// Content-addressed put, shared by templates and assets: HeadObject (`ChecksumMode=ENABLED`)
/// and nothing more when the stored SHA-256 is the body's; otherwise PutObject with
/// `ChecksumSHA256` (S3 checks the body against it and stores it for the next HeadObject).
/// Every call sends `ExpectedBucketOwner`; a 403 is `not_ours()`.
pub async fn put_if_changed(
    aws: &Aws,
    object: &Object<'_>,
    not_ours: &dyn Fn() -> Error,
) -> Result<Stored, Error> {
    let Object {
        bucket,
        key,
        account,
        body,
        content_type,
    } = *object;
    let checksum = sha256_base64(body);
    let stored = match aws
        .s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(account)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
    {
        Ok(head) if head.checksum_sha256() == Some(checksum.as_str()) => {
            return Ok(Stored::Verified)
        }
        // Not what pcstack uploaded (no checksum: an older upload or someone else's object;
        // another one: changed since): the bucket is ours, so the right bytes replace it.
        Ok(head) => Stored::Replaced {
            stored: head.checksum_sha256().unwrap_or("missing").to_string(),
        },
        Err(e) if http_status(&e) == Some(404) => Stored::Uploaded,
        Err(e) if http_status(&e) == Some(403) => return Err(not_ours()),
        Err(e) => return Err(aws.fail(&format!("HeadObject s3://{bucket}/{key}"), e)),
    };
    aws.s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(account)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_sha256(&checksum)
        .body(ByteStream::from(body.to_vec()))
        .content_type(content_type)
        .send()
        .await
        .map_err(|e| match http_status(&e) {
            Some(403) => not_ours(),
            _ => aws.fail(&format!("PutObject s3://{bucket}/{key}"), e),
        })?;
    Ok(stored)
}

async fn create_bucket(aws: &Aws, ui: &Ui, bucket: &str, account: &str) -> Result<(), Error> {
    let (s3, region) = (&aws.s3, aws.region.as_str());
    let mut req = s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that refuses an explicit location constraint.
    if region != "us-east-1" {
        req = req.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    req.send()
        .await
        .map_err(|e| aws.fail(&format!("CreateBucket {bucket}"), e))?;
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::Aes256)
                .build()
                .map_err(|e| Error::failed(e.to_string()))?,
        )
        .build();
    s3.put_bucket_encryption()
        .bucket(bucket)
        .expected_bucket_owner(account)
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .map_err(|e| Error::failed(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| aws.fail(&format!("PutBucketEncryption {bucket}"), e))?;
    s3.put_public_access_block()
        .bucket(bucket)
        .expected_bucket_owner(account)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| aws.fail(&format!("PutPublicAccessBlock {bucket}"), e))?;
    if aws
        .endpoint
        .as_ref()
        .is_some_and(|e| e.starts_with("http://"))
    {
        // A plain-HTTP endpoint is a local emulator: a TLS-only policy would lock pcstack out.
        ui.note(&format!("created template bucket {bucket} (encrypted, public access blocked; no TLS-only policy on a plain-HTTP endpoint)"));
        return Ok(());
    }
    s3.put_bucket_policy()
        .bucket(bucket)
        .expected_bucket_owner(account)
        .policy(tls_only_policy(bucket, region))
        .send()
        .await
        .map_err(|e| aws.fail(&format!("PutBucketPolicy {bucket}"), e))?;
    ui.note(&format!(
        "created template bucket {bucket} (encrypted, public access blocked, TLS only)"
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_partition_correct() {
        assert_eq!(
            template_url("b", "k", "us-east-1", None),
            "https://b.s3.us-east-1.amazonaws.com/k"
        );
        assert_eq!(
            template_url("b", "k", "cn-north-1", None),
            "https://b.s3.cn-north-1.amazonaws.com.cn/k"
        );
        assert_eq!(
            template_url("b", "k", "us-east-1", Some("http://127.0.0.1:5000")),
            "http://127.0.0.1:5000/b/k"
        );
        assert!(tls_only_policy("b", "cn-north-1").contains("arn:aws-cn:s3:::b"));
        // The boolean, as AWS's Guard rules expect it.
        let policy: serde_json::Value =
            serde_json::from_str(&tls_only_policy("b", "us-east-1")).unwrap();
        assert_eq!(
            policy["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"],
            serde_json::json!(false)
        );
    }
}
