//! The config of the `parallelcluster-prerequisites` stack. Its default is the tutorial's setup.

use constructs::rules::{self, cidr::Cidr, Violation};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use synth::{Code, Diagnostic, Diagnostics};

/// Config file for `pcstack synth` / `pcstack deploy`. Every field is optional; unknown
/// fields are errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Region the stack is deployed to; Availability Zone defaults must lie in it.
    pub region: Option<String>,
    /// Tags added to every taggable resource.
    pub tags: IndexMap<String, String>,
    pub network: NetworkConfig,
    pub lustre: LustreConfig,
    pub openzfs: OpenZfsConfig,
    pub bucket: BucketConfig,
    pub logs: LogsConfig,
    pub repository: RepositoryConfig,
    /// Data repository associations between the Lustre file system and the bucket.
    pub associations: Vec<AssociationConfig>,
    /// Parameter values `pcstack deploy --config` passes (flags and --parameters-file win).
    pub parameters: IndexMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Default of the VPCName parameter.
    pub vpc_name: String,
    /// The VPC's primary block (mapping Networking.VPC.CIDR0); the public subnet is its first /17.
    pub primary_cidr: String,
    /// The secondary block (mapping Networking.VPC.CIDR1); the private subnet is its first /17.
    pub secondary_cidr: String,
    /// Default of the PrimarySubnetAZ parameter; none means it must be given at deploy.
    pub availability_zone: Option<String>,
    /// Default of the CreateS3Endpoint parameter.
    pub create_s3_endpoint: bool,
}

/// Who may delete a resource that holds data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Removal {
    /// Keep the resource when the stack is deleted or the resource replaced (default).
    Retain,
    /// Delete it with the stack: for throwaway environments only.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LustreConfig {
    /// Default of the Capacity parameter, GiB: 1200, 2400 or a multiple of 2400.
    pub capacity: i64,
    /// Largest capacity the Capacity parameter offers (its AllowedValues stop here).
    pub max_capacity: i64,
    /// Default of PerUnitStorageThroughput, MB/s/TiB: 50, 100 or 200.
    pub per_unit_storage_throughput: i64,
    /// Default of Compression: LZ4 or NONE.
    pub compression: String,
    /// Default of LustreVersion: 2.15 or 2.12.
    pub version: String,
    /// Where clients mount the file system; the association paths are under it.
    pub mount_point: String,
    pub removal: Removal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OpenZfsConfig {
    /// Default of OpenZFSCapacity, GiB: 64 to 524288.
    pub capacity: i64,
    /// Default of OpenZFSThroughput, MB/s: a value SINGLE_AZ_HA_2 accepts.
    pub throughput: i64,
    pub removal: Removal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BucketConfig {
    /// Bucket name; `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` are filled in by CloudFormation.
    pub name: String,
    pub removal: Removal,
}

/// The bucket receiving the data bucket's access logs and the VPC's flow logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Bucket name; the same variables as `bucket.name`.
    pub bucket_name: String,
    /// Days log objects are kept.
    pub retention_days: i64,
    pub removal: Removal,
}

