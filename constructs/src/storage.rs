//! FSx for Lustre and FSx for OpenZFS file systems, and Lustre data repository associations.

use crate::l1::ec2::SubnetId;
use crate::l1::fsx::{data_repository_association as dra, file_system as fs, FileSystem};
use crate::rules::{dra as dra_rules, fsx as fsx_rules};
use crate::security::EfaSecurityGroup;
use crate::TagsFrom;
use crate::{rule_on, Tags};
use synth::{Handle, Policy, Ref, ResourceOptions, Template, Value};

/// DeletionPolicy and UpdateReplacePolicy for a resource that holds data.
/// `Snapshot` is not valid for FSx, S3 or ECR (cfn-lint `valid_snapshot_types`), so the
/// choice is between keeping and deleting.
///
/// Retain is written as DeletionPolicy `RetainExceptOnCreate`: kept on stack deletion and
/// replacement like Retain, but deleted when the operation that created it rolls back, so a
/// failed first deploy leaves no file system billing and no bucket name blocking the retry.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html>
pub fn removal_options(policy: Policy) -> ResourceOptions {
    let mut options = ResourceOptions::default().retain_policy(policy);
    if policy == Policy::Retain {
        options.deletion_policy = Some(Policy::RetainExceptOnCreate);
    }
    options
}

/// FSx checks the security group's rules at creation: wait for them.
fn wait_for_rules(mut options: ResourceOptions, group: &EfaSecurityGroup) -> ResourceOptions {
    options.depends_on.extend(group.rules.iter().cloned());
    options
}

/// An FSx for Lustre file system in one subnet.
#[derive(Debug, Clone)]
pub struct LustreProps<'a> {
    /// SCRATCH_1, SCRATCH_2, PERSISTENT_1 or PERSISTENT_2; create-only.
    pub deployment_type: &'a str,
    /// SSD or HDD.
    pub storage_type: &'a str,
    /// GiB; the allowed sizes depend on the deployment and storage types.
    pub storage_capacity: Value<i64>,
    /// PERSISTENT_2 only: the metadata configuration (`None`: none is set).
    pub metadata: Option<LustreMetadata<'a>>,
    /// `EfaEnabled` (PERSISTENT_2 with a metadata configuration); `false` leaves it unset.
    /// The EFA-enabled security group FSx asks for is [`LustreProps::security_group`], an
    /// [`EfaSecurityGroup`] by type.
    pub efa_enabled: bool,
    /// MB/s per TiB; the allowed values depend on the deployment and storage types.
    pub per_unit_storage_throughput: Value<i64>,
    /// `DataCompressionType`: `NONE` or `LZ4`.
    pub compression: Value<String>,
    /// `FileSystemTypeVersion`: the Lustre version (`2.15` ...).
    pub version: Value<String>,
    /// 0 turns automatic backups off, which data repository associations require.
    pub automatic_backup_retention_days: i64,
    /// The subnet it serves: `network.private_subnet.refer()`, or an existing subnet's ID.
    pub subnet: Ref<SubnetId>,
    /// The group it joins; it waits for the group's rules.
    pub security_group: &'a EfaSecurityGroup,
    /// Keep or delete it on stack deletion and replacement (see [`removal_options`]).
    pub removal: Policy,
    /// The file system's tags.
    pub tags: Tags,
}

/// A Lustre `MetadataConfiguration`.
#[derive(Debug, Clone, Copy)]
pub struct LustreMetadata<'a> {
    /// `AUTOMATIC` or `USER_PROVISIONED`.
    pub mode: &'a str,
    /// Metadata IOPS, USER_PROVISIONED only.
    pub iops: Option<i64>,
}

/// A Lustre file system and what its associations must know about it.
#[derive(Debug, Clone)]
pub struct LustreFileSystem {
    /// The file system.
    pub handle: Handle<FileSystem>,
    deployment_type: String,
    version: Value<String>,
    backup_days: i64,
    associations: Vec<(String, String)>,
}

