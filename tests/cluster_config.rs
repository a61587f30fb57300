//! `pcstack cluster-config`: every configuration it writes is loaded by ParallelCluster's own
//! `ClusterSchema` (the pinned aws-parallelcluster in `.venv-pcluster`, offline, through
//! scripts/pcluster-schema-check): the default and each config under tests/cluster-configs.
//! Bad input is exit 2 with nothing written; the live path is run against the moto server.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(o: &Output) -> String {
    common::text(o)
}

const BUCKET: &str = "parallelcluster-123456789012-us-east-1";

/// The outputs JSON of a deployed prerequisites stack, as `outputs --format json` writes it.
fn outputs_json() -> Json {
    let mut outputs = serde_json::Map::new();
    for (key, env, value) in [
        ("VPC", "VPC_ID", "vpc-0123456789abcdef0".to_string()),
        (
            "PublicSubnet",
            "PUBLIC_SUBNET_ID",
            "subnet-0a1b2c3d4e5f60718".into(),
        ),
        (
            "PrimaryPrivateSubnet",
            "PRIVATE_SUBNET_ID",
            "subnet-08192a3b4c5d6e7f8".into(),
        ),
        (
            "SecurityGroup",
            "SECURITY_GROUP_ID",
            "sg-0f1e2d3c4b5a69788".into(),
        ),
        // A stack with network.second_availability_zone (span-zones.yaml uses it).
        (
            "SecondaryPrivateSubnet",
            "PRIVATE_SUBNET_2_ID",
            "subnet-0f9e8d7c6b5a49382".into(),
        ),
        (
            "FSxLustreFilesystemId",
            "FSX_LUSTRE_ID",
            "fs-0123456789abcdef0".into(),
        ),
        (
            "FSxLustreFilesystemMountname",
            "FSX_LUSTRE_MOUNT_NAME",
            "abcdefgh".into(),
        ),
        (
            "FSxORootVolumeId",
            "FSX_OPENZFS_ROOT_VOLUME_ID",
            "fsvol-0123456789abcdef0".into(),
        ),
        ("S3BucketName", "S3_BUCKET_NAME", BUCKET.into()),
        (
            "HeadNodeBootstrapScript",
            "HEAD_NODE_BOOTSTRAP_SCRIPT",
            format!("s3://{BUCKET}/scripts/bootstrap/head-node-enroot-pyxis-setup.sh"),
        ),
        (
            "ComputeNodeBootstrapScript",
            "COMPUTE_NODE_BOOTSTRAP_SCRIPT",
            format!("s3://{BUCKET}/scripts/bootstrap/compute-node-enroot-pyxis-setup.sh"),
        ),
    ] {
        outputs.insert(
            key.into(),
            json!({"Value": value, "EnvironmentVariable": env, "Description": null}),
        );
    }
    json!({"StackName": "parallelcluster-prerequisites", "Region": "us-east-1", "AccountId": "123456789012", "Outputs": outputs})
}

fn write_outputs(dir: &Path, outputs: &Json) -> PathBuf {
    let path = dir.join("outputs.json");
    std::fs::write(&path, serde_json::to_string_pretty(outputs).unwrap()).unwrap();
    path
}

fn cluster_config(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcstack"))
        .arg("cluster-config")
        .args(args)
        // The file path must need no AWS: no credentials, no Region, an endpoint nobody serves.
        .env_remove("AWS_REGION")
        .env_remove("AWS_PROFILE")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .unwrap()
}

