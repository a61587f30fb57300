//! `pcstack init`: a stack's commented starter config, whose values are its built-in defaults
//! (each stack's starter is checked against its default in the `stacks` crate).

use super::{check_destination, Existing, Folder};
use crate::error::Error;
use std::path::Path;

/// `pcstack init`: writes the starter to `output` and prints its path, or with `--output -`
/// prints the starter itself to stdout (nothing written).
pub fn run(output: &Path, stack: &str, force: bool) -> Result<(), Error> {
    if output == Path::new("-") {
        let starter = stacks::find(stack).map_err(Error::invalid)?.starter();
        return super::print_stdout(starter);
    }
    write(output, stack, force)?;
    super::print_stdout(&format!("{}\n", output.display()))
}

/// Writes the starter file of the built-in stack `stack`; refuses to overwrite unless `force`.
/// The destination is checked first ([`check_destination`]): its folder must exist.
pub fn write(path: &Path, stack: &str, force: bool) -> Result<(), Error> {
    let existing = if force {
        Existing::Replace
    } else {
        Existing::NeedsForce
    };
    check_destination("--output", path, existing, Folder::Exists)?;
    let starter = stacks::find(stack).map_err(Error::invalid)?.starter();
    if force {
        return super::write_atomic(path, starter.as_bytes())
            .map_err(|e| super::write_failed(path, &e));
    }
    write_new(path, starter.as_bytes()).map_err(|e| match e.kind() {
        // Created by someone else since the check: the same answer as the check's.
        std::io::ErrorKind::AlreadyExists => {
            match check_destination("--output", path, existing, Folder::Exists) {
                Err(refused) => refused,
                Ok(()) => super::write_failed(path, &e),
            }
        }
        _ => super::write_failed(path, &e),
    })
}

/// Writes a file that must not exist yet, all or nothing: the bytes go to a temporary file in
/// the same directory, which is then linked into place only if `path` is still free
/// (`persist_noclobber`). A failed write (disk full, no permission) leaves no empty or partial
/// file behind: the temporary file is removed when dropped.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let mut tmp = tempfile::NamedTempFile::new_in(super::folder_of(path))?;
    tmp.write_all(bytes)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use stacks::{Config, DEFAULT_STACK};

    #[test]
    fn init_writes_all_or_nothing_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pcstack.yaml");
        super::write(&path, DEFAULT_STACK, false).unwrap();
        let starter = stacks::find(DEFAULT_STACK).unwrap().starter();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), starter);
        std::fs::write(&path, "mine\n").unwrap();
        let e = super::write(&path, DEFAULT_STACK, false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("exists: use --force"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\n");
        // A directory that doesn't exist: an error and nothing created.
        let missing = dir.path().join("no/such/dir/pcstack.yaml");
        assert!(super::write(&missing, DEFAULT_STACK, false).is_err());
        assert!(super::write(&missing, DEFAULT_STACK, true).is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["pcstack.yaml"], "no temporary file left");
    }

    #[test]
    fn starter_is_the_default() {
        let starter = stacks::find(DEFAULT_STACK).unwrap().starter();
        let parsed = Config::from_yaml(starter, "starter").unwrap();
        assert_eq!(parsed, Config::default());
    }
}
