//! The change-set review model: a change set's resource changes as plain data, grouped and
//! explained for a person, the data-loss ("danger") block, and the approval decision. The CLI
//! converts CloudFormation's `DescribeChangeSet` answer into [`ResourceChange`]s; everything
//! after that is here, testable without AWS.

use crate::style::Style;
use crate::types;
use serde_json::Value as Json;

/// What a change set does to one resource (CloudFormation's `ChangeAction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    /// A new resource.
    Add,
    /// An update in place or a replacement (see [`Replacement`]).
    Modify,
    /// The resource leaves the stack (deleted unless its DeletionPolicy keeps it).
    Remove,
    /// An existing resource is imported into the stack.
    Import,
    /// Decided at execution time (a macro or a dynamic reference).
    Dynamic,
    /// An action pcstack does not know (one CloudFormation added later, or none given): shown
    /// as Unknown, never taken for another.
    Unknown,
}

impl ChangeAction {
    /// The order and the words of the review's groups.
    pub const ALL: [ChangeAction; 6] = [
        ChangeAction::Add,
        ChangeAction::Modify,
        ChangeAction::Remove,
        ChangeAction::Import,
        ChangeAction::Dynamic,
        ChangeAction::Unknown,
    ];

    /// CloudFormation's name for the action.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Add => "Add",
            ChangeAction::Modify => "Modify",
            ChangeAction::Remove => "Remove",
            ChangeAction::Import => "Import",
            ChangeAction::Dynamic => "Dynamic",
            ChangeAction::Unknown => "Unknown",
        }
    }

    fn sign(self) -> &'static str {
        match self {
            ChangeAction::Add => "+",
            ChangeAction::Remove => "-",
            ChangeAction::Modify => "~",
            ChangeAction::Import | ChangeAction::Dynamic => "*",
            ChangeAction::Unknown => "?",
        }
    }
}

/// Whether a modification replaces the resource (CloudFormation's `Replacement`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// A new physical resource replaces the current one.
    True,
    /// Updated in place.
    False,
    /// Decided at execution time from values not known yet.
    Conditional,
}

/// Whether one changed property forces recreation (CloudFormation's `RequiresRecreation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recreation {
    /// Updated in place.
    Never,
    /// Recreated when the new value differs at execution time.
    Conditionally,
    /// Always recreated.
    Always,
}

/// One reason for a resource change: which attribute or property changed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeDetail {
    /// `Properties`, `Metadata`, `Tags`, `DeletionPolicy`...
    pub attribute: String,
    /// The property's name or path (`LustreConfiguration.DeploymentType`); empty for a whole
    /// attribute.
    pub name: String,
    /// Whether this change forces recreation; `None` when CloudFormation doesn't say.
    pub recreation: Option<Recreation>,
    /// `DirectModification`, `ResourceReference`, `ParameterReference`...
    pub source: Option<String>,
    /// The resource or parameter that caused the change, for indirect changes.
    pub causing_entity: Option<String>,
}

/// One resource's change in a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// What happens to the resource.
    pub action: ChangeAction,
    /// Its logical ID in the template.
    pub logical_id: String,
    /// Its resource type (`AWS::S3::Bucket`).
    pub type_name: String,
    /// Its physical ID when it exists already.
    pub physical_id: Option<String>,
    /// For modifications: whether it is replaced.
    pub replacement: Option<Replacement>,
    /// Each changed attribute or property.
    pub details: Vec<ChangeDetail>,
    /// What CloudFormation does with the current physical resource when it leaves the stack:
    /// the new template's UpdateReplacePolicy for a replacement, the deployed template's
    /// DeletionPolicy for a removal (see [`apply_policies`]).
    pub policy: Policy,
}

/// What CloudFormation does with a physical resource that leaves the stack: on removal its
/// DeletionPolicy decides, on replacement its UpdateReplacePolicy (of the new template).
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html>,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// Deleted: no policy, or `Delete`.
    Delete,
    /// Kept outside the stack, still billed: `Retain`, or on removal `RetainExceptOnCreate`
    /// (which differs from Retain only when the operation that created the resource rolls back;
    /// a removal happens in an update of a stack that was created).
    Retain,
    /// A final snapshot, then deleted: `Snapshot` on a type that supports it.
    Snapshot,
    /// pcstack can't tell: the template saying it wasn't read, the policy is an expression, or
    /// `Snapshot` on a type CloudFormation doesn't list as supporting it.
    #[default]
    Unknown,
}

