// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const BUCKET: &str = "parallelcluster-123456789012-us-east-1";

fn outputs(region: &str) -> Json {
    let mut o = Map::new();
    for (key, env, value) in [
        ("VPC", "VPC_ID", "vpc-0123456789abcdef0".to_string()),
        (
            "PublicSubnet",
            "PUBLIC_SUBNET_ID",
            "subnet-0123456789abcdef0".into(),
        ),
        (
            "PrimaryPrivateSubnet",
            "PRIVATE_SUBNET_ID",
            "subnet-0123456789abcdef1".into(),
        ),
        (
            "SecurityGroup",
            "SECURITY_GROUP_ID",
            "sg-0123456789abcdef0".into(),
        ),
        (
            "FSxLustreFilesystemId",
            "FSX_LUSTRE_ID",
            "fs-0123456789abcdef0".into(),
        ),
        (
            "FSxORootVolumeId",
            "FSX_OPENZFS_ROOT_VOLUME_ID",
            "fsvol-0123456789abcdef0".into(),
        ),
        ("S3BucketName", "S3_BUCKET_NAME", BUCKET.into()),
        (
            "HeadNodeBootstrapScript",
            "HEAD_NODE_BOOTSTRAP_SCRIPT",
            format!("s3://{BUCKET}/scripts/bootstrap/head-node.sh"),
        ),
        (
            "ComputeNodeBootstrapScript",
            "COMPUTE_NODE_BOOTSTRAP_SCRIPT",
            format!("s3://{BUCKET}/scripts/bootstrap/compute-node.sh"),
        ),
    ] {
        o.insert(
            key.into(),
            json!({"Value": value, "EnvironmentVariable": env, "Description": null}),
        );
    }
    json!({"StackName": "s", "Region": region, "AccountId": "123456789012", "Outputs": o})
}

fn values() -> StackValues {
    StackValues::from_outputs_json(&outputs("us-east-1"), "o.json").unwrap()
}

fn config(yaml: &str) -> Config {
    Config::from_yaml(yaml, "c.yaml").unwrap()
}

fn doc(config: &Config) -> Json {
    serde_yaml::from_str(&render(config, &values()).unwrap()).unwrap()
}

fn errors(config: &Config) -> Vec<String> {
    render(config, &values())
        .unwrap_err()
        .errors()
        .map(|d| format!("{} {}: {}", d.code, d.path, d.message))
        .collect()
}

#[test]
fn the_default_is_the_tutorials_cluster_with_scoped_access() {
    let d = doc(&Config::default());
    assert_eq!(d["Region"], "us-east-1");
    assert_eq!(d["Imds"]["ImdsSupport"], "v2.0");
    let head = &d["HeadNode"];
    assert_eq!(head["InstanceType"], "m5.8xlarge");
    assert_eq!(head["Networking"]["SubnetId"], "subnet-0123456789abcdef0");
    assert_eq!(
        head["Networking"]["AdditionalSecurityGroups"],
        json!(["sg-0123456789abcdef0"])
    );
    assert_eq!(head["LocalStorage"]["RootVolume"]["Size"], 500);
    assert_eq!(
        head["CustomActions"]["OnNodeConfigured"]["Script"],
        format!("s3://{BUCKET}/scripts/bootstrap/head-node.sh")
    );
    // Read-write on the data bucket only, read-only ECR: no full-access managed policies.
    assert_eq!(
        head["Iam"]["S3Access"],
        json!([{"BucketName": BUCKET, "EnableWriteAccess": true}])
    );
    let policies = head["Iam"]["AdditionalIamPolicies"].to_string();
    assert!(policies.contains("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"));
    assert!(!policies.contains("FullAccess"), "{policies}");
    let q = &d["Scheduling"]["SlurmQueues"][0];
    assert_eq!(q["Name"], "compute-gpu");
    assert_eq!(q["CapacityType"], "ONDEMAND");
    assert!(q.get("CapacityReservationTarget").is_none());
    assert_eq!(
        q["Networking"]["SubnetIds"],
        json!(["subnet-0123456789abcdef1"])
    );
    assert_eq!(q["Networking"]["PlacementGroup"]["Enabled"], true);
    let cr = &q["ComputeResources"][0];
    assert_eq!(cr["InstanceType"], "g5.8xlarge");
    assert_eq!(
        (cr["MinCount"].clone(), cr["MaxCount"].clone()),
        (json!(2), json!(2))
    );
    // g5 has EFA but no GPUDirect RDMA.
    assert_eq!(cr["Efa"], json!({"Enabled": true}));
    assert_eq!(
        q["CustomActions"]["OnNodeConfigured"]["Script"],
        format!("s3://{BUCKET}/scripts/bootstrap/compute-node.sh")
    );
    let storage = &d["SharedStorage"];
    assert_eq!(storage[0]["MountDir"], "/lustre");
    assert_eq!(
        storage[0]["FsxLustreSettings"]["FileSystemId"],
        "fs-0123456789abcdef0"
    );
    assert_eq!(storage[1]["MountDir"], "/fsx");
    assert_eq!(
        storage[1]["FsxOpenZfsSettings"]["VolumeId"],
        "fsvol-0123456789abcdef0"
    );
    assert_eq!(d["Monitoring"]["DetailedMonitoring"], true);
    assert_eq!(d["Monitoring"]["Logs"]["CloudWatch"]["Enabled"], true);
    assert_eq!(d["Monitoring"]["Dashboards"]["CloudWatch"]["Enabled"], true);
}

