//! `parallelcluster-prerequisites`: everything the tutorial's prerequisites step creates, in
//! one template. Logical IDs and create-only values match the tutorial's template, so a stack
//! created from it updates in place (the tutorial's `examples/templates/parallelcluster-prerequisites.yaml`,
//! <https://github.com/ninedongsu/distributed-training-on-aws>).

pub mod cluster;
pub mod config;
pub mod rules;

use crate::{OutputSpec, StackOutput};
use config::{
    Config, LustreConfig, OpenZfsConfig, Removal, LUSTRE_DEPLOYMENT, LUSTRE_STORAGE,
    LUSTRE_VERSIONS,
};
use constructs::l1::ecr::{Repository, RepositoryAttr};
use constructs::l1::fsx::{FileSystem, FileSystemAttr};
use constructs::l1::s3::Bucket;
use constructs::network::{
    open_endpoint_policy, Network, NetworkIds, NetworkProps, SecondPrivateSubnetIds,
};
use constructs::rules::fsx as fsx_rules;
use constructs::security::{self, EfaSecurityGroup, EfaSecurityGroupIds, EfaSecurityGroupProps};
use constructs::storage::{
    add_openzfs, Association, LustreFileSystem, LustreMetadata, LustreProps, OpenZfsMultiAz,
    OpenZfsProps,
};
use constructs::store::{
    add_bucket, add_log_bucket, add_repository, BucketProps, LogBucket, LogBucketProps,
    RepositoryProps,
};
use constructs::Tags;
use synth::{
    Expr, Handle, LogicalId, Parameter, ParameterType, Policy, ResourceOptions, Template, Value,
};

/// The stack, for the registry ([`crate::STACKS`]).
pub struct Prerequisites;

impl crate::Stack for Prerequisites {
    const NAME: &'static str = NAME;
    const DESCRIPTION: &'static str = DESCRIPTION;
    type Config = Config;

    fn validate(config: &Config) -> synth::Diagnostics {
        config.validate()
    }

    fn template(config: &Config) -> (Template, Vec<StackOutput>) {
        build(config)
    }

    fn check_parameters(values: &indexmap::IndexMap<String, String>) -> synth::Diagnostics {
        check_parameters(values)
    }

    fn starter() -> &'static str {
        STARTER
    }

    fn assets(config: &Config) -> Vec<crate::assets::AssetConfig> {
        config.assets.clone()
    }

    fn config_parameters(config: &Config) -> Vec<crate::ConfigParameter> {
        config_parameters(config)
    }

    fn zones(config: &mut Config) -> Vec<crate::ZoneField<'_>> {
        let n = &mut config.network;
        [
            ("network.availability_zone", n.availability_zone.as_mut()),
            (
                "network.second_availability_zone",
                n.second_availability_zone.as_mut(),
            ),
        ]
        .into_iter()
        .filter_map(|(field, value)| {
            Some(crate::ZoneField {
                field,
                value: value?,
            })
        })
        .collect()
    }

    fn cluster_needs(config: &Config) -> Option<crate::ClusterNeeds> {
        Some(config.cluster.needs())
    }

    fn region(config: &Config) -> Option<&str> {
        config.region.as_deref()
    }

    fn parameters(config: &Config) -> indexmap::IndexMap<String, String> {
        config.parameters.clone()
    }

    fn commands() -> &'static [crate::StackCommand] {
        &[crate::StackCommand::ClusterConfig]
    }

    fn cluster_config(
        config: &Config,
        outputs: &serde_json::Value,
        source: &str,
    ) -> Option<Result<String, synth::Diagnostics>> {
        Some(cluster::generate(config, outputs, source))
    }
}

/// Every parameter whose Default a config field sets ([`parameters`]), with that field's
/// value: deploy sends them all, so a changed field reaches the stack. PrimarySubnetAZ only
/// when `network.availability_zone` is set.
fn config_parameters(c: &Config) -> Vec<crate::ConfigParameter> {
    let p = |name, field, value: String| crate::ConfigParameter { name, field, value };
    let (n, l, z) = (&c.network, &c.lustre, &c.openzfs);
    let mut out = vec![p("VPCName", "network.vpc_name", n.vpc_name.clone())];
    if let Some(az) = &n.availability_zone {
        out.push(p(
            "PrimarySubnetAZ",
            "network.availability_zone",
            az.clone(),
        ));
    }
    if let Some(az) = &n.second_availability_zone {
        out.push(p(
            "SecondarySubnetAZ",
            "network.second_availability_zone",
            az.clone(),
        ));
    }
    out.extend([
        p(
            "CreateS3Endpoint",
            "network.create_s3_endpoint",
            n.create_s3_endpoint.to_string(),
        ),
        p("Capacity", "lustre.capacity", l.capacity.to_string()),
        p(
            "PerUnitStorageThroughput",
            "lustre.per_unit_storage_throughput",
            l.per_unit_storage_throughput.to_string(),
        ),
        p("Compression", "lustre.compression", l.compression.clone()),
        p("LustreVersion", "lustre.version", l.version.clone()),
        p(
            "OpenZFSCapacity",
            "openzfs.capacity",
            z.capacity.to_string(),
        ),
        p(
            "OpenZFSThroughput",
            "openzfs.throughput",
            z.throughput.to_string(),
        ),
    ]);
    out
}