/// The rules of one Lustre file system's own properties (diagnostics at
/// `<id> (AWS::FSx::FileSystem).<property>`).
fn check_lustre(t: &mut Template, path: &str, p: &LustreProps<'_>) {
    let (deployment, storage) = (p.deployment_type, p.storage_type);
    let throughput = p.per_unit_storage_throughput.literal().copied();
    rule_on(
        t,
        &format!("{path}.StorageCapacity"),
        "StorageCapacity",
        &p.storage_capacity,
        |c| fsx_rules::lustre_storage_capacity(deployment, storage, throughput, *c),
        "the Capacity parameter's AllowedValues",
    );
    rule_on(
        t,
        &format!("{path}.LustreConfiguration.PerUnitStorageThroughput"),
        "PerUnitStorageThroughput",
        &p.per_unit_storage_throughput,
        |v| fsx_rules::lustre_per_unit_storage_throughput(deployment, storage, *v),
        "the parameter's AllowedValues",
    );
    rule_on(
        t,
        &format!("{path}.LustreConfiguration.DataCompressionType"),
        "DataCompressionType",
        &p.compression,
        |v| fsx_rules::lustre_compression(v),
        "the parameter's AllowedValues",
    );
    let with_metadata = p.metadata.is_some();
    rule_on(
        t,
        &format!("{path}.FileSystemTypeVersion"),
        "FileSystemTypeVersion",
        &p.version,
        |v| {
            fsx_rules::lustre_version(v, false)?;
            if with_metadata {
                fsx_rules::lustre_version_with_metadata(v)?;
            }
            Ok(())
        },
        "the parameter's AllowedValues",
    );
    let mut report = |field: &str, r: crate::rules::RuleResult| {
        if let Err(v) = r {
            t.report(v.at(format!("{path}.{field}")));
        }
    };
    report(
        "LustreConfiguration.DeploymentType",
        fsx_rules::lustre_deployment_type(deployment),
    );
    report(
        "LustreConfiguration.AutomaticBackupRetentionDays",
        fsx_rules::backup_retention_days(p.automatic_backup_retention_days),
    );
    if let Some(m) = p.metadata {
        report(
            "LustreConfiguration.MetadataConfiguration",
            fsx_rules::lustre_metadata(deployment, m.mode, m.iops),
        );
    }
    if p.efa_enabled {
        report(
            "LustreConfiguration.EfaEnabled",
            fsx_rules::lustre_efa(deployment, with_metadata),
        );
        if let (Some(tp), Some(c)) = (throughput, p.storage_capacity.literal().copied()) {
            report("StorageCapacity", fsx_rules::lustre_efa_capacity(tp, c));
        }
    }
}

impl LustreFileSystem {
    /// Checks capacity, throughput, compression, version and backup retention against the
    /// deployment and storage types (diagnostics at `<id> (AWS::FSx::FileSystem).<property>`)
    /// and adds the file system to `t` as `id`.
    pub fn add(t: &mut Template, id: &str, p: LustreProps<'_>) -> LustreFileSystem {
        let path = format!("{id} (AWS::FSx::FileSystem)");
        p.tags.check(t, &path);
        check_lustre(t, &path, &p);
        let mut lustre = fs::LustreConfiguration::new()
            .data_compression_type(p.compression)
            .deployment_type(p.deployment_type)
            .per_unit_storage_throughput(p.per_unit_storage_throughput)
            .automatic_backup_retention_days(p.automatic_backup_retention_days);
        if let Some(m) = p.metadata {
            let mut metadata = fs::MetadataConfiguration::new().mode(m.mode);
            if let Some(iops) = m.iops {
                metadata = metadata.iops(iops);
            }
            lustre = lustre.metadata_configuration(metadata);
        }
        if p.efa_enabled {
            lustre = lustre.efa_enabled(true);
        }
        let handle = t.add_with(
            id,
            fs::FileSystem::new()
                .file_system_type("LUSTRE")
                .storage_type(p.storage_type)
                .file_system_type_version(p.version.clone())
                .storage_capacity(p.storage_capacity)
                .security_group_ids(vec![p.security_group.group.refer()])
                .subnet_ids(vec![p.subnet])
                .lustre_configuration(lustre)
                .tags_from(&p.tags),
            wait_for_rules(removal_options(p.removal), p.security_group),
        );
        LustreFileSystem {
            handle,
            deployment_type: p.deployment_type.to_string(),
            version: p.version,
            backup_days: p.automatic_backup_retention_days,
            associations: Vec::new(),
        }
    }

    /// Links a file system path to an S3 prefix. Rules that span associations run in
    /// [`LustreFileSystem::finish`].
    pub fn associate(
        &mut self,
        t: &mut Template,
        id: &str,
        a: Association<'_>,
    ) -> Handle<dra::DataRepositoryAssociation> {
        let path = format!("{id} (AWS::FSx::DataRepositoryAssociation)");
        if let Err(v) = dra_rules::file_system_path(a.file_system_path) {
            t.report(v.at(format!("{path}.FileSystemPath")));
        }
        if let Value::Lit(p) = &a.data_repository_path {
            if let Err(v) = dra_rules::data_repository_path(p) {
                t.report(v.at(format!("{path}.DataRepositoryPath")));
            }
        }
        for (field, events) in [
            ("S3.AutoImportPolicy.Events", a.import),
            ("S3.AutoExportPolicy.Events", a.export),
        ] {
            if let Err(v) = dra_rules::events(field, events) {
                t.report(v.at(format!("{path}.{field}")));
            }
        }
        self.associations.push((
            a.file_system_path.to_string(),
            a.data_repository_key.to_string(),
        ));
        let events = |e: &[String]| -> Vec<Value<String>> {
            e.iter().map(|s| Value::Lit(s.clone())).collect()
        };
        let mut s3 = dra::S3::new();
        if !a.import.is_empty() {
            s3 = s3.auto_import_policy(dra::AutoImportPolicy::new().events(events(a.import)));
        }
        if !a.export.is_empty() {
            s3 = s3.auto_export_policy(dra::AutoExportPolicy::new().events(events(a.export)));
        }
        let mut props = dra::DataRepositoryAssociation::new()
            .file_system_id(&self.handle)
            .file_system_path(a.file_system_path)
            .data_repository_path(a.data_repository_path)
            .batch_import_meta_data_on_create(a.batch_import_on_create);
        if !a.import.is_empty() || !a.export.is_empty() {
            props = props.s3(s3);
        }
        t.add_with(id, props, a.options)
    }

