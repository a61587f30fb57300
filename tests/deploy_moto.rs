//! End-to-end deploy tests against a local moto server (scripts/moto-server, which fixes what
//! moto 5.2.5 gets wrong for change sets). Needs `.venv`: run scripts/python-tools once.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, stdout, text, Moto};
use std::os::unix::fs::FileTypeExt;

#[test]
fn create_update_no_change_outputs_destroy() {
    let moto = Moto::start();
    let v1 = fixture("network.yaml");
    let v2 = fixture("network-v2.yaml");
    let common = ["--stack-name", "net", "--progress", "log"];

    let create = moto.pcstack(
        &[
            &["deploy", "--template", &v1],
            &common[..],
            &["--parameter", "Environment=prod"],
        ]
        .concat(),
    );
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    let out = text(&create);
    assert!(out.contains("Add (4)"), "{out}");
    assert!(out.contains("CREATE_COMPLETE"), "{out}");
    assert!(stdout(&create).contains("VPC_ID"), "{out}");

    outputs_after_the_create(&moto);

    // Update: one resource added; the parameter not given keeps its previous value.
    let update = moto.pcstack(&[&["deploy", "--template", &v2], &common[..]].concat());
    assert_eq!(update.status.code(), Some(0), "{}", text(&update));
    assert!(
        text(&update).contains("+ ImageRepository (AWS::ECR::Repository)"),
        "{}",
        text(&update)
    );
    assert!(
        text(&update).contains("UPDATE_COMPLETE"),
        "{}",
        text(&update)
    );

    let same = moto.pcstack(&[&["deploy", "--template", &v2], &common[..]].concat());
    assert_eq!(same.status.code(), Some(0), "{}", text(&same));
    assert!(stdout(&same).contains("no changes"), "{}", text(&same));

    a_removal_needs_approval(&moto, &v1, &common);
    destroyed_and_a_missing_stack_is_nothing_to_do(&moto);
}

/// Outputs right after the create (moto 5.2.5 marks resources referencing a parameter sent
/// as UsePreviousValue as modified and its VPC update drops the VpcId output value): the env
/// file and the JSON document.
fn outputs_after_the_create(moto: &Moto) {
    let env = moto.pcstack(&["outputs", "--stack-name", "net", "--format", "env"]);
    assert_eq!(env.status.code(), Some(0), "{}", text(&env));
    let env = stdout(&env);
    assert!(env.contains("export VPC_ID=vpc-"), "{env}");
    assert!(env.contains("export FSX_LUSTRE_SUBNET_ID=subnet-"), "{env}");
    assert!(env.contains("export DATA_BUCKET="), "{env}");
    assert!(env.contains("export AWS_REGION=us-east-1"), "{env}");
    assert!(env.contains("export STACK_NAME=net"), "{env}");
    assert!(env.contains("export AWS_ACCOUNT_ID=123456789012"), "{env}");

    let json = moto.pcstack(&["outputs", "--stack-name", "net", "--format", "json"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("outputs JSON");
    assert_eq!(
        parsed["Outputs"]["DataBucketName"]["EnvironmentVariable"],
        "DATA_BUCKET"
    );
    assert!(parsed["Outputs"]["VpcId"]["Value"]
        .as_str()
        .is_some_and(|v| v.starts_with("vpc-")));
}

/// Removing the ECR repository is destructive: without a terminal that is exit 5; with
/// `--approve never` it goes, and `--outputs-file` is written.
fn a_removal_needs_approval(moto: &Moto, v1: &str, common: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("out.json");
    let blocked = moto.pcstack(&[&["deploy", "--template", v1], common].concat());
    assert_eq!(blocked.status.code(), Some(5), "{}", text(&blocked));
    assert!(text(&blocked).contains("DANGER"), "{}", text(&blocked));
    assert!(
        text(&blocked).contains("--approve never"),
        "{}",
        text(&blocked)
    );
    let again = moto.pcstack(
        &[
            &[
                "deploy",
                "--template",
                v1,
                "--approve",
                "never",
                "--outputs-file",
                &file.display().to_string(),
            ],
            common,
        ]
        .concat(),
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        text(&again).contains("- ImageRepository (AWS::ECR::Repository)"),
        "{}",
        text(&again)
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("outputs file"))
            .expect("outputs file JSON");
    assert_eq!(written["StackName"], "net");
}

/// `destroy` asks for `--yes` without a terminal, deletes the stack and names what it kept; a
/// stack that never existed is nothing to do.
fn destroyed_and_a_missing_stack_is_nothing_to_do(moto: &Moto) {
    let no_yes = moto.pcstack(&["destroy", "--stack-name", "net"]);
    assert_eq!(no_yes.status.code(), Some(5), "{}", text(&no_yes));

    let destroy = moto.pcstack(&[
        "destroy",
        "--stack-name",
        "net",
        "--yes",
        "--progress",
        "log",
    ]);
    assert_eq!(destroy.status.code(), Some(0), "{}", text(&destroy));
    let out = stdout(&destroy);
    assert!(out.contains("stack net deleted"), "{}", text(&destroy));
    assert!(
        out.contains("DataBucket (AWS::S3::Bucket): "),
        "{}",
        text(&destroy)
    );

    // A name no stack ever had: nothing to do, and where it looked.
    let never = moto.pcstack(&["destroy", "--stack-name", "never", "--yes"]);
    assert_eq!(never.status.code(), Some(0), "{}", text(&never));
    assert!(
        stdout(&never).contains("stack never does not exist in us-east-1; nothing to delete"),
        "{}",
        text(&never)
    );
}

#[test]
fn large_template_is_uploaded_once() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.yaml");
    let body = std::fs::read_to_string(fixture("network.yaml")).expect("fixture");
    // Over the 51,200-byte inline limit: padding in a Metadata key.
    let padded = body.replace(
        "Metadata:\n",
        &format!("Metadata:\n  Padding: \"{}\"\n", "x".repeat(60_000)),
    );
    std::fs::write(&big, padded).expect("write big template");
    let big = big.display().to_string();
    let args = [
        "deploy",
        "--template",
        &big,
        "--stack-name",
        "big",
        "--progress",
        "log",
    ];

    let first = moto.pcstack(&args);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    assert!(text(&first).contains("created template bucket pcstack-templates-123456789012-us-east-1 (encrypted, public access blocked"), "{}", text(&first));
    assert!(
        text(&first).contains("template uploaded: s3://"),
        "{}",
        text(&first)
    );

    let second = moto.pcstack(&args);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        text(&second).contains("template already uploaded"),
        "{}",
        text(&second)
    );
    assert!(stdout(&second).contains("no changes"), "{}", text(&second));
}

#[test]
fn bad_parameters_make_no_aws_call() {
    let moto = Moto::start();
    let before = moto.aws_requests();
    let v1 = fixture("network.yaml");
    for bad in [
        "Environment=qa",
        "SubnetCount=9",
        "SubnetCount=two",
        "Nope=1",
        "VpcCidr=wide",
    ] {
        let o = moto.pcstack(&[
            "deploy",
            "--template",
            &v1,
            "--stack-name",
            "bad",
            "--parameter",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o));
        let key = bad.split('=').next().unwrap_or_default();
        assert!(
            text(&o).contains(&format!("parameter {key} must")),
            "{bad}: {}",
            text(&o)
        );
        assert!(
            text(&o).ends_with("1 error(s); nothing was sent to AWS\n"),
            "{bad}: {}",
            text(&o)
        );
    }
    assert_eq!(
        moto.aws_requests(),
        before,
        "no request may reach AWS for invalid input"
    );
}