/// The commented starter config `pcstack init` writes: the built-in defaults.
pub const STARTER: &str = include_str!("starter.yaml");

/// The stack's name ([`crate::Stack::NAME`]).
pub const NAME: &str = "parallelcluster-prerequisites";
/// The template's Description ([`crate::Stack::DESCRIPTION`]).
pub const DESCRIPTION: &str = "VPC, EFA security group, FSx for Lustre and OpenZFS, S3 bucket with data repository associations, and ECR repository for an AWS ParallelCluster training cluster";

fn policy(r: Removal) -> Policy {
    match r {
        Removal::Retain => Policy::Retain,
        Removal::Delete => Policy::Delete,
    }
}

/// The parameters, in the tutorial's order and with its names.
struct Parameters {
    vpc_name: LogicalId,
    az: LogicalId,
    /// SecondarySubnetAZ, only with `network.second_availability_zone`.
    second_az: Option<LogicalId>,
    create_s3_endpoint: LogicalId,
    capacity: LogicalId,
    throughput: LogicalId,
    compression: LogicalId,
    version: LogicalId,
    openzfs_capacity: LogicalId,
    openzfs_throughput: LogicalId,
}

fn parameters(t: &mut Template, c: &Config) -> Parameters {
    let (vpc_name, az, second_az, create_s3_endpoint) = network_parameters(t, c);
    let (capacity, throughput, compression, version) = lustre_parameters(t, &c.lustre);
    let (openzfs_capacity, openzfs_throughput) = openzfs_parameters(t, &c.openzfs);
    let p = Parameters {
        vpc_name,
        az,
        second_az,
        create_s3_endpoint,
        capacity,
        throughput,
        compression,
        version,
        openzfs_capacity,
        openzfs_throughput,
    };
    group_and_label(t, &p);
    p
}

/// VPCName, PrimarySubnetAZ, SecondarySubnetAZ (only with `network.second_availability_zone`)
/// and CreateS3Endpoint.
fn network_parameters(
    t: &mut Template,
    c: &Config,
) -> (LogicalId, LogicalId, Option<LogicalId>, LogicalId) {
    let mut az = Parameter::new(ParameterType::Aws(
        "AWS::EC2::AvailabilityZone::Name".into(),
    ))
    .description(
        "Availability Zone of the public subnet, the private subnet and both file systems",
    );
    // A zone ID is no default for this type (a zone name): deploy resolves it first
    // (`Stack::zones`), and `synth` leaves the parameter without one.
    if let Some(default) = c
        .network
        .availability_zone
        .as_ref()
        .filter(|z| !constructs::rules::names::is_zone_id(z))
    {
        az = az.default(default.as_str());
    }
    let vpc_name = t.add_parameter(
        "VPCName",
        Parameter::string()
            .description("Name tag of the VPC and prefix of the subnet names")
            .default(c.network.vpc_name.as_str())
            .length(Some(1), Some(200)),
    );
    let az = t.add_parameter("PrimarySubnetAZ", az);
    let second_az = c.network.second_availability_zone.as_ref().map(|zone| {
        let mut second = Parameter::new(ParameterType::Aws(
            "AWS::EC2::AvailabilityZone::Name".into(),
        ))
        .description("Availability Zone of the second private subnet");
        // As PrimarySubnetAZ: a zone ID is resolved by deploy first.
        if !constructs::rules::names::is_zone_id(zone) {
            second = second.default(zone.as_str());
        }
        t.add_parameter("SecondarySubnetAZ", second)
    });
    let create_s3_endpoint = t.add_parameter(
        "CreateS3Endpoint",
        Parameter::string()
            .description("Create an S3 gateway endpoint in the VPC")
            .default(c.network.create_s3_endpoint.to_string())
            .allowed_values(["true", "false"]),
    );
    (vpc_name, az, second_az, create_s3_endpoint)
}

