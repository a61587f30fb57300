//! The stack-level settings `deploy` sends besides the template and parameters, checked before
//! any AWS call: stack tags, the service role, notification topics and the stack policy. Every
//! problem is a [`Diagnostic`] at the flag (`error[PC003] --tags: ...`) whose message names the
//! flag, the rule and the value.

use indexmap::IndexMap;
use regex::Regex;
use serde_json::Value as Json;
use std::sync::LazyLock;
use synth::{Diagnostic, Diagnostics};

/// The diagnostic codes of the stack-level settings.
pub mod code {
    synth::codes! {
        STACK_TAGS = "PC191", "`--tags` gives a key twice or more tags than a stack takes (50)";
        ROLE_ARN = "PC192", "`--role-arn` is not an IAM role ARN";
        NOTIFICATION_ARNS = "PC193", "`--notification-arns` lists something other than SNS topic ARNs, a topic twice, or more than 5";
        STACK_POLICY = "PC194", "the `--stack-policy` file is unreadable, larger than 16,384 bytes, or not a stack policy document";
    }
}

/// CloudFormation's limit on stack tags (CreateChangeSet `Tags`: "You can specify a maximum
/// of 50 tags").
pub const MAX_STACK_TAGS: usize = 50;

/// CloudFormation's limit on notification topics (CreateChangeSet `NotificationARNs`: at most
/// 5 members).
pub const MAX_NOTIFICATION_ARNS: usize = 5;

/// SetStackPolicy's limit on `StackPolicyBody`: 1 to 16,384 bytes
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_SetStackPolicy.html>).
pub const MAX_STACK_POLICY_BYTES: usize = 16_384;

/// An IAM role ARN: partition, empty region, a 12-digit account, `role/`, an optional path and
/// a role name of 1 to 64 of `\w+=,.@-`
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>,
/// <https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html>).
static ROLE_ARN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/([\x21-\x7e]*/)?[\w+=,.@-]{1,64}$").ok()
});

/// An SNS topic ARN: partition, a Region, a 12-digit account and a topic name of 1 to 256
/// letters, digits, `_` and `-` (<https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html>).
static TOPIC_ARN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}$").ok()
});

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(s))
}

fn cut(s: &str) -> String {
    synth::input::cut_message(&format!("{s:?}"))
}

/// `--tags KEY=VALUE`, in order: each with the resource tag rule
/// ([`constructs::rules::tags::tag`]), each key once, at most [`MAX_STACK_TAGS`].
pub fn check_tags(tags: &[(String, String)]) -> Diagnostics {
    let mut problems = Diagnostics::new();
    let mut seen: IndexMap<&str, &str> = IndexMap::new();
    let at = |code, message| Diagnostic::error(code, "--tags", message);
    for (key, value) in tags {
        if let Err(v) = constructs::rules::tags::tag(&format!("--tags {key}"), key, value) {
            problems.push(v.at("--tags"));
        }
        if let Some(previous) = seen.insert(key, value) {
            problems.push(at(
                code::STACK_TAGS,
                format!(
                    "--tags must give each key once for a stack tag, got {} twice ({} and {})",
                    cut(key),
                    cut(previous),
                    cut(value)
                ),
            ));
        }
    }
    if seen.len() > MAX_STACK_TAGS {
        problems.push(at(
            code::STACK_TAGS,
            format!(
                "--tags must give at most {MAX_STACK_TAGS} tags for a stack (CloudFormation's limit), got {}",
                seen.len()
            ),
        ));
    }
    problems
}

/// `--role-arn`: an IAM role ARN.
pub fn check_role_arn(arn: &str) -> Result<(), Diagnostic> {
    if matches(&ROLE_ARN, arn) {
        return Ok(());
    }
    Err(Diagnostic::error(
        code::ROLE_ARN,
        "--role-arn",
        format!(
            "--role-arn must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME) for the role CloudFormation assumes, got {}",
            cut(arn)
        ),
    ))
}

/// `--notification-arns`: SNS topic ARNs, each once, at most [`MAX_NOTIFICATION_ARNS`].
pub fn check_notification_arns(arns: &[String]) -> Diagnostics {
    let mut problems = Diagnostics::new();
    let at = |message| Diagnostic::error(code::NOTIFICATION_ARNS, "--notification-arns", message);
    for (i, arn) in arns.iter().enumerate() {
        if !matches(&TOPIC_ARN, arn) {
            problems.push(at(format!(
                "--notification-arns must list SNS topic ARNs (arn:aws:sns:REGION:123456789012:TOPIC) for stack event notifications, got {}",
                cut(arn)
            )));
        } else if arns[..i].contains(arn) {
            problems.push(at(format!(
                "--notification-arns must list each topic once, got {} twice",
                cut(arn)
            )));
        }
    }
    if arns.len() > MAX_NOTIFICATION_ARNS {
        problems.push(at(format!(
            "--notification-arns must list at most {MAX_NOTIFICATION_ARNS} topics (CloudFormation's limit), got {}",
            arns.len()
        )));
    }
    problems
}

/// A `--stack-policy` problem found outside [`check_stack_policy`] (the file can't be read).
pub fn stack_policy_problem(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code::STACK_POLICY, "--stack-policy", message)
}

/// A `--stack-policy` file's text: JSON, at most [`MAX_STACK_POLICY_BYTES`], an object whose
/// `Statement` is a non-empty list of objects each with `Effect` Allow or Deny
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html>).
pub fn check_stack_policy(file: &str, text: &str) -> Result<(), Diagnostic> {
    check_policy_text(file, text).map_err(stack_policy_problem)
}

