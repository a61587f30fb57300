//! Assets: local files a stack's bucket must hold, which `pcstack deploy` uploads after the
//! stack reaches a complete state. Each is a local file, an S3 key and the environment
//! variable `pcstack outputs --format env` writes its `s3://bucket/key` URI to.
//!
//! A stack declares one output per asset (key [`output_key`] of its variable, value the URI),
//! so a deployed stack's outputs carry the URIs. Deploy finds where to upload an asset from that
//! output's value: what `outputs` reports is exactly where the file went.
//!
//! The checks here need no file: synth checks keys and variables, deploy checks the files
//! (before any AWS call), so a config declaring assets synthesizes anywhere.

use constructs::rules::{s3, RuleResult, Violation};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use synth::Diagnostics;

/// The diagnostic codes of assets.
pub mod code {
    synth::codes! {
        DUPLICATE_ASSET = "PC182", "two assets have the same S3 key or environment variable name";
        ASSET_FILE = "PC183", "an asset's local file is missing, not a regular file, or too large";
        ASSET_ENV = "PC184", "an asset's environment variable name is not `[A-Z_][A-Z0-9_]*`";
        ASSET_OUTPUT = "PC185", "the template declares no output for an asset's environment variable";
    }
}

/// One file the stack's bucket must hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetConfig {
    /// Local file, relative to the config file's folder (the current folder without a config).
    /// Needed by `deploy` only.
    pub file: String,
    /// Object key in the data bucket, such as `scripts/bootstrap/setup.sh`.
    pub key: String,
    /// Environment variable `pcstack outputs --format env` writes the `s3://` URI to.
    pub env: String,
}

/// Every problem with a list of assets at `<at>[i].<field>` (`config: assets[0].key`): each
/// key an S3 key pcstack uploads to ([`s3::object_key`]), each variable `[A-Z_][A-Z0-9_]*`,
/// no key and no variable twice.
pub fn check(at: &str, assets: &[AssetConfig]) -> Diagnostics {
    let mut d = Diagnostics::new();
    let mut keys: HashMap<&str, usize> = HashMap::new();
    let mut envs: HashMap<&str, usize> = HashMap::new();
    for (i, a) in assets.iter().enumerate() {
        let field = |f: &str| format!("{at}[{i}].{f}");
        let mut push = |f: &str, r: RuleResult| {
            if let Err(v) = r {
                d.push(v.at(format!("config: {}", field(f))));
            }
        };
        push("key", s3::object_key(&field("key"), &a.key));
        push("env", env_name(&field("env"), &a.env));
        if let Some(first) = keys.insert(&a.key, i) {
            keys.insert(&a.key, first);
            push(
                "key",
                Err(duplicate(&field("key"), "S3 key", first, &a.key)),
            );
        }
        if let Some(first) = envs.insert(&a.env, i) {
            envs.insert(&a.env, first);
            push(
                "env",
                Err(duplicate(
                    &field("env"),
                    "environment variable",
                    first,
                    &a.env,
                )),
            );
        }
    }
    d
}

fn duplicate(field: &str, what: &str, first: usize, value: &str) -> Violation {
    Violation::new(
        code::DUPLICATE_ASSET,
        field,
        &format!("differ from the {what} of assets[{first}]"),
        "an asset",
        format!("{value:?}"),
    )
}

/// `[A-Z_][A-Z0-9_]*`: a portable environment variable name (POSIX.1-2017 Base Definitions 8.1).
fn env_name(field: &str, name: &str) -> RuleResult {
    let mut chars = name.chars();
    let ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if ok {
        return Ok(());
    }
    Err(Violation::new(
        code::ASSET_ENV,
        field,
        "be an environment variable name ([A-Z_][A-Z0-9_]*)",
        "pcstack outputs",
        format!("{name:?}"),
    ))
}

/// The output key of an asset's URI: its variable in PascalCase (`HEAD_NODE_BOOTSTRAP_SCRIPT`
/// -> `HeadNodeBootstrapScript`). Keys that collide with another output are refused by the
/// template's duplicate check.
pub fn output_key(env: &str) -> String {
    env.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut c = lower.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The `assets` list of any config file (for `deploy --template FILE --config FILE`, where no
/// built-in stack reads the config): absent is empty; a wrong shape is an error naming it.
pub fn from_config_text(text: &str, source: &str) -> Result<Vec<AssetConfig>, Diagnostics> {
    #[derive(Deserialize)]
    struct OnlyAssets {
        #[serde(default)]
        assets: Vec<AssetConfig>,
    }
    crate::parse_config::<OnlyAssets>(text, source).map(|c| c.assets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(key: &str, env: &str) -> AssetConfig {
        AssetConfig {
            file: "f.sh".into(),
            key: key.into(),
            env: env.into(),
        }
    }

    #[test]
    fn keys_and_variables_are_checked_and_unique() {
        let d = check(
            "assets",
            &[
                asset("a/x.sh", "X"),
                asset("a/x.sh", "Y"),
                asset("b/", "X"),
                asset("c.sh", "lower"),
            ],
        )
        .to_string();
        for want in [
            "error[PC182] config: assets[1].key: assets[1].key must differ from the S3 key of assets[0] for an asset, got \"a/x.sh\"",
            "error[PC181] config: assets[2].key: assets[2].key must be /-separated names",
            "error[PC182] config: assets[2].env: assets[2].env must differ from the environment variable of assets[0] for an asset, got \"X\"",
            "error[PC184] config: assets[3].env: assets[3].env must be an environment variable name ([A-Z_][A-Z0-9_]*) for pcstack outputs, got \"lower\"",
        ] {
            assert!(d.contains(want), "{want}\nin\n{d}");
        }
        assert_eq!(d.lines().count(), 4, "{d}");
        assert!(check("assets", &[asset("a", "A"), asset("b", "B")]).is_empty());
    }

    #[test]
    fn output_keys_are_pascal_case() {
        assert_eq!(
            output_key("HEAD_NODE_BOOTSTRAP_SCRIPT"),
            "HeadNodeBootstrapScript"
        );
        assert_eq!(output_key("_X2__Y"), "X2Y");
    }

    #[test]
    fn any_config_gives_its_assets() {
        let text = "parameters: {A: b}\nassets:\n  - {file: a.sh, key: s/a.sh, env: A_SCRIPT}\n";
        let assets = from_config_text(text, "c.yaml").unwrap();
        assert_eq!(
            assets,
            vec![AssetConfig {
                file: "a.sh".into(),
                key: "s/a.sh".into(),
                env: "A_SCRIPT".into()
            }]
        );
        assert!(from_config_text("tags: {}\n", "c.yaml").unwrap().is_empty());
        let err = from_config_text("assets: [{file: a}]\n", "c.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `key`"), "{err}");
    }
}
