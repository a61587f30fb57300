//! Path-scoped diagnostics: collect every problem, then fail once.

use std::fmt;

pub use crate::code::Code;

/// How bad a diagnostic is. Only errors stop a write or a deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A value pcstack cannot check at synth time (an expression); the template's own
    /// constraints or the pre-deploy check cover it.
    Info,
    /// Likely a mistake, but CloudFormation would accept it.
    Warning,
    /// CloudFormation or AWS would reject it: nothing is written or sent.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem, with a stable code, where it is, and a message of the form
/// `<field> must <rule> for <context>, got <value>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops the write.
    pub severity: Severity,
    /// Stable across releases, so scripts and the README can name it.
    pub code: Code,
    /// Where the problem is: `stack/LogicalId (Type).Property`, or `config: field`.
    pub path: String,
    /// What is wrong, in the one message form.
    pub message: String,
    /// The line of the template file the path points at, when read from one.
    pub line: Option<usize>,
}

impl Diagnostic {
    /// An [`Severity::Error`] diagnostic.
    pub fn error(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            path: path.into(),
            message: message.into(),
            line: None,
        }
    }

    /// A [`Severity::Warning`] diagnostic.
    pub fn warning(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            path: path.into(),
            message: message.into(),
            line: None,
        }
    }

    /// A [`Severity::Info`] diagnostic.
    pub fn info(code: Code, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Info,
            code,
            path: path.into(),
            message: message.into(),
            line: None,
        }
    }

    /// Prefixes the path, e.g. with the stack name or a resource.
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }
}

/// Joins two path parts: `a` + `b` becomes `a/b`, or `a.b` when `b` is a property.
pub fn join_path(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (_, true) => prefix.to_string(),
        _ if rest.starts_with('.') || rest.starts_with('[') => [prefix, rest].concat(),
        _ => [prefix, "/", rest].concat(),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}] {}", self.severity, self.code, self.path)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", crate::input::cut_message(&self.message))
    }
}

/// Every diagnostic found, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    /// No diagnostics yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one diagnostic at the end.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Adds every diagnostic of `other`, keeping their order.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// True when any diagnostic is an error: the caller must not write or deploy.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// The error diagnostics, in the order found.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// Every diagnostic, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// How many diagnostics of any severity.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when nothing was found, not even info.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The diagnostics as a vector, in the order found.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }

    /// Ok when no diagnostic is an error.
    pub fn into_result(self) -> Result<Diagnostics, Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
