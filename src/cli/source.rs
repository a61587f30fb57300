//! What `deploy` sends and `diff` compares, assembled without AWS: the template (a file, or a
//! built-in stack built from its config), the files its bucket must hold, and the parameter
//! values from every source.

use super::config::Config;
use crate::error::Error;
use indexmap::IndexMap;
use plan::{params, TemplateSource};
use std::path::Path;

/// A template file: at most CloudFormation's 1,000,000 bytes (checked before reading it all,
/// so nothing is uploaded first), parsed, its output env names checked.
pub fn read_template(path: &Path) -> Result<TemplateSource, Error> {
    let body = read_file(path, "template", synth::input::MAX_TEMPLATE_BYTES)?;
    TemplateSource::parse(body).map_err(|e| Error::usage(format!("{}: {e}", path.display())))
}

/// A file of at most `max` bytes that is not the config (a template, a parameters file, a
/// stack policy); `what` names it in the message.
pub fn read_file(path: &Path, what: &str, max: usize) -> Result<String, Error> {
    super::read_limited(path, max).map_err(|e| match e {
        super::ReadError::Io(e) => {
            Error::usage(format!("cannot read {what} {}: {e}", path.display()))
        }
        super::ReadError::TooLarge(n) => Error::usage(format!(
            "{}: {what} must be at most {max} bytes, got {n} bytes",
            path.display()
        )),
        super::ReadError::NotRegular(kind) => Error::usage(format!(
            "{}: {what} must be a regular file, got {kind}",
            path.display()
        )),
    })
}

/// What deploy and diff compare with the deployed stack: the template, the files the stack's
/// bucket must hold, and the parameter values to send.
pub struct Local {
    pub template: TemplateSource,
    pub assets: Vec<stacks::assets::AssetConfig>,
    /// Every value given: the config's fields (a built-in stack), its `parameters:`,
    /// `--parameters-file`, `--parameter` ([`params::merge`]).
    pub parameters: IndexMap<String, String>,
}

/// The local template: `template`, a file, or the config's built-in stack built exactly as
/// deploy sends it (rendered to YAML); the assets and parameter values the config gives, then
/// `--parameters-file` and `--parameter`. `warn` shows the built stack's diagnostics.
pub fn local(
    template: Option<&Path>,
    config: &Config,
    values: &super::args::ParameterArgs,
    warn: &dyn Fn(&synth::Diagnostics),
) -> Result<Local, Error> {
    let (template, fields) = match (template, config.stack()) {
        (Some(path), _) => (read_template(path)?, Vec::new()),
        (None, Some(stack)) => {
            let name = stack.stack_name();
            let built = stack.build().map_err(Error::invalid)?;
            warn(&built.synthesized.diagnostics);
            let template = TemplateSource::parse(built.synthesized.render(synth::Format::Yaml))
                .map_err(|e| Error::usage(format!("stack {name}: {e}")))?;
            let fields = built
                .parameters
                .iter()
                .map(|p| params::FieldValue {
                    name: p.name.to_string(),
                    field: p.field.to_string(),
                    value: p.value.clone(),
                })
                .collect();
            (template, fields)
        }
        (None, None) => return Err(Error::usage("give a STACK or --template FILE")),
    };
    let mut layers: Vec<(String, IndexMap<String, String>)> = Vec::new();
    if let Some(path) = &config.file {
        let values = config.parameters()?;
        layers.push((format!("{}: parameters.", path.display()), values));
    }
    if let Some(path) = &values.parameters_file {
        let text = read_file(path, "parameters file", synth::input::MAX_FILE_BYTES)?;
        let file = params::parse_file(&text)
            .map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
        layers.push((format!("--parameters-file {}: ", path.display()), file));
    }
    layers.push((
        "--parameter ".into(),
        values.parameters.iter().cloned().collect(),
    ));
    let layers: Vec<(&str, &IndexMap<String, String>)> =
        layers.iter().map(|(l, v)| (l.as_str(), v)).collect();
    let parameters = params::merge(&config.source(), &fields, &layers).map_err(Error::invalid)?;
    Ok(Local {
        template,
        assets: config.assets(),
        parameters,
    })
}
