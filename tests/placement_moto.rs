//! Zones by ID and the cluster's placement, against `scripts/moto-server`: moto's zone table
//! (us-east-1c is use1-az2, us-east-1e use1-az3) and offering data (g5.8xlarge and m5.8xlarge
//! everywhere but use1-az3; p4d.24xlarge in use1-az1, az2, az4 and az6), capacity reservations
//! and Capacity Blocks from `tests/fixtures/ec2-capacity.json` (the launcher's `--ec2-capacity`).
//! Every bad case exits 2 before any CloudFormation request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{fixture, text, Moto};
use std::path::PathBuf;

/// A config file in a temporary folder: `region: us-east-1`, no assets, and `body`.
fn config(dir: &tempfile::TempDir, name: &str, body: &str) -> String {
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, format!("region: us-east-1\nassets: []\n{body}")).unwrap();
    path.display().to_string()
}

/// A cluster of one queue of p4d.24xlarge, with a reservation when given.
fn p4d_cluster(capacity_type: &str, reservation: Option<&str>) -> String {
    let reservation = reservation
        .map(|r| format!("      capacity_reservation_id: {r}\n"))
        .unwrap_or_default();
    format!(
        "cluster:\n  queues:\n    - name: gpu\n      capacity_type: {capacity_type}\n{reservation}      compute_resources:\n        - {{name: p4d, instance_type: p4d.24xlarge, min_count: 2, max_count: 2}}\n"
    )
}

