//! The data bucket and the container repository.

use crate::l1::ecr::{repository as repo, Repository};
use crate::l1::s3::{bucket as b, bucket_policy, Bucket};
use crate::rules::{ecr as ecr_rules, s3 as s3_rules};
use crate::storage::removal_options;
use crate::Tags;
use crate::TagsFrom;
use serde_json::json;
use synth::{Expr, Handle, Policy, Template, Value};

/// A private, encrypted, versioned bucket that only accepts TLS.
#[derive(Debug, Clone)]
pub struct BucketProps<'a> {
    /// The name; `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` are filled in by CloudFormation.
    pub name: &'a str,
    /// Noncurrent object versions expire after this many days (checkpoints are overwritten).
    pub noncurrent_version_days: i64,
    /// Incomplete multipart uploads are aborted after this many days.
    pub abort_multipart_days: i64,
    pub removal: Policy,
    pub tags: Tags,
}

/// Adds the bucket and its TLS-only policy; returns the bucket.
///
/// Sources: bucket naming rules (see `rules::s3::bucket_name`); deny non-TLS policy
/// https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule.
pub fn add_bucket(
    t: &mut Template,
    id: &str,
    policy_id: &str,
    p: BucketProps<'_>,
) -> Handle<Bucket> {
    let path = format!("{id} (AWS::S3::Bucket).BucketName");
    let longest = s3_rules::longest_sub_example(p.name);
    if let Err(v) = s3_rules::bucket_name(&longest) {
        t.report(v.at(path));
    }
    let name: Value<String> = if p.name.contains("${") {
        Expr::sub(p.name).into()
    } else {
        p.name.into()
    };
    let mut props = b::Bucket::new()
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
            ]));
    if !p.tags.is_empty() {
        props = props.tags_from(&p.tags);
    }
    let bucket = t.add_with(id, props, removal_options(p.removal));
    let arn = bucket.get_att(b::BucketAttr::Arn);
    t.add(
        policy_id,
        bucket_policy::BucketPolicy::new().bucket(bucket.ref_value()).policy_document(json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn.to_json(), Expr::sub(format!("${{{}.Arn}}/*", bucket.id())).to_json()],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}
            }]
        })),
    );
    bucket
}

#[derive(Debug, Clone)]
pub struct RepositoryProps<'a> {
    pub name: &'a str,
    /// Tags that may be pushed again (the tutorial pushes `latest` repeatedly); every other
    /// tag is immutable.
    pub mutable_tags: &'a [&'a str],
    /// Untagged images expire after this many days.
    pub untagged_days: i64,
    pub removal: Policy,
    pub tags: Tags,
}

/// An ECR repository with scan on push, encryption, immutable tags except the listed ones,
/// and a lifecycle policy for untagged images.
/// Source: `AWS::ECR::Repository` schema (cfn-lint 1.58.0), ImageTagMutability enum.
pub fn add_repository(t: &mut Template, id: &str, p: RepositoryProps<'_>) -> Handle<Repository> {
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
        .encryption_configuration(repo::EncryptionConfiguration::new().encryption_type("AES256"))
        .lifecycle_policy(
            repo::LifecyclePolicy::new().lifecycle_policy_text(lifecycle.to_string()),
        );
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
    }
    if !p.tags.is_empty() {
        props = props.tags_from(&p.tags);
    }
    t.add_with(id, props, removal_options(p.removal))
}
