//! Looking up a stack and deciding what its status allows.

use super::aws::{code, fail, message, patiently};
use super::{Failure, Timing};
use aws_sdk_cloudformation::types::Stack;
use aws_sdk_cloudformation::Client;

/// One DescribeStacks; `None` when the stack does not exist.
pub async fn describe(cfn: &Client, timing: &Timing, name: &str) -> Result<Option<Stack>, Failure> {
    match patiently(timing, || cfn.describe_stacks().stack_name(name).send()).await {
        Ok(out) => Ok(out.stacks.and_then(|s| s.into_iter().next())),
        Err(e) if code(&e) == Some("ValidationError") && message(&e).contains("does not exist") => {
            Ok(None)
        }
        Err(e) => Err(fail(&format!("DescribeStacks {name}"), &e)),
    }
}

pub fn status(stack: &Stack) -> &str {
    stack.stack_status().map_or("", |s| s.as_str())
}

/// What a deploy does with a stack in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// No stack, or one waiting for its first change set.
    Create,
    Update,
    /// Another operation is running: follow it, then look again.
    Wait,
    /// ROLLBACK_COMPLETE: it can only be deleted; recreate with consent.
    Recreate,
    /// A state deploy can't continue from; the message says what to do.
    Blocked(String),
}

pub fn gate(name: &str, status: Option<&str>) -> Gate {
    let Some(status) = status else {
        return Gate::Create;
    };
    match status {
        "REVIEW_IN_PROGRESS" => Gate::Create,
        "ROLLBACK_COMPLETE" => Gate::Recreate,
        s if s.ends_with("_IN_PROGRESS") => Gate::Wait,
        "UPDATE_ROLLBACK_FAILED" => Gate::Blocked(format!(
            "stack {name} is UPDATE_ROLLBACK_FAILED: a rollback could not finish. Fix the cause shown in its events, then run `aws cloudformation continue-update-rollback --stack-name {name}` (with --resources-to-skip for resources that can't roll back), and deploy again."
        )),
        "DELETE_FAILED" => Gate::Blocked(format!(
            "stack {name} is DELETE_FAILED: some resources could not be deleted. Remove what blocks them (e.g. a non-empty bucket), then run `pcstack destroy --stack-name {name}` again."
        )),
        "ROLLBACK_FAILED" | "CREATE_FAILED" => Gate::Blocked(format!(
            "stack {name} is {status}: its creation failed and could not be cleaned up. Run `pcstack destroy --stack-name {name}`, then deploy again."
        )),
        "IMPORT_ROLLBACK_FAILED" => Gate::Blocked(format!(
            "stack {name} is IMPORT_ROLLBACK_FAILED: fix the resources named in its events, then run `aws cloudformation continue-update-rollback --stack-name {name}`."
        )),
        "DELETE_COMPLETE" => Gate::Create,
        _ => Gate::Update,
    }
}

/// Success states at the end of an operation.
pub fn succeeded(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE" | "DELETE_COMPLETE"
    )
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
        assert_eq!(gate("s", None), Gate::Create);
        assert_eq!(gate("s", Some("REVIEW_IN_PROGRESS")), Gate::Create);
        assert_eq!(gate("s", Some("UPDATE_IN_PROGRESS")), Gate::Wait);
        assert_eq!(gate("s", Some("ROLLBACK_COMPLETE")), Gate::Recreate);
        assert_eq!(gate("s", Some("UPDATE_ROLLBACK_COMPLETE")), Gate::Update);
        assert!(
            matches!(gate("s", Some("UPDATE_ROLLBACK_FAILED")), Gate::Blocked(m) if m.contains("continue-update-rollback"))
        );
        assert!(matches!(gate("s", Some("DELETE_FAILED")), Gate::Blocked(_)));
        assert_eq!(
            account_from_arn("arn:aws:cloudformation:us-east-1:123456789012:stack/s/1"),
            Some("123456789012")
        );
    }
}