/// The types CloudFormation takes a snapshot of under `Snapshot`, as its DeletionPolicy page
/// lists them (link on [`Policy`]).
const SNAPSHOT_TYPES: [&str; 9] = [
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::DocDB::DBCluster",
    "AWS::ElastiCache::ServerlessCache",
];

/// The policy `attribute` (`DeletionPolicy` or `UpdateReplacePolicy`) of resource `id` in
/// `template`; `None` for the template means it could not be read.
pub fn policy_of(template: Option<&Json>, id: &str, attribute: &str) -> Policy {
    let Some(resource) = template
        .and_then(|t| t.get("Resources"))
        .and_then(|r| r.get(id))
    else {
        return Policy::Unknown;
    };
    let type_name = resource.get("Type").and_then(Json::as_str).unwrap_or("");
    match resource.get(attribute) {
        None => Policy::Delete,
        Some(v) => match v.as_str() {
            Some("Delete") => Policy::Delete,
            Some("Retain") => Policy::Retain,
            Some("RetainExceptOnCreate") if attribute == "DeletionPolicy" => Policy::Retain,
            Some("Snapshot") if SNAPSHOT_TYPES.contains(&type_name) => Policy::Snapshot,
            _ => Policy::Unknown,
        },
    }
}

/// Fills each change's [`Policy`]: a replacement's from the template being deployed (`local`),
/// a removal's from the deployed one (`deployed`, `None` when it could not be read).
pub fn apply_policies(changes: &mut [ResourceChange], deployed: Option<&Json>, local: &Json) {
    for c in changes {
        c.policy = match c.action {
            ChangeAction::Remove => policy_of(deployed, &c.logical_id, "DeletionPolicy"),
            _ => policy_of(Some(local), &c.logical_id, "UpdateReplacePolicy"),
        };
    }
}

/// How a data-holding resource leaves the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// Removed from the template.
    Removed,
    /// Replaced by a new physical resource.
    Replaced,
    /// Replaced or not, decided at execution time (CloudFormation's "Conditional").
    MaybeReplaced,
}

/// What happens to the current resource, in words, with `cause` (e.g. ` (create-only X
/// changed)`) right after the replacement is named.
pub fn leaving_words(leaving: Leaving, policy: Policy, cause: &str) -> String {
    const KEPT: &str = "still billed, under its physical ID";
    match (leaving, policy) {
        (Leaving::Removed, Policy::Delete) => "deleted".into(),
        (Leaving::Removed, Policy::Retain) => {
            format!("removed from the stack and kept (DeletionPolicy Retain): it goes on existing, {KEPT}")
        }
        (Leaving::Removed, Policy::Snapshot) => {
            "deleted after a final snapshot (DeletionPolicy Snapshot)".into()
        }
        (Leaving::Removed, Policy::Unknown) => {
            "removed from the stack: deleted unless its DeletionPolicy keeps it (pcstack could not tell)".into()
        }
        (Leaving::Replaced, Policy::Delete) => format!("replaced: the current one is deleted{cause}"),
        (Leaving::Replaced, Policy::Retain) => format!(
            "replaced by a new, empty one{cause}; the current one is kept (UpdateReplacePolicy Retain), {KEPT}"
        ),
        (Leaving::Replaced, Policy::Snapshot) => format!(
            "replaced by a new, empty one{cause}; the current one is deleted after a final snapshot (UpdateReplacePolicy Snapshot)"
        ),
        (Leaving::Replaced, Policy::Unknown) => format!(
            "replaced by a new, empty one{cause}; the current one is deleted unless its UpdateReplacePolicy keeps it (pcstack could not tell)"
        ),
        (Leaving::MaybeReplaced, Policy::Delete) => {
            format!("may be replaced{cause}: the current one would be deleted")
        }
        (Leaving::MaybeReplaced, Policy::Retain) => format!(
            "may be replaced by a new, empty one{cause}; the current one would be kept (UpdateReplacePolicy Retain), {KEPT}"
        ),
        (Leaving::MaybeReplaced, Policy::Snapshot) => format!(
            "may be replaced by a new, empty one{cause}; the current one would be deleted after a final snapshot (UpdateReplacePolicy Snapshot)"
        ),
        (Leaving::MaybeReplaced, Policy::Unknown) => format!(
            "may be replaced by a new, empty one{cause}; the current one would be deleted unless its UpdateReplacePolicy keeps it (pcstack could not tell)"
        ),
    }
}