/// Runs ParallelCluster's ClusterSchema on the files; every file must be named ok or FAIL.
fn schema_check(files: &[PathBuf]) -> Output {
    let python = root().join(".venv-pcluster/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/python-tools (the README's test command does); this test never passes without it",
        python.display()
    );
    Command::new(python)
        .arg(root().join("scripts/pcluster-schema-check"))
        .args(files)
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

/// The default config, every file under tests/cluster-configs, and the storage variants under
/// tests/configs (`lustre-*`, `openzfs-*`: their stacks get a cluster too), generated into `dir`.
fn generate_all(dir: &Path) -> Vec<(String, PathBuf)> {
    let outputs = write_outputs(dir, &outputs_json());
    let mut configs: Vec<Option<PathBuf>> = vec![None];
    let listed = |folder: &str| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
    };
    let storage = listed("tests/configs").into_iter().filter(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("lustre-") || n.starts_with("openzfs-"))
    });
    configs.extend(listed("tests/cluster-configs").into_iter().map(Some));
    configs.extend(storage.map(Some));
    configs
        .into_iter()
        .map(|config| {
            let name = config
                .as_ref()
                .and_then(|c| c.file_stem())
                .map_or("default".to_string(), |s| s.to_string_lossy().to_string());
            let out = dir.join(format!("{name}.yaml"));
            let mut args = vec![
                "--outputs-file".to_string(),
                outputs.display().to_string(),
                "--out".into(),
                out.display().to_string(),
            ];
            if let Some(c) = &config {
                args.extend(["--config".to_string(), c.display().to_string()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = cluster_config(&args);
            assert!(o.status.success(), "{name}: {}", text(&o));
            (name, out)
        })
        .collect()
}

fn yaml(path: &Path) -> Json {
    serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_generated_configuration_loads_with_parallelclusters_schema() {
    let dir = tempfile::tempdir().unwrap();
    let generated = generate_all(dir.path());
    let names: Vec<&str> = generated.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "default",
            "capacity-block",
            "gpu-without-gdr",
            "multi-queue",
            "span-zones",
            "lustre-efa",
            "lustre-persistent2",
            "openzfs-multi-az",
            "openzfs-single-az-1"
        ]
    );
    // Each variant still shows what it is there to test.
    let doc = |name: &str| yaml(&generated.iter().find(|(n, _)| n == name).unwrap().1);
    let queues = |d: &Json| d["Scheduling"]["SlurmQueues"].as_array().unwrap().clone();
    let multi = doc("multi-queue");
    assert_eq!(queues(&multi).len(), 3);
    assert_eq!(multi["SharedStorage"][0]["MountDir"], "/fsx-lustre");
    assert_eq!(
        queues(&multi)[0]["ComputeResources"][0]["Efa"],
        json!({"Enabled": true, "GdrSupport": true})
    );
    assert_eq!(queues(&multi)[2]["CapacityType"], "SPOT");
    let block = &queues(&doc("capacity-block"))[0];
    assert_eq!(block["CapacityType"], "CAPACITY_BLOCK");
    assert_eq!(
        block["CapacityReservationTarget"]["CapacityReservationId"],
        "cr-0a1b2c3d4e5f60718"
    );
    assert_eq!(block["Networking"]["PlacementGroup"]["Enabled"], false);
    let g6e = &queues(&doc("gpu-without-gdr"))[0];
    assert_eq!(g6e["ComputeResources"][0]["Efa"], json!({"Enabled": true}));
    let default = doc("default");
    assert!(!default.to_string().contains("FullAccess"));
    // The second private subnet only where a queue spans zones, and EFA off there.
    assert!(!default.to_string().contains("subnet-0f9e8d7c6b5a49382"));
    let wide = &queues(&doc("span-zones"))[0];
    assert_eq!(
        wide["Networking"]["SubnetIds"],
        json!(["subnet-08192a3b4c5d6e7f8", "subnet-0f9e8d7c6b5a49382"])
    );
    assert_eq!(
        wide["ComputeResources"][0]["Efa"],
        json!({"Enabled": false})
    );

    let files: Vec<PathBuf> = generated.into_iter().map(|(_, p)| p).collect();
    let o = schema_check(&files);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "ClusterSchema refused:\n{}", text(&o));
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        9,
        "{stdout}"
    );
}

