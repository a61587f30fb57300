//! Hand-written smoke tests of the generated L1 (the generator never writes this file).

use super::ec2::{vpc_endpoint, VPCAttr, VPCEndpoint, VPC};
use super::fsx::data_repository_association::{AutoImportPolicy, DataRepositoryAssociation, S3};
use super::fsx::file_system::{FileSystem, LustreConfiguration};
use super::s3::bucket::{Bucket, VersioningConfiguration};
use serde_json::json;
use synth::{Attribute, Diagnostic, Ref, Resource, Template, Value};

fn codes(diags: &[&Diagnostic]) -> Vec<&'static str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn vpc_and_lustre_file_system_synthesize() {
    let mut t = Template::new("smoke");
    let vpc = t.add(
        "Vpc",
        VPC::new()
            .cidr_block("10.0.0.0/16")
            .enable_dns_hostnames(true),
    );
    t.add(
        "Lustre",
        FileSystem::new()
            .file_system_type("LUSTRE")
            .storage_capacity(1200)
            .subnet_ids(vec![Ref::literal("subnet-0123456789abcdef0")])
            .lustre_configuration(
                LustreConfiguration::new()
                    .deployment_type("PERSISTENT_2")
                    .per_unit_storage_throughput(125),
            ),
    );
    t.add(
        "Endpoint",
        VPCEndpoint::new()
            .vpc_id(&vpc)
            .service_name("com.amazonaws.us-east-1.s3")
            .vpc_endpoint_type("Gateway"),
    );
    let s = t.synthesize();
    assert!(!s.diagnostics.has_errors(), "{}", s.diagnostics);
    assert_eq!(
        s.template["Resources"]["Vpc"],
        json!({
            "Type": "AWS::EC2::VPC",
            "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": true}
        })
    );
    assert_eq!(
        s.template["Resources"]["Lustre"],
        json!({
            "Type": "AWS::FSx::FileSystem",
            "Properties": {
                "FileSystemType": "LUSTRE",
                "LustreConfiguration": {
                    "DeploymentType": "PERSISTENT_2",
                    "PerUnitStorageThroughput": 125
                },
                "StorageCapacity": 1200,
                "SubnetIds": ["subnet-0123456789abcdef0"]
            }
        })
    );
    assert_eq!(
        s.template["Resources"]["Endpoint"]["Properties"]["VpcId"],
        json!({"Ref": "Vpc"})
    );
    assert_eq!(
        vpc.get_att(VPCAttr::DefaultSecurityGroup).to_json(),
        json!({"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]})
    );
}

#[test]
fn enum_violation_on_a_literal_is_e3030() {
    let mut t = Template::new("smoke");
    t.add(
        "Endpoint",
        VPCEndpoint::new()
            .vpc_id(Ref::literal("vpc-0123456789abcdef0"))
            .vpc_endpoint_type("Gateways"),
    );
    let errors: Vec<&Diagnostic> = t.diagnostics().errors().collect();
    assert_eq!(codes(&errors), ["E3030"]);
    assert_eq!(
        errors[0].path,
        "smoke/Endpoint (AWS::EC2::VPCEndpoint).VpcEndpointType"
    );
    assert_eq!(
        errors[0].message,
        "VpcEndpointType must be one of Interface, Gateway, GatewayLoadBalancer, \
         ServiceNetwork, Resource, Tunnel for this property, got \"Gateways\""
    );
}

#[test]
fn nested_and_item_checks_carry_the_property_path() {
    let mut t = Template::new("smoke");
    t.add(
        "Bucket",
        Bucket::new().versioning_configuration(VersioningConfiguration::new().status("On")),
    );
    t.add(
        "Association",
        DataRepositoryAssociation::new()
            .file_system_id(Ref::literal("fs-0123456789abcdef0"))
            .file_system_path("/data")
            .data_repository_path("s3://bucket/prefix")
            .s3(S3::new().auto_import_policy(
                AutoImportPolicy::new().events(vec![Value::from("NEW"), Value::from("MOVED")]),
            )),
    );
    let errors: Vec<&Diagnostic> = t.diagnostics().errors().collect();
    let paths: Vec<&str> = errors.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(codes(&errors), ["E3030", "E3030"]);
    assert_eq!(
        paths,
        [
            "smoke/Bucket (AWS::S3::Bucket).VersioningConfiguration.Status",
            "smoke/Association (AWS::FSx::DataRepositoryAssociation).S3.AutoImportPolicy.Events[1]",
        ]
    );
}

#[test]
fn required_properties_and_expressions() {
    let mut t = Template::new("smoke");
    let endpoint = VPCEndpoint::new().vpc_endpoint_type(synth::Expr::sub("${Kind}"));
    t.add("Endpoint", endpoint);
    let all: Vec<&Diagnostic> = t.diagnostics().iter().collect();
    assert_eq!(codes(&all), ["E3003", "I0001"]);
    assert_eq!(
        all[0].message,
        "VpcId must be set for AWS::EC2::VPCEndpoint, got nothing"
    );
}

#[test]
fn registry_knows_attributes_and_create_only_paths() {
    assert_eq!(
        super::attributes_of("AWS::FSx::FileSystem"),
        Some(<FileSystem as Resource>::Attr::ALL)
    );
    let create_only = super::create_only_of("AWS::FSx::FileSystem").unwrap_or_default();
    for path in [
        "SubnetIds",
        "LustreConfiguration/DeploymentType",
        "OpenZFSConfiguration/DeploymentType",
        "OpenZFSConfiguration/RootVolumeConfiguration",
    ] {
        assert!(create_only.contains(&path), "{path} in {create_only:?}");
    }
    assert_eq!(super::REGISTRY.len(), 20);
    assert_eq!(super::ec2::TYPES.len(), 15);
    assert_eq!(super::attributes_of("AWS::S3::BucketPolicy"), Some(&[][..]));
    assert_eq!(super::attributes_of("AWS::EC2::Nope"), None);
    assert_eq!(VPCAttr::CidrBlock.name(), "CidrBlock");
    assert_eq!(
        <vpc_endpoint::VPCEndpointAttr as Attribute>::ALL,
        [
            "NetworkInterfaceIds",
            "CreationTimestamp",
            "DnsEntries",
            "Id"
        ]
    );
}
