//! The `pcstack` binary as a user runs it: synth on the default and other configs, the
//! committed template, determinism, bad input, and the helper commands.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STACK: &str = "parallelcluster-prerequisites";

fn pcstack(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pcstack"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run pcstack")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn default_synth_matches_the_committed_template() {
    let dir = tempfile::tempdir().unwrap();
    let out = pcstack(&["synth"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written =
        std::fs::read_to_string(dir.path().join("out").join(format!("{STACK}.yaml"))).unwrap();
    let committed =
        std::fs::read_to_string(root().join("out").join(format!("{STACK}.yaml"))).unwrap();
    assert!(
        written == committed,
        "out/{STACK}.yaml is stale: run `cargo run --release -- synth` and commit it"
    );
    assert_eq!(text(&out.stdout).trim(), format!("out/{STACK}.yaml"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("out").join(format!("{STACK}.yaml")))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o644,
        "the template is an ordinary readable file, not a private temp file"
    );
}

#[test]
fn synth_check_passes_on_the_repository() {
    let out = pcstack(&["synth", "--check"], &root());
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn synth_check_fails_with_a_diff_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    assert!(pcstack(&["synth"], dir.path()).status.success());
    let path = dir.path().join("out").join(format!("{STACK}.yaml"));
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("CIDR1: 10.1.0.0/16", "CIDR1: 10.9.0.0/16");
    std::fs::write(&path, &edited).unwrap();
    let out = pcstack(&["synth", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("-      CIDR1: 10.9.0.0/16") && err.contains("+      CIDR1: 10.1.0.0/16"),
        "{err}"
    );
    assert!(err.contains("is stale"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        edited,
        "--check must not write"
    );
}

#[test]
fn repeated_runs_give_identical_bytes_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["yaml", "json"] {
        let mut seen = Vec::new();
        for run in 0..3 {
            let out_dir = format!("run{run}");
            let out = pcstack(
                &["synth", "--format", format, "--out", &out_dir],
                dir.path(),
            );
            assert!(out.status.success(), "{}", text(&out.stderr));
            seen.push(
                std::fs::read(dir.path().join(&out_dir).join(format!("{STACK}.{format}"))).unwrap(),
            );
        }
        assert!(
            seen.windows(2).all(|w| w[0] == w[1]),
            "{format} output differs between runs"
        );
    }
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("run0").join(format!("{STACK}.json"))).unwrap(),
    )
    .unwrap();
    let yaml: serde_json::Value = serde_yaml::from_slice(
        &std::fs::read(dir.path().join("run0").join(format!("{STACK}.yaml"))).unwrap(),
    )
    .unwrap();
    assert_eq!(json, yaml, "YAML and JSON must hold the same template");
}

/// Runs a bad config and returns stderr, checking exit 2 and that nothing was written.
fn rejected(config: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let existing = out_dir.join(format!("{STACK}.yaml"));
    std::fs::write(&existing, "previous\n").unwrap();
    std::fs::write(dir.path().join("bad.yaml"), config).unwrap();
    let out = pcstack(&["synth", "--config", "bad.yaml"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(2),
        "config {config:?}: {}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "previous\n",
        "a failed synth must leave the old file"
    );
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        1,
        "no temporary file may be left"
    );
    text(&out.stderr)
}

#[test]
fn bad_configs_are_rejected_with_every_problem_named() {
    let err = rejected("lustre:\n  capacity: 3600\n  per_unit_storage_throughput: 125\nopenzfs:\n  throughput: 256\n");
    assert!(err.contains("error[PC101] config: lustre.capacity: StorageCapacity must be 1200, 2400 or a multiple of 2400 for Lustre PERSISTENT_1 SSD, got 3600"), "{err}");
    assert!(err.contains("error[PC102] config: lustre.per_unit_storage_throughput: PerUnitStorageThroughput must be 50, 100 or 200 (125 is a PERSISTENT_2 value; FSx API CreateFileSystemLustreConfiguration) for Lustre PERSISTENT_1 SSD, got 125"), "{err}");
    assert!(err.contains("error[PC112] config: openzfs.throughput: ThroughputCapacity must be 160, 320, 640, 1280, 2560, 3840, 5120, 7680 or 10240 for OpenZFS SINGLE_AZ_HA_2, got 256"), "{err}");
    assert!(err.contains("3 error(s); nothing was written"), "{err}");
}

#[test]
fn unknown_fields_and_wrong_types_name_the_field() {
    let err = rejected("lustre:\n  capacityy: 2400\n");
    assert!(
        err.contains("got: lustre: unknown field `capacityy` (did you mean `capacity`?)"),
        "{err}"
    );
    // A field that is no near miss: serde's list of the fields, cut.
    let err = rejected("lustre:\n  size: 2400\n");
    assert!(
        err.contains("unknown field `size`, expected one of `deployment_type`"),
        "{err}"
    );
    assert!(err.contains("bad.yaml:2:"), "{err}");
    let err = rejected("openzfs:\n  capacity: lots\n");
    assert!(
        err.contains("openzfs.capacity") && err.contains("invalid type"),
        "{err}"
    );
}

#[test]
fn overlapping_associations_and_old_versions_are_rejected() {
    let err = rejected(
        "lustre:\n  version: \"2.10\"\nassociations:\n  - {id: A, file_system_path: /ns1, s3_prefix: a/, output: A, env: A}\n  - {id: B, file_system_path: /ns1/ns2, s3_prefix: a/b/, output: B, env: B}\n",
    );
    assert!(err.contains("FileSystemTypeVersion must be 2.12 or 2.15 for a Lustre file system with data repository associations, got \"2.10\""), "{err}");
    assert!(
        err.contains("FileSystemPath must not equal or contain another association's path"),
        "{err}"
    );
    assert!(
        err.contains("DataRepositoryPath must not equal or contain another association's path"),
        "{err}"
    );
}

#[test]
fn bad_names_and_cidrs_are_rejected() {
    let err = rejected("bucket:\n  name: Data_Bucket\nrepository:\n  name: PyTorch\nnetwork:\n  primary_cidr: 10.0.0.0/8\n  secondary_cidr: 192.168.0.0/16\n");
    assert!(err.contains("config: bucket.name: BucketName must use only lowercase letters, digits, dots and hyphens"), "{err}");
    assert!(
        err.contains("config: repository.name: RepositoryName must be lowercase"),
        "{err}"
    );
    assert!(
        err.contains("CidrBlock")
            || err.contains("network.primary_cidr must be between /16 and /28"),
        "{err}"
    );
    assert!(
        err.contains("secondary CIDR must not be inside 192.168.0.0/16"),
        "{err}"
    );
}

#[test]
fn delete_removal_is_called_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = pcstack(
        &[
            "synth",
            "--config",
            root()
                .join("tests/configs/custom-names.yaml")
                .to_str()
                .unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("warning[PC010] config: lustre.removal: lustre.removal is Delete"),
        "{err}"
    );
}

#[test]
fn unknown_stack_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = pcstack(&["synth", "--stack", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr)
        .contains("stack must be one of parallelcluster-prerequisites for pcstack, got \"nope\""));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn list_schema_and_init() {
    let dir = tempfile::tempdir().unwrap();
    let list = pcstack(&["list"], dir.path());
    assert!(text(&list.stdout).starts_with("parallelcluster-prerequisites\t"));
    let schema: serde_json::Value =
        serde_json::from_slice(&pcstack(&["schema"], dir.path()).stdout).unwrap();
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    assert!(schema["properties"]["associations"].is_object());
    // A field's description gives the values of every deployment type, not only the first's.
    let throughput = schema["definitions"]["LustreConfig"]["properties"]
        ["per_unit_storage_throughput"]["description"]
        .as_str()
        .unwrap();
    assert!(throughput.contains("125, 250, 500 or 1000"), "{throughput}");
    // The deployment types as an enum, so an editor offers them.
    let defs = &schema["definitions"];
    assert_eq!(
        defs["LustreConfig"]["properties"]["deployment_type"]["enum"],
        serde_json::json!(["PERSISTENT_1", "PERSISTENT_2"])
    );
    assert_eq!(
        defs["OpenZfsConfig"]["properties"]["deployment_type"]["enum"],
        serde_json::json!([
            "SINGLE_AZ_1",
            "SINGLE_AZ_2",
            "SINGLE_AZ_HA_1",
            "SINGLE_AZ_HA_2",
            "MULTI_AZ_1"
        ])
    );
    let lustre = &defs["LustreConfig"]["properties"];
    assert_eq!(
        lustre["compression"]["enum"],
        serde_json::json!(["LZ4", "NONE"])
    );
    assert_eq!(
        lustre["version"]["enum"],
        serde_json::json!(["2.15", "2.12"])
    );
    assert_eq!(lustre["version"]["default"], serde_json::json!("2.15"));
    let init = pcstack(&["init"], dir.path());
    assert!(init.status.success());
    let again = pcstack(&["init"], dir.path());
    assert_eq!(again.status.code(), Some(2), "init must not overwrite");
    let out = pcstack(
        &["synth", "--config", "pcstack.yaml", "--out", "fromstarter"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let committed = std::fs::read(root().join("out").join(format!("{STACK}.yaml"))).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("fromstarter").join(format!("{STACK}.yaml"))).unwrap(),
        committed
    );
}

#[test]
fn synth_to_stdout_writes_the_template_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = pcstack(&["synth", "--out", "-"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let committed =
        std::fs::read_to_string(root().join("out").join(format!("{STACK}.yaml"))).unwrap();
    assert!(
        text(&out.stdout) == committed,
        "stdout is exactly the template"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written to disk"
    );
    let json = pcstack(&["synth", "--out", "-", "--format", "json"], dir.path());
    assert!(json.status.success(), "{}", text(&json.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(parsed["Resources"].is_object());
    // --check compares a file: with stdout it is invalid input.
    let check = pcstack(&["synth", "--out", "-", "--check"], dir.path());
    assert_eq!(check.status.code(), Some(2), "{}", text(&check.stderr));
    assert!(check.stdout.is_empty());
}

#[test]
fn completions_for_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "_pcstack()"),
        ("zsh", "#compdef pcstack"),
        ("fish", "complete -c pcstack"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = pcstack(&["completions", shell], dir.path());
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        // The new deploy flags complete too.
        assert!(script.contains("notification-arns"), "{shell}");
    }
    let bad = pcstack(&["completions", "tcsh"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("invalid value 'tcsh'"));
}

#[test]
fn progress_json_reports_invalid_input_as_one_json_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pcstack"))
        .args([
            "deploy",
            STACK,
            "--stack-name",
            "s",
            "--region",
            "us-east-1",
            "--progress",
            "json",
            "--role-arn",
            "deployer",
        ])
        .current_dir(dir.path())
        // Refused before any call; a closed port in case it weren't.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let error: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["exit_code"], 2);
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("--role-arn must be an IAM role ARN"));
}

/// The README's config reference covers every field `pcstack init` writes: each key outside
/// lists has a row (`*.removal` covers the removals), and each field of a list item is named
/// in backticks in its list's row or one below it.
#[test]
fn readme_config_reference_covers_every_field_init_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = pcstack(&["init", "--output", "c.yaml"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let init: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.path().join("c.yaml")).unwrap()).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("## Config reference")
        .expect("a config reference");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    fn walk(v: &serde_yaml::Value, path: &str, in_list: bool, out: &mut Vec<(String, bool)>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, child) in m {
                    let k = k.as_str().unwrap_or_default();
                    let p = if path.is_empty() {
                        k.to_string()
                    } else {
                        format!("{path}.{k}")
                    };
                    // Sections are headings, not fields: their fields and lists are checked.
                    if !child.is_mapping() {
                        out.push((p.clone(), in_list));
                    }
                    walk(child, &p, in_list, out);
                }
            }
            serde_yaml::Value::Sequence(items) => {
                for item in items {
                    walk(item, &format!("{path}[]"), true, out);
                }
            }
            _ => {}
        }
    }
    let mut fields = Vec::new();
    walk(&init, "", false, &mut fields);
    let mut missing = Vec::new();
    for (path, in_list) in fields {
        let leaf = path.rsplit(['.', ']']).next().unwrap_or(&path).to_string();
        let covered = if in_list {
            section.contains(&format!("`{leaf}`"))
                || section.contains(&format!(".{leaf}`"))
                || section.contains(&format!(".{leaf}[]`"))
        } else {
            section.contains(&format!("| `{path}` |"))
                || section.contains(&format!("| `{path}[]` |"))
                || (leaf == "removal" && section.contains("| `*.removal`"))
        };
        if !covered {
            missing.push(path);
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "README config reference lacks {missing:?}"
    );
}

