//! One typed view of CloudFormation's statuses (a stack's `StackStatus`, a resource's
//! `ResourceStatus` in its events): whether the operation is still running there and how the
//! status reads (good, bad, rolling back, skipped). The display colours by it, the follower
//! counts and stops by it, the gate waits by it; nothing reads a status's spelling.
//!
//! A status this SDK does not know (`Unknown`, one CloudFormation added later) is shown as
//! CloudFormation spells it, with no colour, and counts as nothing settled; a stack status is
//! then taken as running only when CloudFormation's naming says so (`*_IN_PROGRESS`), the one
//! place the spelling is read, so that deploy waits rather than acts on a stack it can't read.

use aws_sdk_cloudformation::types::{ResourceStatus, StackStatus};

/// How a status reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sentiment {
    /// Done as asked (`CREATE_COMPLETE`, `DELETE_COMPLETE` ...).
    Good,
    /// Failed (`*_FAILED`).
    Bad,
    /// Rolling back or rolled back (`*ROLLBACK*` that did not fail).
    RollingBack,
    /// Left alone on purpose (`DELETE_SKIPPED`: a retained resource).
    Skipped,
    /// Under way (`CREATE_IN_PROGRESS` ...), or a status this SDK does not know.
    Neutral,
}

/// A status, typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// The operation is still running here (`*_IN_PROGRESS`).
    pub running: bool,
    pub sentiment: Sentiment,
    /// The SDK knows this status.
    pub known: bool,
}

const fn view(running: bool, sentiment: Sentiment) -> View {
    View {
        running,
        sentiment,
        known: true,
    }
}

impl View {
    /// The resource's part of the operation is over: done, failed or skipped (a rollback that
    /// completed is not: the stack's operation decides).
    pub fn finishes(self) -> bool {
        !self.running
            && matches!(
                self.sentiment,
                Sentiment::Good | Sentiment::Bad | Sentiment::Skipped
            )
    }

    /// A failed status.
    pub fn failed(self) -> bool {
        self.sentiment == Sentiment::Bad
    }
}

/// A resource's status in a stack event.
pub fn resource(status: &ResourceStatus) -> View {
    use ResourceStatus as R;
    use Sentiment::{Bad, Good, Neutral, RollingBack, Skipped};
    match status {
        R::CreateInProgress | R::DeleteInProgress | R::ExportInProgress => view(true, Neutral),
        R::ImportInProgress | R::UpdateInProgress => view(true, Neutral),
        R::ExportRollbackInProgress | R::ImportRollbackInProgress => view(true, RollingBack),
        R::RollbackInProgress | R::UpdateRollbackInProgress => view(true, RollingBack),
        R::CreateComplete | R::DeleteComplete | R::ExportComplete => view(false, Good),
        R::ImportComplete | R::UpdateComplete => view(false, Good),
        R::ExportRollbackComplete | R::ImportRollbackComplete => view(false, RollingBack),
        R::RollbackComplete | R::UpdateRollbackComplete => view(false, RollingBack),
        R::CreateFailed | R::DeleteFailed | R::ExportFailed | R::ExportRollbackFailed => {
            view(false, Bad)
        }
        R::ImportFailed | R::ImportRollbackFailed | R::RollbackFailed => view(false, Bad),
        R::UpdateFailed | R::UpdateRollbackFailed => view(false, Bad),
        R::DeleteSkipped => view(false, Skipped),
        _ => unknown(false),
    }
}

/// A stack's status.
pub fn stack(status: &StackStatus) -> View {
    use Sentiment::{Bad, Good, Neutral, RollingBack};
    use StackStatus as S;
    match status {
        S::CreateInProgress | S::DeleteInProgress | S::ImportInProgress => view(true, Neutral),
        S::ReviewInProgress | S::UpdateInProgress => view(true, Neutral),
        S::UpdateCompleteCleanupInProgress => view(true, Good),
        S::ImportRollbackInProgress | S::RollbackInProgress => view(true, RollingBack),
        S::UpdateRollbackCompleteCleanupInProgress | S::UpdateRollbackInProgress => {
            view(true, RollingBack)
        }
        S::CreateComplete | S::DeleteComplete | S::ImportComplete | S::UpdateComplete => {
            view(false, Good)
        }
        S::ImportRollbackComplete | S::RollbackComplete | S::UpdateRollbackComplete => {
            view(false, RollingBack)
        }
        S::CreateFailed | S::DeleteFailed | S::ImportRollbackFailed | S::RollbackFailed => {
            view(false, Bad)
        }
        S::UpdateFailed | S::UpdateRollbackFailed => view(false, Bad),
        // A status newer than this SDK: running only if CloudFormation's naming says so.
        other => unknown(other.as_str().ends_with("_IN_PROGRESS")),
    }
}

fn unknown(running: bool) -> View {
    View {
        running,
        sentiment: Sentiment::Neutral,
        known: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every status the SDK knows, read the way its name says (the typed view must agree
    /// with CloudFormation's naming for each; a new SDK variant fails here until it is typed).
    #[test]
    fn every_known_status_agrees_with_its_name() {
        for s in ResourceStatus::values() {
            let v = resource(&ResourceStatus::from(*s));
            assert!(v.known, "{s}");
            assert_eq!(v.running, s.ends_with("_IN_PROGRESS"), "{s}");
            assert_eq!(v.failed(), s.ends_with("_FAILED"), "{s}");
            let rolling = s.contains("ROLLBACK") && !s.ends_with("_FAILED");
            assert_eq!(v.sentiment == Sentiment::RollingBack, rolling, "{s}");
        }
        for s in StackStatus::values() {
            let v = stack(&StackStatus::from(*s));
            assert!(v.known, "{s}");
            assert_eq!(v.running, s.ends_with("_IN_PROGRESS"), "{s}");
            assert_eq!(v.failed(), s.ends_with("_FAILED"), "{s}");
        }
    }

    #[test]
    fn unknown_statuses_are_unknown() {
        let v = resource(&ResourceStatus::from("FUTURE_FAILED"));
        assert_eq!(
            (v.known, v.sentiment, v.finishes()),
            (false, Sentiment::Neutral, false)
        );
        assert!(stack(&StackStatus::from("FUTURE_IN_PROGRESS")).running);
        assert!(!stack(&StackStatus::from("FUTURE_COMPLETE")).running);
    }
}
