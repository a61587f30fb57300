//! Assets: local files the stack's bucket must hold (`assets` in the config,
//! [`stacks::assets`]). Checked before any AWS call ([`precheck`]), uploaded once the stack is
//! complete, "no changes" included ([`upload`]): the files may have changed while the stack
//! did not.
//!
//! Where an asset goes is the stack's own output for its variable, `s3://bucket/key`: what
//! `pcstack outputs` reports is where the file is. Uploads are content-addressed
//! ([`super::upload::put_if_changed`]): an object whose stored SHA-256 is the file's is left
//! alone, and every call names the account as the bucket's expected owner.

use super::outputs::StackOutputs;
use super::ui::Ui;
use super::upload::{put_if_changed, Object, Stored};
use crate::error::Error;
use constructs::rules::Violation;
use std::path::{Path, PathBuf};
use synth::Diagnostics;

/// Largest asset: it is read into memory, hashed and sent in one PutObject. Assets are small
/// files such as bootstrap scripts; data belongs in the bucket's association prefixes.
pub const MAX_ASSET_BYTES: u64 = 100 * 1024 * 1024;

/// An asset as deploy uploads it: the config's entry with its file resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAsset {
    /// The asset as the config declares it.
    pub config: stacks::assets::AssetConfig,
    /// Its index in the config's `assets`, for messages (`assets[1].file`).
    pub index: usize,
    /// `file`, relative to `base` unless absolute.
    pub path: PathBuf,
}

/// The config's assets with their files resolved against `base` (the config file's folder,
/// or the current folder for a built-in default).
pub fn resolve(assets: &[stacks::assets::AssetConfig], base: &Path) -> Vec<LocalAsset> {
    assets
        .iter()
        .enumerate()
        .map(|(index, a)| LocalAsset {
            path: base.join(&a.file),
            config: a.clone(),
            index,
        })
        .collect()
}

/// Every problem found without AWS: keys and variables ([`stacks::assets::check`]), each file
/// a readable regular file of at most [`MAX_ASSET_BYTES`], and an output in `template` for
/// each asset's variable (deploy reads the upload's destination from it).
pub fn precheck(assets: &[LocalAsset], template: &serde_json::Value) -> Diagnostics {
    let configs: Vec<_> = assets.iter().map(|a| a.config.clone()).collect();
    let mut d = stacks::assets::check("assets", &configs);
    let keys: Vec<&str> = template
        .get("Outputs")
        .and_then(serde_json::Value::as_object)
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    // Bad names are the template check's to report; here only "is there such an output".
    let names = plan::env::output_env_names(Some(template), &keys).unwrap_or_default();
    for a in assets {
        let field = format!("assets[{}].file", a.index);
        if let Err(why) = check_file(&a.path) {
            d.push(
                Violation::new(
                    stacks::assets::code::ASSET_FILE,
                    &field,
                    &format!(
                        "be a readable file of at most {MAX_ASSET_BYTES} bytes (deploy uploads it to the bucket as {})",
                        a.config.key
                    ),
                    "an asset",
                    format!(
                        "{:?} ({why}; `assets: []` in the config deploys without assets)",
                        synth::input::echo(&a.path.display().to_string())
                    ),
                )
                .at(format!("config: {field}")),
            );
        }
        if !names.values().any(|n| *n == a.config.env) {
            let field = format!("assets[{}].env", a.index);
            d.push(
                Violation::new(
                    stacks::assets::code::ASSET_OUTPUT,
                    &field,
                    "name the environment variable of an output of the template (its value s3://bucket/key says where the file goes)",
                    "an asset",
                    format!("{:?}", a.config.env),
                )
                .at(format!("config: {field}")),
            );
        }
    }
    d
}

fn check_file(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > MAX_ASSET_BYTES {
        return Err(format!("{} bytes", meta.len()));
    }
    std::fs::File::open(path).map_err(|e| e.to_string())?;
    Ok(())
}

/// `s3://bucket/key` -> (bucket, key).
pub fn parse_s3_uri(uri: &str) -> Option<(&str, &str)> {
    let (bucket, key) = uri.strip_prefix("s3://")?.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key))
}

