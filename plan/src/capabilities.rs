//! Which capabilities a template needs acknowledged on CreateChangeSet, from its resource types
//! and its `Transform`.
//!
//! The rule, from the `Capabilities` parameter of CreateChangeSet
//! (<https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>):
//! - IAM resources need `CAPABILITY_IAM` or `CAPABILITY_NAMED_IAM`; IAM resources with custom
//!   names need `CAPABILITY_NAMED_IAM` (otherwise InsufficientCapabilities). The page lists the
//!   `AWS::IAM::` types AccessKey, Group, InstanceProfile, ManagedPolicy, Policy, Role, User and
//!   UserToGroupAddition; pcstack counts every `AWS::IAM::` type, since acknowledging one that
//!   didn't need it costs nothing and a missing one fails the change set.
//! - `CAPABILITY_AUTO_EXPAND` acknowledges macros (`Transform`, `AWS::Include`,
//!   `AWS::Serverless`), but the page says it "doesn't apply to creating change sets, and
//!   specifying it when creating change sets has no effect". pcstack sends it when the template
//!   has a `Transform` (top level or `Fn::Transform`), and never requires it.
//! - A nested stack (`AWS::CloudFormation::Stack`) may hold IAM resources pcstack can't see:
//!   the default then acknowledges both IAM capabilities, and a restricted list is not refused
//!   for it (CloudFormation answers InsufficientCapabilities if the child needs one).

use serde_json::Value as Json;
use std::fmt;

/// A CloudFormation capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// `CAPABILITY_IAM`: the template creates or changes IAM resources.
    Iam,
    /// `CAPABILITY_NAMED_IAM`: ... some of them with custom names.
    NamedIam,
    /// `CAPABILITY_AUTO_EXPAND`: the template uses macros.
    AutoExpand,
}

impl Capability {
    /// Every capability, in CloudFormation's order.
    pub const ALL: [Capability; 3] = [
        Capability::Iam,
        Capability::NamedIam,
        Capability::AutoExpand,
    ];

