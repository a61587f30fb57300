//! A stack of your own, built from pcstack's crates: a VPC with one private subnet, the EFA
//! security group and an encrypted, TLS-only S3 bucket, with two parameters and four outputs.
//!
//! ```text
//! cargo run --example custom_stack > my-stack.yaml
//! ```
//!
//! It prints the template as YAML, or the diagnostics on stderr and exits 1 when there are
//! errors. L1 types (`constructs::l1`) give you every CloudFormation property; L2 constructs
//! (`constructs::security`, `constructs::store` ...) add AWS's rules and wiring.

use constructs::l1::ec2::{subnet::Subnet, vpc::VPC};
use constructs::security::{self, EfaSecurityGroupIds, EfaSecurityGroupProps};
use constructs::store::{self, BucketProps};
use constructs::{Tags, TagsFrom};
use std::process::ExitCode;
use synth::{Expr, Output, Parameter, Policy, Template, Value};

/// The whole stack. Logical IDs are chosen here, once: changing one replaces the resource.
pub fn build() -> Template {
    let mut t = Template::new("custom-stack");
    t.description = Some("A VPC, a private subnet, an EFA security group and a bucket".into());

    // Resources refer to it by name, in `Fn::Sub` strings.
    t.add_parameter(
        "ProjectName",
        Parameter::string()
            .description("Name tag prefix of every resource")
            .default("demo")
            .allowed_pattern("^[a-z][a-z0-9-]{0,30}$"),
    );
    let vpc_cidr = t.add_parameter(
        "VpcCidr",
        Parameter::string()
            .description("IPv4 block of the VPC; the subnet is its first /24")
            .default("10.20.0.0/16")
            .allowed_pattern(r"^(\d{1,3}\.){3}\d{1,3}/16$"),
    );
    let name =
        |suffix: &str| -> Value<String> { Expr::sub(format!("${{ProjectName}}-{suffix}")).into() };
    let tags = Tags::default();

    let vpc = t.add(
        "Vpc",
        VPC::new()
            .cidr_block(Expr::reference(&vpc_cidr))
            .enable_dns_support(true)
            .enable_dns_hostnames(true)
            .tags_from(&tags.with_name(name("vpc"))),
    );
    let subnet = t.add(
        "PrivateSubnet",
        Subnet::new()
            .vpc_id(&vpc)
            .cidr_block(Expr::select(
                0,
                Expr::cidr(Expr::reference(&vpc_cidr), 1, 8),
            ))
            .availability_zone(Expr::select(0, Expr::GetAZs { region: "".into() }))
            .tags_from(&tags.with_name(name("private"))),
    );
    let efa = security::add(
        &mut t,
        &vpc,
        EfaSecurityGroupIds {
            group: "EfaSecurityGroup",
            ingress_self: "EfaIngressSelf",
            egress_self: "EfaEgressSelf",
            egress_all: "EfaEgressAll",
        },
        EfaSecurityGroupProps {
            group_description: "Instances and file systems of the project talk to each other",
            ingress_self_description: "All traffic from members",
            egress_self_description: "All traffic to members",
            egress_all_description: "All traffic out",
            tags: tags.with_name(name("efa")),
        },
    );
    let bucket = store::add_bucket(
        &mut t,
        "DataBucket",
        "DataBucketPolicy",
        BucketProps {
            name: "custom-stack-${AWS::AccountId}-${AWS::Region}",
            noncurrent_version_days: 30,
            abort_multipart_days: 7,
            removal: Policy::Retain,
            tags: tags.with_name(name("data")),
            access_logs: None,
        },
    );

    for (key, value, description) in [
        ("VpcId", vpc.reference(), "The VPC"),
        ("PrivateSubnetId", subnet.reference(), "The private subnet"),
        (
            "SecurityGroupId",
            efa.group.reference(),
            "The EFA security group",
        ),
        ("BucketName", bucket.reference(), "The data bucket"),
    ] {
        t.add_output(key, Output::new(value).description(description));
    }
    t
}

fn main() -> ExitCode {
    let out = build().synthesize();
    if out.diagnostics.has_errors() {
        eprintln!("{}", out.diagnostics);
        return ExitCode::FAILURE;
    }
    print!("{}", out.yaml);
    ExitCode::SUCCESS
}
