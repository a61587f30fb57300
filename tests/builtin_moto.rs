//! The built-in stack and FSx replacements against the local CloudFormation stand-in
//! (scripts/moto-server, which models what moto 5.2.5 lacks: Fn::Cidr, AWS::EC2::VPCCidrBlock,
//! FSx, create-only replacements). Needs `.venv`: run scripts/python-tools once.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{stdout, text, Moto};

/// The value of output `key` of `stack` (`pcstack outputs --format json`).
fn output(moto: &Moto, stack: &str, key: &str) -> String {
    let json = moto.pcstack(&["outputs", "--stack-name", stack, "--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("outputs JSON");
    parsed["Outputs"][key]["Value"]
        .as_str()
        .unwrap_or_else(|| panic!("no output {key}: {parsed}"))
        .to_string()
}

/// The value of `NAME` in `pcstack outputs --format env` text.
fn env_value<'a>(env: &'a str, name: &str) -> &'a str {
    let prefix = format!("export {name}=");
    env.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {name} in {env}"))
}

#[test]
fn builtin_stack_creates_updates_in_place_and_destroys() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("pcstack.yaml");
    std::fs::write(
        &config,
        "network: {availability_zone: us-east-1a}\nassets: []\n",
    )
    .expect("write config");
    let config = config.display().to_string();
    let deploy_builtin = || moto.deploy_builtin(&config, "pc", &["--approve", "never"]);

    let create = deploy_builtin();
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    assert!(
        text(&create).contains("CREATE_COMPLETE"),
        "{}",
        text(&create)
    );
    let env = created_with_its_outputs(&moto, &create);

    // The same config again: the stand-in finds nothing to change in 31 resources.
    let same = deploy_builtin();
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(stdout(&same).contains("no changes"), "{}", text(&same));

    updated_in_place(&moto, &config, dir.path(), &env);
    destroyed_keeping_the_file_systems(&moto, &env);
    adopted_when_deployed_again(&moto, &config);
}

/// The create's review and outputs name the zone by name and ID, and the env file holds the
/// resources' IDs, the Lustre mount name and DNS name, and subnets cut from the VPC's blocks.
/// Returns the env file.
fn created_with_its_outputs(moto: &Moto, create: &std::process::Output) -> String {
    assert!(
        String::from_utf8_lossy(&create.stderr).contains("zone: us-east-1a (use1-az6)"),
        "{}",
        text(create)
    );
    assert!(
        stdout(create)
            .lines()
            .any(|l| l.contains(" PRIMARY_AZ ") && l.ends_with(" us-east-1a (use1-az6)")),
        "{}",
        text(create)
    );
    let env = moto.pcstack(&["outputs", "--stack-name", "pc", "--format", "env"]);
    assert_eq!(env.status.code(), Some(0), "{}", text(&env));
    let env = stdout(&env);
    // The zone's ID follows its name (DescribeAvailabilityZones: moto's us-east-1a is use1-az6).
    assert!(
        env.contains("export PRIMARY_AZ=us-east-1a\nexport PRIMARY_AZ_ID=use1-az6\n"),
        "{env}"
    );
    assert!(env_value(&env, "VPC_ID").starts_with("vpc-"), "{env}");
    assert!(env_value(&env, "FSX_LUSTRE_ID").starts_with("fs-"), "{env}");
    let mount = env_value(&env, "FSX_LUSTRE_MOUNT_NAME");
    assert!(
        mount.len() == 8
            && mount
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
        "{env}"
    );
    let lustre = env_value(&env, "FSX_LUSTRE_ID");
    assert_eq!(
        env_value(&env, "FSX_LUSTRE_DNS"),
        format!("{lustre}.fsx.us-east-1.amazonaws.com"),
        "{env}"
    );
    assert!(
        env_value(&env, "FSX_OPENZFS_ROOT_VOLUME_ID").starts_with("fsvol-"),
        "{env}"
    );
    // The subnets come from Fn::Cidr [block, 2, 15]: the first /17 of each VPC block.
    let subnets = moto.query_answer(
        "ec2",
        &format!(
            "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1={}&SubnetId.2={}",
            env_value(&env, "PUBLIC_SUBNET_ID"),
            env_value(&env, "PRIVATE_SUBNET_ID")
        ),
    );
    assert_eq!(subnets.0, 200, "{}", subnets.1);
    assert!(subnets.1.contains("10.0.0.0/17"), "{}", subnets.1);
    assert!(subnets.1.contains("10.1.0.0/17"), "{}", subnets.1);
    env
}