/// Capacity, PerUnitStorageThroughput, Compression and LustreVersion.
fn lustre_parameters(
    t: &mut Template,
    l: &LustreConfig,
) -> (LogicalId, LogicalId, LogicalId, LogicalId) {
    let deployment = l.deployment_type.as_str();
    let capacity = t.add_parameter("Capacity", capacity_parameter(l));
    // EFA-enabled, FSx refuses any change of the tier (and the capacity steps follow it).
    let throughputs = if l.efa {
        vec![l.per_unit_storage_throughput]
    } else {
        fsx_rules::lustre_throughput_values(deployment, LUSTRE_STORAGE).to_vec()
    };
    let throughput = t.add_parameter(
        "PerUnitStorageThroughput",
        Parameter::number()
            .description("FSx for Lustre throughput per TiB of storage, MB/s/TiB")
            .default(l.per_unit_storage_throughput)
            .allowed_values(throughputs),
    );
    let compression = t.add_parameter(
        "Compression",
        Parameter::string()
            .description("FSx for Lustre data compression")
            .default(l.compression.as_str())
            .allowed_values(["LZ4", "NONE"]),
    );
    // A metadata configuration runs on Lustre 2.15 only (fsx_rules::lustre_version_with_metadata).
    let versions: &[&str] = if l.metadata.is_some() {
        &LUSTRE_VERSIONS[..1]
    } else {
        &LUSTRE_VERSIONS
    };
    let version = t.add_parameter(
        "LustreVersion",
        Parameter::string()
            .description("Lustre version; data repository associations need 2.12 or later")
            .default(l.version.as_str())
            .allowed_values(versions.to_vec()),
    );
    (capacity, throughput, compression, version)
}

/// Capacity: 1200, 2400, then multiples of 2400 (FSx API StorageCapacity); EFA-enabled, the
/// multiples of its step at the configured throughput tier. CloudFormation has no "multiple
/// of" constraint, so the allowed values are listed up to a ceiling.
fn capacity_parameter(l: &LustreConfig) -> Parameter {
    let deployment = l.deployment_type.as_str();
    let efa_step = fsx_rules::lustre_efa_capacity_step(l.per_unit_storage_throughput);
    let (capacities, description, rule): (Vec<i64>, String, String) = match efa_step {
        Some(step) if l.efa => (
            (1..).map(|n| n * step).take_while(|v| *v <= l.max_capacity).collect(),
            format!("FSx for Lustre storage capacity in GiB: a multiple of {step} (EFA-enabled at {} MB/s/TiB)", l.per_unit_storage_throughput),
            format!("must be a multiple of {step} up to {} GiB for EFA-enabled Lustre {deployment} SSD at {} MB/s/TiB", l.max_capacity, l.per_unit_storage_throughput),
        ),
        _ => (
            std::iter::once(1200)
                .chain((1..).map(|n| n * 2400).take_while(|v| *v <= l.max_capacity))
                .collect(),
            "FSx for Lustre storage capacity in GiB: 1200, 2400 or a multiple of 2400".to_string(),
            format!(
                "must be 1200, 2400 or a multiple of 2400 up to {} GiB for Lustre {deployment} SSD",
                l.max_capacity
            ),
        ),
    };
    Parameter::number()
        .description(description)
        .default(l.capacity)
        .allowed_values(capacities)
        .constraint_description(rule)
}

/// OpenZFSCapacity and OpenZFSThroughput.
fn openzfs_parameters(t: &mut Template, z: &OpenZfsConfig) -> (LogicalId, LogicalId) {
    let deployment = z.deployment_type.as_str();
    let (zfs_min, zfs_max) = fsx_rules::OPENZFS_CAPACITY;
    let capacity = t.add_parameter(
        "OpenZFSCapacity",
        Parameter::number()
            .description("FSx for OpenZFS storage capacity in GiB")
            .default(z.capacity)
            .value_range(Some(zfs_min as f64), Some(zfs_max as f64)),
    );
    let throughput = t.add_parameter(
        "OpenZFSThroughput",
        Parameter::number()
            .description(format!(
                "FSx for OpenZFS throughput capacity, MB/s, as {deployment} allows"
            ))
            .default(z.throughput)
            .allowed_values(fsx_rules::openzfs_throughput_values(deployment).to_vec()),
    );
    (capacity, throughput)
}