    /// CloudFormation's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
            Capability::AutoExpand => "CAPABILITY_AUTO_EXPAND",
        }
    }

    /// Parses CloudFormation's name (any case; the `CAPABILITY_` prefix may be left out).
    pub fn parse(s: &str) -> Result<Capability, crate::Error> {
        let upper = s.trim().to_ascii_uppercase();
        let name = upper.strip_prefix("CAPABILITY_").unwrap_or(&upper);
        match name {
            "IAM" => Ok(Capability::Iam),
            "NAMED_IAM" => Ok(Capability::NamedIam),
            "AUTO_EXPAND" => Ok(Capability::AutoExpand),
            _ => crate::error::invalid(format!(
                "capability must be CAPABILITY_IAM, CAPABILITY_NAMED_IAM or CAPABILITY_AUTO_EXPAND, got {s:?}"
            )),
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The properties that give an IAM resource a custom (physical) name.
const NAME_PROPERTIES: [&str; 5] = [
    "RoleName",
    "UserName",
    "GroupName",
    "ManagedPolicyName",
    "InstanceProfileName",
];

/// What a template needs, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// An IAM resource (its logical ID) when the template has one.
    pub iam: Option<String>,
    /// An IAM resource with a custom name (logical ID and the naming property).
    pub named_iam: Option<(String, String)>,
    /// The template has a `Transform` (top level, or an `Fn::Transform` anywhere).
    pub transform: bool,
    /// A nested stack (its logical ID): IAM resources inside it are not visible.
    pub nested_stack: Option<String>,
}

/// What `template` needs acknowledged.
pub fn needs(template: &Json) -> Needs {
    let mut needs = Needs {
        transform: crate::template::needs_transform(template),
        ..Needs::default()
    };
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else {
        return needs;
    };
    for (id, resource) in resources {
        let type_name = resource.get("Type").and_then(Json::as_str).unwrap_or("");
        if type_name == "AWS::CloudFormation::Stack" && needs.nested_stack.is_none() {
            needs.nested_stack = Some(id.clone());
        }
        if !type_name.starts_with("AWS::IAM::") {
            continue;
        }
        if needs.iam.is_none() {
            needs.iam = Some(id.clone());
        }
        let properties = resource.get("Properties");
        let named = NAME_PROPERTIES
            .iter()
            .find(|p| properties.and_then(|props| props.get(**p)).is_some());
        if let (Some(property), None) = (named, &needs.named_iam) {
            needs.named_iam = Some((id.clone(), property.to_string()));
        }
    }
    needs
}

impl Needs {
    /// The capabilities to send when the user gave none: exactly those the template needs.
    pub fn default_capabilities(&self) -> Vec<Capability> {
        let mut out = Vec::new();
        if self.iam.is_some() || self.nested_stack.is_some() {
            out.push(Capability::Iam);
        }
        if self.named_iam.is_some() || self.nested_stack.is_some() {
            out.push(Capability::NamedIam);
        }
        if self.transform {
            out.push(Capability::AutoExpand);
        }
        out
    }

    /// Checks a list the user gave (`--capabilities`): the error names the one missing, the
    /// resource that needs it, and the list given.
    pub fn check(&self, given: &[Capability]) -> Result<(), crate::Error> {
        let list = if given.is_empty() {
            "none".to_string()
        } else {
            given
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        if let Some((id, property)) = &self.named_iam {
            if !given.contains(&Capability::NamedIam) {
                return crate::error::invalid(format!(
                    "--capabilities must include CAPABILITY_NAMED_IAM for IAM resource {id}, which sets {property} (a custom name), got {list}"
                ));
            }
        }
        if let Some(id) = &self.iam {
            if !given.contains(&Capability::Iam) && !given.contains(&Capability::NamedIam) {
                return crate::error::invalid(format!(
                    "--capabilities must include CAPABILITY_IAM (or CAPABILITY_NAMED_IAM) for IAM resource {id}, got {list}"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn capabilities_follow_the_resource_types() {
        let none = json!({"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}});
        assert!(needs(&none).default_capabilities().is_empty());
        assert_eq!(needs(&none).check(&[]), Ok(()));

        let role = json!({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {}}}});
        assert_eq!(needs(&role).default_capabilities(), vec![Capability::Iam]);
        assert_eq!(needs(&role).check(&[Capability::NamedIam]), Ok(()));
        assert_eq!(
            needs(&role).check(&[Capability::AutoExpand]).unwrap_err(),
            crate::Error::Invalid("--capabilities must include CAPABILITY_IAM (or CAPABILITY_NAMED_IAM) for IAM resource Role, got CAPABILITY_AUTO_EXPAND".into())
        );

        let named = json!({"Resources": {
            "Role": {"Type": "AWS::IAM::Role"},
            "Named": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}
        }});
        assert_eq!(
            needs(&named).default_capabilities(),
            vec![Capability::Iam, Capability::NamedIam]
        );
        assert_eq!(
            needs(&named).check(&[Capability::Iam]).unwrap_err(),
            crate::Error::Invalid("--capabilities must include CAPABILITY_NAMED_IAM for IAM resource Named, which sets RoleName (a custom name), got CAPABILITY_IAM".into())
        );

        let sam = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"F": {"Type": "AWS::Serverless::Function"}}});
        assert_eq!(
            needs(&sam).default_capabilities(),
            vec![Capability::AutoExpand]
        );
        // Without effect on change sets: never required.
        assert_eq!(needs(&sam).check(&[]), Ok(()));
        let include = json!({"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"Fn::Transform": {"Name": "AWS::Include"}}}}});
        assert!(crate::template::needs_transform(&include));

        let nested = json!({"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack"}}});
        assert_eq!(
            needs(&nested).default_capabilities(),
            vec![Capability::Iam, Capability::NamedIam]
        );
    }

    #[test]
    fn capability_names_parse_in_any_case() {
        assert_eq!(Capability::parse("CAPABILITY_IAM"), Ok(Capability::Iam));
        assert_eq!(Capability::parse("named_iam"), Ok(Capability::NamedIam));
        assert_eq!(
            Capability::parse("capability_auto_expand"),
            Ok(Capability::AutoExpand)
        );
        assert_eq!(
            Capability::parse("ADMIN").unwrap_err(),
            crate::Error::Invalid("capability must be CAPABILITY_IAM, CAPABILITY_NAMED_IAM or CAPABILITY_AUTO_EXPAND, got \"ADMIN\"".into())
        );
    }

    #[test]
    fn the_built_in_stack_needs_no_capability() {
        let built = <stacks::prerequisites::Prerequisites as stacks::Stack>::build(
            &stacks::Config::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let template =
            crate::template::parse_template(&built.synthesized.render(synth::Format::Yaml))
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(template.get("Resources").is_some());
        assert!(needs(&template).default_capabilities().is_empty());
    }
}
