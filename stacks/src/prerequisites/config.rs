//! The config of the `parallelcluster-prerequisites` stack. Its default is the tutorial's setup.

use super::cluster::ClusterConfig;
use super::rules as own;
pub use crate::assets::AssetConfig;
use constructs::rules::cidr::{self, Cidr};
use constructs::rules::{dra, ecr, fsx, names, RuleResult};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use synth::Diagnostics;

/// Config file for `pcstack synth` / `pcstack deploy`. Every field is optional; unknown
/// fields are errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Region the stack is deployed to; Availability Zone defaults must lie in it.
    pub region: Option<String>,
    /// Tags added to every taggable resource.
    pub tags: IndexMap<String, String>,
    /// The VPC, its two subnets and the S3 gateway endpoint.
    pub network: NetworkConfig,
    /// The FSx for Lustre file system.
    pub lustre: LustreConfig,
    /// The FSx for OpenZFS file system.
    pub openzfs: OpenZfsConfig,
    /// The data bucket the associations link to.
    pub bucket: BucketConfig,
    /// The log bucket.
    pub logs: LogsConfig,
    /// The ECR repository for training images.
    pub repository: RepositoryConfig,
    /// Data repository associations between the Lustre file system and the bucket.
    pub associations: Vec<AssociationConfig>,
    /// Files `pcstack deploy` uploads to the data bucket once the stack is complete; each gets
    /// an output with its `s3://` URI.
    pub assets: Vec<AssetConfig>,
    /// Parameter values `pcstack deploy --config` passes (flags and --parameters-file win).
    pub parameters: IndexMap<String, String>,
    /// The ParallelCluster cluster `pcstack cluster-config` writes from the stack's outputs.
    pub cluster: ClusterConfig,
}

/// The VPC, its public and private subnets and the S3 gateway endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Default of the VPCName parameter.
    pub vpc_name: String,
    /// The VPC's primary block (mapping Networking.VPC.CIDR0); the public subnet is its first /17.
    pub primary_cidr: String,
    /// The secondary block (mapping Networking.VPC.CIDR1); the private subnet is its first /17.
    pub secondary_cidr: String,
    /// Default of the PrimarySubnetAZ parameter: a zone name (`us-east-1a`) or ID (`use1-az2`,
    /// resolved to this account's name by deploy); none means it must be given at deploy.
    pub availability_zone: Option<String>,
    /// A second private subnet in this zone (the secondary block's second /17, its own route
    /// table through the NAT gateway), output as PRIVATE_SUBNET_2_ID; OpenZFS MULTI_AZ_1 needs
    /// it. None: no second subnet.
    pub second_availability_zone: Option<String>,
    /// Default of the CreateS3Endpoint parameter.
    pub create_s3_endpoint: bool,
}

/// How the repository encrypts its images. ECR can't change it on an existing repository
/// (`EncryptionConfiguration` is create-only), so adopting a repository made by hand takes its
/// live setting: the tutorial's repository uses AES256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RepositoryEncryption {
    /// The AWS-managed `aws/ecr` KMS key (default).
    #[serde(rename = "KMS")]
    Kms,
    /// S3-managed AES-256, ECR's own default.
    #[serde(rename = "AES256")]
    Aes256,
}

impl RepositoryEncryption {
    /// The `EncryptionType` value.
    pub fn as_str(self) -> &'static str {
        match self {
            RepositoryEncryption::Kms => "KMS",
            RepositoryEncryption::Aes256 => "AES256",
        }
    }
}

/// Who may delete a resource that holds data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Removal {
    /// Keep the resource when the stack is deleted or the resource replaced (default).
    Retain,
    /// Delete it with the stack: for throwaway environments only.
    Delete,
}

