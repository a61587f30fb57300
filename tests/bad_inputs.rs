//! Every bad input gets a clear answer: exit 2, a message naming the field, the rule and the
//! value, nothing written (the previous `out/` file is unchanged) and nothing sent to AWS.
//!
//! "Nothing sent" is checked with a listener on 127.0.0.1 that AWS_ENDPOINT_URL points at and
//! that counts every connection: it must see none.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const STACK: &str = "parallelcluster-prerequisites";

/// A local endpoint that counts connections (and answers nothing).
struct Tripwire {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Tripwire {
    fn start() -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
            }
        });
        Tripwire { url, hits }
    }
}

/// One bad input: the command line, files it reads, and what stderr must say.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    files: &'static [(&'static str, &'static str)],
    expect: &'static [&'static str],
}

const CONFIG: &str = "bad.yaml";

fn synth_config(name: &'static str, config: &'static str, expect: &'static [&'static str]) -> Case {
    // Leaked once per case: a static table keeps the cases readable.
    let files: &'static [(&'static str, &'static str)] =
        Box::leak(vec![(CONFIG, config)].into_boxed_slice());
    Case {
        name,
        args: &["synth", "--config", CONFIG],
        files,
        expect,
    }
}

const TEMPLATE: &str = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Environment:
    Type: String
    AllowedValues: [dev, prod]
  Count:
    Type: Number
    MinValue: 1
    MaxValue: 4
  Zone:
    Type: AWS::EC2::AvailabilityZone::Name
  Cidr:
    Type: String
    AllowedPattern: '(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}'
    Default: 10.0.0.0/16
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: {Ref: Cidr}
";

fn deploy_template(
    name: &'static str,
    extra: &'static [&'static str],
    expect: &'static [&'static str],
) -> Case {
    let mut args = vec![
        "deploy",
        "--template",
        "t.yaml",
        "--stack-name",
        "s",
        "--region",
        "us-east-1",
    ];
    args.extend_from_slice(extra);
    Case {
        name,
        args: Box::leak(args.into_boxed_slice()),
        files: &[("t.yaml", TEMPLATE)],
        expect,
    }
}

fn deploy_builtin(
    name: &'static str,
    extra: &'static [&'static str],
    expect: &'static [&'static str],
) -> Case {
    let mut args = vec![
        "deploy",
        STACK,
        "--stack-name",
        "s",
        "--region",
        "us-east-1",
        "--parameter",
        "PrimarySubnetAZ=us-east-1a",
    ];
    args.extend_from_slice(extra);
    Case {
        name,
        args: Box::leak(args.into_boxed_slice()),
        files: &[],
        expect,
    }
}

/// A generated file body for the static table (leaked once per case).
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn leak_args(args: Vec<String>) -> &'static [&'static str] {
    let args: Vec<&'static str> = args.into_iter().map(leak).collect();
    Box::leak(args.into_boxed_slice())
}

