//! cfn-lint, AWS's template linter, on every template pcstack synthesizes: the default and
//! each config under tests/configs. Zero findings, informational checks included.
//! The pinned cfn-lint lives in the project's .venv (`scripts/python-tools`).
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tool(name: &str) -> PathBuf {
    let path = root().join(".venv").join("bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/python-tools (the README's test command does)",
        path.display()
    );
    path
}

/// Every registered stack's name, the default stack first.
fn stacks() -> Vec<String> {
    let mut names: Vec<String> = stacks::STACKS.iter().map(|s| s.name().into()).collect();
    names.sort_by_key(|n| n != stacks::DEFAULT_STACK);
    names
}

/// Synthesizes every registered stack's default config, then each config under tests/configs
/// (the default stack's), each into its own directory; returns the template paths, the
/// default stack's default first.
fn templates(dir: &Path) -> Vec<PathBuf> {
    let stacks = stacks();
    let default = stacks[0].clone();
    let mut runs: Vec<(String, Option<PathBuf>)> = stacks.into_iter().map(|s| (s, None)).collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    runs.extend(files.into_iter().map(|f| (default.clone(), Some(f))));
    runs.iter()
        .enumerate()
        .map(|(i, (stack, config))| {
            let out = dir.join(format!("t{i}"));
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcstack"));
            cmd.args(["synth", "--stack", stack, "--out"]).arg(&out);
            if let Some(c) = config {
                cmd.arg("--config").arg(c);
            }
            let o = cmd.output().unwrap();
            assert!(
                o.status.success(),
                "{stack} {config:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            out.join(format!("{stack}.yaml"))
        })
        .collect()
}

#[test]
fn cfn_lint_reports_nothing_on_any_template() {
    let dir = tempfile::tempdir().unwrap();
    let templates = templates(dir.path());
    assert_eq!(
        templates.len(),
        stacks().len() + 7,
        "every stack's default and seven configs"
    );
    let out = Command::new(tool("cfn-lint"))
        .args(["--include-checks", "I", "--"])
        .args(&templates)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "cfn-lint found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cfn_lint_catches_a_broken_template() {
    // Proves the linter runs and reads our output: a template with a dangling Ref must fail.
    let dir = tempfile::tempdir().unwrap();
    let path = &templates(dir.path())[0];
    let broken = std::fs::read_to_string(path).unwrap().replacen(
        "Ref: PublicRouteTable",
        "Ref: NoSuchTable",
        1,
    );
    std::fs::write(path, broken).unwrap();
    let out = Command::new(tool("cfn-lint"))
        .arg("--")
        .arg(path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("NoSuchTable"));
}

#[test]
fn only_the_recorded_suppressions_exist() {
    // A lint may stay suppressed only where a create-only value from the tutorial needs it,
    // with the reason beside it.
    let dir = tempfile::tempdir().unwrap();
    let path = &templates(dir.path())[0];
    let t: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut found = Vec::new();
    for (id, r) in t["Resources"].as_object().unwrap() {
        if let Some(checks) = r
            .pointer("/Metadata/cfn-lint/config/ignore_checks")
            .and_then(|c| c.as_array())
        {
            for c in checks {
                let c = c.as_str().unwrap();
                let reason = r
                    .pointer(&format!("/Metadata/pcstack/Suppressions/{c}"))
                    .and_then(|r| r.as_str())
                    .unwrap_or("");
                assert!(reason.len() > 40, "{id} suppresses {c} without a reason");
                found.push(format!("{id}:{c}"));
            }
        }
    }
    assert_eq!(
        found,
        [
            "EFASecurityGroupIngress:W3687",
            "EFASecurityGroupEgress:W3687",
            "EFASecurityGroupEgressECS:W3687",
            "S3Endpoint:I1022"
        ]
    );
}

/// The example of a stack of one's own, compiled in from its source: the test then needs no
/// example binary, and the example's `main` only prints what `build` returns.
#[allow(dead_code)] // the example's `main`
#[path = "../examples/custom_stack.rs"]
mod custom_stack;

#[test]
fn cfn_lint_reports_nothing_on_the_custom_stack_example() {
    let out = custom_stack::build().synthesize();
    assert!(!out.diagnostics.has_errors(), "{}", out.diagnostics);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custom-stack.yaml");
    std::fs::write(&path, &out.yaml).unwrap();
    let lint = Command::new(tool("cfn-lint"))
        .args(["--include-checks", "I", "--"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        lint.status.success() && lint.stdout.is_empty(),
        "cfn-lint found problems in the example's template:\n{}{}\n{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr),
        out.yaml
    );
}

/// checkov's JSON report for the given templates, run offline.
fn checkov(templates: &[PathBuf]) -> serde_json::Value {
    let mut cmd = Command::new(tool("checkov"));
    cmd.args([
        "--framework",
        "cloudformation",
        "--skip-download",
        "--output",
        "json",
    ])
    // Offline: no platform mapping download, no guidelines request.
    .env("BC_SKIP_MAPPING", "TRUE")
    .env("CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "false");
    for t in templates {
        cmd.arg("--file").arg(t);
    }
    let out = cmd.output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn checkov_passes_every_template_with_only_the_recorded_skips() {
    let dir = tempfile::tempdir().unwrap();
    let templates = templates(dir.path());
    let report = checkov(&templates);
    let summary = &report["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{summary}");
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| format!("{} {} {}", c["check_id"], c["resource"], c["file_path"]))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        failed.is_empty(),
        "checkov failed checks:\n{}",
        failed.join("\n")
    );
    assert!(
        summary["passed"].as_u64().unwrap_or(0) >= 4 * 25,
        "checkov ran too few checks: {summary}"
    );

    // A skip is allowed only where the tutorial's workflow needs the flagged setting, with the
    // reason in the resource's metadata. A new skip must be added here on purpose.
    let mut skips: Vec<String> = report["results"]["skipped_checks"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    format!(
                        "{} {}",
                        c["check_id"].as_str().unwrap_or(""),
                        c["resource"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    skips.sort();
    skips.dedup();
    assert_eq!(
        skips,
        [
            "CKV_AWS_18 AWS::S3::Bucket.LogBucket",
            "CKV_AWS_51 AWS::ECR::Repository.TrainingImageRepository"
        ]
    );
    let t: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&templates[0]).unwrap()).unwrap();
    for (id, r) in t["Resources"].as_object().unwrap() {
        for skip in r
            .pointer("/Metadata/checkov/skip")
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
        {
            assert!(
                skip["comment"].as_str().is_some_and(|c| c.len() > 40),
                "{id} skips {} without a reason",
                skip["id"]
            );
        }
    }
}
