//! The stack's second artifact: the AWS ParallelCluster 3 cluster configuration made from its
//! outputs (`pcstack cluster-config`), in place of the tutorial's `envsubst` over a template.
//!
//! Two inputs: the stack's outputs, as the JSON `pcstack outputs --format json` and
//! `deploy --outputs-file x.json` write ([`StackValues::from_outputs_json`], each value found by
//! its environment variable name), and the config's `cluster` section ([`ClusterConfig`]). No
//! AWS call: the live path fetches the outputs first and hands over the same JSON.
//!
//! ```
//! use stacks::prerequisites::cluster::{render, StackValues};
//! let outputs = serde_json::json!({
//!     "StackName": "parallelcluster-prerequisites", "Region": "us-east-1",
//!     "Outputs": {
//!         "PublicSubnet": {"Value": "subnet-0123456789abcdef0", "EnvironmentVariable": "PUBLIC_SUBNET_ID"},
//!         "PrimaryPrivateSubnet": {"Value": "subnet-0123456789abcdef1", "EnvironmentVariable": "PRIVATE_SUBNET_ID"},
//!         "SecurityGroup": {"Value": "sg-0123456789abcdef0", "EnvironmentVariable": "SECURITY_GROUP_ID"},
//!         "FSxLustreFilesystemId": {"Value": "fs-0123456789abcdef0", "EnvironmentVariable": "FSX_LUSTRE_ID"},
//!         "FSxORootVolumeId": {"Value": "fsvol-0123456789abcdef0", "EnvironmentVariable": "FSX_OPENZFS_ROOT_VOLUME_ID"},
//!         "S3BucketName": {"Value": "parallelcluster-123456789012-us-east-1", "EnvironmentVariable": "S3_BUCKET_NAME"},
//!         "HeadNodeBootstrapScript": {"Value": "s3://parallelcluster-123456789012-us-east-1/scripts/bootstrap/head.sh", "EnvironmentVariable": "HEAD_NODE_BOOTSTRAP_SCRIPT"},
//!         "ComputeNodeBootstrapScript": {"Value": "s3://parallelcluster-123456789012-us-east-1/scripts/bootstrap/compute.sh", "EnvironmentVariable": "COMPUTE_NODE_BOOTSTRAP_SCRIPT"}
//!     }
//! });
//! let values = StackValues::from_outputs_json(&outputs, "outputs.json")?;
//! let yaml = render(&stacks::Config::default(), &values)?;
//! assert!(yaml.contains("InstanceType: g5.8xlarge"));
//! assert!(yaml.contains("BucketName: parallelcluster-123456789012-us-east-1"));
//! # Ok::<(), synth::Diagnostics>(())
//! ```

use super::config::Config;
use constructs::rules::{names, pcluster, RuleResult, Violation};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use synth::{Diagnostic, Diagnostics};

/// The diagnostic codes of the cluster configuration's inputs.
pub mod code {
    synth::codes! {
        CLUSTER_INPUT = "PC179", "the stack outputs a cluster configuration is made from are unreadable, or lack or malform a value it needs";
    }
}

/// The config's `cluster` section: what the cluster configuration adds to the stack's outputs.
/// The default is the tutorial's cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterConfig {
    /// Operating system of every node (ParallelCluster's `Image.Os`).
    pub os: String,
    /// The head node, in the public subnet.
    pub head_node: HeadNodeConfig,
    /// Slurm queues, in the private subnet; 1 to 50.
    pub queues: Vec<QueueConfig>,
}

/// The head node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HeadNodeConfig {
    /// EC2 instance type.
    pub instance_type: String,
    /// Root volume size, GiB (45 to 16384).
    pub root_volume_size: i64,
}