/// `init --output -` prints the starter, as `synth --out -` prints the template: no file named `-`.
#[test]
fn init_to_stdout_prints_the_starter_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = pcstack(&["init", "--output", "-"], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let parsed: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).unwrap();
    assert!(
        parsed["lustre"]["capacity"].is_number(),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).starts_with("# pcstack config"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file named -"
    );
    let help = pcstack(&["init", "--help"], dir.path());
    assert!(text(&help.stdout).contains("`-` prints it to stdout"));
}

/// The count of values left to parameter constraints names a flag that lists them: deploy and
/// diff have no `--verbose`, `synth` has.
#[test]
fn the_infos_note_names_a_command_that_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let deploy = pcstack(
        &[
            "deploy",
            "parallelcluster-prerequisites",
            "--stack-name",
            "s",
            "--region",
            "us-east-1",
            "--parameter",
            "PrimarySubnetAZ=us-east-1a",
            "--parameter",
            "Capacity=3600",
        ],
        dir.path(),
    );
    assert_eq!(deploy.status.code(), Some(2));
    let synth = pcstack(&["synth", "--out", "-"], dir.path());
    for err in [text(&deploy.stderr), text(&synth.stderr)] {
        assert!(
            err.contains("are expressions checked by the template's parameter constraints (`pcstack synth --verbose` lists them)"),
            "{err}"
        );
    }
    let listed = pcstack(&["synth", "--out", "-", "--verbose"], dir.path());
    assert!(
        text(&listed.stderr).contains("info["),
        "{}",
        text(&listed.stderr)
    );
}

