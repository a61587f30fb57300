//! FSx for Lustre and FSx for OpenZFS rules.

use super::{either, RuleResult, Violation};

/// The diagnostic codes of the FSx rules.
pub mod code {
    synth::codes! {
        LUSTRE_STORAGE_CAPACITY = "PC101", "the Lustre storage capacity is not one the deployment and storage type allow";
        LUSTRE_THROUGHPUT = "PC102", "the Lustre per-unit storage throughput is not one the deployment and storage type allow";
        LUSTRE_COMPRESSION = "PC103", "the Lustre data compression type is not LZ4 or NONE";
        LUSTRE_VERSION = "PC104", "the Lustre version is not one the stack or its associations support";
        LUSTRE_ASSOCIATION_BACKUPS = "PC105", "automatic backups are set on a Lustre file system with data repository associations";
        LUSTRE_ASSOCIATION_DEPLOYMENT = "PC106", "a SCRATCH_1 Lustre file system has data repository associations";
        LUSTRE_DEPLOYMENT = "PC109", "the Lustre deployment type is not one FSx or the stack offers";
        LUSTRE_METADATA = "PC110", "the Lustre metadata configuration is not one FSx accepts for the deployment type";
        OPEN_ZFS_DEPLOYMENT = "PC111", "the OpenZFS deployment type is not one FSx offers";
        OPEN_ZFS_THROUGHPUT = "PC112", "the OpenZFS throughput capacity is not one the deployment type allows";
        OPEN_ZFS_STORAGE_CAPACITY = "PC113", "the OpenZFS storage capacity is outside the allowed range";
        MAINTENANCE_WINDOW = "PC114", "the FSx weekly maintenance start time is not d:HH:MM";
        BACKUP_START_TIME = "PC115", "the FSx daily backup start time is not HH:MM";
        BACKUP_RETENTION = "PC116", "the FSx automatic backup retention is outside 0 to 90 days";
        LUSTRE_EFA = "PC117", "an EFA-enabled Lustre file system lacks what FSx requires of one";
        OPEN_ZFS_REGION = "PC118", "the OpenZFS deployment type is not offered in the Region";
        OPEN_ZFS_SUBNETS = "PC119", "an OpenZFS file system has the wrong number of subnets for its deployment type";
    }
}

/// Lustre `StorageCapacity` (GiB) by deployment and storage type.
///
/// Source: FSx API `CreateFileSystem` StorageCapacity
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html>):
/// SCRATCH_2, PERSISTENT_1 SSD and PERSISTENT_2 SSD: 1200, 2400, then increments of 2400;
/// SCRATCH_1: 1200, 2400, then increments of 3600; PERSISTENT_1 HDD: multiples of 6000 (12 MB/s/TiB)
/// or 1800 (40 MB/s/TiB).
pub fn lustre_storage_capacity(
    deployment: &str,
    storage_type: &str,
    throughput: Option<i64>,
    capacity: i64,
) -> RuleResult {
    let context = format!("Lustre {deployment} {storage_type}");
    let (ok, rule) = match (deployment, storage_type) {
        ("SCRATCH_1", _) => (
            capacity == 1200 || capacity == 2400 || (capacity > 0 && capacity % 3600 == 0),
            "be 1200, 2400 or a multiple of 3600",
        ),
        (_, "HDD") => match throughput {
            Some(12) => (
                capacity > 0 && capacity % 6000 == 0,
                "be a multiple of 6000 at 12 MB/s/TiB",
            ),
            Some(40) => (
                capacity > 0 && capacity % 1800 == 0,
                "be a multiple of 1800 at 40 MB/s/TiB",
            ),
            _ => (
                capacity > 0 && capacity % 1800 == 0,
                "be a multiple of 6000 (12 MB/s/TiB) or 1800 (40 MB/s/TiB)",
            ),
        },
        _ => (
            capacity == 1200 || (capacity > 0 && capacity % 2400 == 0),
            "be 1200, 2400 or a multiple of 2400",
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_STORAGE_CAPACITY,
            "StorageCapacity",
            rule,
            &context,
            capacity,
        ))
    }
}

/// Lustre `PerUnitStorageThroughput` (MB/s/TiB) by deployment and storage type.
///
/// Source: FSx API `CreateFileSystemLustreConfiguration` PerUnitStorageThroughput
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreConfiguration.html>):
/// PERSISTENT_1 SSD 50, 100, 200; PERSISTENT_1 HDD 12, 40; PERSISTENT_2 125, 250, 500, 1000.
pub fn lustre_throughput_values(deployment: &str, storage_type: &str) -> &'static [i64] {
    match (deployment, storage_type) {
        ("PERSISTENT_1", "HDD") => &[12, 40],
        ("PERSISTENT_1", _) => &[50, 100, 200],
        ("PERSISTENT_2", _) => &[125, 250, 500, 1000],
        _ => &[],
    }
}