/// One Slurm queue: EFA on every compute resource, in a placement group unless a capacity block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Queue name: `^[a-z][a-z0-9-]*$`, at most 25 characters, not `default`.
    pub name: String,
    /// ONDEMAND, SPOT or CAPACITY_BLOCK.
    #[serde(default = "ondemand")]
    pub capacity_type: String,
    /// Capacity reservation (`cr-...`): required for CAPACITY_BLOCK, optional for ONDEMAND
    /// (an On-Demand Capacity Reservation), not for SPOT.
    #[serde(default)]
    pub capacity_reservation_id: Option<String>,
    /// Cluster placement group; unset means on, except for CAPACITY_BLOCK (which must not have one).
    #[serde(default)]
    pub placement_group: Option<bool>,
    /// Root volume size of the compute nodes, GiB (45 to 16384).
    #[serde(default = "compute_root_volume_size")]
    pub root_volume_size: i64,
    /// Launch in both private subnets (the stack's `network.second_availability_zone`,
    /// PRIVATE_SUBNET_2_ID), for capacity in either zone. ParallelCluster runs such a queue
    /// without EFA, a placement group or a capacity reservation (each lies in one zone): EFA
    /// is left off, the others must be.
    #[serde(default)]
    pub span_zones: bool,
    /// Compute resources: 1 to 50.
    pub compute_resources: Vec<ComputeResourceConfig>,
}

/// One compute resource of a queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeResourceConfig {
    /// Name, unique in its queue: the same pattern as a queue name.
    pub name: String,
    /// An EFA-capable EC2 instance type; GPUDirect RDMA is enabled where the type supports it.
    pub instance_type: String,
    /// Static nodes (always running): at least 0.
    pub min_count: i64,
    /// Most nodes: at least 1 and at least min_count; equal to min_count for CAPACITY_BLOCK.
    pub max_count: i64,
}

fn ondemand() -> String {
    "ONDEMAND".into()
}

fn compute_root_volume_size() -> i64 {
    512
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            os: "ubuntu2204".into(),
            head_node: HeadNodeConfig::default(),
            queues: vec![QueueConfig {
                name: "compute-gpu".into(),
                capacity_type: ondemand(),
                capacity_reservation_id: None,
                placement_group: None,
                root_volume_size: compute_root_volume_size(),
                span_zones: false,
                compute_resources: vec![ComputeResourceConfig {
                    name: "distributed-ml".into(),
                    instance_type: "g5.8xlarge".into(),
                    min_count: 2,
                    max_count: 2,
                }],
            }],
        }
    }
}

impl Default for HeadNodeConfig {
    fn default() -> Self {
        HeadNodeConfig {
            instance_type: "m5.8xlarge".into(),
            root_volume_size: 500,
        }
    }
}

impl ClusterConfig {
    /// The instance types and capacity reservations the cluster uses, each with its field
    /// ([`crate::Stack::cluster_needs`]).
    pub fn needs(&self) -> crate::ClusterNeeds {
        let mut needs = crate::ClusterNeeds {
            zone_parameter: "PrimarySubnetAZ".into(),
            ..Default::default()
        };
        needs.instance_types.push((
            "cluster.head_node.instance_type".into(),
            self.head_node.instance_type.clone(),
        ));
        for (i, q) in self.queues.iter().enumerate() {
            for (j, c) in q.compute_resources.iter().enumerate() {
                needs.instance_types.push((
                    format!("cluster.queues[{i}].compute_resources[{j}].instance_type"),
                    c.instance_type.clone(),
                ));
            }
            if let Some(id) = &q.capacity_reservation_id {
                let mut types: Vec<String> = Vec::new();
                for c in &q.compute_resources {
                    if !types.contains(&c.instance_type) {
                        types.push(c.instance_type.clone());
                    }
                }
                needs.reservations.push(crate::ReservationUse {
                    field: format!("cluster.queues[{i}].capacity_reservation_id"),
                    id: id.clone(),
                    capacity_type: q.capacity_type.clone(),
                    instance_types: types,
                    max_count: q.compute_resources.iter().map(|c| c.max_count).sum(),
                });
            }
        }
        needs
    }
}

/// Most queues in a cluster, most compute resources in a queue and in the cluster
/// (aws-parallelcluster `pcluster/constants.py`).
const MAX_QUEUES: usize = 50;
const MAX_COMPUTE_RESOURCES: usize = 50;

