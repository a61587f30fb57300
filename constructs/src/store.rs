//! The data bucket, the log bucket and the container repository.

use crate::l1::ecr::{repository as repo, Repository};
use crate::l1::s3::{bucket as b, bucket_policy, Bucket, BucketPolicy};
use crate::rules::{ecr as ecr_rules, s3 as s3_rules};
use crate::storage::removal_options;
use crate::{skip_checkov, Tags, TagsFrom};
use serde_json::{json, Value as Json};
use synth::{Expr, Handle, Policy, ResourceOptions, Template, Value};

/// A private, encrypted, versioned bucket that only accepts TLS.
#[derive(Debug, Clone)]
pub struct BucketProps<'a> {
    /// The name; `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` are filled in by CloudFormation.
    pub name: &'a str,
    /// Noncurrent object versions expire after this many days (checkpoints are overwritten).
    pub noncurrent_version_days: i64,
    /// Incomplete multipart uploads are aborted after this many days.
    pub abort_multipart_days: i64,
    /// Keep or delete it on stack deletion and replacement.
    pub removal: Policy,
    /// The bucket's tags.
    pub tags: Tags,
    /// Where S3 server access logs go (under `s3-access/<bucket id>/`), if anywhere.
    pub access_logs: Option<&'a LogBucket>,
}

/// Checks a bucket name in its longest form and turns `${...}` names into `Fn::Sub`.
/// Source: bucket naming rules, see [`s3_rules::bucket_name`].
fn bucket_name(t: &mut Template, id: &str, name: &str) -> Value<String> {
    if let Err(v) = s3_rules::bucket_name(&s3_rules::longest_sub_example(name)) {
        t.report(v.at(format!("{id} (AWS::S3::Bucket).BucketName")));
    }
    if name.contains("${") {
        Expr::sub(name).into()
    } else {
        name.into()
    }
}

/// Encryption with S3-managed keys, all four public-access blocks, ACLs disabled, versioning.
fn private_bucket(name: Value<String>) -> b::Bucket {
    b::Bucket::new()
        .bucket_name(name)
        .bucket_encryption(
            b::BucketEncryption::new().server_side_encryption_configuration(vec![
                b::ServerSideEncryptionRule::new()
                    .bucket_key_enabled(true)
                    .server_side_encryption_by_default(
                        b::ServerSideEncryptionByDefault::new().sse_algorithm("AES256"),
                    ),
            ]),
        )
        .public_access_block_configuration(
            b::PublicAccessBlockConfiguration::new()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true),
        )
        .ownership_controls(b::OwnershipControls::new().rules(vec![
            b::OwnershipControlsRule::new().object_ownership("BucketOwnerEnforced"),
        ]))
        .versioning_configuration(b::VersioningConfiguration::new().status("Enabled"))
}

/// Adds the bucket and its TLS-only policy; returns the bucket.
pub fn add_bucket(
    t: &mut Template,
    id: &str,
    policy_id: &str,
    p: BucketProps<'_>,
) -> Handle<Bucket> {
    p.tags.check(t, &format!("{id} (AWS::S3::Bucket)"));
    let name = bucket_name(t, id, p.name);
    let mut props = private_bucket(name)
        .lifecycle_configuration(b::LifecycleConfiguration::new().rules(vec![
                b::Rule::new()
                    .id("expire-noncurrent-versions")
                    .status("Enabled")
                    .noncurrent_version_expiration(
                        b::NoncurrentVersionExpiration::new()
                            .noncurrent_days(p.noncurrent_version_days),
                    ),
                b::Rule::new()
                    .id("abort-incomplete-multipart-uploads")
                    .status("Enabled")
                    .abort_incomplete_multipart_upload(
                        b::AbortIncompleteMultipartUpload::new()
                            .days_after_initiation(p.abort_multipart_days),
                    ),
            ]))
        .tags_from(&p.tags);
    if let Some(logs) = p.access_logs {
        props = props.logging_configuration(
            b::LoggingConfiguration::new()
                .destination_bucket_name(&logs.bucket)
                .log_file_prefix(format!("s3-access/{id}/")),
        );
    }
    let mut options = removal_options(p.removal);
    if let Some(logs) = p.access_logs {
        // S3 checks the target's permissions when logging is turned on: wait for the policy.
        options = options.depends_on(logs.policy.id());
    }
    let bucket = t.add_with(id, props, options);
    t.add(
        policy_id,
        bucket_policy::BucketPolicy::new()
            .bucket(&bucket)
            .policy_document(policy(vec![deny_insecure_transport(&bucket)])),
    );
    bucket
}

