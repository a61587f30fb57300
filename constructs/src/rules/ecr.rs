//! ECR repository naming rules.

use super::{RuleResult, Violation};

/// The diagnostic codes of the ECR rules.
pub mod code {
    synth::codes! {
        REPOSITORY_NAME = "PC141", "an ECR repository name breaks ECR's naming rules";
        IMAGE_TAG = "PC142", "an image tag breaks the Docker tag rules ECR images are pushed with";
    }
}

/// Repository names: 2 to 256 characters; `/`-separated components of lowercase letters and
/// digits joined by `.`, `_`, `__` or runs of `-`.
///
/// Source: `AWS::ECR::Repository` schema RepositoryName (cfn-lint 1.58.0 schema
/// 3feaf06a6adf4eab), pattern
/// `^(?=.{2,256}$)([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*)$`,
/// and ECR API `CreateRepository`.
pub fn repository_name(name: &str) -> RuleResult {
    let bad = |rule: &str| {
        Err(Violation::new(
            code::REPOSITORY_NAME,
            "RepositoryName",
            rule,
            "an ECR repository",
            format!("{name:?}"),
        ))
    };
    if !(2..=256).contains(&name.len()) {
        return bad("be 2 to 256 characters long");
    }
    for component in name.split('/') {
        if !component_ok(component) {
            return bad("be lowercase letters and digits separated by ., _, __ or -, with / between path components");
        }
    }
    Ok(())
}

/// Image tags: 1 to 128 characters of letters, digits, `_`, `.` and `-`, not starting with `.`
/// or `-`.
///
/// Source: Docker's tag rule (<https://docs.docker.com/reference/cli/docker/image/tag/>), which
/// `docker push` to ECR applies; ECR's own `ImageTag` (PutImage API) allows 1 to 300.
pub fn image_tag(field: &str, tag: &str) -> RuleResult {
    let ok = (1..=128).contains(&tag.len())
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        && !tag.starts_with(['.', '-']);
    if ok {
        return Ok(());
    }
    Err(Violation::new(
        code::IMAGE_TAG,
        field,
        "be 1 to 128 letters, digits, _, . or -, not starting with . or -",
        "a container image tag",
        format!("{tag:?}"),
    ))
}

fn component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator: ".", "_", "__" or one or more "-".
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
            return false;
        }
    }
    true
}

fn alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names() {
        for ok in [
            "pytorch-training-custom",
            "team/pytorch__v2",
            "a.b",
            "x--y",
            "ab",
        ] {
            assert!(repository_name(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            repository_name("PyTorch").unwrap_err().message,
            "RepositoryName must be lowercase letters and digits separated by ., _, __ or -, with / between path components for an ECR repository, got \"PyTorch\""
        );
        assert_eq!(
            repository_name("a").unwrap_err().message,
            "RepositoryName must be 2 to 256 characters long for an ECR repository, got \"a\""
        );
        for bad in ["-ab", "a__-b", "a/", "a...b", "a___b"] {
            assert!(repository_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn image_tags() {
        for ok in ["latest", "v1.2_3-rc", "_x"] {
            assert!(image_tag("image_tag", ok).is_ok(), "{ok}");
        }
        assert_eq!(
            image_tag("image_tag", "v1:2").unwrap_err().message,
            "image_tag must be 1 to 128 letters, digits, _, . or -, not starting with . or - for a container image tag, got \"v1:2\""
        );
        for bad in ["", ".x", "-x", &"a".repeat(129)] {
            assert!(image_tag("image_tag", bad).is_err(), "{bad}");
        }
    }
}