/// Where a user sets the zone on the command line, the help says that a zone ID works too.
#[test]
fn parameter_help_says_the_zone_takes_an_id() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["deploy", "diff"] {
        let help = text(&pcstack(&[command, "--help"], dir.path()).stdout);
        assert!(
            help.contains("PrimarySubnetAZ, a zone name or ID such as use1-az2,"),
            "{command}: {help}"
        );
    }
}

/// Runs a command that must be refused for its destination: exit 2, the message, no temporary
/// file's name, and nothing in `dir` but what was there.
fn refused_destination(args: &[&str], dir: &Path, expect: &str) {
    let before = listing(dir);
    let out = pcstack(args, dir);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(expect), "{args:?}: want {expect:?} in\n{err}");
    assert!(
        !err.contains(".tmp"),
        "{args:?}: a temporary file's name: {err}"
    );
    assert!(out.stdout.is_empty(), "{args:?}");
    assert_eq!(listing(dir), before, "{args:?} wrote something");
}

/// Every path under `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
            if e.file_type().unwrap().is_dir() {
                todo.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every destination (`synth --out`, `init --output`, `cluster-config --out`) is checked
/// before any work by one rule: exit 2 naming the path and what is wrong.
#[test]
fn destinations_are_checked_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = destinations_in_the_way(d);
    synth_out_is_checked(d, &file);
    init_output_is_checked(d, &file);
    cluster_config_out_is_checked(d, &file);

    // What each command overwrites stays as it was: init with --force, synth always.
    let forced = pcstack(&["init", "--force"], d);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    assert_ne!(
        std::fs::read_to_string(d.join("pcstack.yaml")).unwrap(),
        "mine\n"
    );
    let again = pcstack(&["synth", "--out", "new/deep"], d);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(d.join("new/deep").join(&file).is_file());
}

