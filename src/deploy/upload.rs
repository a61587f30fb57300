//! Template upload to S3 under a content-addressed key, creating pcstack's default bucket on
//! first use (encrypted, public access blocked, TLS only).

use super::aws::{code, dns_suffix, fail, partition};
use super::ui::Ui;
use crate::error::Error;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, PublicAccessBlockConfiguration,
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule,
};
use plan::TemplateSource;

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

/// Partition-correct HTTPS URL, or path-style under a custom endpoint.
pub fn template_url(bucket: &str, key: &str, region: &str, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(e) => format!("{e}/{bucket}/{key}"),
        None => format!("https://{bucket}.s3.{region}.{}/{key}", dns_suffix(region)),
    }
}

/// TLS-only bucket policy.
pub fn tls_only_policy(bucket: &str, region: &str) -> String {
    let arn = format!("arn:{}:s3:::{bucket}", partition(region));
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn.clone(), format!("{arn}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    })
    .to_string()
}

/// Uploads unless the object exists; returns the TemplateURL. `bucket` is the user's bucket or
/// `None` for the default one (needs `account`).
pub async fn upload(
    s3: &aws_sdk_s3::Client,
    ui: &Ui,
    template: &TemplateSource,
    bucket: Option<&str>,
    account: &str,
    region: &str,
    endpoint: Option<&str>,
) -> Result<String, Error> {
    let (bucket, is_default) = match bucket {
        Some(b) => (b.to_string(), false),
        None => (default_bucket(account, region), true),
    };
    let key = key_for(template);
    let url = template_url(&bucket, &key, region, endpoint);
    match s3.head_bucket().bucket(&bucket).send().await {
        Ok(_) => {}
        Err(e)
            if is_default
                && (matches!(code(&e), Some("NotFound" | "NoSuchBucket"))
                    || e.raw_response().is_some_and(|r| r.status().as_u16() == 404)) =>
        {
            create_bucket(s3, ui, &bucket, region, endpoint).await?;
        }
        Err(e) => {
            return Err(fail(
                &format!("HeadBucket {bucket} (the template bucket)"),
                &e,
            ))
        }
    }
    match s3.head_object().bucket(&bucket).key(&key).send().await {
        Ok(_) => {
            ui.note(&format!("template already uploaded: s3://{bucket}/{key}"));
            return Ok(url);
        }
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => {}
        Err(e) => return Err(fail(&format!("HeadObject s3://{bucket}/{key}"), &e)),
    }
    s3.put_object()
        .bucket(&bucket)
        .key(&key)
        .body(ByteStream::from(template.body.clone().into_bytes()))
        .content_type("text/plain")
        .send()
        .await
        .map_err(|e| fail(&format!("PutObject s3://{bucket}/{key}"), &e))?;
    ui.note(&format!("template uploaded: s3://{bucket}/{key}"));
    Ok(url)
}

async fn create_bucket(
    s3: &aws_sdk_s3::Client,
    ui: &Ui,
    bucket: &str,
    region: &str,
    endpoint: Option<&str>,
) -> Result<(), Error> {
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
        .map_err(|e| fail(&format!("CreateBucket {bucket}"), &e))?;
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
        .server_side_encryption_configuration(
            ServerSideEncryptionConfiguration::builder()
                .rules(rule)
                .build()
                .map_err(|e| Error::failed(e.to_string()))?,
        )
        .send()
        .await
        .map_err(|e| fail(&format!("PutBucketEncryption {bucket}"), &e))?;
    s3.put_public_access_block()
        .bucket(bucket)
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
        .map_err(|e| fail(&format!("PutPublicAccessBlock {bucket}"), &e))?;
    if endpoint.is_some_and(|e| e.starts_with("http://")) {
        // A plain-HTTP endpoint is a local emulator: a TLS-only policy would lock pcstack out.
        ui.note(&format!("created template bucket {bucket} (encrypted, public access blocked; no TLS-only policy on a plain-HTTP endpoint)"));
        return Ok(());
    }
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(tls_only_policy(bucket, region))
        .send()
        .await
        .map_err(|e| fail(&format!("PutBucketPolicy {bucket}"), &e))?;
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
    }
}
