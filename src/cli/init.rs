//! `pcstack init`: a stack's commented starter config, whose values are its built-in defaults
//! (each stack's starter is checked against its default in the `stacks` crate).

use crate::error::Error;

/// Writes the starter file of the built-in stack `stack`; refuses to overwrite unless `force`.
pub fn write(path: &std::path::Path, stack: &str, force: bool) -> Result<(), Error> {
    let starter = stacks::find(stack).map_err(Error::Invalid)?.starter();
    let exists = || {
        Error::Failed(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        ))
    };
    if force {
        return super::write_atomic(path, starter.as_bytes())
            .map_err(|e| Error::Failed(format!("could not write {}: {e}", path.display())));
    }
    // create_new: no window between "does it exist" and the write.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists(),
            _ => Error::Failed(format!("could not write {}: {e}", path.display())),
        })?;
    std::io::Write::write_all(&mut file, starter.as_bytes())
        .map_err(|e| Error::Failed(format!("could not write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use stacks::{Config, DEFAULT_STACK};

    #[test]
    fn starter_is_the_default() {
        let starter = stacks::find(DEFAULT_STACK).unwrap().starter();
        let parsed = Config::from_yaml(starter, "starter").unwrap();
        assert_eq!(parsed, Config::default());
    }
}