#[test]
fn the_schema_check_fails_on_a_broken_configuration() {
    // Proves the check runs and reads our output: a wrong enum value and an unknown key fail.
    let dir = tempfile::tempdir().unwrap();
    let generated = generate_all(dir.path());
    let good = std::fs::read_to_string(&generated[0].1).unwrap();
    let bad_enum = dir.path().join("bad-enum.yaml");
    std::fs::write(
        &bad_enum,
        good.replacen("CapacityType: ONDEMAND", "CapacityType: ON_DEMAND", 1),
    )
    .unwrap();
    let bad_key = dir.path().join("bad-key.yaml");
    std::fs::write(
        &bad_key,
        good.replacen("JobExclusiveAllocation:", "JobExclusive:", 1),
    )
    .unwrap();
    let o = schema_check(&[generated[0].1.clone(), bad_enum.clone(), bad_key.clone()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        stdout.contains(&format!("ok {}", generated[0].1.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("FAIL {}", bad_enum.display())),
        "{stdout}"
    );
    assert!(stdout.contains("Must be one of"), "{stdout}");
    assert!(
        stdout.contains(&format!("FAIL {}", bad_key.display())),
        "{stdout}"
    );
    assert!(stdout.contains("JobExclusive"), "{stdout}");
}

#[test]
fn a_missing_variable_or_a_bad_cluster_section_is_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cluster.yaml");
    let out_arg = out.display().to_string();

    // The outputs lack a bootstrap script (a stack deployed before pcstack had them).
    let mut outputs = outputs_json();
    outputs["Outputs"]
        .as_object_mut()
        .unwrap()
        .shift_remove("ComputeNodeBootstrapScript");
    let file = write_outputs(dir.path(), &outputs);
    let o = cluster_config(&[
        "--outputs-file",
        &file.display().to_string(),
        "--out",
        &out_arg,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("error[PC179]")
            && err.contains("COMPUTE_NODE_BOOTSTRAP_SCRIPT must be the EnvironmentVariable of an output holding an s3://bucket/key URI (an asset deploy uploads: a stack deployed with `assets: []` has none; deploy it with the config's `assets`, then write the cluster configuration again) for the cluster configuration, got no such output"),
        "{err}"
    );
    assert!(!out.exists());

    // A bad cluster section: field, rule and value named; an existing file is left as it was.
    std::fs::write(&out, "kept\n").unwrap();
    let file = write_outputs(dir.path(), &outputs_json());
    let config = dir.path().join("pcstack.yaml");
    std::fs::write(
        &config,
        "cluster:\n  queues:\n    - name: block\n      capacity_type: CAPACITY_BLOCK\n      compute_resources: [{name: a, instance_type: m5.8xlarge, min_count: 1, max_count: 1}]\n",
    )
    .unwrap();
    let o = cluster_config(&[
        "--outputs-file",
        &file.display().to_string(),
        "--config",
        &config.display().to_string(),
        "--out",
        &out_arg,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[PC175] config: cluster.queues[0].capacity_reservation_id: cluster.queues[0].capacity_reservation_id must be set"), "{err}");
    assert!(
        err.contains("error[PC173] config: cluster.queues[0].compute_resources[0].instance_type:")
            && err.contains("got \"m5.8xlarge\""),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "kept\n");

    // Not JSON, and an unknown field in the config.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "export VPC_ID=vpc-1\n").unwrap();
    let o = cluster_config(&["--outputs-file", &junk.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("outputs file must be the JSON `pcstack outputs --format json` writes"));
    std::fs::write(&config, "cluster:\n  head_node: {instance: m5.large}\n").unwrap();
    let o = cluster_config(&[
        "--outputs-file",
        &file.display().to_string(),
        "--config",
        &config.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown field `instance`"));
    assert!(o.stdout.is_empty());
}

#[test]
fn exactly_one_source_is_required_and_stdout_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_outputs(dir.path(), &outputs_json());
    let f = file.display().to_string();
    let o = cluster_config(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = cluster_config(&["--outputs-file", &f, "--stack-name", "s"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = cluster_config(&["--outputs-file", &f, "--out", "/nonexistent-dir/c.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("(folder /nonexistent-dir does not exist)"));
    let o = cluster_config(&["--outputs-file", &f]);
    assert!(o.status.success(), "{}", text(&o));
    let doc: Json = serde_yaml::from_slice(&o.stdout).unwrap();
    assert_eq!(
        doc["HeadNode"]["Networking"]["SubnetId"],
        "subnet-0a1b2c3d4e5f60718"
    );
}

/// A stack whose outputs are the prerequisites stack's, as literals (moto creates no FSx).
fn outputs_template() -> String {
    let o = outputs_json();
    let mut outputs = serde_json::Map::new();
    let mut names = serde_json::Map::new();
    for (key, v) in o["Outputs"].as_object().unwrap() {
        outputs.insert(key.clone(), json!({"Value": v["Value"]}));
        names.insert(key.clone(), v["EnvironmentVariable"].clone());
    }
    serde_json::to_string_pretty(&json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {"pcstack": {"OutputEnvironmentVariables": names}},
        "Resources": {"VPC": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}},
        "Outputs": outputs,
    }))
    .unwrap()
}

#[test]
fn the_live_path_reads_the_deployed_stack_and_matches_the_file_path() {
    let moto = common::Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("stack.json");
    std::fs::write(&template, outputs_template()).unwrap();
    let t = template.display().to_string();
    let json_file = dir.path().join("outputs.json").display().to_string();
    let deploy = moto.pcstack(&[
        "deploy",
        "--template",
        &t,
        "--stack-name",
        "prereq",
        "--progress",
        "quiet",
        "--outputs-file",
        &json_file,
    ]);
    assert!(deploy.status.success(), "{}", text(&deploy));

    // A bad config is refused before any AWS call.
    let config = dir.path().join("pcstack.yaml");
    std::fs::write(&config, "cluster: {os: centos7}\n").unwrap();
    let before = moto.aws_requests();
    let bad = moto.pcstack(&[
        "cluster-config",
        "--stack-name",
        "prereq",
        "--config",
        &config.display().to_string(),
    ]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cluster.os must be"));
    assert_eq!(
        moto.aws_requests(),
        before,
        "an AWS call was made for bad input"
    );

    let live_out = dir.path().join("live.yaml");
    let live = moto.pcstack(&[
        "cluster-config",
        "--stack-name",
        "prereq",
        "--out",
        &live_out.display().to_string(),
    ]);
    assert!(live.status.success(), "{}", text(&live));
    let file = moto.pcstack(&["cluster-config", "--outputs-file", &json_file]);
    assert!(file.status.success(), "{}", text(&file));
    let live_text = std::fs::read_to_string(&live_out).unwrap();
    assert_eq!(live_text, String::from_utf8_lossy(&file.stdout));
    assert!(live_text.contains("FileSystemId: fs-0123456789abcdef0"));

    let missing = moto.pcstack(&["cluster-config", "--stack-name", "nope"]);
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains(
            "stack nope does not exist in us-east-1: check the stack name and the Region"
        ),
        "{}",
        text(&missing)
    );
}
