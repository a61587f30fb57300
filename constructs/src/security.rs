//! The EFA security group: all traffic to and from itself, plus all egress.
//!
//! Source: "An EFA requires a security group that allows all inbound and outbound traffic to
//! and from the security group itself" (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start.html#efa-start-security>).
//! The same self-referencing rules satisfy FSx for Lustre's need for TCP 988 and 1018-1023
//! between file servers and clients (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html>).
//! Self-references must be separate ingress/egress resources: rules embedded in the group
//! would refer to the group itself, a circular dependency.

use crate::l1::ec2::{
    security_group, security_group_egress, security_group_ingress, SecurityGroup, VpcId,
};
use crate::TagsFrom;
use crate::{suppress, Tags};
use synth::{Handle, Ref, ResourceOptions, Template};

/// The logical IDs of the group and its rules, chosen by the stack.
#[derive(Debug, Clone, Copy)]
pub struct EfaSecurityGroupIds<'a> {
    /// The `AWS::EC2::SecurityGroup`.
    pub group: &'a str,
    /// The `AWS::EC2::SecurityGroupIngress` from the group itself.
    pub ingress_self: &'a str,
    /// The `AWS::EC2::SecurityGroupEgress` to the group itself.
    pub egress_self: &'a str,
    /// The `AWS::EC2::SecurityGroupEgress` to anywhere.
    pub egress_all: &'a str,
}

/// Descriptions are create-only on the group and on each rule: a change replaces them, and a
/// replaced rule collides with the old one. The stack passes the texts it must keep.
#[derive(Debug, Clone)]
pub struct EfaSecurityGroupProps<'a> {
    /// The group's `GroupDescription`.
    pub group_description: &'a str,
    /// The self-ingress rule's `Description`.
    pub ingress_self_description: &'a str,
    /// The self-egress rule's `Description`.
    pub egress_self_description: &'a str,
    /// The egress-to-anywhere rule's `Description`.
    pub egress_all_description: &'a str,
    /// The group's tags.
    pub tags: Tags,
}

/// Why W3687 (ports given with IpProtocol -1) stays suppressed on the three rules.
pub const PORTS_WITH_ALL_PROTOCOLS: &str = "FromPort and ToPort are create-only on security group rules; they stay -1 as the tutorial's template wrote them, so a stack created from it updates in place instead of replacing (and colliding with) its rules. AWS ignores ports when IpProtocol is -1.";

/// Adds the group in `vpc` and its three rules to `t`.
pub fn add(
    t: &mut Template,
    vpc: impl Into<Ref<VpcId>>,
    ids: EfaSecurityGroupIds<'_>,
    props: EfaSecurityGroupProps<'_>,
) -> EfaSecurityGroup {
    props
        .tags
        .check(t, &format!("{} (AWS::EC2::SecurityGroup)", ids.group));
    let group = t.add(
        ids.group,
        security_group::SecurityGroup::new()
            .group_description(props.group_description)
            .vpc_id(vpc)
            .tags_from(&props.tags),
    );
    // IpProtocol is written as the number -1, as the tutorial's template has it: every property
    // of a rule is create-only, so the value is kept exactly rather than as the string "-1".
    let keep_ports = || {
        suppress(
            ResourceOptions::default(),
            "W3687",
            PORTS_WITH_ALL_PROTOCOLS,
        )
        .override_property("IpProtocol", serde_json::json!(-1))
    };
    let ingress = t.add_with(
        ids.ingress_self,
        security_group_ingress::SecurityGroupIngress::new()
            .description(props.ingress_self_description)
            .ip_protocol("-1")
            .from_port(-1)
            .to_port(-1)
            .group_id(&group)
            .source_security_group_id(&group),
        keep_ports(),
    );
    let egress = t.add_with(
        ids.egress_self,
        security_group_egress::SecurityGroupEgress::new()
            .description(props.egress_self_description)
            .ip_protocol("-1")
            .from_port(-1)
            .to_port(-1)
            .group_id(&group)
            .destination_security_group_id(&group),
        keep_ports(),
    );
    let egress_all = t.add_with(
        ids.egress_all,
        security_group_egress::SecurityGroupEgress::new()
            .description(props.egress_all_description)
            .ip_protocol("-1")
            .from_port(-1)
            .to_port(-1)
            .group_id(&group)
            .cidr_ip("0.0.0.0/0"),
        keep_ports(),
    );
    EfaSecurityGroup {
        group,
        rules: vec![
            ingress.id().clone(),
            egress.id().clone(),
            egress_all.id().clone(),
        ],
    }
}

/// The group and its rules. FSx checks a group's rules when it creates a file system, so
/// a file system in this group must wait for the rules, not only the group.
/// (<https://docs.aws.amazon.com/fsx/latest/LustreGuide/limit-access-security-groups.html>)
#[derive(Debug, Clone)]
pub struct EfaSecurityGroup {
    /// The group.
    pub group: Handle<SecurityGroup>,
    /// Its rules, which file systems in the group depend on.
    pub rules: Vec<synth::LogicalId>,
}
