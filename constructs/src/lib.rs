//! `constructs`: AWS knowledge. Generated L1 resource types (`l1`), the rules AWS enforces
//! (`rules`), and hand-written L2 constructs that wire resources together with typed handles.
//! It knows AWS services but no concrete stack: every logical ID comes from the caller.
//!
//! # A small stack
//!
//! L1 types for what needs no wiring, L2 constructs ([`security`], [`store`], [`network`],
//! [`storage`]) for what does. Constructs check AWS's rules as they add resources; the
//! template collects every problem as a diagnostic with a path instead of failing at the
//! first:
//!
//! ```
//! use constructs::l1::ec2::{subnet::Subnet, vpc::VPC};
//! use constructs::security::{self, EfaSecurityGroupIds, EfaSecurityGroupProps};
//! use constructs::store::{self, BucketProps};
//! use constructs::Tags;
//! use synth::{Expr, Policy, Template};
//!
//! let mut t = Template::new("example");
//! let vpc = t.add("Vpc", VPC::new().cidr_block("10.0.0.0/16"));
//! let subnet = t.add(
//!     "Subnet",
//!     Subnet::new()
//!         .vpc_id(&vpc)
//!         .cidr_block("10.0.0.0/24")
//!         .availability_zone(Expr::select(0, Expr::GetAZs { region: "".into() })),
//! );
//! // A security group whose members may talk to each other, as EFA and Lustre need.
//! let efa = security::add(
//!     &mut t,
//!     &vpc,
//!     EfaSecurityGroupIds {
//!         group: "Efa",
//!         ingress_self: "EfaIngressSelf",
//!         egress_self: "EfaEgressSelf",
//!         egress_all: "EfaEgressAll",
//!     },
//!     EfaSecurityGroupProps {
//!         group_description: "Members talk to each other",
//!         ingress_self_description: "from members",
//!         egress_self_description: "to members",
//!         egress_all_description: "to anywhere",
//!         tags: Tags::default(),
//!     },
//! );
//! let bucket_props = |name| BucketProps {
//!     name,
//!     noncurrent_version_days: 30,
//!     abort_multipart_days: 7,
//!     removal: Policy::Retain,
//!     tags: Tags::default(),
//!     access_logs: None,
//! };
//! store::add_bucket(&mut t, "Data", "DataPolicy", bucket_props("example-${AWS::AccountId}"));
//!
//! let out = t.synthesize();
//! assert!(!out.diagnostics.has_errors(), "{}", out.diagnostics);
//! let resources = &out.template["Resources"];
//! assert_eq!(resources["Subnet"]["Properties"]["VpcId"], serde_json::json!({"Ref": "Vpc"}));
//! assert_eq!(
//!     resources["EfaIngressSelf"]["Properties"]["SourceSecurityGroupId"],
//!     serde_json::json!({"Ref": "Efa"})
//! );
//! assert_eq!(efa.rules.len(), 3);
//! assert!(out.yaml.contains("Type: AWS::S3::Bucket"));
//!
//! // A name S3 rejects is reported at the property, with the rule that it breaks (pcstack's
//! // own rule, and the schema's pattern).
//! store::add_bucket(&mut t, "Bad", "BadPolicy", bucket_props("Not_A_Bucket"));
//! let errors: Vec<(&str, &str)> = t
//!     .diagnostics()
//!     .errors()
//!     .map(|d| (d.code.as_str(), d.path.as_str()))
//!     .collect();
//! let at = "example/Bad (AWS::S3::Bucket).BucketName";
//! assert_eq!(errors, [("PC131", at), ("E3031", at)]);
//! ```
//!
//! # Typed references
//!
//! A property that refers to another resource holds a [`synth::Ref`] typed by what it
//! refers to (`Ref<VpcId>`, `Ref<SubnetId>`, `Ref<SecurityGroupId>` ...; the generator
//! reads the kinds from the registry schemas). The value comes from the referenced
//! resource's handle, or explicitly from a literal ID, a parameter or an import:
//!
//! ```
//! use constructs::l1::ec2::{security_group::SecurityGroup, subnet::Subnet, vpc::VPC};
//! use constructs::l1::fsx::file_system::FileSystem;
//! use synth::{Ref, Template};
//!
//! let mut t = Template::new("example");
//! let vpc = t.add("Vpc", VPC::new().cidr_block("10.0.0.0/16"));
//! let group = t.add(
//!     "Group",
//!     SecurityGroup::new().group_description("example").vpc_id(&vpc),
//! );
//! let subnet = t.add("Subnet", Subnet::new().vpc_id(&vpc).cidr_block("10.0.0.0/24"));
//! t.add(
//!     "Lustre",
//!     FileSystem::new()
//!         .file_system_type("LUSTRE")
//!         .subnet_ids(vec![subnet.refer()])
//!         .security_group_ids(vec![group.refer()]),
//! );
//! // A VPC the template doesn't make: its ID, given explicitly.
//! let elsewhere = Subnet::new().vpc_id(Ref::literal("vpc-0123456789abcdef0"));
//!
//! let json = t.synthesize().template;
//! assert_eq!(json["Resources"]["Subnet"]["Properties"]["VpcId"], serde_json::json!({"Ref": "Vpc"}));
//! assert_eq!(
//!     json["Resources"]["Lustre"]["Properties"]["SecurityGroupIds"],
//!     serde_json::json!([{"Ref": "Group"}])
//! );
//! assert_eq!(serde_json::to_value(&elsewhere.vpc_id).unwrap(), "vpc-0123456789abcdef0");
//! ```
//!
//! Passing the wrong kind of resource does not compile (E0271, "type mismatch resolving
//! `<VpcId as Target>::Of == Subnet`"; the examples differ from the one above only in the
//! argument). A subnet where the VPC belongs:
//!
//! ```compile_fail,E0271
//! # use constructs::l1::ec2::{security_group::SecurityGroup, subnet::Subnet, vpc::VPC};
//! # use constructs::l1::fsx::file_system::FileSystem;
//! # use synth::{Ref, Template};
//! # let mut t = Template::new("example");
//! # let vpc = t.add("Vpc", VPC::new().cidr_block("10.0.0.0/16"));
//! # let subnet = t.add("Subnet", Subnet::new().vpc_id(&vpc).cidr_block("10.0.0.0/24"));
//! let group = t.add(
//!     "Group",
//!     SecurityGroup::new().group_description("example").vpc_id(&subnet),
//! );
//! ```
//!
//! A subnet where a security group belongs:
//!
//! ```compile_fail,E0271
//! # use constructs::l1::ec2::{security_group::SecurityGroup, subnet::Subnet, vpc::VPC};
//! # use constructs::l1::fsx::file_system::FileSystem;
//! # use synth::{Ref, Template};
//! # let mut t = Template::new("example");
//! # let vpc = t.add("Vpc", VPC::new().cidr_block("10.0.0.0/16"));
//! # let subnet = t.add("Subnet", Subnet::new().vpc_id(&vpc).cidr_block("10.0.0.0/24"));
//! t.add(
//!     "Lustre",
//!     FileSystem::new()
//!         .file_system_type("LUSTRE")
//!         .subnet_ids(vec![subnet.refer()])
//!         .security_group_ids(vec![subnet.refer()]),
//! );
//! ```

