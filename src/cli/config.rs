//! The `--config` file of every command: read once ([`read`], one size limit, one set of
//! messages), parsed once ([`load`]) into what the command needs from it: a built-in stack's
//! typed config ([`stacks::Configured`]), or, without a built-in stack (`--template`,
//! `outputs`, `destroy`), the fields every pcstack config may hold ([`Fields`]). The Region,
//! the `parameters` map and the assets all come from that one parse.

use super::{read_limited, ReadError};
use crate::error::Error;
use indexmap::IndexMap;
use serde::Deserialize;
use stacks::assets::AssetConfig;
use stacks::stack;
use stacks::Configured;
use std::path::{Path, PathBuf};
use synth::Diagnostic;

/// A config file's text, read at most [`synth::input::MAX_FILE_BYTES`].
pub struct ConfigFile {
    pub path: PathBuf,
    pub text: String,
}

impl ConfigFile {
    /// The name diagnostics give the file.
    pub fn source(&self) -> String {
        self.path.display().to_string()
    }
}

/// Reads a config file: unreadable (PC004) or too large (PC006) is invalid input naming it.
pub fn read(path: &Path) -> Result<ConfigFile, Error> {
    let text = read_limited(path, synth::input::MAX_FILE_BYTES).map_err(|e| {
        let (code, message) = match e {
            ReadError::Io(e) => (
                stack::code::CONFIG_UNREADABLE,
                format!("config file must be readable, got {e}"),
            ),
            ReadError::TooLarge(n) => (
                stack::code::CONFIG_LIMIT,
                format!(
                    "config file must be at most {} bytes, got {n} bytes",
                    synth::input::MAX_FILE_BYTES
                ),
            ),
            ReadError::NotRegular(what) => (
                stack::code::CONFIG_UNREADABLE,
                format!("config file must be a regular file, got {what}"),
            ),
        };
        Error::invalid(
            std::iter::once(Diagnostic::error(code, path.display().to_string(), message)).collect(),
        )
    })?;
    Ok(ConfigFile {
        path: path.to_path_buf(),
        text,
    })
}

/// The fields any pcstack config may hold, read from a config that is not a built-in stack's
/// (a template file's, or `outputs`' and `destroy`'s, which need only the Region). Other
/// fields are left alone: they belong to a stack.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    region: Option<String>,
    /// Names to scalars (or lists, sent comma-delimited): checked when used
    /// ([`plan::params::config_values`]).
    #[serde(default, alias = "Parameters")]
    parameters: Option<serde_json::Value>,
    #[serde(default)]
    assets: Vec<AssetConfig>,
}

/// A command's config, parsed.
pub enum Parsed {
    /// A built-in stack's config (its default without `--config`).
    Stack(Configured),
    /// Without a built-in stack.
    Fields(Fields),
}

/// A command's config: where it came from and what it says.
pub struct Config {
    /// `None`: no `--config` (the stack's default, or nothing).
    pub file: Option<PathBuf>,
    pub parsed: Parsed,
}

/// Reads and parses `path` once: as built-in stack `stack`'s config (its default without a
/// file), or as [`Fields`] when there is no built-in stack.
pub fn load(stack: Option<&str>, path: Option<&Path>) -> Result<Config, Error> {
    let file = path.map(read).transpose()?;
    let parsed = match stack {
        Some(name) => {
            let stack = stacks::find(name).map_err(Error::invalid)?;
            let yaml = file.as_ref().map(|f| (f.text.as_str(), f.source()));
            let configured = match &yaml {
                Some((text, source)) => stack.parse_config(text, source),
                None => Ok(stack.default_config()),
            };
            Parsed::Stack(configured.map_err(Error::invalid)?)
        }
        None => Parsed::Fields(match &file {
            Some(f) => {
                stacks::parse_config::<Fields>(&f.text, &f.source()).map_err(Error::invalid)?
            }
            None => Fields::default(),
        }),
    };
    Ok(Config {
        file: file.map(|f| f.path),
        parsed,
    })
}

impl Config {
    /// The built-in stack's typed config, if the command has one.
    pub fn stack(&self) -> Option<&Configured> {
        match &self.parsed {
            Parsed::Stack(c) => Some(c),
            Parsed::Fields(_) => None,
        }
    }

    /// The built-in stack's typed config, to change in place (zone IDs resolved to names).
    pub fn stack_mut(&mut self) -> Option<&mut Configured> {
        match &mut self.parsed {
            Parsed::Stack(c) => Some(c),
            Parsed::Fields(_) => None,
        }
    }

    /// The config's `region` and the file that sets it.
    pub fn region(&self) -> Option<(&Path, &str)> {
        let region = match &self.parsed {
            Parsed::Stack(c) => c.region(),
            Parsed::Fields(f) => f.region.as_deref(),
        };
        self.file.as_deref().zip(region)
    }

    /// The config's `parameters` map, each value as CloudFormation receives it.
    pub fn parameters(&self) -> Result<IndexMap<String, String>, Error> {
        let Some(path) = &self.file else {
            return Ok(IndexMap::new());
        };
        match &self.parsed {
            Parsed::Stack(c) => Ok(c.parameters()),
            Parsed::Fields(f) => plan::params::config_values(f.parameters.as_ref())
                .map_err(|e| Error::usage(format!("{}: {e}", path.display()))),
        }
    }

    /// The files deploy uploads to the stack's bucket.
    pub fn assets(&self) -> Vec<AssetConfig> {
        match &self.parsed {
            Parsed::Stack(c) => c.assets(),
            Parsed::Fields(f) => f.assets.clone(),
        }
    }

    /// How diagnostics name the config: the file, or the built-in default.
    pub fn source(&self) -> String {
        match &self.file {
            Some(path) => path.display().to_string(),
            None => "the built-in default config".into(),
        }
    }
}