impl ResourceChange {
    /// What happens to this data-holding resource when it leaves the stack (removed or
    /// replaced), in words that follow its [`Policy`]: `None` for a type that holds no data or
    /// a change that keeps it in the stack.
    pub fn loss(&self) -> Option<String> {
        if !types::holds_data(&self.type_name) {
            return None;
        }
        let leaving = match (self.action, self.replacement) {
            (ChangeAction::Remove, _) => Leaving::Removed,
            (_, Some(Replacement::True)) => Leaving::Replaced,
            (_, Some(Replacement::Conditional)) => Leaving::MaybeReplaced,
            _ => return None,
        };
        Some(leaving_words(leaving, self.policy, ""))
    }

    fn headline(&self, style: &Style) -> String {
        let mut line = format!(
            "  {} {} ({})",
            self.action.sign(),
            self.logical_id,
            self.type_name
        );
        if let Some(p) = &self.physical_id {
            line.push_str(&format!(" [{p}]"));
        }
        match self.replacement {
            Some(Replacement::True) => line.push_str(&format!(" {}", style.red("REPLACEMENT"))),
            Some(Replacement::Conditional) => line.push_str(&format!(
                " {}",
                style.yellow("may be replaced (Conditional)")
            )),
            _ => {}
        }
        line
    }

    fn detail_line(&self, style: &Style, d: &ChangeDetail) -> String {
        let mut line = format!("      {}", d.attribute);
        if !d.name.is_empty() {
            line.push_str(&format!(".{}", d.name));
        }
        match d.recreation {
            Some(Recreation::Always) => {
                line.push_str(&format!(" {}", style.red("requires recreation: Always")))
            }
            Some(Recreation::Conditionally) => line.push_str(&format!(
                " {}",
                style.yellow("requires recreation: Conditionally")
            )),
            _ => {}
        }
        let recreates = matches!(
            d.recreation,
            Some(Recreation::Always | Recreation::Conditionally)
        );
        if recreates && types::is_create_only(&self.type_name, &d.name.replace('.', "/")) {
            line.push_str(&format!(
                " (create-only property of {}: changing it creates a new resource)",
                self.type_name
            ));
        }
        if let Some(source) = &d.source {
            let by = d
                .causing_entity
                .as_ref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default();
            line.push_str(&format!(" <- {source}{by}"));
        }
        line
    }
}

/// The review: every change grouped by action, replacements colored, with the details causing
/// them and the create-only properties that explain them.
pub fn review(style: &Style, changes: &[ResourceChange]) -> String {
    if changes.is_empty() {
        return format!("{NO_RESOURCE_CHANGES}\n");
    }
    let mut out = String::new();
    for action in ChangeAction::ALL {
        let group: Vec<&ResourceChange> = changes.iter().filter(|c| c.action == action).collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{} ({}):\n",
            style.bold(action.as_str()),
            group.len()
        ));
        for c in group {
            out.push_str(&c.headline(style));
            out.push('\n');
            for d in &c.details {
                out.push_str(&c.detail_line(style, d));
                out.push('\n');
            }
        }
    }
    out
}

/// Every replacement (True or Conditional) or removal of a data-holding resource, one line each,
/// saying what happens to the current resource (deleted, or kept under its policy).
pub fn danger(changes: &[ResourceChange]) -> Vec<String> {
    changes
        .iter()
        .filter_map(|c| {
            let what = c.loss()?;
            let physical = c
                .physical_id
                .as_ref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            Some(format!(
                "{} ({}){physical}: {what}",
                c.logical_id, c.type_name
            ))
        })
        .collect()
}

/// Logical IDs of the resources in [`danger`].
pub fn danger_ids(changes: &[ResourceChange]) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c.loss().is_some())
        .map(|c| c.logical_id.clone())
        .collect()
}