impl Default for LogsConfig {
    fn default() -> Self {
        LogsConfig {
            bucket_name: "parallelcluster-logs-${AWS::AccountId}-${AWS::Region}".into(),
            retention_days: 90,
            removal: Removal::Retain,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RepositoryConfig {
    /// ECR repository name.
    pub name: String,
    pub removal: Removal,
}

/// One data repository association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssociationConfig {
    /// Logical ID of the association resource (letters and digits).
    pub id: String,
    /// Path on the file system, starting with `/`.
    pub file_system_path: String,
    /// Prefix in the bucket, such as `data/`.
    pub s3_prefix: String,
    /// Events imported automatically from S3: NEW, CHANGED, DELETED.
    #[serde(default)]
    pub import: Vec<String>,
    /// Events exported automatically to S3: NEW, CHANGED, DELETED.
    #[serde(default)]
    pub export: Vec<String>,
    /// Import the prefix's metadata when the association is created.
    #[serde(default)]
    pub batch_import_on_create: bool,
    /// Output key for the mounted path (letters and digits).
    pub output: String,
    /// Environment variable `pcstack outputs --format env` writes the mounted path to.
    pub env: String,
}

const ALL_EVENTS: [&str; 3] = ["NEW", "CHANGED", "DELETED"];

fn events() -> Vec<String> {
    ALL_EVENTS.iter().map(|e| e.to_string()).collect()
}

fn association(
    id: &str,
    name: &str,
    import: bool,
    export: bool,
    batch: bool,
    output: &str,
    env: &str,
) -> AssociationConfig {
    AssociationConfig {
        id: id.into(),
        file_system_path: format!("/{name}"),
        s3_prefix: format!("{name}/"),
        import: if import { events() } else { Vec::new() },
        export: if export { events() } else { Vec::new() },
        batch_import_on_create: batch,
        output: output.into(),
        env: env.into(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: None,
            parameters: IndexMap::new(),
            tags: IndexMap::new(),
            network: NetworkConfig::default(),
            lustre: LustreConfig::default(),
            openzfs: OpenZfsConfig::default(),
            bucket: BucketConfig::default(),
            logs: LogsConfig::default(),
            repository: RepositoryConfig::default(),
            associations: vec![
                association(
                    "DataAssociation",
                    "data",
                    true,
                    false,
                    true,
                    "LustreDataDir",
                    "LUSTRE_DATA_DIR",
                ),
                association(
                    "CheckpointsAssociation",
                    "checkpoints",
                    true,
                    true,
                    false,
                    "LustreCheckpointDir",
                    "LUSTRE_CHECKPOINT_DIR",
                ),
                association(
                    "LogsAssociation",
                    "logs",
                    false,
                    true,
                    false,
                    "LustreLogDir",
                    "LUSTRE_LOG_DIR",
                ),
                association(
                    "ResultsAssociation",
                    "results",
                    false,
                    true,
                    false,
                    "LustreResultsDir",
                    "LUSTRE_RESULTS_DIR",
                ),
            ],
        }
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            vpc_name: "AWS ParallelCluster".into(),
            primary_cidr: "10.0.0.0/16".into(),
            secondary_cidr: "10.1.0.0/16".into(),
            availability_zone: None,
            create_s3_endpoint: true,
        }
    }
}

impl Default for LustreConfig {
    fn default() -> Self {
        LustreConfig {
            capacity: 2400,
            max_capacity: 100_800,
            per_unit_storage_throughput: 200,
            compression: "LZ4".into(),
            version: "2.15".into(),
            mount_point: "/lustre".into(),
            removal: Removal::Retain,
        }
    }
}

impl Default for OpenZfsConfig {
    fn default() -> Self {
        OpenZfsConfig {
            capacity: 512,
            throughput: 320,
            removal: Removal::Retain,
        }
    }
}

impl Default for BucketConfig {
    fn default() -> Self {
        BucketConfig {
            name: "parallelcluster-${AWS::AccountId}-${AWS::Region}".into(),
            removal: Removal::Retain,
        }
    }
}

impl Default for RepositoryConfig {
    fn default() -> Self {
        RepositoryConfig {
            name: "pytorch-training-custom".into(),
            removal: Removal::Retain,
        }
    }
}

/// Lustre deployment and storage type this stack uses (the tutorial's).
pub const LUSTRE_DEPLOYMENT: &str = "PERSISTENT_1";
pub const LUSTRE_STORAGE: &str = "SSD";
/// OpenZFS deployment type this stack uses (the tutorial's).
pub const OPENZFS_DEPLOYMENT: &str = "SINGLE_AZ_HA_2";
/// Lustre versions the LustreVersion parameter offers: those that support associations.
pub const LUSTRE_VERSIONS: [&str; 2] = ["2.15", "2.12"];

impl Config {
    /// Parses a YAML config; unknown fields and wrong types are errors naming the field.
    pub fn from_yaml(text: &str, source: &str) -> Result<Config, Diagnostics> {
        crate::parse_config(text, source)
    }