fn check_policy_text(file: &str, text: &str) -> Result<(), String> {
    if text.len() > MAX_STACK_POLICY_BYTES {
        return Err(format!(
            "--stack-policy {file} must be at most {MAX_STACK_POLICY_BYTES} bytes (SetStackPolicy's limit), got {} bytes",
            text.len()
        ));
    }
    let policy: Json = serde_json::from_str(text).map_err(|e| {
        format!(
            "--stack-policy {file} must be a JSON stack policy document, got invalid JSON ({e})"
        )
    })?;
    let statements = policy
        .get("Statement")
        .and_then(Json::as_array)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            format!(
                "--stack-policy {file} must be an object with a non-empty Statement list, got {}",
                cut(&policy.to_string())
            )
        })?;
    for (i, s) in statements.iter().enumerate() {
        let effect = s.get("Effect").and_then(Json::as_str);
        if !matches!(effect, Some("Allow" | "Deny")) {
            return Err(format!(
                "--stack-policy {file}: Statement[{i}].Effect must be Allow or Deny, got {}",
                cut(&s.get("Effect").map(Json::to_string).unwrap_or_default())
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each problem as it prints: `error[CODE] --flag: message`.
    fn lines(d: impl IntoIterator<Item = Diagnostic>) -> Vec<String> {
        d.into_iter().map(|d| d.to_string()).collect()
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn stack_tags_follow_the_tag_rule_and_the_limit() {
        assert!(check_tags(&pairs(&[("team", "ml"), ("cost-center", "")])).is_empty());
        assert_eq!(
            lines(check_tags(&pairs(&[("aws:x", "1")]))),
            vec!["error[PC003] --tags: --tags aws:x must have a key of 1 to 127 characters not starting with aws: and a value of at most 255, both of letters, numbers, spaces and _ . : / = + - @ for a resource tag, got \"aws:x\": \"1\""]
        );
        assert_eq!(
            lines(check_tags(&pairs(&[("team", "a"), ("team", "b")]))),
            vec!["error[PC191] --tags: --tags must give each key once for a stack tag, got \"team\" twice (\"a\" and \"b\")"]
        );
        let many: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
        assert_eq!(
            lines(check_tags(&many)),
            vec!["error[PC191] --tags: --tags must give at most 50 tags for a stack (CloudFormation's limit), got 51"]
        );
    }

    #[test]
    fn role_and_topic_arns() {
        assert!(check_role_arn("arn:aws:iam::123456789012:role/cfn-deploy").is_ok());
        assert!(check_role_arn("arn:aws-cn:iam::123456789012:role/path/to/cfn").is_ok());
        for bad in [
            "cfn-deploy",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345:role/x",
            "arn:aws:iam::123456789012:role/",
        ] {
            assert!(check_role_arn(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_role_arn("arn:aws:iam::123456789012:user/alice")
                .unwrap_err()
                .to_string(),
            "error[PC192] --role-arn: --role-arn must be an IAM role ARN (arn:aws:iam::123456789012:role/NAME) for the role CloudFormation assumes, got \"arn:aws:iam::123456789012:user/alice\""
        );
        let topic = "arn:aws:sns:us-east-1:123456789012:stack-events".to_string();
        assert!(check_notification_arns(std::slice::from_ref(&topic)).is_empty());
        assert_eq!(
            lines(check_notification_arns(&["arn:aws:sqs:us-east-1:123456789012:q".into()])),
            vec!["error[PC193] --notification-arns: --notification-arns must list SNS topic ARNs (arn:aws:sns:REGION:123456789012:TOPIC) for stack event notifications, got \"arn:aws:sqs:us-east-1:123456789012:q\""]
        );
        assert_eq!(
            lines(check_notification_arns(&[topic.clone(), topic.clone()])),
            vec![format!(
                "error[PC193] --notification-arns: --notification-arns must list each topic once, got {topic:?} twice"
            )]
        );
        let six: Vec<String> = (0..6)
            .map(|i| format!("arn:aws:sns:us-east-1:123456789012:t{i}"))
            .collect();
        assert_eq!(
            lines(check_notification_arns(&six)),
            vec!["error[PC193] --notification-arns: --notification-arns must list at most 5 topics (CloudFormation's limit), got 6"]
        );
    }

    #[test]
    fn stack_policies() {
        let ok = r#"{"Statement": [{"Effect": "Deny", "Action": "Update:Replace", "Principal": "*", "Resource": "*"}]}"#;
        assert_eq!(check_stack_policy("p.json", ok), Ok(()));
        assert!(check_stack_policy("p.json", "Statement: []")
            .unwrap_err()
            .message
            .contains("invalid JSON"));
        assert_eq!(
            check_stack_policy("p.json", r#"{"Statement": []}"#)
                .unwrap_err()
                .to_string(),
            "error[PC194] --stack-policy: --stack-policy p.json must be an object with a non-empty Statement list, got \"{\\\"Statement\\\":[]}\""
        );
        assert!(
            check_stack_policy("p.json", r#"{"Statement": [{"Effect": "Permit"}]}"#)
                .unwrap_err()
                .message
                .contains("Statement[0].Effect must be Allow or Deny")
        );
        let big = format!(
            r#"{{"Statement": [{{"Effect": "Allow", "Sid": "{}"}}]}}"#,
            "x".repeat(20_000)
        );
        assert!(check_stack_policy("p.json", &big)
            .unwrap_err()
            .message
            .contains("at most 16384 bytes"));
    }
}