fn policy(statements: Vec<Json>) -> Json {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `${Bucket.Arn}<suffix>`.
fn arn(bucket: &Handle<Bucket>, suffix: &str) -> Json {
    if suffix.is_empty() {
        bucket.get_att(b::BucketAttr::Arn).into()
    } else {
        Expr::sub(format!("${{{}.Arn}}{suffix}", bucket.id())).into()
    }
}

/// Denies every request that doesn't use TLS.
/// Source: https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule
fn deny_insecure_transport(bucket: &Handle<Bucket>) -> Json {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn(bucket, ""), arn(bucket, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": false}}
    })
}

/// The bucket that receives S3 server access logs and VPC flow logs.
#[derive(Debug, Clone)]
pub struct LogBucketProps<'a> {
    /// The name, with `${...}` pseudo parameters as in [`BucketProps::name`].
    pub name: &'a str,
    /// Days log objects are kept.
    pub retention_days: i64,
    /// Keep or delete it on stack deletion and replacement.
    pub removal: Policy,
    /// The bucket's tags.
    pub tags: Tags,
}

/// Why the log bucket has no access logging of its own (checkov CKV_AWS_18).
pub const LOG_BUCKET_NOT_LOGGED: &str = "This is the access-log bucket: logging its own access would log the log writes, and a second log bucket would need one too.";

