//! One function per AWS rule. Each names its source in its doc comment, checks plain values
//! (literals from the config, a template, or a parameter before deploy) and returns a
//! [`Violation`] whose message reads `<field> must <rule> for <context>, got <value>`.
//!
//! Each rule cites its public source (AWS documentation, the registry schema) in its own doc
//! comment.

pub mod cidr;
pub mod dra;
pub mod ecr;
pub mod fsx;
pub mod names;
pub mod pcluster;
pub mod s3;
pub mod tags;

use synth::{Code, Diagnostic};

/// A broken rule: a stable code and the one-form message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The stable diagnostic code (`PC151` ...).
    pub code: Code,
    /// `<field> must <rule> for <context>, got <value>`.
    pub message: String,
}

impl Violation {
    /// A violation whose message reads `<field> must <rule> for <context>, got <got>`.
    pub fn new(
        code: Code,
        field: &str,
        rule: &str,
        context: &str,
        got: impl std::fmt::Display,
    ) -> Self {
        Violation {
            code,
            message: format!("{field} must {rule} for {context}, got {got}"),
        }
    }

    /// As an error diagnostic at `path`.
    pub fn at(self, path: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.code, path, self.message)
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {}",
            self.code,
            synth::input::cut_message(&self.message)
        )
    }
}

/// What a rule function returns: nothing, or the rule it found broken.
pub type RuleResult = Result<(), Violation>;

/// Joins allowed values for a message: `50, 100 or 200`.
pub(crate) fn either<T: std::fmt::Display>(values: &[T]) -> String {
    match values {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(ToString::to_string).collect();
            format!("{} or {last}", init.join(", "))
        }
    }
}
