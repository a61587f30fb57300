//! The config's own rules: one function per rule, its source in the doc comment, a test of
//! its exact message. AWS rules the config shares with the template live in
//! `constructs::rules`; these are the ones only this config has.

use super::config::{Removal, LUSTRE_DEPLOYMENTS, LUSTRE_VERSIONS};

use constructs::rules::{fsx, s3, RuleResult, Violation};
use synth::{Diagnostic, Diagnostics};

/// The diagnostic codes of the config's own rules.
pub mod code {
    synth::codes! {
        VPC_NAME = "PC002", "the VPC name is empty or longer than 200 characters";
        DELETE_REMOVAL = "PC010", "a resource holding data is deleted with the stack (removal: Delete)";
        LUSTRE_CAPACITY_ABOVE_MAX = "PC107", "the Lustre capacity default is above the largest capacity the Capacity parameter offers";
        LUSTRE_MOUNT_POINT = "PC108", "the Lustre mount point is not an absolute path";
        ASSOCIATION_PREFIX = "PC127", "an association's S3 prefix is not of the form data/";
        ASSOCIATION_ENV = "PC128", "an association's environment variable name is not `[A-Z_][A-Z0-9_]*`";
        DUPLICATE_ASSOCIATION_ID = "PC129", "two associations have the same ID";
        BUCKET_NAME_VARIABLES = "PC132", "a bucket name uses a variable other than AWS::AccountId, AWS::Region or AWS::Partition";
        LOG_BUCKET_SAME_AS_DATA = "PC133", "the log bucket has the data bucket's name";
        LOG_RETENTION = "PC134", "the log retention is outside 1 to 3650 days";
        SECOND_ZONE = "PC156", "the second Availability Zone is missing where it is needed, or is the first zone";
    }
}

/// The VPC name: 1 to 200 characters.
///
/// pcstack's own rule: it is the default of the VPCName parameter, whose MinLength 1 and
/// MaxLength 200 keep the subnet Name tags (`<name> Private Subnet - <AZ>`) under EC2's
/// 255-character tag value limit.
pub fn vpc_name(name: &str) -> RuleResult {
    if name.is_empty() || name.len() > 200 {
        return Err(Violation::new(
            code::VPC_NAME,
            "network.vpc_name",
            "be 1 to 200 characters",
            "the VPC Name tag",
            format!("{name:?}"),
        ));
    }
    Ok(())
}

/// The default capacity lies within the capacities the Capacity parameter offers.
///
/// pcstack's own rule: the parameter's AllowedValues stop at `lustre.max_capacity`, and a
/// default outside AllowedValues fails at deploy.
pub fn capacity_within_max(capacity: i64, max_capacity: i64) -> RuleResult {
    if capacity > max_capacity {
        return Err(Violation::new(
            code::LUSTRE_CAPACITY_ABOVE_MAX,
            "lustre.capacity",
            &format!("be at most lustre.max_capacity ({max_capacity})"),
            "the Capacity parameter",
            capacity,
        ));
    }
    Ok(())
}

/// OpenZFS MULTI_AZ_1 needs the second private subnet: its standby file server runs in
/// another Availability Zone.
///
/// pcstack's own rule over an AWS one: CloudFormation `OpenZFSConfiguration` PreferredSubnetId
/// is "required when DeploymentType is set to MULTI_AZ_1", with the standby in the other subnet
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-openzfsconfiguration.html>);
/// the stack's only other private subnet is `network.second_availability_zone`'s.
pub fn multi_az_second_zone(deployment: &str, second_zone: Option<&str>) -> RuleResult {
    if deployment == "MULTI_AZ_1" && second_zone.is_none() {
        return Err(Violation::new(
            fsx::code::OPEN_ZFS_SUBNETS,
            "network.second_availability_zone",
            "be set (its subnet holds the standby file server; CloudFormation OpenZFSConfiguration PreferredSubnetId)",
            "openzfs.deployment_type MULTI_AZ_1",
            "none",
        ));
    }
    Ok(())
}

