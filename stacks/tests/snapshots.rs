//! Golden templates: the default config and the others under tests/configs. A template change shows up here
//! as a snapshot diff (`cargo insta review`).
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stacks::{build, Config};
use synth::Format;

fn synth_yaml(config: &Config) -> String {
    match build("parallelcluster-prerequisites", config) {
        Ok(built) => built.synthesized.render(Format::Yaml),
        Err(d) => panic!("config must build:\n{d}"),
    }
}

fn config(name: &str) -> Config {
    let path = format!(
        "{}/../tests/configs/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    Config::from_yaml(&text, &path).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn default_config() {
    insta::assert_snapshot!("default", synth_yaml(&Config::default()));
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