/// The danger block under a title.
pub fn danger_block(style: &Style, title: &str, danger: &[String]) -> String {
    let mut out = format!("{}\n", style.red(title));
    for d in danger {
        out.push_str(&format!("  ! {}\n", style.red(d)));
    }
    out
}

/// The broadening block: [`BROADENING_TITLE`], then one line per widening, in yellow.
pub fn broadening_block(style: &Style, broadening: &[String]) -> String {
    let mut out = format!("{}\n", style.yellow(BROADENING_TITLE));
    for b in broadening {
        out.push_str(&format!("  ! {}\n", style.yellow(b)));
    }
    out
}

/// The review as one JSON object (`--progress json`): `type` "review", `stack`, `changes`
/// (`action`, `logical_id`, `type`, `physical_id`, `replacement`), `danger`, `broadening`.
pub fn review_json(
    stack: &str,
    changes: &[ResourceChange],
    danger: &[String],
    broadening: &[String],
) -> Json {
    let changes: Vec<Json> = changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "action": c.action.as_str(),
                "logical_id": c.logical_id,
                "type": c.type_name,
                "physical_id": c.physical_id,
                "replacement": c.replacement.map(|r| match r {
                    Replacement::True => "True",
                    Replacement::False => "False",
                    Replacement::Conditional => "Conditional",
                }),
            })
        })
        .collect();
    serde_json::json!({
        "type": "review",
        "stack": stack,
        "changes": changes,
        "danger": danger,
        "broadening": broadening,
    })
}

/// The title of the change set's danger block.
pub const DANGER_TITLE: &str = "DANGER: data-holding resources would be replaced or removed:";

/// The review of a computed change set without resource changes: CloudFormation still
/// executes it, to update what else changed.
pub const NO_RESOURCE_CHANGES: &str =
    "no resource changes; outputs, parameters, metadata or tags change (the change set is executed to apply them)";

/// When to ask before executing a change set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Approve {
    /// Ask for every change set.
    Any,
    /// Ask when access widens (the BROADENING block) or data would be lost (DANGER).
    Broadening,
    /// Ask only when a data-holding resource would be replaced or removed.
    Destructive,
    /// Never ask.
    Never,
}

/// Whether a change set needs a person's yes before it runs. `Any` asks for every change set,
/// one without resource changes included (it still changes outputs, parameters or metadata);
/// `Broadening` asks for widened access and for data loss (never less than the default
/// `Destructive`, like the CDK's `--require-approval broadening` asks for security changes on
/// top of nothing).
pub fn needs_approval(approve: Approve, danger: &[String], broadening: &[String]) -> bool {
    match approve {
        Approve::Any => true,
        Approve::Broadening => !danger.is_empty() || !broadening.is_empty(),
        Approve::Destructive => !danger.is_empty(),
        Approve::Never => false,
    }
}

/// The title of the broadening block.
pub const BROADENING_TITLE: &str =
    "BROADENING: access would widen (review before approving; `--approve broadening` asks):";

/// Changes that widen access, one line each: security-group ingress open to the internet
/// (`CidrIp` 0.0.0.0/0 or `CidrIpv6` ::/0, in `AWS::EC2::SecurityGroupIngress` or a security
/// group's inline `SecurityGroupIngress`), policy statements that `Allow` any principal
/// (`"*"` or `{"AWS": "*"}`), and IAM resources with their permissions (every `Allow`
/// statement and managed policy ARN). Each changed resource of the change set is read from the
/// template being deployed (`local`); what the deployed template (`deployed`) already had for
/// the same logical ID is not repeated, so only what widens is listed (with the deployed
/// template unread, everything found counts).
///
/// Not counted, on purpose: rules whose source is a security group or prefix list (the EFA
/// group's self-referencing rules reach only members of the group), egress rules, `Deny`
/// statements, and VPC endpoint policies (`AWS::EC2::VPCEndpoint`): an endpoint policy
/// grants nobody anything, it only narrows what may pass through the endpoint, and without one
/// AWS applies the same full-access policy, so the built-in stack's open S3 endpoint policy
/// (its reason is in the template's metadata) is not a widening. Values left to expressions
/// (`Ref` a parameter) are not seen.
pub fn broadening(
    changes: &[ResourceChange],
    local: &Json,
    deployed: Option<&Json>,
) -> Vec<String> {
    let mut out = Vec::new();
    for c in changes {
        if c.action == ChangeAction::Remove {
            continue;
        }
        let Some(resource) = local.get("Resources").and_then(|r| r.get(&c.logical_id)) else {
            continue;
        };
        let before = deployed
            .and_then(|d| d.get("Resources"))
            .and_then(|r| r.get(&c.logical_id))
            .map(access_findings)
            .unwrap_or_default();
        for finding in access_findings(resource) {
            if !before.contains(&finding) {
                out.push(format!("{} ({}): {finding}", c.logical_id, c.type_name));
            }
        }
    }
    out
}