#![deny(missing_docs)]

pub mod l1;
pub mod network;
pub mod partition;
pub mod rules;
pub mod security;
pub mod storage;
pub mod store;

use indexmap::IndexMap;
use serde_json::json;
use synth::{code, Code, Diagnostic, ResourceOptions, Severity, Template, Value};

/// Every diagnostic code this crate declares, one list per declaring module (the registry,
/// `stacks::codes`, assembles every crate's).
pub const CODES: &[&[Code]] = &[
    rules::tags::code::CODES,
    rules::fsx::code::CODES,
    rules::dra::code::CODES,
    rules::s3::code::CODES,
    rules::ecr::code::CODES,
    rules::cidr::code::CODES,
    rules::names::code::CODES,
    rules::pcluster::code::CODES,
];

/// Tags applied to resources, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tags(pub IndexMap<String, Value<String>>);

impl Tags {
    /// Literal tags from key/value pairs, such as a config's tag map.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Tags {
        Tags(
            pairs
                .into_iter()
                .map(|(k, v)| (k.clone(), Value::Lit(v.clone())))
                .collect(),
        )
    }

    /// These tags with `Name` first.
    pub fn with_name(&self, name: Value<String>) -> Tags {
        let mut m = IndexMap::new();
        m.insert("Name".to_string(), name);
        for (k, v) in &self.0 {
            if k != "Name" {
                m.insert(k.clone(), v.clone());
            }
        }
        Tags(m)
    }

    /// Checks every tag with [`rules::tags::tag`] and reports each broken one at `path` (the
    /// construct receiving them). An expression value is left to CloudFormation; its key,
    /// always literal, is still checked.
    pub fn check(&self, t: &mut Template, path: &str) {
        for (key, value) in &self.0 {
            let value = match value {
                Value::Lit(v) => v.as_str(),
                Value::Expr(_) => "",
            };
            let field = format!("Tags.{}", key.escape_debug());
            if let Err(v) = rules::tags::tag(&field, key, value) {
                t.report(v.at(path));
            }
        }
    }

    /// Builds a type's own tag structs.
    pub fn to<T>(&self, f: impl Fn(String, Value<String>) -> T) -> Vec<T> {
        self.0
            .iter()
            .map(|(k, v)| f(k.clone(), v.clone()))
            .collect()
    }

    /// No tags: resources then leave their `Tags` property out.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Suppresses one cfn-lint check on one resource and records why, next to it.