fn leak_files(files: Vec<(&'static str, String)>) -> &'static [(&'static str, &'static str)] {
    let files: Vec<(&'static str, &'static str)> = files
        .into_iter()
        .map(|(name, text)| (name, leak(text)))
        .collect();
    Box::leak(files.into_boxed_slice())
}

/// Every bad input, by what it gets wrong.
fn cases() -> Vec<Case> {
    [
        config_shape_and_file_system_cases(),
        config_name_and_asset_cases(),
        config_limit_cidr_and_association_cases(),
        flag_and_parameter_cases(),
        template_file_cases(),
        deploy_flag_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Config files: syntax, shape and types; Lustre and OpenZFS settings.
fn config_shape_and_file_system_cases() -> Vec<Case> {
    vec![
        // Config files: syntax, shape and types.
        synth_config("bad YAML", "lustre: [capacity: 2400\n", &["config must be valid"]),
        synth_config("unknown top-level field", "lustr:\n  capacity: 2400\n", &["unknown field `lustr`"]),
        synth_config("unknown nested field", "network:\n  cidr: 10.0.0.0/16\n", &["unknown field `cidr`"]),
        synth_config("wrong type for a number", "lustre:\n  capacity: big\n", &["lustre.capacity", "invalid type"]),
        synth_config("wrong type for a list", "associations: data\n", &["associations", "invalid type"]),
        synth_config("wrong type for a bool", "network:\n  create_s3_endpoint: maybe\n", &["network.create_s3_endpoint", "invalid type"]),
        synth_config("unknown removal policy", "bucket:\n  removal: Snapshot\n", &["bucket.removal", "unknown variant `Snapshot`"]),
        synth_config("association missing a field", "associations:\n  - id: A\n    file_system_path: /a\n", &["missing field"]),
        // Lustre.
        synth_config("Lustre capacity 3600", "lustre:\n  capacity: 3600\n", &["lustre.capacity", "1200, 2400 or a multiple of 2400", "got 3600"]),
        synth_config("Lustre capacity zero", "lustre:\n  capacity: 0\n", &["lustre.capacity", "got 0"]),
        synth_config("Lustre capacity above the ceiling", "lustre:\n  capacity: 120000\n", &["lustre.capacity", "at most lustre.max_capacity", "got 120000"]),
        synth_config("Lustre throughput 125", "lustre:\n  per_unit_storage_throughput: 125\n", &["PerUnitStorageThroughput must be 50, 100 or 200", "got 125"]),
        synth_config("Lustre compression ZSTD", "lustre:\n  compression: ZSTD\n", &["lustre.compression", "LZ4 or NONE", "\"ZSTD\""]),
        synth_config("Lustre 2.10 with associations", "lustre:\n  version: \"2.10\"\n", &["2.12 or 2.15 for a Lustre file system with data repository associations", "\"2.10\""]),
        synth_config("Lustre version unknown", "lustre:\n  version: \"3.1\"\n", &["lustre.version", "\"3.1\""]),
        synth_config("Lustre SCRATCH_2", "lustre:\n  deployment_type: SCRATCH_2\n", &["lustre.deployment_type", "PERSISTENT_1 or PERSISTENT_2", "\"SCRATCH_2\""]),
        synth_config("PERSISTENT_1 throughput on PERSISTENT_2", "lustre:\n  deployment_type: PERSISTENT_2\n", &["config: lustre.per_unit_storage_throughput: PerUnitStorageThroughput must be 125, 250, 500 or 1000 (200 is a PERSISTENT_1 value; FSx API CreateFileSystemLustreConfiguration) for Lustre PERSISTENT_2 SSD, got 200"]),
        synth_config("metadata on PERSISTENT_1", "lustre:\n  metadata: {mode: AUTOMATIC}\n", &["config: lustre.metadata: MetadataConfiguration must not be set (only PERSISTENT_2 takes one) for Lustre PERSISTENT_1, got Mode AUTOMATIC"]),
        synth_config("metadata IOPS 18000", "lustre:\n  deployment_type: PERSISTENT_2\n  per_unit_storage_throughput: 125\n  metadata: {mode: USER_PROVISIONED, iops: 18000}\n", &["lustre.metadata", "multiple of 12000 up to 192000", "got 18000"]),
        synth_config("metadata on Lustre 2.12", "lustre:\n  deployment_type: PERSISTENT_2\n  per_unit_storage_throughput: 125\n  version: '2.12'\n  metadata: {mode: AUTOMATIC}\n", &["config: lustre.version: FileSystemTypeVersion must be 2.15 for a Lustre file system with a metadata configuration, got \"2.12\""]),
        synth_config("EFA on PERSISTENT_1", "lustre:\n  efa: true\n", &["config: lustre.efa: EfaEnabled must be false (EFA needs PERSISTENT_2 with a metadata configuration: FSx for Lustre User Guide, EFA-enabled file systems) for Lustre PERSISTENT_1, got true"]),
        synth_config("EFA without metadata", "lustre:\n  deployment_type: PERSISTENT_2\n  per_unit_storage_throughput: 1000\n  capacity: 4800\n  efa: true\n", &["config: lustre.efa: EfaEnabled must come with a MetadataConfiguration", "got no MetadataConfiguration"]),
        synth_config("EFA capacity off its step", "lustre:\n  deployment_type: PERSISTENT_2\n  per_unit_storage_throughput: 250\n  capacity: 9600\n  metadata: {mode: AUTOMATIC}\n  efa: true\n", &["config: lustre.capacity: StorageCapacity must be a multiple of 19200 GiB at 250 MB/s/TiB for an EFA-enabled Lustre file system, got 9600"]),
        synth_config("mount point relative", "lustre:\n  mount_point: lustre\n", &["lustre.mount_point", "absolute path", "\"lustre\""]),
        // OpenZFS.
        synth_config("OpenZFS throughput for another deployment type", "openzfs:\n  throughput: 256\n", &["openzfs.throughput", "160, 320, 640", "got 256"]),
        synth_config("OpenZFS deployment type unknown", "openzfs:\n  deployment_type: MULTI_AZ_2\n", &["config: openzfs.deployment_type: DeploymentType must be SINGLE_AZ_1, SINGLE_AZ_2, SINGLE_AZ_HA_1, SINGLE_AZ_HA_2 or MULTI_AZ_1 for OpenZFS, got \"MULTI_AZ_2\""]),
        synth_config("OpenZFS type the Region lacks", "region: ap-southeast-3\nopenzfs:\n  deployment_type: SINGLE_AZ_HA_2\n", &["config: openzfs.deployment_type: DeploymentType must be one offered there: SINGLE_AZ_1, SINGLE_AZ_HA_1 or MULTI_AZ_1 for OpenZFS in ap-southeast-3 (FSx for OpenZFS User Guide, Availability by AWS Region), got \"SINGLE_AZ_HA_2\""]),
        synth_config("MULTI_AZ_1 without a second zone", "network:\n  availability_zone: us-east-1a\nopenzfs:\n  deployment_type: MULTI_AZ_1\n", &["config: openzfs.deployment_type: network.second_availability_zone must be set (its subnet holds the standby file server; CloudFormation OpenZFSConfiguration PreferredSubnetId) for openzfs.deployment_type MULTI_AZ_1, got none"]),
        synth_config("second zone equal to the first", "network:\n  availability_zone: us-east-1a\n  second_availability_zone: us-east-1a\n", &["config: network.second_availability_zone: network.second_availability_zone must differ from network.availability_zone", "got \"us-east-1a\""]),
        synth_config("second zone without the first", "network:\n  second_availability_zone: us-east-1b\n", &["config: network.second_availability_zone: network.availability_zone must be set in the config"]),
        synth_config("second zone in another Region", "region: us-east-1\nnetwork:\n  availability_zone: us-east-1a\n  second_availability_zone: us-west-2b\n", &["network.second_availability_zone must be in the stack's Region us-east-1", "\"us-west-2b\""]),
        synth_config("OpenZFS capacity too small", "openzfs:\n  capacity: 32\n", &["openzfs.capacity", "between 64 and 524288", "got 32"]),
        synth_config("OpenZFS capacity too large", "openzfs:\n  capacity: 600000\n", &["openzfs.capacity", "got 600000"]),
    ]
}

/// Config files: names, environment variable names, assets and the image tag.
fn config_name_and_asset_cases() -> Vec<Case> {
    vec![
        // Names.
        synth_config("bucket name with capitals", "bucket:\n  name: My-Bucket\n", &["bucket.name", "lowercase letters", "\"My-Bucket\""]),
        synth_config("bucket name too long once filled in", "bucket:\n  name: a-very-long-bucket-name-prefix-for-training-${AWS::AccountId}-${AWS::Region}\n", &["bucket.name", "3 to 63 characters", "longest form"]),
        synth_config("bucket name with an unknown variable", "bucket:\n  name: data-${Team}\n", &["bucket.name", "as variables", "${Team}"]),
        synth_config("bucket name shaped like an IP", "bucket:\n  name: 10.0.0.1\n", &["bucket.name", "IP address", "\"10.0.0.1\""]),
        synth_config("log bucket equals data bucket", "logs:\n  bucket_name: parallelcluster-${AWS::AccountId}-${AWS::Region}\n", &["logs.bucket_name", "differ from bucket.name"]),
        synth_config("log retention zero", "logs:\n  retention_days: 0\n", &["logs.retention_days", "between 1 and 3650", "got 0"]),
        synth_config("repository name with capitals", "repository:\n  name: PyTorch\n", &["repository.name", "lowercase", "\"PyTorch\""]),
        synth_config("repository name with a double slash", "repository:\n  name: team//trainer\n", &["repository.name", "\"team//trainer\""]),
        synth_config("region malformed", "region: useast1\n", &["region", "Region code", "\"useast1\""]),
        synth_config("region misspelt, zone of the region meant", "region: us-esat-1\nnetwork:\n  availability_zone: us-east-1a\n", &["region must be an AWS Region code (did you mean us-east-1?)", "\"us-esat-1\"", "1 error(s); nothing was written"]),
        synth_config("AZ not in the region", "region: us-east-1\nnetwork:\n  availability_zone: us-west-2a\n", &["network.availability_zone", "Region us-east-1", "\"us-west-2a\""]),
        synth_config("AZ malformed", "network:\n  availability_zone: east\n", &["network.availability_zone", "\"east\""]),
        synth_config("tag key reserved", "tags:\n  \"aws:team\": ml\n", &["tags.aws:team", "not starting with aws:"]),
        synth_config("tag key with a newline", "tags:\n  \"team\\nx\": ml\n", &["tags.team\\nx", "letters, numbers, spaces", "\"team\\nx\": \"ml\""]),
        synth_config("tag value with a semicolon", "tags:\n  team: \"a;b\"\n", &["tags.team", "_ . : / = + - @", "\"a;b\""]),
        // Output environment variable names.
        synth_config("association env repeats an output's", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: VPC_ID}\n", &["PC007", "output A environment variable must differ from that of output VPC", "\"VPC_ID\""]),
        synth_config("two associations with one env", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: D}\n  - {id: B, file_system_path: /b, s3_prefix: b/, output: B, env: D}\n", &["output B environment variable must differ from that of output A", "\"D\""]),
        // Assets and the image tag: keys and variables at synth; files at deploy.
        synth_config("asset key with a leading slash", "assets:\n  - {file: a.sh, key: /scripts/a.sh, env: A_SCRIPT}\n", &["PC181", "assets[0].key", "no leading or trailing /", "\"/scripts/a.sh\""]),
        synth_config("asset key naming a folder", "assets:\n  - {file: a.sh, key: scripts/, env: A_SCRIPT}\n", &["PC181", "assets[0].key", "\"scripts/\""]),
        synth_config("asset key with a Sub variable", "assets:\n  - {file: a.sh, key: \"s/${AWS::Region}.sh\", env: A_SCRIPT}\n", &["PC181", "assets[0].key", "only letters, digits"]),
        synth_config("two assets with one key", "assets:\n  - {file: a.sh, key: s/a.sh, env: A}\n  - {file: b.sh, key: s/a.sh, env: B}\n", &["PC182", "assets[1].key must differ from the S3 key of assets[0]", "\"s/a.sh\""]),
        synth_config("two assets with one variable", "assets:\n  - {file: a.sh, key: s/a.sh, env: A}\n  - {file: b.sh, key: s/b.sh, env: A}\n", &["PC182", "assets[1].env must differ from the environment variable of assets[0]", "\"A\""]),
        synth_config("asset variable lowercase", "assets:\n  - {file: a.sh, key: s/a.sh, env: head}\n", &["PC184", "assets[0].env", "\"head\""]),
        synth_config("asset variable repeats an output's", "assets:\n  - {file: a.sh, key: s/a.sh, env: VPC_ID}\n", &["PC007", "environment variable must differ from that of output VPC", "\"VPC_ID\""]),
        synth_config("asset missing its key", "assets:\n  - {file: a.sh, env: A}\n", &["missing field `key`"]),
        synth_config("compute instance type misspelt", "cluster:\n  queues:\n    - name: gpu\n      compute_resources:\n        - {name: a, instance_type: p5.48xlage, min_count: 0, max_count: 1}\n", &["error[PC173]", "(did you mean p5.48xlarge?)", "\"p5.48xlage\""]),
        synth_config("head node instance type in capitals", "cluster:\n  head_node: {instance_type: M5.8xlarge}\n", &["error[PC172]", "(did you mean m5.8xlarge?)", "\"M5.8xlarge\""]),
        synth_config("image tag with a colon", "repository:\n  image_tag: \"v1:2\"\n", &["PC142", "repository.image_tag", "\"v1:2\""]),
        Case {
            name: "asset file missing at deploy",
            args: &["deploy", STACK, "--stack-name", "s", "--region", "us-east-1", "--parameter", "PrimarySubnetAZ=us-east-1a", "--config", CONFIG],
            files: &[(CONFIG, "assets:\n  - {file: scripts/none.sh, key: s/none.sh, env: NONE_SCRIPT}\n")],
            expect: &["PC183", "assets[0].file must be a readable file", "none.sh", "No such file"],
        },
        Case {
            name: "default config without the bootstrap scripts at deploy",
            args: &["deploy", STACK, "--stack-name", "s", "--region", "us-east-1", "--parameter", "PrimarySubnetAZ=us-east-1a"],
            files: &[],
            expect: &["assets[0].file", "examples/scripts/bootstrap/head-node-enroot-pyxis-setup.sh", "assets[1].file", "`assets: []` in the config deploys without assets"],
        },
        Case {
            name: "template asset without an output",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--config", CONFIG],
            files: &[("t.yaml", TEMPLATE), (CONFIG, "assets:\n  - {file: t.yaml, key: s/t.yaml, env: T_URI}\n")],
            expect: &["PC185", "assets[0].env must name the environment variable of an output", "\"T_URI\""],
        },
    ]
}

