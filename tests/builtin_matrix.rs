//! The built-in stack rehearsed end to end on the repository's own stand-in
//! (scripts/moto-server): created from an empty account, then every field of the config
//! reference changed alone from the default and deployed. For each change: `diff` predicts
//! which resources are replaced, the deploy does exactly that (physical IDs read back), the
//! stack's parameters hold the config's values, `diff` then finds nothing, a second deploy
//! says no changes, and the env file and `cluster-config` follow. Needs `.venv`: run
//! scripts/python-tools once.
//!
//! Left out, each covered elsewhere: `region` (another Region is another stack, not a change
//! to this one), `assets` (uploaded after the stack, tests/deploy_moto.rs), `parameters` (sets
//! no field's parameter, `a_parameter_contradicting_the_config_is_refused_before_any_call`),
//! `logs.bucket_name` (a rename as `bucket.name`), and the cluster section past the head
//! node's type and the OS (cluster-config only, tests/cluster_config.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{stdout, text, Moto};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const STACK: &str = "pc";

/// The config every case starts from: the default, with a zone (required on create). Its
/// assets, the tutorial's bootstrap scripts, are written beside it ([`bootstrap_scripts`]).
const BASE: &str = "network:\n  availability_zone: us-east-1a\n";

/// The default config's assets, relative to the config's folder.
fn bootstrap_scripts(dir: &Path) {
    let folder = dir.join("examples/scripts/bootstrap");
    std::fs::create_dir_all(&folder).unwrap();
    for node in ["head", "compute"] {
        std::fs::write(
            folder.join(format!("{node}-node-enroot-pyxis-setup.sh")),
            format!("#!/bin/sh\necho {node}\n"),
        )
        .unwrap();
    }
}

/// One field changed alone from [`BASE`].
struct Case {
    /// The config field, as the README's config reference names it.
    field: &'static str,
    /// The whole config with the field changed.
    config: String,
    /// Resources that must be replaced (a subset: the prediction and the stand-in must agree
    /// on the whole set).
    replaced: &'static [&'static str],
    /// Whether anything at all may be replaced.
    replaces: bool,
    /// Parameter values the stack must hold afterwards.
    parameters: &'static [(&'static str, &'static str)],
    /// Lines the env file must hold afterwards.
    env: &'static [&'static str],
    /// CloudFormation would start the update and roll back (`WOULD FAIL`): deploy refuses it
    /// before any change set.
    refused: bool,
}

impl Case {
    /// `field` changed alone: `lines` of YAML after [`BASE`]; updated in place, nothing refused.
    fn new(field: &'static str, lines: &str) -> Case {
        Case::whole(field, &format!("{BASE}{lines}"))
    }

    /// `field` changed in a config that doesn't start from [`BASE`].
    fn whole(field: &'static str, config: &str) -> Case {
        Case {
            field,
            config: config.to_string(),
            replaced: &[],
            replaces: false,
            parameters: &[],
            env: &[],
            refused: false,
        }
    }

    /// These resources (at least) are replaced.
    fn replacing(self, ids: &'static [&'static str]) -> Case {
        Case {
            replaced: ids,
            replaces: true,
            ..self
        }
    }

    /// The stack holds these parameter values afterwards.
    fn holding(self, parameters: &'static [(&'static str, &'static str)]) -> Case {
        Case { parameters, ..self }
    }

    /// The env file holds these lines afterwards.
    fn env(self, env: &'static [&'static str]) -> Case {
        Case { env, ..self }
    }

    /// Deploy refuses it before any change set (`WOULD FAIL`).
    fn refused(self) -> Case {
        Case {
            refused: true,
            ..self
        }
    }
}

/// The cases that grow a file system, last but one: FSx can't shrink it back.
const GROWN: [&str; 2] = ["lustre.capacity", "openzfs.capacity"];

/// The last cases: a renamed repository or bucket leaves the old one, retained, holding its
/// name, so each keeps the renames before it.
const RENAMED: [&str; 2] = ["repository.name", "bucket.name"];

const DATA: [&str; 2] = ["FSxLFilesystem", "OpenZFSFileSystem"];

