//! S3 bucket naming rules.

use super::{RuleResult, Violation};

/// The diagnostic codes of the S3 rules.
pub mod code {
    synth::codes! {
        BUCKET_NAME = "PC131", "a bucket name breaks the S3 naming rules";
        ASSET_KEY = "PC181", "an asset's S3 key is not a key pcstack uploads to";
    }
}

/// Bucket names: 3 to 63 characters of `a-z 0-9 . -`, starting and ending with a letter or
/// digit, no `..`, `.-` or `-.`, not shaped like an IP address, none of the reserved prefixes
/// and suffixes.
///
/// Source: <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>;
/// cfn-lint rule E1161 (`cfnlint/rules/formats/S3BucketName.py`) for `.-` and `-.`.
pub fn bucket_name(name: &str) -> RuleResult {
    let bad = |rule: &str| {
        Err(Violation::new(
            code::BUCKET_NAME,
            "BucketName",
            rule,
            "an S3 bucket",
            format!("{name:?}"),
        ))
    };
    let n = name.len();
    if !(3..=63).contains(&n) {
        return bad("be 3 to 63 characters long");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return bad("use only lowercase letters, digits, dots and hyphens");
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge(name.as_bytes()[0]) || !edge(name.as_bytes()[n - 1]) {
        return bad("begin and end with a letter or digit");
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return bad("not contain .., .- or -.");
    }
    if name.split('.').count() == 4
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad("not be formatted as an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return bad(&format!("not start with {prefix}"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return bad(&format!("not end with {suffix}"));
        }
    }
    Ok(())
}

/// The longest value each pseudo parameter can take in a bucket name, so a name written as
/// `Fn::Sub` can be checked at synth time in its longest form.
/// Sources: a 12-digit account ID; the longest commercial Region code in botocore 1.43.11
/// `partitions.json` (`ap-southeast-7`, 14 characters).
pub fn longest_sub_example(template: &str) -> String {
    template
        .replace("${AWS::AccountId}", "123456789012")
        .replace("${AWS::Region}", "ap-southeast-7")
        .replace("${AWS::Partition}", "aws")
}

/// Object keys pcstack uploads to: 1 to 1024 bytes of S3's safe characters (letters, digits,
/// `! - _ . * ' ( )`) and `/` between segments; no empty, `.` or `..` segment, so no leading
/// or trailing `/` (a trailing one names a folder, not a file).
///
/// Source: <https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html> (length and
/// "safe characters"; `.`/`..` segments are normalized away by some clients). The safe set also
/// keeps `${` out of the key, which `Fn::Sub` would read as a variable.
pub fn object_key(field: &str, key: &str) -> RuleResult {
    let bad = |rule: &str| {
        Err(Violation::new(
            code::ASSET_KEY,
            field,
            rule,
            "an S3 object key",
            format!("{key:?}"),
        ))
    };
    if !(1..=1024).contains(&key.len()) {
        return bad("be 1 to 1024 bytes long");
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "!-_.*'()/".contains(c))
    {
        return bad("use only letters, digits, ! - _ . * ' ( ) and /");
    }
    if key
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        return bad(
            "be /-separated names without an empty, . or .. segment (no leading or trailing /)",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: RuleResult) -> String {
        r.unwrap_err().message
    }

    #[test]
    fn bucket_names() {
        assert!(bucket_name("parallelcluster-123456789012-us-east-1").is_ok());
        assert_eq!(
            msg(bucket_name("ab")),
            "BucketName must be 3 to 63 characters long for an S3 bucket, got \"ab\""
        );
        assert_eq!(msg(bucket_name("My-Bucket")), "BucketName must use only lowercase letters, digits, dots and hyphens for an S3 bucket, got \"My-Bucket\"");
        assert_eq!(
            msg(bucket_name("-abc")),
            "BucketName must begin and end with a letter or digit for an S3 bucket, got \"-abc\""
        );
        assert_eq!(
            msg(bucket_name("a..b")),
            "BucketName must not contain .., .- or -. for an S3 bucket, got \"a..b\""
        );
        assert_eq!(msg(bucket_name("192.168.1.1")), "BucketName must not be formatted as an IP address for an S3 bucket, got \"192.168.1.1\"");
        assert_eq!(
            msg(bucket_name("xn--abc")),
            "BucketName must not start with xn-- for an S3 bucket, got \"xn--abc\""
        );
        assert_eq!(
            msg(bucket_name("abc-s3alias")),
            "BucketName must not end with -s3alias for an S3 bucket, got \"abc-s3alias\""
        );
    }

    #[test]
    fn sub_templates_are_checked_in_their_longest_form() {
        let long = longest_sub_example("parallelcluster-${AWS::AccountId}-${AWS::Region}");
        assert_eq!(long, "parallelcluster-123456789012-ap-southeast-7");
        assert!(bucket_name(&long).is_ok());
        let too_long = longest_sub_example(
            "a-very-long-prefix-for-a-bucket-name-here-${AWS::AccountId}-${AWS::Region}",
        );
        assert!(bucket_name(&too_long).is_err());
    }

    #[test]
    fn object_keys() {
        for ok in [
            "scripts/bootstrap/head-node-enroot-pyxis-setup.sh",
            "a",
            "x/(1)!*'.sh",
        ] {
            assert!(object_key("k", ok).is_ok(), "{ok}");
        }
        assert_eq!(
            object_key("assets[0].key", "/scripts/a.sh").unwrap_err().message,
            "assets[0].key must be /-separated names without an empty, . or .. segment (no leading or trailing /) for an S3 object key, got \"/scripts/a.sh\""
        );
        assert_eq!(
            object_key("k", "s/${AWS::Region}").unwrap_err().message,
            "k must use only letters, digits, ! - _ . * ' ( ) and / for an S3 object key, got \"s/${AWS::Region}\""
        );
        assert_eq!(
            object_key("k", "").unwrap_err().message,
            "k must be 1 to 1024 bytes long for an S3 object key, got \"\""
        );
        for bad in ["a/", "a//b", "a/../b", "./a", "a b", &"k".repeat(1025)] {
            assert!(object_key("k", bad).is_err(), "{bad}");
        }
    }
}