/// A parameter without a default that is not given is known missing only once the stack is
/// read (a deployed stack keeps its previous value): refused after that call, in the same
/// shape as a refusal before any call, saying what is true then.
#[test]
fn a_missing_parameter_is_refused_after_reading_the_stack_and_changes_nothing() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("required.yaml");
    let v1 = std::fs::read_to_string(fixture("network.yaml")).expect("fixture");
    let required = v1.replacen("    Default: dev\n", "", 1);
    assert_ne!(required, v1, "the fixture's Environment default moved");
    std::fs::write(&template, required).expect("write");
    let before = moto.aws_requests();
    let o = moto.pcstack(&[
        "deploy",
        "--template",
        &template.display().to_string(),
        "--stack-name",
        "needs",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = text(&o);
    assert!(err.contains("Environment"), "{err}");
    assert!(err.ends_with("1 error(s); nothing was changed\n"), "{err}");
    assert!(moto.aws_requests() > before, "the stack was read first");
    let stacks = moto.pcstack(&["outputs", "--stack-name", "needs"]);
    assert_eq!(stacks.status.code(), Some(1), "{}", text(&stacks));
}

/// A template built with the same constructs the built-in stack uses, limited to what moto
/// can create: the EFA security group, the bucket with its policy, the repository. The VPC is
/// the generated L1 type alone: moto 5.2.5 fails on `Fn::Select` over `Fn::Cidr` (KeyError in
/// its `clean_json`), which the network construct's subnets use.
fn construct_template() -> String {
    use constructs::l1::ec2::vpc::VPC;
    use constructs::security::{self, EfaSecurityGroupIds, EfaSecurityGroupProps};
    use constructs::store::{add_bucket, add_repository, BucketProps, RepositoryProps};
    use constructs::Tags;
    use synth::{Output, Policy, Template};

    let mut t = Template::new("moto-constructs");
    let vpc = t.add(
        "VPC",
        VPC::new()
            .cidr_block("10.0.0.0/16")
            .enable_dns_support(true),
    );
    let sg = security::add(
        &mut t,
        &vpc,
        EfaSecurityGroupIds {
            group: "SecurityGroup",
            ingress_self: "EFASecurityGroupIngress",
            egress_self: "EFASecurityGroupEgress",
            egress_all: "EFASecurityGroupEgressECS",
        },
        EfaSecurityGroupProps {
            group_description: "EFA",
            ingress_self_description: "in",
            egress_self_description: "out",
            egress_all_description: "all",
            tags: Tags::default(),
        },
    );
    let bucket = add_bucket(
        &mut t,
        "DataBucket",
        "DataBucketPolicy",
        BucketProps {
            access_logs: None,
            name: "pcstack-moto-data",
            noncurrent_version_days: 30,
            abort_multipart_days: 7,
            removal: Policy::Retain,
            tags: Tags::default(),
        },
    );
    add_repository(
        &mut t,
        "Repository",
        RepositoryProps {
            name: "pcstack/moto",
            encryption: "KMS",
            mutable_tags: &["latest"],
            untagged_days: 14,
            removal: Policy::Delete,
            tags: Tags::default(),
        },
    );
    t.add_output("VPC", Output::new(vpc.reference()));
    t.add_output("SecurityGroup", Output::new(sg.group.reference()));
    t.add_output("S3BucketName", Output::new(bucket.reference()));
    t.metadata.insert(
        "pcstack".into(),
        serde_json::json!({"OutputEnvironmentVariables": {"VPC": "VPC_ID", "S3BucketName": "S3_BUCKET_NAME"}}),
    );
    let s = t.synthesize();
    assert!(!s.diagnostics.has_errors(), "{}", s.diagnostics);
    s.render(synth::Format::Yaml)
}

#[test]
fn construct_built_template_deploys_and_destroys() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("constructs.yaml");
    std::fs::write(&path, construct_template()).expect("write template");
    if let Ok(keep) = std::env::var("PCSTACK_KEEP_TEMPLATE") {
        std::fs::copy(&path, keep).expect("copy template");
    }
    let path = path.display().to_string();
    let create = moto.pcstack(&[
        "deploy",
        "--template",
        &path,
        "--stack-name",
        "constructs",
        "--progress",
        "log",
    ]);
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    let again = moto.pcstack(&["deploy", "--template", &path, "--stack-name", "constructs"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(text(&again).contains("no changes"), "{}", text(&again));
    let env = moto.pcstack(&["outputs", "--stack-name", "constructs", "--format", "env"]);
    let env = stdout(&env);
    assert!(env.contains("export VPC_ID=vpc-"), "{env}");
    assert!(
        env.contains("export S3_BUCKET_NAME=pcstack-moto-data"),
        "{env}"
    );
    assert!(
        env.contains("export SECURITY_GROUP=sg-"),
        "outputs without a declared name get their key: {env}"
    );
    destroy_listing_the_retained_bucket(&moto, "constructs");
}

/// How long the delayed moto server takes to compute a change set and to run a stack operation
/// (scripts/moto-server's Delays), in seconds. Off the polls' 1-s and 2-s grid, so that an end
/// falls between two polls (on the grid, the poll right after it sees it at once).
const CHANGE_SET_DELAY: f64 = 3.5;
const STACK_DELAY: f64 = 7.0;
/// The polls' intervals (`deploy::Timing::default`).
const CHANGE_SET_POLL: f64 = 1.0;
const EVENTS_POLL: f64 = 2.0;

/// How many polls, one every `interval` from the start, an operation of `delay` seconds takes
/// until one sees it end: one at the start, one per interval while it runs, the one that sees
/// it; polls keep a fixed cadence (each due one interval after the previous one started), but a
/// slow machine's answers can still push one past its due time, so it may take one or two
/// fewer, never more.
/// Destroys stack `name` and checks that its retained `DataBucket` is listed.
fn destroy_listing_the_retained_bucket(moto: &Moto, name: &str) {
    let destroy = moto.pcstack(&[
        "destroy",
        "--stack-name",
        name,
        "--yes",
        "--progress",
        "log",
    ]);
    assert_eq!(destroy.status.code(), Some(0), "{}", text(&destroy));
    assert!(
        stdout(&destroy).contains("DataBucket"),
        "the retained bucket is listed: {}",
        text(&destroy)
    );
}

fn expected_polls(delay: f64, interval: f64) -> std::ops::RangeInclusive<usize> {
    let within = (delay / interval).floor() as usize;
    within..=within + 2
}

/// How many of `times` fall in `[from, to]`.
fn between(times: &[f64], from: f64, to: f64) -> usize {
    times.iter().filter(|t| (from..=to).contains(*t)).count()
}

fn seconds(v: &serde_json::Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// Requests while a change set is computed and while a stack operation is followed, counted by
/// a moto server that takes 3.5 s for the change set and 7 s for each operation. Following reads
/// the stack's status from its own events: one DescribeStackEvents every 2 s and DescribeStacks
/// only as the 30-s fallback. Before, a DescribeStacks went beside each DescribeStackEvents (5
/// in 7 s), which these counts refuse, as they refuse events read every second (8 in 7 s). How
/// late each end was noticed is printed, not asserted beyond a sanity bound: speed goals belong
/// to benchmarks (bench/follow).
#[test]
fn following_polls_events_every_two_seconds_and_describe_stacks_only_as_a_fallback() {
    let moto = Moto::start_with(&[
        "--change-set-delay",
        &CHANGE_SET_DELAY.to_string(),
        "--stack-delay",
        &STACK_DELAY.to_string(),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("constructs.yaml");
    std::fs::write(&path, construct_template()).expect("write template");
    let path = path.display().to_string();
    let create = moto.pcstack(&[
        "deploy",
        "--template",
        &path,
        "--stack-name",
        "slow",
        "--progress",
        "log",
    ]);
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    let out = text(&create);
    // The resources' events, revealed one by one while the operation runs, were followed.
    assert!(
        out.contains("CREATE_IN_PROGRESS AWS::S3::Bucket DataBucket"),
        "{out}"
    );
    assert!(out.contains("stack slow: CREATE_COMPLETE"), "{out}");

    let timeline = moto.timeline();
    let (polls, cs_late) = change_set_polled_every_second(&moto, &timeline);
    let (events, stacks, stack_late) = creation_followed_by_its_events(&moto, &timeline);
    eprintln!(
        "deploy: change set ready after {CHANGE_SET_DELAY} s noticed {cs_late:.2} s late \
         ({polls} DescribeChangeSet); stack finished after {STACK_DELAY} s noticed \
         {stack_late:.2} s late ({events} DescribeStackEvents, {stacks} DescribeStacks)"
    );
    // A sanity bound only, wide enough for a loaded machine (the goals are 1.5 s and 2 s).
    assert!(cs_late < 5.0, "change set noticed {cs_late:.2} s late");
    assert!(stack_late < 5.0, "stack noticed {stack_late:.2} s late");

    destroy_listing_the_retained_bucket(&moto, "slow");
    deletion_followed_by_its_events(&moto);
}

/// DescribeChangeSet while the first change set was computed: one a second. Returns the
/// polls and how late the change set was noticed ready, in seconds.
fn change_set_polled_every_second(moto: &Moto, timeline: &serde_json::Value) -> (usize, f64) {
    let change_set = &timeline["change_sets"][0];
    let (created, ready) = (seconds(change_set, "created"), seconds(change_set, "ready"));
    let cs_noticed = seconds(change_set, "noticed");
    let polls = between(&moto.times("DescribeChangeSet"), created, cs_noticed);
    // One a second: at 0, 1, 2 and 3 s while it is computed, at 4 s the one that finds it ready;
    // fewer would be a slower poll, more a faster one.
    let expected = expected_polls(CHANGE_SET_DELAY, CHANGE_SET_POLL);
    assert!(
        expected.contains(&polls),
        "DescribeChangeSet {polls} times while the change set took {CHANGE_SET_DELAY} s (expected {expected:?})"
    );
    (polls, cs_noticed - ready)
}

/// The first operation (the create) is followed by its events, every 2 s, and noticed done by
/// them. Returns the DescribeStackEvents and DescribeStacks calls and how late the end was
/// noticed, in seconds.
fn creation_followed_by_its_events(
    moto: &Moto,
    timeline: &serde_json::Value,
) -> (usize, usize, f64) {
    let create_op = &timeline["operations"][0];
    let executed = moto.times("ExecuteChangeSet")[0];
    let (finished, noticed) = (
        seconds(create_op, "finished"),
        seconds(create_op, "noticed"),
    );
    assert_eq!(create_op["noticed_by"], "DescribeStackEvents", "{timeline}");
    let events = between(&moto.times("DescribeStackEvents"), executed, noticed);
    let stacks = between(&moto.times("DescribeStacks"), executed, noticed);
    // Every 2 s from ExecuteChangeSet: at 0, 2, 4 and 6 s, then at 8 s the one that sees the
    // end. One a second would be 8.
    let expected = expected_polls(STACK_DELAY, EVENTS_POLL);
    assert!(
        expected.contains(&events),
        "DescribeStackEvents {events} times while following a {STACK_DELAY} s operation (expected {expected:?})"
    );
    assert!(
        stacks <= 1,
        "DescribeStacks {stacks} times while following: the stack's own events tell its status"
    );
    (events, stacks, noticed - finished)
}

/// The second operation (the deletion) is followed the same way: its events every 2 s,
/// DescribeStacks at most once.
fn deletion_followed_by_its_events(moto: &Moto) {
    let timeline = moto.timeline();
    let delete_op = &timeline["operations"][1];
    assert_eq!(delete_op["action"], "DeleteStack", "{timeline}");
    let deleted = moto.times("DeleteStack")[0];
    let (finished, noticed) = (
        seconds(delete_op, "finished"),
        seconds(delete_op, "noticed"),
    );
    let events = between(&moto.times("DescribeStackEvents"), deleted, noticed);
    let stacks = between(&moto.times("DescribeStacks"), deleted, noticed);
    let expected = expected_polls(STACK_DELAY, EVENTS_POLL);
    assert!(
        expected.contains(&events),
        "DescribeStackEvents {events} times while following a {STACK_DELAY} s deletion (expected {expected:?})"
    );
    assert!(
        stacks <= 1,
        "DescribeStacks {stacks} times while following the deletion"
    );
    eprintln!(
        "destroy: deletion finished after {STACK_DELAY} s noticed {:.2} s late \
         ({events} DescribeStackEvents, {stacks} DescribeStacks)",
        noticed - finished
    );
    assert!(
        noticed - finished < 5.0,
        "deletion noticed {:.2} s late",
        noticed - finished
    );
}

/// A template moto creates quickly: one VPC and one output with a literal value.
fn one_output(value: &str) -> String {
    format!(
        "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\nOutputs:\n  LustreMountPoint:\n    Value: {value}\n"
    )
}

#[test]
fn an_output_only_change_is_executed() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("t.yaml");
    let template_arg = template.display().to_string();
    let deploy = |extra: &[&str]| {
        moto.pcstack(
            &[
                &[
                    "deploy",
                    "--template",
                    &template_arg,
                    "--stack-name",
                    "paths",
                    "--progress",
                    "log",
                ],
                extra,
            ]
            .concat(),
        )
    };
    std::fs::write(&template, one_output("/fsx")).expect("write");
    let first = deploy(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));

    // Only the output changes: CloudFormation computes a change set without resource changes,
    // which must be executed, not deleted as "no changes".
    std::fs::write(&template, one_output("/lustre")).expect("write");
    let second = deploy(&[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        text(&second).contains("no resource changes; outputs, parameters, metadata or tags change"),
        "{}",
        text(&second)
    );
    assert!(!stdout(&second).contains("no changes"), "{}", text(&second));
    let env = moto.pcstack(&["outputs", "--stack-name", "paths", "--format", "env"]);
    assert_eq!(env.status.code(), Some(0), "{}", text(&env));
    assert!(
        stdout(&env).contains("export LUSTRE_MOUNT_POINT=/lustre\n"),
        "{}",
        text(&env)
    );

    // Nothing changes: "no changes", and --outputs-file is still written.
    let file = dir.path().join("env.sh");
    let file_arg = file.display().to_string();
    let third = deploy(&["--outputs-file", &file_arg]);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
    assert!(stdout(&third).contains("no changes"), "{}", text(&third));
    let written = std::fs::read_to_string(&file).expect("outputs file written on no changes");
    assert!(
        written.contains("export LUSTRE_MOUNT_POINT=/lustre\n"),
        "{written}"
    );

    // A missing folder for --outputs-file: refused before any AWS call.
    let before = moto.aws_requests();
    let missing = dir.path().join("nope").join("env.sh").display().to_string();
    let refused = deploy(&["--outputs-file", &missing]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("--outputs-file must be in a folder that exists"),
        "{}",
        text(&refused)
    );
    assert_eq!(moto.aws_requests(), before);

    // A stack waiting for review has no outputs: `outputs` refuses instead of printing none.
    let review = moto.pcstack(&[
        "deploy",
        "--template",
        &template_arg,
        "--stack-name",
        "pending",
        "--no-execute",
    ]);
    assert_eq!(review.status.code(), Some(0), "{}", text(&review));
    let empty = moto.pcstack(&["outputs", "--stack-name", "pending", "--format", "env"]);
    assert_eq!(empty.status.code(), Some(1), "{}", text(&empty));
    assert!(
        text(&empty).contains("stack pending is REVIEW_IN_PROGRESS"),
        "{}",
        text(&empty)
    );
    assert_eq!(stdout(&empty), "");
}

/// A template over the inline limit (so it goes through S3), and its S3 key.
fn big_template(dir: &std::path::Path) -> (String, String) {
    use sha2::{Digest, Sha256};
    let body = std::fs::read_to_string(fixture("network.yaml")).expect("fixture");
    let padded = body.replace(
        "Metadata:\n",
        &format!("Metadata:\n  Padding: \"{}\"\n", "x".repeat(60_000)),
    );
    let path = dir.join("big.yaml");
    std::fs::write(&path, &padded).expect("write big template");
    let hex: String = Sha256::digest(padded.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (path.display().to_string(), format!("templates/{hex}.yaml"))
}

/// What a template planted by someone else deploys: a bucket, and an output saying so.
const PLANTED: &str =
    "Resources:\n  Loot:\n    Type: AWS::S3::Bucket\nOutputs:\n  Planted:\n    Value: yes\n";

#[test]
fn a_planted_template_is_never_deployed() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (big, key) = big_template(dir.path());
    let ours = "123456789012";
    let theirs = "111111111111";

    // Another account creates pcstack's predictable default bucket first and plants a template
    // under the key pcstack would reuse.
    let default_bucket = format!("pcstack-templates-{ours}-us-east-1");
    assert_eq!(
        moto.s3_as(theirs, "PUT", &format!("/{default_bucket}"), ""),
        200
    );
    assert_eq!(
        moto.s3_as(theirs, "PUT", &format!("/{default_bucket}/{key}"), PLANTED),
        200
    );
    let args = [
        "deploy",
        "--template",
        &big,
        "--stack-name",
        "big",
        "--progress",
        "log",
    ];
    let refused = moto.pcstack(&args);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains(&format!("template bucket {default_bucket} is not owned by account {ours} (S3 answered 403 Forbidden to a request with ExpectedBucketOwner {ours})")),
        "{}",
        text(&refused)
    );
    assert!(
        text(&refused).contains("another account may have created it first")
            && text(&refused).contains("nothing was deployed"),
        "{}",
        text(&refused)
    );
    let none = moto.pcstack(&["outputs", "--stack-name", "big"]);
    assert!(
        text(&none).contains("stack big does not exist in us-east-1"),
        "{}",
        text(&none)
    );

    // In a bucket of ours, an object under the key that isn't the template (no SHA-256 of
    // ours) is replaced by the template before CloudFormation reads it.
    assert_eq!(moto.s3_as(ours, "PUT", "/mine", ""), 200);
    assert_eq!(
        moto.s3_as(ours, "PUT", &format!("/mine/{key}"), PLANTED),
        200
    );
    let mine = [&args[..], &["--template-bucket", "mine"]].concat();
    let deployed = moto.pcstack(&mine);
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));
    assert!(
        text(&deployed).contains(&format!(
            "s3://mine/{key} exists but its stored SHA-256 is missing, not the template's "
        )),
        "{}",
        text(&deployed)
    );
    let outputs = moto.pcstack(&["outputs", "--stack-name", "big", "--format", "json"]);
    assert_eq!(outputs.status.code(), Some(0), "{}", text(&outputs));
    let outputs = stdout(&outputs);
    assert!(
        outputs.contains("VpcId") && !outputs.contains("Planted"),
        "{outputs}"
    );

    // The object now carries the template's SHA-256: reused, verified.
    let again = moto.pcstack(&mine);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        text(&again).contains(&format!(
            "template already uploaded (SHA-256 verified): s3://mine/{key}"
        )),
        "{}",
        text(&again)
    );
}

