//! The Region of an AWS command, before any AWS call.

use crate::error::Error;
use std::path::Path;

/// `--region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else the config's `region` (with the
/// file that sets it); `None` leaves it to the profile. Each must be a Region that exists (a
/// near miss names the closest), and an override that disagrees with the config's `region`
/// is an error naming both: the config's availability zone lies in its region.
pub fn resolve(flag: Option<&str>, config: Option<(&Path, &str)>) -> Result<Option<String>, Error> {
    let env = ["AWS_REGION", "AWS_DEFAULT_REGION"].iter().find_map(|k| {
        // Set but empty is a mistake to name, not a reason to fall back to the profile's.
        std::env::var(k).ok().map(|v| (*k, v))
    });
    let given = match (flag, env) {
        (Some(r), _) => Some(("--region".to_string(), r.to_string())),
        (None, Some((k, v))) => Some((k.to_string(), v)),
        (None, None) => None,
    };
    if let Some((source, value)) = &given {
        check(source, value)?;
    }
    if let Some((path, r)) = config {
        check(&path.display().to_string(), r)?;
    }
    match (given, config) {
        (Some((source, value)), Some((path, r))) if value != r => Err(Error::usage(format!(
            "{source} {value} conflicts with `region: {r}` in {}: the stack and its availability zone are in {r}; use the same region in both, or remove one",
            path.display()
        ))),
        (Some((_, value)), _) => Ok(Some(value)),
        (None, Some((_, r))) => Ok(Some(r.to_string())),
        (None, None) => Ok(None),
    }
}

/// A Region that exists, or invalid input naming where the value came from.
fn check(source: &str, value: &str) -> Result<(), Error> {
    constructs::rules::names::region(value).map_err(|v| {
        Error::usage(format!(
            "{source}: {}",
            synth::input::cut_message(&v.message)
        ))
    })
}