/// In `d`, a file, a directory, a FIFO and a dangling link where the template would go, a
/// config and an outputs file, and a link to nothing as a folder. Returns the template's name.
fn destinations_in_the_way(d: &Path) -> String {
    let file = format!("{STACK}.yaml");
    std::fs::write(d.join("afile"), "mine\n").unwrap();
    std::fs::create_dir_all(d.join("dirs").join(&file)).unwrap();
    std::fs::create_dir(d.join("fifo")).unwrap();
    let fifo = d.join("fifo").join(&file);
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::fs::create_dir(d.join("dangling")).unwrap();
    std::os::unix::fs::symlink("nowhere", d.join("dangling").join(&file)).unwrap();
    std::fs::write(d.join("pcstack.yaml"), "mine\n").unwrap();
    std::fs::write(d.join("o.json"), "{}").unwrap();
    std::os::unix::fs::symlink("nowhere", d.join("linkdir")).unwrap();
    file
}

/// synth --out DIR: the folder is created when missing, but what exists must fit.
fn synth_out_is_checked(d: &Path, file: &str) {
    refused_destination(
        &["synth", "--out", "afile"],
        d,
        &format!("--out must be in a folder, got afile/{file} (afile exists and is not a folder)"),
    );
    refused_destination(
        &["synth", "--out", "afile/sub"],
        d,
        "(afile exists and is not a folder)",
    );
    refused_destination(
        &["synth", "--out", "dirs"],
        d,
        &format!("--out must name a file, got dirs/{file} (dirs/{file} is a directory)"),
    );
    refused_destination(
        &["synth", "--out", "fifo"],
        d,
        &format!("(fifo/{file} exists and is not a regular file: a FIFO)"),
    );
    refused_destination(
        &["synth", "--out", "dangling"],
        d,
        &format!("(dangling/{file} exists and is not a regular file: a symbolic link to nothing)"),
    );
    // The --out folder a symbolic link to nothing: named, not "File exists".
    refused_destination(
        &["synth", "--out", "linkdir"],
        d,
        &format!(
            "--out must be in a folder, got linkdir/{file} (linkdir is a symbolic link to nothing)"
        ),
    );
    refused_destination(
        &["synth", "--out", "linkdir/sub"],
        d,
        "(linkdir is a symbolic link to nothing)",
    );
}