/// The second private subnet's zone is another zone than the first, and the first is set in
/// the config too (so the two can be compared before any change). A zone name and a zone ID
/// are compared once deploy has resolved the ID to its name (`Stack::zones`: the config is
/// then checked again, before any change set).
///
/// pcstack's own rule: a second subnet in the same zone spans nothing, and FSx MULTI_AZ_1
/// places its standby file server in another Availability Zone than the preferred one (FSx
/// for OpenZFS User Guide, "Availability and durability",
/// <https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/availability-durability.html>).
pub fn second_zone(first: Option<&str>, second: &str) -> RuleResult {
    match first {
        None => Err(Violation::new(
            code::SECOND_ZONE,
            "network.availability_zone",
            "be set in the config when network.second_availability_zone is (to compare the two before deploy)",
            "a second private subnet",
            "none",
        )),
        // Two names or two IDs; a name and an ID differ as text until deploy resolves the ID.
        Some(first) if first == second => Err(Violation::new(
            code::SECOND_ZONE,
            "network.second_availability_zone",
            "differ from network.availability_zone (a second subnet spans another zone; FSx for OpenZFS User Guide, Availability and durability)",
            "a second private subnet",
            format!("{second:?}"),
        )),
        Some(_) => Ok(()),
    }
}

/// The Lustre deployment type is one the stack offers: PERSISTENT_1 or PERSISTENT_2.
///
/// pcstack's own rule: the stack's Lustre file system holds the data repository associations
/// and outlives clusters, so it is persistent (SCRATCH_1 takes no associations, and scratch
/// file systems keep no replicated copy: FSx for Lustre User Guide, "Deployment options",
/// <https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-fsx-lustre.html>), and SSD (HDD
/// is PERSISTENT_1 only and needs a drive cache the stack doesn't set).
pub fn offered_lustre_deployment(deployment: &str) -> RuleResult {
    if !LUSTRE_DEPLOYMENTS.contains(&deployment) {
        return Err(Violation::new(
            fsx::code::LUSTRE_DEPLOYMENT,
            "lustre.deployment_type",
            "be PERSISTENT_1 or PERSISTENT_2",
            "the stack's persistent SSD Lustre file system",
            format!("{deployment:?}"),
        ));
    }
    Ok(())
}

/// The Lustre version is one the LustreVersion parameter offers: 2.15 or 2.12.
///
/// pcstack's own rule: the parameter offers only the versions that support data repository
/// associations (FSx for Lustre User Guide, "Linking your file system to an Amazon S3
/// bucket": <https://docs.aws.amazon.com/fsx/latest/LustreGuide/create-dra-linked-data-repo.html>).
pub fn offered_lustre_version(version: &str) -> RuleResult {
    if !LUSTRE_VERSIONS.contains(&version) {
        return Err(Violation::new(
            fsx::code::LUSTRE_VERSION,
            "lustre.version",
            "be 2.15 or 2.12",
            "the LustreVersion parameter",
            format!("{version:?}"),
        ));
    }
    Ok(())
}

/// The mount point is an absolute path other than `/`.
///
/// pcstack's own rule: the association outputs are `<mount point><file system path>`, the
/// directories clients use, so they must be absolute.
pub fn mount_point(path: &str) -> RuleResult {
    // A newline or a space would break the mount line and the scripts the path goes into.
    let plain = !path.chars().any(|c| c.is_control() || c.is_whitespace());
    if !path.starts_with('/') || path.len() < 2 || !plain {
        return Err(Violation::new(
            code::LUSTRE_MOUNT_POINT,
            "lustre.mount_point",
            "be an absolute path without spaces or control characters, such as /lustre",
            "the Lustre mount point",
            format!("{path:?}"),
        ));
    }
    Ok(())
}

/// A bucket name as written in the config (an `Fn::Sub` template), checked in its longest
/// form with S3's naming rules ([`s3::bucket_name`]).
///
/// pcstack's own rule for the variables: only `${AWS::AccountId}`, `${AWS::Region}` and
/// `${AWS::Partition}` have a known longest value ([`s3::longest_sub_example`]), so only
/// they let the name be checked before deploy.
pub fn bucket_name_template(field: &str, template: &str) -> RuleResult {
    let name = s3::longest_sub_example(template);
    if name.contains("${") {
        return Err(Violation::new(
            code::BUCKET_NAME_VARIABLES,
            field,
            "use only ${AWS::AccountId}, ${AWS::Region} and ${AWS::Partition} as variables",
            "an S3 bucket",
            format!("{template:?}"),
        ));
    }
    s3::bucket_name(&name).map_err(|v| {
        let message = v.message.replace(
            &format!("{name:?}"),
            &format!("{template:?} (longest form {name:?})"),
        );
        Violation { message, ..v }
    })
}

/// The log bucket is not the data bucket.
///
/// Source: bucket names are unique across all of S3 (S3 User Guide, "General purpose bucket
/// naming rules": <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>),
/// so two buckets of one stack cannot share a name.
pub fn distinct_bucket_names(bucket: &str, log_bucket: &str) -> RuleResult {
    if bucket == log_bucket {
        return Err(Violation::new(
            code::LOG_BUCKET_SAME_AS_DATA,
            "logs.bucket_name",
            "differ from bucket.name",
            "the log bucket",
            format!("{log_bucket:?}"),
        ));
    }
    Ok(())
}