#[test]
fn destroy_run_again_lists_what_the_deletion_retained() {
    let moto = Moto::start();
    let v1 = fixture("network.yaml");
    let create = moto.pcstack(&[
        "deploy",
        "--template",
        &v1,
        "--stack-name",
        "net",
        "--progress",
        "log",
    ]);
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    let destroy = [
        "destroy",
        "--stack-name",
        "net",
        "--yes",
        "--progress",
        "log",
    ];
    let first = moto.pcstack(&destroy);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let retained_line = stdout(&first)
        .lines()
        .find(|l| l.contains("(AWS::S3::Bucket)"))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no retained bucket: {}", text(&first)));
    // Run again (as after a timeout): the stack is gone; its deletion's retained resources
    // are listed from the deleted stack's events.
    let second = moto.pcstack(&destroy);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    assert!(
        stdout(&second).starts_with("stack net was already deleted"),
        "{}",
        text(&second)
    );
    assert!(
        stdout(&second).contains(&retained_line),
        "{}",
        text(&second)
    );
}

/// A bucket and two asset outputs, as the built-in stack declares them (moto can't create the
/// built-in stack itself: FSx and `Fn::Select` over `Fn::Cidr`).
const ASSETS_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Metadata:
  pcstack:
    OutputEnvironmentVariables:
      HeadNodeBootstrapScript: HEAD_NODE_BOOTSTRAP_SCRIPT
      ComputeNodeBootstrapScript: COMPUTE_NODE_BOOTSTRAP_SCRIPT
      S3BucketName: S3_BUCKET_NAME
    EnvironmentVariableOrder: [AWS_REGION, STACK_NAME, HEAD_NODE_BOOTSTRAP_SCRIPT, COMPUTE_NODE_BOOTSTRAP_SCRIPT, AWS_ACCOUNT_ID, S3_BUCKET_NAME]