/// See [`lustre_throughput_values`].
pub fn lustre_per_unit_storage_throughput(
    deployment: &str,
    storage_type: &str,
    throughput: i64,
) -> RuleResult {
    let allowed = lustre_throughput_values(deployment, storage_type);
    let context = format!("Lustre {deployment} {storage_type}");
    if allowed.is_empty() {
        return Err(Violation::new(
            code::LUSTRE_THROUGHPUT,
            "PerUnitStorageThroughput",
            "not be set (only PERSISTENT_1 and PERSISTENT_2 take it)",
            &context,
            throughput,
        ));
    }
    if allowed.contains(&throughput) {
        return Ok(());
    }
    // A value of the other persistent type says which one it belongs to.
    let other = ["PERSISTENT_1", "PERSISTENT_2"].into_iter().find(|d| {
        *d != deployment && lustre_throughput_values(d, storage_type).contains(&throughput)
    });
    let rule = match other {
        Some(d) => format!(
            "be {} ({throughput} is a {d} value; FSx API CreateFileSystemLustreConfiguration)",
            either(allowed)
        ),
        None => format!("be {}", either(allowed)),
    };
    Err(Violation::new(
        code::LUSTRE_THROUGHPUT,
        "PerUnitStorageThroughput",
        &rule,
        &context,
        throughput,
    ))
}

/// Lustre `DeploymentType` values FSx accepts.
///
/// Source: FSx API `CreateFileSystemLustreConfiguration` DeploymentType
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreConfiguration.html>):
/// `SCRATCH_1 | SCRATCH_2 | PERSISTENT_1 | PERSISTENT_2`.
pub const LUSTRE_DEPLOYMENT_TYPES: [&str; 4] =
    ["SCRATCH_1", "SCRATCH_2", "PERSISTENT_1", "PERSISTENT_2"];

/// See [`LUSTRE_DEPLOYMENT_TYPES`].
pub fn lustre_deployment_type(deployment: &str) -> RuleResult {
    if LUSTRE_DEPLOYMENT_TYPES.contains(&deployment) {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_DEPLOYMENT,
            "DeploymentType",
            &format!("be {}", either(&LUSTRE_DEPLOYMENT_TYPES)),
            "Lustre",
            format!("{deployment:?}"),
        ))
    }
}

/// Metadata IOPS an SSD file system may provision: 1500, 3000, 6000, 12000, then multiples of
/// 12000 up to 192000.
///
/// Source: FSx API `CreateFileSystemLustreMetadataConfiguration` Iops
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreMetadataConfiguration.html>).
pub fn lustre_metadata_iops_values() -> Vec<i64> {
    [1500, 3000, 6000]
        .into_iter()
        .chain((1..=16).map(|n| n * 12_000))
        .collect()
}

/// Lustre `MetadataConfiguration`: only on PERSISTENT_2; `Mode` AUTOMATIC (SSD only, no
/// `Iops`) or USER_PROVISIONED (with `Iops`, see [`lustre_metadata_iops_values`]).
///
/// Source: FSx API `CreateFileSystemLustreMetadataConfiguration`
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemLustreMetadataConfiguration.html>):
/// "for the creation of an Amazon FSx for Lustre file system using a PERSISTENT_2 deployment
/// type"; Mode `AUTOMATIC | USER_PROVISIONED`; Iops "(USER_PROVISIONED mode only)".
pub fn lustre_metadata(deployment: &str, mode: &str, iops: Option<i64>) -> RuleResult {
    let fail = |field: &str, rule: &str, context: &str, got: String| {
        Err(Violation::new(
            code::LUSTRE_METADATA,
            field,
            rule,
            context,
            got,
        ))
    };
    if deployment != "PERSISTENT_2" {
        return fail(
            "MetadataConfiguration",
            "not be set (only PERSISTENT_2 takes one)",
            &format!("Lustre {deployment}"),
            format!("Mode {mode}"),
        );
    }
    match (mode, iops) {
        ("AUTOMATIC", None) => Ok(()),
        ("AUTOMATIC", Some(n)) => fail(
            "MetadataConfiguration.Iops",
            "not be set (FSx sets it from the storage capacity)",
            "Lustre metadata Mode AUTOMATIC",
            n.to_string(),
        ),
        ("USER_PROVISIONED", None) => fail(
            "MetadataConfiguration.Iops",
            "be set",
            "Lustre metadata Mode USER_PROVISIONED",
            "none".to_string(),
        ),
        ("USER_PROVISIONED", Some(n)) if lustre_metadata_iops_values().contains(&n) => Ok(()),
        ("USER_PROVISIONED", Some(n)) => fail(
            "MetadataConfiguration.Iops",
            "be 1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000",
            "Lustre SSD metadata",
            n.to_string(),
        ),
        _ => fail(
            "MetadataConfiguration.Mode",
            "be AUTOMATIC or USER_PROVISIONED",
            "Lustre PERSISTENT_2",
            format!("{mode:?}"),
        ),
    }
}