/// What one resource grants, each finding a line of [`broadening`].
fn access_findings(resource: &Json) -> Vec<String> {
    let type_name = resource.get("Type").and_then(Json::as_str).unwrap_or("");
    let empty = Json::Null;
    let props = resource.get("Properties").unwrap_or(&empty);
    let mut out = Vec::new();
    match type_name {
        "AWS::EC2::SecurityGroupIngress" => out.extend(open_ingress(props, "")),
        "AWS::EC2::SecurityGroup" => {
            for (i, rule) in props
                .get("SecurityGroupIngress")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                out.extend(open_ingress(rule, &format!("SecurityGroupIngress[{i}] ")));
            }
        }
        "AWS::EC2::VPCEndpoint" => {}
        t if t.starts_with("AWS::IAM::") => {
            let mut statements = Vec::new();
            policy_statements(props, &mut statements);
            for s in statements {
                if effect_allows(s) {
                    out.push(statement_words(s));
                }
            }
            for arn in props
                .get("ManagedPolicyArns")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                out.push(format!("attaches managed policy {}", brief(arn)));
            }
            if out.is_empty() {
                out.push("IAM resource".into());
            }
        }
        _ => {
            let mut statements = Vec::new();
            policy_statements(props, &mut statements);
            for s in statements {
                if effect_allows(s) && any_principal(s.get("Principal")) {
                    out.push(format!("policy {}", statement_words(s)));
                }
            }
        }
    }
    out
}

/// An ingress rule open to the whole IPv4 or IPv6 internet, in words.
fn open_ingress(rule: &Json, at: &str) -> Option<String> {
    let open = match (
        rule.get("CidrIp").and_then(Json::as_str),
        rule.get("CidrIpv6").and_then(Json::as_str),
    ) {
        (Some("0.0.0.0/0"), _) => "0.0.0.0/0",
        (_, Some("::/0")) => "::/0",
        _ => return None,
    };
    let protocol = rule.get("IpProtocol").map(brief).unwrap_or_default();
    let ports = match (rule.get("FromPort"), rule.get("ToPort")) {
        _ if protocol == "-1" => "all traffic".to_string(),
        (Some(f), Some(t)) if brief(f) == brief(t) => format!("{protocol} port {}", brief(f)),
        (Some(f), Some(t)) => format!("{protocol} ports {}-{}", brief(f), brief(t)),
        _ => protocol,
    };
    Some(format!("{at}ingress from {open} ({ports})"))
}

