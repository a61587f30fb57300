//! `pcstack cluster-config`: the ParallelCluster cluster configuration from the stack's outputs.
//! The logic is the stack's own (`stacks::prerequisites::cluster`); this reads the inputs and
//! writes the result. Every input is checked before anything is written or any AWS call is made.

use super::{read_limited, ReadError};
use crate::error::Error;
use serde_json::Value as Json;
use stacks::prerequisites::cluster::{render, StackValues};
use stacks::Config;
use std::path::Path;
use synth::{Code, Diagnostic};

fn invalid(code: Code, path: &Path, message: String) -> Error {
    Error::Invalid(
        std::iter::once(Diagnostic::error(code, path.display().to_string(), message)).collect(),
    )
}

/// The prerequisites stack's config: the file, or the built-in default.
pub fn load_config(path: Option<&Path>) -> Result<Config, Error> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = read_limited(path, synth::input::MAX_FILE_BYTES).map_err(|e| match e {
        ReadError::Io(e) => invalid(
            Code::ConfigUnreadable,
            path,
            format!("config file must be readable, got {e}"),
        ),
        ReadError::TooLarge(n) => invalid(
            Code::ConfigLimit,
            path,
            format!(
                "config file must be at most {} bytes, got {n} bytes",
                synth::input::MAX_FILE_BYTES
            ),
        ),
        ReadError::NotRegular(what) => invalid(
            Code::ConfigUnreadable,
            path,
            format!("config file must be a regular file, got {what}"),
        ),
    })?;
    stacks::parse_config::<Config>(&text, &path.display().to_string()).map_err(Error::Invalid)
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
            Code::ClusterInput,
            path,
            format!("outputs file must {rule} for the cluster configuration, got {e}"),
        )
    })?;
    synth::input::check_limits(&text, "outputs file", max, synth::input::MAX_FILE_DEPTH)
        .map_err(|m| invalid(Code::ClusterInput, path, m))?;
    serde_json::from_str(&text).map_err(|e| {
        invalid(
            Code::ClusterInput,
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
    // Config problems first: they are the user's to fix whatever the stack holds.
    let problems = config.validate();
    if problems.has_errors() {
        return Err(Error::Invalid(problems));
    }
    let values = StackValues::from_outputs_json(outputs, source).map_err(Error::Invalid)?;
    render(config, &values).map_err(Error::Invalid)
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
    outputs_file: &Path,
    config: Option<&Path>,
    out: Option<&Path>,
) -> Result<(), Error> {
    check_out(out)?;
    let config = load_config(config)?;
    let outputs = read_outputs(outputs_file)?;
    let text = generate(&config, &outputs, &outputs_file.display().to_string())?;
    write(&text, out)?;
    if let Some(out) = out {
        super::eprint_line(&format!("wrote {}", out.display()));
    }
    Ok(())
}