/// The console's parameter groups and labels, as the tutorial has them.
fn group_and_label(t: &mut Template, p: &Parameters) {
    t.add_parameter_group("General configuration", &[&p.vpc_name]);
    let zones: Vec<&LogicalId> = std::iter::once(&p.az).chain(&p.second_az).collect();
    t.add_parameter_group("Availability Zone configuration for the subnets", &zones);
    t.add_parameter_group(
        "Network and S3 endpoints configuration",
        &[&p.create_s3_endpoint],
    );
    t.add_parameter_group(
        "FSx for Lustre",
        &[&p.capacity, &p.throughput, &p.compression, &p.version],
    );
    t.add_parameter_group(
        "FSx for OpenZFS",
        &[&p.openzfs_capacity, &p.openzfs_throughput],
    );
    for (id, label) in [
        (&p.vpc_name, "Name of your VPC"),
        (&p.az, "Availability Zone for the subnets and file systems"),
        (&p.create_s3_endpoint, "Create an S3 endpoint"),
        (&p.capacity, "Lustre storage capacity (GiB)"),
        (&p.throughput, "Lustre throughput per TiB (MB/s/TiB)"),
        (&p.compression, "Lustre data compression"),
        (&p.version, "Lustre version"),
        (&p.openzfs_capacity, "OpenZFS storage capacity (GiB)"),
        (&p.openzfs_throughput, "OpenZFS throughput (MB/s)"),
    ] {
        t.label_parameter(id, label);
    }
    if let Some(id) = &p.second_az {
        t.label_parameter(id, "Availability Zone for the second private subnet");
    }
}

fn param<T>(id: &LogicalId) -> Value<T> {
    Expr::Ref(id.clone()).into()
}

/// Builds the template; run [`Config::validate`] first (`Stack::build` does).
pub fn build(c: &Config) -> (Template, Vec<StackOutput>) {
    let mut t = Template::new(NAME);
    t.description = Some(DESCRIPTION.into());
    let tags = Tags::from_pairs(&c.tags);
    let p = parameters(&mut t, c);
    let endpoint = t.add_condition(
        "S3EndpointCondition",
        Expr::equals(Expr::Ref(p.create_s3_endpoint.clone()), "true"),
    );
    add_cidr_mapping(&mut t, c);
    let mut network = add_network(&mut t, &p, &tags);
    if let Some(zone) = &p.second_az {
        add_second_private_subnet(&mut t, &p, &mut network, zone, &tags);
    }
    let sg = add_security_group(&mut t, &network, &tags);
    network.add_s3_gateway_endpoint(
        &mut t,
        "S3Endpoint",
        Some(&endpoint),
        open_endpoint_policy(),
    );
    let store = add_store(&mut t, c, &network, &tags);
    let file_systems = add_file_systems(&mut t, c, &p, &network, &sg, &tags);
    let mut lustre = file_systems.lustre;
    add_associations(&mut t, c, &mut lustre, &store.bucket);
    lustre.finish(&mut t);
    let resources = Resources {
        az: &p.az,
        network: &network,
        sg: &sg,
        lustre: &lustre,
        openzfs: &file_systems.openzfs,
        store: &store,
    };
    let stack_outputs = crate::add_outputs(&mut t, outputs(c, &resources));
    (t, stack_outputs)
}

/// The VPC blocks, in the tutorial's mapping `Networking.VPC.CIDR0/CIDR1`.
fn add_cidr_mapping(t: &mut Template, c: &Config) {
    t.add_mapping(
        "Networking",
        "VPC",
        "CIDR0",
        c.network.primary_cidr.as_str(),
    );
    t.add_mapping(
        "Networking",
        "VPC",
        "CIDR1",
        c.network.secondary_cidr.as_str(),
    );
}

/// The VPC, its subnets, gateways and routes, with the tutorial's logical IDs and Name tags.
fn add_network(t: &mut Template, p: &Parameters, tags: &Tags) -> Network {
    let name_with = |suffix: &str| -> Value<String> {
        Expr::join(
            " ",
            vec![
                Expr::Ref(p.vpc_name.clone()).into(),
                suffix.into(),
                Expr::Ref(p.az.clone()).into(),
            ],
        )
        .into()
    };
    Network::add(
        t,
        NetworkIds {
            vpc: "VPC",
            secondary_cidr: "VpcCidrBlock",
            internet_gateway: "InternetGateway",
            gateway_attachment: "GatewayToInternet",
            elastic_ip: "ElasticIP",
            nat_gateway: "NATGateway",
            public_subnet: "PublicSubnet",
            private_subnet: "PrimaryPrivateSubnet",
            public_route_table: "PublicRouteTable",
            private_route_table: "PrivateRouteTable",
            public_route: "PublicRoute",
            private_route: "PrivateRouteToInternet",
            public_subnet_association: "PublicSubnetRouteTableAssociation",
            private_subnet_association: "PrimaryPrivateSubnetRTAssociation",
        },
        NetworkProps {
            primary_cidr: Expr::find_in_map("Networking", "VPC", "CIDR0").into(),
            secondary_cidr: Expr::find_in_map("Networking", "VPC", "CIDR1").into(),
            availability_zone: param(&p.az),
            vpc_name_tag: Expr::sub("${VPCName} VPC").into(),
            public_subnet_name_tag: name_with("Public Subnet -"),
            private_subnet_name_tag: name_with("Private Subnet -"),
            tags: tags.clone(),
        },
    )
}