/// The FSx for Lustre file system (SSD) the cluster mounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LustreConfig {
    /// PERSISTENT_1 (the tutorial's, default) or PERSISTENT_2. Fixed when the file system is
    /// created: changing it replaces the file system.
    #[schemars(schema_with = "lustre_deployment_schema")]
    pub deployment_type: String,
    /// Default of the Capacity parameter, GiB: 1200, 2400 or a multiple of 2400.
    pub capacity: i64,
    /// Largest capacity the Capacity parameter offers (its AllowedValues stop here).
    pub max_capacity: i64,
    /// Default of PerUnitStorageThroughput, MB/s/TiB: 50, 100 or 200 on PERSISTENT_1; 125,
    /// 250, 500 or 1000 on PERSISTENT_2.
    pub per_unit_storage_throughput: i64,
    /// Default of Compression: LZ4 or NONE.
    #[schemars(schema_with = "lustre_compression_schema")]
    pub compression: String,
    /// Default of LustreVersion: 2.15 or 2.12.
    #[schemars(schema_with = "lustre_version_schema")]
    pub version: String,
    /// Where clients mount the file system; the association paths are under it.
    pub mount_point: String,
    /// PERSISTENT_2 only: the metadata configuration, `{mode: AUTOMATIC}` or `{mode:
    /// USER_PROVISIONED, iops: N}`. None: no metadata configuration.
    pub metadata: Option<LustreMetadataConfig>,
    /// EFA-enabled (GPUDirect Storage): PERSISTENT_2 with a metadata configuration. Fixed when
    /// the file system is created.
    pub efa: bool,
    /// Whether the file system is kept when the stack deletes or replaces it.
    pub removal: Removal,
}

/// A Lustre metadata configuration (PERSISTENT_2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LustreMetadataConfig {
    /// AUTOMATIC (FSx scales metadata IOPS with the capacity) or USER_PROVISIONED.
    pub mode: String,
    /// USER_PROVISIONED only: 1500, 3000, 6000, 12000 or a multiple of 12000 up to 192000.
    #[serde(default)]
    pub iops: Option<i64>,
}

/// The FSx for OpenZFS file system the cluster mounts as shared storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OpenZfsConfig {
    /// SINGLE_AZ_HA_2 (default), SINGLE_AZ_HA_1, SINGLE_AZ_1, SINGLE_AZ_2 or MULTI_AZ_1 (needs
    /// network.second_availability_zone). Fixed when the file system is created.
    #[schemars(schema_with = "openzfs_deployment_schema")]
    pub deployment_type: String,
    /// Default of OpenZFSCapacity, GiB: 64 to 524288.
    pub capacity: i64,
    /// Default of OpenZFSThroughput, MB/s: a value the deployment type accepts.
    pub throughput: i64,
    /// Whether the file system is kept when the stack deletes or replaces it.
    pub removal: Removal,
}

/// The data bucket: the Lustre file system's associations import from and export to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct BucketConfig {
    /// Bucket name; `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` are filled in by CloudFormation.
    pub name: String,
    /// Whether the bucket is kept when the stack deletes or replaces it.
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
    /// Whether the log bucket is kept when the stack deletes or replaces it.
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

/// The ECR repository for the cluster's container images.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RepositoryConfig {
    /// ECR repository name.
    pub name: String,
    /// Tag of the training image: the ImageTag output and the tag in TrainingImageUri.
    pub image_tag: String,
    /// How images are encrypted: KMS (default) or AES256; fixed at creation.
    pub encryption: RepositoryEncryption,
    /// Whether the repository and its images are kept when the stack deletes or replaces it.
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

/// A bootstrap script of the tutorial: its local path there, its key in the bucket.
fn bootstrap_script(name: &str, env: &str) -> AssetConfig {
    AssetConfig {
        file: format!("examples/scripts/bootstrap/{name}"),
        key: format!("scripts/bootstrap/{name}"),
        env: env.into(),
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: None,
            parameters: IndexMap::new(),
            cluster: ClusterConfig::default(),
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
            assets: vec![
                bootstrap_script(
                    "head-node-enroot-pyxis-setup.sh",
                    "HEAD_NODE_BOOTSTRAP_SCRIPT",
                ),
                bootstrap_script(
                    "compute-node-enroot-pyxis-setup.sh",
                    "COMPUTE_NODE_BOOTSTRAP_SCRIPT",
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
            second_availability_zone: None,
            create_s3_endpoint: true,
        }
    }
}

impl Default for LustreConfig {
    fn default() -> Self {
        LustreConfig {
            deployment_type: LUSTRE_DEPLOYMENT.into(),
            capacity: 2400,
            max_capacity: 100_800,
            per_unit_storage_throughput: 200,
            compression: "LZ4".into(),
            version: "2.15".into(),
            mount_point: "/lustre".into(),
            metadata: None,
            efa: false,
            removal: Removal::Retain,
        }
    }
}

impl Default for OpenZfsConfig {
    fn default() -> Self {
        OpenZfsConfig {
            deployment_type: OPENZFS_DEPLOYMENT.into(),
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
            image_tag: "latest".into(),
            encryption: RepositoryEncryption::Kms,
            removal: Removal::Retain,
        }
    }
}

/// A string schema with its allowed values, so an editor reading `pcstack schema` offers them
/// (the config check refuses any other, with its rule and source).
fn one_of(values: &[&str]) -> schemars::schema::Schema {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        enum_values: Some(values.iter().map(|v| serde_json::json!(v)).collect()),
        ..Default::default()
    }
    .into()
}