#[test]
fn capacity_blocks_gdr_mount_point_and_script_buckets() {
    let c = config(
        "lustre: {mount_point: /data-lustre}\ncluster:\n  queues:\n    - name: block\n      capacity_type: CAPACITY_BLOCK\n      capacity_reservation_id: cr-0123456789abcdef0\n      compute_resources:\n        - {name: p5, instance_type: p5.48xlarge, min_count: 4, max_count: 4}\n",
    );
    let d = doc(&c);
    let q = &d["Scheduling"]["SlurmQueues"][0];
    assert_eq!(q["CapacityType"], "CAPACITY_BLOCK");
    assert_eq!(
        q["CapacityReservationTarget"],
        json!({"CapacityReservationId": "cr-0123456789abcdef0"})
    );
    assert_eq!(q["Networking"]["PlacementGroup"]["Enabled"], false);
    assert_eq!(
        q["ComputeResources"][0]["Efa"],
        json!({"Enabled": true, "GdrSupport": true})
    );
    assert_eq!(d["SharedStorage"][0]["MountDir"], "/data-lustre");

    // A script in another bucket: read-only access to that bucket too.
    let mut o = outputs("cn-north-1");
    o["Outputs"]["HeadNodeBootstrapScript"]["Value"] = json!("s3://scripts-bucket/head.sh");
    let v = StackValues::from_outputs_json(&o, "o.json").unwrap();
    let d: Json = serde_yaml::from_str(&render(&Config::default(), &v).unwrap()).unwrap();
    assert_eq!(
        d["HeadNode"]["Iam"]["S3Access"],
        json!([{"BucketName": BUCKET, "EnableWriteAccess": true}, {"BucketName": "scripts-bucket", "EnableWriteAccess": false}])
    );
    assert_eq!(
        d["Scheduling"]["SlurmQueues"][0]["Iam"]["S3Access"],
        json!([{"BucketName": BUCKET, "EnableWriteAccess": true}])
    );
    // China Regions use their own partition in managed policy ARNs.
    assert!(d["HeadNode"]["Iam"]["AdditionalIamPolicies"]
        .to_string()
        .contains("arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore"));
}