    /// Rules across the file system and all its associations.
    pub fn finish(&self, t: &mut Template) {
        if self.associations.is_empty() {
            return;
        }
        let path = format!("{} (AWS::FSx::FileSystem)", self.handle.id());
        let mut report = |field: &str, r: crate::rules::RuleResult| {
            if let Err(v) = r {
                t.report(v.at(format!("{path}.{field}")));
            }
        };
        report(
            "DataRepositoryAssociations",
            dra_rules::association_count(self.associations.len()),
        );
        report(
            "LustreConfiguration.DeploymentType",
            fsx_rules::lustre_deployment_with_associations(&self.deployment_type),
        );
        report(
            "LustreConfiguration.AutomaticBackupRetentionDays",
            fsx_rules::lustre_backups_with_associations(self.backup_days),
        );
        if let Value::Lit(v) = &self.version {
            report("FileSystemTypeVersion", fsx_rules::lustre_version(v, true));
        }
        let paths: Vec<&str> = self.associations.iter().map(|(p, _)| p.as_str()).collect();
        report(
            "DataRepositoryAssociations",
            dra_rules::file_system_paths_disjoint(&paths),
        );
        let repos: Vec<&str> = self.associations.iter().map(|(_, r)| r.as_str()).collect();
        report(
            "DataRepositoryAssociations",
            dra_rules::data_repository_paths_disjoint(&repos),
        );
    }
}

/// One data repository association.
#[derive(Debug, Clone)]
pub struct Association<'a> {
    /// The Lustre directory (`/data` ...).
    pub file_system_path: &'a str,
    /// Usually `Fn::Sub s3://${Bucket}/prefix/`.
    pub data_repository_path: Value<String>,
    /// The repository path with the bucket as a placeholder, for overlap checks.
    pub data_repository_key: &'a str,
    /// S3 event types imported automatically (`NEW`, `CHANGED`, `DELETED`); none: no auto-import.
    pub import: &'a [String],
    /// File system events exported automatically (`NEW`, `CHANGED`, `DELETED`); none: no auto-export.
    pub export: &'a [String],
    /// Import the repository's metadata when the association is created.
    pub batch_import_on_create: bool,
    /// Resource options (dependencies, policies) of the association.
    pub options: ResourceOptions,
}

/// An FSx for OpenZFS file system in one subnet.
#[derive(Debug, Clone)]
pub struct OpenZfsProps<'a> {
    /// `SINGLE_AZ_1`, `SINGLE_AZ_2` ...; create-only.
    pub deployment_type: &'a str,
    /// GiB.
    pub storage_capacity: Value<i64>,
    /// MB/s; the allowed values depend on the deployment type.
    pub throughput_capacity: Value<i64>,
    /// 0 turns automatic backups off.
    pub automatic_backup_retention_days: i64,
    /// `HH:MM`, UTC.
    pub daily_backup_start_time: &'a str,
    /// `d:HH:MM`, UTC, Monday is 1.
    pub weekly_maintenance_start_time: &'a str,
    /// The root volume's `DataCompressionType` (`NONE`, `ZSTD`, `LZ4`).
    pub root_volume_compression: &'a str,
    /// Who may mount the root volume over NFS (`*`, a CIDR block ...).
    pub nfs_clients: &'a str,
    /// NFS export options for those clients (`rw`, `crossmnt` ...).
    pub nfs_options: &'a [&'a str],
    /// The subnet it serves: `network.private_subnet.refer()`, or an existing subnet's ID.
    /// MULTI_AZ_1: the preferred subnet, where the active file server runs.
    pub subnet: Ref<SubnetId>,
    /// MULTI_AZ_1 only: the standby's subnet and the route tables FSx adds the endpoint to.
    pub multi_az: Option<OpenZfsMultiAz>,
    /// The group it joins; it waits for the group's rules.
    pub security_group: &'a EfaSecurityGroup,
    /// Keep or delete it on stack deletion and replacement (see [`removal_options`]).
    pub removal: Policy,
    /// The file system's tags.
    pub tags: Tags,
}