Resources:
  DataBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: pcstack-moto-assets
Outputs:
  S3BucketName:
    Value: {Ref: DataBucket}
  HeadNodeBootstrapScript:
    Value: {'Fn::Sub': 's3://${DataBucket}/scripts/bootstrap/head.sh'}
  ComputeNodeBootstrapScript:
    Value: {'Fn::Sub': 's3://${DataBucket}/scripts/bootstrap/compute.sh'}
";

/// An object's body, read as our account (a signed-looking path-style GET; moto doesn't verify).
fn get_object(moto: &Moto, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", moto.port)).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

const ASSETS_CONFIG: &str = "assets:
  - {file: scripts/head.sh, key: scripts/bootstrap/head.sh, env: HEAD_NODE_BOOTSTRAP_SCRIPT}
  - {file: scripts/compute.sh, key: scripts/bootstrap/compute.sh, env: COMPUTE_NODE_BOOTSTRAP_SCRIPT}
";

#[test]
fn assets_are_uploaded_once_listed_in_outputs_and_uploaded_again_when_changed() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let (template, config, config_dir) = assets_fixture(dir.path());
    let deploy = || {
        moto.pcstack(&[
            "deploy",
            "--template",
            &template,
            "--config",
            &config,
            "--stack-name",
            "assets",
            "--progress",
            "quiet",
        ])
    };
    let head = "s3://pcstack-moto-assets/scripts/bootstrap/head.sh";
    let compute = "s3://pcstack-moto-assets/scripts/bootstrap/compute.sh";
    let object = |key: &str| {
        get_object(
            &moto,
            &format!("/pcstack-moto-assets/scripts/bootstrap/{key}"),
        )
    };

    let first = deploy();
    assert_eq!(first.status.code(), Some(0), "{}", text(&first));
    let out = stdout(&first);
    assert!(
        out.contains(&format!(
            "HEAD_NODE_BOOTSTRAP_SCRIPT  {head}  uploaded  <- "
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "COMPUTE_NODE_BOOTSTRAP_SCRIPT  {compute}  uploaded  <- "
        )),
        "{out}"
    );
    assert_eq!(object("head.sh").as_deref(), Some("echo head\n"));

    assets_listed_in_outputs(&moto, head, compute);

    // Nothing changed: the stack has no changes, the assets are verified and not sent.
    let second = deploy();
    assert_eq!(second.status.code(), Some(0), "{}", text(&second));
    let out = stdout(&second);
    assert!(out.contains("no changes"), "{out}");
    assert!(
        out.contains(&format!("{head}  unchanged (SHA-256 verified)")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{compute}  unchanged (SHA-256 verified)")),
        "{out}"
    );

    // One file changed: only it is uploaded again, though the stack has no changes.
    std::fs::write(config_dir.join("scripts/compute.sh"), "echo compute v2\n").expect("write");
    let third = deploy();
    assert_eq!(third.status.code(), Some(0), "{}", text(&third));
    let out = stdout(&third);
    assert!(
        out.contains(&format!("{head}  unchanged (SHA-256 verified)")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{compute}  uploaded (changed)")),
        "{out}"
    );
    assert_eq!(object("compute.sh").as_deref(), Some("echo compute v2\n"));

    // A missing file is exit 2 before any AWS call.
    std::fs::remove_file(config_dir.join("scripts/head.sh")).expect("rm");
    let before = moto.aws_requests();
    let missing = deploy();
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(
        text(&missing).contains(
            "error[PC183] config: assets[0].file: assets[0].file must be a readable file"
        ),
        "{}",
        text(&missing)
    );
    assert_eq!(moto.aws_requests(), before, "no request may reach AWS");
}

/// In `dir`, the template and, in a folder of its own (asset files are relative to the
/// config's folder, not the cwd), the config and its two scripts. Returns the template's and
/// the config's paths and the config's folder.
fn assets_fixture(dir: &std::path::Path) -> (String, String, std::path::PathBuf) {
    let template = dir.join("assets.yaml");
    std::fs::write(&template, ASSETS_TEMPLATE).expect("write template");
    let config_dir = dir.join("conf");
    std::fs::create_dir_all(config_dir.join("scripts")).expect("mkdir");
    let config = config_dir.join("pcstack.yaml");
    std::fs::write(&config, ASSETS_CONFIG).expect("write config");
    std::fs::write(config_dir.join("scripts/head.sh"), "echo head\n").expect("write");
    std::fs::write(config_dir.join("scripts/compute.sh"), "echo compute\n").expect("write");
    (
        template.display().to_string(),
        config.display().to_string(),
        config_dir,
    )
}

/// The uploaded assets' S3 URIs are in the env file, in the template's declared order, and in
/// the JSON outputs.
fn assets_listed_in_outputs(moto: &Moto, head: &str, compute: &str) {
    let env = moto.pcstack(&["outputs", "--stack-name", "assets", "--format", "env"]);
    assert_eq!(
        stdout(&env),
        format!("export AWS_REGION=us-east-1\nexport STACK_NAME=assets\nexport HEAD_NODE_BOOTSTRAP_SCRIPT={head}\nexport COMPUTE_NODE_BOOTSTRAP_SCRIPT={compute}\nexport AWS_ACCOUNT_ID=123456789012\nexport S3_BUCKET_NAME=pcstack-moto-assets\n"),
        "{}",
        text(&env)
    );
    let json = moto.pcstack(&["outputs", "--stack-name", "assets", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("outputs JSON");
    assert_eq!(
        json["Environment"]["COMPUTE_NODE_BOOTSTRAP_SCRIPT"],
        compute
    );
    assert_eq!(json["Outputs"]["HeadNodeBootstrapScript"]["Value"], head);
}

/// A template with IAM resources (one named), an inline policy and a security group open to
/// the internet: capabilities and the BROADENING block.
const IAM_TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: pcstack-test-role
      AssumeRolePolicyDocument:
        Statement:
        - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}
      Policies:
      - PolicyName: read
        PolicyDocument:
          Statement:
          - {Effect: Allow, Action: 's3:GetObject', Resource: '*'}
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
      - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
";

fn has_key_prefix(call: &serde_json::Map<String, serde_json::Value>, prefix: &str) -> bool {
    call.keys().any(|k| k.starts_with(prefix))
}

#[test]
fn stack_settings_reach_cloudformation_and_are_kept_when_not_given() {
    let moto = Moto::start();
    assert_eq!(
        moto.query(
            "sns",
            "Action=CreateTopic&Name=stack-events&Version=2010-03-31"
        ),
        200
    );
    let topic = "arn:aws:sns:us-east-1:123456789012:stack-events";
    let role = "arn:aws:iam::123456789012:role/cfn-deploy";
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("policy.json");
    let policy_text = r#"{"Statement": [{"Effect": "Deny", "Action": "Update:Replace", "Principal": "*", "Resource": "*"}]}"#;
    std::fs::write(&policy, policy_text).expect("policy");
    let v1 = fixture("network.yaml");
    let create = moto.pcstack(&[
        "deploy",
        "--template",
        &v1,
        "--stack-name",
        "tagged",
        "--progress",
        "json",
        "--parameter",
        "Environment=prod",
        "--tags",
        "team=ml",
        "--tags",
        "cost-center=42",
        "--role-arn",
        role,
        "--notification-arns",
        topic,
        "--stack-policy",
        &policy.display().to_string(),
    ]);
    assert_eq!(create.status.code(), Some(0), "{}", text(&create));
    // --progress json: stderr is JSON lines only, each with a type; the review is one of them.
    let stderr = String::from_utf8_lossy(&create.stderr);
    let mut types = Vec::new();
    for line in stderr.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!("stderr line is not JSON ({e}): {line:?}\n{}", text(&create))
        });
        types.push(v["type"].as_str().expect("a type").to_string());
    }
    for want in ["review", "event", "note"] {
        assert!(types.iter().any(|t| t == want), "{want} in {types:?}");
    }
    assert!(
        stdout(&create).contains("VPC_ID"),
        "results stay on stdout: {}",
        text(&create)
    );

    let calls = moto.calls("CreateChangeSet");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let c = &calls[0];
    assert_eq!(c["Tags.member.1.Key"], "team", "{c:?}");
    assert_eq!(c["Tags.member.1.Value"], "ml", "{c:?}");
    assert_eq!(c["Tags.member.2.Key"], "cost-center", "{c:?}");
    assert_eq!(c["Tags.member.2.Value"], "42", "{c:?}");
    assert_eq!(c["RoleARN"], role, "{c:?}");
    assert_eq!(c["NotificationARNs.member.1"], topic, "{c:?}");
    // No IAM resource, no Transform: no capability acknowledged.
    assert!(!has_key_prefix(c, "Capabilities"), "{c:?}");
    let set = moto.calls("SetStackPolicy");
    assert_eq!(set.len(), 1, "{set:?}");
    assert_eq!(set[0]["StackPolicyBody"], policy_text);

    // An update without the flags sends none of them: CloudFormation keeps the stack's.
    let v2 = fixture("network-v2.yaml");
    let update = moto.pcstack(&[
        "deploy",
        "--template",
        &v2,
        "--stack-name",
        "tagged",
        "--progress",
        "log",
    ]);
    assert_eq!(update.status.code(), Some(0), "{}", text(&update));
    let calls = moto.calls("CreateChangeSet");
    assert_eq!(calls.len(), 2, "{calls:?}");
    for prefix in ["Tags", "RoleARN", "NotificationARNs", "Capabilities"] {
        assert!(
            !has_key_prefix(&calls[1], prefix),
            "{prefix} sent: {:?}",
            calls[1]
        );
    }
    assert_eq!(moto.calls("SetStackPolicy").len(), 1);
}