impl ClusterConfig {
    /// Every problem with the section, at `config: cluster.<field>`.
    pub fn validate(&self) -> Diagnostics {
        let mut d = Diagnostics::new();
        let mut check = |field: &str, r: RuleResult| {
            if let Err(v) = r {
                d.push(v.at(format!("config: {field}")));
            }
        };
        check("cluster.os", pcluster::os("cluster.os", &self.os));
        let f = "cluster.head_node.instance_type";
        check(f, pcluster::instance_type(f, &self.head_node.instance_type));
        let f = "cluster.head_node.root_volume_size";
        check(
            f,
            pcluster::root_volume_size(f, self.head_node.root_volume_size),
        );
        check(
            "cluster.queues",
            pcluster::count("cluster.queues", "queues", self.queues.len(), MAX_QUEUES),
        );
        let total: usize = self.queues.iter().map(|q| q.compute_resources.len()).sum();
        if !self.queues.is_empty() && total > MAX_COMPUTE_RESOURCES {
            check(
                "cluster.queues",
                pcluster::count(
                    "cluster.queues",
                    "compute resources in all queues",
                    total,
                    MAX_COMPUTE_RESOURCES,
                ),
            );
        }
        for (i, q) in self.queues.iter().enumerate() {
            let at = format!("cluster.queues[{i}]");
            if let Some(j) = self.queues[..i].iter().position(|o| o.name == q.name) {
                let f = format!("{at}.name");
                check(
                    &f,
                    Err(pcluster::unique_name(
                        &f,
                        &q.name,
                        &format!("cluster.queues[{j}].name"),
                    )),
                );
            }
            for (field, v) in q.violations(&at) {
                check(&field, Err(v));
            }
        }
        d
    }
}

impl QueueConfig {
    fn violations(&self, at: &str) -> Vec<(String, Violation)> {
        let mut found = Vec::new();
        fn check(found: &mut Vec<(String, Violation)>, field: String, r: RuleResult) {
            if let Err(v) = r {
                found.push((field, v));
            }
        }
        let f = format!("{at}.name");
        check(&mut found, f.clone(), pcluster::name(&f, &self.name));
        let f = format!("{at}.capacity_type");
        let known = pcluster::capacity_type(&f, &self.capacity_type);
        let known_type = known.is_ok();
        check(&mut found, f, known);
        let f = format!("{at}.capacity_reservation_id");
        if let Some(id) = &self.capacity_reservation_id {
            check(
                &mut found,
                f.clone(),
                pcluster::capacity_reservation_id(&f, id),
            );
        }
        if known_type {
            check(
                &mut found,
                f.clone(),
                pcluster::capacity_reservation(
                    &f,
                    &self.capacity_type,
                    self.capacity_reservation_id.as_deref(),
                ),
            );
            let f = format!("{at}.placement_group");
            check(
                &mut found,
                f.clone(),
                pcluster::placement_group(&f, &self.capacity_type, self.placement_group),
            );
        }
        let f = format!("{at}.root_volume_size");
        check(
            &mut found,
            f.clone(),
            pcluster::root_volume_size(&f, self.root_volume_size),
        );
        if self.span_zones {
            let f = format!("{at}.span_zones");
            check(
                &mut found,
                f.clone(),
                pcluster::spanning_queue(
                    &f,
                    self.placement_group,
                    &self.capacity_type,
                    self.capacity_reservation_id.as_deref(),
                ),
            );
        }
        let f = format!("{at}.compute_resources");
        check(
            &mut found,
            f.clone(),
            pcluster::count(
                &f,
                "compute resources",
                self.compute_resources.len(),
                MAX_COMPUTE_RESOURCES,
            ),
        );
        for i in 0..self.compute_resources.len() {
            found.extend(self.compute_resource_violations(at, i));
        }
        found
    }