/// The second private subnet (`network.second_availability_zone`), in the secondary block's
/// second /17, with its own route table through the NAT gateway.
fn add_second_private_subnet(
    t: &mut Template,
    p: &Parameters,
    network: &mut Network,
    zone: &LogicalId,
    tags: &Tags,
) {
    let name: Value<String> = Expr::join(
        " ",
        vec![
            Expr::Ref(p.vpc_name.clone()).into(),
            "Private Subnet 2 -".into(),
            Expr::Ref(zone.clone()).into(),
        ],
    )
    .into();
    network.add_second_private_subnet(
        t,
        SecondPrivateSubnetIds {
            subnet: "SecondaryPrivateSubnet",
            route_table: "SecondaryPrivateRouteTable",
            route: "SecondaryPrivateRouteToInternet",
            association: "SecondaryPrivateSubnetRTAssociation",
        },
        Expr::find_in_map("Networking", "VPC", "CIDR1").into(),
        param(zone),
        name,
        tags,
    );
}

/// The EFA security group: all traffic within the group, all egress.
fn add_security_group(t: &mut Template, network: &Network, tags: &Tags) -> EfaSecurityGroup {
    // The tutorial's texts: GroupDescription and rule descriptions are create-only.
    security::add(
        t,
        &network.vpc,
        EfaSecurityGroupIds {
            group: "SecurityGroup",
            ingress_self: "EFASecurityGroupIngress",
            egress_self: "EFASecurityGroupEgress",
            egress_all: "EFASecurityGroupEgressECS",
        },
        EfaSecurityGroupProps {
            group_description: "Allow EFA communication for Multi-Node Parallel Batch jobs",
            ingress_self_description:
                "All to all communication for EFA Ingress within Security Group",
            egress_self_description:
                "All to all communication for EFA Egress  within Security Group",
            egress_all_description: "All to all communication for Egress to all",
            tags: tags.clone(),
        },
    )
}

/// The buckets and the image repository.
struct Store {
    logs: LogBucket,
    bucket: Handle<Bucket>,
    repository: Handle<Repository>,
}

/// The log bucket (with the VPC's flow logs), the data bucket and the ECR repository.
fn add_store(t: &mut Template, c: &Config, network: &Network, tags: &Tags) -> Store {
    let logs = add_log_bucket(
        t,
        "LogBucket",
        "LogBucketPolicy",
        LogBucketProps {
            name: &c.logs.bucket_name,
            retention_days: c.logs.retention_days,
            removal: policy(c.logs.removal),
            tags: tags.clone(),
        },
    );
    network.add_flow_logs(t, "VPCFlowLog", &logs, tags);
    let bucket = add_bucket(
        t,
        "DataBucket",
        "DataBucketPolicy",
        BucketProps {
            access_logs: Some(&logs),
            name: &c.bucket.name,
            noncurrent_version_days: 30,
            abort_multipart_days: 7,
            removal: policy(c.bucket.removal),
            tags: tags.clone(),
        },
    );
    let repository = add_repository(
        t,
        "TrainingImageRepository",
        RepositoryProps {
            name: &c.repository.name,
            encryption: c.repository.encryption.as_str(),
            mutable_tags: &["latest"],
            untagged_days: 14,
            removal: policy(c.repository.removal),
            tags: tags.clone(),
        },
    );

    Store {
        logs,
        bucket,
        repository,
    }
}

struct FileSystems {
    lustre: LustreFileSystem,
    openzfs: Handle<FileSystem>,
}

/// FSx for Lustre and FSx for OpenZFS in the private subnet, sized by the parameters.
fn add_file_systems(
    t: &mut Template,
    c: &Config,
    p: &Parameters,
    network: &Network,
    sg: &EfaSecurityGroup,
    tags: &Tags,
) -> FileSystems {
    let lustre = LustreFileSystem::add(
        t,
        "FSxLFilesystem",
        LustreProps {
            deployment_type: &c.lustre.deployment_type,
            storage_type: LUSTRE_STORAGE,
            storage_capacity: param(&p.capacity),
            metadata: c.lustre.metadata.as_ref().map(|m| LustreMetadata {
                mode: &m.mode,
                iops: m.iops,
            }),
            efa_enabled: c.lustre.efa,
            per_unit_storage_throughput: param(&p.throughput),
            compression: param(&p.compression),
            version: param(&p.version),
            automatic_backup_retention_days: 0,
            subnet: network.private_subnet.refer(),
            security_group: sg,
            removal: policy(c.lustre.removal),
            tags: tags.clone(),
        },
    );
    let openzfs = add_openzfs(
        t,
        "OpenZFSFileSystem",
        OpenZfsProps {
            deployment_type: &c.openzfs.deployment_type,
            storage_capacity: param(&p.openzfs_capacity),
            throughput_capacity: param(&p.openzfs_throughput),
            automatic_backup_retention_days: 30,
            daily_backup_start_time: "19:00",
            weekly_maintenance_start_time: "1:04:00",
            root_volume_compression: "NONE",
            nfs_clients: "*",
            nfs_options: &["rw", "no_root_squash", "crossmnt"],
            subnet: network.private_subnet.refer(),
            multi_az: openzfs_multi_az(c, network),
            security_group: sg,
            removal: policy(c.openzfs.removal),
            tags: tags.clone(),
        },
    );
    FileSystems { lustre, openzfs }
}