fn cases() -> Vec<Case> {
    vec![
        Case::new("openzfs.throughput", "openzfs:\n  throughput: 640\n")
            .holding(&[("OpenZFSThroughput", "640")]),
        Case::new("lustre.per_unit_storage_throughput", "lustre:\n  per_unit_storage_throughput: 100\n")
            .holding(&[("PerUnitStorageThroughput", "100")]),
        // Only the Capacity parameter's AllowedValues change: no resource does.
        Case::new("lustre.max_capacity", "lustre:\n  max_capacity: 9600\n")
            .holding(&[("Capacity", "2400")]),
        // Create-only: a new file system, and the associations (FileSystemId is
        // create-only) recreated on it; the DANGER block says what they bring back.
        Case::new("lustre.deployment_type", "lustre:\n  deployment_type: PERSISTENT_2\n  per_unit_storage_throughput: 250\n")
            .replacing(&[DATA[0], "DataAssociation", "CheckpointsAssociation", "LogsAssociation", "ResultsAssociation"])
            .holding(&[("PerUnitStorageThroughput", "250")]),
        // A second private subnet and its routing are added; nothing is replaced (the S3
        // endpoint's RouteTableIds are updatable).
        Case::new("network.second_availability_zone", "  second_availability_zone: us-east-1b\n")
            .holding(&[("SecondarySubnetAZ", "us-east-1b")]),
        // Create-only: a new OpenZFS file system across both private subnets; no data
        // repository brings /home back (the DANGER line says so).
        Case::new("openzfs.deployment_type", "  second_availability_zone: us-east-1b\nopenzfs:\n  deployment_type: MULTI_AZ_1\n")
            .replacing(&[DATA[1]])
            .holding(&[("SecondarySubnetAZ", "us-east-1b")]),
        Case::new("lustre.compression", "lustre:\n  compression: NONE\n")
            .holding(&[("Compression", "NONE")]),
        // FileSystemTypeVersion is updatable (the registry schema), but FSx upgrades only:
        // 2.15 -> 2.12 would fail and roll back.
        Case::new("lustre.version", "lustre:\n  version: '2.12'\n")
            .refused(),
        // Create-only: the repository is replaced, under the name the current one holds.
        Case::new("repository.encryption", "repository:\n  encryption: AES256\n")
            .replacing(&["TrainingImageRepository"])
            .refused(),
        Case::new("lustre.mount_point", "lustre:\n  mount_point: /fsx\n")
            .env(&["export LUSTRE_DATA_DIR=/fsx/data"]),
        Case::new("network.vpc_name", "  vpc_name: lab\n")
            .holding(&[("VPCName", "lab")]),
        Case::new("network.create_s3_endpoint", "  create_s3_endpoint: false\n")
            .holding(&[("CreateS3Endpoint", "false")]),
        // Each subnet's replacement would be created beside it with its block, and the NAT
        // gateway's with its address: EC2 refuses both.
        Case::whole("network.availability_zone", "network:\n  availability_zone: us-east-1b\n")
            .replacing(&["PublicSubnet", "PrimaryPrivateSubnet", DATA[0], DATA[1]])
            .refused(),
        // The internet gateway, kept, can't be attached to the new VPC beside the old.
        Case::new("network.primary_cidr", "  primary_cidr: 10.2.0.0/16\n")
            .replacing(&["VPC", "PublicSubnet", "PrimaryPrivateSubnet", DATA[0], DATA[1]])
            .refused(),
        Case::new("network.secondary_cidr", "  secondary_cidr: 10.3.0.0/16\n")
            .replacing(&["VpcCidrBlock", "PrimaryPrivateSubnet", DATA[0], DATA[1]]),
        Case::new("repository.image_tag", "repository:\n  image_tag: v2\n")
            .env(&["export IMAGE_TAG=v2"]),
        Case::new("logs.retention_days", "logs:\n  retention_days: 30\n"),
        Case::new("tags", "tags:\n  team: ml\n"),
        Case::new("lustre.removal", "lustre:\n  removal: Delete\n"),
        Case::new("cluster.head_node.instance_type", "cluster:\n  head_node:\n    instance_type: m5.4xlarge\n"),
        Case::new("openzfs.removal", "openzfs:\n  removal: Delete\n"),
        Case::new("bucket.removal", "bucket:\n  removal: Delete\n"),
        Case::new("logs.removal", "logs:\n  removal: Delete\n"),
        Case::new("repository.removal", "repository:\n  removal: Delete\n"),
        Case::new("associations[].import", "associations:\n  - {id: DataAssociation, file_system_path: /data, s3_prefix: data/, import: [NEW], batch_import_on_create: true, output: LustreDataDir, env: LUSTRE_DATA_DIR}\n  - {id: CheckpointsAssociation, file_system_path: /checkpoints, s3_prefix: checkpoints/, import: [NEW, CHANGED, DELETED], export: [NEW, CHANGED, DELETED], output: LustreCheckpointDir, env: LUSTRE_CHECKPOINT_DIR}\n  - {id: LogsAssociation, file_system_path: /logs, s3_prefix: logs/, export: [NEW, CHANGED, DELETED], output: LustreLogDir, env: LUSTRE_LOG_DIR}\n  - {id: ResultsAssociation, file_system_path: /results, s3_prefix: results/, export: [NEW, CHANGED, DELETED], output: LustreResultsDir, env: LUSTRE_RESULTS_DIR}\n"),
        Case::new("associations[].file_system_path", "associations:\n  - {id: DataAssociation, file_system_path: /dataset, s3_prefix: data/, import: [NEW, CHANGED, DELETED], batch_import_on_create: true, output: LustreDataDir, env: LUSTRE_DATA_DIR}\n  - {id: CheckpointsAssociation, file_system_path: /checkpoints, s3_prefix: checkpoints/, import: [NEW, CHANGED, DELETED], export: [NEW, CHANGED, DELETED], output: LustreCheckpointDir, env: LUSTRE_CHECKPOINT_DIR}\n  - {id: LogsAssociation, file_system_path: /logs, s3_prefix: logs/, export: [NEW, CHANGED, DELETED], output: LustreLogDir, env: LUSTRE_LOG_DIR}\n  - {id: ResultsAssociation, file_system_path: /results, s3_prefix: results/, export: [NEW, CHANGED, DELETED], output: LustreResultsDir, env: LUSTRE_RESULTS_DIR}\n")
            .replacing(&["DataAssociation"])
            .env(&["export LUSTRE_DATA_DIR=/lustre/dataset"]),
        Case::new("cluster.os", "cluster:\n  os: alinux2023\n"),
        Case::new("lustre.capacity", "lustre:\n  capacity: 4800\n")
            .holding(&[("Capacity", "4800")]),
        Case::new("openzfs.capacity", "lustre:\n  capacity: 4800\nopenzfs:\n  capacity: 1024\n")
            .holding(&[("OpenZFSCapacity", "1024"), ("Capacity", "4800")]),
        Case::new("repository.name", "lustre:\n  capacity: 4800\nopenzfs:\n  capacity: 1024\nrepository:\n  name: training-two\n")
            .replacing(&["TrainingImageRepository"])
            .env(&["export ECR_REPO_NAME=training-two"]),
        // Renamed, the bucket is replaced, and with it whatever takes its name in a
        // create-only property: the associations' DataRepositoryPath.
        Case::new("bucket.name", "lustre:\n  capacity: 4800\nopenzfs:\n  capacity: 1024\nrepository:\n  name: training-two\nbucket:\n  name: pcstack-data-${AWS::AccountId}-${AWS::Region}\n")
            .replacing(&["DataBucket", "DataAssociation", "ResultsAssociation"])
            .env(&["export S3_BUCKET_NAME=pcstack-data-123456789012-us-east-1"]),
    ]
}