    /// Every problem with the config, with paths like `config: lustre.capacity`.
    pub fn validate(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        let mut check = |field: &str, r: Result<(), Violation>| {
            if let Err(v) = r {
                d.push(v.at(format!("config: {field}")));
            }
        };
        if let Some(r) = &self.region {
            check("region", rules::names::region(r));
        }
        let n = &self.network;
        let primary = Cidr::parse("network.primary_cidr", &n.primary_cidr);
        let secondary = Cidr::parse("network.secondary_cidr", &n.secondary_cidr);
        match (&primary, &secondary) {
            (Ok(p), Ok(s)) => {
                check(
                    "network.primary_cidr",
                    rules::cidr::block_size("network.primary_cidr", *p),
                );
                check(
                    "network.secondary_cidr",
                    rules::cidr::block_size("network.secondary_cidr", *s),
                );
                check(
                    "network.secondary_cidr",
                    rules::cidr::secondary_block(*p, *s),
                );
                // The subnets are the first /17 of each block: Fn::Cidr [block, 2, 15].
                check(
                    "network.primary_cidr",
                    rules::cidr::fn_cidr_select("network.primary_cidr", *p, 2, 15, 0).map(|_| ()),
                );
                check(
                    "network.secondary_cidr",
                    rules::cidr::fn_cidr_select("network.secondary_cidr", *s, 2, 15, 0).map(|_| ()),
                );
            }
            _ => {
                check("network.primary_cidr", primary.map(|_| ()));
                check("network.secondary_cidr", secondary.map(|_| ()));
            }
        }
        if let Some(az) = &n.availability_zone {
            check(
                "network.availability_zone",
                rules::names::availability_zone(
                    "network.availability_zone",
                    az,
                    self.region.as_deref(),
                ),
            );
        }
        if n.vpc_name.is_empty() || n.vpc_name.len() > 200 {
            check(
                "network.vpc_name",
                Err(Violation::new(
                    Code::VpcName,
                    "network.vpc_name",
                    "be 1 to 200 characters",
                    "the VPC Name tag",
                    format!("{:?}", n.vpc_name),
                )),
            );
        }

        let l = &self.lustre;
        check(
            "lustre.capacity",
            rules::fsx::lustre_storage_capacity(
                LUSTRE_DEPLOYMENT,
                LUSTRE_STORAGE,
                Some(l.per_unit_storage_throughput),
                l.capacity,
            ),
        );
        check(
            "lustre.max_capacity",
            rules::fsx::lustre_storage_capacity(
                LUSTRE_DEPLOYMENT,
                LUSTRE_STORAGE,
                None,
                l.max_capacity,
            ),
        );
        if l.capacity > l.max_capacity {
            check(
                "lustre.capacity",
                Err(Violation::new(
                    Code::LustreCapacityAboveMax,
                    "lustre.capacity",
                    &format!("be at most lustre.max_capacity ({})", l.max_capacity),
                    "the Capacity parameter",
                    l.capacity,
                )),
            );
        }
        check(
            "lustre.per_unit_storage_throughput",
            rules::fsx::lustre_per_unit_storage_throughput(
                LUSTRE_DEPLOYMENT,
                LUSTRE_STORAGE,
                l.per_unit_storage_throughput,
            ),
        );
        check(
            "lustre.compression",
            rules::fsx::lustre_compression(&l.compression),
        );
        check(
            "lustre.version",
            rules::fsx::lustre_version(&l.version, !self.associations.is_empty()),
        );
        if !LUSTRE_VERSIONS.contains(&l.version.as_str()) {
            check(
                "lustre.version",
                Err(Violation::new(
                    Code::LustreVersion,
                    "lustre.version",
                    "be 2.15 or 2.12",
                    "the LustreVersion parameter",
                    format!("{:?}", l.version),
                )),
            );
        }
        if !l.mount_point.starts_with('/') || l.mount_point.len() < 2 {
            check(
                "lustre.mount_point",
                Err(Violation::new(
                    Code::LustreMountPoint,
                    "lustre.mount_point",
                    "be an absolute path such as /lustre",
                    "the Lustre mount point",
                    format!("{:?}", l.mount_point),
                )),
            );
        }

        check(
            "openzfs.capacity",
            rules::fsx::openzfs_storage_capacity(self.openzfs.capacity),
        );
        check(
            "openzfs.throughput",
            rules::fsx::openzfs_throughput(OPENZFS_DEPLOYMENT, self.openzfs.throughput),
        );

        for (field, template) in [
            ("bucket.name", &self.bucket.name),
            ("logs.bucket_name", &self.logs.bucket_name),
        ] {
            let name = rules::s3::longest_sub_example(template);
            if name.contains("${") {
                check(field, Err(Violation::new(Code::BucketNameVariables, field, "use only ${AWS::AccountId}, ${AWS::Region} and ${AWS::Partition} as variables", "an S3 bucket", format!("{template:?}"))));
            } else if let Err(v) = rules::s3::bucket_name(&name) {
                let message = v.message.replace(
                    &format!("{name:?}"),
                    &format!("{template:?} (longest form {name:?})"),
                );
                check(field, Err(Violation { message, ..v }));
            }
        }
        if self.bucket.name == self.logs.bucket_name {
            check(
                "logs.bucket_name",
                Err(Violation::new(
                    Code::LogBucketSameAsData,
                    "logs.bucket_name",
                    "differ from bucket.name",
                    "the log bucket",
                    format!("{:?}", self.logs.bucket_name),
                )),
            );
        }
        if !(1..=3650).contains(&self.logs.retention_days) {
            check(
                "logs.retention_days",
                Err(Violation::new(
                    Code::LogRetention,
                    "logs.retention_days",
                    "be between 1 and 3650",
                    "the log bucket's lifecycle rule",
                    self.logs.retention_days,
                )),
            );
        }
        check(
            "repository.name",
            rules::ecr::repository_name(&self.repository.name),
        );

        check(
            "associations",
            rules::dra::association_count(self.associations.len()),
        );
        for (i, a) in self.associations.iter().enumerate() {
            let at = |f: &str| format!("associations[{i}].{f}");
            for (field, value) in [("id", &a.id), ("output", &a.output)] {
                if !synth::id::is_logical_id(value) {
                    let rule = format!("match ^[A-Za-z0-9]{{1,{}}}$", synth::id::MAX_NAME_LEN);
                    check(
                        &at(field),
                        Err(Violation::new(
                            Code::TemplateStructure,
                            &at(field),
                            &rule,
                            "a CloudFormation logical ID",
                            format!("{value:?}"),
                        )),
                    );
                }
            }
            check(
                &at("file_system_path"),
                rules::dra::file_system_path(&a.file_system_path),
            );
            check(
                &at("s3_prefix"),
                rules::dra::data_repository_path(&format!("s3://bucket/{}", a.s3_prefix)),
            );
            if a.s3_prefix.starts_with('/')
                || (!a.s3_prefix.is_empty() && !a.s3_prefix.ends_with('/'))
            {
                check(
                    &at("s3_prefix"),
                    Err(Violation::new(
                        Code::AssociationPrefix,
                        &at("s3_prefix"),
                        "be a prefix such as data/ (no leading /, a trailing /)",
                        "a data repository association",
                        format!("{:?}", a.s3_prefix),
                    )),
                );
            }
            check(&at("import"), rules::dra::events("import", &a.import));
            check(&at("export"), rules::dra::events("export", &a.export));
            if !is_env_name(&a.env) {
                check(
                    &at("env"),
                    Err(Violation::new(
                        Code::AssociationEnv,
                        &at("env"),
                        "be an environment variable name ([A-Z_][A-Z0-9_]*)",
                        "pcstack outputs",
                        format!("{:?}", a.env),
                    )),
                );
            }
        }
        let paths: Vec<&str> = self
            .associations
            .iter()
            .map(|a| a.file_system_path.as_str())
            .collect();
        check(
            "associations",
            rules::dra::file_system_paths_disjoint(&paths),
        );
        let prefixes: Vec<String> = self
            .associations
            .iter()
            .map(|a| format!("s3://bucket/{}", a.s3_prefix))
            .collect();
        check(
            "associations",
            rules::dra::data_repository_paths_disjoint(
                &prefixes.iter().map(String::as_str).collect::<Vec<_>>(),
            ),
        );
        let mut seen = std::collections::HashSet::new();
        for (i, a) in self.associations.iter().enumerate() {
            if !seen.insert(a.id.as_str()) {
                check(
                    &format!("associations[{i}].id"),
                    Err(Violation::new(
                        Code::DuplicateAssociationId,
                        &format!("associations[{i}].id"),
                        "be unique",
                        "the data repository associations",
                        format!("{:?}", a.id),
                    )),
                );
            }
        }
        for (k, v) in &self.tags {
            if k.is_empty() || k.len() > 127 || v.len() > 255 || k.starts_with("aws:") {
                check(&format!("tags.{k}"), Err(Violation::new(Code::Tag, &format!("tags.{k}"), "have a key of 1 to 127 characters not starting with aws: and a value of at most 255", "a resource tag", format!("{k:?}: {v:?}"))));
            }
        }
        for (field, removal, what) in [
            (
                "lustre.removal",
                self.lustre.removal,
                "the Lustre file system and its data",
            ),
            (
                "openzfs.removal",
                self.openzfs.removal,
                "the OpenZFS file system and its data",
            ),
            (
                "bucket.removal",
                self.bucket.removal,
                "the bucket (CloudFormation can delete it only when empty)",
            ),
            (
                "repository.removal",
                self.repository.removal,
                "the repository and its images",
            ),
        ] {
            if removal == Removal::Delete {
                d.push(Diagnostic::warning(Code::DeleteRemoval, format!("config: {field}"), format!("{field} is Delete: deleting the stack or replacing the resource deletes {what}")));
            }
        }
        d
    }
}

/// `[A-Z_][A-Z0-9_]*`
pub fn is_env_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}