/// A Lustre file system with a metadata configuration runs Lustre 2.15: FSx supports 2.12 on
/// PERSISTENT_2 only without one.
///
/// Source: FSx API `CreateFileSystem` FileSystemTypeVersion
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html>): 2.12 is
/// for every deployment type except PERSISTENT_2 with a MetadataConfiguration.
pub fn lustre_version_with_metadata(version: &str) -> RuleResult {
    if version == "2.15" {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_VERSION,
            "FileSystemTypeVersion",
            "be 2.15",
            "a Lustre file system with a metadata configuration",
            format!("{version:?}"),
        ))
    }
}

/// EFA-enabled Lustre (`EfaEnabled: true`, for GPUDirect Storage): only PERSISTENT_2 with a
/// metadata configuration. It also needs an EFA-enabled security group (all traffic to and
/// from the group itself): that is not checked here but by construction, since
/// `LustreProps::security_group` is an [`crate::security::EfaSecurityGroup`], whose
/// self-referencing all-traffic ingress and egress rules are the ones FSx asks for.
///
/// Source: FSx for Lustre User Guide, "Working with EFA-enabled file systems"
/// (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/efa-file-systems.html>), and the
/// CloudFormation and API references of `EfaEnabled`: "only supported when DeploymentType is
/// PERSISTENT_2, MetadataConfiguration is used, and an EFA-enabled security group is attached".
pub fn lustre_efa(deployment: &str, has_metadata: bool) -> RuleResult {
    if deployment != "PERSISTENT_2" {
        return Err(Violation::new(
            code::LUSTRE_EFA,
            "EfaEnabled",
            "be false (EFA needs PERSISTENT_2 with a metadata configuration: FSx for Lustre User Guide, EFA-enabled file systems)",
            &format!("Lustre {deployment}"),
            true,
        ));
    }
    if !has_metadata {
        return Err(Violation::new(
            code::LUSTRE_EFA,
            "EfaEnabled",
            "come with a MetadataConfiguration (FSx for Lustre User Guide, EFA-enabled file systems)",
            "Lustre PERSISTENT_2",
            "no MetadataConfiguration",
        ));
    }
    Ok(())
}

/// The storage step of an EFA-enabled file system at a throughput tier: 38400, 19200, 9600 or
/// 4800 GiB at 125, 250, 500 or 1000 MB/s/TiB (each step adds 4800 MB/s); `None` for another
/// tier.
///
/// Source: FSx for Lustre User Guide, "Managing storage capacity"
/// (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/increase-storage-capacity.html>): an
/// EFA-enabled file system grows in these increments; pcstack requires the same steps at
/// creation (the guide's create example uses 4800 GiB at 1000 MB/s/TiB), an inference from the
/// guide, which states the steps for increases only.
pub fn lustre_efa_capacity_step(throughput: i64) -> Option<i64> {
    match throughput {
        125 => Some(38_400),
        250 => Some(19_200),
        500 => Some(9_600),
        1000 => Some(4_800),
        _ => None,
    }
}

/// See [`lustre_efa_capacity_step`].
pub fn lustre_efa_capacity(throughput: i64, capacity: i64) -> RuleResult {
    let Some(step) = lustre_efa_capacity_step(throughput) else {
        return Err(Violation::new(
            code::LUSTRE_EFA,
            "PerUnitStorageThroughput",
            "be 125, 250, 500 or 1000",
            "an EFA-enabled Lustre file system",
            throughput,
        ));
    };
    if capacity > 0 && capacity % step == 0 {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_EFA,
            "StorageCapacity",
            &format!("be a multiple of {step} GiB at {throughput} MB/s/TiB"),
            "an EFA-enabled Lustre file system",
            capacity,
        ))
    }
}

/// Lustre `DataCompressionType` values.
///
/// Source: FSx API `CreateFileSystemLustreConfiguration` DataCompressionType: `NONE` | `LZ4`.
pub const LUSTRE_COMPRESSION_TYPES: [&str; 2] = ["LZ4", "NONE"];

/// Lustre `DataCompressionType`: one of [`LUSTRE_COMPRESSION_TYPES`].
pub fn lustre_compression(value: &str) -> RuleResult {
    if LUSTRE_COMPRESSION_TYPES.contains(&value) {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_COMPRESSION,
            "DataCompressionType",
            "be LZ4 or NONE",
            "Lustre",
            format!("{value:?}"),
        ))
    }
}

/// Lustre `FileSystemTypeVersion` values FSx accepts.
///
/// Source: FSx API `CreateFileSystem` FileSystemTypeVersion: 2.10, 2.12, 2.15.
pub const LUSTRE_VERSIONS: [&str; 3] = ["2.10", "2.12", "2.15"];

