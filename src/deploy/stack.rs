//! Looking up a stack and deciding what its status allows.

use super::aws::{patiently, Aws};
use crate::error::{AwsKind, Error};
use aws_sdk_cloudformation::types::{Stack, StackStatus};

/// One DescribeStacks; `None` when the stack does not exist.
pub async fn describe(aws: &Aws, name: &str) -> Result<Option<Stack>, Error> {
    match patiently(&aws.timing, || {
        aws.cfn.describe_stacks().stack_name(name).send()
    })
    .await
    {
        Ok(out) => Ok(out.stacks.and_then(|s| s.into_iter().next())),
        Err(e) => match aws.fail(&format!("DescribeStacks {name}"), e) {
            Error::Aws {
                kind: AwsKind::StackMissing,
                ..
            } => Ok(None),
            other => Err(other),
        },
    }
}

/// The stack's status as CloudFormation spells it (`UPDATE_COMPLETE`), for messages.
pub fn status(stack: &Stack) -> &str {
    stack.stack_status().map_or("", StackStatus::as_str)
}

/// An operation is running on the stack ([`super::status::stack`]).
pub fn in_progress(status: &StackStatus) -> bool {
    super::status::stack(status).running
}

/// What a deploy does with a stack in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// No stack, or one waiting for its first change set.
    Create,
    /// A stack to update.
    Update,
    /// Another operation is running: follow it, then look again.
    Wait,
    /// ROLLBACK_COMPLETE: it can only be deleted; recreate with consent.
    Recreate,
    /// A state deploy can't continue from; the message says what to do.
    Blocked(String),
}

/// What deploy may do with stack `name` in `status` (`None`: no such stack).
pub fn gate(name: &str, status: Option<&StackStatus>) -> Gate {
    use StackStatus as S;
    let Some(status) = status else {
        return Gate::Create;
    };
    match status {
        S::ReviewInProgress | S::DeleteComplete => Gate::Create,
        S::RollbackComplete => Gate::Recreate,
        s if in_progress(s) => Gate::Wait,
        S::UpdateRollbackFailed => Gate::Blocked(format!(
            "stack {name} is UPDATE_ROLLBACK_FAILED: a rollback could not finish. Fix the cause shown in its events, then run `aws cloudformation continue-update-rollback --stack-name {name}` (with --resources-to-skip for resources that can't roll back), and deploy again."
        )),
        S::DeleteFailed => Gate::Blocked(format!(
            "stack {name} is DELETE_FAILED: some resources could not be deleted. Remove what blocks them (e.g. a non-empty bucket), then run `pcstack destroy --stack-name {name}` again."
        )),
        S::RollbackFailed | S::CreateFailed => Gate::Blocked(format!(
            "stack {name} is {}: its creation failed and could not be cleaned up. Run `pcstack destroy --stack-name {name}`, then deploy again.",
            status.as_str()
        )),
        S::ImportRollbackFailed => Gate::Blocked(format!(
            "stack {name} is IMPORT_ROLLBACK_FAILED: fix the resources named in its events, then run `aws cloudformation continue-update-rollback --stack-name {name}`."
        )),
        _ => Gate::Update,
    }
}

/// Success states at the end of an operation ([`super::status::stack`]).
pub fn succeeded(status: &StackStatus) -> bool {
    let view = super::status::stack(status);
    !view.running && view.sentiment == super::status::Sentiment::Good
}

/// Account ID from a stack ARN: `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID`.
pub fn account_from_arn(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_by_status() {
        use StackStatus as S;
        assert_eq!(gate("s", None), Gate::Create);
        assert_eq!(gate("s", Some(&S::ReviewInProgress)), Gate::Create);
        assert_eq!(gate("s", Some(&S::UpdateInProgress)), Gate::Wait);
        assert_eq!(gate("s", Some(&S::RollbackComplete)), Gate::Recreate);
        assert_eq!(gate("s", Some(&S::UpdateRollbackComplete)), Gate::Update);
        assert!(
            matches!(gate("s", Some(&S::UpdateRollbackFailed)), Gate::Blocked(m) if m.contains("continue-update-rollback"))
        );
        assert!(matches!(
            gate("s", Some(&S::DeleteFailed)),
            Gate::Blocked(_)
        ));
        assert_eq!(
            gate("s", Some(&S::from("FUTURE_THING_IN_PROGRESS"))),
            Gate::Wait
        );
        assert_eq!(
            account_from_arn("arn:aws:cloudformation:us-east-1:123456789012:stack/s/1"),
            Some("123456789012")
        );
    }
}