fn lustre_deployment_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    one_of(&LUSTRE_DEPLOYMENTS)
}

fn lustre_compression_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    one_of(&fsx::LUSTRE_COMPRESSION_TYPES)
}

fn lustre_version_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    one_of(&LUSTRE_VERSIONS)
}

fn openzfs_deployment_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
    one_of(&fsx::OPENZFS_DEPLOYMENT_TYPES)
}

/// The default Lustre deployment type (the tutorial's).
pub const LUSTRE_DEPLOYMENT: &str = "PERSISTENT_1";
/// Lustre deployment types the stack offers: the persistent SSD types.
pub const LUSTRE_DEPLOYMENTS: [&str; 2] = ["PERSISTENT_1", "PERSISTENT_2"];
/// Lustre storage type this stack uses (the tutorial's).
pub const LUSTRE_STORAGE: &str = "SSD";
/// The default OpenZFS deployment type (the tutorial's).
pub const OPENZFS_DEPLOYMENT: &str = "SINGLE_AZ_HA_2";
/// Lustre versions the LustreVersion parameter offers: those that support associations.
pub const LUSTRE_VERSIONS: [&str; 2] = ["2.15", "2.12"];

impl Config {
    /// Parses a YAML config; unknown fields and wrong types are errors naming the field.
    pub fn from_yaml(text: &str, source: &str) -> Result<Config, Diagnostics> {
        crate::parse_config(text, source)
    }

    /// Every problem with the config, with paths like `config: lustre.capacity`: each line
    /// applies one rule function (`constructs::rules` for AWS rules, [`super::rules`] for the
    /// config's own).
    pub fn validate(&self) -> Diagnostics {
        let mut c = Checks::default();
        if let Some(r) = &self.region {
            c.check("region", names::region(r));
        }
        self.check_network(&mut c);
        self.check_lustre(&mut c);
        self.check_openzfs(&mut c);
        self.check_buckets_and_repository(&mut c);
        self.check_associations(&mut c);
        // Keys and variables only: the files are deploy's business (synth runs anywhere).
        c.0.extend(crate::assets::check("assets", &self.assets));
        for (k, v) in &self.tags {
            let field = format!("tags.{}", k.escape_debug());
            c.check(&field, constructs::rules::tags::tag(&field, k, v));
        }
        self.warn_deleted_data(&mut c);
        c.0.extend(self.cluster.validate());
        c.0
    }

    fn check_network(&self, c: &mut Checks) {
        let n = &self.network;
        let primary = Cidr::parse("network.primary_cidr", &n.primary_cidr);
        let secondary = Cidr::parse("network.secondary_cidr", &n.secondary_cidr);
        match (&primary, &secondary) {
            (Ok(p), Ok(s)) => {
                c.check(
                    "network.primary_cidr",
                    cidr::block_size("network.primary_cidr", *p),
                );
                c.check(
                    "network.secondary_cidr",
                    cidr::block_size("network.secondary_cidr", *s),
                );
                c.check("network.secondary_cidr", cidr::secondary_block(*p, *s));
                // The subnets are the first /17 of each block: Fn::Cidr [block, 2, 15].
                c.check(
                    "network.primary_cidr",
                    first_subnet("network.primary_cidr", *p),
                );
                c.check(
                    "network.secondary_cidr",
                    first_subnet("network.secondary_cidr", *s),
                );
            }
            _ => {
                c.check("network.primary_cidr", primary.map(|_| ()));
                c.check("network.secondary_cidr", secondary.map(|_| ()));
            }
        }
        if let Some(az) = &n.availability_zone {
            let field = "network.availability_zone";
            // A Region that doesn't exist is reported once, as `region`: the zone is not
            // checked against it too (one mistake, one error).
            let region = self.region.as_deref().filter(|r| names::region(r).is_ok());
            c.check(field, names::zone_name_or_id(field, az, region));
        }
        if let Some(second) = &n.second_availability_zone {
            let field = "network.second_availability_zone";
            let region = self.region.as_deref().filter(|r| names::region(r).is_ok());
            c.check(field, names::zone_name_or_id(field, second, region));
            c.check(
                field,
                own::second_zone(n.availability_zone.as_deref(), second),
            );
        }
        c.check("network.vpc_name", own::vpc_name(&n.vpc_name));
    }