#[test]
fn every_rule_of_the_cluster_section_names_field_and_value() {
    let c = config(
        "cluster:\n  os: centos7\n  head_node: {instance_type: m5, root_volume_size: 10}\n  queues:\n    - name: GPU\n      capacity_type: CAPACITY_BLOCK\n      placement_group: true\n      compute_resources:\n        - {name: a, instance_type: g5.xlarge, min_count: 0, max_count: 2}\n        - {name: a, instance_type: g5.8xlarge, min_count: 3, max_count: 2}\n    - name: spot\n      capacity_type: SPOT\n      capacity_reservation_id: cr-1\n      compute_resources: []\n    - name: spot\n      capacity_type: ON_DEMAND\n      compute_resources: [{name: default, instance_type: p5.48xlarge, min_count: 1, max_count: 1}]\n",
    );
    let e = errors(&c);
    let expected = [
        "PC178 config: cluster.os: cluster.os must be alinux2023, ubuntu2204, ubuntu2404, rhel8, rocky8, rhel9 or rocky9 for ParallelCluster 3, got \"centos7\"",
        "PC172 config: cluster.head_node.instance_type: cluster.head_node.instance_type must be an instance type name such as g5.8xlarge for EC2, got \"m5\"",
        "PC177 config: cluster.head_node.root_volume_size: cluster.head_node.root_volume_size must be 45 to 16384 GiB for a ParallelCluster root volume, got 10",
        "PC171 config: cluster.queues[0].name: cluster.queues[0].name must match ^[a-z][a-z0-9-]*$ (a lowercase letter, then lowercase letters, digits and hyphens) for ParallelCluster, got \"GPU\"",
        "PC175 config: cluster.queues[0].capacity_reservation_id: cluster.queues[0].capacity_reservation_id must be set (the capacity block's reservation ID) for a CAPACITY_BLOCK queue, got nothing",
        "PC175 config: cluster.queues[0].placement_group: cluster.queues[0].placement_group must be false or unset for a CAPACITY_BLOCK queue, got true",
        "PC173 config: cluster.queues[0].compute_resources[0].instance_type: cluster.queues[0].compute_resources[0].instance_type must be an EFA-capable instance type listed at https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa.html#efa-instance-types (did you mean g5.8xlarge?) for an EFA-enabled compute resource, got \"g5.xlarge\"",
        "PC174 config: cluster.queues[0].compute_resources[0].min_count: cluster.queues[0].compute_resources[0].min_count must be above 0 for a CAPACITY_BLOCK queue, got 0",
        "PC174 config: cluster.queues[0].compute_resources[0].max_count: cluster.queues[0].compute_resources[0].max_count must equal min_count (0) for a CAPACITY_BLOCK queue, got 2",
        "PC176 config: cluster.queues[0].compute_resources[1].name: cluster.queues[0].compute_resources[1].name must differ from cluster.queues[0].compute_resources[0].name for ParallelCluster, got \"a\"",
        "PC174 config: cluster.queues[0].compute_resources[1].max_count: cluster.queues[0].compute_resources[1].max_count must be at least min_count (3) for ParallelCluster, got 2",
        "PC175 config: cluster.queues[1].capacity_reservation_id: cluster.queues[1].capacity_reservation_id must be cr- and 17 hexadecimal digits for an EC2 capacity reservation, got \"cr-1\"",
        "PC175 config: cluster.queues[1].capacity_reservation_id: cluster.queues[1].capacity_reservation_id must be unset for a SPOT queue (reservations hold On-Demand capacity), got \"cr-1\"",
        "PC176 config: cluster.queues[1].compute_resources: cluster.queues[1].compute_resources must hold 1 to 50 compute resources for ParallelCluster, got 0",
        "PC176 config: cluster.queues[2].name: cluster.queues[2].name must differ from cluster.queues[1].name for ParallelCluster, got \"spot\"",
        "PC175 config: cluster.queues[2].capacity_type: cluster.queues[2].capacity_type must be ONDEMAND, SPOT or CAPACITY_BLOCK for a ParallelCluster queue, got \"ON_DEMAND\"",
        "PC171 config: cluster.queues[2].compute_resources[0].name: cluster.queues[2].compute_resources[0].name must not be \"default\" for ParallelCluster, got \"default\"",
    ];
    assert_eq!(e, expected, "{e:#?}");
    // The same config is refused by synth too: one file, checked whole.
    assert!(c.validate().has_errors());
}

#[test]
fn a_reservation_holds_one_instance_type_and_too_many_resources_are_refused() {
    let c = config(
        "cluster:\n  queues:\n    - name: q\n      capacity_reservation_id: cr-0123456789abcdef0\n      compute_resources:\n        - {name: a, instance_type: g5.8xlarge, min_count: 0, max_count: 1}\n        - {name: b, instance_type: g5.12xlarge, min_count: 0, max_count: 1}\n",
    );
    assert_eq!(
        errors(&c),
        ["PC175 config: cluster.queues[0].compute_resources[1].instance_type: cluster.queues[0].compute_resources[1].instance_type must equal cluster.queues[0].compute_resources[0].instance_type (g5.8xlarge) for a queue with a capacity reservation (it holds one instance type), got \"g5.12xlarge\""]
    );
    let mut c = Config::default();
    let q = c.cluster.queues[0].clone();
    c.cluster.queues = (0..26)
        .map(|i| {
            let mut q = q.clone();
            q.name = format!("q{i}");
            q.compute_resources.push(ComputeResourceConfig {
                name: "second".into(),
                ..q.compute_resources[0].clone()
            });
            q
        })
        .collect();
    assert_eq!(
        errors(&c),
        ["PC176 config: cluster.queues: cluster.queues must hold 1 to 50 compute resources in all queues for ParallelCluster, got 52"]
    );
    c.cluster.queues.clear();
    assert_eq!(
        errors(&c),
        ["PC176 config: cluster.queues: cluster.queues must hold 1 to 50 queues for ParallelCluster, got 0"]
    );
}