/// Lustre versions that support data repository associations: 2.12 and 2.15.
///
/// Source: FSx API `CreateDataRepositoryAssociation`
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateDataRepositoryAssociation.html>):
/// "supported on all FSx for Lustre 2.12 and 2.15 file systems, excluding scratch_1".
pub const DRA_LUSTRE_VERSIONS: [&str; 2] = ["2.12", "2.15"];

/// Lustre version, stricter when the file system has data repository associations.
/// Sources: see [`LUSTRE_VERSIONS`] and [`DRA_LUSTRE_VERSIONS`].
pub fn lustre_version(version: &str, has_associations: bool) -> RuleResult {
    if has_associations && !DRA_LUSTRE_VERSIONS.contains(&version) {
        return Err(Violation::new(
            code::LUSTRE_VERSION,
            "FileSystemTypeVersion",
            "be 2.12 or 2.15",
            "a Lustre file system with data repository associations",
            format!("{version:?}"),
        ));
    }
    if LUSTRE_VERSIONS.contains(&version) {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_VERSION,
            "FileSystemTypeVersion",
            &format!("be {}", either(&LUSTRE_VERSIONS)),
            "Lustre",
            format!("{version:?}"),
        ))
    }
}

/// Data repository associations need automatic backups off.
///
/// Source: FSx for Lustre guide, create-dra-linked-data-repo.html: "Data repositories cannot be
/// linked to file systems that have file system backups enabled".
pub fn lustre_backups_with_associations(retention_days: i64) -> RuleResult {
    if retention_days == 0 {
        Ok(())
    } else {
        Err(Violation::new(
            code::LUSTRE_ASSOCIATION_BACKUPS,
            "AutomaticBackupRetentionDays",
            "be 0",
            "a Lustre file system with data repository associations",
            retention_days,
        ))
    }
}

/// Data repository associations are not supported on SCRATCH_1.
/// Source: FSx API `CreateDataRepositoryAssociation` (see [`DRA_LUSTRE_VERSIONS`]).
pub fn lustre_deployment_with_associations(deployment: &str) -> RuleResult {
    if deployment == "SCRATCH_1" {
        Err(Violation::new(
            code::LUSTRE_ASSOCIATION_DEPLOYMENT,
            "DeploymentType",
            "not be SCRATCH_1",
            "a Lustre file system with data repository associations",
            format!("{deployment:?}"),
        ))
    } else {
        Ok(())
    }
}

/// OpenZFS `ThroughputCapacity` (MB/s) values by deployment type.
///
/// Source: FSx API `CreateFileSystemOpenZFSConfiguration` ThroughputCapacity
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemOpenZFSConfiguration.html>):
/// SINGLE_AZ_1 and SINGLE_AZ_HA_1: 64, 128, 256, 512, 1024, 2048, 3072, 4096;
/// SINGLE_AZ_2, SINGLE_AZ_HA_2 and MULTI_AZ_1: 160, 320, 640, 1280, 2560, 3840, 5120, 7680, 10240.
pub fn openzfs_throughput_values(deployment: &str) -> &'static [i64] {
    match deployment {
        "SINGLE_AZ_1" | "SINGLE_AZ_HA_1" => &[64, 128, 256, 512, 1024, 2048, 3072, 4096],
        "SINGLE_AZ_2" | "SINGLE_AZ_HA_2" | "MULTI_AZ_1" => {
            &[160, 320, 640, 1280, 2560, 3840, 5120, 7680, 10240]
        }
        _ => &[],
    }
}

/// See [`openzfs_throughput_values`].
pub fn openzfs_throughput(deployment: &str, throughput: i64) -> RuleResult {
    let allowed = openzfs_throughput_values(deployment);
    let context = format!("OpenZFS {deployment}");
    if allowed.is_empty() {
        return Err(Violation::new(
            code::OPEN_ZFS_DEPLOYMENT,
            "DeploymentType",
            "be SINGLE_AZ_1, SINGLE_AZ_2, SINGLE_AZ_HA_1, SINGLE_AZ_HA_2 or MULTI_AZ_1",
            "OpenZFS",
            format!("{deployment:?}"),
        ));
    }
    if allowed.contains(&throughput) {
        Ok(())
    } else {
        Err(Violation::new(
            code::OPEN_ZFS_THROUGHPUT,
            "ThroughputCapacity",
            &format!("be {}", either(allowed)),
            &context,
            throughput,
        ))
    }
}

/// OpenZFS `DeploymentType` values FSx accepts.
///
/// Source: FSx API `CreateFileSystemOpenZFSConfiguration` DeploymentType
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystemOpenZFSConfiguration.html>).
pub const OPENZFS_DEPLOYMENT_TYPES: [&str; 5] = [
    "SINGLE_AZ_1",
    "SINGLE_AZ_2",
    "SINGLE_AZ_HA_1",
    "SINGLE_AZ_HA_2",
    "MULTI_AZ_1",
];