/// MULTI_AZ_1: the preferred subnet is the primary private one, the standby's the second; FSx
/// routes the endpoint address in both private route tables.
fn openzfs_multi_az(c: &Config, network: &Network) -> Option<OpenZfsMultiAz> {
    if c.openzfs.deployment_type != "MULTI_AZ_1" {
        return None;
    }
    let second = network.second_private.as_ref()?;
    Some(OpenZfsMultiAz {
        preferred_subnet: network.private_subnet.ref_value(),
        standby_subnet: second.subnet.refer(),
        route_tables: vec![
            network.private_route_table.ref_value(),
            second.route_table.ref_value(),
        ],
    })
}

/// One data repository association per configured one, between Lustre and the data bucket.
fn add_associations(
    t: &mut Template,
    c: &Config,
    lustre: &mut LustreFileSystem,
    bucket: &Handle<Bucket>,
) {
    for a in &c.associations {
        let prefix = a.s3_prefix.trim_start_matches('/');
        lustre.associate(
            t,
            &a.id,
            Association {
                file_system_path: &a.file_system_path,
                data_repository_path: Expr::sub(format!("s3://${{{}}}/{prefix}", bucket.id()))
                    .into(),
                data_repository_key: &format!("s3://bucket/{prefix}"),
                import: &a.import,
                export: &a.export,
                batch_import_on_create: a.batch_import_on_create,
                options: ResourceOptions::default(),
            },
        );
    }
}

/// What the outputs refer to.
struct Resources<'a> {
    az: &'a LogicalId,
    network: &'a Network,
    sg: &'a EfaSecurityGroup,
    lustre: &'a LustreFileSystem,
    openzfs: &'a Handle<FileSystem>,
    store: &'a Store,
}

/// The env file's lines in the tutorial's order (its final env file): region, stack name, the
/// Availability Zone, the network and file system outputs, the assets' URIs (the bootstrap
/// scripts), the account, bucket, repository and image, the associations' mounted paths; then
/// what the tutorial doesn't have (the log bucket). `stacks/tests/tutorial.rs` holds the list.
fn outputs(c: &Config, r: &Resources<'_>) -> Vec<OutputSpec> {
    let mut outputs = vec![
        OutputSpec::own("AWS_REGION"),
        OutputSpec::own("STACK_NAME"),
        OutputSpec::new(
            "PrimaryAvailabilityZone",
            "Availability Zone of the subnets and file systems",
            Expr::Ref(r.az.clone()),
            "PRIMARY_AZ",
        ),
    ];
    outputs.extend(network_and_file_system_outputs(r));
    outputs.extend(asset_outputs(c, &r.store.bucket));
    outputs.push(OutputSpec::own("AWS_ACCOUNT_ID"));
    outputs.extend(store_outputs(c, r.store));
    for a in &c.associations {
        let dir = format!(
            "{}{}",
            c.lustre.mount_point.trim_end_matches('/'),
            a.file_system_path
        );
        outputs.push(OutputSpec::new(
            &a.output,
            &format!("Mounted path of the {} association", a.file_system_path),
            dir,
            &a.env,
        ));
    }
    outputs.push(OutputSpec::new(
        "LogBucketName",
        "Name of the bucket holding S3 access logs and VPC flow logs",
        r.store.logs.bucket.reference(),
        "LOG_BUCKET_NAME",
    ));
    // After the tutorial's variables: a stack without it keeps the tutorial's env file.
    if let Some(second) = &r.network.second_private {
        outputs.push(OutputSpec::new(
            "SecondaryPrivateSubnet",
            "ID of the second private subnet (network.second_availability_zone)",
            second.subnet.reference(),
            "PRIVATE_SUBNET_2_ID",
        ));
    }
    outputs
}

/// One output per asset: its `s3://` URI in the data bucket, where deploy uploads it.
fn asset_outputs(c: &Config, bucket: &Handle<Bucket>) -> Vec<OutputSpec> {
    c.assets
        .iter()
        .map(|a| {
            OutputSpec::new(
                &crate::assets::output_key(&a.env),
                &format!("S3 URI of {} (uploaded by pcstack deploy)", a.key),
                Expr::sub(format!("s3://${{{}}}/{}", bucket.id(), a.key)),
                &a.env,
            )
        })
        .collect()
}