/// Every policy statement under `v`: objects of a `Statement` list (or a single `Statement`
/// object), at any depth (`PolicyDocument`, `AssumeRolePolicyDocument`, `Policies[].PolicyDocument`).
fn policy_statements<'a>(v: &'a Json, out: &mut Vec<&'a Json>) {
    match v {
        Json::Object(map) => {
            for (k, child) in map {
                match (k.as_str(), child) {
                    ("Statement", Json::Array(items)) => out.extend(items.iter()),
                    ("Statement", Json::Object(_)) => out.push(child),
                    _ => policy_statements(child, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|i| policy_statements(i, out)),
        _ => {}
    }
}

fn effect_allows(statement: &Json) -> bool {
    statement.get("Effect").and_then(Json::as_str) == Some("Allow")
}

/// `Principal: "*"`, `{"AWS": "*"}` or a list holding `"*"`.
fn any_principal(principal: Option<&Json>) -> bool {
    match principal {
        Some(Json::String(s)) => s == "*",
        Some(Json::Array(items)) => items.iter().any(|i| any_principal(Some(i))),
        Some(Json::Object(map)) => map.get("AWS").is_some_and(|a| any_principal(Some(a))),
        _ => false,
    }
}

/// `allows Principal P Action A on Resource R`, the parts present.
fn statement_words(s: &Json) -> String {
    let mut words = "allows".to_string();
    for key in [
        "Principal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
    ] {
        if let Some(v) = s.get(key) {
            words.push_str(&format!(" {key} {}", brief(v)));
        }
    }
    if s.get("Condition").is_some() {
        words.push_str(" (with a Condition)");
    }
    synth::input::cut_message(&words)
}

/// A value in one short form: strings bare, lists joined, anything else as compact JSON.
fn brief(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Array(items) => items.iter().map(brief).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// CloudFormation's ways of saying a submitted change set has nothing to do: the reason of a
/// FAILED change set (or of a refused CreateChangeSet). A CREATE_COMPLETE change set without
/// resource changes is not empty: it changes outputs, parameters, metadata or tags.
pub fn is_empty_reason(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str, type_name: &str, action: ChangeAction) -> ResourceChange {
        ResourceChange {
            action,
            logical_id: id.into(),
            type_name: type_name.into(),
            physical_id: None,
            replacement: None,
            details: Vec::new(),
            policy: Policy::Delete,
        }
    }

    fn replaced_lustre() -> ResourceChange {
        ResourceChange {
            physical_id: Some("fs-1".into()),
            replacement: Some(Replacement::True),
            details: vec![ChangeDetail {
                attribute: "Properties".into(),
                name: "LustreConfiguration.DeploymentType".into(),
                recreation: Some(Recreation::Always),
                source: Some("DirectModification".into()),
                causing_entity: None,
            }],
            ..change("Fs", "AWS::FSx::FileSystem", ChangeAction::Modify)
        }
    }

    #[test]
    fn review_groups_by_action_and_explains_replacements() {
        let changes = [
            change("Vpc", "AWS::EC2::VPC", ChangeAction::Add),
            replaced_lustre(),
            change("Old", "AWS::EC2::Subnet", ChangeAction::Remove),
        ];
        assert_eq!(
            review(&Style::PLAIN, &changes),
            "Add (1):\n  + Vpc (AWS::EC2::VPC)\n\
             Modify (1):\n  ~ Fs (AWS::FSx::FileSystem) [fs-1] REPLACEMENT\n      \
             Properties.LustreConfiguration.DeploymentType requires recreation: Always \
             (create-only property of AWS::FSx::FileSystem: changing it creates a new resource) \
             <- DirectModification\n\
             Remove (1):\n  - Old (AWS::EC2::Subnet)\n"
        );
    }

    #[test]
    fn danger_names_data_holding_losses_only() {
        let changes = [
            replaced_lustre(),
            change("Bucket", "AWS::S3::Bucket", ChangeAction::Remove),
            change("Sg", "AWS::EC2::SecurityGroup", ChangeAction::Remove),
            change("Repo", "AWS::ECR::Repository", ChangeAction::Modify),
        ];
        assert_eq!(
            danger(&changes),
            [
                "Fs (AWS::FSx::FileSystem) [fs-1]: replaced: the current one is deleted",
                "Bucket (AWS::S3::Bucket): deleted"
            ]
        );
        assert_eq!(danger_ids(&changes), ["Fs", "Bucket"]);
        assert_eq!(
            danger_block(&Style::PLAIN, DANGER_TITLE, &danger(&changes)[1..]),
            "DANGER: data-holding resources would be replaced or removed:\n  ! Bucket (AWS::S3::Bucket): deleted\n"
        );
    }

    #[test]
    fn approval_by_mode() {
        let lost = ["x".to_string()];
        let wider = ["y".to_string()];
        assert!(needs_approval(Approve::Any, &[], &[]));
        assert!(!needs_approval(Approve::Destructive, &[], &[]));
        assert!(needs_approval(Approve::Destructive, &lost, &[]));
        assert!(!needs_approval(Approve::Destructive, &[], &wider));
        assert!(needs_approval(Approve::Broadening, &[], &wider));
        assert!(needs_approval(Approve::Broadening, &lost, &[]));
        assert!(!needs_approval(Approve::Broadening, &[], &[]));
        assert!(!needs_approval(Approve::Never, &lost, &wider));
    }

    #[test]
    fn a_change_set_without_resource_changes_says_what_it_changes() {
        assert_eq!(
            review(&Style::PLAIN, &[]),
            "no resource changes; outputs, parameters, metadata or tags change (the change set is executed to apply them)\n"
        );
        // `--approve any` still asks for it.
        assert!(needs_approval(Approve::Any, &danger(&[]), &[]));
    }

    fn built_in_like() -> Json {
        serde_json::json!({"Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"},
            "Repo": {"Type": "AWS::ECR::Repository", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Delete"},
            "Fs": {"Type": "AWS::FSx::FileSystem", "DeletionPolicy": {"Fn::If": ["C", "Retain", "Delete"]}},
            "Vol": {"Type": "AWS::EC2::Volume", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot"},
            "Odd": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "RetainExceptOnCreate"}
        }})
    }

    #[test]
    fn policies_come_from_the_templates() {
        let t = built_in_like();
        let p = |id, attr| policy_of(Some(&t), id, attr);
        assert_eq!(p("Bucket", "DeletionPolicy"), Policy::Retain);
        assert_eq!(p("Bucket", "UpdateReplacePolicy"), Policy::Retain);
        assert_eq!(p("Repo", "UpdateReplacePolicy"), Policy::Delete);
        assert_eq!(p("Fs", "UpdateReplacePolicy"), Policy::Delete);
        assert_eq!(p("Fs", "DeletionPolicy"), Policy::Unknown, "an expression");
        assert_eq!(p("Vol", "DeletionPolicy"), Policy::Snapshot);
        assert_eq!(
            p("Odd", "DeletionPolicy"),
            Policy::Unknown,
            "no snapshots of buckets"
        );
        assert_eq!(
            p("Odd", "UpdateReplacePolicy"),
            Policy::Unknown,
            "not a replace policy"
        );
        assert_eq!(p("Missing", "DeletionPolicy"), Policy::Unknown);
        assert_eq!(policy_of(None, "Bucket", "DeletionPolicy"), Policy::Unknown);
    }

    #[test]
    fn retained_data_is_said_to_be_kept_not_deleted() {
        let t = built_in_like();
        let mut changes = [
            ResourceChange {
                physical_id: Some("my-bucket".into()),
                replacement: Some(Replacement::True),
                ..change("Bucket", "AWS::S3::Bucket", ChangeAction::Modify)
            },
            ResourceChange {
                physical_id: Some("my-repo".into()),
                ..change("Repo", "AWS::ECR::Repository", ChangeAction::Remove)
            },
            ResourceChange {
                replacement: Some(Replacement::Conditional),
                ..change("Bucket", "AWS::S3::Bucket", ChangeAction::Modify)
            },
            change("Fs", "AWS::FSx::FileSystem", ChangeAction::Remove),
        ];
        // Replacement: the new template's UpdateReplacePolicy; removal: the deployed template's
        // DeletionPolicy (Repo is Retain there, gone from the new template).
        let local = serde_json::json!({"Resources": {"Bucket": t["Resources"]["Bucket"].clone()}});
        apply_policies(&mut changes, Some(&t), &local);
        assert_eq!(
            danger(&changes),
            [
                "Bucket (AWS::S3::Bucket) [my-bucket]: replaced by a new, empty one; the current one is kept (UpdateReplacePolicy Retain), still billed, under its physical ID",
                "Repo (AWS::ECR::Repository) [my-repo]: removed from the stack and kept (DeletionPolicy Retain): it goes on existing, still billed, under its physical ID",
                "Bucket (AWS::S3::Bucket): may be replaced by a new, empty one; the current one would be kept (UpdateReplacePolicy Retain), still billed, under its physical ID",
                "Fs (AWS::FSx::FileSystem): removed from the stack: deleted unless its DeletionPolicy keeps it (pcstack could not tell)",
            ]
        );
        // Kept or not, each still needs approval.
        assert_eq!(danger_ids(&changes), ["Bucket", "Repo", "Bucket", "Fs"]);
        apply_policies(&mut changes[1..2], None, &local);
        assert_eq!(
            danger(&changes)[1],
            "Repo (AWS::ECR::Repository) [my-repo]: removed from the stack: deleted unless its DeletionPolicy keeps it (pcstack could not tell)"
        );
        assert_eq!(
            leaving_words(Leaving::Removed, Policy::Snapshot, ""),
            "deleted after a final snapshot (DeletionPolicy Snapshot)"
        );
        assert_eq!(
            leaving_words(Leaving::Replaced, Policy::Snapshot, " (x changed)"),
            "replaced by a new, empty one (x changed); the current one is deleted after a final snapshot (UpdateReplacePolicy Snapshot)"
        );
    }

    #[test]
    fn broadening_lists_what_widens_access() {
        let deployed = serde_json::json!({"Resources": {
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}
            ]}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
            ]}}]}}
        }});
        let local = serde_json::json!({"Resources": {
            "Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"},
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"}
            ]}},
            "Ssh": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "Sg"}, "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}},
            "Self": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "Sg"}, "IpProtocol": "-1", "SourceSecurityGroupId": {"Ref": "Sg"}}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::b/*"}
            ]}}]}},
            "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Role"}]}},
            "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": {"Statement": [
                {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
                {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}
            ]}}},
            "Endpoint": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}
            ]}}}
        }});
        let changes: Vec<ResourceChange> = [
            ("Sg", "AWS::EC2::SecurityGroup", ChangeAction::Modify),
            ("Ssh", "AWS::EC2::SecurityGroupIngress", ChangeAction::Add),
            ("Self", "AWS::EC2::SecurityGroupIngress", ChangeAction::Add),
            ("Role", "AWS::IAM::Role", ChangeAction::Modify),
            ("Profile", "AWS::IAM::InstanceProfile", ChangeAction::Add),
            ("Policy", "AWS::S3::BucketPolicy", ChangeAction::Add),
            ("Endpoint", "AWS::EC2::VPCEndpoint", ChangeAction::Add),
        ]
        .into_iter()
        .map(|(id, t, a)| change(id, t, a))
        .collect();
        assert_eq!(
            broadening(&changes, &local, Some(&deployed)),
            [
                "Sg (AWS::EC2::SecurityGroup): SecurityGroupIngress[1] ingress from ::/0 (tcp port 443)",
                "Ssh (AWS::EC2::SecurityGroupIngress): ingress from 0.0.0.0/0 (tcp port 22)",
                "Role (AWS::IAM::Role): allows Action s3:PutObject, s3:DeleteObject Resource arn:aws:s3:::b/*",
                "Profile (AWS::IAM::InstanceProfile): IAM resource",
                "Policy (AWS::S3::BucketPolicy): policy allows Principal {\"AWS\":\"*\"} Action s3:GetObject Resource arn:aws:s3:::b/*",
            ]
        );
        // The deployed template unread: everything found counts.
        assert_eq!(broadening(&changes, &local, None).len(), 6);
        // A removal widens nothing.
        let removed = [change(
            "Ssh",
            "AWS::EC2::SecurityGroupIngress",
            ChangeAction::Remove,
        )];
        assert!(broadening(&removed, &local, None).is_empty());
    }

    #[test]
    fn the_built_in_stack_widens_nothing_on_create() {
        let built = <stacks::prerequisites::Prerequisites as stacks::Stack>::build(
            &stacks::Config::default(),
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let local = crate::template::parse_template(&built.synthesized.render(synth::Format::Yaml))
            .unwrap_or_else(|e| panic!("{e}"));
        let changes: Vec<ResourceChange> = local["Resources"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, r)| change(id, r["Type"].as_str().unwrap_or(""), ChangeAction::Add))
            .collect();
        assert!(changes.len() > 10);
        // EFA self-referencing rules, egress, Deny statements, service principals and the open
        // S3 endpoint policy are not widenings.
        assert_eq!(broadening(&changes, &local, None), Vec::<String>::new());
    }

    #[test]
    fn empty_reasons() {
        assert!(is_empty_reason("The submitted information didn't contain changes. Submit different information to create a change set."));
        assert!(is_empty_reason("No updates are to be performed."));
        assert!(!is_empty_reason("Template format error"));
    }
}