fn deploy(moto: &Moto, stack: &str, config: &str, extra: &[&str]) -> std::process::Output {
    moto.deploy_builtin(config, stack, &[&["--no-execute"], extra].concat())
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn a_zone_given_by_id_is_sent_as_this_accounts_name() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let by_id = config(&dir, "id.yaml", "network:\n  availability_zone: use1-az2\n");
    let out = deploy(&moto, "by-id", &by_id, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stderr(&out).contains("zone: us-east-1c (use1-az2) (PrimarySubnetAZ)"),
        "{}",
        text(&out)
    );
    let sent = moto.calls("CreateChangeSet");
    assert_eq!(sent.len(), 1);
    let param = |call: &serde_json::Map<String, serde_json::Value>, key: &str| {
        (1..20).find_map(|i| {
            (call
                .get(&format!("Parameters.member.{i}.ParameterKey"))?
                .as_str()?
                == key)
                .then(|| call[&format!("Parameters.member.{i}.ParameterValue")].clone())
        })
    };
    assert_eq!(
        param(&sent[0], "PrimarySubnetAZ"),
        Some("us-east-1c".into())
    );
    // The template is the one the name gives: its default is the name, never the ID.
    let body = sent[0]["TemplateBody"].as_str().unwrap();
    assert!(body.contains("Default: us-east-1c"), "{body}");
    assert!(!body.contains("use1-az2"));

    // `--parameter PrimarySubnetAZ` takes an ID too (no config field sets it here).
    let plain = config(&dir, "plain.yaml", "");
    let out = deploy(
        &moto,
        "by-flag",
        &plain,
        &["--parameter", "PrimarySubnetAZ=use1-az6"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sent = moto.calls("CreateChangeSet");
    assert_eq!(
        param(&sent[1], "PrimarySubnetAZ"),
        Some("us-east-1a".into())
    );

    // An ID of no zone of the Region: exit 2 naming the zones, nothing sent to CloudFormation.
    let before = moto.requests_to("cloudformation");
    let nowhere = config(
        &dir,
        "nowhere.yaml",
        "network:\n  availability_zone: usw2-az1\n",
    );
    let out = deploy(&moto, "nowhere", &nowhere, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("network.availability_zone must be a zone name or zone ID of us-east-1 for this account, got \"usw2-az1\" (zones there: us-east-1a (use1-az6), us-east-1b (use1-az1), us-east-1c (use1-az2), us-east-1d (use1-az4), us-east-1e (use1-az3), us-east-1f (use1-az5))"),
        "{}",
        text(&out)
    );
    assert_eq!(moto.requests_to("cloudformation"), before);
}

#[test]
fn a_type_not_offered_in_the_zone_stops_before_cloudformation() {
    // Pages of 2 items: the offerings (10 items for the default cluster) take 5 pages.
    let moto = Moto::start_with(&["--ec2-page-size", "2"]);
    let dir = tempfile::tempdir().unwrap();
    let az3 = config(
        &dir,
        "az3.yaml",
        "network:\n  availability_zone: us-east-1e\n",
    );
    let out = deploy(&moto, "az3", &az3, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cluster.queues[0].compute_resources[0].instance_type: instance type g5.8xlarge must be offered in the stack's zone us-east-1e (use1-az3), and it is not; zones of us-east-1 that offer it: us-east-1a (use1-az6), us-east-1b (use1-az1), us-east-1c (use1-az2), us-east-1d (use1-az4), us-east-1f (use1-az5)"),
        "{err}"
    );
    assert!(
        err.contains("cluster.head_node.instance_type: instance type m5.8xlarge must be offered"),
        "{err}"
    );
    assert_eq!(moto.requests_to("cloudformation"), 0, "{err}");
    let pages = moto.calls("DescribeInstanceTypeOfferings");
    assert_eq!(pages.len(), 5, "{pages:?}");
    assert_eq!(pages[0]["LocationType"], "availability-zone-id");
    assert_eq!(pages[1]["NextToken"], "2");

    // p4d.24xlarge is offered in four zones; use1-az5 (us-east-1f) is not one of them.
    let p4d = config(
        &dir,
        "p4d.yaml",
        &format!(
            "network:\n  availability_zone: use1-az5\n{}",
            p4d_cluster("ONDEMAND", None)
        ),
    );
    let out = deploy(&moto, "p4d", &p4d, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("instance type p4d.24xlarge must be offered in the stack's zone us-east-1f (use1-az5), and it is not; zones of us-east-1 that offer it: us-east-1a (use1-az6), us-east-1b (use1-az1), us-east-1c (use1-az2), us-east-1d (use1-az4)"),
        "{}",
        text(&out)
    );
    assert_eq!(moto.requests_to("cloudformation"), 0);
}

#[test]
fn reservations_are_checked_against_the_zone_the_queue_and_their_state() {
    let capacity = fixture("ec2-capacity.json");
    let moto = Moto::start_with(&["--ec2-capacity", &capacity]);
    let dir = tempfile::tempdir().unwrap();
    let refused = [
        (
            p4d_cluster("ONDEMAND", Some("cr-0a11ce0000000a002")),
            "capacity reservation cr-0a11ce0000000a002 must use the same availability zone as subnet: it is in us-east-1a (use1-az6), the stack's subnets are in us-east-1c (use1-az2) (set network.availability_zone to use1-az6)",
        ),
        (
            p4d_cluster("ONDEMAND", Some("cr-0a11ce0000000a003")),
            "capacity reservation cr-0a11ce0000000a003 must hold capacity, and it is expired (it ended)",
        ),
        (
            p4d_cluster("CAPACITY_BLOCK", Some("cr-0a11ce0000000a001")),
            "capacity reservation cr-0a11ce0000000a001 must be a Capacity Block for capacity_type CAPACITY_BLOCK, and it is an On-Demand Capacity Reservation (type default)",
        ),
        (
            p4d_cluster("ONDEMAND", Some("cr-0b10c00000000b001")),
            "capacity reservation cr-0b10c00000000b001 is a Capacity Block, which only capacity_type CAPACITY_BLOCK launches into, got capacity_type ONDEMAND",
        ),
        (
            p4d_cluster("ONDEMAND", Some("cr-0ffffffffffffffff")),
            "capacity reservation cr-0ffffffffffffffff must exist in us-east-1 for this account",
        ),
    ];
    for (i, (cluster, message)) in refused.iter().enumerate() {
        let path = config(
            &dir,
            &format!("bad{i}.yaml"),
            &format!("network:\n  availability_zone: use1-az2\n{cluster}"),
        );
        let out = deploy(&moto, &format!("bad{i}"), &path, &[]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(stderr(&out).contains(message), "{message}\n{}", text(&out));
    }
    assert_eq!(moto.requests_to("cloudformation"), 0);

    // Active and in the zone: deployed; scheduled: a warning with its start date.
    for (cluster, warning) in [
        (p4d_cluster("ONDEMAND", Some("cr-0a11ce0000000a001")), None),
        (
            p4d_cluster("CAPACITY_BLOCK", Some("cr-0b10c00000000b001")),
            Some("capacity reservation cr-0b10c00000000b001 is scheduled (future-dated, not started yet): instances launch into it from 2026-12-24T11:30:00.000Z at the earliest"),
        ),
    ] {
        let path = config(
            &dir,
            "good.yaml",
            &format!("network:\n  availability_zone: us-east-1c\n{cluster}"),
        );
        let out = deploy(&moto, "good", &path, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        if let Some(w) = warning {
            assert!(stderr(&out).contains(w), "{}", text(&out));
        }
    }
    assert_eq!(moto.calls("CreateChangeSet").len(), 2);
}

#[test]
fn without_ec2_permissions_the_checks_are_warnings() {
    let moto = Moto::start_with(&[
        "--deny",
        "DescribeInstanceTypeOfferings",
        "--deny",
        "DescribeCapacityReservations",
    ]);
    let dir = tempfile::tempdir().unwrap();
    // us-east-1e lacks both instance types: unchecked, the deploy goes on, with warnings.
    let path = config(
        &dir,
        "c.yaml",
        &format!(
            "network:\n  availability_zone: us-east-1e\n{}",
            p4d_cluster("ONDEMAND", Some("cr-0a11ce0000000a001"))
        ),
    );
    let out = deploy(&moto, "denied", &path, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: instance type offerings not checked: this identity may not call ec2:DescribeInstanceTypeOfferings"), "{err}");
    assert!(err.contains("warning: cluster.queues[0].capacity_reservation_id (cr-0a11ce0000000a001) not checked: this identity may not call ec2:DescribeCapacityReservations"), "{err}");

    // Without DescribeAvailabilityZones a zone name is sent unchecked (a warning); an ID can't
    // be resolved without it: exit 1 naming the permission.
    let moto = Moto::start_with(&["--deny", "DescribeAvailabilityZones"]);
    let named = config(
        &dir,
        "named.yaml",
        "network:\n  availability_zone: us-east-1c\n",
    );
    let out = deploy(&moto, "named", &named, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stderr(&out).contains("warning: the stack's zone and the cluster's placement not checked: this identity may not call ec2:DescribeAvailabilityZones"), "{}", text(&out));
    let by_id = config(&dir, "id.yaml", "network:\n  availability_zone: use1-az2\n");
    let out = deploy(&moto, "by-id", &by_id, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr(&out).contains("DescribeAvailabilityZones us-east-1 failed: UnauthorizedOperation"),
        "{}",
        text(&out)
    );
    assert!(
        stderr(&out).contains("ec2:DescribeAvailabilityZones"),
        "{}",
        text(&out)
    );
}

#[test]
fn zones_lists_names_ids_offerings_reservations_and_capacity_blocks() {
    let capacity = fixture("ec2-capacity.json");
    let moto = Moto::start_with(&["--ec2-capacity", &capacity, "--ec2-page-size", "3"]);
    let out = moto.pcstack(&[
        "zones",
        "--instance-type",
        "g5.8xlarge",
        "--instance-type",
        "p4d.24xlarge",
        "--capacity-block",
        "7",
        "--count",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let zones = json["Zones"].as_array().unwrap();
    zones_named_with_their_ids_and_offerings(zones);
    reservations_and_capacity_blocks_under_their_zones(zones);
    let sent = moto.calls("DescribeCapacityBlockOfferings");
    assert_eq!(sent.len(), 2, "one call per instance type: {sent:?}");
    assert_eq!(sent[1]["CapacityDurationHours"], "168");
    assert!(
        moto.calls("DescribeInstanceTypeOfferings").len() >= 3,
        "paged"
    );
    assert_eq!(moto.requests_to("cloudformation"), 0);

    the_table_and_a_misspelt_type(&moto);
    bad_flags_make_no_request(&moto);
}

/// Every zone of us-east-1 by name and ID, and the zones each instance type is offered in.
fn zones_named_with_their_ids_and_offerings(zones: &[serde_json::Value]) {
    let labels: Vec<String> = zones
        .iter()
        .map(|z| {
            format!(
                "{} {}",
                z["ZoneName"].as_str().unwrap(),
                z["ZoneId"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            "us-east-1a use1-az6",
            "us-east-1b use1-az1",
            "us-east-1c use1-az2",
            "us-east-1d use1-az4",
            "us-east-1e use1-az3",
            "us-east-1f use1-az5"
        ]
    );
    let offers = |t: &str| -> Vec<&str> {
        zones
            .iter()
            .filter(|z| z["Offered"][t] == true)
            .map(|z| z["ZoneId"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        offers("g5.8xlarge"),
        ["use1-az6", "use1-az1", "use1-az2", "use1-az4", "use1-az5"]
    );
    assert_eq!(
        offers("p4d.24xlarge"),
        ["use1-az6", "use1-az1", "use1-az2", "use1-az4"]
    );
}

/// Reservations (capacity blocks among them) and, only the 7-day (168 h) blocks of 2
/// instances, capacity block offerings, each under its zone.
fn reservations_and_capacity_blocks_under_their_zones(zones: &[serde_json::Value]) {
    let row = |id: &str| zones.iter().find(|z| z["ZoneId"] == id).unwrap();
    let ids = |z: &serde_json::Value, list: &str, key: &str| -> Vec<String> {
        z[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(
            row("use1-az2"),
            "CapacityReservations",
            "CapacityReservationId"
        ),
        [
            "cr-0a11ce0000000a001",
            "cr-0a11ce0000000a003",
            "cr-0b10c00000000b001"
        ]
    );
    assert_eq!(
        row("use1-az2")["CapacityReservations"][2]["ReservationType"],
        "capacity-block"
    );
    assert_eq!(
        row("use1-az2")["CapacityReservations"][2]["State"],
        "scheduled"
    );
    // Only the 7-day (168 h) blocks of 2 instances, each under its zone, with its fee.
    assert_eq!(
        ids(
            row("use1-az6"),
            "CapacityBlockOfferings",
            "CapacityBlockOfferingId"
        ),
        ["cb-0123456789abcdef0"]
    );
    assert_eq!(
        row("use1-az6")["CapacityBlockOfferings"][0]["UpfrontFee"],
        "5477.28"
    );
    assert_eq!(
        ids(
            row("use1-az4"),
            "CapacityBlockOfferings",
            "CapacityBlockOfferingId"
        ),
        ["cb-0123456789abcdef1"]
    );
    assert!(row("use1-az2")["CapacityBlockOfferings"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// The text table, for a type offered in some zones and for a misspelt one.
fn the_table_and_a_misspelt_type(moto: &Moto) {
    let out = moto.pcstack(&["zones", "--instance-type", "p4d.24xlarge"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = common::stdout(&out);
    assert!(table.contains("us-east-1e (use1-az3)  -\n"), "{table}");
    assert!(table.contains("us-east-1c (use1-az2)  offered\n  reservation cr-0a11ce0000000a001 p4d.24xlarge default active: 4 of 4 free"), "{table}");
    assert!(
        table.contains("not that it has free capacity now"),
        "{table}"
    );

    // A misspelt type is offered nowhere: the table is all `-`, and a warning says so, with
    // the closest listed type.
    let out = moto.pcstack(&["zones", "--instance-type", "p5.48xlarg"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stderr(&out).contains(
            "warning: no zone of us-east-1 offers instance type p5.48xlarg (did you mean p5.48xlarge?)"
        ),
        "{}",
        text(&out)
    );
}

/// Bad flags: exit 2, no request at all.
fn bad_flags_make_no_request(moto: &Moto) {
    let before = moto.aws_requests();
    for args in [
        &[
            "zones",
            "--instance-type",
            "p4d.24xlarge",
            "--capacity-block",
            "15",
            "--count",
            "2",
        ][..],
        &[
            "zones",
            "--instance-type",
            "P4D",
            "--count",
            "2",
            "--capacity-block",
            "7",
        ],
    ] {
        let out = moto.pcstack(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", text(&out));
    }
    assert_eq!(moto.aws_requests(), before);
}

#[test]
fn cluster_config_checks_the_cluster_in_the_deployed_stacks_zone() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    // A stack whose zone output (PRIMARY_AZ) is us-east-1e: the default cluster's g5.8xlarge
    // and m5.8xlarge are not offered there.
    let template = dir.path().join("t.yaml");
    std::fs::write(
        &template,
        "Metadata:\n  pcstack:\n    OutputEnvironmentVariables:\n      Zone: PRIMARY_AZ\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\nOutputs:\n  Zone:\n    Value: us-east-1e\n",
    )
    .unwrap();
    let template = template.display().to_string();
    let out = moto.pcstack(&[
        "deploy",
        "--template",
        &template,
        "--stack-name",
        "z",
        "--approve",
        "never",
        "--progress",
        "quiet",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let env = moto.pcstack(&["outputs", "--stack-name", "z", "--format", "env"]);
    assert!(
        common::stdout(&env)
            .contains("export PRIMARY_AZ=us-east-1e\nexport PRIMARY_AZ_ID=use1-az3\n"),
        "{}",
        text(&env)
    );
    let cluster = dir.path().join("cluster.yaml");
    let out = moto.pcstack(&[
        "cluster-config",
        "--stack-name",
        "z",
        "--out",
        &cluster.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains(
            "instance type g5.8xlarge must be offered in the stack's zone us-east-1e (use1-az3)"
        ),
        "{}",
        text(&out)
    );
    assert!(!cluster.exists(), "nothing written");
}

/// The EC2 calls take the endpoint every client takes: `AWS_ENDPOINT_URL_EC2` before
/// `AWS_ENDPOINT_URL`, and `--endpoint-url` before both.
#[test]
fn ec2_calls_follow_the_endpoint_settings() {
    let moto = Moto::start();
    let dead = "http://127.0.0.1:1";
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pcstack"));
        cmd.args([
            "zones",
            "--instance-type",
            "p4d.24xlarge",
            "--connect-timeout",
            "2s",
        ])
        .args(args)
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_EC2")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_MAX_ATTEMPTS", "1")
        .stdin(std::process::Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let out = run(
        &[
            ("AWS_ENDPOINT_URL", dead),
            ("AWS_ENDPOINT_URL_EC2", &moto.endpoint),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(
        &[("AWS_ENDPOINT_URL_EC2", dead)],
        &["--endpoint-url", &moto.endpoint],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(
        &[
            ("AWS_ENDPOINT_URL", &moto.endpoint),
            ("AWS_ENDPOINT_URL_EC2", dead),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr(&out).contains("DescribeAvailabilityZones us-east-1 failed")
            && stderr(&out).contains("refused"),
        "{}",
        text(&out)
    );
    assert_eq!(
        moto.requests_to("ec2"),
        6,
        "zones, offerings and reservations, twice"
    );
}

/// `network.second_availability_zone` takes an ID too: resolved with the first zone before
/// the template is built, and the two compared as names (the same zone twice is exit 2
/// before any CloudFormation request).
#[test]
fn a_second_zone_given_by_id_is_resolved_and_compared_as_a_name() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let two = config(
        &dir,
        "two.yaml",
        "network:\n  availability_zone: us-east-1a\n  second_availability_zone: use1-az2\nopenzfs:\n  deployment_type: MULTI_AZ_1\n",
    );
    let out = deploy(&moto, "two", &two, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sent = moto.calls("CreateChangeSet");
    let body = sent[0]["TemplateBody"].as_str().unwrap();
    assert!(
        body.contains("SecondarySubnetAZ:\n    Type: AWS::EC2::AvailabilityZone::Name\n    Description: Availability Zone of the second private subnet\n    Default: us-east-1c"),
        "{body}"
    );
    assert!(!body.contains("use1-az2"), "{body}");

    // use1-az6 is us-east-1a: the same zone twice.
    let same = config(
        &dir,
        "same.yaml",
        "network:\n  availability_zone: us-east-1a\n  second_availability_zone: use1-az6\n",
    );
    let before = moto.requests_to("cloudformation");
    let out = deploy(&moto, "same", &same, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains(
            "network.second_availability_zone must differ from network.availability_zone"
        ),
        "{}",
        text(&out)
    );
    assert_eq!(moto.requests_to("cloudformation"), before);
}
