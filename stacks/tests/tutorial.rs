//! A stack created from the tutorial's template must update in place: every logical ID it
//! has stays, with the same type and the same create-only values and expressions.
//! The expected values are facts from the tutorial's template
//! (`examples/templates/parallelcluster-prerequisites.yaml` in
//! <https://github.com/ninedongsu/distributed-training-on-aws>), written here in CloudFormation's long form.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use stacks::prerequisites::Prerequisites;
use stacks::{Config, Stack};

fn template() -> Value {
    Prerequisites::build(&Config::default())
        .unwrap()
        .synthesized
        .template
}

fn r(id: &str) -> Value {
    json!({"Ref": id})
}

/// (logical ID, type, [(create-only property, the tutorial's value)]).
type Facts = Vec<(&'static str, &'static str, Vec<(&'static str, Value)>)>;

/// The tutorial's resources: network, security group, subnets and routes, endpoint and storage.
fn tutorial() -> Facts {
    [
        vpc_gateways_and_security_group(),
        subnets_and_routes(),
        endpoint_and_file_systems(),
    ]
    .concat()
}

/// The VPC's secondary block, from the tutorial's `Networking` mapping.
fn cidr1() -> Value {
    json!({"Fn::FindInMap": ["Networking", "VPC", "CIDR1"]})
}

/// The create-only values of one of the tutorial's all-traffic EFA rules on `SecurityGroup`.
fn all_traffic(extra: (&'static str, Value), desc: &str) -> Vec<(&'static str, Value)> {
    vec![
        ("IpProtocol", json!(-1)),
        ("FromPort", json!(-1)),
        ("ToPort", json!(-1)),
        ("GroupId", r("SecurityGroup")),
        ("Description", json!(desc)),
        extra,
    ]
}

fn vpc_gateways_and_security_group() -> Facts {
    vec![
        (
            "VPC",
            "AWS::EC2::VPC",
            vec![(
                "CidrBlock",
                json!({"Fn::FindInMap": ["Networking", "VPC", "CIDR0"]}),
            )],
        ),
        (
            "VpcCidrBlock",
            "AWS::EC2::VPCCidrBlock",
            vec![("VpcId", r("VPC")), ("CidrBlock", cidr1())],
        ),
        ("InternetGateway", "AWS::EC2::InternetGateway", vec![]),
        (
            "GatewayToInternet",
            "AWS::EC2::VPCGatewayAttachment",
            vec![],
        ),
        ("ElasticIP", "AWS::EC2::EIP", vec![]),
        (
            "NATGateway",
            "AWS::EC2::NatGateway",
            vec![
                ("SubnetId", r("PublicSubnet")),
                (
                    "AllocationId",
                    json!({"Fn::GetAtt": ["ElasticIP", "AllocationId"]}),
                ),
            ],
        ),
        (
            "SecurityGroup",
            "AWS::EC2::SecurityGroup",
            vec![
                (
                    "GroupDescription",
                    json!("Allow EFA communication for Multi-Node Parallel Batch jobs"),
                ),
                ("VpcId", r("VPC")),
            ],
        ),
        (
            "EFASecurityGroupIngress",
            "AWS::EC2::SecurityGroupIngress",
            all_traffic(
                ("SourceSecurityGroupId", r("SecurityGroup")),
                "All to all communication for EFA Ingress within Security Group",
            ),
        ),
        (
            "EFASecurityGroupEgress",
            "AWS::EC2::SecurityGroupEgress",
            all_traffic(
                ("DestinationSecurityGroupId", r("SecurityGroup")),
                "All to all communication for EFA Egress  within Security Group",
            ),
        ),
        (
            "EFASecurityGroupEgressECS",
            "AWS::EC2::SecurityGroupEgress",
            all_traffic(
                ("CidrIp", json!("0.0.0.0/0")),
                "All to all communication for Egress to all",
            ),
        ),
    ]
}

fn subnets_and_routes() -> Facts {
    vec![
        (
            "PublicSubnet",
            "AWS::EC2::Subnet",
            vec![
                ("VpcId", r("VPC")),
                ("AvailabilityZone", r("PrimarySubnetAZ")),
                (
                    "CidrBlock",
                    json!({"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["VPC", "CidrBlock"]}, 2, 15]}]}),
                ),
            ],
        ),
        (
            "PrimaryPrivateSubnet",
            "AWS::EC2::Subnet",
            vec![
                ("VpcId", r("VPC")),
                ("AvailabilityZone", r("PrimarySubnetAZ")),
                (
                    "CidrBlock",
                    json!({"Fn::Select": [0, {"Fn::Cidr": [cidr1(), 2, 15]}]}),
                ),
            ],
        ),
        (
            "PublicRouteTable",
            "AWS::EC2::RouteTable",
            vec![("VpcId", r("VPC"))],
        ),
        (
            "PrivateRouteTable",
            "AWS::EC2::RouteTable",
            vec![("VpcId", r("VPC"))],
        ),
        (
            "PublicRoute",
            "AWS::EC2::Route",
            vec![
                ("RouteTableId", r("PublicRouteTable")),
                ("DestinationCidrBlock", json!("0.0.0.0/0")),
            ],
        ),
        (
            "PrivateRouteToInternet",
            "AWS::EC2::Route",
            vec![
                ("RouteTableId", r("PrivateRouteTable")),
                ("DestinationCidrBlock", json!("0.0.0.0/0")),
            ],
        ),
        (
            "PublicSubnetRouteTableAssociation",
            "AWS::EC2::SubnetRouteTableAssociation",
            vec![
                ("SubnetId", r("PublicSubnet")),
                ("RouteTableId", r("PublicRouteTable")),
            ],
        ),
        (
            "PrimaryPrivateSubnetRTAssociation",
            "AWS::EC2::SubnetRouteTableAssociation",
            vec![
                ("SubnetId", r("PrimaryPrivateSubnet")),
                ("RouteTableId", r("PrivateRouteTable")),
            ],
        ),
    ]
}

fn endpoint_and_file_systems() -> Facts {
    vec![
        (
            "S3Endpoint",
            "AWS::EC2::VPCEndpoint",
            vec![
                ("VpcId", r("VPC")),
                (
                    "ServiceName",
                    json!({"Fn::Join": ["", ["com.amazonaws.", {"Ref": "AWS::Region"}, ".s3"]]}),
                ),
                ("VpcEndpointType", Value::Null),
            ],
        ),
        (
            "FSxLFilesystem",
            "AWS::FSx::FileSystem",
            vec![
                ("FileSystemType", json!("LUSTRE")),
                ("SubnetIds", json!([r("PrimaryPrivateSubnet")])),
                ("SecurityGroupIds", json!([r("SecurityGroup")])),
                ("KmsKeyId", Value::Null),
                ("BackupId", Value::Null),
                ("LustreConfiguration/DeploymentType", json!("PERSISTENT_1")),
            ],
        ),
        (
            "OpenZFSFileSystem",
            "AWS::FSx::FileSystem",
            vec![
                ("FileSystemType", json!("OPENZFS")),
                ("SubnetIds", json!([r("PrimaryPrivateSubnet")])),
                ("SecurityGroupIds", json!([r("SecurityGroup")])),
                ("KmsKeyId", Value::Null),
                (
                    "OpenZFSConfiguration/DeploymentType",
                    json!("SINGLE_AZ_HA_2"),
                ),
                (
                    "OpenZFSConfiguration/RootVolumeConfiguration",
                    json!({"DataCompressionType": "NONE", "NfsExports": [{"ClientConfigurations": [{"Clients": "*", "Options": ["rw", "no_root_squash", "crossmnt"]}]}]}),
                ),
            ],
        ),
    ]
}

#[test]
fn every_tutorial_resource_keeps_its_id_type_and_create_only_values() {
    let t = template();
    for (id, type_name, create_only) in tutorial() {
        let resource = &t["Resources"][id];
        assert_eq!(
            resource["Type"],
            json!(type_name),
            "{id} must keep its logical ID and type"
        );
        for (property, want) in create_only {
            let got = resource["Properties"]
                .pointer(&format!("/{property}"))
                .cloned()
                .unwrap_or(Value::Null);
            assert_eq!(
                got, want,
                "{id}.{property} is create-only: a different value replaces the resource"
            );
        }
    }
}

#[test]
fn the_tutorial_condition_mapping_parameters_and_outputs_are_kept() {
    let t = template();
    assert_eq!(
        t["Conditions"]["S3EndpointCondition"],
        json!({"Fn::Equals": [{"Ref": "CreateS3Endpoint"}, "true"]})
    );
    assert_eq!(
        t["Resources"]["S3Endpoint"]["Condition"],
        json!("S3EndpointCondition")
    );
    assert_eq!(
        t["Mappings"]["Networking"]["VPC"],
        json!({"CIDR0": "10.0.0.0/16", "CIDR1": "10.1.0.0/16"})
    );
    let params = [
        ("VPCName", "String", json!("AWS ParallelCluster")),
        (
            "PrimarySubnetAZ",
            "AWS::EC2::AvailabilityZone::Name",
            Value::Null,
        ),
        ("CreateS3Endpoint", "String", json!("true")),
        ("Capacity", "Number", json!(2400)),
        ("PerUnitStorageThroughput", "Number", json!(200)),
        ("Compression", "String", json!("LZ4")),
        ("LustreVersion", "String", json!("2.15")),
        ("OpenZFSCapacity", "Number", json!(512)),
        ("OpenZFSThroughput", "Number", json!(320)),
    ];
    for (name, type_name, default) in params {
        assert_eq!(t["Parameters"][name]["Type"], json!(type_name), "{name}");
        assert_eq!(t["Parameters"][name]["Default"], default, "{name}");
    }
    let outputs = [
        ("VPC", r("VPC")),
        ("PublicSubnet", r("PublicSubnet")),
        ("PrimaryPrivateSubnet", r("PrimaryPrivateSubnet")),
        ("SecurityGroup", r("SecurityGroup")),
        ("FSxLustreFilesystemId", r("FSxLFilesystem")),
        (
            "FSxLustreFilesystemMountname",
            json!({"Fn::GetAtt": ["FSxLFilesystem", "LustreMountName"]}),
        ),
        (
            "FSxLustreFilesystemDNSname",
            json!({"Fn::GetAtt": ["FSxLFilesystem", "DNSName"]}),
        ),
        (
            "FSxORootVolumeId",
            json!({"Fn::GetAtt": ["OpenZFSFileSystem", "RootVolumeId"]}),
        ),
    ];
    for (key, value) in outputs {
        assert_eq!(t["Outputs"][key]["Value"], value, "output {key}");
        assert_eq!(
            t["Outputs"][key]["Export"]["Name"],
            json!({"Fn::Sub": format!("${{AWS::StackName}}-{key}")}),
            "output {key}"
        );
    }
}

#[test]
fn parameters_are_constrained_as_tightly_as_aws() {
    let t = template();
    let capacity = t["Parameters"]["Capacity"]["AllowedValues"]
        .as_array()
        .unwrap();
    assert_eq!(
        &capacity[..4],
        &[json!(1200), json!(2400), json!(4800), json!(7200)]
    );
    assert!(
        !capacity.contains(&json!(3600)),
        "3600 is rejected by FSx for PERSISTENT_1 SSD"
    );
    assert_eq!(
        t["Parameters"]["PerUnitStorageThroughput"]["AllowedValues"],
        json!([50, 100, 200])
    );
    assert_eq!(
        t["Parameters"]["OpenZFSThroughput"]["AllowedValues"],
        json!([160, 320, 640, 1280, 2560, 3840, 5120, 7680, 10240])
    );
    assert_eq!(t["Parameters"]["OpenZFSCapacity"]["MinValue"], json!(64));
    assert_eq!(
        t["Parameters"]["OpenZFSCapacity"]["MaxValue"],
        json!(524288)
    );
    assert_eq!(
        t["Parameters"]["LustreVersion"]["AllowedValues"],
        json!(["2.15", "2.12"])
    );
}

#[test]
fn fixes_the_tutorial_template_defects() {
    let t = template();
    let res = &t["Resources"];
    assert_eq!(
        res["ElasticIP"]["DependsOn"],
        json!("GatewayToInternet"),
        "EIP must wait for the gateway attachment"
    );
    assert_eq!(
        res["PublicRoute"]["DependsOn"],
        json!("GatewayToInternet"),
        "the public route must wait for the gateway attachment"
    );
    assert_eq!(
        res["PrimaryPrivateSubnet"]["DependsOn"],
        json!("VpcCidrBlock")
    );
    for id in [
        "FSxLFilesystem",
        "OpenZFSFileSystem",
        "DataBucket",
        "LogBucket",
        "TrainingImageRepository",
    ] {
        // Kept on deletion and replacement; deleted only when the deploy that created it rolls back.
        assert_eq!(
            res[id]["DeletionPolicy"],
            json!("RetainExceptOnCreate"),
            "{id}"
        );
        assert_eq!(res[id]["UpdateReplacePolicy"], json!("Retain"), "{id}");
    }
    for id in ["FSxLFilesystem", "OpenZFSFileSystem"] {
        // FSx checks the security group's rules when it creates the file system.
        assert_eq!(
            res[id]["DependsOn"],
            json!([
                "EFASecurityGroupIngress",
                "EFASecurityGroupEgress",
                "EFASecurityGroupEgressECS"
            ]),
            "{id}"
        );
    }
    assert_eq!(
        res["DataBucket"]["DependsOn"],
        json!("LogBucketPolicy"),
        "access logging needs the log bucket's policy first"
    );
    assert_eq!(
        res["VPCFlowLog"]["DependsOn"],
        json!("LogBucketPolicy"),
        "flow logs need the log bucket's policy first"
    );
    assert_eq!(
        res["FSxLFilesystem"]["Properties"]["LustreConfiguration"]["AutomaticBackupRetentionDays"],
        json!(0),
        "associations need backups off"
    );
}

#[test]
fn what_the_tutorial_made_by_hand_is_in_the_template() {
    let t = template();
    let res = &t["Resources"];
    assert_eq!(
        res["DataBucket"]["Properties"]["BucketName"],
        json!({"Fn::Sub": "parallelcluster-${AWS::AccountId}-${AWS::Region}"})
    );
    assert_eq!(
        res["TrainingImageRepository"]["Properties"]["RepositoryName"],
        json!("pytorch-training-custom")
    );
    assert_eq!(
        res["TrainingImageRepository"]["Properties"]["ImageScanningConfiguration"]["ScanOnPush"],
        json!(true)
    );
    let dra = |id: &str| &res[id]["Properties"];
    let all = json!(["NEW", "CHANGED", "DELETED"]);
    assert_eq!(dra("DataAssociation")["FileSystemPath"], json!("/data"));
    assert_eq!(
        dra("DataAssociation")["DataRepositoryPath"],
        json!({"Fn::Sub": "s3://${DataBucket}/data/"})
    );
    assert_eq!(
        dra("DataAssociation")["BatchImportMetaDataOnCreate"],
        json!(true)
    );
    assert_eq!(
        dra("DataAssociation")["S3"],
        json!({"AutoImportPolicy": {"Events": all}})
    );
    assert_eq!(
        dra("CheckpointsAssociation")["S3"],
        json!({"AutoImportPolicy": {"Events": all}, "AutoExportPolicy": {"Events": all}})
    );
    assert_eq!(
        dra("LogsAssociation")["S3"],
        json!({"AutoExportPolicy": {"Events": all}})
    );
    assert_eq!(
        dra("ResultsAssociation")["S3"],
        json!({"AutoExportPolicy": {"Events": all}})
    );
    let env = &t["Metadata"]["pcstack"]["OutputEnvironmentVariables"];
    for (key, var) in [
        ("VPC", "VPC_ID"),
        ("FSxLustreFilesystemDNSname", "FSX_LUSTRE_DNS"),
        ("S3BucketName", "S3_BUCKET_NAME"),
        ("ECRRepositoryUri", "ECR_REPO_URI"),
        ("LustreCheckpointDir", "LUSTRE_CHECKPOINT_DIR"),
    ] {
        assert_eq!(env[key], json!(var));
    }
    assert_eq!(
        t["Outputs"]["LustreCheckpointDir"]["Value"],
        json!("/lustre/checkpoints")
    );
}

/// The tutorial's final env file, in its order (its `pcluster-container` walkthrough,
/// <https://github.com/ninedongsu/distributed-training-on-aws>).
const TUTORIAL_ENV: [&str; 23] = [
    "AWS_REGION",
    "STACK_NAME",
    "PRIMARY_AZ",
    "VPC_ID",
    "PUBLIC_SUBNET_ID",
    "PRIVATE_SUBNET_ID",
    "SECURITY_GROUP_ID",
    "FSX_LUSTRE_ID",
    "FSX_LUSTRE_MOUNT_NAME",
    "FSX_LUSTRE_DNS",
    "FSX_OPENZFS_ROOT_VOLUME_ID",
    "HEAD_NODE_BOOTSTRAP_SCRIPT",
    "COMPUTE_NODE_BOOTSTRAP_SCRIPT",
    "AWS_ACCOUNT_ID",
    "S3_BUCKET_NAME",
    "ECR_REPO_NAME",
    "ECR_REPO_URI",
    "IMAGE_TAG",
    "TRAINING_IMAGE_URI",
    "LUSTRE_DATA_DIR",
    "LUSTRE_CHECKPOINT_DIR",
    "LUSTRE_LOG_DIR",
    "LUSTRE_RESULTS_DIR",
];

#[test]
fn the_env_file_has_every_tutorial_variable_in_the_tutorial_order() {
    let t = template();
    let order: Vec<&str> = t["Metadata"]["pcstack"]["EnvironmentVariableOrder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The tutorial's variables first, in its order; pcstack's additions after them.
    assert_eq!(&order[..TUTORIAL_ENV.len()], &TUTORIAL_ENV[..]);
    assert_eq!(&order[TUTORIAL_ENV.len()..], &["LOG_BUCKET_NAME"]);
    // Every output's variable is in the order exactly once, and nothing else but pcstack's own.
    let env = t["Metadata"]["pcstack"]["OutputEnvironmentVariables"]
        .as_object()
        .unwrap();
    let own = ["AWS_REGION", "STACK_NAME", "AWS_ACCOUNT_ID"];
    assert_eq!(env.len() + own.len(), order.len());
    for (key, var) in env {
        assert!(t["Outputs"].get(key).is_some(), "{key}");
        assert_eq!(order.iter().filter(|n| **n == var).count(), 1, "{var}");
    }
    let outputs = &t["Outputs"];
    assert_eq!(
        outputs["PrimaryAvailabilityZone"]["Value"],
        r("PrimarySubnetAZ")
    );
    assert_eq!(outputs["ImageTag"]["Value"], json!("latest"));
    assert_eq!(
        outputs["TrainingImageUri"]["Value"],
        json!({"Fn::Join": [":", [{"Fn::GetAtt": ["TrainingImageRepository", "RepositoryUri"]}, "latest"]]})
    );
    for (key, file) in [
        ("HeadNodeBootstrapScript", "head-node-enroot-pyxis-setup.sh"),
        (
            "ComputeNodeBootstrapScript",
            "compute-node-enroot-pyxis-setup.sh",
        ),
    ] {
        assert_eq!(
            outputs[key]["Value"],
            json!({"Fn::Sub": format!("s3://${{DataBucket}}/scripts/bootstrap/{file}")})
        );
    }
}

#[test]
fn assets_image_tag_and_their_outputs_follow_the_config() {
    let stack = stacks::find("parallelcluster-prerequisites").unwrap();
    let config = stack
        .parse_config(
            "repository: {image_tag: v2}\nassets:\n  - {file: /nowhere/x.sh, key: boot/x.sh, env: X_SCRIPT}\n",
            "c.yaml",
        )
        .unwrap();
    // No asset file needs to exist for synth.
    let built = config.build().unwrap();
    let t = built.synthesized.template;
    assert_eq!(t["Outputs"]["ImageTag"]["Value"], json!("v2"));
    assert_eq!(
        t["Outputs"]["XScript"]["Value"],
        json!({"Fn::Sub": "s3://${DataBucket}/boot/x.sh"})
    );
    assert!(t["Outputs"].get("HeadNodeBootstrapScript").is_none());
    assert_eq!(built.assets.len(), 1);
    assert_eq!(built.assets[0].key, "boot/x.sh");
    let order = &t["Metadata"]["pcstack"]["EnvironmentVariableOrder"];
    assert_eq!(order[11], json!("X_SCRIPT"));
    assert_eq!(order[12], json!("AWS_ACCOUNT_ID"));

    // An asset whose derived output key is taken: refused, nothing built.
    let config = stack
        .parse_config(
            "assets:\n  - {file: a, key: a, env: PUBLIC_SUBNET}\n",
            "c.yaml",
        )
        .unwrap();
    let err = config.build().unwrap_err().to_string();
    assert!(err.contains("PublicSubnet"), "{err}");
}
