//! Property tests: the config parser, the config checks, the stack build and every rule
//! function return an answer (Ok or a diagnostic) for any input; none panics.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use constructs::rules::{cidr::Cidr, dra, ecr, fsx, names, s3};
use proptest::prelude::*;
use stacks::prerequisites::Prerequisites;
use stacks::{Config, Stack, STACKS};

/// YAML-ish text: keys of the real config mixed with random scalars and structure.
fn yamlish() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "region",
        "tags",
        "network",
        "vpc_name",
        "primary_cidr",
        "secondary_cidr",
        "availability_zone",
        "lustre",
        "capacity",
        "max_capacity",
        "per_unit_storage_throughput",
        "compression",
        "version",
        "mount_point",
        "removal",
        "openzfs",
        "throughput",
        "bucket",
        "name",
        "logs",
        "bucket_name",
        "retention_days",
        "repository",
        "associations",
        "id",
        "file_system_path",
        "s3_prefix",
        "import",
        "export",
        "output",
        "env",
        "parameters",
    ]);
    let scalar = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-zA-Z0-9./:${}_-]{0,20}",
        Just("[NEW, CHANGED]".to_string()),
        Just("{}".to_string()),
        Just("~".to_string()),
        Just("'2.15'".to_string()),
        Just("10.0.0.0/16".to_string()),
    ];
    prop::collection::vec((0usize..3, key, scalar, any::<bool>()), 0..12).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(indent, k, v, list)| {
                format!(
                    "{}{}{k}: {v}\n",
                    "  ".repeat(indent),
                    if list { "- " } else { "" }
                )
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn config_parser_never_panics(text in any::<String>()) {
        for stack in STACKS {
            let _ = stack.parse_config(&text, "fuzz");
        }
    }

    #[test]
    fn parsed_configs_validate_and_build_without_panicking(text in yamlish()) {
        for stack in STACKS {
            if let Ok(config) = stack.parse_config(&text, "fuzz") {
                let _ = config.validate();
                let _ = config.build();
            }
        }
    }

    #[test]
    fn numeric_config_values_never_panic(capacity in any::<i64>(), max in any::<i64>(), throughput in any::<i64>(), zfs in any::<i64>(), zfs_throughput in any::<i64>(), days in any::<i64>()) {
        let mut c = Config::default();
        c.lustre.capacity = capacity;
        c.lustre.max_capacity = max % 1_000_000;
        c.lustre.per_unit_storage_throughput = throughput;
        c.openzfs.capacity = zfs;
        c.openzfs.throughput = zfs_throughput;
        c.logs.retention_days = days;
        let _ = Prerequisites::build(&c);
    }

    #[test]
    fn string_rules_never_panic(s in any::<String>(), t in "[ -~]{0,40}") {
        for v in [&s, &t] {
            let _ = s3::bucket_name(v);
            let _ = s3::bucket_name(&s3::longest_sub_example(v));
            let _ = ecr::repository_name(v);
            let _ = Cidr::parse("field", v);
            let _ = names::stack_name(v);
            let _ = names::region(v);
            let _ = names::availability_zone("field", v, Some("us-east-1"));
            let _ = names::export_name(v);
            let _ = fsx::weekly_maintenance_time(v);
            let _ = fsx::daily_backup_time(v);
            let _ = fsx::lustre_compression(v);
            let _ = fsx::lustre_version(v, true);
            let _ = fsx::openzfs_throughput(v, 320);
            let _ = dra::file_system_path(v);
            let _ = dra::data_repository_path(v);
            let _ = dra::events("import", std::slice::from_ref(v));
            let _ = dra::file_system_paths_disjoint(&[v, "/data", v]);
            let _ = dra::data_repository_paths_disjoint(&[v, "s3://b/p/"]);
        }
    }

    #[test]
    fn numeric_rules_never_panic(n in any::<i64>(), m in any::<i64>(), count in any::<u32>(), bits in any::<u8>(), index in any::<u32>(), addr in any::<u32>(), prefix in 0u8..=32) {
        let _ = fsx::lustre_storage_capacity("PERSISTENT_1", "SSD", Some(m), n);
        let _ = fsx::lustre_storage_capacity("PERSISTENT_1", "HDD", Some(m), n);
        let _ = fsx::lustre_storage_capacity("SCRATCH_1", "SSD", None, n);
        let _ = fsx::lustre_per_unit_storage_throughput("PERSISTENT_2", "SSD", n);
        let _ = fsx::openzfs_storage_capacity(n);
        let _ = fsx::backup_retention_days(n);
        let _ = fsx::lustre_backups_with_associations(n);
        let _ = dra::association_count(count as usize);
        let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) };
        let block = Cidr { addr: addr & mask, prefix };
        let _ = constructs::rules::cidr::fn_cidr_select("f", block, count, bits, index);
        let _ = constructs::rules::cidr::block_size("f", block);
        let _ = constructs::rules::cidr::secondary_block(block, Cidr { addr: addr.rotate_left(7) & mask, prefix });
    }

    #[test]
    fn parameter_checks_never_panic(key in prop::sample::select(vec!["Capacity", "PerUnitStorageThroughput", "Compression", "LustreVersion", "OpenZFSCapacity", "OpenZFSThroughput", "PrimarySubnetAZ", "Other"]), value in any::<String>()) {
        let mut values = indexmap::IndexMap::new();
        values.insert(key.to_string(), value);
        for stack in STACKS {
            let _ = stack.check_parameters(&values);
        }
    }
}