pub fn suppress(mut options: ResourceOptions, check: &str, reason: &str) -> ResourceOptions {
    let lint = options
        .metadata
        .entry("cfn-lint".to_string())
        .or_insert_with(|| json!({"config": {"ignore_checks": []}}));
    if let Some(list) = lint
        .pointer_mut("/config/ignore_checks")
        .and_then(|l| l.as_array_mut())
    {
        list.push(json!(check));
    }
    let reasons = options
        .metadata
        .entry("pcstack".to_string())
        .or_insert_with(|| json!({}));
    if let Some(obj) = reasons.as_object_mut() {
        let map = obj.entry("Suppressions").or_insert_with(|| json!({}));
        if let Some(m) = map.as_object_mut() {
            m.insert(check.to_string(), json!(reason));
        }
    }
    options
}

/// Records why a property has the value it has, in the resource's `Metadata.pcstack.Notes`.
pub fn note(mut options: ResourceOptions, property: &str, reason: &str) -> ResourceOptions {
    let entry = options
        .metadata
        .entry("pcstack".to_string())
        .or_insert_with(|| json!({}));
    if let Some(obj) = entry.as_object_mut() {
        let notes = obj.entry("Notes").or_insert_with(|| json!({}));
        if let Some(m) = notes.as_object_mut() {
            m.insert(property.to_string(), json!(reason));
        }
    }
    options
}

/// Skips one checkov check on one resource, with the reason, in the resource's metadata.
pub fn skip_checkov(mut options: ResourceOptions, check: &str, reason: &str) -> ResourceOptions {
    let entry = options
        .metadata
        .entry("checkov".to_string())
        .or_insert_with(|| json!({"skip": []}));
    if let Some(list) = entry.get_mut("skip").and_then(|l| l.as_array_mut()) {
        list.push(json!({"id": check, "comment": reason}));
    }
    options
}

/// Runs a rule on a literal, or records that an expression is left to CloudFormation.
pub fn rule_on<T>(
    t: &mut Template,
    path: &str,
    field: &str,
    value: &Value<T>,
    rule: impl FnOnce(&T) -> rules::RuleResult,
    covered_by: &str,
) {
    match value {
        Value::Lit(v) => {
            if let Err(v) = rule(v) {
                t.report(v.at(path));
            }
        }
        Value::Expr(_) => t.report(Diagnostic {
            severity: Severity::Info,
            code: code::EXPRESSION_RULE,
            path: path.to_string(),
            message: format!(
                "{field} is an expression; {covered_by} checks it before CloudFormation uses it"
            ),
            line: None,
        }),
    }
}

/// Sets a resource's `Tags` from [`Tags`], leaving the property out when there are none.
pub trait TagsFrom: Sized {
    /// This resource with `Tags` set to `tags`, in order (unchanged when `tags` is empty).
    fn tags_from(self, tags: &Tags) -> Self;
}

macro_rules! taggable {
    ($($resource:ty => $tag:ty),* $(,)?) => {$(
        impl TagsFrom for $resource {
            fn tags_from(self, tags: &Tags) -> Self {
                if tags.is_empty() {
                    self
                } else {
                    self.tags(tags.to(|k, v| <$tag>::new().key(k).value(v)))
                }
            }
        }
    )*};
}

taggable! {
    l1::ec2::vpc::VPC => l1::ec2::vpc::Tag,
    l1::ec2::subnet::Subnet => l1::ec2::subnet::Tag,
    l1::ec2::internet_gateway::InternetGateway => l1::ec2::internet_gateway::Tag,
    l1::ec2::eip::EIP => l1::ec2::eip::Tag,
    l1::ec2::nat_gateway::NatGateway => l1::ec2::nat_gateway::Tag,
    l1::ec2::route_table::RouteTable => l1::ec2::route_table::Tag,
    l1::ec2::security_group::SecurityGroup => l1::ec2::security_group::Tag,
    l1::ec2::flow_log::FlowLog => l1::ec2::flow_log::Tag,
    l1::fsx::file_system::FileSystem => l1::fsx::file_system::Tag,
    l1::fsx::data_repository_association::DataRepositoryAssociation => l1::fsx::data_repository_association::Tag,
    l1::s3::bucket::Bucket => l1::s3::bucket::Tag,
    l1::ecr::repository::Repository => l1::ecr::repository::Tag,
}