/// See [`OPENZFS_DEPLOYMENT_TYPES`].
pub fn openzfs_deployment_type(deployment: &str) -> RuleResult {
    if OPENZFS_DEPLOYMENT_TYPES.contains(&deployment) {
        Ok(())
    } else {
        Err(Violation::new(
            code::OPEN_ZFS_DEPLOYMENT,
            "DeploymentType",
            &format!("be {}", either(&OPENZFS_DEPLOYMENT_TYPES)),
            "OpenZFS",
            format!("{deployment:?}"),
        ))
    }
}

/// The OpenZFS deployment types (SSD) offered in a Region, for the Regions the table holds.
///
/// Source: FSx for OpenZFS User Guide, "Availability by AWS Region"
/// (<https://docs.aws.amazon.com/fsx/latest/OpenZFSGuide/available-aws-regions.html>, the
/// version with the Single-AZ 1 (HA) column, read in December 2026): the 21 Regions from US
/// East (N. Virginia) to Canada (Central). Regions after those were not read from that version
/// and are not in the table ([`openzfs_deployment_in_region`] leaves them to FSx).
const OPENZFS_REGIONS: &[(&str, &[&str])] = {
    const BIG: &[&str] = &["SINGLE_AZ_1", "SINGLE_AZ_2", "SINGLE_AZ_HA_2", "MULTI_AZ_1"];
    const ALL: &[&str] = &OPENZFS_DEPLOYMENT_TYPES;
    const HA1: &[&str] = &["SINGLE_AZ_1", "SINGLE_AZ_HA_1", "MULTI_AZ_1"];
    &[
        ("us-east-1", BIG),
        ("us-east-2", BIG),
        ("us-west-1", ALL),
        ("us-west-2", BIG),
        ("us-gov-west-1", BIG),
        ("us-gov-east-1", HA1),
        ("ap-east-1", HA1),
        ("ap-northeast-1", BIG),
        ("ap-northeast-2", ALL),
        ("ap-northeast-3", HA1),
        ("ap-southeast-1", BIG),
        ("ap-southeast-2", BIG),
        ("ap-southeast-3", HA1),
        ("ap-southeast-4", HA1),
        ("ap-southeast-5", HA1),
        ("ap-south-1", BIG),
        ("ap-south-2", ALL),
        ("ap-southeast-6", HA1),
        ("ap-east-2", HA1),
        ("ap-southeast-7", HA1),
        ("ca-central-1", BIG),
    ]
};

/// The deployment types the table offers in `region`; `None` for a Region it doesn't hold.
pub fn openzfs_region_deployment_types(region: &str) -> Option<&'static [&'static str]> {
    OPENZFS_REGIONS
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, types)| *types)
}

/// The OpenZFS deployment type is offered in the Region (see [`OPENZFS_REGIONS`]). A Region
/// the table doesn't hold passes: FSx decides there.
pub fn openzfs_deployment_in_region(deployment: &str, region: &str) -> RuleResult {
    match openzfs_region_deployment_types(region) {
        Some(types) if !types.contains(&deployment) => Err(Violation::new(
            code::OPEN_ZFS_REGION,
            "DeploymentType",
            &format!("be one offered there: {}", either(types)),
            &format!(
                "OpenZFS in {region} (FSx for OpenZFS User Guide, Availability by AWS Region)"
            ),
            format!("{deployment:?}"),
        )),
        _ => Ok(()),
    }
}

/// The subnets of an OpenZFS file system: two (the preferred one first, the standby file
/// server's second) for MULTI_AZ_1, one for the single-AZ types.
///
/// Source: CloudFormation `AWS::FSx::FileSystem` `OpenZFSConfiguration`
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-fsx-filesystem-openzfsconfiguration.html>):
/// PreferredSubnetId is required for MULTI_AZ_1, whose standby file server lives in the other
/// subnet; the FSx API's CreateFileSystem `SubnetIds`
/// (<https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html>) says one
/// subnet for single-AZ types (the two for MULTI_AZ_1 follow from its standby server).
pub fn openzfs_subnet_count(deployment: &str, count: usize) -> RuleResult {
    let want = if deployment == "MULTI_AZ_1" { 2 } else { 1 };
    if count == want {
        Ok(())
    } else {
        Err(Violation::new(
            code::OPEN_ZFS_SUBNETS,
            "SubnetIds",
            &format!("hold {want} subnet{}", if want == 1 { "" } else { "s" }),
            &format!("OpenZFS {deployment}"),
            count,
        ))
    }
}