/// What a MULTI_AZ_1 OpenZFS file system adds to a single-AZ one.
#[derive(Debug, Clone)]
pub struct OpenZfsMultiAz {
    /// `PreferredSubnetId`: the subnet of [`OpenZfsProps::subnet`], as a string.
    pub preferred_subnet: Value<String>,
    /// The standby file server's subnet, in another Availability Zone.
    pub standby_subnet: Ref<SubnetId>,
    /// `RouteTableIds`: the route tables of the clients' subnets, where FSx routes its
    /// floating endpoint address.
    pub route_tables: Vec<Value<String>>,
}

/// Checks capacity and throughput (for the deployment type) and adds the OpenZFS file
/// system to `t` as `id`.
pub fn add_openzfs(t: &mut Template, id: &str, p: OpenZfsProps<'_>) -> Handle<FileSystem> {
    let path = format!("{id} (AWS::FSx::FileSystem)");
    p.tags.check(t, &path);
    let deployment = p.deployment_type;
    rule_on(
        t,
        &format!("{path}.StorageCapacity"),
        "StorageCapacity",
        &p.storage_capacity,
        |c| fsx_rules::openzfs_storage_capacity(*c),
        "the parameter's MinValue and MaxValue",
    );
    rule_on(
        t,
        &format!("{path}.OpenZFSConfiguration.ThroughputCapacity"),
        "ThroughputCapacity",
        &p.throughput_capacity,
        |v| fsx_rules::openzfs_throughput(deployment, *v),
        "the parameter's AllowedValues",
    );
    for (field, r) in [
        (
            "OpenZFSConfiguration.AutomaticBackupRetentionDays",
            fsx_rules::backup_retention_days(p.automatic_backup_retention_days),
        ),
        (
            "OpenZFSConfiguration.DailyAutomaticBackupStartTime",
            fsx_rules::daily_backup_time(p.daily_backup_start_time),
        ),
        (
            "OpenZFSConfiguration.WeeklyMaintenanceStartTime",
            fsx_rules::weekly_maintenance_time(p.weekly_maintenance_start_time),
        ),
    ] {
        if let Err(v) = r {
            t.report(v.at(format!("{path}.{field}")));
        }
    }
    if let Err(v) = fsx_rules::openzfs_deployment_type(deployment) {
        t.report(v.at(format!("{path}.OpenZFSConfiguration.DeploymentType")));
    }
    let subnets = 1 + usize::from(p.multi_az.is_some());
    if let Err(v) = fsx_rules::openzfs_subnet_count(deployment, subnets) {
        t.report(v.at(format!("{path}.SubnetIds")));
    }
    let options: Vec<Value<String>> = p
        .nfs_options
        .iter()
        .map(|o| Value::Lit(o.to_string()))
        .collect();
    let mut zfs = fs::OpenZFSConfiguration::new();
    let mut subnets = vec![p.subnet];
    if let Some(m) = p.multi_az {
        zfs = zfs
            .preferred_subnet_id(m.preferred_subnet)
            .route_table_ids(m.route_tables);
        subnets.push(m.standby_subnet);
    }
    t.add_with(
        id,
        fs::FileSystem::new()
            .file_system_type("OPENZFS")
            .open_zfs_configuration(
                zfs.automatic_backup_retention_days(p.automatic_backup_retention_days)
                    .copy_tags_to_backups(true)
                    .copy_tags_to_volumes(true)
                    .daily_automatic_backup_start_time(p.daily_backup_start_time)
                    .deployment_type(p.deployment_type)
                    // Lets the stack delete the file system even after users made child volumes.
                    .options(vec![Value::Lit(
                        "DELETE_CHILD_VOLUMES_AND_SNAPSHOTS".to_string(),
                    )])
                    .root_volume_configuration(
                        fs::RootVolumeConfiguration::new()
                            .data_compression_type(p.root_volume_compression)
                            .nfs_exports(vec![fs::NfsExports::new().client_configurations(vec![
                                fs::ClientConfigurations::new()
                                    .clients(p.nfs_clients)
                                    .options(options),
                            ])]),
                    )
                    .throughput_capacity(p.throughput_capacity)
                    .weekly_maintenance_start_time(p.weekly_maintenance_start_time),
            )
            .security_group_ids(vec![p.security_group.group.refer()])
            .storage_capacity(p.storage_capacity)
            .storage_type("SSD")
            .subnet_ids(subnets)
            .tags_from(&p.tags),
        wait_for_rules(removal_options(p.removal), p.security_group),
    )
}