/// Log retention: 1 to 3650 days.
///
/// Source: an S3 lifecycle expiration takes a positive number of days (S3 User Guide,
/// "Lifecycle configuration elements":
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html>); the
/// ten-year ceiling is pcstack's own, against a typo keeping logs forever.
pub fn log_retention_days(days: i64) -> RuleResult {
    if !(1..=3650).contains(&days) {
        return Err(Violation::new(
            code::LOG_RETENTION,
            "logs.retention_days",
            "be between 1 and 3650",
            "the log bucket's lifecycle rule",
            days,
        ));
    }
    Ok(())
}

/// An association's `id` or `output` is a CloudFormation logical ID.
///
/// Source: CloudFormation logical IDs and output keys are alphanumeric, at most 255
/// characters (Template anatomy, Resources:
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html>).
pub fn association_logical_id(field: &str, value: &str) -> RuleResult {
    if !synth::id::is_logical_id(value) {
        let rule = format!("match ^[A-Za-z0-9]{{1,{}}}$", synth::id::MAX_NAME_LEN);
        return Err(Violation::new(
            synth::code::TEMPLATE_STRUCTURE,
            field,
            &rule,
            "a CloudFormation logical ID",
            format!("{value:?}"),
        ));
    }
    Ok(())
}

/// An association's S3 prefix reads like `data/`: no leading `/`, a trailing `/`.
///
/// pcstack's own rule: the template writes `s3://<bucket>/<prefix>`, and the overlap check
/// between associations compares whole path components, which needs the trailing `/`.
pub fn s3_prefix(field: &str, prefix: &str) -> RuleResult {
    if prefix.starts_with('/') || (!prefix.is_empty() && !prefix.ends_with('/')) {
        return Err(Violation::new(
            code::ASSOCIATION_PREFIX,
            field,
            "be a prefix such as data/ (no leading /, a trailing /)",
            "a data repository association",
            format!("{prefix:?}"),
        ));
    }
    Ok(())
}

/// An association's `env` is an environment variable name: `[A-Z_][A-Z0-9_]*`.
///
/// Source: POSIX.1-2017 Base Definitions, 8.1 Environment Variable Definition
/// (<https://pubs.opengroup.org/onlinepubs/9699919799/basedefs/V1_chap08.html>): portable
/// names are uppercase letters, digits and `_`, not starting with a digit.
pub fn env_name(field: &str, name: &str) -> RuleResult {
    if !is_env_name(name) {
        return Err(Violation::new(
            code::ASSOCIATION_ENV,
            field,
            "be an environment variable name ([A-Z_][A-Z0-9_]*)",
            "pcstack outputs",
            format!("{name:?}"),
        ));
    }
    Ok(())
}

/// `[A-Z_][A-Z0-9_]*`
pub fn is_env_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// Association IDs are unique: one violation per repeated ID, with its index.
///
/// Source: logical IDs must be unique within a template (Template anatomy, Resources:
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html>).
pub fn unique_association_ids(ids: &[&str]) -> Vec<(usize, Violation)> {
    let mut seen = std::collections::HashSet::new();
    ids.iter()
        .enumerate()
        .filter(|(_, id)| !seen.insert(**id))
        .map(|(i, id)| {
            let field = format!("associations[{i}].id");
            let v = Violation::new(
                code::DUPLICATE_ASSOCIATION_ID,
                &field,
                "be unique",
                "the data repository associations",
                format!("{id:?}"),
            );
            (i, v)
        })
        .collect()
}

/// A warning when a resource holding data is deleted with the stack.
///
/// pcstack's own rule: data is retained by default; `Delete` is for throwaway environments,
/// so choosing it is said out loud.
pub fn deleted_data(field: &str, removal: Removal, what: &str) -> Option<Diagnostic> {
    (removal == Removal::Delete).then(|| {
        Diagnostic::warning(
            code::DELETE_REMOVAL,
            format!("config: {field}"),
            format!(
                "{field} is Delete: deleting the stack or replacing the resource deletes {what}"
            ),
        )
    })
}