/// An update in place: the same template with a larger Lustre capacity (StorageCapacity is
/// not create-only). Through --template, since a built-in stack's parameters follow its config.
/// The file system keeps its ID and mount name and FSx holds the new capacity.
fn updated_in_place(moto: &Moto, config: &str, dir: &std::path::Path, env: &str) {
    let lustre = env_value(env, "FSX_LUSTRE_ID");
    let mount = env_value(env, "FSX_LUSTRE_MOUNT_NAME");
    let synth = moto.pcstack(&[
        "synth",
        "--config",
        config,
        "--out",
        &dir.display().to_string(),
    ]);
    assert_eq!(synth.status.code(), Some(0), "{}", text(&synth));
    let template = dir
        .join("parallelcluster-prerequisites.yaml")
        .display()
        .to_string();
    let update = moto.pcstack(&[
        "deploy",
        "--template",
        &template,
        "--stack-name",
        "pc",
        "--parameter",
        "Capacity=4800",
        "--progress",
        "log",
        "--approve",
        "never",
    ]);
    assert_eq!(update.status.code(), Some(0), "{}", text(&update));
    let out = text(&update);
    assert!(out.contains("Modify (1)"), "{out}");
    assert!(
        out.contains(&format!(
            "~ FSxLFilesystem (AWS::FSx::FileSystem) [{lustre}]\n"
        )),
        "modified, not replaced: {out}"
    );
    assert!(
        out.contains("Properties.StorageCapacity <- ParameterReference Capacity"),
        "{out}"
    );
    assert!(out.contains("UPDATE_COMPLETE"), "{out}");
    let after = moto.pcstack(&["outputs", "--stack-name", "pc", "--format", "env"]);
    let after = stdout(&after);
    assert_eq!(env_value(&after, "FSX_LUSTRE_ID"), lustre, "{after}");
    assert_eq!(env_value(&after, "FSX_LUSTRE_MOUNT_NAME"), mount, "{after}");
    let capacity = moto.json(
        "fsx",
        "AWSSimbaAPIService_v20180301.DescribeFileSystems",
        &format!(r#"{{"FileSystemIds": ["{lustre}"]}}"#),
    );
    assert_eq!(capacity.0, 200, "{}", capacity.1);
    assert!(
        capacity.1.contains(r#""StorageCapacity": 4800"#),
        "{}",
        capacity.1
    );
}

/// `destroy --yes` deletes the stack: DeletionPolicy RetainExceptOnCreate keeps the file
/// systems (the summary names them); the VPC goes.
fn destroyed_keeping_the_file_systems(moto: &Moto, env: &str) {
    let lustre = env_value(env, "FSX_LUSTRE_ID");
    let destroy = moto.pcstack(&[
        "destroy",
        "--stack-name",
        "pc",
        "--yes",
        "--progress",
        "log",
    ]);
    assert_eq!(destroy.status.code(), Some(0), "{}", text(&destroy));
    let out = stdout(&destroy);
    assert!(out.contains("stack pc deleted"), "{}", text(&destroy));
    assert!(
        out.contains(&format!("FSxLFilesystem (AWS::FSx::FileSystem): {lustre}")),
        "{}",
        text(&destroy)
    );
    let vpcs = moto.query_answer(
        "ec2",
        &format!(
            "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1={}",
            env_value(env, "VPC_ID")
        ),
    );
    assert_eq!(vpcs.0, 200, "{}", vpcs.1);
    assert!(
        !vpcs.1.contains("<vpcId>"),
        "the VPC is deleted: {}",
        vpcs.1
    );
}

/// Deployed again, the stack adopts the buckets and the repository it kept (the stand-in
/// reports the repository's encryption as ECR does, so it matches the config's).
fn adopted_when_deployed_again(moto: &Moto, config: &str) {
    let again = moto.deploy_builtin(config, "pc", &["--approve", "never", "--adopt"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        text(&again).contains("TrainingImageRepository (pytorch-training-custom)"),
        "{}",
        text(&again)
    );
    assert!(text(&again).contains("UPDATE_COMPLETE"), "{}", text(&again));
}

/// A Lustre file system whose subnet (SubnetIds: create-only in the registry schema) and
/// capacity (StorageCapacity: updatable) are parameters.
const LUSTRE_TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Capacity:
    Type: Number
    Default: 1200
  FileSystemSubnet:
    Type: String
    Default: a
    AllowedValues: [a, b]
Conditions:
  InSubnetA:
    Fn::Equals: [{Ref: FileSystemSubnet}, a]
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: {Ref: Vpc}
      AvailabilityZone: us-east-1a
      CidrBlock: {'Fn::Select': [0, {'Fn::Cidr': [{'Fn::GetAtt': [Vpc, CidrBlock]}, 2, 8]}]}
  SubnetB:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: {Ref: Vpc}
      AvailabilityZone: us-east-1a
      CidrBlock: {'Fn::Select': [1, {'Fn::Cidr': [{'Fn::GetAtt': [Vpc, CidrBlock]}, 2, 8]}]}
  Lustre:
    Type: AWS::FSx::FileSystem
    Properties:
      FileSystemType: LUSTRE
      StorageCapacity: {Ref: Capacity}
      StorageType: SSD
      SubnetIds:
        - {'Fn::If': [InSubnetA, {Ref: SubnetA}, {Ref: SubnetB}]}
      LustreConfiguration:
        DeploymentType: PERSISTENT_2
        PerUnitStorageThroughput: 125
Outputs:
  FileSystemId:
    Value: {Ref: Lustre}
  SubnetA:
    Value: {Ref: SubnetA}
  SubnetB:
    Value: {Ref: SubnetB}
";

#[test]
fn fsx_create_only_change_replaces_on_the_stand_in() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lustre.yaml");
    std::fs::write(&path, LUSTRE_TEMPLATE).expect("write template");
    let path = path.display().to_string();
    let deploy = |parameters: &[&str]| {
        let mut args = vec![
            "deploy",
            "--template",
            &path,
            "--stack-name",
            "lustre",
            "--progress",
            "log",
            "--approve",
            "never",
        ];
        for p in parameters {
            args.extend(["--parameter", p]);
        }
        moto.pcstack(&args)
    };

    // A create left for review first: the stand-in's later ExecuteChangeSets must not trip on
    // a stack that holds no template yet.
    let review = moto.pcstack(&[
        "deploy",
        "--template",
        &path,
        "--stack-name",
        "review",
        "--no-execute",
    ]);
    assert_eq!(review.status.code(), Some(0), "{}", text(&review));

    let create = deploy(&[]);
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    let first = output(&moto, "lustre", "FileSystemId");
    assert!(first.starts_with("fs-") && first.len() == 20, "{first}");
    let subnet_b = output(&moto, "lustre", "SubnetB");

    // StorageCapacity is not create-only: updated in place, same file system.
    let grow = deploy(&["Capacity=2400"]);
    assert_eq!(grow.status.code(), Some(0), "{}", text(&grow));
    let out = text(&grow);
    assert!(
        out.contains(&format!("~ Lustre (AWS::FSx::FileSystem) [{first}]\n")),
        "{out}"
    );
    assert!(!out.contains("REPLACEMENT"), "{out}");
    assert_eq!(output(&moto, "lustre", "FileSystemId"), first);

    // SubnetIds is create-only: a new file system, the old one deleted (UpdateReplacePolicy
    // Delete, the default).
    let moved = deploy(&["FileSystemSubnet=b"]);
    assert_eq!(moved.status.code(), Some(0), "{}", text(&moved));
    let out = text(&moved);
    assert!(
        out.contains(&format!(
            "~ Lustre (AWS::FSx::FileSystem) [{first}] REPLACEMENT"
        )),
        "{out}"
    );
    assert!(
        out.contains("Properties.SubnetIds requires recreation: Always"),
        "{out}"
    );
    assert!(out.contains("UPDATE_COMPLETE"), "{out}");
    let second = output(&moto, "lustre", "FileSystemId");
    assert!(second.starts_with("fs-") && second != first, "{second}");
    only_the_replacement_is_left(&moto, &first, &second, &subnet_b);

    let destroy = moto.pcstack(&[
        "destroy",
        "--stack-name",
        "lustre",
        "--yes",
        "--progress",
        "log",
    ]);
    assert_eq!(destroy.status.code(), Some(0), "{}", text(&destroy));
}

/// After a replacement the stack's resource is the `second` file system, which FSx holds in
/// `subnet`, and the `first` one is deleted.
fn only_the_replacement_is_left(moto: &Moto, first: &str, second: &str, subnet: &str) {
    let resources = moto.query_answer(
        "cloudformation",
        "Action=DescribeStackResources&Version=2010-05-15&StackName=lustre&LogicalResourceId=Lustre",
    );
    assert_eq!(resources.0, 200, "{}", resources.1);
    assert!(
        resources.1.contains(&format!(
            "<PhysicalResourceId>{second}</PhysicalResourceId>"
        )),
        "{}",
        resources.1
    );
    let described = moto.json(
        "fsx",
        "AWSSimbaAPIService_v20180301.DescribeFileSystems",
        "{}",
    );
    assert_eq!(described.0, 200, "{}", described.1);
    assert!(described.1.contains(second), "{}", described.1);
    assert!(described.1.contains(subnet), "{}", described.1);
    assert!(
        !described.1.contains(first),
        "the replaced file system is deleted: {}",
        described.1
    );
}

/// Each storage variant under tests/configs (with a zone and no assets added) deploys on the
/// stand-in, and FSx holds what the config asked for.
#[test]
fn storage_variants_deploy_on_the_stand_in() {
    // (config under tests/configs, what DescribeFileSystems must show of the variant)
    let variants: &[(&str, &[&str])] = &[
        (
            "lustre-persistent2",
            &[
                r#""DeploymentType": "PERSISTENT_2""#,
                r#""PerUnitStorageThroughput": 250"#,
                r#""MetadataConfiguration": {"Iops": 3000, "Mode": "USER_PROVISIONED"}"#,
            ],
        ),
        (
            "lustre-efa",
            &[
                r#""StorageCapacity": 4800"#,
                r#""EfaEnabled": true"#,
                r#""MetadataConfiguration": {"Mode": "AUTOMATIC"}"#,
                r#""PerUnitStorageThroughput": 1000"#,
            ],
        ),
        (
            "openzfs-multi-az",
            &[
                r#""DeploymentType": "MULTI_AZ_1""#,
                r#""PreferredSubnetId": "subnet-"#,
                r#""RouteTableIds": ["rtb-"#,
            ],
        ),
        (
            "openzfs-single-az-1",
            &[
                r#""DeploymentType": "SINGLE_AZ_1""#,
                r#""ThroughputCapacity": 128"#,
            ],
        ),
    ];
    for (name, expected) in variants {
        let moto = Moto::start();
        let dir = tempfile::tempdir().expect("tempdir");
        let variant = std::fs::read_to_string(format!(
            "{}/tests/configs/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("variant config");
        let config = dir.path().join("pcstack.yaml");
        let zone = if variant.contains("network:") {
            String::new()
        } else {
            "network: {availability_zone: us-east-1a}\n".to_string()
        };
        std::fs::write(&config, format!("{variant}{zone}assets: []\n")).expect("write config");
        let config = config.display().to_string();
        let create = moto.deploy_builtin(&config, "pc", &["--approve", "never"]);
        assert_eq!(create.status.code(), Some(0), "{name}: {}", text(&create));
        assert!(
            text(&create).contains("CREATE_COMPLETE"),
            "{name}: {}",
            text(&create)
        );
        let (status, body) = moto.json(
            "fsx",
            "AWSSimbaAPIService_v20180301.DescribeFileSystems",
            "{}",
        );
        assert_eq!(status, 200, "{body}");
        let body = serde_json::from_str::<serde_json::Value>(&body)
            .map(|j| serde_json::to_string(&j).unwrap_or_default())
            .unwrap_or(body)
            .replace("\":", "\": ")
            .replace(",\"", ", \"");
        for want in *expected {
            assert!(body.contains(want), "{name}: {want} not in {body}");
        }
        if *name == "openzfs-multi-az" {
            second_private_subnet(&moto, &body);
        }
    }
}

/// The second private subnet: PRIVATE_SUBNET_2_ID after the tutorial's variables, the second
/// /17 of the secondary block in the second zone, the OpenZFS file system's second subnet, and
/// a route table of its own whose default route is the NAT gateway.
fn second_private_subnet(moto: &Moto, file_systems: &str) {
    let env = moto.pcstack(&["outputs", "--stack-name", "pc", "--format", "env"]);
    let env = stdout(&env);
    let names: Vec<&str> = env
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split('=').next())
        .collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap_or(usize::MAX);
    assert!(
        at("LUSTRE_RESULTS_DIR") < at("PRIVATE_SUBNET_2_ID"),
        "{env}"
    );
    let second = env_value(&env, "PRIVATE_SUBNET_2_ID");
    assert!(second.starts_with("subnet-"), "{env}");
    assert!(file_systems.contains(second), "{file_systems}");
    let (status, subnets) = moto.query_answer(
        "ec2",
        &format!("Action=DescribeSubnets&Version=2016-11-15&SubnetId.1={second}"),
    );
    assert_eq!(status, 200, "{subnets}");
    assert!(subnets.contains("10.1.128.0/17"), "{subnets}");
    assert!(subnets.contains("us-east-1b"), "{subnets}");
    let (status, tables) = moto.query_answer(
        "ec2",
        &format!("Action=DescribeRouteTables&Version=2016-11-15&Filter.1.Name=association.subnet-id&Filter.1.Value.1={second}"),
    );
    assert_eq!(status, 200, "{tables}");
    assert!(tables.contains("<natGatewayId>nat-"), "{tables}");
}

/// Updates FSx refuses on a kept Lustre file system are refused before any change set
/// (`WOULD FAIL`): a metadata configuration added after creation.
#[test]
fn a_metadata_configuration_added_after_creation_is_refused() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let deploy = |body: &str| {
        let config = dir.path().join("pcstack.yaml");
        std::fs::write(
            &config,
            format!("network: {{availability_zone: us-east-1a}}\nassets: []\nlustre:\n  deployment_type: PERSISTENT_2\n  per_unit_storage_throughput: 250\n{body}"),
        )
        .expect("write config");
        moto.deploy_builtin(&config.display().to_string(), "pc", &["--approve", "never"])
    };
    let created = deploy("");
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    assert!(
        text(&created).contains("lustre.metadata is unset on PERSISTENT_2"),
        "{}",
        text(&created)
    );
    let change_sets = moto.calls("CreateChangeSet").len();
    let refused = deploy("  metadata: {mode: AUTOMATIC}\n");
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("WOULD FAIL"), "{err}");
    assert!(
        err.contains("FSxLFilesystem (AWS::FSx::FileSystem): MetadataConfiguration added to a file system created without one"),
        "{err}"
    );
    assert_eq!(moto.calls("CreateChangeSet").len(), change_sets);
}