#[test]
fn capabilities_are_those_the_template_needs_and_broadening_asks() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("iam.yaml");
    std::fs::write(&template, IAM_TEMPLATE).expect("template");
    let template = template.display().to_string();
    let base = [
        "deploy",
        "--template",
        &template,
        "--stack-name",
        "iam",
        "--progress",
        "log",
    ];

    // Restricted to CAPABILITY_IAM: the named role needs CAPABILITY_NAMED_IAM; no AWS call.
    let before = moto.aws_requests();
    let restricted = moto.pcstack(&[&base[..], &["--capabilities", "CAPABILITY_IAM"]].concat());
    assert_eq!(restricted.status.code(), Some(2), "{}", text(&restricted));
    assert!(text(&restricted).contains("--capabilities must include CAPABILITY_NAMED_IAM for IAM resource Role, which sets RoleName"), "{}", text(&restricted));
    assert_eq!(moto.aws_requests(), before, "no AWS call");

    // --approve broadening without a terminal: the widening is listed, exit 5, nothing runs.
    let asked = moto.pcstack(&[&base[..], &["--approve", "broadening"]].concat());
    assert_eq!(asked.status.code(), Some(5), "{}", text(&asked));
    let out = text(&asked);
    assert!(out.contains("BROADENING"), "{out}");
    assert!(out.contains("Web (AWS::EC2::SecurityGroup): SecurityGroupIngress[0] ingress from 0.0.0.0/0 (tcp port 443)"), "{out}");
    assert!(
        out.contains("Role (AWS::IAM::Role): allows Action s3:GetObject Resource *"),
        "{out}"
    );
    assert!(out.contains("access would widen"), "{out}");
    let calls = moto.calls("CreateChangeSet");
    assert_eq!(
        calls[0]["Capabilities.member.1"], "CAPABILITY_IAM",
        "{:?}",
        calls[0]
    );
    assert_eq!(
        calls[0]["Capabilities.member.2"], "CAPABILITY_NAMED_IAM",
        "{:?}",
        calls[0]
    );
    assert!(
        !calls[0].contains_key("Capabilities.member.3"),
        "{:?}",
        calls[0]
    );

    // The default (`destructive`) shows the block and does not ask for it.
    let deployed = moto.pcstack(&base);
    assert_eq!(deployed.status.code(), Some(0), "{}", text(&deployed));
    assert!(
        text(&deployed).contains("BROADENING"),
        "{}",
        text(&deployed)
    );
}

/// The text of `<tag>` after the first `after` in an XML answer.
fn xml_after(xml: &str, after: &str, tag: &str) -> String {
    let rest = &xml[xml
        .find(after)
        .unwrap_or_else(|| panic!("{after} in {xml}"))..];
    let open = format!("<{tag}>");
    let start = rest
        .find(&open)
        .unwrap_or_else(|| panic!("{tag} in {rest}"))
        + open.len();
    rest[start..start + rest[start..].find('<').expect("closing tag")].to_string()
}

/// What identifies the hand-made bucket and repository as the ones made by hand: the bucket's
/// creation date and its object, the repository's ARN, creation time and images.
fn hand_made(moto: &Moto, bucket: &str) -> (String, String, serde_json::Value, Vec<String>) {
    let (status, list) = moto.s3_answer_as("123456789012", "GET", "/", "");
    assert_eq!(status, 200, "{list}");
    let created = xml_after(&list, &format!("<Name>{bucket}</Name>"), "CreationDate");
    let (status, object) = moto.s3_answer_as(
        "123456789012",
        "GET",
        &format!("/{bucket}/data/train.csv"),
        "",
    );
    assert_eq!(status, 200, "the object is still in the bucket: {object}");
    let ecr = "AmazonEC2ContainerRegistry_V20150921";
    let (status, repos) = moto.json(
        "ecr",
        &format!("{ecr}.DescribeRepositories"),
        r#"{"repositoryNames": ["pytorch-training-custom"]}"#,
    );
    assert_eq!(status, 200, "{repos}");
    let repo: serde_json::Value = serde_json::from_str(&repos).expect("repositories JSON");
    let repo = repo["repositories"][0].clone();
    let identity = serde_json::json!({
        "arn": repo["repositoryArn"],
        "createdAt": repo["createdAt"],
        "encryption": repo["encryptionConfiguration"],
    });
    let (status, images) = moto.json(
        "ecr",
        &format!("{ecr}.DescribeImages"),
        r#"{"repositoryName": "pytorch-training-custom"}"#,
    );
    assert_eq!(status, 200, "{images}");
    let images: serde_json::Value = serde_json::from_str(&images).expect("images JSON");
    let images = images["imageDetails"]
        .as_array()
        .expect("imageDetails")
        .iter()
        .map(|i| format!("{} {}", i["imageDigest"], i["imageTags"]))
        .collect();
    (created, object, identity, images)
}

/// A tutorial-shaped account: the stack made without the bucket and repository, which were
/// made by hand (the bucket with an object, the repository with a tagged image); deploying the
/// template that holds them stops with the offer, `--adopt` imports them and updates them,
/// nothing deleted or recreated; a second deploy has nothing to do and looks nothing up.
#[test]
fn tutorial_shaped_account_is_adopted() {
    let moto = Moto::start();
    let base = fixture("adopt-base.yaml");
    let full = fixture("adopt.yaml");
    let stack = ["--stack-name", "tut", "--progress", "log"];
    let bucket = "parallelcluster-123456789012-us-east-1";

    let created = moto.pcstack(&[&["deploy", "--template", &base], &stack[..]].concat());
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));

    made_by_hand(&moto, bucket);
    let before = hand_made(&moto, bucket);
    assert_eq!(before.3.len(), 1, "{:?}", before.3);
    let change_sets = moto.calls("CreateChangeSet").len();

    offered_without_adopt(&moto, &full, &stack, bucket, change_sets);
    imported_then_updated(&moto, &full, &stack, bucket, change_sets);
    // Nothing deleted, nothing recreated.
    assert_eq!(hand_made(&moto, bucket), before);
    // The update after the import reached the adopted bucket: its encryption, as in the
    // template (none when made by hand).
    let (status, encryption) =
        moto.s3_answer_as("123456789012", "GET", &format!("/{bucket}?encryption"), "");
    assert_eq!(status, 200, "{encryption}");
    assert!(
        encryption.contains("<SSEAlgorithm>AES256</SSEAlgorithm>"),
        "{encryption}"
    );

    // Again: in the stack, so nothing to look up and nothing to change.
    let (heads, describes) = (
        moto.calls("HeadBucket").len(),
        moto.calls("DescribeRepositories").len(),
    );
    let again = moto.pcstack(&[&["deploy", "--template", &full], &stack[..]].concat());
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(stdout(&again).contains("no changes"), "{}", text(&again));
    assert_eq!(moto.calls("HeadBucket").len(), heads);
    assert_eq!(moto.calls("DescribeRepositories").len(), describes);
    assert_eq!(moto.calls("CreateChangeSet").len(), change_sets + 3);
}