/// A warning for a PERSISTENT_2 file system without a metadata configuration: FSx takes one
/// only when the file system is created, and EFA needs one.
///
/// Source: FSx for Lustre User Guide, "Managing metadata performance"
/// (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/managing-metadata-performance.html>),
/// as aws-parallelcluster issue 7616 reports it: "It cannot be added later to a filesystem
/// created without that configuration."
pub fn metadata_at_creation(deployment: &str, has_metadata: bool) -> Option<Diagnostic> {
    (deployment == "PERSISTENT_2" && !has_metadata).then(|| {
        Diagnostic::warning(
            fsx::code::LUSTRE_METADATA,
            "config: lustre.metadata",
            "lustre.metadata is unset on PERSISTENT_2: FSx takes a metadata configuration only when the file system is created (adding one to an existing file system fails), and lustre.efa needs one; set {mode: AUTOMATIC} unless you mean it".to_string(),
        )
    })
}

/// A warning when the Region is not in the OpenZFS availability table
/// (`constructs::rules::fsx::openzfs_region_deployment_types`): the deployment type is then
/// left to FSx, which fails the stack if the Region lacks it.
pub fn unchecked_openzfs_region(deployment: &str, region: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    if constructs::rules::fsx::openzfs_region_deployment_types(region).is_none() {
        d.push(Diagnostic::warning(
            fsx::code::OPEN_ZFS_REGION,
            "config: openzfs.deployment_type",
            format!("openzfs.deployment_type {deployment} is not checked against {region}: pcstack's availability table (FSx for OpenZFS User Guide, Availability by AWS Region) does not hold that Region; see the guide before deploying"),
        ));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_openzfs_region_outside_the_table_is_a_warning() {
        assert!(unchecked_openzfs_region("SINGLE_AZ_HA_2", "us-east-1").is_empty());
        let d = unchecked_openzfs_region("SINGLE_AZ_HA_2", "eu-west-1");
        let w = d.iter().next().unwrap();
        assert_eq!(w.message, "openzfs.deployment_type SINGLE_AZ_HA_2 is not checked against eu-west-1: pcstack's availability table (FSx for OpenZFS User Guide, Availability by AWS Region) does not hold that Region; see the guide before deploying");
        assert!(!d.has_errors());
    }

    #[test]
    fn metadata_is_chosen_at_creation() {
        assert!(metadata_at_creation("PERSISTENT_1", false).is_none());
        assert!(metadata_at_creation("PERSISTENT_2", true).is_none());
        let w = metadata_at_creation("PERSISTENT_2", false).unwrap();
        assert_eq!(w.path, "config: lustre.metadata");
        assert_eq!(w.message, "lustre.metadata is unset on PERSISTENT_2: FSx takes a metadata configuration only when the file system is created (adding one to an existing file system fails), and lustre.efa needs one; set {mode: AUTOMATIC} unless you mean it");
    }

    fn message(r: RuleResult) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn vpc_name_length() {
        assert!(vpc_name("AWS ParallelCluster").is_ok());
        assert_eq!(
            message(vpc_name("")),
            "[PC002] network.vpc_name must be 1 to 200 characters for the VPC Name tag, got \"\""
        );
    }

    #[test]
    fn capacity_within_the_offered_values() {
        assert!(capacity_within_max(2400, 2400).is_ok());
        assert_eq!(
            message(capacity_within_max(4800, 2400)),
            "[PC107] lustre.capacity must be at most lustre.max_capacity (2400) for the Capacity parameter, got 4800"
        );
    }

    #[test]
    fn second_zone_rules() {
        assert!(multi_az_second_zone("MULTI_AZ_1", Some("us-east-1b")).is_ok());
        assert!(multi_az_second_zone("SINGLE_AZ_HA_2", None).is_ok());
        assert_eq!(
            message(multi_az_second_zone("MULTI_AZ_1", None)),
            "[PC119] network.second_availability_zone must be set (its subnet holds the standby file server; CloudFormation OpenZFSConfiguration PreferredSubnetId) for openzfs.deployment_type MULTI_AZ_1, got none"
        );
        assert!(second_zone(Some("us-east-1a"), "us-east-1b").is_ok());
        assert!(second_zone(Some("use1-az1"), "use1-az1").is_err());
        assert_eq!(
            message(second_zone(Some("us-east-1a"), "us-east-1a")),
            "[PC156] network.second_availability_zone must differ from network.availability_zone (a second subnet spans another zone; FSx for OpenZFS User Guide, Availability and durability) for a second private subnet, got \"us-east-1a\""
        );
        assert_eq!(
            message(second_zone(None, "us-east-1b")),
            "[PC156] network.availability_zone must be set in the config when network.second_availability_zone is (to compare the two before deploy) for a second private subnet, got none"
        );
    }

    #[test]
    fn offered_deployments() {
        assert!(offered_lustre_deployment("PERSISTENT_2").is_ok());
        assert_eq!(
            offered_lustre_deployment("SCRATCH_2").unwrap_err().message,
            "lustre.deployment_type must be PERSISTENT_1 or PERSISTENT_2 for the stack's persistent SSD Lustre file system, got \"SCRATCH_2\""
        );
    }

    #[test]
    fn offered_versions() {
        assert!(offered_lustre_version("2.12").is_ok());
        assert_eq!(
            message(offered_lustre_version("2.10")),
            "[PC104] lustre.version must be 2.15 or 2.12 for the LustreVersion parameter, got \"2.10\""
        );
    }

    #[test]
    fn absolute_mount_point() {
        assert!(mount_point("/lustre").is_ok());
        assert_eq!(
            message(mount_point("/")),
            "[PC108] lustre.mount_point must be an absolute path without spaces or control characters, such as /lustre for the Lustre mount point, got \"/\""
        );
        for bad in ["/a\nb", "/a b", "/a\tb", "/a\u{1b}"] {
            assert!(mount_point(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bucket_name_templates() {
        assert!(bucket_name_template("bucket.name", "data-${AWS::AccountId}").is_ok());
        assert_eq!(
            message(bucket_name_template("bucket.name", "data-${Team}")),
            "[PC132] bucket.name must use only ${AWS::AccountId}, ${AWS::Region} and ${AWS::Partition} as variables for an S3 bucket, got \"data-${Team}\""
        );
        let long = "a-very-long-bucket-name-prefix-for-training-${AWS::AccountId}-${AWS::Region}";
        // The whole message (its display cuts the value at synth::input::MAX_ECHO_CHARS).
        let v = bucket_name_template("bucket.name", long).unwrap_err();
        let m = format!("[{}] {}", v.code, v.message);
        assert!(
            m.starts_with("[PC131] ") && m.contains(&format!("got {long:?} (longest form \"a-very-long-bucket-name-prefix-for-training-123456789012-ap-southeast-7\")")),
            "{m}"
        );
    }

    #[test]
    fn bucket_names_differ() {
        assert!(distinct_bucket_names("a", "b").is_ok());
        assert_eq!(
            message(distinct_bucket_names("a", "a")),
            "[PC133] logs.bucket_name must differ from bucket.name for the log bucket, got \"a\""
        );
    }

    #[test]
    fn retention() {
        assert!(log_retention_days(3650).is_ok());
        assert_eq!(
            message(log_retention_days(0)),
            "[PC134] logs.retention_days must be between 1 and 3650 for the log bucket's lifecycle rule, got 0"
        );
    }

    #[test]
    fn logical_ids() {
        assert!(association_logical_id("associations[0].id", "Data1").is_ok());
        assert_eq!(
            message(association_logical_id("associations[0].id", "Data-1")),
            "[E1001] associations[0].id must match ^[A-Za-z0-9]{1,255}$ for a CloudFormation logical ID, got \"Data-1\""
        );
    }

    #[test]
    fn prefixes() {
        assert!(s3_prefix("associations[0].s3_prefix", "data/").is_ok());
        assert!(s3_prefix("associations[0].s3_prefix", "").is_ok());
        assert_eq!(
            message(s3_prefix("associations[0].s3_prefix", "/data/")),
            "[PC127] associations[0].s3_prefix must be a prefix such as data/ (no leading /, a trailing /) for a data repository association, got \"/data/\""
        );
        assert!(s3_prefix("associations[0].s3_prefix", "data").is_err());
    }

    #[test]
    fn env_names() {
        assert!(env_name("associations[0].env", "LUSTRE_DATA_DIR").is_ok());
        assert!(is_env_name("_X1") && !is_env_name("1X") && !is_env_name(""));
        assert_eq!(
            message(env_name("associations[0].env", "data_dir")),
            "[PC128] associations[0].env must be an environment variable name ([A-Z_][A-Z0-9_]*) for pcstack outputs, got \"data_dir\""
        );
    }

    #[test]
    fn unique_ids() {
        assert!(unique_association_ids(&["A", "B"]).is_empty());
        let found = unique_association_ids(&["A", "B", "A"]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
        assert_eq!(
            found[0].1.to_string(),
            "[PC129] associations[2].id must be unique for the data repository associations, got \"A\""
        );
    }

    #[test]
    fn deleted_data_warns() {
        assert!(deleted_data("bucket.removal", Removal::Retain, "the bucket").is_none());
        assert_eq!(
            deleted_data("bucket.removal", Removal::Delete, "the bucket")
                .unwrap()
                .to_string(),
            "warning[PC010] config: bucket.removal: bucket.removal is Delete: deleting the stack or replacing the resource deletes the bucket"
        );
    }
}
