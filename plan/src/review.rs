//! The change-set review model: a change set's resource changes as plain data, grouped and
//! explained for a person, the data-loss ("danger") block, and the approval decision. The CLI
//! converts CloudFormation's `DescribeChangeSet` answer into [`ResourceChange`]s; everything
//! after that is here, testable without AWS.

use crate::style::Style;
use crate::types;

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
}

impl ChangeAction {
    /// The order and the words of the review's groups.
    pub const ALL: [ChangeAction; 5] = [
        ChangeAction::Add,
        ChangeAction::Modify,
        ChangeAction::Remove,
        ChangeAction::Import,
        ChangeAction::Dynamic,
    ];

    /// CloudFormation's name for the action.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Add => "Add",
            ChangeAction::Modify => "Modify",
            ChangeAction::Remove => "Remove",
            ChangeAction::Import => "Import",
            ChangeAction::Dynamic => "Dynamic",
        }
    }

    fn sign(self) -> &'static str {
        match self {
            ChangeAction::Add => "+",
            ChangeAction::Remove => "-",
            ChangeAction::Modify => "~",
            ChangeAction::Import | ChangeAction::Dynamic => "*",
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
}

impl ResourceChange {
    /// What happens to this resource's data, when it is lost: `None` for a type that holds no
    /// data or a change that keeps it.
    pub fn loss(&self) -> Option<&'static str> {
        if !types::holds_data(&self.type_name) {
            return None;
        }
        match (self.action, self.replacement) {
            (ChangeAction::Remove, _) => Some("deleted"),
            (_, Some(Replacement::True)) => Some("replaced: the current one is deleted"),
            (_, Some(Replacement::Conditional)) => {
                Some("may be replaced: the current one would be deleted")
            }
            _ => None,
        }
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

/// Every replacement (True or Conditional) or removal of a data-holding resource, one line each.
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

/// The title of the change set's danger block.
pub const DANGER_TITLE: &str = "DANGER: data-holding resources would be lost:";

/// When to ask before executing a change set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Approve {
    /// Ask for every change set.
    Any,
    /// Ask only when a data-holding resource would be replaced or removed.
    Destructive,
    /// Never ask.
    Never,
}

/// Whether a change set needs a person's yes before it runs.
pub fn needs_approval(approve: Approve, changes: &[ResourceChange], danger: &[String]) -> bool {
    match approve {
        Approve::Any => !changes.is_empty(),
        Approve::Destructive => !danger.is_empty(),
        Approve::Never => false,
    }
}

/// CloudFormation's ways of saying a submitted change set has nothing to do.
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
            "DANGER: data-holding resources would be lost:\n  ! Bucket (AWS::S3::Bucket): deleted\n"
        );
    }

    #[test]
    fn approval_by_mode() {
        let changes = [change("Vpc", "AWS::EC2::VPC", ChangeAction::Add)];
        let lost = ["x".to_string()];
        assert!(needs_approval(Approve::Any, &changes, &[]));
        assert!(!needs_approval(Approve::Any, &[], &[]));
        assert!(!needs_approval(Approve::Destructive, &changes, &[]));
        assert!(needs_approval(Approve::Destructive, &changes, &lost));
        assert!(!needs_approval(Approve::Never, &changes, &lost));
    }

    #[test]
    fn empty_reasons() {
        assert!(is_empty_reason("The submitted information didn't contain changes. Submit different information to create a change set."));
        assert!(is_empty_reason("No updates are to be performed."));
        assert!(!is_empty_reason("Template format error"));
    }
}