/// By hand, as the tutorial does with the CLI: the bucket with an object, not encrypted,
/// and the repository with a tagged image.
fn made_by_hand(moto: &Moto, bucket: &str) {
    assert_eq!(
        moto.s3_as("123456789012", "PUT", &format!("/{bucket}"), ""),
        200
    );
    assert_eq!(
        moto.s3_as(
            "123456789012",
            "PUT",
            &format!("/{bucket}/data/train.csv"),
            "a,b\n1,2\n"
        ),
        200
    );
    let ecr = "AmazonEC2ContainerRegistry_V20150921";
    let (status, answer) = moto.json(
        "ecr",
        &format!("{ecr}.CreateRepository"),
        r#"{"repositoryName": "pytorch-training-custom"}"#,
    );
    assert_eq!(status, 200, "{answer}");
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
        "layers": []
    });
    let put = serde_json::json!({
        "repositoryName": "pytorch-training-custom",
        "imageManifest": manifest.to_string(),
        "imageTag": "v1",
    });
    let (status, answer) = moto.json("ecr", &format!("{ecr}.PutImage"), &put.to_string());
    assert_eq!(status, 200, "{answer}");
    let (status, encryption) =
        moto.s3_answer_as("123456789012", "GET", &format!("/{bucket}?encryption"), "");
    assert_eq!(status, 404, "made by hand, not encrypted yet: {encryption}");
}

/// Without --adopt: both named with the offer, exit 1, no change set, each resource looked
/// up once.
fn offered_without_adopt(
    moto: &Moto,
    full: &str,
    stack: &[&str],
    bucket: &str,
    change_sets: usize,
) {
    let offer = moto.pcstack(&[&["deploy", "--template", full], stack].concat());
    assert_eq!(offer.status.code(), Some(1), "{}", text(&offer));
    let out = text(&offer);
    assert!(
        out.contains(&format!("DataBucket (AWS::S3::Bucket): {bucket}")),
        "{out}"
    );
    assert!(
        out.contains("TrainingImageRepository (AWS::ECR::Repository): pytorch-training-custom"),
        "{out}"
    );
    // The hint is the command that was run, every flag kept, plus --adopt.
    let hint = [
        &["pcstack", "deploy", "--template", full],
        stack,
        &["--adopt"],
    ]
    .concat()
    .join(" ");
    assert!(out.contains(&format!("`{hint}`")), "{out}");
    assert_eq!(moto.calls("CreateChangeSet").len(), change_sets, "{out}");
    assert_eq!(moto.calls("HeadBucket").len(), 1);
    assert_eq!(
        moto.calls("DescribeRepositories").len(),
        2,
        "one by pcstack, one above"
    );
}

/// --adopt: the IMPORT change set of both resources, then the update; the stack holds them
/// under their names.
fn imported_then_updated(
    moto: &Moto,
    full: &str,
    stack: &[&str],
    bucket: &str,
    change_sets: usize,
) {
    let adopted = moto.pcstack(
        &[
            &[
                "deploy",
                "--template",
                full,
                "--adopt",
                "--approve",
                "never",
            ],
            stack,
        ]
        .concat(),
    );
    assert_eq!(adopted.status.code(), Some(0), "{}", text(&adopted));
    let out = text(&adopted);
    assert!(out.contains("Import (2)"), "{out}");
    // Once each: the update's events are followed by their token, not the import's again.
    assert_eq!(
        out.matches("IMPORT_COMPLETE AWS::S3::Bucket DataBucket")
            .count(),
        1,
        "{out}"
    );
    assert!(out.contains("stack tut: IMPORT_COMPLETE"), "{out}");
    assert!(out.contains("stack tut: UPDATE_COMPLETE"), "{out}");
    let calls = moto.calls("CreateChangeSet");
    assert_eq!(calls.len(), change_sets + 2, "{calls:?}");
    let import = &calls[change_sets];
    assert_eq!(import["ChangeSetType"], "IMPORT", "{import:?}");
    let mut imported: Vec<String> = (1..=2)
        .map(|i| {
            let m = format!("ResourcesToImport.member.{i}");
            format!(
                "{} {}",
                import[&format!("{m}.LogicalResourceId")],
                import[&format!("{m}.ResourceIdentifier.entry.1.value")]
            )
        })
        .collect();
    imported.sort();
    assert_eq!(
        imported,
        [
            format!("\"DataBucket\" \"{bucket}\""),
            "\"TrainingImageRepository\" \"pytorch-training-custom\"".to_string()
        ],
        "{import:?}"
    );
    let (status, resources) = moto.query_answer(
        "cloudformation",
        "Action=DescribeStackResources&StackName=tut&Version=2010-05-15",
    );
    assert_eq!(status, 200, "{resources}");
    for (logical, physical) in [
        ("DataBucket", bucket),
        ("TrainingImageRepository", "pytorch-training-custom"),
    ] {
        let id = format!("<LogicalResourceId>{logical}</LogicalResourceId>");
        assert!(resources.contains(&id), "{resources}");
        assert_eq!(
            xml_after(&resources, &id, "PhysicalResourceId"),
            physical,
            "{resources}"
        );
    }
}

/// A repository of another stack is found like a hand-made one (DescribeRepositories doesn't say
/// who holds it); CloudFormation refuses to import it, and deploy stops there with its reason.
#[test]
fn adopting_another_stacks_repository_is_refused() {
    let moto = Moto::start();
    let other = moto.pcstack(&[
        "deploy",
        "--template",
        &fixture("network-v2.yaml"),
        "--stack-name",
        "other",
        "--progress",
        "quiet",
    ]);
    assert_eq!(other.status.code(), Some(0), "{}", text(&other));
    let base = fixture("adopt-base.yaml");
    let stack = ["--stack-name", "tut", "--progress", "log"];
    let created = moto.pcstack(&[&["deploy", "--template", &base], &stack[..]].concat());
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("taken.yaml");
    let body = std::fs::read_to_string(&base).expect("fixture").replace(
        "Outputs:\n",
        "  Taken:\n    Type: AWS::ECR::Repository\n    DeletionPolicy: Retain\n    Properties:\n      RepositoryName: pcstack-test-images\nOutputs:\n",
    );
    std::fs::write(&template, body).expect("write template");
    let template = template.display().to_string();

    let refused =
        moto.pcstack(&[&["deploy", "--template", &template, "--adopt"], &stack[..]].concat());
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let out = text(&refused);
    assert!(out.contains("already belongs to stack other"), "{out}");
    let (_, resources) = moto.query_answer(
        "cloudformation",
        "Action=DescribeStackResources&StackName=tut&Version=2010-05-15",
    );
    assert!(!resources.contains("Taken"), "{resources}");
    // The failed import change set is deleted, as any failed change set.
    let deleted = moto.calls("DeleteChangeSet");
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert!(
        deleted[0]["ChangeSetName"]
            .as_str()
            .is_some_and(|n| n.contains("pcstack-import-")),
        "{deleted:?}"
    );
}

