//! One error type for every command, each kind with its exit code (README "Exit codes").

use std::fmt;
use synth::Diagnostics;

/// What kind of AWS failure an [`Error::Aws`] is (`deploy::errors::classify`): it picks the
/// advice line, and callers decide on it (never on the message text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsKind {
    /// No provider in the chain had credentials.
    NoCredentials,
    /// The profile's configuration is broken (missing source profile, bad key).
    BadProfile,
    /// The IAM Identity Center (SSO) session of the profile has expired or never started.
    SsoExpired,
    /// Temporary credentials have expired.
    ExpiredToken,
    /// The access key is unknown or its secret wrong.
    InvalidCredentials,
    /// The caller may not perform the action.
    AccessDenied,
    /// A DNS lookup failed: the endpoint's host name does not resolve.
    UnknownHost,
    /// The endpoint refused or dropped the connection.
    Unreachable,
    /// The endpoint accepted but did not answer in time (connect, read or attempt timeout).
    Stalled,
    /// Still throttled after the SDK's retries.
    Throttled,
    /// The bucket does not exist (HeadBucket 404, NoSuchBucket).
    BucketMissing,
    /// The bucket exists but belongs to another account, or its policy denies us (HeadBucket 403).
    BucketNotYours,
    /// AWS answered 5xx after the SDK's retries.
    ServerError,
    /// DescribeStacks of a stack that does not exist (CloudFormation's ValidationError "Stack
    /// with id X does not exist"): callers take it as no stack.
    StackMissing,
    /// CreateChangeSet refused for having nothing to change ("No updates are to be
    /// performed"): deploy says "no changes".
    NoChanges,
    /// Any other answer from AWS: its code and message say it.
    Service,
    /// Anything else (a response that did not parse, a bug in a provider).
    Other,
}

/// What a command that refused invalid input did not do: its closing line says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDone {
    /// A local command (synth, init, cluster-config): "nothing was written".
    Written,
    /// An AWS command before its first AWS call: "nothing was sent to AWS".
    Sent,
    /// An AWS command after calls that read only (the Region's zones, the stack): "nothing
    /// was changed".
    Changed,
}

impl NotDone {
    /// The words of the closing line.
    pub fn says(self) -> &'static str {
        match self {
            NotDone::Written => "nothing was written",
            NotDone::Sent => "nothing was sent to AWS",
            NotDone::Changed => "nothing was changed",
        }
    }
}

/// Why a command stopped short.
#[derive(Debug)]
pub enum Error {
    /// Invalid input, every problem listed (config, template, parameters, flags): the errors
    /// and warnings to print, then one closing line that says what was not done. Exit 2.
    Invalid {
        /// The diagnostics to print, in order.
        diagnostics: Diagnostics,
        /// What was not done; `None` until the command says it ([`Error::settled`]): a
        /// refusal raised by code that every command shares (the config, the template) is
        /// said by the command that ran it.
        not_done: Option<NotDone>,
    },
    /// Invalid input said in one message (a flag, an unreadable file). Exit 2.
    Usage(String),
    /// An AWS call failed. Exit 1.
    Aws {
        /// The API operation and what it was for (`DescribeStacks net`).
        operation: String,
        /// AWS's code and message, or the connection problem, on one line.
        message: String,
        /// What to do about it (`deploy::errors`), printed on a second line.
        advice: Option<String>,
        /// The SDK's whole error, printed only with `--debug`.
        detail: Option<String>,
        /// What kind of failure it is.
        kind: AwsKind,
        /// The SDK's error itself, when there is one (`std::error::Error::source`).
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Stopped before changing anything: a stack state deploy can't continue from, a failed
    /// change set, a missing stack, a stale `synth --check`. Exit 1.
    Failed(String),
    /// The stack operation ran and failed; the report names the root cause. Exit 3.
    StackFailed(String),
    /// Stopped waiting (`--timeout`, or detached); the operation goes on in CloudFormation. Exit 4.
    StoppedWaiting(String),
    /// Approval was needed but could not be asked (no terminal), or it was declined. Exit 5.
    NotApproved(String),
    /// Interrupted by Ctrl-C. Exit 130.
    Interrupted(String),
    /// `diff --fail`: the deployed and the local template differ (the diff was printed). Exit 6.
    Differs(String),
    /// The stack is deployed (or had no changes), then a later step failed: termination
    /// protection, the stack policy, reading the outputs, uploading assets, writing the outputs
    /// file. The message names the step and the command that finishes it. Exit 7.
    AfterDeploy(String),
}

impl Error {
    /// The process exit code of this kind of failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Aws { .. } | Error::Failed(_) => 1,
            Error::Invalid { .. } | Error::Usage(_) => 2,
            Error::StackFailed(_) => 3,
            Error::StoppedWaiting(_) => 4,
            Error::NotApproved(_) => 5,
            Error::Differs(_) => 6,
            Error::AfterDeploy(_) => 7,
            Error::Interrupted(_) => 130,
        }
    }

    /// Shorthand for [`Error::Failed`].
    pub fn failed(message: impl Into<String>) -> Self {
        Error::Failed(message.into())
    }

    /// Invalid input whose closing line the command says ([`Error::settled`]).
    pub fn invalid(diagnostics: Diagnostics) -> Self {
        Error::Invalid {
            diagnostics,
            not_done: None,
        }
    }

    /// A refusal that has not said what was not done says `not_done`; every other error is
    /// returned as it is. Each command settles its refusals once: with what is true before
    /// its first AWS call at the top (`main`), and after its calls where they start.
    pub fn settled(self, not_done: NotDone) -> Self {
        match self {
            Error::Invalid {
                diagnostics,
                not_done: None,
            } => Error::Invalid {
                diagnostics,
                not_done: Some(not_done),
            },
            other => other,
        }
    }

    /// Shorthand for [`Error::Usage`].
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid {
                diagnostics,
                not_done,
            } => f.write_str(&refusal_text(diagnostics, *not_done)),
            Error::Aws {
                operation,
                message,
                advice,
                ..
            } => {
                write!(f, "{operation} failed: {message}")?;
                match advice {
                    Some(a) => write!(f, "\n  {a}"),
                    None => Ok(()),
                }
            }
            Error::Usage(m)
            | Error::Failed(m)
            | Error::StackFailed(m)
            | Error::StoppedWaiting(m)
            | Error::NotApproved(m)
            | Error::Interrupted(m)
            | Error::Differs(m)
            | Error::AfterDeploy(m) => f.write_str(m),
        }
    }
}