    fn check_lustre(&self, c: &mut Checks) {
        let l = &self.lustre;
        let (deployment, storage) = (l.deployment_type.as_str(), LUSTRE_STORAGE);
        if let Err(v) = own::offered_lustre_deployment(deployment) {
            // Every other Lustre rule depends on the deployment type.
            c.check("lustre.deployment_type", Err(v));
            return;
        }
        let throughput = l.per_unit_storage_throughput;
        c.check(
            "lustre.capacity",
            fsx::lustre_storage_capacity(deployment, storage, Some(throughput), l.capacity),
        );
        c.check(
            "lustre.max_capacity",
            fsx::lustre_storage_capacity(deployment, storage, None, l.max_capacity),
        );
        c.check(
            "lustre.capacity",
            own::capacity_within_max(l.capacity, l.max_capacity),
        );
        c.check(
            "lustre.per_unit_storage_throughput",
            fsx::lustre_per_unit_storage_throughput(deployment, storage, throughput),
        );
        c.check(
            "lustre.compression",
            fsx::lustre_compression(&l.compression),
        );
        c.check(
            "lustre.version",
            fsx::lustre_version(&l.version, !self.associations.is_empty()),
        );
        c.check("lustre.version", own::offered_lustre_version(&l.version));
        c.check("lustre.mount_point", own::mount_point(&l.mount_point));
        self.check_lustre_metadata_and_efa(c);
    }

    fn check_lustre_metadata_and_efa(&self, c: &mut Checks) {
        let l = &self.lustre;
        let deployment = l.deployment_type.as_str();
        if let Some(w) = own::metadata_at_creation(deployment, l.metadata.is_some()) {
            c.0.push(w);
        }
        if let Some(m) = &l.metadata {
            c.check(
                "lustre.metadata",
                fsx::lustre_metadata(deployment, &m.mode, m.iops),
            );
            c.check(
                "lustre.version",
                fsx::lustre_version_with_metadata(&l.version),
            );
        }
        if l.efa {
            let efa = fsx::lustre_efa(deployment, l.metadata.is_some());
            let with_type = efa.is_ok();
            c.check("lustre.efa", efa);
            if with_type {
                // The Capacity parameter then offers the multiples of the step up to
                // max_capacity, and capacity is one of them.
                c.check(
                    "lustre.capacity",
                    fsx::lustre_efa_capacity(l.per_unit_storage_throughput, l.capacity),
                );
            }
        }
    }

    fn check_openzfs(&self, c: &mut Checks) {
        let z = &self.openzfs;
        let deployment = z.deployment_type.as_str();
        c.check(
            "openzfs.capacity",
            fsx::openzfs_storage_capacity(z.capacity),
        );
        if let Err(v) = fsx::openzfs_deployment_type(deployment) {
            c.check("openzfs.deployment_type", Err(v));
            return;
        }
        c.check(
            "openzfs.throughput",
            fsx::openzfs_throughput(deployment, z.throughput),
        );
        if let Some(region) = self.region.as_deref().filter(|r| names::region(r).is_ok()) {
            c.check(
                "openzfs.deployment_type",
                fsx::openzfs_deployment_in_region(deployment, region),
            );
            c.0.extend(own::unchecked_openzfs_region(deployment, region));
        }
        c.check(
            "openzfs.deployment_type",
            own::multi_az_second_zone(deployment, self.network.second_availability_zone.as_deref()),
        );
    }

    fn check_buckets_and_repository(&self, c: &mut Checks) {
        c.check(
            "bucket.name",
            own::bucket_name_template("bucket.name", &self.bucket.name),
        );
        c.check(
            "logs.bucket_name",
            own::bucket_name_template("logs.bucket_name", &self.logs.bucket_name),
        );
        c.check(
            "logs.bucket_name",
            own::distinct_bucket_names(&self.bucket.name, &self.logs.bucket_name),
        );
        c.check(
            "logs.retention_days",
            own::log_retention_days(self.logs.retention_days),
        );
        c.check(
            "repository.name",
            ecr::repository_name(&self.repository.name),
        );
        c.check(
            "repository.image_tag",
            ecr::image_tag("repository.image_tag", &self.repository.image_tag),
        );
    }