/// `logical ID -> physical ID` of the stack's resources (DescribeStackResources).
fn physical_ids(moto: &Moto) -> BTreeMap<String, String> {
    let (status, xml) = moto.query_answer(
        "cloudformation",
        &format!("Action=DescribeStackResources&StackName={STACK}&Version=2010-05-15"),
    );
    assert_eq!(status, 200, "{xml}");
    xml.split("<member>")
        .skip(1)
        .filter_map(|m| Some((tag(m, "LogicalResourceId")?, tag(m, "PhysicalResourceId")?)))
        .collect()
}

/// The stack's parameter values (DescribeStacks).
fn parameters(moto: &Moto) -> BTreeMap<String, String> {
    let (status, xml) = moto.query_answer(
        "cloudformation",
        &format!("Action=DescribeStacks&StackName={STACK}&Version=2010-05-15"),
    );
    assert_eq!(status, 200, "{xml}");
    let section = xml
        .split_once("<Parameters>")
        .and_then(|(_, rest)| rest.split_once("</Parameters>"))
        .map(|(p, _)| p)
        .unwrap_or_default();
    section
        .split("<member>")
        .skip(1)
        .filter_map(|m| Some((tag(m, "ParameterKey")?, tag(m, "ParameterValue")?)))
        .collect()
}