/// The text of a refusal: each error and warning on its line, then how many errors there are
/// and what was not done (infos are counted where the run shows its build's diagnostics).
fn refusal_text(diagnostics: &Diagnostics, not_done: Option<NotDone>) -> String {
    let mut text = String::new();
    for d in diagnostics
        .iter()
        .filter(|d| d.severity != synth::Severity::Info)
    {
        text.push_str(&d.to_string());
        text.push('\n');
    }
    let errors = diagnostics.errors().count();
    text.push_str(&format!("{errors} error(s)"));
    if let Some(not_done) = not_done {
        text.push_str("; ");
        text.push_str(not_done.says());
    }
    text
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Aws {
                source: Some(s), ..
            } => Some(s.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{AwsKind, Error, NotDone};
    use synth::{code, Diagnostic};

    /// A refusal prints its errors and warnings (not its infos) and one closing line; the
    /// first command to settle it says what was not done, and a later one can't change it.
    #[test]
    fn a_refusal_says_its_diagnostics_then_what_was_not_done_once() {
        let diagnostics = [
            Diagnostic::error(code::TEMPLATE_SIZE, "s", "too big"),
            Diagnostic::info(code::TEMPLATE_BODY_SIZE, "s", "uploaded"),
            Diagnostic::warning(code::TEMPLATE_BODY_SIZE, "s", "careful"),
        ];
        let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        let refusal = || Error::invalid(diagnostics.iter().cloned().collect());
        let unsettled = refusal().to_string();
        assert_eq!(unsettled, format!("{}\n{}\n1 error(s)", lines[0], lines[2]));
        for (not_done, says) in [
            (NotDone::Written, "nothing was written"),
            (NotDone::Sent, "nothing was sent to AWS"),
            (NotDone::Changed, "nothing was changed"),
        ] {
            let settled = refusal().settled(not_done).settled(NotDone::Sent);
            assert_eq!(settled.to_string(), format!("{unsettled}; {says}"));
            assert_eq!(settled.exit_code(), 2);
        }
        // Other errors are left as they are.
        let failed = Error::failed("x").settled(NotDone::Changed);
        assert_eq!(failed.to_string(), "x");
    }

    #[test]
    fn each_kind_has_its_documented_exit_code() {
        let cases = [
            (Error::invalid(synth::Diagnostics::new()), 2),
            (Error::usage("x"), 2),
            (
                Error::Aws {
                    operation: "DescribeStacks s".into(),
                    message: "m".into(),
                    advice: None,
                    detail: None,
                    kind: AwsKind::Service,
                    source: None,
                },
                1,
            ),
            (Error::failed("x"), 1),
            (Error::StackFailed("x".into()), 3),
            (Error::StoppedWaiting("x".into()), 4),
            (Error::NotApproved("x".into()), 5),
            (Error::Interrupted("x".into()), 130),
            (Error::Differs("x".into()), 6),
            (Error::AfterDeploy("x".into()), 7),
        ];
        for (e, code) in cases {
            assert_eq!(e.exit_code(), code, "{e:?}");
        }
        let aws = Error::Aws {
            operation: "GetTemplate".into(),
            message: "AccessDenied: no".into(),
            advice: None,
            detail: Some("DispatchFailure(...)".into()),
            kind: AwsKind::AccessDenied,
            source: None,
        };
        assert_eq!(aws.to_string(), "GetTemplate failed: AccessDenied: no");
        let advised = Error::Aws {
            operation: "GetTemplate".into(),
            message: "AccessDenied: no".into(),
            advice: Some("allow it".into()),
            detail: Some("DispatchFailure(...)".into()),
            kind: AwsKind::AccessDenied,
            source: None,
        };
        assert_eq!(
            advised.to_string(),
            "GetTemplate failed: AccessDenied: no\n  allow it",
            "two lines at most, never the detail"
        );
    }
}
