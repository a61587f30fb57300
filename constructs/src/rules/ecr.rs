//! ECR repository naming rules.

use super::{RuleResult, Violation};
use synth::Code;

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
            Code::RepositoryName,
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
}