#[test]
fn missing_or_malformed_outputs_are_named_by_variable() {
    let mut o = outputs("us-east-1");
    let map = o["Outputs"].as_object_mut().unwrap();
    map.shift_remove("HeadNodeBootstrapScript");
    map["FSxLustreFilesystemId"]["Value"] = json!("fs-123");
    map["ComputeNodeBootstrapScript"]["Value"] = json!("/local/script.sh");
    let e: Vec<String> = StackValues::from_outputs_json(&o, "o.json")
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(e.len(), 3, "{e:#?}");
    assert_eq!(
        e[0],
        "error[PC179] o.json: FSX_LUSTRE_ID: FSX_LUSTRE_ID must be an FSx file system ID (fs- and 17 characters) for the cluster configuration, got \"fs-123\""
    );
    assert!(
        e[1].starts_with("error[PC179] o.json: HEAD_NODE_BOOTSTRAP_SCRIPT: HEAD_NODE_BOOTSTRAP_SCRIPT must be the EnvironmentVariable of an output holding an s3://bucket/key URI (an asset deploy uploads: a stack deployed with `assets: []` has none; deploy it with the config's `assets`, then write the cluster configuration again) for the cluster configuration, got no such output (the outputs have VPC_ID, PUBLIC_SUBNET_ID"),
        "{}",
        e[1]
    );
    // The outputs' names, whole, then how many more: never cut inside a name.
    assert!(e[1].ends_with(" more)") && !e[1].contains('…'), "{}", e[1]);
    assert!(e[2].contains("COMPUTE_NODE_BOOTSTRAP_SCRIPT must be an s3://bucket/key URI for the cluster configuration, got \"/local/script.sh\""), "{}", e[2]);

    let e = StackValues::from_outputs_json(&json!({"Region": "nowhere", "Outputs": {}}), "o.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("Region must be a Region code such as us-east-1 for the cluster configuration, got \"nowhere\""), "{e}");
    assert!(
        e.contains("got no such output (the outputs have none)"),
        "{e}"
    );
    let e = StackValues::from_outputs_json(&json!(["not", "outputs"]), "o.json")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "error[PC179] o.json: Outputs: Outputs must be an object of outputs, as `pcstack outputs --format json` writes for the cluster configuration, got null\n");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let a = render(&Config::default(), &values()).unwrap();
    let b = render(&Config::default(), &values()).unwrap();
    assert_eq!(a, b);
    assert!(a.starts_with("# AWS ParallelCluster 3 cluster configuration"));
}

/// A queue with `span_zones` launches in both private subnets, without EFA or a placement
/// group; it needs the stack's PRIVATE_SUBNET_2_ID, and a queue without it keeps one subnet.
#[test]
fn a_queue_spanning_zones_uses_both_private_subnets() {
    let yaml = "cluster:\n  queues:\n    - name: wide\n      span_zones: true\n      compute_resources:\n        - {name: g5, instance_type: g5.8xlarge, min_count: 0, max_count: 4}\n    - name: tight\n      compute_resources:\n        - {name: p5, instance_type: p5.48xlarge, min_count: 0, max_count: 2}\n";
    let config = config(yaml);
    let mut with_second = outputs("us-east-1");
    with_second["Outputs"]["SecondaryPrivateSubnet"] = json!({"Value": "subnet-0123456789abcdef2", "EnvironmentVariable": "PRIVATE_SUBNET_2_ID", "Description": null});
    let values = StackValues::from_outputs_json(&with_second, "o.json").unwrap();
    let d: Json = serde_yaml::from_str(&render(&config, &values).unwrap()).unwrap();
    let queues = &d["Scheduling"]["SlurmQueues"];
    assert_eq!(
        queues[0]["Networking"]["SubnetIds"],
        json!(["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"])
    );
    assert_eq!(queues[0]["Networking"]["PlacementGroup"]["Enabled"], false);
    assert_eq!(
        queues[0]["ComputeResources"][0]["Efa"],
        json!({"Enabled": false})
    );
    assert_eq!(
        queues[1]["Networking"]["SubnetIds"],
        json!(["subnet-0123456789abcdef1"])
    );
    assert_eq!(
        queues[1]["ComputeResources"][0]["Efa"],
        json!({"Enabled": true, "GdrSupport": true})
    );
    // Without the second subnet in the outputs: PC179, nothing written.
    assert_eq!(
        errors(&config),
        ["PC179 config: cluster.queues[0].span_zones: PRIVATE_SUBNET_2_ID must be the EnvironmentVariable of an output holding the second private subnet (deploy the stack with network.second_availability_zone) for queue wide with span_zones: true, got no such output"]
    );
    // A placement group can't span zones.
    let pinned = yaml.replace(
        "span_zones: true",
        "span_zones: true\n      placement_group: true",
    );
    assert_eq!(
        render(&super::super::Config::from_yaml(&pinned, "c.yaml").unwrap(), &values)
            .unwrap_err()
            .errors()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect::<Vec<_>>(),
        ["config: cluster.queues[0].span_zones: cluster.queues[0].span_zones must not enable a placement group (ParallelCluster runs a queue across Availability Zones without one) for a queue with span_zones: true, got placement_group: true"]
    );
}