/// init --output: the folder must exist; an existing file needs --force.
fn init_output_is_checked(d: &Path, file: &str) {
    refused_destination(
        &["init", "--output", "nodir/pcstack.yaml"],
        d,
        "--output must be in a folder that exists, got nodir/pcstack.yaml (folder nodir does not exist)",
    );
    refused_destination(
        &["init", "--output", "nodir/pcstack.yaml", "--force"],
        d,
        "(folder nodir does not exist)",
    );
    refused_destination(
        &["init"],
        d,
        "--output must name a file that does not exist yet, got pcstack.yaml (pcstack.yaml exists: use --force to overwrite it)",
    );
    refused_destination(
        &["init", "--output", "dirs", "--force"],
        d,
        "(dirs is a directory)",
    );
    refused_destination(
        &["init", "--output", &format!("fifo/{file}"), "--force"],
        d,
        "exists and is not a regular file: a FIFO",
    );
}

/// cluster-config --out: checked before the outputs are read.
fn cluster_config_out_is_checked(d: &Path, file: &str) {
    refused_destination(
        &["cluster-config", "--outputs-file", "o.json", "--out", "nodir/cluster.yaml"],
        d,
        "--out must be in a folder that exists, got nodir/cluster.yaml (folder nodir does not exist)",
    );
    refused_destination(
        &[
            "cluster-config",
            "--outputs-file",
            "o.json",
            "--out",
            &format!("fifo/{file}"),
        ],
        d,
        "exists and is not a regular file: a FIFO",
    );
    refused_destination(
        &[
            "cluster-config",
            "--outputs-file",
            "o.json",
            "--out",
            "dirs",
        ],
        d,
        "(dirs is a directory)",
    );
}