fn network_and_file_system_outputs(r: &Resources<'_>) -> Vec<OutputSpec> {
    let (network, sg, lustre, openzfs) = (r.network, r.sg, r.lustre, r.openzfs);
    vec![
        OutputSpec::new("VPC", "ID of the VPC", network.vpc.reference(), "VPC_ID"),
        OutputSpec::new(
            "PublicSubnet",
            "ID of the public subnet",
            network.public_subnet.reference(),
            "PUBLIC_SUBNET_ID",
        ),
        OutputSpec::new(
            "PrimaryPrivateSubnet",
            "ID of the primary private subnet",
            network.private_subnet.reference(),
            "PRIVATE_SUBNET_ID",
        ),
        OutputSpec::new(
            "SecurityGroup",
            "ID of the EFA security group",
            sg.group.reference(),
            "SECURITY_GROUP_ID",
        ),
        OutputSpec::new(
            "FSxLustreFilesystemId",
            "ID of the FSx for Lustre file system",
            lustre.handle.reference(),
            "FSX_LUSTRE_ID",
        ),
        OutputSpec::new(
            "FSxLustreFilesystemMountname",
            "Mount name of the FSx for Lustre file system",
            lustre.handle.get_att(FileSystemAttr::LustreMountName),
            "FSX_LUSTRE_MOUNT_NAME",
        ),
        OutputSpec::new(
            "FSxLustreFilesystemDNSname",
            "DNS name of the FSx for Lustre file system",
            lustre.handle.get_att(FileSystemAttr::DNSName),
            "FSX_LUSTRE_DNS",
        ),
        OutputSpec::new(
            "FSxORootVolumeId",
            "ID of the FSx for OpenZFS root volume",
            openzfs.get_att(FileSystemAttr::RootVolumeId),
            "FSX_OPENZFS_ROOT_VOLUME_ID",
        ),
    ]
}

fn store_outputs(c: &Config, store: &Store) -> Vec<OutputSpec> {
    let (bucket, repository) = (&store.bucket, &store.repository);
    let tag = c.repository.image_tag.as_str();
    vec![
        OutputSpec::new(
            "S3BucketName",
            "Name of the data bucket",
            bucket.reference(),
            "S3_BUCKET_NAME",
        ),
        OutputSpec::new(
            "ECRRepositoryName",
            "Name of the training image repository",
            repository.reference(),
            "ECR_REPO_NAME",
        ),
        OutputSpec::new(
            "ECRRepositoryUri",
            "URI of the training image repository",
            repository.get_att(RepositoryAttr::RepositoryUri),
            "ECR_REPO_URI",
        ),
        OutputSpec::new(
            "ImageTag",
            "Tag of the training image (config repository.image_tag)",
            tag,
            "IMAGE_TAG",
        ),
        OutputSpec::new(
            "TrainingImageUri",
            "URI of the training image: repository URI and tag",
            Expr::join(
                ":",
                vec![
                    repository.get_att(RepositoryAttr::RepositoryUri).into(),
                    tag.into(),
                ],
            ),
            "TRAINING_IMAGE_URI",
        ),
    ]
}