/// Config files: size limits, CIDRs and data repository associations.
fn config_limit_cidr_and_association_cases() -> Vec<Case> {
    vec![
        // Limits: checked before the parser.
        synth_config("config nested 100,000 levels", leak(format!("lustre: {}1{}\n", "[".repeat(100_000), "]".repeat(100_000))), &["PC006", "config file must nest at most 64 levels deep"]),
        synth_config("config over 1 MiB", leak(format!("# {}\n", "x".repeat(1 << 20))), &["PC006", "config file must be at most 1048576 bytes, got 1048579 bytes"]),
        synth_config("long value cut in the message", leak(format!("bucket:\n  name: {}\n", "B".repeat(5000))), &["bucket.name", "…(9860 more)"]),
        // CIDRs.
        synth_config("CIDR malformed", "network:\n  primary_cidr: 10.0.0/16\n", &["network.primary_cidr", "a.b.c.d/n", "\"10.0.0/16\""]),
        synth_config("CIDR with host bits", "network:\n  primary_cidr: 10.0.0.1/16\n", &["network.primary_cidr", "no host bits", "\"10.0.0.1/16\""]),
        synth_config("VPC block too large", "network:\n  primary_cidr: 10.0.0.0/8\n", &["network.primary_cidr", "between /16 and /28", "10.0.0.0/8"]),
        synth_config("secondary overlaps primary", "network:\n  secondary_cidr: 10.0.128.0/17\n", &["secondary CIDR must not overlap the primary block", "10.0.128.0/17"]),
        synth_config("secondary in a restricted range", "network:\n  secondary_cidr: 172.16.0.0/16\n", &["secondary CIDR must not be inside 172.16.0.0/12", "172.16.0.0/16"]),
        synth_config("block too small for two subnets", "network:\n  secondary_cidr: 10.1.0.0/28\n", &["network.secondary_cidr must be a /16 or larger block, such as 10.1.0.0/16, for 2 subnets of /17", "got 10.1.0.0/28"]),
        synth_config("VPC block /20", "network:\n  primary_cidr: 10.20.0.0/20\n", &["error[PC155] config: network.primary_cidr: network.primary_cidr must be a /16 or larger block, such as 10.20.0.0/16, for 2 subnets of /17 (Fn::Cidr [block, 2, 15]), got 10.20.0.0/20", "1 error(s)"]),
        // Associations.
        synth_config("association path without a slash", "associations:\n  - {id: A, file_system_path: data, s3_prefix: data/, output: A, env: A}\n", &["FileSystemPath must start with /", "\"data\""]),
        synth_config("nested association paths", "associations:\n  - {id: A, file_system_path: /ns1, s3_prefix: a/, output: A, env: A}\n  - {id: B, file_system_path: /ns1/ns2, s3_prefix: b/, output: B, env: B}\n", &["FileSystemPath must not equal or contain another association's path", "\"/ns1\" and \"/ns1/ns2\""]),
        synth_config("overlapping S3 prefixes", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: data/, output: A, env: A}\n  - {id: B, file_system_path: /b, s3_prefix: data/raw/, output: B, env: B}\n", &["DataRepositoryPath must not equal or contain another association's path"]),
        synth_config("prefix with a leading slash", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: /data/, output: A, env: A}\n", &["s3_prefix", "no leading /", "\"/data/\""]),
        synth_config("unknown event", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, import: [NEW, MOVED], output: A, env: A}\n", &["import must list only NEW, CHANGED or DELETED", "\"MOVED\""]),
        synth_config("duplicate event", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, export: [NEW, NEW], output: A, env: A}\n", &["export must list each event once", "\"NEW\" twice"]),
        synth_config("association ID with a dash", "associations:\n  - {id: Data-1, file_system_path: /a, s3_prefix: a/, output: A, env: A}\n", &["associations[0].id", "\"Data-1\""]),
        synth_config("duplicate association IDs", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: A}\n  - {id: A, file_system_path: /b, s3_prefix: b/, output: B, env: B}\n", &["associations[1].id", "be unique", "\"A\""]),
        synth_config("env name lowercase", "associations:\n  - {id: A, file_system_path: /a, s3_prefix: a/, output: A, env: data_dir}\n", &["associations[0].env", "environment variable name", "\"data_dir\""]),
        synth_config(
            "nine associations",
            "associations:\n  - {id: A1, file_system_path: /a1, s3_prefix: a1/, output: O1, env: E1}\n  - {id: A2, file_system_path: /a2, s3_prefix: a2/, output: O2, env: E2}\n  - {id: A3, file_system_path: /a3, s3_prefix: a3/, output: O3, env: E3}\n  - {id: A4, file_system_path: /a4, s3_prefix: a4/, output: O4, env: E4}\n  - {id: A5, file_system_path: /a5, s3_prefix: a5/, output: O5, env: E5}\n  - {id: A6, file_system_path: /a6, s3_prefix: a6/, output: O6, env: E6}\n  - {id: A7, file_system_path: /a7, s3_prefix: a7/, output: O7, env: E7}\n  - {id: A8, file_system_path: /a8, s3_prefix: a8/, output: O8, env: E8}\n  - {id: A9, file_system_path: /a9, s3_prefix: a9/, output: O9, env: E9}\n",
            &["associations must have at most 8 entries", "got 9"],
        ),
    ]
}