fn tag(xml: &str, name: &str) -> Option<String> {
    let (_, rest) = xml.split_once(&format!("<{name}>"))?;
    let (value, _) = rest.split_once(&format!("</{name}>"))?;
    Some(value.to_string())
}

/// The resources `diff --format json` says are replaced (or may be).
fn predicted(moto: &Moto, config: &Path) -> (BTreeSet<String>, serde_json::Value) {
    let out = moto.pcstack(&[
        "diff",
        "--config",
        &config.display().to_string(),
        "--stack-name",
        STACK,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("diff JSON");
    let replaced = diff["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["replacement"] == true || r["maybe_replacement"] == true)
        .filter_map(|r| r["logical_id"].as_str().map(String::from))
        .collect();
    (replaced, diff)
}

fn deploy(moto: &Moto, config: &Path, extra: &[&str]) -> std::process::Output {
    moto.deploy_builtin(&config.display().to_string(), STACK, extra)
}

fn env_file(moto: &Moto) -> String {
    let out = moto.pcstack(&["outputs", "--stack-name", STACK, "--format", "env"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    stdout(&out)
}

/// Deploys `config` over the stack as it stands and checks everything the case promises.
fn rehearse(moto: &Moto, dir: &Path, case: &Case) {
    let config = dir.join(format!("{}.yaml", case.field));
    std::fs::write(&config, &case.config).unwrap();
    let field = case.field;
    let before = physical_ids(moto);
    let (predicted, diff) = predicted(moto, &config);
    for id in case.replaced {
        assert!(
            predicted.contains(*id),
            "{field}: {id} not predicted replaced: {diff:#}"
        );
    }
    if case.refused {
        refused_before_any_change_set(moto, &config, field, &diff, &before);
        return;
    }
    let danger = diff["danger"].as_array().is_some_and(|d| !d.is_empty());
    if danger {
        stopped_without_a_terminal(moto, &config, field, &before);
    }
    applied_as_predicted(moto, &config, case, &before, &predicted);
    settled(moto, &config, case);
}

/// A change the stack can't take is refused by `deploy --approve never` before any change set.
fn refused_before_any_change_set(
    moto: &Moto,
    config: &Path,
    field: &str,
    diff: &serde_json::Value,
    before: &BTreeMap<String, String>,
) {
    let conflicts = diff["conflicts"].as_array().expect("conflicts");
    assert!(!conflicts.is_empty(), "{field}: {diff:#}");
    let change_sets = moto.calls("CreateChangeSet").len();
    let out = deploy(moto, config, &["--approve", "never"]);
    assert_eq!(out.status.code(), Some(1), "{field}: {}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("WOULD FAIL"), "{field}: {err}");
    assert!(
        err.contains("no change set was created; nothing was changed"),
        "{field}: {err}"
    );
    assert_eq!(moto.calls("CreateChangeSet").len(), change_sets, "{field}");
    assert_eq!(&physical_ids(moto), before, "{field}: nothing changed");
}

/// Without a terminal a predicted loss of data stops before any change set, and says what is
/// lost and what comes back.
fn stopped_without_a_terminal(
    moto: &Moto,
    config: &Path,
    field: &str,
    before: &BTreeMap<String, String>,
) {
    let change_sets = moto.calls("CreateChangeSet").len();
    let stopped = deploy(moto, config, &[]);
    assert_eq!(
        stopped.status.code(),
        Some(5),
        "{field}: {}",
        text(&stopped)
    );
    assert!(
        text(&stopped).contains("DANGER"),
        "{field}: {}",
        text(&stopped)
    );
    assert_eq!(moto.calls("CreateChangeSet").len(), change_sets, "{field}");
    assert_eq!(&physical_ids(moto), before, "{field}: nothing changed");
    if field == "openzfs.deployment_type" {
        assert!(
            text(&stopped).contains("OpenZFSFileSystem (AWS::FSx::FileSystem): replaced by a new, empty one (create-only OpenZFSConfiguration/DeploymentType, SubnetIds changed)"),
            "{}",
            text(&stopped)
        );
        assert!(
            text(&stopped).contains("no data repository association brings anything back"),
            "{}",
            text(&stopped)
        );
    }
    if field == "lustre.deployment_type" {
        assert!(
            text(&stopped).contains("its data repository associations bring back on the new one: DataAssociation /data (its S3 prefix listed at creation, then S3 changes)"),
            "{}",
            text(&stopped)
        );
    }
}

/// `deploy --approve never` applies the change: the stand-in replaces exactly what diff
/// predicted, and the stack holds the case's parameter values.
fn applied_as_predicted(
    moto: &Moto,
    config: &Path,
    case: &Case,
    before: &BTreeMap<String, String>,
    predicted: &BTreeSet<String>,
) {
    let field = case.field;
    let done = deploy(moto, config, &["--approve", "never"]);
    assert_eq!(done.status.code(), Some(0), "{field}: {}", text(&done));
    // A parameter every field sets is used by a resource: its change is a resource change.
    if text(&done).contains("Parameters this deploy changes") {
        assert!(
            !text(&done).contains("no resource changes"),
            "{field}: {}",
            text(&done)
        );
    }
    let after = physical_ids(moto);
    let replaced: BTreeSet<String> = before
        .iter()
        .filter(|(id, physical)| after.get(*id).is_some_and(|p| p != *physical))
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(
        &replaced,
        predicted,
        "{field}: the stand-in replaced what diff did not predict (or the reverse)\n{}",
        text(&done)
    );
    assert_eq!(!replaced.is_empty(), case.replaces, "{field}: {replaced:?}");
    let held = parameters(moto);
    for (name, value) in case.parameters {
        assert_eq!(
            held.get(*name).map(String::as_str),
            Some(*value),
            "{field}: {held:?}"
        );
    }
}

/// Once applied, the config is the stack's state: diff finds nothing, a second deploy changes
/// nothing, and the env file and the cluster configuration follow it.
fn settled(moto: &Moto, config: &Path, case: &Case) {
    let field = case.field;
    let again = moto.pcstack(&[
        "diff",
        "--config",
        &config.display().to_string(),
        "--stack-name",
        STACK,
        "--fail",
    ]);
    assert_eq!(again.status.code(), Some(0), "{field}: {}", text(&again));
    let second = deploy(moto, config, &[]);
    assert_eq!(second.status.code(), Some(0), "{field}: {}", text(&second));
    assert!(
        stdout(&second).contains("no changes"),
        "{field}: {}",
        text(&second)
    );
    let env = env_file(moto);
    for line in case.env {
        assert!(
            env.lines().any(|l| l == *line),
            "{field}: {line} not in\n{env}"
        );
    }
    cluster_config_follows(moto, config, field, &env);
}

/// `cluster-config` runs on the deployed stack, names its private subnet and follows the
/// config's cluster fields.
fn cluster_config_follows(moto: &Moto, config: &Path, field: &str, env: &str) {
    let cluster = moto.pcstack(&[
        "cluster-config",
        "--stack-name",
        STACK,
        "--config",
        &config.display().to_string(),
    ]);
    assert_eq!(
        cluster.status.code(),
        Some(0),
        "{field}: {}",
        text(&cluster)
    );
    let subnet = env
        .lines()
        .find_map(|l| l.strip_prefix("export PRIVATE_SUBNET_ID="))
        .expect("PRIVATE_SUBNET_ID");
    assert!(
        stdout(&cluster).contains(subnet),
        "{field}: {}",
        text(&cluster)
    );
    let follows = match field {
        "cluster.head_node.instance_type" => "InstanceType: m5.4xlarge",
        "cluster.os" => "Os: alinux2023",
        _ => "",
    };
    assert!(
        stdout(&cluster).contains(follows),
        "{field}: {}",
        text(&cluster)
    );
}

#[test]
fn every_config_field_reaches_the_stack_as_predicted() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    bootstrap_scripts(dir.path());
    let base = dir.path().join("base.yaml");
    std::fs::write(&base, BASE).unwrap();
    // A create from an empty account.
    let created = deploy(&moto, &base, &[]);
    assert_eq!(created.status.code(), Some(0), "{}", text(&created));
    assert!(
        text(&created).contains("CREATE_COMPLETE"),
        "{}",
        text(&created)
    );
    for case in cases() {
        rehearse(&moto, dir.path(), &case);
        // The last cases go one way. A grown file system can't shrink back: going back is
        // refused before any change set. A renamed repository or bucket leaves the old one,
        // retained, holding its name, so going back would fail as on AWS (RepositoryAlreadyExists).
        if GROWN.contains(&case.field) {
            let shrink = Case::new("base after growth", "").refused();
            rehearse(&moto, dir.path(), &shrink);
        }
        if case.refused || GROWN.contains(&case.field) || RENAMED.contains(&case.field) {
            continue;
        }
        // Back to the base before the next field, checked the same way.
        let back = Case {
            replaces: case.replaces,
            ..Case::new("base", "").holding(&[("Capacity", "2400"), ("OpenZFSCapacity", "512")])
        };
        rehearse(&moto, dir.path(), &back);
    }
    let destroy = moto.pcstack(&[
        "destroy",
        "--stack-name",
        STACK,
        "--yes",
        "--progress",
        "log",
    ]);
    assert_eq!(destroy.status.code(), Some(0), "{}", text(&destroy));
    // The data-holding resources are retained by default and listed.
    assert!(
        stdout(&destroy).contains("FSxLFilesystem"),
        "{}",
        text(&destroy)
    );
}

/// `--parameter` may set what no config field sets, never contradict one; nothing is sent.
#[test]
fn a_parameter_contradicting_the_config_is_refused_before_any_call() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pcstack.yaml");
    std::fs::write(&config, "openzfs:\n  capacity: 1024\nassets: []\n").unwrap();
    let out = deploy(
        &moto,
        &config,
        &[
            "--parameter",
            "OpenZFSCapacity=2048",
            "--parameter",
            "PrimarySubnetAZ=us-east-1a",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[D2004] --parameter OpenZFSCapacity: parameter OpenZFSCapacity must agree with config field openzfs.capacity (1024 in "),
        "{err}"
    );
    assert_eq!(moto.aws_requests(), 0, "{err}");
    // The zone is no field's (the config leaves it unset): accepted, and sent.
    let ok = deploy(
        &moto,
        &config,
        &["--parameter", "PrimarySubnetAZ=us-east-1a"],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let sent = moto.calls("CreateChangeSet");
    let form = sent.last().expect("a change set");
    let value = |key: &str| {
        (1..=20).find_map(|i| {
            (form
                .get(&format!("Parameters.member.{i}.ParameterKey"))?
                .as_str()?
                == key)
                .then(|| form.get(&format!("Parameters.member.{i}.ParameterValue")))?
                .and_then(|v| v.as_str().map(String::from))
        })
    };
    assert_eq!(
        value("OpenZFSCapacity").as_deref(),
        Some("1024"),
        "{form:?}"
    );
    assert_eq!(
        value("PrimarySubnetAZ").as_deref(),
        Some("us-east-1a"),
        "{form:?}"
    );
    // outputs takes --config too: its region, checked before any call.
    std::fs::write(&config, "region: us-esat-1\n").unwrap();
    let requests = moto.aws_requests();
    let outputs = moto.pcstack(&[
        "outputs",
        "--stack-name",
        STACK,
        "--config",
        &config.display().to_string(),
    ]);
    assert_eq!(outputs.status.code(), Some(2), "{}", text(&outputs));
    assert!(text(&outputs).contains("us-esat-1"), "{}", text(&outputs));
    assert_eq!(moto.aws_requests(), requests);
}