/// Checks parameter values before any deploy call, with the rules the template's own
/// constraints express (and the ones they can't, such as "a multiple of 2400").
/// PerUnitStorageThroughput and OpenZFSThroughput are not here: their values depend on the
/// config's deployment types, fixed at synth. The template's AllowedValues, listed from the
/// same rule tables for those types, hold them (checked before deploy by `plan::params`),
/// and the config fields that set them are checked by [`Config::validate`].
pub fn check_parameters(values: &indexmap::IndexMap<String, String>) -> synth::Diagnostics {
    use constructs::rules::{self, Violation};
    let mut d = synth::Diagnostics::new();
    let number = |name: &str, v: &str| -> Result<i64, Violation> {
        v.trim().parse::<i64>().map_err(|_| {
            Violation::new(
                plan::params::code::PARAMETER_NOT_WHOLE_NUMBER,
                name,
                "be a whole number",
                "this Number parameter",
                format!("{v:?}"),
            )
        })
    };
    for (name, value) in values {
        let result = match name.as_str() {
            "Capacity" => number(name, value).and_then(|c| {
                fsx_rules::lustre_storage_capacity(LUSTRE_DEPLOYMENT, LUSTRE_STORAGE, None, c)
            }),
            "Compression" => fsx_rules::lustre_compression(value),
            "LustreVersion" => fsx_rules::lustre_version(value, true),
            "OpenZFSCapacity" => number(name, value).and_then(fsx_rules::openzfs_storage_capacity),
            "PrimarySubnetAZ" | "SecondarySubnetAZ" => {
                rules::names::zone_name_or_id(name, value, None)
            }
            _ => Ok(()),
        };
        if let Err(v) = result {
            d.push(v.at(format!("parameter {name}")));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zone ID is a valid `network.availability_zone`, but no default of the zone-name
    /// parameter: synth leaves it out, and deploy resolves the field (`Stack::zones`) first.
    #[test]
    fn a_zone_id_is_resolved_before_it_becomes_a_default() {
        use crate::Stack;
        let mut config =
            Config::from_yaml("network:\n  availability_zone: use1-az2\n", "c.yaml").unwrap();
        let built = Prerequisites::build(&config).unwrap();
        let az = &built.synthesized.template["Parameters"]["PrimarySubnetAZ"];
        assert_eq!(az["Type"], "AWS::EC2::AvailabilityZone::Name");
        assert!(az.get("Default").is_none(), "{az}");
        assert_eq!(built.parameters[1].value, "use1-az2");
        let fields = Prerequisites::zones(&mut config);
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].field, "network.availability_zone");
        *fields.into_iter().next().unwrap().value = "us-east-1c".into();
        let built = Prerequisites::build(&config).unwrap();
        assert_eq!(
            built.synthesized.template["Parameters"]["PrimarySubnetAZ"]["Default"],
            "us-east-1c"
        );
        let values = [("PrimarySubnetAZ".to_string(), "use1-az2".to_string())].into();
        assert!(!check_parameters(&values).has_errors());
        let needs = Prerequisites::cluster_needs(&config).unwrap();
        assert_eq!(needs.zone_parameter, "PrimarySubnetAZ");
        assert_eq!(
            needs.instance_types,
            [
                (
                    "cluster.head_node.instance_type".to_string(),
                    "m5.8xlarge".to_string()
                ),
                (
                    "cluster.queues[0].compute_resources[0].instance_type".to_string(),
                    "g5.8xlarge".to_string()
                )
            ]
        );
    }

    #[test]
    fn starter_is_the_default() {
        let parsed = Config::from_yaml(STARTER, "starter").unwrap();
        assert_eq!(parsed, Config::default());
        // Where a user sets the zone, the starter says that a zone ID works too.
        let zone = STARTER
            .lines()
            .find(|l| l.trim_start().starts_with("availability_zone:"))
            .unwrap();
        assert!(zone.contains("use1-az6"), "{zone}");
    }

    /// The parameters deploy sends from the config are exactly those whose Default the
    /// config sets, with the same value: a parameter added to the template without its field
    /// here would silently keep its first deployed value.
    #[test]
    fn config_parameters_are_the_template_defaults() {
        let yaml = "network:\n  availability_zone: us-east-1b\n  vpc_name: lab\n  create_s3_endpoint: false\n\
                    lustre:\n  capacity: 4800\n  per_unit_storage_throughput: 100\n  compression: NONE\n  version: '2.12'\n\
                    openzfs:\n  capacity: 1024\n  throughput: 640\n";
        let two_zones =
            "network:\n  availability_zone: us-east-1a\n  second_availability_zone: us-east-1b\n\
                         openzfs:\n  deployment_type: MULTI_AZ_1\n";
        for config in [
            Config::default(),
            Config::from_yaml(yaml, "t").unwrap(),
            Config::from_yaml(two_zones, "t").unwrap(),
        ] {
            let built = <Prerequisites as crate::Stack>::build(&config).unwrap();
            let json = &built.synthesized.template;
            let declared = json["Parameters"].as_object().unwrap();
            let with_default: Vec<&str> = declared
                .iter()
                .filter(|(_, d)| d.get("Default").is_some())
                .map(|(k, _)| k.as_str())
                .collect();
            let sent: Vec<&str> = built.parameters.iter().map(|p| p.name).collect();
            assert_eq!(sent, with_default);
            for p in &built.parameters {
                let default = &declared[p.name]["Default"];
                let text = default
                    .as_str()
                    .map_or_else(|| default.to_string(), String::from);
                assert_eq!(text, p.value, "{} ({})", p.name, p.field);
            }
        }
        let changed = Config::from_yaml(yaml, "t").unwrap();
        let values = |c: &Config| -> Vec<String> {
            config_parameters(c).into_iter().map(|p| p.value).collect()
        };
        let (old, new) = (values(&Config::default()), values(&changed));
        // Every field differs from the default here (the default has no zone).
        assert_eq!(new.len(), old.len() + 1);
        assert!(
            new[2..].iter().zip(&old[1..]).all(|(n, o)| n != o),
            "{new:?} {old:?}"
        );
    }
}