/// Uploads every asset to the URI the stack's output for its variable holds, skipping those
/// already stored with the file's SHA-256, then lists them (stdout).
pub async fn upload(
    aws: &super::aws::Aws,
    ui: &Ui,
    outputs: &StackOutputs,
    assets: &[LocalAsset],
) -> Result<(), Error> {
    if assets.is_empty() {
        return Ok(());
    }
    // The caller says the stack is deployed and how to finish (exit 7).
    let after = |what: String| Error::failed(what);
    let account = outputs
        .account
        .as_deref()
        .ok_or_else(|| after("the stack's account is unknown (no stack ARN)".into()))?;
    let mut listed = Vec::new();
    for a in assets {
        let env = &a.config.env;
        let uri = outputs
            .value_of(env)
            .ok_or_else(|| after(format!("the stack has no output for {env}")))?;
        let (bucket, key) = parse_s3_uri(uri)
            .filter(|(_, key)| *key == a.config.key)
            .ok_or_else(|| {
                after(format!(
                    "output {env} is {uri:?}, not s3://<bucket>/{}",
                    a.config.key
                ))
            })?;
        let body = std::fs::read(&a.path)
            .map_err(|e| after(format!("cannot read {}: {e}", a.path.display())))?;
        let not_ours = || {
            after(format!(
                "bucket {bucket} is not owned by account {account} (S3 answered 403 Forbidden to a request with ExpectedBucketOwner {account}); nothing was uploaded to it"
            ))
        };
        let stored = put_if_changed(
            aws,
            &Object {
                bucket,
                key,
                account,
                body: &body,
                content_type: "application/octet-stream",
            },
            &not_ours,
        )
        .await
        .map_err(|e| match e {
            Error::Failed(_) => e,
            other => after(other.to_string()),
        })?;
        let how = match stored {
            Stored::Verified => "unchanged (SHA-256 verified)".to_string(),
            Stored::Uploaded => "uploaded".to_string(),
            Stored::Replaced { .. } => "uploaded (changed)".to_string(),
        };
        listed.push(format!("  {env}  {uri}  {how}  <- {}", a.path.display()));
    }
    ui.result(&format!(
        "assets ({}):\n{}",
        listed.len(),
        listed.join("\n")
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(dir: &Path, file: &str, key: &str, env: &str, index: usize) -> LocalAsset {
        resolve(
            &[stacks::assets::AssetConfig {
                file: file.into(),
                key: key.into(),
                env: env.into(),
            }],
            dir,
        )
        .remove(0)
        .with_index(index)
    }

    impl LocalAsset {
        fn with_index(mut self, index: usize) -> Self {
            self.index = index;
            self
        }
    }

    #[test]
    fn files_and_outputs_are_checked_before_any_call() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sh"), "echo a\n").unwrap();
        let template = serde_json::json!({
            "Outputs": {"AScript": {"Value": "s3://b/s/a.sh"}},
            "Metadata": {"pcstack": {"OutputEnvironmentVariables": {"AScript": "A_SCRIPT"}}}
        });
        let ok = asset(dir.path(), "a.sh", "s/a.sh", "A_SCRIPT", 0);
        assert!(precheck(std::slice::from_ref(&ok), &template).is_empty());
        let missing = asset(dir.path(), "nope.sh", "s/b.sh", "B_SCRIPT", 1);
        let folder = asset(dir.path(), ".", "s/c.sh", "A_SCRIPT", 2);
        let d = precheck(&[ok, missing, folder], &template).to_string();
        assert!(
            d.contains("error[PC183] config: assets[1].file: assets[1].file must be a readable file of at most 104857600 bytes (deploy uploads it to the bucket as s/b.sh) for an asset, got \""),
            "{d}"
        );
        assert!(d.contains("nope.sh\" (No such file or directory (os error 2); `assets: []` in the config deploys without assets)"), "{d}");
        assert!(d.contains("error[PC185] config: assets[1].env: assets[1].env must name the environment variable of an output of the template"), "{d}");
        assert!(
            d.contains("assets[2].file") && d.contains("not a regular file"),
            "{d}"
        );
        assert!(d.contains("error[PC182] config: assets[2].env"), "{d}");
    }

    #[test]
    fn s3_uris() {
        assert_eq!(parse_s3_uri("s3://b/k/x.sh"), Some(("b", "k/x.sh")));
        assert_eq!(parse_s3_uri("s3://b/"), None);
        assert_eq!(parse_s3_uri("https://b/k"), None);
    }
}