/// `application/x-www-form-urlencoded` value.
fn form_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// scripts/moto-server's IMPORT change sets enforce CloudFormation's rules: each broken one is
/// FAILED with the reason; a valid one lists the import with its physical ID.
#[test]
fn import_change_sets_follow_cloudformation_rules() {
    let moto = Moto::start();
    let base = fixture("adopt-base.yaml");
    let created = moto.pcstack(&["deploy", "--template", &base, "--stack-name", "tut"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    let bucket = "parallelcluster-123456789012-us-east-1";
    assert_eq!(
        moto.s3_as("123456789012", "PUT", &format!("/{bucket}"), ""),
        200
    );
    let body = std::fs::read_to_string(&base).expect("fixture");
    let with = |resource: &str| body.replace("Outputs:\n", &format!("{resource}Outputs:\n"));
    let adopted = "  DataBucket:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n    Properties:\n      BucketName: !Sub parallelcluster-${AWS::AccountId}-${AWS::Region}\n";
    let cases = [
        (
            "no-policy",
            with(&adopted.replace("    DeletionPolicy: Retain\n", "")),
            bucket,
            "must have a DeletionPolicy",
        ),
        (
            "other-name",
            with(adopted),
            "another-bucket",
            "identifier BucketName=another-bucket does not match the template's BucketName=parallelcluster-123456789012-us-east-1",
        ),
        (
            "missing",
            with(&adopted.replace(
                "!Sub parallelcluster-${AWS::AccountId}-${AWS::Region}",
                "nobody-made-this",
            )),
            "nobody-made-this",
            "BucketName=nobody-made-this does not exist",
        ),
        (
            "changed",
            with(adopted).replace("10.0.1.0/24", "10.0.2.0/24"),
            bucket,
            "You have modified resources ['PublicSubnet'] in your template that are not being imported",
        ),
        (
            "outputs",
            format!("{}  Extra:\n    Value: x\n", with(adopted)),
            bucket,
            "you cannot modify or add ['Outputs']",
        ),
        ("valid", with(adopted), bucket, ""),
    ];
    for (name, template, identifier, reason) in cases {
        let form = format!(
            "Action=CreateChangeSet&Version=2010-05-15&StackName=tut&ChangeSetName={name}\
             &ChangeSetType=IMPORT&TemplateBody={}\
             &ResourcesToImport.member.1.ResourceType=AWS%3A%3AS3%3A%3ABucket\
             &ResourcesToImport.member.1.LogicalResourceId=DataBucket\
             &ResourcesToImport.member.1.ResourceIdentifier.entry.1.key=BucketName\
             &ResourcesToImport.member.1.ResourceIdentifier.entry.1.value={identifier}",
            form_value(&template)
        );
        let (status, answer) = moto.query_answer("cloudformation", &form);
        assert_eq!(status, 200, "{name}: {answer}");
        let (_, described) = moto.query_answer(
            "cloudformation",
            &format!(
                "Action=DescribeChangeSet&Version=2010-05-15&StackName=tut&ChangeSetName={name}"
            ),
        );
        if reason.is_empty() {
            assert!(
                described.contains("<Status>CREATE_COMPLETE</Status>"),
                "{name}: {described}"
            );
            assert!(described.contains("<Action>Import</Action>"), "{described}");
            assert!(
                described.contains(&format!(
                    "<PhysicalResourceId>{bucket}</PhysicalResourceId>"
                )),
                "{described}"
            );
        } else {
            assert!(
                described.contains("<Status>FAILED</Status>"),
                "{name}: {described}"
            );
            let got = xml_after(&described, "<Status>FAILED</Status>", "StatusReason");
            assert!(
                got.replace("&#x27;", "'")
                    .replace("&apos;", "'")
                    .contains(reason),
                "{name}: {described}"
            );
        }
    }
}

/// Starts `pcstack args` and kills it (SIGKILL: no cleanup runs) once the server has received
/// one more `action` request.
fn killed_after(moto: &Moto, args: &[&str], action: &str) {
    let before = moto.calls(action).len();
    let mut child = moto
        .command(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start pcstack");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while moto.calls(action).len() == before {
        if child.try_wait().expect("pcstack status").is_some() {
            let out = child.wait_with_output().expect("pcstack output");
            panic!("pcstack ended before {action}: {}", text(&out));
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {action} within 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().expect("kill pcstack");
    let _ = child.wait();
}

#[test]
fn a_deploy_killed_at_each_step_is_recovered_by_the_next() {
    // Delays: the change set is computed and the stack operation runs while pcstack polls, so
    // a kill lands in the middle of each step.
    let moto = Moto::start_with(&["--change-set-delay", "1.5", "--stack-delay", "2"]);
    let template = fixture("network.yaml");
    let deploy = |name: &str, environment: &str| {
        let value = format!("Environment={environment}");
        let args = [
            "deploy",
            "--template",
            &template,
            "--stack-name",
            name,
            "--parameter",
            &value,
            "--progress",
            "log",
        ];
        args.map(String::from)
    };
    let steps = [
        // A create killed while its change set is computed leaves a stack under review (its
        // template not one the stand-in parsed); killed while it runs, one in progress.
        ("under-review", "dev", "CreateChangeSet", "CREATE_COMPLETE"),
        ("creating", "dev", "ExecuteChangeSet", "CREATE_COMPLETE"),
        // An update killed with its change set left, or while the update runs.
        ("under-review", "prod", "CreateChangeSet", "UPDATE_COMPLETE"),
        ("creating", "prod", "ExecuteChangeSet", "UPDATE_COMPLETE"),
    ];
    let run = |args: &[String]| moto.pcstack(&args.iter().map(String::as_str).collect::<Vec<_>>());
    for (i, (name, environment, step, done)) in steps.into_iter().enumerate() {
        let args = deploy(name, environment);
        killed_after(
            &moto,
            &args.iter().map(String::as_str).collect::<Vec<_>>(),
            step,
        );
        // Another stack deploys meanwhile: nothing the killed deploy left trips it.
        let other = run(&deploy(&format!("other-{i}"), "dev"));
        assert_eq!(other.status.code(), Some(0), "{}", text(&other));
        // The same deploy again finishes the job: a new change set for the stack under
        // review or the change set left, or the operation in progress followed to its end.
        let rerun = run(&args);
        let out = text(&rerun);
        assert_eq!(
            rerun.status.code(),
            Some(0),
            "after a kill at {step}: {out}"
        );
        assert!(
            out.contains(&format!("stack {name}: {done}")) || stdout(&rerun).contains("no changes"),
            "after a kill at {step}: {out}"
        );
        let env = moto.pcstack(&["outputs", "--stack-name", name, "--format", "json"]);
        assert_eq!(env.status.code(), Some(0), "{}", text(&env));
        assert!(
            stdout(&env).contains("\"VPC_ID\": \"vpc-"),
            "{}",
            text(&env)
        );
    }
    // Both stacks hold the last deploy's value: deploying it again changes nothing.
    for name in ["under-review", "creating"] {
        let same = run(&deploy(name, "prod"));
        assert!(stdout(&same).contains("no changes"), "{}", text(&same));
    }
}

/// A stack created around pcstack (CreateStack straight to the stand-in), as anyone who can
/// change the stack could: what `outputs` makes of its names and values.
fn hostile_stack(moto: &Moto, name: &str, template: &serde_json::Value) {
    let form = format!(
        "Action=CreateStack&StackName={name}&TemplateBody={}",
        // C1 and DEL escaped in the JSON text: moto reads templates as YAML, which refuses
        // them raw.
        form_value(
            &template
                .to_string()
                .replace('\u{9b}', "\\u009b")
                .replace('\u{7f}', "\\u007f")
        )
    );
    let (status, body) = moto.query_answer("cloudformation", &form);
    assert_eq!(status, 200, "{body}");
}

/// What CloudFormation's XML answers can carry (ESC and BEL can't be in XML 1.0; the SDK
/// refuses them): a CR that overwrites the line, the 8-bit CSI that clears the screen on a
/// terminal that reads C1, DEL, and the shell's quoting characters.
const HOSTILE: &str = "x\rover\u{9b}2J\u{7f}'\"$(touch nope)\\";

#[test]
fn hostile_output_names_and_values_reach_no_shell_and_no_terminal() {
    let moto = Moto::start();
    let handle = serde_json::json!({"Type": "AWS::CloudFormation::WaitConditionHandle"});
    // Output keys that derive names a shell acts on, and a value with terminal escapes.
    let derived = serde_json::json!({
        "Resources": {"Handle": handle},
        "Outputs": {
            "Path": {"Value": "/tmp/evil"},
            "PromptCommand": {"Value": "touch /tmp/pwned"},
            "LdPreload": {"Value": "/tmp/evil.so"},
            "Text": {"Value": HOSTILE, "Description": HOSTILE},
        }
    });
    hostile_stack(&moto, "derived", &derived);
    let env = moto.pcstack(&["outputs", "--stack-name", "derived", "--format", "env"]);
    assert_eq!(env.status.code(), Some(0), "{}", text(&env));
    let file = stdout(&env);
    for line in [
        "export OUTPUT_PATH=/tmp/evil",
        "export OUTPUT_PROMPT_COMMAND='touch /tmp/pwned'",
        "export OUTPUT_LD_PRELOAD=/tmp/evil.so",
    ] {
        assert!(file.contains(line), "{file}");
    }
    assert!(
        !file.chars().any(|c| c.is_control() && c != '\n'),
        "{file:?}"
    );
    // The shell reads the value back byte for byte, and runs nothing.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("env.sh");
    std::fs::write(&path, &file).expect("write env file");
    let read = std::process::Command::new("bash")
        .current_dir(dir.path())
        .arg("-c")
        .arg(format!("source {}; printf %s \"$TEXT\"", path.display()))
        .output()
        .expect("bash");
    assert_eq!(String::from_utf8_lossy(&read.stdout), HOSTILE);
    assert!(!dir.path().join("nope").exists());
    // The table and the error lines carry no raw control character.
    let table = moto.pcstack(&["outputs", "--stack-name", "derived", "--format", "table"]);
    assert_eq!(table.status.code(), Some(0), "{}", text(&table));
    let shown = stdout(&table);
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "{shown:?}"
    );
    assert!(shown.contains("x\\rover\\u{9b}2J\\x7f'"), "{shown}");

    // A declared name the shell acts on: refused, nothing written.
    let declared = serde_json::json!({
        "Metadata": {"pcstack": {"OutputEnvironmentVariables": {"Hook": "BASH_ENV"}}},
        "Resources": {"Handle": handle},
        "Outputs": {"Hook": {"Value": "/tmp/evil.sh"}}
    });
    hostile_stack(&moto, "declared", &declared);
    let env = moto.pcstack(&["outputs", "--stack-name", "declared", "--format", "env"]);
    assert_eq!(env.status.code(), Some(1), "{}", text(&env));
    assert_eq!(stdout(&env), "");
    assert!(
        text(&env).contains("Metadata.pcstack.OutputEnvironmentVariables.Hook must not be a name a shell, loader or runtime acts on"),
        "{}",
        text(&env)
    );
}

#[test]
fn outputs_file_that_is_no_regular_file_or_in_an_unwritable_folder_is_refused_first() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo.env");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let link = dir.path().join("null.env");
    std::os::unix::fs::symlink("/dev/null", &link).expect("symlink");
    let dangling = dir.path().join("dangling.env");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).expect("symlink");
    let template = fixture("network.yaml");
    for (path, why) in [
        (fifo.clone(), "is not a regular file: a FIFO"),
        (link.clone(), "is not a regular file: a device"),
        (
            dangling.clone(),
            "is not a regular file: a symbolic link to nothing",
        ),
        // Not writable even for root.
        (
            "/proc/pcstack-outputs.env".into(),
            "must be in a folder pcstack can write to",
        ),
    ] {
        let shown = path.display().to_string();
        let o = moto.pcstack(&[
            "deploy",
            "--template",
            &template,
            "--stack-name",
            "net",
            "--outputs-file",
            &shown,
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(why), "{}", text(&o));
        assert!(text(&o).contains("nothing was sent to AWS"), "{}", text(&o));
    }
    assert_eq!(moto.aws_requests(), 0);
    assert!(std::fs::symlink_metadata(&fifo)
        .expect("fifo")
        .file_type()
        .is_fifo());
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
}

#[test]
fn a_malformed_answer_is_named_as_such() {
    let moto = Moto::start();
    // ESC can't be in XML 1.0: the SDK can't read the DescribeStacks answer that carries it.
    let template = serde_json::json!({
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"Text": {"Value": "a\u{1b}[2Jb"}}
    });
    hostile_stack(&moto, "cut", &template);
    let o = moto.pcstack(&["outputs", "--stack-name", "cut", "--format", "env"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(stdout(&o), "");
    assert!(
        text(&o).contains(
            "DescribeStacks cut failed: AWS sent a malformed answer to DescribeStacks (HTTP 200"
        ),
        "{}",
        text(&o)
    );
}

#[test]
fn template_bucket_names_are_checked_before_any_call() {
    let moto = Moto::start();
    let template = fixture("network.yaml");
    for bucket in ["a/b", "UPPER", "x"] {
        let o = moto.pcstack(&[
            "deploy",
            "--template",
            &template,
            "--stack-name",
            "net",
            "--template-bucket",
            bucket,
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            text(&o).contains("--template-bucket: BucketName must"),
            "{}",
            text(&o)
        );
        assert!(
            text(&o).contains(&format!("got \"{bucket}\"")),
            "{}",
            text(&o)
        );
    }
    assert_eq!(moto.aws_requests(), 0);
}

/// Runs pcstack on a pseudo-terminal (Python's pty module) and sends it `signal` (`SIGINT`,
/// `SIGTERM`, `SIGHUP`) once `trigger` shows on the terminal; never types anything. Returns
/// the exit code (None: still running 15 s after the signal, then killed) and the output.
fn signalled_on_a_terminal(
    moto: &Moto,
    args: &[&str],
    trigger: &str,
    signal: &str,
) -> (Option<i32>, String) {
    let script = r#"
import os, pty, select, signal, sys, time
trigger, sig = sys.argv[1].encode(), getattr(signal, sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[3], sys.argv[3:])
out, sent, code = b"", None, None
deadline = time.time() + 90
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        out += chunk
    if sent is None and trigger in out:
        os.kill(pid, sig)
        sent = time.time()
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
    if sent is not None and time.time() - sent > 15:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        break
sys.stdout.write(out.decode("utf-8", "replace"))
sys.stdout.write("\nEXIT:%s" % ("" if code is None else code))
"#;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let like = moto.command(&[]);
    let mut c = std::process::Command::new(root.join(".venv/bin/python"));
    c.arg("-c")
        .arg(script)
        .arg(trigger)
        .arg(signal)
        .arg(env!("CARGO_BIN_EXE_pcstack"))
        .args(args)
        .stdin(std::process::Stdio::null());
    for (k, v) in like.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let o = c.output().expect("python pty");
    let all = String::from_utf8_lossy(&o.stdout).to_string();
    let (output, code) = all.rsplit_once("\nEXIT:").expect("script output");
    (code.trim().parse().ok(), output.to_string())
}

fn stack_exists(moto: &Moto, name: &str) -> bool {
    let (status, body) = moto.query_answer(
        "cloudformation",
        &format!("Action=DescribeStacks&StackName={name}"),
    );
    status == 200 && body.contains("<StackName>")
}

#[test]
fn a_signal_at_a_question_or_while_a_change_set_is_computed_cleans_up_and_exits_at_once() {
    let moto = Moto::start_with(&["--change-set-delay", "3"]);
    let template = fixture("network.yaml");
    let created = moto.pcstack(&["deploy", "--template", &template, "--stack-name", "kept"]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    for signal in ["SIGINT", "SIGTERM", "SIGHUP"] {
        // destroy's question: a no, at once, without Enter.
        let (code, out) =
            signalled_on_a_terminal(&moto, &["destroy", "--stack-name", "kept"], "[y/N]", signal);
        assert_eq!(code, Some(130), "{signal} at destroy's question:\n{out}");
        assert!(stack_exists(&moto, "kept"), "{signal}: {out}");
        // deploy's approval of a new stack: its change set and the stack under review are
        // deleted.
        let deletes = moto.calls("DeleteChangeSet").len();
        let (code, out) = signalled_on_a_terminal(
            &moto,
            &[
                "deploy",
                "--template",
                &template,
                "--stack-name",
                "asked",
                "--approve",
                "any",
            ],
            "[y/N]",
            signal,
        );
        assert_eq!(code, Some(130), "{signal} at deploy's question:\n{out}");
        assert_eq!(moto.calls("DeleteChangeSet").len(), deletes + 1, "{out}");
        assert!(!stack_exists(&moto, "asked"), "{signal}: {out}");
    }
    // Without a terminal (CI cancelling a job): SIGTERM while the change set is computed.
    let deletes = moto.calls("DeleteChangeSet").len();
    let before = moto.calls("CreateChangeSet").len();
    let mut child = moto
        .command(&["deploy", "--template", &template, "--stack-name", "ci"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("pcstack");
    while moto.calls("CreateChangeSet").len() == before {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("status") {
            break status.code();
        }
        assert!(
            started.elapsed().as_secs() < 15,
            "still running after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = child.wait_with_output().expect("output");
    assert_eq!(code, Some(130), "{}", text(&out));
    assert_eq!(
        moto.calls("DeleteChangeSet").len(),
        deletes + 1,
        "{}",
        text(&out)
    );
    assert!(!stack_exists(&moto, "ci"), "{}", text(&out));
}

#[test]
fn diff_shows_no_raw_control_character() {
    let moto = Moto::start();
    let handle = serde_json::json!({"Type": "AWS::CloudFormation::WaitConditionHandle"});
    let deployed = serde_json::json!({
        "Resources": {"Handle": handle},
        "Outputs": {"Text": {"Value": "plain"}}
    });
    hostile_stack(&moto, "shown", &deployed);
    let dir = tempfile::tempdir().expect("tempdir");
    let local = dir.path().join("t.json");
    // A value (shown quoted) and a key (shown as a path) carrying terminal escapes.
    let changed = serde_json::json!({
        "Resources": {"Handle": {
            "Type": "AWS::CloudFormation::WaitConditionHandle",
            "Metadata": {"k\u{1b}]0;pwned\u{7}\u{1b}[2J\rover": {"x": 1}}
        }},
        "Outputs": {"Text": {"Value": "a\u{1b}]0;pwned\u{7}\u{1b}[2J\rover"}}
    });
    std::fs::write(&local, changed.to_string()).expect("template");
    let o = moto.pcstack(&[
        "diff",
        "--stack-name",
        "shown",
        "--template",
        local.to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let shown = stdout(&o);
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "{shown:?}"
    );
    assert!(shown.contains("pwned"), "{shown}");
}

#[test]
fn a_failure_reason_reaches_the_terminal_escaped() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.json");
    // The stand-in refuses the block and quotes it in the resource's CREATE_FAILED reason, as
    // a custom resource's code may put anything in its own.
    let template = serde_json::json!({"Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.9.0.0/24\rover\u{9b}2J"
        }}
    }});
    // C1 escaped in the JSON text (moto reads templates as YAML, which refuses it raw).
    let body = template.to_string().replace('\u{9b}', "\\u009b");
    std::fs::write(&path, body).expect("template");
    let o = moto.pcstack(&[
        "deploy",
        "--template",
        path.to_str().expect("path"),
        "--stack-name",
        "fails",
        "--progress",
        "log",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("CREATE_FAILED"), "{err}");
    assert!(err.contains("\\rover\\u{9b}2J"), "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
}
