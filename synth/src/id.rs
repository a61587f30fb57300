//! Logical IDs: chosen explicitly, checked once, never derived from a path.

use crate::code;
use crate::diag::Diagnostic;
use serde::{Serialize, Serializer};
use std::fmt;

/// Maximum length of a logical ID, parameter, output or mapping name.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>
pub const MAX_NAME_LEN: usize = 255;

/// A CloudFormation logical ID: `^[A-Za-z0-9]{1,255}$`.
///
/// Source: cfn-lint `data/schemas/other/resources/configuration.json` (pattern) and the
/// CloudFormation quotas page (length).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogicalId(String);

impl LogicalId {
    /// Checks `name` and returns it as a logical ID.
    pub fn new(name: &str) -> Result<Self, Diagnostic> {
        if is_logical_id(name) {
            Ok(LogicalId(name.to_string()))
        } else {
            Err(Diagnostic::error(
                code::TEMPLATE_STRUCTURE,
                name,
                format!(
                    "logical ID must match ^[A-Za-z0-9]{{1,{MAX_NAME_LEN}}}$ for a CloudFormation template, got {name:?}"
                ),
            ))
        }
    }

    /// The ID as written in the template.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ID as a `String`, without a copy.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// True when `name` is a valid logical ID.
pub fn is_logical_id(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl fmt::Display for LogicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for LogicalId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl AsRef<str> for LogicalId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_alphanumeric_ids() {
        assert_eq!(
            LogicalId::new("FSxLFilesystem").unwrap().as_str(),
            "FSxLFilesystem"
        );
    }

    #[test]
    fn rejects_punctuation_empty_and_long_ids() {
        let err = LogicalId::new("My-Bucket").unwrap_err();
        assert_eq!(
            err.message,
            "logical ID must match ^[A-Za-z0-9]{1,255}$ for a CloudFormation template, got \"My-Bucket\""
        );
        assert!(LogicalId::new("").is_err());
        assert!(LogicalId::new(&"A".repeat(256)).is_err());
        assert!(LogicalId::new(&"A".repeat(255)).is_ok());
    }
}
