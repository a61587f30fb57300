//! Golden templates: the default config and the others under tests/configs. A template change shows up here
//! as a snapshot diff (`cargo insta review`).
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stacks::{Configured, DEFAULT_STACK, STACKS};
use synth::Format;

fn synth_yaml(config: &Configured) -> String {
    match config.build() {
        Ok(built) => built.synthesized.render(Format::Yaml),
        Err(d) => panic!("config of {} must build:\n{d}", config.stack_name()),
    }
}

/// A config under tests/configs: each is the default stack's.
fn config(name: &str) -> Configured {
    let path = format!(
        "{}/../tests/configs/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let stack = stacks::find(DEFAULT_STACK).unwrap();
    stack
        .parse_config(&text, &path)
        .unwrap_or_else(|d| panic!("{d}"))
}

/// Every registered stack's default config (the default stack's snapshot is `default`).
#[test]
fn default_config() {
    for stack in STACKS {
        let name = match stack.name() {
            DEFAULT_STACK => "default".to_string(),
            other => format!("{other}-default"),
        };
        insta::assert_snapshot!(name, synth_yaml(&stack.default_config()));
    }
}

#[test]
fn without_s3_endpoint() {
    insta::assert_snapshot!("no-s3-endpoint", synth_yaml(&config("no-s3-endpoint")));
}

#[test]
fn two_associations() {
    insta::assert_snapshot!("two-associations", synth_yaml(&config("two-associations")));
}

#[test]
fn custom_names_and_cidrs() {
    insta::assert_snapshot!("custom-names", synth_yaml(&config("custom-names")));
}

#[test]
fn lustre_persistent_2_with_metadata() {
    insta::assert_snapshot!(
        "lustre-persistent2",
        synth_yaml(&config("lustre-persistent2"))
    );
}

#[test]
fn lustre_efa_enabled() {
    insta::assert_snapshot!("lustre-efa", synth_yaml(&config("lustre-efa")));
}

#[test]
fn openzfs_multi_az_with_a_second_private_subnet() {
    insta::assert_snapshot!("openzfs-multi-az", synth_yaml(&config("openzfs-multi-az")));
}

#[test]
fn openzfs_single_az_1() {
    insta::assert_snapshot!(
        "openzfs-single-az-1",
        synth_yaml(&config("openzfs-single-az-1"))
    );
}