/// `synth --check` on a file that isn't there says so, and the command it suggests is the
/// one the user ran without `--check`, quoted for the shell; the stale message too.
#[test]
fn synth_check_suggests_the_users_own_command() {
    let dir = tempfile::tempdir().unwrap();
    let init = pcstack(&["init", "--output", "my config.yaml"], dir.path());
    assert!(init.status.success(), "{}", text(&init.stderr));
    let args = [
        "synth",
        "--check",
        "--config",
        "my config.yaml",
        "--out",
        "o",
        "--format",
        "json",
    ];
    let out = pcstack(&args, dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let command = "pcstack synth --config 'my config.yaml' --out o --format json";
    assert!(
        err.contains(&format!(
            "o/{STACK}.json does not exist: run `{command}` to write it"
        )),
        "{err}"
    );
    assert!(!err.contains("stale"), "{err}");
    assert!(!dir.path().join("o").exists(), "--check writes nothing");
    // Written by the suggested command, then edited: stale, with the same command.
    let write = pcstack(
        &[
            "synth",
            "--config",
            "my config.yaml",
            "--out",
            "o",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert!(write.status.success(), "{}", text(&write.stderr));
    let path = dir.path().join("o").join(format!("{STACK}.json"));
    std::fs::write(&path, "{}\n").unwrap();
    let stale = pcstack(&args, dir.path());
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        text(&stale.stderr).contains(&format!(
            "o/{STACK}.json is stale: run `{command}` and commit the result"
        )),
        "{}",
        text(&stale.stderr)
    );
}

/// A long AllowedValues list is never printed whole: its size, range and nearest values.
#[test]
fn a_long_allowed_values_list_is_summarized() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<String> = std::iter::once(1200)
        .chain((1..43).map(|i| 2400 * i))
        .map(|v| v.to_string())
        .collect();
    let template = format!(
        "Parameters:\n  Capacity:\n    Type: Number\n    AllowedValues: [{}]\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n",
        values.join(", ")
    );
    std::fs::write(dir.path().join("t.yaml"), template).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pcstack"))
        .args([
            "deploy",
            "--template",
            "t.yaml",
            "--stack-name",
            "s",
            "--region",
            "us-east-1",
            "--parameter",
            "Capacity=1000",
        ])
        .current_dir(dir.path())
        // Refused before any call; a closed port in case it weren't.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("parameter Capacity must be one of 43 values from 1200 to 100800 (nearest: 1200) for parameter of Type Number, got \"1000\""),
        "{err}"
    );
    assert!(!err.contains("4800, 7200"), "the list is printed: {err}");
}

/// Every refusal of `deploy` before any AWS call has one shape, whatever refused it (a stack
/// option, the config, a parameter the stack's rule or the template refuses): the
/// diagnostics, then one line counting the errors and saying nothing was sent to AWS.
#[test]
fn every_deploy_refusal_before_any_call_has_one_shape() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.yaml"), "lustre:\n  capacity: 1000\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--role-arn", "deployer"],
            "error[PC192] --role-arn: --role-arn must be an IAM role ARN",
        ),
        (
            &["--config", "c.yaml"],
            "error[PC101] config: lustre.capacity: StorageCapacity must be",
        ),
        (
            &["--parameter", "Capacity=4800"],
            "error[D2004] --parameter Capacity: parameter Capacity must agree",
        ),
        (
            &["--parameter", "Nope=1"],
            "error[D2001] s/Parameters/Nope: parameter Nope must be declared",
        ),
    ];
    for (extra, line) in cases {
        let mut args = vec![
            "deploy",
            STACK,
            "--stack-name",
            "s",
            "--region",
            "us-east-1",
        ];
        args.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_pcstack"))
            .args(&args)
            .current_dir(dir.path())
            // Refused before any call; a closed port in case it weren't.
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert!(
            lines.iter().any(|l| l.starts_with(line)),
            "{extra:?}: {err}"
        );
        let errors = lines.iter().filter(|l| l.starts_with("error[")).count();
        assert_eq!(
            lines.last().copied(),
            Some(format!("{errors} error(s); nothing was sent to AWS").as_str()),
            "{extra:?}: {err}"
        );
        assert!(
            !lines
                .iter()
                .any(|l| l.is_empty() || l.starts_with("error:")),
            "{extra:?}: {err}"
        );
    }
}