    /// The problems of compute resource `i` (`<at>.compute_resources[i]`): its name (unique in
    /// the queue), its instance type (one with EFA; the reservation's, with a reservation) and
    /// its counts.
    fn compute_resource_violations(&self, at: &str, i: usize) -> Vec<(String, Violation)> {
        let mut found = Vec::new();
        fn check(found: &mut Vec<(String, Violation)>, field: String, r: RuleResult) {
            if let Err(v) = r {
                found.push((field, v));
            }
        }
        let c = &self.compute_resources[i];
        let cr = format!("{at}.compute_resources[{i}]");
        let f = format!("{cr}.name");
        check(&mut found, f.clone(), pcluster::name(&f, &c.name));
        if let Some(j) = self.compute_resources[..i]
            .iter()
            .position(|o| o.name == c.name)
        {
            let earlier = format!("{at}.compute_resources[{j}].name");
            check(
                &mut found,
                f.clone(),
                Err(pcluster::unique_name(&f, &c.name, &earlier)),
            );
        }
        let f = format!("{cr}.instance_type");
        let form = pcluster::instance_type(&f, &c.instance_type);
        if form.is_ok() {
            check(
                &mut found,
                f.clone(),
                pcluster::efa_instance_type(&f, &c.instance_type),
            );
        } else {
            check(&mut found, f.clone(), form);
        }
        // A reservation holds one instance type: every compute resource of its queue uses it.
        if let (Some(_), Some(first)) = (
            &self.capacity_reservation_id,
            self.compute_resources.first(),
        ) {
            if c.instance_type != first.instance_type {
                check(
                    &mut found,
                    f.clone(),
                    Err(Violation::new(
                        pcluster::code::CAPACITY_TYPE,
                        &f,
                        &format!(
                            "equal {at}.compute_resources[0].instance_type ({})",
                            first.instance_type
                        ),
                        "a queue with a capacity reservation (it holds one instance type)",
                        format!("{:?}", c.instance_type),
                    )),
                );
            }
        }
        found.extend(pcluster::compute_counts(
            &cr,
            c.min_count,
            c.max_count,
            &self.capacity_type,
        ));
        found
    }
}

/// The output values the cluster configuration uses, each read from the outputs JSON by its
/// environment variable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackValues {
    /// The stack's Region (`Region`; the env file's AWS_REGION).
    pub region: String,
    /// PUBLIC_SUBNET_ID: the head node's subnet.
    pub public_subnet: String,
    /// PRIVATE_SUBNET_ID: the queues' subnet.
    pub private_subnet: String,
    /// PRIVATE_SUBNET_2_ID, when the stack has a second private subnet: the second subnet of
    /// queues with `span_zones`.
    pub second_private_subnet: Option<String>,
    /// SECURITY_GROUP_ID: the EFA security group, on every node.
    pub security_group: String,
    /// FSX_LUSTRE_ID: the Lustre file system.
    pub lustre_id: String,
    /// FSX_OPENZFS_ROOT_VOLUME_ID: the OpenZFS root volume, mounted at `/fsx`.
    pub openzfs_volume: String,
    /// S3_BUCKET_NAME: the data bucket, read-write for every node.
    pub bucket: String,
    /// HEAD_NODE_BOOTSTRAP_SCRIPT: `s3://` URI run when the head node is configured.
    pub head_node_script: String,
    /// COMPUTE_NODE_BOOTSTRAP_SCRIPT: `s3://` URI run when a compute node is configured.
    pub compute_node_script: String,
}