/// CLI flags and parameters, of a template and of the built-in stack.
fn flag_and_parameter_cases() -> Vec<Case> {
    vec![
        // CLI flags.
        Case { name: "unknown stack", args: &["synth", "--stack", "nope"], files: &[], expect: &["stack must be one of parallelcluster-prerequisites", "\"nope\""] },
        Case { name: "unknown format", args: &["synth", "--format", "toml"], files: &[], expect: &["invalid value 'toml'", "--format"] },
        Case { name: "unknown flag", args: &["synth", "--colour"], files: &[], expect: &["unexpected argument '--colour'"] },
        Case { name: "missing config file", args: &["synth", "--config", "nowhere.yaml"], files: &[], expect: &["config file must be readable", "nowhere.yaml"] },
        // Parameters against a template's own constraints.
        deploy_template("value outside AllowedValues", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=staging"], &["Environment", "staging", "dev"]),
        deploy_template("number above MaxValue", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--parameter", "Count=9"], &["Count", "9", "4"]),
        deploy_template("number that isn't one", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--parameter", "Count=many"], &["Count", "many"]),
        deploy_template("pattern mismatch", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--parameter", "Cidr=everything"], &["Cidr", "everything"]),
        deploy_template("AZ malformed", &["--parameter", "Zone=east", "--parameter", "Environment=dev"], &["Zone", "east"]),
        deploy_template("AZ in another region", &["--parameter", "Zone=eu-west-1a", "--parameter", "Environment=dev"], &["Zone", "eu-west-1a", "us-east-1"]),
        deploy_template("unknown parameter", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--parameter", "Colour=blue"], &["Colour"]),
        deploy_template("parameter flag without =", &["--parameter", "Environment"], &["KEY=VALUE"]),
        Case {
            name: "parameters file that isn't JSON or YAML",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--parameters-file", "p.json"],
            files: &[("t.yaml", TEMPLATE), ("p.json", "[{\"ParameterKey\": \"Environment\", \"ParameterValue\": ")],
            expect: &["p.json"],
        },
        Case {
            name: "parameters file with a bad value",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--parameters-file", "p.json"],
            files: &[("t.yaml", TEMPLATE), ("p.json", "[{\"ParameterKey\": \"Environment\", \"ParameterValue\": \"qa\"}, {\"ParameterKey\": \"Zone\", \"ParameterValue\": \"us-east-1a\"}]")],
            expect: &["Environment", "qa"],
        },
        // Parameters of the built-in stack, checked with synth's rule functions.
        Case {
            name: "OpenZFS type the deploy Region lacks",
            args: &["deploy", STACK, "--stack-name", "s", "--region", "ap-southeast-3", "--parameter", "PrimarySubnetAZ=ap-southeast-3a"],
            files: &[],
            expect: &["OpenZFSFileSystem (AWS::FSx::FileSystem).OpenZFSConfiguration.DeploymentType", "DeploymentType must be one offered there: SINGLE_AZ_1, SINGLE_AZ_HA_1 or MULTI_AZ_1 for OpenZFS in ap-southeast-3 (FSx for OpenZFS User Guide, Availability by AWS Region), got \"SINGLE_AZ_HA_2\""],
        },
        deploy_builtin("Capacity 3600", &["--parameter", "Capacity=3600"], &["Capacity", "3600", "1 error(s); nothing was sent to AWS"]),
        deploy_builtin("throughput 125", &["--parameter", "PerUnitStorageThroughput=125"], &["PerUnitStorageThroughput", "125"]),
        deploy_builtin("OpenZFS throughput 256", &["--parameter", "OpenZFSThroughput=256"], &["OpenZFSThroughput", "256"]),
        deploy_builtin("OpenZFS capacity 10", &["--parameter", "OpenZFSCapacity=10"], &["OpenZFSCapacity", "10"]),
        deploy_builtin("CreateS3Endpoint yes", &["--parameter", "CreateS3Endpoint=yes"], &["CreateS3Endpoint", "yes"]),
        deploy_template("timeout that overflows", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--timeout", "1147797409030816545h"], &["--timeout", "at most 168h (7 days)", "1147797409030816545h"]),
        deploy_template("timeout above a week", &["--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev", "--timeout", "200h"], &["--timeout", "at most 168h", "\"200h\""]),
        Case {
            name: "parameters file nested too deep",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--parameters-file", "p.yaml"],
            files: leak_files(vec![("t.yaml", TEMPLATE.to_string()), ("p.yaml", format!("Environment: {}dev{}\n", "[".repeat(70), "]".repeat(70)))]),
            expect: &["p.yaml", "parameters file must nest at most 64 levels deep"],
        },
        Case {
            name: "parameters file over 1 MiB",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--parameters-file", "p.yaml"],
            files: leak_files(vec![("t.yaml", TEMPLATE.to_string()), ("p.yaml", format!("Environment: {}\n", "d".repeat(1 << 20)))]),
            expect: &["p.yaml", "parameters file must be at most 1048576 bytes"],
        },
    ]
}

/// Template files: limits, environment variable names, and files that are not CloudFormation.
fn template_file_cases() -> Vec<Case> {
    vec![
        // Template files over CloudFormation's limits or with names a shell would run.
        Case {
            name: "template over 1,000,000 bytes",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: leak_files(vec![("t.yaml", format!("{TEMPLATE}Description: {}\n", "x".repeat(1_000_000)))]),
            expect: &["t.yaml", "template must be at most 1000000 bytes"],
        },
        Case {
            name: "template nested too deep",
            args: &["diff", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: leak_files(vec![("t.yaml", format!("{TEMPLATE}Metadata:\n  X: {}1{}\n", "[".repeat(200), "]".repeat(200)))]),
            expect: &["t.yaml", "template must nest at most 128 levels deep"],
        },
        Case {
            name: "template env name a shell would run",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev"],
            files: &[("t.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\nOutputs:\n  VpcId:\n    Value: {Ref: Vpc}\nMetadata:\n  pcstack:\n    OutputEnvironmentVariables:\n      VpcId: 'X=1; touch /tmp/f; Y'\n")],
            expect: &["OutputEnvironmentVariables.VpcId must be an environment variable name", "\"X=1; touch /tmp/f; Y\""],
        },
        Case {
            name: "template with a repeated env name",
            args: &["outputs", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\nOutputs:\n  Vpc:\n    Value: {Ref: Vpc}\n  VpcId:\n    Value: {Ref: Vpc}\nMetadata:\n  pcstack:\n    OutputEnvironmentVariables:\n      Vpc: VPC_ID\n      VpcId: VPC_ID\n")],
            expect: &["output VpcId environment variable must differ from that of output Vpc", "\"VPC_ID\" (declared)"],
        },
        // Template files that aren't CloudFormation.
        Case {
            name: "template that isn't YAML",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "Resources: [unclosed\n")],
            expect: &["t.yaml"],
        },
        Case {
            name: "template without resources",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nOutputs: {}\n")],
            expect: &["Resources must declare at least one resource"],
        },
        Case {
            name: "template with a dangling Ref",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {Ref: Missing}\n")],
            expect: &["Ref must name a parameter, resource or pseudo parameter", "\"Missing\""],
        },
        Case {
            name: "template with a property typo",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketNme: logs\n")],
            expect: &["error[E3002] s/Logs (AWS::S3::Bucket).BucketNme (line 5): property must be one of the properties of AWS::S3::Bucket for resource Logs, got \"BucketNme\"; did you mean \"BucketName\"?"],
        },
        Case {
            name: "template with an unknown GetAtt attribute",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\nOutputs:\n  Arn:\n    Value: !GetAtt Logs.Arm\n")],
            expect: &["error[E1010]", "\"Arm\"; did you mean \"Arn\"?"],
        },
        Case {
            name: "diff of a template with an unknown type",
            args: &["diff", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "Resources:\n  Box:\n    Type: AWS::EC2::Instanse\n")],
            expect: &["error[E3006]", "\"AWS::EC2::Instanse\"; did you mean \"AWS::EC2::Instance\"?"],
        },
        Case {
            name: "FSx file system in a Region without FSx file systems",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "ap-southeast-6"],
            files: &[("t.yaml", "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      FileSystemType: LUSTRE\n      SubnetIds: [subnet-1]\n")],
            expect: &["error[E3006]", "available in ap-southeast-6", "AWS::FSx::FileSystem"],
        },
        Case {
            name: "a Kubernetes manifest",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"],
            files: &[("t.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n")],
            expect: &["top-level key must be one of", "\"apiVersion\""],
        },
    ]
}

/// Stack-level deploy flags and other command lines.
fn deploy_flag_cases() -> Vec<Case> {
    vec![
        // Stack-level deploy flags: checked before any AWS call, every problem at once.
        deploy_template("stack tag with a reserved key", &["--tags", "aws:team=ml"], &["\nerror[PC003] --tags: --tags aws:team", "not starting with aws:", "\"aws:team\": \"ml\""]),
        deploy_template("stack tag without =", &["--tags", "team"], &["--tags <KEY=VALUE>", "tag must be KEY=VALUE", "\"team\""]),
        deploy_template("stack tag given twice", &["--tags", "team=a", "--tags", "team=b"], &["\nerror[PC191] --tags: --tags must give each key once", "\"team\" twice"]),
        deploy_template("stack tag value with a semicolon", &["--tags", "team=a;b"], &["--tags team", "_ . : / = + - @", "\"a;b\""]),
        Case {
            name: "51 stack tags",
            args: leak_args(["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1"].into_iter().map(String::from).chain((0..51).flat_map(|i| ["--tags".to_string(), format!("k{i}=v")])).collect()),
            files: &[("t.yaml", TEMPLATE)],
            expect: &["--tags must give at most 50 tags", "got 51"],
        },
        deploy_template("role ARN of a user", &["--role-arn", "arn:aws:iam::123456789012:user/alice"], &["\nerror[PC192] --role-arn: --role-arn must be an IAM role ARN", "\"arn:aws:iam::123456789012:user/alice\""]),
        deploy_template("role given by name", &["--role-arn", "cfn-deploy"], &["--role-arn must be an IAM role ARN", "\"cfn-deploy\""]),
        deploy_template("notification ARN of a queue", &["--notification-arns", "arn:aws:sqs:us-east-1:123456789012:q"], &["--notification-arns must list SNS topic ARNs", "\"arn:aws:sqs:us-east-1:123456789012:q\""]),
        deploy_template("six notification topics", &["--notification-arns", "arn:aws:sns:us-east-1:123456789012:a,arn:aws:sns:us-east-1:123456789012:b,arn:aws:sns:us-east-1:123456789012:c,arn:aws:sns:us-east-1:123456789012:d,arn:aws:sns:us-east-1:123456789012:e,arn:aws:sns:us-east-1:123456789012:f"], &["--notification-arns must list at most 5 topics", "got 6"]),
        deploy_template("stack policy file missing", &["--stack-policy", "nowhere.json"], &["\nerror[PC194] --stack-policy: cannot read stack policy nowhere.json"]),
        Case {
            name: "stack policy that isn't JSON",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--stack-policy", "p.json"],
            files: &[("t.yaml", TEMPLATE), ("p.json", "Statement:\n- Effect: Deny\n")],
            expect: &["--stack-policy p.json must be a JSON stack policy document", "invalid JSON"],
        },
        Case {
            name: "stack policy without statements",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--stack-policy", "p.json"],
            files: &[("t.yaml", TEMPLATE), ("p.json", "{\"Statement\": []}")],
            expect: &["--stack-policy p.json must be an object with a non-empty Statement list"],
        },
        Case {
            name: "stack policy over 16 KB",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--stack-policy", "p.json"],
            files: leak_files(vec![("t.yaml", TEMPLATE.to_string()), ("p.json", format!("{{\"Statement\": [{{\"Effect\": \"Deny\", \"Sid\": \"{}\"}}]}}", "x".repeat(20_000)))]),
            expect: &["stack policy must be at most 16384 bytes"],
        },
        deploy_template("capability unknown", &["--capabilities", "CAPABILITY_ADMIN"], &["--capabilities <CAPABILITY>", "\"CAPABILITY_ADMIN\""]),
        Case {
            name: "capabilities missing the one a named role needs",
            args: &["deploy", "--template", "iam.yaml", "--stack-name", "s", "--region", "us-east-1", "--capabilities", "CAPABILITY_IAM"],
            files: &[("iam.yaml", "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: deployer\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n")],
            expect: &["--capabilities must include CAPABILITY_NAMED_IAM for IAM resource Role, which sets RoleName", "got CAPABILITY_IAM"],
        },
        Case {
            name: "capabilities without IAM for an IAM resource",
            args: &["deploy", "--template", "iam.yaml", "--stack-name", "s", "--region", "us-east-1", "--capabilities", "CAPABILITY_AUTO_EXPAND"],
            files: &[("iam.yaml", "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n")],
            expect: &["--capabilities must include CAPABILITY_IAM (or CAPABILITY_NAMED_IAM) for IAM resource Role", "got CAPABILITY_AUTO_EXPAND"],
        },
        deploy_template("approve mode unknown", &["--approve", "wider"], &["invalid value 'wider'", "--approve", "broadening"]),
        deploy_template("progress mode unknown", &["--progress", "xml"], &["invalid value 'xml'", "--progress"]),
        Case { name: "synth to stdout with --check", args: &["synth", "--out", "-", "--check"], files: &[], expect: &["--check compares the file under --out", "--out -"] },
        Case { name: "completions for an unknown shell", args: &["completions", "tcsh"], files: &[], expect: &["invalid value 'tcsh'"] },
        Case {
            name: "diff --fail with a broken template",
            args: &["diff", "--template", "t.yaml", "--stack-name", "s", "--region", "us-east-1", "--fail"],
            files: &[("t.yaml", "Resources: [unclosed\n")],
            expect: &["t.yaml"],
        },
        Case {
            name: "stack name with an underscore",
            args: &["deploy", "--template", "t.yaml", "--stack-name", "my_stack", "--region", "us-east-1", "--parameter", "Zone=us-east-1a", "--parameter", "Environment=dev"],
            files: &[("t.yaml", TEMPLATE)],
            expect: &["my_stack"],
        },
    ]
}

fn run(case: &Case, dir: &Path, tripwire: &Tripwire) -> (Option<i32>, String) {
    for (name, text) in case.files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_pcstack"))
        .args(case.args)
        .current_dir(dir)
        .env("AWS_ENDPOINT_URL", &tripwire.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_bad_input_is_rejected_clearly_without_side_effects() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "at least 40 distinct bad inputs, got {}",
        cases.len()
    );
    let tripwire = Tripwire::start();
    let mut failures = Vec::new();
    for case in &cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let previous = out.join(format!("{STACK}.yaml"));
        std::fs::write(&previous, "previous\n").unwrap();
        let before = tripwire.hits.load(Ordering::SeqCst);
        let (code, stderr) = run(case, dir.path(), &tripwire);
        let mut problems = Vec::new();
        if tripwire.hits.load(Ordering::SeqCst) != before {
            problems.push("it reached the AWS endpoint".to_string());
        }
        if code != Some(2) {
            problems.push(format!("exit {code:?}, want 2"));
        }
        // An expectation that starts with a newline starts a line (the first one too).
        let lines = format!("\n{stderr}");
        for want in case.expect {
            if !lines.contains(want) {
                problems.push(format!("stderr lacks {want:?}"));
            }
        }
        if std::fs::read_to_string(&previous).unwrap() != "previous\n"
            || std::fs::read_dir(&out).unwrap().count() != 1
        {
            problems.push("out/ was touched".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}: {}\n{}",
                case.name,
                problems.join("; "),
                stderr.trim_end()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// A parameter value that both the stack's own rule and the template's parameter type refuse
/// gets one error, the stack rule's, which says more.
#[test]
fn a_parameter_two_rules_refuse_is_reported_once() {
    let tripwire = Tripwire::start();
    let dir = tempfile::tempdir().unwrap();
    let case = Case {
        name: "zone malformed",
        args: &[
            "deploy",
            STACK,
            "--stack-name",
            "s",
            "--region",
            "us-east-1",
            "--parameter",
            "PrimarySubnetAZ=foo",
            "--config",
            CONFIG,
        ],
        files: &[(CONFIG, "assets: []\n")],
        expect: &[],
    };
    let (code, stderr) = run(&case, dir.path(), &tripwire);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.matches("error[").count(), 1, "{stderr}");
    assert!(
        stderr.contains("error[PC163] parameter PrimarySubnetAZ: ")
            && stderr.contains("got \"foo\""),
        "{stderr}"
    );
    assert_eq!(tripwire.hits.load(Ordering::SeqCst), 0);
}