/// `--progress quiet` prints no info summary; the other modes keep it.
#[test]
fn quiet_progress_prints_no_info_summary() {
    let dir = tempfile::tempdir().unwrap();
    let run = |progress: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_pcstack"))
            .args([
                "deploy",
                STACK,
                "--stack-name",
                "s",
                "--region",
                "us-east-1",
                "--progress",
                progress,
                // Refused before any AWS call, after the stack is built.
                "--parameter",
                "Nope=1",
            ])
            .current_dir(dir.path())
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        text(&out.stderr)
    };
    let summary = "value(s) are expressions checked by the template's parameter constraints";
    // Counted once: where the built stack's diagnostics are shown, not again by the refusal.
    assert_eq!(run("log").matches(summary).count(), 1, "{}", run("log"));
    let quiet = run("quiet");
    assert!(!quiet.contains(summary), "{quiet}");
    assert!(quiet.contains("parameter Nope must be declared"), "{quiet}");
}

/// The README names files that exist, the shells `completions` offers, and `outputs` commands
/// that run (`--stack-name` is required).
#[test]
fn readme_paths_shells_and_commands_are_true() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // Paths in backticks or links under the repository's folders.
    let tops = [
        "src/",
        "plan/",
        "stacks/",
        "constructs/",
        "synth/",
        "scripts/",
        "bench/",
        "tests/",
        "xtask/",
        "examples/",
        "out/",
    ];
    let mut missing = Vec::new();
    for (i, part) in readme.split(['`', '(', ')', ' ', '\n']).enumerate() {
        let path = part.trim_end_matches([',', '.', ':', ';']);
        let templated = path.contains(['{', '<', '*', '[']) || path.contains("...");
        if tops.iter().any(|t| path.starts_with(t)) && !templated && !root().join(path).exists() {
            missing.push(format!("{path} (word {i})"));
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "README names paths that don't exist: {missing:?}"
    );

    // The shells: as `completions --help` lists them.
    let dir = tempfile::tempdir().unwrap();
    let help = text(&pcstack(&["completions", "--help"], dir.path()).stdout);
    let values = help
        .split("[possible values: ")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .unwrap();
    let mut offered: Vec<&str> = values.split(", ").collect();
    offered.sort_unstable();
    let row = readme
        .lines()
        .find(|l| l.starts_with("| `pcstack completions "))
        .unwrap();
    let listed = row["| `pcstack completions ".len()..]
        .split('`')
        .next()
        .unwrap();
    let mut listed: Vec<&str> = listed.split("\\|").collect();
    listed.sort_unstable();
    assert_eq!(listed, offered, "{row}");
    for shell in &offered {
        assert!(
            help.contains(&format!("completions {shell} ")),
            "install hint for {shell}"
        );
    }

    // Every `pcstack outputs` example names its stack.
    let flat = readme.replace('\n', " ");
    for example in flat.split("`pcstack outputs").skip(1) {
        let example = example.split('`').next().unwrap();
        if example.starts_with(' ') && example.contains("--format") {
            assert!(example.contains("--stack-name"), "pcstack outputs{example}");
        }
    }
}
