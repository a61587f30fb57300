//! Resource tags.

use super::{RuleResult, Violation};
use regex::Regex;
use std::sync::LazyLock;

/// The diagnostic codes of the tag rules.
pub mod code {
    synth::codes! {
        TAG = "PC003", "a tag key or value breaks the resource tag rules";
    }
}

/// Characters a tag key or value may hold: letters, separators (spaces), numbers and
/// `_ . : / = + - @`.
static TAG_CHARS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").ok());

fn tag_chars(s: &str) -> bool {
    TAG_CHARS.as_ref().is_some_and(|re| re.is_match(s))
}

/// A resource tag: a key of 1 to 127 characters not starting with `aws:` (in any case), a
/// value of at most 255, both only of letters, spaces, numbers and `_ . : / = + - @`.
///
/// Sources: the tag pattern `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$` and the `aws:` prefix rule of
/// the Resource Groups Tagging API (`TagResources`,
/// <https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/API_TagResources.html>),
/// which the tagged resources' registry schemas repeat; lengths from the EC2 User Guide, "Tag
/// restrictions" (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions>):
/// 127 and 255 Unicode characters, the strictest of the tagged services (others allow 128 and
/// 256). `field` is where the tag comes from (`tags.team`).
pub fn tag(field: &str, key: &str, value: &str) -> RuleResult {
    let key_len = key.chars().count();
    let ok = (1..=127).contains(&key_len)
        && value.chars().count() <= 255
        && !key.to_ascii_lowercase().starts_with("aws:")
        && tag_chars(key)
        && tag_chars(value);
    if ok {
        return Ok(());
    }
    Err(Violation::new(
        code::TAG,
        field,
        "have a key of 1 to 127 characters not starting with aws: and a value of at most 255, both of letters, numbers, spaces and _ . : / = + - @",
        "a resource tag",
        format!("{key:?}: {value:?}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(r: RuleResult) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn tags_follow_the_tag_rules() {
        for (k, v) in [
            ("team", "ml"),
            ("Name", "AWS ParallelCluster Private Subnet - us-east-1a"),
            ("cost-center", ""),
            ("projet/équipe", "données 2024 @ paris+1=2:x_y.z"),
            (&"k".repeat(127), &"v".repeat(255)),
        ] {
            assert!(tag("tags.x", k, v).is_ok(), "{k:?}: {v:?}");
        }
        for (k, v) in [
            ("", "x"),
            (&"k".repeat(128), "x"),
            ("k", &"v".repeat(256)),
            ("AWS:team", "x"),
            ("team\nx", "x"),
            ("team", "a;b"),
            ("team", "$(id)"),
            ("t\u{0301}", "x"), // a combining mark is not a letter (\p{L})
        ] {
            assert!(tag("tags.x", k, v).is_err(), "{k:?}: {v:?}");
        }
        assert_eq!(
            message(tag("tags.team\\nx", "team\nx", "ml")),
            "[PC003] tags.team\\nx must have a key of 1 to 127 characters not starting with aws: and a value of at most 255, both of letters, numbers, spaces and _ . : / = + - @ for a resource tag, got \"team\\nx\": \"ml\""
        );
    }
}
