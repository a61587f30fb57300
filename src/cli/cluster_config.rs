//! `pcstack cluster-config`: the ParallelCluster cluster configuration from the stack's outputs.
//! The stack offers it (`stacks::Stack::cluster_config`); this reads the inputs and writes the
//! result. Every input is checked before anything is written or any AWS call is made.

use super::config::Config;
use super::{read_limited, ReadError};
use crate::error::Error;
use serde_json::Value as Json;
use stacks::prerequisites::cluster;
use std::path::Path;
use synth::{Code, Diagnostic};

fn invalid(code: Code, path: &Path, message: String) -> Error {
    Error::invalid(
        std::iter::once(Diagnostic::error(code, path.display().to_string(), message)).collect(),
    )
}

/// The config of the stack `cluster-config` is asked of (`--stack`): the file, or the built-in
/// default, every problem reported before anything is read from the stack. A stack that
/// offers no cluster configuration is invalid input.
pub fn load(stack: &str, path: Option<&Path>) -> Result<Config, Error> {
    let config = super::config::load(Some(stack), path)?;
    let Some(configured) = config.stack() else {
        return Err(Error::usage(format!(
            "stack {stack} is not a built-in stack"
        )));
    };
    if !configured.offers(stacks::StackCommand::ClusterConfig) {
        return Err(Error::usage(format!(
            "stack {stack} offers no cluster configuration (`pcstack cluster-config`)"
        )));
    }
    let problems = configured.validate();
    if problems.has_errors() {
        return Err(Error::invalid(problems));
    }
    Ok(config)
}

/// The outputs JSON (`pcstack outputs --format json`, `deploy --outputs-file x.json`).
pub fn read_outputs(path: &Path) -> Result<Json, Error> {
    let max = synth::input::MAX_FILE_BYTES;
    let text = read_limited(path, max).map_err(|e| {
        let rule = match e {
            ReadError::Io(_) => "be readable".to_string(),
            ReadError::TooLarge(_) => format!("be at most {max} bytes"),
            ReadError::NotRegular(_) => "be a regular file".to_string(),
        };
        invalid(
            cluster::code::CLUSTER_INPUT,
            path,
            format!("outputs file must {rule} for the cluster configuration, got {e}"),
        )
    })?;
    synth::input::check_limits(&text, "outputs file", max, synth::input::MAX_FILE_DEPTH)
        .map_err(|m| invalid(cluster::code::CLUSTER_INPUT, path, m))?;
    serde_json::from_str(&text).map_err(|e| {
        invalid(
            cluster::code::CLUSTER_INPUT,
            path,
            format!("outputs file must be the JSON `pcstack outputs --format json` writes for the cluster configuration, got: {e}"),
        )
    })
}

/// The `--out` file: its folder must exist, and a file already there is replaced only when
/// it is a regular file ([`super::check_destination`]); checked before any AWS call.
pub fn check_out(out: Option<&Path>) -> Result<(), Error> {
    let Some(out) = out else { return Ok(()) };
    super::check_destination(
        "--out",
        out,
        super::Existing::Replace,
        super::Folder::Exists,
    )
}

/// The cluster configuration from a config and the outputs JSON; `source` names the outputs.
pub fn generate(config: &Config, outputs: &Json, source: &str) -> Result<String, Error> {
    let offered = config
        .stack()
        .and_then(|stack| stack.cluster_config(outputs, source));
    match offered {
        Some(result) => result.map_err(Error::invalid),
        None => Err(Error::usage(
            "this stack offers no cluster configuration (`pcstack cluster-config`)",
        )),
    }
}

/// Writes the configuration to `out` atomically (temporary file, then rename), or to stdout.
pub fn write(text: &str, out: Option<&Path>) -> Result<(), Error> {
    let Some(out) = out else {
        return super::print_stdout(text);
    };
    super::write_atomic(out, text.as_bytes()).map_err(|e| super::write_failed(out, &e))
}

/// `--outputs-file`: no AWS.
pub fn from_file(
    stack: &str,
    outputs_file: &Path,
    config: Option<&Path>,
    out: Option<&Path>,
) -> Result<(), Error> {
    check_out(out)?;
    let config = load(stack, config)?;
    let outputs = read_outputs(outputs_file)?;
    let text = generate(&config, &outputs, &outputs_file.display().to_string())?;
    write(&text, out)?;
    if let Some(out) = out {
        super::eprint_line(&format!("wrote {}", out.display()));
    }
    Ok(())
}