/// OpenZFS SSD `StorageCapacity` bounds in GiB.
/// Source: FSx API `CreateFileSystem` StorageCapacity: OpenZFS 64 to 524,288 GiB.
pub const OPENZFS_CAPACITY: (i64, i64) = (64, 524_288);

/// See [`OPENZFS_CAPACITY`].
pub fn openzfs_storage_capacity(capacity: i64) -> RuleResult {
    let (min, max) = OPENZFS_CAPACITY;
    if (min..=max).contains(&capacity) {
        Ok(())
    } else {
        Err(Violation::new(
            code::OPEN_ZFS_STORAGE_CAPACITY,
            "StorageCapacity",
            &format!("be between {min} and {max} GiB"),
            "OpenZFS SSD",
            capacity,
        ))
    }
}

/// `WeeklyMaintenanceStartTime`: `d:HH:MM`, d = 1 (Monday) to 7 (Sunday), UTC.
/// Source: FSx API data type `WeeklyTime`: pattern `^[1-7]:([01]\d|2[0-3]):?([0-5]\d)$`, length 7.
pub fn weekly_maintenance_time(value: &str) -> RuleResult {
    let b = value.as_bytes();
    let ok = b.len() == 7
        && (b'1'..=b'7').contains(&b[0])
        && b[1] == b':'
        && hour(&b[2..4])
        && b[4] == b':'
        && minute(&b[5..7]);
    if ok {
        Ok(())
    } else {
        Err(Violation::new(
            code::MAINTENANCE_WINDOW,
            "WeeklyMaintenanceStartTime",
            "be d:HH:MM with d from 1 (Monday) to 7 (Sunday)",
            "FSx",
            format!("{value:?}"),
        ))
    }
}

/// `DailyAutomaticBackupStartTime`: `HH:MM`, UTC.
/// Source: FSx API data type `DailyTime`: pattern `^([01]\d|2[0-3]):?([0-5]\d)$`, length 5.
pub fn daily_backup_time(value: &str) -> RuleResult {
    let b = value.as_bytes();
    if b.len() == 5 && hour(&b[0..2]) && b[2] == b':' && minute(&b[3..5]) {
        Ok(())
    } else {
        Err(Violation::new(
            code::BACKUP_START_TIME,
            "DailyAutomaticBackupStartTime",
            "be HH:MM (UTC)",
            "FSx",
            format!("{value:?}"),
        ))
    }
}

/// `AutomaticBackupRetentionDays`: 0 to 90. Source: FSx API `AutomaticBackupRetentionDays`.
pub fn backup_retention_days(days: i64) -> RuleResult {
    if (0..=90).contains(&days) {
        Ok(())
    } else {
        Err(Violation::new(
            code::BACKUP_RETENTION,
            "AutomaticBackupRetentionDays",
            "be between 0 and 90",
            "FSx",
            days,
        ))
    }
}

fn hour(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit) && (b[0] - b'0') * 10 + (b[1] - b'0') < 24
}