/// A bucket for S3 server access logs (under `s3-access/`) and VPC flow logs (under
/// `vpc-flow-logs/`): private, encrypted with S3-managed keys (log delivery can't use a
/// customer key without a key policy), TLS-only, objects expire after `retention_days`.
///
/// A template-managed bucket policy replaces the one the log services would add themselves,
/// so it grants them write access. Sources:
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html>
/// <https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html>
pub fn add_log_bucket(
    t: &mut Template,
    id: &str,
    policy_id: &str,
    p: LogBucketProps<'_>,
) -> LogBucket {
    p.tags.check(t, &format!("{id} (AWS::S3::Bucket)"));
    let name = bucket_name(t, id, p.name);
    let props = private_bucket(name)
        .lifecycle_configuration(b::LifecycleConfiguration::new().rules(vec![b::Rule::new()
                .id("expire-logs")
                .status("Enabled")
                .expiration_in_days(p.retention_days)
                .noncurrent_version_expiration(
                    b::NoncurrentVersionExpiration::new().noncurrent_days(1),
                )
                .abort_incomplete_multipart_upload(
                    b::AbortIncompleteMultipartUpload::new().days_after_initiation(1),
                )]))
        .tags_from(&p.tags);
    let options = skip_checkov(
        removal_options(p.removal),
        "CKV_AWS_18",
        LOG_BUCKET_NOT_LOGGED,
    );
    let bucket = t.add_with(id, props, options);
    let account = || json!({"aws:SourceAccount": {"Ref": "AWS::AccountId"}});
    let statements = vec![
        deny_insecure_transport(&bucket),
        json!({
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": arn(&bucket, "/s3-access/*"),
            "Condition": {"StringEquals": account()}
        }),
        json!({
            "Sid": "VpcFlowLogsWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": arn(&bucket, "/vpc-flow-logs/AWSLogs/*"),
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}, "s3:x-amz-acl": "bucket-owner-full-control"}}
        }),
        json!({
            "Sid": "VpcFlowLogsAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": arn(&bucket, ""),
            "Condition": {"StringEquals": account()}
        }),
    ];
    let bucket_policy = t.add(
        policy_id,
        bucket_policy::BucketPolicy::new()
            .bucket(&bucket)
            .policy_document(policy(statements)),
    );
    LogBucket {
        bucket,
        policy: bucket_policy,
    }
}

/// The log bucket and the policy that lets the log services write to it; whatever sends
/// logs there waits for the policy.
#[derive(Debug, Clone)]
pub struct LogBucket {
    /// The bucket.
    pub bucket: Handle<Bucket>,
    /// Its policy, which senders of logs depend on.
    pub policy: Handle<BucketPolicy>,
}

/// A private ECR repository that scans on push and expires untagged images.
#[derive(Debug, Clone)]
pub struct RepositoryProps<'a> {
    /// The repository name.
    pub name: &'a str,
    /// `KMS` (the AWS-managed `aws/ecr` key) or `AES256`; create-only.
    pub encryption: &'a str,
    /// Tags that may be pushed again (the tutorial pushes `latest` repeatedly); every other
    /// tag is immutable.
    pub mutable_tags: &'a [&'a str],
    /// Untagged images expire after this many days.
    pub untagged_days: i64,
    /// Keep or delete it on stack deletion and replacement.
    pub removal: Policy,
    /// The repository's tags.
    pub tags: Tags,
}

/// Why checkov's CKV_AWS_51 (immutable tags) is skipped when some tags stay mutable.
pub const MUTABLE_TAG_EXCLUSION: &str = "Tags are immutable except the excluded ones (IMMUTABLE_WITH_EXCLUSION): the tutorial's workflow pushes the `latest` tag again after every image build.";

/// An ECR repository with scan on push, the given encryption (KMS: the AWS-managed `aws/ecr` key),
/// immutable tags except the listed ones, and a lifecycle policy for untagged images.
/// Source: `AWS::ECR::Repository` schema (cfn-lint 1.58.0): ImageTagMutability enum,
/// EncryptionConfiguration.
pub fn add_repository(t: &mut Template, id: &str, p: RepositoryProps<'_>) -> Handle<Repository> {
    p.tags.check(t, &format!("{id} (AWS::ECR::Repository)"));
    if let Err(v) = ecr_rules::repository_name(p.name) {
        t.report(v.at(format!("{id} (AWS::ECR::Repository).RepositoryName")));
    }
    let lifecycle = json!({
        "rules": [{
            "rulePriority": 1,
            "description": format!("Expire untagged images after {} days", p.untagged_days),
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": p.untagged_days},
            "action": {"type": "expire"}
        }]
    });
    let mut props = repo::Repository::new()
        .repository_name(p.name)
        .image_scanning_configuration(repo::ImageScanningConfiguration::new().scan_on_push(true))
        .encryption_configuration(
            repo::EncryptionConfiguration::new().encryption_type(p.encryption),
        )
        .lifecycle_policy(repo::LifecyclePolicy::new().lifecycle_policy_text(lifecycle.to_string()))
        .tags_from(&p.tags);
    let mut options: ResourceOptions = removal_options(p.removal);
    if p.mutable_tags.is_empty() {
        props = props.image_tag_mutability("IMMUTABLE");
    } else {
        props = props
            .image_tag_mutability("IMMUTABLE_WITH_EXCLUSION")
            .image_tag_mutability_exclusion_filters(
                p.mutable_tags
                    .iter()
                    .map(|tag| {
                        repo::ImageTagMutabilityExclusionFilter::new()
                            .image_tag_mutability_exclusion_filter_type("WILDCARD")
                            .image_tag_mutability_exclusion_filter_value(*tag)
                    })
                    .collect(),
            );
        options = skip_checkov(options, "CKV_AWS_51", MUTABLE_TAG_EXCLUSION);
    }
    t.add_with(id, props, options)
}
