//! FSx for Lustre and FSx for OpenZFS rules.

use super::{either, RuleResult, Violation};
use synth::Code;

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
            Code::LustreStorageCapacity,
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
            Code::LustreThroughput,
            "PerUnitStorageThroughput",
            "not be set (only PERSISTENT_1 and PERSISTENT_2 take it)",
            &context,
            throughput,
        ));
    }
    if allowed.contains(&throughput) {
        Ok(())
    } else {
        Err(Violation::new(
            Code::LustreThroughput,
            "PerUnitStorageThroughput",
            &format!("be {}", either(allowed)),
            &context,
            throughput,
        ))
    }
}

/// Lustre `DataCompressionType`.
///
/// Source: FSx API `CreateFileSystemLustreConfiguration` DataCompressionType: `NONE` | `LZ4`.
pub fn lustre_compression(value: &str) -> RuleResult {
    const ALLOWED: [&str; 2] = ["LZ4", "NONE"];
    if ALLOWED.contains(&value) {
        Ok(())
    } else {
        Err(Violation::new(
            Code::LustreCompression,
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
            Code::LustreVersion,
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
            Code::LustreVersion,
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
            Code::LustreAssociationBackups,
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
            Code::LustreAssociationDeployment,
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
            Code::OpenZfsDeployment,
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
            Code::OpenZfsThroughput,
            "ThroughputCapacity",
            &format!("be {}", either(allowed)),
            &context,
            throughput,
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
            Code::OpenZfsStorageCapacity,
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
            Code::MaintenanceWindow,
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
            Code::BackupStartTime,
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
            Code::BackupRetention,
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
            "PerUnitStorageThroughput must be 50, 100 or 200 for Lustre PERSISTENT_1 SSD, got 125"
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