/// Each value's environment variable, the form it must have and a check of that form.
type Form = (&'static str, fn(&str) -> bool);

const SUBNET: Form = ("a subnet ID (subnet-<hex>)", |v| hex_id(v, "subnet-"));
const GROUP: Form = ("a security group ID (sg-<hex>)", |v| hex_id(v, "sg-"));
// ParallelCluster's FsxLustreSettings.FileSystemId and FsxOpenZfsSettings.VolumeId patterns.
const LUSTRE: Form = ("an FSx file system ID (fs- and 17 characters)", |v| {
    v.strip_prefix("fs-").is_some_and(|r| {
        r.len() == 17
            && r.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
    })
});
const VOLUME: Form = ("an FSx volume ID (fsvol- and 17 hexadecimal digits)", |v| {
    v.strip_prefix("fsvol-")
        .is_some_and(|r| r.len() == 17 && is_lower_hex(r))
});
const BUCKET: Form = ("an S3 bucket name (3 to 63 of a-z 0-9 . -)", is_bucket);
const SCRIPT: Form = ("an s3://bucket/key URI", |v| script_bucket(v).is_some());

fn is_lower_hex(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

fn hex_id(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix).is_some_and(is_lower_hex)
}

fn is_bucket(v: &str) -> bool {
    (3..=63).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// The bucket of an `s3://bucket/key` URI with a key.
fn script_bucket(uri: &str) -> Option<&str> {
    let (bucket, key) = uri.strip_prefix("s3://")?.split_once('/')?;
    (is_bucket(bucket) && !key.is_empty() && !key.chars().any(char::is_whitespace))
        .then_some(bucket)
}

impl StackValues {
    /// Reads the values from the outputs JSON (`{"Region", "Outputs": {KEY: {"Value",
    /// "EnvironmentVariable"}}}`). Every missing or malformed value is one PC179 diagnostic
    /// naming the variable, the rule and the value; `source` names the file.
    pub fn from_outputs_json(outputs: &Json, source: &str) -> Result<StackValues, Diagnostics> {
        let mut d = Diagnostics::new();
        let fail = |d: &mut Diagnostics, field: &str, rule: &str, got: String| {
            d.push(Diagnostic::error(
                code::CLUSTER_INPUT,
                format!("{source}: {field}"),
                format!("{field} must {rule} for the cluster configuration, got {got}"),
            ));
        };
        let Some(map) = outputs.get("Outputs").and_then(Json::as_object) else {
            fail(
                &mut d,
                "Outputs",
                "be an object of outputs, as `pcstack outputs --format json` writes",
                short(outputs.get("Outputs").unwrap_or(&Json::Null)),
            );
            return Err(d);
        };
        let by_env: Vec<(&str, Option<&str>)> = map
            .values()
            .filter_map(|o| {
                Some((
                    o.get("EnvironmentVariable")?.as_str()?,
                    o.get("Value").and_then(Json::as_str),
                ))
            })
            .collect();
        let names: Vec<&str> = by_env.iter().map(|(n, _)| *n).collect();
        let get = |d: &mut Diagnostics, env: &str, (rule, ok): Form| -> String {
            match by_env.iter().find(|(n, _)| *n == env) {
                None => {
                    // The scripts are outputs only where deploy uploaded them: `assets: []`
                    // (the README's way to deploy without the tutorial's files) leaves them out.
                    let why = if env.ends_with("_BOOTSTRAP_SCRIPT") {
                        " (an asset deploy uploads: a stack deployed with `assets: []` has none; deploy it with the config's `assets`, then write the cluster configuration again)"
                    } else {
                        ""
                    };
                    fail(
                        d,
                        env,
                        &format!("be the EnvironmentVariable of an output holding {rule}{why}"),
                        format!("no such output (the outputs have {})", some_of(&names)),
                    );
                    String::new()
                }
                Some((_, Some(v))) if ok(v) => (*v).to_string(),
                Some((_, v)) => {
                    fail(
                        d,
                        env,
                        &format!("be {rule}"),
                        v.map_or("no string Value".to_string(), |v| format!("{v:?}")),
                    );
                    String::new()
                }
            }
        };
        let region = match outputs.get("Region").and_then(Json::as_str) {
            Some(r) if names::region(r).is_ok() => r.to_string(),
            other => {
                fail(
                    &mut d,
                    "Region",
                    "be a Region code such as us-east-1",
                    short(&other.map_or(Json::Null, |r| json!(r))),
                );
                String::new()
            }
        };
        let values = StackValues {
            region,
            public_subnet: get(&mut d, "PUBLIC_SUBNET_ID", SUBNET),
            private_subnet: get(&mut d, "PRIVATE_SUBNET_ID", SUBNET),
            // Optional: read (and checked) only when the stack outputs it.
            second_private_subnet: names
                .contains(&"PRIVATE_SUBNET_2_ID")
                .then(|| get(&mut d, "PRIVATE_SUBNET_2_ID", SUBNET)),
            security_group: get(&mut d, "SECURITY_GROUP_ID", GROUP),
            lustre_id: get(&mut d, "FSX_LUSTRE_ID", LUSTRE),
            openzfs_volume: get(&mut d, "FSX_OPENZFS_ROOT_VOLUME_ID", VOLUME),
            bucket: get(&mut d, "S3_BUCKET_NAME", BUCKET),
            head_node_script: get(&mut d, "HEAD_NODE_BOOTSTRAP_SCRIPT", SCRIPT),
            compute_node_script: get(&mut d, "COMPUTE_NODE_BOOTSTRAP_SCRIPT", SCRIPT),
        };
        if d.has_errors() {
            Err(d)
        } else {
            Ok(values)
        }
    }
}

/// Names for a message, whole, as many as fit in about 100 characters, then how many more:
/// a message is cut at a fixed length, which would end it inside a name.
fn some_of(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    let mut shown = String::new();
    let mut count = 0;
    for name in names {
        if count > 0 && shown.len() + name.len() > 100 {
            break;
        }
        if count > 0 {
            shown.push_str(", ");
        }
        shown.push_str(name);
        count += 1;
    }
    match names.len() - count {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// A JSON value for a message, cut to two terminal lines.
fn short(v: &Json) -> String {
    synth::input::cut_message(&v.to_string())
}

/// Where the OpenZFS root volume is mounted (the tutorial's).
pub const OPENZFS_MOUNT_DIR: &str = "/fsx";
/// Where compute nodes mount their instance store (the tutorial's).
pub const SCRATCH_MOUNT_DIR: &str = "/scratch";

/// `pcstack cluster-config` for this stack: the config's problems first (the user's to fix
/// whatever the stack holds), then the values read from the outputs JSON (`source` names
/// it), then the YAML ([`render`]).
pub fn generate(config: &Config, outputs: &Json, source: &str) -> Result<String, Diagnostics> {
    let problems = config.validate();
    if problems.has_errors() {
        return Err(problems);
    }
    let values = StackValues::from_outputs_json(outputs, source)?;
    render(config, &values)
}

/// The cluster configuration as YAML, for a config that passes every rule (the errors, the
/// `cluster` section's and the rest, are returned otherwise: one config file, checked whole).
pub fn render(config: &Config, values: &StackValues) -> Result<String, Diagnostics> {
    let mut d = config.validate();
    if values.second_private_subnet.is_none() {
        for (i, q) in config.cluster.queues.iter().enumerate() {
            if q.span_zones {
                d.push(Diagnostic::error(
                    code::CLUSTER_INPUT,
                    format!("config: cluster.queues[{i}].span_zones"),
                    format!("PRIVATE_SUBNET_2_ID must be the EnvironmentVariable of an output holding the second private subnet (deploy the stack with network.second_availability_zone) for queue {} with span_zones: true, got no such output", q.name),
                ));
            }
        }
    }
    if d.has_errors() {
        return Err(d);
    }
    let doc = document(config, values);
    let body = serde_yaml::to_string(&doc).map_err(|e| {
        std::iter::once(Diagnostic::error(
            code::CLUSTER_INPUT,
            "cluster configuration",
            format!("cluster configuration must serialize to YAML for ParallelCluster, got {e}"),
        ))
        .collect::<Diagnostics>()
    })?;
    Ok(format!(
        "# AWS ParallelCluster 3 cluster configuration, written by `pcstack cluster-config` from the\n\
         # outputs of the stack in {}. Regenerate it rather than editing it.\n{body}",
        values.region
    ))
}

/// Node access: Session Manager, read-only ECR pulls, read-write on the data bucket (read on
/// any other bucket a bootstrap script lives in), and the node's bootstrap script.
fn node_iam_and_actions(values: &StackValues, script: &str) -> (Json, Json) {
    // The partition of managed policy ARNs.
    let p = constructs::partition::of(&values.region).name;
    let mut access = vec![json!({"BucketName": values.bucket, "EnableWriteAccess": true})];
    if let Some(b) = script_bucket(script).filter(|b| *b != values.bucket) {
        access.push(json!({"BucketName": b, "EnableWriteAccess": false}));
    }
    let iam = json!({
        "S3Access": access,
        "AdditionalIamPolicies": [
            {"Policy": format!("arn:{p}:iam::aws:policy/AmazonSSMManagedInstanceCore")},
            {"Policy": format!("arn:{p}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")},
        ],
    });
    let actions = json!({"OnNodeConfigured": {"Script": script}});
    (iam, actions)
}

fn document(config: &Config, values: &StackValues) -> Json {
    let c = &config.cluster;
    let (head_iam, head_actions) = node_iam_and_actions(values, &values.head_node_script);
    let (compute_iam, compute_actions) = node_iam_and_actions(values, &values.compute_node_script);
    let queues: Vec<Json> = c
        .queues
        .iter()
        .map(|q| queue(q, values, &compute_iam, &compute_actions))
        .collect();
    json!({
        "Region": values.region,
        "Image": {"Os": c.os},
        "Imds": {"ImdsSupport": "v2.0"},
        "HeadNode": {
            "InstanceType": c.head_node.instance_type,
            "Networking": {
                "SubnetId": values.public_subnet,
                "ElasticIp": false,
                "AdditionalSecurityGroups": [values.security_group],
            },
            "LocalStorage": {
                "RootVolume": {"Size": c.head_node.root_volume_size, "DeleteOnTermination": true},
            },
            "Imds": {"Secured": true},
            "Iam": head_iam,
            "CustomActions": head_actions,
        },
        "Scheduling": {
            "Scheduler": "slurm",
            "SlurmSettings": {"ScaledownIdletime": -1, "QueueUpdateStrategy": "DRAIN"},
            "SlurmQueues": queues,
        },
        "SharedStorage": [
            {
                "Name": "lustre",
                "StorageType": "FsxLustre",
                "MountDir": config.lustre.mount_point,
                "FsxLustreSettings": {"FileSystemId": values.lustre_id},
            },
            {
                "Name": "openzfs",
                "StorageType": "FsxOpenZfs",
                "MountDir": OPENZFS_MOUNT_DIR,
                "FsxOpenZfsSettings": {"VolumeId": values.openzfs_volume},
            },
        ],
        "Monitoring": {
            "DetailedMonitoring": true,
            "Logs": {"CloudWatch": {"Enabled": true}},
            "Dashboards": {"CloudWatch": {"Enabled": true}},
        },
        "DevSettings": {
            "Timeouts": {"HeadNodeBootstrapTimeout": 43200, "ComputeNodeBootstrapTimeout": 7200},
        },
    })
}

fn queue(q: &QueueConfig, values: &StackValues, iam: &Json, actions: &Json) -> Json {
    let capacity_block = q.capacity_type == "CAPACITY_BLOCK";
    let placement = q
        .placement_group
        .unwrap_or(!capacity_block && !q.span_zones);
    let subnets: Vec<&String> = std::iter::once(&values.private_subnet)
        .chain(
            values
                .second_private_subnet
                .as_ref()
                .filter(|_| q.span_zones),
        )
        .collect();
    let resources: Vec<Json> = q
        .compute_resources
        .iter()
        .map(|c| {
            // EFA is not supported across Availability Zones (pcluster::spanning_queue).
            let mut efa = Map::new();
            efa.insert("Enabled".into(), json!(!q.span_zones));
            if !q.span_zones && pcluster::gdr_supported(&c.instance_type) {
                efa.insert("GdrSupport".into(), json!(true));
            }
            json!({
                "Name": c.name,
                "InstanceType": c.instance_type,
                "MinCount": c.min_count,
                "MaxCount": c.max_count,
                "Efa": efa,
            })
        })
        .collect();
    let mut out = Map::new();
    out.insert("Name".into(), json!(q.name));
    out.insert("CapacityType".into(), json!(q.capacity_type));
    if let Some(id) = &q.capacity_reservation_id {
        out.insert(
            "CapacityReservationTarget".into(),
            json!({"CapacityReservationId": id}),
        );
    }
    out.insert(
        "Networking".into(),
        json!({
            "SubnetIds": subnets,
            "PlacementGroup": {"Enabled": placement},
            "AdditionalSecurityGroups": [values.security_group],
        }),
    );
    out.insert(
        "ComputeSettings".into(),
        json!({"LocalStorage": {
            "RootVolume": {"Size": q.root_volume_size},
            "EphemeralVolume": {"MountDir": SCRATCH_MOUNT_DIR},
        }}),
    );
    out.insert("JobExclusiveAllocation".into(), json!(true));
    out.insert("ComputeResources".into(), json!(resources));
    out.insert("Iam".into(), iam.clone());
    out.insert("CustomActions".into(), actions.clone());
    Json::Object(out)
}

#[cfg(test)]
mod tests;
