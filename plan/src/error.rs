//! Why `plan` refused an input: the kind of problem, with the message the CLI prints (its
//! `Display`). Every public function of this crate that can refuse returns it.

use std::fmt;

/// A refused input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Larger, or nested deeper, than pcstack reads (`synth::input::check_limits`).
    Limit(String),
    /// Not valid JSON or YAML: the parser's message, with the line and column.
    Syntax(String),
    /// Read, but not what it must be: the message names the rule and the value.
    Invalid(String),
}

impl Error {
    /// The message, without the kind.
    pub fn message(&self) -> &str {
        match self {
            Error::Limit(m) | Error::Syntax(m) | Error::Invalid(m) => m,
        }
    }

    /// The same kind with `context` before the message (`template is not valid YAML: ...`).
    pub fn context(self, context: &str) -> Error {
        let with = |m: String| format!("{context}: {m}");
        match self {
            Error::Limit(m) => Error::Limit(with(m)),
            Error::Syntax(m) => Error::Syntax(with(m)),
            Error::Invalid(m) => Error::Invalid(with(m)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// `Err(Error::Invalid(..))` from a message.
pub(crate) fn invalid<T>(message: impl Into<String>) -> Result<T, Error> {
    Err(Error::Invalid(message.into()))
}