    fn check_associations(&self, c: &mut Checks) {
        let all = &self.associations;
        c.check("associations", dra::association_count(all.len()));
        for (i, a) in all.iter().enumerate() {
            // Each field's name once; those only a message needs, only for the message.
            let at = |f: &str| format!("associations[{i}].{f}");
            let (id, output) = (at("id"), at("output"));
            let (s3_prefix, env) = (at("s3_prefix"), at("env"));
            c.check(&id, own::association_logical_id(&id, &a.id));
            c.check(&output, own::association_logical_id(&output, &a.output));
            c.check_at(
                || at("file_system_path"),
                dra::file_system_path(&a.file_system_path),
            );
            c.check(
                &s3_prefix,
                dra::data_repository_path(&repository_key(&a.s3_prefix)),
            );
            c.check(&s3_prefix, own::s3_prefix(&s3_prefix, &a.s3_prefix));
            c.check_at(|| at("import"), dra::events("import", &a.import));
            c.check_at(|| at("export"), dra::events("export", &a.export));
            c.check(&env, own::env_name(&env, &a.env));
        }
        let paths: Vec<&str> = all.iter().map(|a| a.file_system_path.as_str()).collect();
        c.check("associations", dra::file_system_paths_disjoint(&paths));
        let keys: Vec<String> = all.iter().map(|a| repository_key(&a.s3_prefix)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        c.check("associations", dra::data_repository_paths_disjoint(&keys));
        let ids: Vec<&str> = all.iter().map(|a| a.id.as_str()).collect();
        for (i, v) in own::unique_association_ids(&ids) {
            c.check(&format!("associations[{i}].id"), Err(v));
        }
    }

    fn warn_deleted_data(&self, c: &mut Checks) {
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
            c.0.extend(
                own::deleted_data(field, removal, what)
                    .into_iter()
                    .collect(),
            );
        }
    }
}

/// The diagnostics found so far; each failed rule is reported at `config: <field>`.
#[derive(Default)]
struct Checks(Diagnostics);

impl Checks {
    fn check(&mut self, field: &str, result: RuleResult) {
        self.check_at(|| field, result);
    }

    /// [`Checks::check`], the field's name made only for a violation.
    fn check_at<F: std::fmt::Display>(&mut self, field: impl FnOnce() -> F, result: RuleResult) {
        if let Err(v) = result {
            self.0.push(v.at(format!("config: {}", field())));
        }
    }
}

/// The subnet of a block: its first /17, `Fn::Cidr [block, 2, 15]`.
fn first_subnet(field: &str, block: Cidr) -> RuleResult {
    cidr::fn_cidr_select(field, block, 2, 15, 0).map(|_| ())
}

/// The association's data repository path as the rules see it (any bucket name).
fn repository_key(s3_prefix: &str) -> String {
    format!("s3://bucket/{s3_prefix}")
}

/// `[A-Z_][A-Z0-9_]*`
pub use super::rules::is_env_name;

#[cfg(test)]
mod tests {
    use super::Config;

    fn errors(yaml: &str) -> Vec<String> {
        let config = Config::from_yaml(yaml, "t").unwrap();
        config
            .validate()
            .errors()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect()
    }

    /// One mistake, one error: a Region typo is not reported again through the zone.
    #[test]
    fn a_misspelt_region_is_one_error_not_two() {
        assert_eq!(
            errors("region: us-esat-1\nnetwork:\n  availability_zone: us-east-1a\n"),
            ["config: region: region must be an AWS Region code (did you mean us-east-1?) for AWS, got \"us-esat-1\""]
        );
        // A Region that exists still holds the zone.
        assert_eq!(
            errors("region: us-east-1\nnetwork:\n  availability_zone: us-west-2a\n"),
            ["config: network.availability_zone: network.availability_zone must be in the stack's Region us-east-1 for an Availability Zone name, got \"us-west-2a\""]
        );
    }

    /// A VPC block too small for the two /17 subnets names the block given and what to use.
    #[test]
    fn a_small_vpc_block_names_the_block_and_the_size_to_use() {
        assert_eq!(
            errors("network:\n  primary_cidr: 10.20.0.0/20\n"),
            ["config: network.primary_cidr: network.primary_cidr must be a /16 or larger block, such as 10.20.0.0/16, for 2 subnets of /17 (Fn::Cidr [block, 2, 15]), got 10.20.0.0/20"]
        );
    }
}
