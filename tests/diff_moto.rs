//! `pcstack diff` end to end against a local moto server: deploy a template, then compare it
//! with local ones. Needs `.venv`: run scripts/python-tools once.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, stdout, text, Moto};
use serde_json::{json, Value};

fn resource<'a>(diff: &'a Value, id: &str) -> &'a Value {
    diff["resources"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["logical_id"] == id))
        .unwrap_or_else(|| panic!("{id} not in {diff:#}"))
}

#[test]
fn diff_against_a_deployed_stack() {
    let moto = Moto::start();
    let v1 = fixture("network.yaml");
    let v2 = fixture("network-v2.yaml");
    let deploy = moto.pcstack(&[
        "deploy",
        "--template",
        &v1,
        "--stack-name",
        "net",
        "--progress",
        "quiet",
    ]);
    assert_eq!(deploy.status.code(), Some(0), "{}", text(&deploy));

    the_added_repository_as_json(&moto, &v2);
    the_added_repository_as_text(&moto, &v2);

    // The deployed template itself: no differences, exit 0.
    let same = moto.pcstack(&["diff", "--template", &v1, "--stack-name", "net"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(stdout(&same).contains("no differences"), "{}", text(&same));

    fail_gates_ci_on_drift(&moto, &v1, &v2);
    a_replacement_and_a_removal(&moto, &v1);
}

/// JSON: the added repository, nothing replaced.
fn the_added_repository_as_json(moto: &Moto, v2: &str) {
    let json = moto.pcstack(&[
        "diff",
        "--template",
        v2,
        "--stack-name",
        "net",
        "--format",
        "json",
    ]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let diff: Value = serde_json::from_slice(&json.stdout).expect("diff JSON");
    assert_eq!(diff["stack_name"], "net");
    assert_eq!(diff["changed"], true);
    assert_eq!(
        diff["summary"],
        json!({"add": 1, "modify": 0, "replace": 0, "maybe_replace": 0, "remove": 0})
    );
    assert_eq!(
        diff["resources"].as_array().map(Vec::len),
        Some(1),
        "{diff:#}"
    );
    let repo = resource(&diff, "ImageRepository");
    assert_eq!(repo["action"], "add");
    assert_eq!(repo["type"], "AWS::ECR::Repository");
    assert_eq!(repo["replacement"], false);
    assert_eq!(repo["data_holding"], true);
    assert_eq!(
        repo["changes"],
        json!([{"attribute": "Properties", "path": "RepositoryName", "old": null, "new": "pcstack-test-images", "create_only": false}])
    );
    assert_eq!(diff["sections"], json!(["Description"]));
    assert_eq!(diff["danger"], json!([]));
}

/// Text: markers, no colors (not a terminal, NO_COLOR).
fn the_added_repository_as_text(moto: &Moto, v2: &str) {
    let plain = moto.pcstack(&["diff", "--template", v2, "--stack-name", "net"]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));
    let out = stdout(&plain);
    assert!(out.contains("stack net (CREATE_COMPLETE) -> "), "{out}");
    assert!(
        out.contains("Resources\n  + ImageRepository (AWS::ECR::Repository) [data]\n"),
        "{out}"
    );
    assert!(
        out.contains("1 to add, 0 to modify (0 replaced), 0 to remove"),
        "{out}"
    );
    assert!(!out.contains('\x1b'), "{out}");
}

/// --fail gates CI on drift: exit 6 when the templates differ (the diff still printed), 0
/// when they are equal, in both formats.
fn fail_gates_ci_on_drift(moto: &Moto, v1: &str, v2: &str) {
    let drift = moto.pcstack(&["diff", "--template", v2, "--stack-name", "net", "--fail"]);
    assert_eq!(drift.status.code(), Some(6), "{}", text(&drift));
    assert!(
        stdout(&drift).contains("+ ImageRepository"),
        "{}",
        text(&drift)
    );
    assert!(
        text(&drift).contains("differs from the local template"),
        "{}",
        text(&drift)
    );
    let drift_json = moto.pcstack(&[
        "diff",
        "--template",
        v2,
        "--stack-name",
        "net",
        "--fail",
        "--format",
        "json",
    ]);
    assert_eq!(drift_json.status.code(), Some(6), "{}", text(&drift_json));
    let parsed: Value =
        serde_json::from_slice(&drift_json.stdout).expect("stdout is the JSON alone");
    assert_eq!(parsed["changed"], true);
    let equal = moto.pcstack(&["diff", "--template", v1, "--stack-name", "net", "--fail"]);
    assert_eq!(equal.status.code(), Some(0), "{}", text(&equal));
}

/// A create-only change and a removed bucket: replacement and the danger block, in JSON and
/// text.
fn a_replacement_and_a_removal(moto: &Moto, v1: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let v3 = dir.path().join("v3.yaml");
    let body = std::fs::read_to_string(v1).expect("fixture");
    let edited = body
        .replace("GroupDescription: EFA", "GroupDescription: EFA traffic")
        .replace(
            "  DataBucket:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n",
            "",
        )
        .replace(
            "  DataBucketName:\n    Value:\n      Ref: DataBucket\n",
            "",
        );
    assert_ne!(edited, body);
    std::fs::write(&v3, edited).expect("write v3");
    let v3 = v3.display().to_string();
    let json = moto.pcstack(&[
        "diff",
        "--template",
        &v3,
        "--stack-name",
        "net",
        "--format",
        "json",
    ]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let diff: Value = serde_json::from_slice(&json.stdout).expect("diff JSON");
    let sg = resource(&diff, "EfaSecurityGroup");
    assert_eq!(sg["action"], "modify");
    assert_eq!(sg["replacement"], true);
    assert_eq!(
        sg["changes"],
        json!([{"attribute": "Properties", "path": "GroupDescription", "old": "EFA", "new": "EFA traffic", "create_only": true}])
    );
    let bucket = resource(&diff, "DataBucket");
    assert_eq!(bucket["action"], "remove");
    assert_eq!(bucket["data_holding"], true);
    // The deployed template's DeletionPolicy Retain keeps it.
    assert_eq!(
        diff["danger"],
        json!(["DataBucket (AWS::S3::Bucket): removed from the stack and kept (DeletionPolicy Retain): it goes on existing, still billed, under its physical ID"])
    );
    assert_eq!(diff["outputs"][0]["name"], "DataBucketName");
    assert_eq!(diff["outputs"][0]["action"], "remove");
    let plain = moto.pcstack(&["diff", "--template", &v3, "--stack-name", "net"]);
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain));
    let out = stdout(&plain);
    for want in [
        "  ~ EfaSecurityGroup (AWS::EC2::SecurityGroup) (replaces)\n      ~ GroupDescription: \"EFA\" -> \"EFA traffic\" (create-only, replaces)\n",
        "  - DataBucket (AWS::S3::Bucket) [data]\n",
        "Outputs\n  - DataBucketName\n",
        "DANGER: data-holding resources would be replaced or removed:\n  ! DataBucket (AWS::S3::Bucket): removed from the stack and kept (DeletionPolicy Retain): it goes on existing, still billed, under its physical ID\n",
        "0 to add, 1 to modify (1 replaced), 1 to remove",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn missing_stack_is_exit_1_and_invalid_input_makes_no_call() {
    let moto = Moto::start();
    let v1 = fixture("network.yaml");
    let missing = moto.pcstack(&["diff", "--template", &v1, "--stack-name", "nope"]);
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));
    assert!(
        text(&missing).contains("stack nope does not exist in us-east-1"),
        "{}",
        text(&missing)
    );
    let before = moto.aws_requests();
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "Resources: [unclosed").expect("write");
    let broken = broken.display().to_string();
    let absent = dir.path().join("absent.yaml").display().to_string();
    for args in [
        &["diff", "--template", &broken, "--stack-name", "net"][..],
        &["diff", "no-such-stack", "--stack-name", "net"][..],
        &["diff", "--template", &absent, "--stack-name", "net"][..],
        &[
            "diff",
            "--template",
            &v1,
            "--stack-name",
            "net",
            "--format",
            "xml",
        ][..],
    ] {
        let o = moto.pcstack(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}\n{}", text(&o));
    }
    assert_eq!(moto.aws_requests(), before, "invalid input reached AWS");
}