fn minute(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit) && (b[0] - b'0') < 6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: RuleResult) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn lustre_capacity() {
        for ok in [1200, 2400, 4800, 9600, 100_800] {
            assert!(
                lustre_storage_capacity("PERSISTENT_1", "SSD", Some(200), ok).is_ok(),
                "{ok}"
            );
        }
        assert_eq!(
            msg(lustre_storage_capacity("PERSISTENT_1", "SSD", Some(200), 3600)),
            "StorageCapacity must be 1200, 2400 or a multiple of 2400 for Lustre PERSISTENT_1 SSD, got 3600"
        );
        assert!(lustre_storage_capacity("SCRATCH_1", "SSD", None, 3600).is_ok());
        assert_eq!(
            msg(lustre_storage_capacity("PERSISTENT_1", "HDD", Some(12), 1800)),
            "StorageCapacity must be a multiple of 6000 at 12 MB/s/TiB for Lustre PERSISTENT_1 HDD, got 1800"
        );
        assert!(lustre_storage_capacity("PERSISTENT_1", "SSD", None, 0).is_err());
    }

    #[test]
    fn lustre_throughput() {
        assert!(lustre_per_unit_storage_throughput("PERSISTENT_1", "SSD", 50).is_ok());
        assert_eq!(
            msg(lustre_per_unit_storage_throughput(
                "PERSISTENT_1",
                "SSD",
                125
            )),
            "PerUnitStorageThroughput must be 50, 100 or 200 (125 is a PERSISTENT_2 value; FSx API CreateFileSystemLustreConfiguration) for Lustre PERSISTENT_1 SSD, got 125"
        );
        assert_eq!(
            msg(lustre_per_unit_storage_throughput("SCRATCH_2", "SSD", 50)),
            "PerUnitStorageThroughput must not be set (only PERSISTENT_1 and PERSISTENT_2 take it) for Lustre SCRATCH_2 SSD, got 50"
        );
    }

    #[test]
    fn lustre_compression_and_version() {
        assert!(lustre_compression("LZ4").is_ok());
        assert_eq!(
            msg(lustre_compression("ZSTD")),
            "DataCompressionType must be LZ4 or NONE for Lustre, got \"ZSTD\""
        );
        assert!(lustre_version("2.10", false).is_ok());
        assert_eq!(
            msg(lustre_version("2.10", true)),
            "FileSystemTypeVersion must be 2.12 or 2.15 for a Lustre file system with data repository associations, got \"2.10\""
        );
        assert_eq!(
            msg(lustre_version("3.0", false)),
            "FileSystemTypeVersion must be 2.10, 2.12 or 2.15 for Lustre, got \"3.0\""
        );
    }

    #[test]
    fn lustre_association_prerequisites() {
        assert_eq!(
            msg(lustre_backups_with_associations(7)),
            "AutomaticBackupRetentionDays must be 0 for a Lustre file system with data repository associations, got 7"
        );
        assert_eq!(
            msg(lustre_deployment_with_associations("SCRATCH_1")),
            "DeploymentType must not be SCRATCH_1 for a Lustre file system with data repository associations, got \"SCRATCH_1\""
        );
        assert!(lustre_deployment_with_associations("PERSISTENT_1").is_ok());
    }

    #[test]
    fn openzfs() {
        assert!(openzfs_throughput("SINGLE_AZ_HA_2", 320).is_ok());
        assert_eq!(
            msg(openzfs_throughput("SINGLE_AZ_HA_2", 256)),
            "ThroughputCapacity must be 160, 320, 640, 1280, 2560, 3840, 5120, 7680 or 10240 for OpenZFS SINGLE_AZ_HA_2, got 256"
        );
        assert!(openzfs_throughput("SINGLE_AZ_1", 256).is_ok());
        assert_eq!(
            msg(openzfs_throughput("DUAL", 256)),
            "DeploymentType must be SINGLE_AZ_1, SINGLE_AZ_2, SINGLE_AZ_HA_1, SINGLE_AZ_HA_2 or MULTI_AZ_1 for OpenZFS, got \"DUAL\""
        );
        assert!(openzfs_storage_capacity(64).is_ok() && openzfs_storage_capacity(524_288).is_ok());
        assert_eq!(
            msg(openzfs_storage_capacity(63)),
            "StorageCapacity must be between 64 and 524288 GiB for OpenZFS SSD, got 63"
        );
    }

    #[test]
    fn lustre_deployment_and_metadata() {
        assert!(lustre_deployment_type("PERSISTENT_2").is_ok());
        assert_eq!(
            msg(lustre_deployment_type("PERSISTENT_3")),
            "DeploymentType must be SCRATCH_1, SCRATCH_2, PERSISTENT_1 or PERSISTENT_2 for Lustre, got \"PERSISTENT_3\""
        );
        assert!(lustre_metadata("PERSISTENT_2", "AUTOMATIC", None).is_ok());
        assert!(lustre_metadata("PERSISTENT_2", "USER_PROVISIONED", Some(1500)).is_ok());
        assert!(lustre_metadata("PERSISTENT_2", "USER_PROVISIONED", Some(192_000)).is_ok());
        assert_eq!(
            msg(lustre_metadata("PERSISTENT_1", "AUTOMATIC", None)),
            "MetadataConfiguration must not be set (only PERSISTENT_2 takes one) for Lustre PERSISTENT_1, got Mode AUTOMATIC"
        );
        assert_eq!(
            msg(lustre_metadata("PERSISTENT_2", "USER_PROVISIONED", Some(18_000))),
            "MetadataConfiguration.Iops must be 1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000 for Lustre SSD metadata, got 18000"
        );
        assert!(lustre_metadata("PERSISTENT_2", "USER_PROVISIONED", Some(204_000)).is_err());
        assert_eq!(
            msg(lustre_metadata("PERSISTENT_2", "USER_PROVISIONED", None)),
            "MetadataConfiguration.Iops must be set for Lustre metadata Mode USER_PROVISIONED, got none"
        );
        assert_eq!(
            msg(lustre_metadata("PERSISTENT_2", "AUTOMATIC", Some(3000))),
            "MetadataConfiguration.Iops must not be set (FSx sets it from the storage capacity) for Lustre metadata Mode AUTOMATIC, got 3000"
        );
        assert_eq!(
            msg(lustre_metadata("PERSISTENT_2", "MANUAL", None)),
            "MetadataConfiguration.Mode must be AUTOMATIC or USER_PROVISIONED for Lustre PERSISTENT_2, got \"MANUAL\""
        );
        assert_eq!(
            msg(lustre_version_with_metadata("2.12")),
            "FileSystemTypeVersion must be 2.15 for a Lustre file system with a metadata configuration, got \"2.12\""
        );
        assert_eq!(
            msg(lustre_per_unit_storage_throughput("PERSISTENT_2", "SSD", 200)),
            "PerUnitStorageThroughput must be 125, 250, 500 or 1000 (200 is a PERSISTENT_1 value; FSx API CreateFileSystemLustreConfiguration) for Lustre PERSISTENT_2 SSD, got 200"
        );
    }

    #[test]
    fn lustre_efa_requirements() {
        assert!(lustre_efa("PERSISTENT_2", true).is_ok());
        assert_eq!(
            msg(lustre_efa("PERSISTENT_1", true)),
            "EfaEnabled must be false (EFA needs PERSISTENT_2 with a metadata configuration: FSx for Lustre User Guide, EFA-enabled file systems) for Lustre PERSISTENT_1, got true"
        );
        assert_eq!(
            msg(lustre_efa("PERSISTENT_2", false)),
            "EfaEnabled must come with a MetadataConfiguration (FSx for Lustre User Guide, EFA-enabled file systems) for Lustre PERSISTENT_2, got no MetadataConfiguration"
        );
        assert!(lustre_efa_capacity(1000, 4800).is_ok());
        assert!(lustre_efa_capacity(125, 76_800).is_ok());
        assert_eq!(
            msg(lustre_efa_capacity(250, 9600)),
            "StorageCapacity must be a multiple of 19200 GiB at 250 MB/s/TiB for an EFA-enabled Lustre file system, got 9600"
        );
        assert_eq!(
            msg(lustre_efa_capacity(200, 4800)),
            "PerUnitStorageThroughput must be 125, 250, 500 or 1000 for an EFA-enabled Lustre file system, got 200"
        );
    }

    #[test]
    fn openzfs_deployment_types_and_regions() {
        for t in OPENZFS_DEPLOYMENT_TYPES {
            assert!(openzfs_deployment_type(t).is_ok());
            assert!(!openzfs_throughput_values(t).is_empty(), "{t}");
        }
        assert_eq!(
            msg(openzfs_deployment_type("MULTI_AZ_2")),
            "DeploymentType must be SINGLE_AZ_1, SINGLE_AZ_2, SINGLE_AZ_HA_1, SINGLE_AZ_HA_2 or MULTI_AZ_1 for OpenZFS, got \"MULTI_AZ_2\""
        );
        assert!(openzfs_deployment_in_region("SINGLE_AZ_HA_2", "us-east-1").is_ok());
        assert_eq!(
            msg(openzfs_deployment_in_region("SINGLE_AZ_HA_2", "ap-southeast-3")),
            "DeploymentType must be one offered there: SINGLE_AZ_1, SINGLE_AZ_HA_1 or MULTI_AZ_1 for OpenZFS in ap-southeast-3 (FSx for OpenZFS User Guide, Availability by AWS Region), got \"SINGLE_AZ_HA_2\""
        );
        assert!(openzfs_deployment_in_region("SINGLE_AZ_HA_1", "us-east-1").is_err());
        // A Region the table doesn't hold is left to FSx.
        assert!(openzfs_deployment_in_region("SINGLE_AZ_HA_2", "eu-west-1").is_ok());
        // Every Region of the table exists and offers only known types.
        for (region, types) in OPENZFS_REGIONS {
            assert!(crate::rules::names::region(region).is_ok(), "{region}");
            assert!(types.iter().all(|t| OPENZFS_DEPLOYMENT_TYPES.contains(t)));
        }
        assert!(openzfs_subnet_count("MULTI_AZ_1", 2).is_ok());
        assert_eq!(
            msg(openzfs_subnet_count("MULTI_AZ_1", 1)),
            "SubnetIds must hold 2 subnets for OpenZFS MULTI_AZ_1, got 1"
        );
        assert_eq!(
            msg(openzfs_subnet_count("SINGLE_AZ_2", 2)),
            "SubnetIds must hold 1 subnet for OpenZFS SINGLE_AZ_2, got 2"
        );
    }

    #[test]
    fn times() {
        assert!(weekly_maintenance_time("1:04:00").is_ok());
        assert_eq!(
            msg(weekly_maintenance_time("8:04:00")),
            "WeeklyMaintenanceStartTime must be d:HH:MM with d from 1 (Monday) to 7 (Sunday) for FSx, got \"8:04:00\""
        );
        assert!(weekly_maintenance_time("1:24:00").is_err());
        assert!(daily_backup_time("19:00").is_ok());
        assert_eq!(
            msg(daily_backup_time("7:00")),
            "DailyAutomaticBackupStartTime must be HH:MM (UTC) for FSx, got \"7:00\""
        );
        assert_eq!(
            msg(backup_retention_days(91)),
            "AutomaticBackupRetentionDays must be between 0 and 90 for FSx, got 91"
        );
    }
}
