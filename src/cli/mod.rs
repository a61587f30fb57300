//! The library-only commands (synth, list, schema, init, `cluster-config --outputs-file`)
//! and what every command reads without AWS: the config file (`config`), the Region
//! (`region`), the template and parameter values deploy and diff use (`source`). None of it
//! talks to AWS.

pub mod args;
pub mod cluster_config;
pub mod config;
pub mod flags;
pub mod init;
pub mod region;
pub mod rerun;
pub mod source;

use crate::error::Error;
use similar::TextDiff;
use stacks::{Configured, STACKS};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use synth::{Diagnostics, Format, Severity};

/// Writes a command's result to stdout. A closed pipe (`pcstack list | head -0`) ends the
/// output quietly: the reader has gone and there is no one to tell; any other failure (a full
/// disk behind `>`) is an error. `print!` would panic (exit 101) in both cases, because Rust
/// ignores SIGPIPE and turns EPIPE into a panic in the print macros.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let text = plan::style::terminal_text(text);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Writes a line to stderr, ignoring failure: stderr is where failures would be reported.
pub fn eprint_line(text: &str) {
    let text = plan::style::terminal_text(text);
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Prints diagnostics to stderr: errors and warnings always, infos with `verbose` (else how
/// many there are).
pub fn print_diagnostics(d: &Diagnostics, verbose: bool) {
    print_diagnostics_as(d, if verbose { Infos::List } else { Infos::Count });
}

/// What [`print_diagnostics_as`] does with info diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Infos {
    /// Print each (`synth --verbose`).
    List,
    /// Print how many there are, in one line.
    Count,
    /// Nothing at all (`--progress quiet`).
    Hide,
}

impl Infos {
    /// The infos a deploy shows: none with `--progress quiet`, else their count.
    pub fn for_progress(progress: flags::ProgressMode) -> Infos {
        match progress {
            flags::ProgressMode::Quiet => Infos::Hide,
            _ => Infos::Count,
        }
    }
}

/// Prints diagnostics of a stack that built to stderr: its warnings always, infos as `infos`
/// says. A refusal's diagnostics are printed by `main` ([`Error::Invalid`]).
pub fn print_diagnostics_as(d: &Diagnostics, infos: Infos) {
    let mut err = std::io::stderr().lock();
    let mut hidden = 0;
    for diag in d.iter() {
        if diag.severity == Severity::Info && infos != Infos::List {
            hidden += 1;
            continue;
        }
        let _ = writeln!(err, "{}", plan::style::terminal_text(&diag.to_string()));
    }
    if hidden > 0 && infos == Infos::Count {
        let _ = writeln!(err, "{hidden} value(s) are expressions checked by the template's parameter constraints (`pcstack synth --verbose` lists them)");
    }
}

/// Finds the stack and loads its config: the file when given, else the stack's built-in
/// default (for the prerequisites stack, the tutorial's setup).
pub fn load_config(stack: &str, path: Option<&Path>) -> Result<Configured, Error> {
    match config::load(Some(stack), path)?.parsed {
        config::Parsed::Stack(configured) => Ok(configured),
        config::Parsed::Fields(_) => Err(Error::usage(format!("stack {stack} has no config"))),
    }
}

/// `pcstack synth`: prints where the template went (nothing with `--out -`, where the template
/// was the whole of stdout).
pub fn run_synth(args: args::SynthArgs) -> Result<(), Error> {
    let format = match args.format {
        args::FormatArg::Yaml => Format::Yaml,
        args::FormatArg::Json => Format::Json,
    };
    let written = synth(SynthOptions {
        config: args.config.as_deref(),
        stack: &args.stack,
        out: &args.out,
        format,
        check: args.check,
        verbose: args.verbose,
    })?;
    match written {
        None => Ok(()),
        Some(path) if args.check => {
            eprint_line(&format!("{} is up to date", path.display()));
            Ok(())
        }
        Some(path) => print_stdout(&format!("{}\n", path.display())),
    }
}

/// Why [`read_limited`] failed.
#[derive(Debug)]
pub enum ReadError {
    /// Cannot open or read it, or it is not UTF-8.
    Io(std::io::Error),
    /// Larger than the limit: its size in bytes (or the limit + 1 when the size is unknown).
    TooLarge(u64),
    /// Not a regular file: what it is (a FIFO, a device, a directory ...).
    NotRegular(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge(n) => write!(f, "{n} bytes"),
            ReadError::NotRegular(what) => write!(f, "not a regular file but {what}"),
        }
    }
}

/// Reads a text file of at most `max` bytes, never more into memory than `max + 1` (a huge
/// file is refused without reading it all). The one reader of every file pcstack reads (the
/// config, templates, parameters files, the stack policy, the SSO token cache; the AWS config
/// files aws-config reads are checked by it first, `deploy::login`): anything but a regular
/// file (a FIFO that would block forever, `/dev/zero`, `/dev/urandom`) is refused, checked on
/// the opened file (opened without blocking, so a FIFO with no writer can't hold the open).
pub fn read_limited(path: &Path, max: usize) -> Result<String, ReadError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta).to_string()));
    }
    let size = Some(meta.len());
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > max {
        let size = size.filter(|&n| n > limit).unwrap_or(limit + 1);
        return Err(ReadError::TooLarge(size));
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({e})"),
        ))
    })
}

pub struct SynthOptions<'a> {
    pub config: Option<&'a Path>,
    pub stack: &'a str,
    pub out: &'a Path,
    pub format: Format,
    pub check: bool,
    pub verbose: bool,
}

/// Builds the stack and writes `<out>/<stack>.<ext>` atomically, or with `check` compares it.
/// `out` = `-`: the template goes to stdout (and nothing else does), nothing to disk; `None`.
/// The destination is checked before anything is built ([`check_destination`]); the `--out`
/// folder is created when missing.
pub fn synth(a: SynthOptions<'_>) -> Result<Option<PathBuf>, Error> {
    let to_stdout = a.out == Path::new("-");
    if to_stdout && a.check {
        return Err(Error::usage(
            "--check compares the file under --out, got --out - (stdout): give a directory",
        ));
    }
    let path = a.out.join(format!("{}.{}", a.stack, a.format.extension()));
    if !to_stdout && !a.check {
        check_destination("--out", &path, Existing::Replace, Folder::Create)?;
    }
    // Not dropped: the process exits right after synth, and freeing the built stack's
    // thousands of small allocations one by one was about 15% of synth's instructions.
    let built = std::mem::ManuallyDrop::new(
        load_config(a.stack, a.config)?
            .build()
            .map_err(Error::invalid)?,
    );
    print_diagnostics(&built.synthesized.diagnostics, a.verbose);
    // The YAML is already rendered (the size check needed it): borrowed, not copied.
    let rendered;
    let text: &str = match a.format {
        Format::Yaml => &built.synthesized.yaml,
        Format::Json => {
            rendered = built.synthesized.render(Format::Json);
            &rendered
        }
    };
    if to_stdout {
        print_stdout(text)?;
        return Ok(None);
    }
    if a.check {
        // The command that writes the file: the one the user ran, without `--check`.
        let write_it = || rerun::command_line(&["--check"]);
        let current = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Failed(format!(
                    "{} does not exist: run `{}` to write it, then commit it",
                    path.display(),
                    write_it()
                )));
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "--check must compare a readable file, got {} ({e})",
                    path.display()
                )));
            }
        };
        if current == text {
            return Ok(Some(path));
        }
        let diff = TextDiff::from_lines(current.as_str(), text);
        let mut err = std::io::stderr().lock();
        let diff = diff
            .unified_diff()
            .context_radius(3)
            .header(
                &format!("{} (committed)", path.display()),
                &format!("{} (synthesized)", path.display()),
            )
            .to_string();
        let _ = write!(err, "{}", plan::style::terminal_text(&diff));
        return Err(Error::Failed(format!(
            "{} is stale: run `{}` and commit the result",
            path.display(),
            write_it()
        )));
    }
    // An unchanged file is left alone: nothing to write, and replacing a file by rename costs
    // more on some file systems (ext4 flushes the data) than the whole synth.
    if holds(&path, text.as_bytes()) {
        return Ok(Some(path));
    }
    write_atomic(&path, text.as_bytes()).map_err(|e| write_failed(&path, &e))?;
    Ok(Some(path))
}

/// What a command does with a file already at its destination (each keeps its own rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Replaces it (`synth --out`, `cluster-config --out`, `init --force`).
    Replace,
    /// Refuses it: the command overwrites only with `--force` (`init`).
    NeedsForce,
}

/// Whether a destination's folder must exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folder {
    /// It must exist (`init --output`, `cluster-config --out`).
    Exists,
    /// It is created when missing (`synth --out DIR`); what exists of it must be folders.
    Create,
}

/// Checks the file a command will write, before the command does any work: invalid input
/// (exit 2) naming `flag`, the path and what is wrong: its folder does not exist, it is a
/// directory, it exists and is not a regular file (a device, a FIFO, a socket, a symbolic
/// link to nothing), or it exists and `existing` needs `--force`. A symbolic link to a
/// regular file is written like the file. Shared by every command that writes a file.
pub fn check_destination(
    flag: &str,
    path: &Path,
    existing: Existing,
    folder: Folder,
) -> Result<(), Error> {
    let shown = synth::input::echo(&path.display().to_string());
    let refuse = |rule: &str, what: String| {
        Err(Error::usage(format!(
            "{flag} must {rule}, got {shown} ({what}); nothing was written"
        )))
    };
    if path.as_os_str().is_empty() {
        return Err(Error::usage(format!(
            "{flag} must name a file, got \"\"; nothing was written"
        )));
    }
    match std::fs::symlink_metadata(path) {
        Ok(found) => {
            // Through a symbolic link, what it points to.
            let target = if found.file_type().is_symlink() {
                let Ok(target) = std::fs::metadata(path) else {
                    let what = "a symbolic link to nothing";
                    return refuse(
                        "name a regular file",
                        format!("{shown} exists and is not a regular file: {what}"),
                    );
                };
                target
            } else {
                found
            };
            if target.is_dir() {
                return refuse("name a file", format!("{shown} is a directory"));
            }
            if !target.is_file() {
                return refuse(
                    "name a regular file",
                    format!(
                        "{shown} exists and is not a regular file: {}",
                        kind(&target)
                    ),
                );
            }
            return match existing {
                Existing::Replace => Ok(()),
                Existing::NeedsForce => refuse(
                    "name a file that does not exist yet",
                    format!("{shown} exists: use --force to overwrite it"),
                ),
            };
        }
        Err(e) if !missing(&e) => {
            return refuse(
                "name a file pcstack can write",
                format!("cannot check it: {e}"),
            );
        }
        Err(_) => {}
    }
    check_folder(path, folder, &refuse)
}

/// [`check_destination`]'s folder: it exists, or the nearest part of it that exists is a
/// folder (created for `Folder::Create`); `refuse` words the refusal.
fn check_folder(
    path: &Path,
    folder: Folder,
    refuse: &dyn Fn(&str, String) -> Result<(), Error>,
) -> Result<(), Error> {
    let dir = folder_of(path);
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => {
            return refuse(
                "be in a folder",
                format!("{} exists and is not a folder", dir.display()),
            )
        }
        Err(e) if !missing(&e) => {
            return refuse(
                "be in a folder pcstack can write to",
                format!("cannot check folder {}: {e}", dir.display()),
            )
        }
        Err(_) => {}
    }
    // The folder is missing: the nearest part of it that exists must be a folder (a symbolic
    // link to nothing is not one: creating the folder there fails with "File exists").
    let dangling =
        |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    let mut up = dir;
    if dangling(up) {
        return refuse(
            "be in a folder",
            format!("{} is a symbolic link to nothing", up.display()),
        );
    }
    while let Some(parent) = up.parent().filter(|p| !p.as_os_str().is_empty()) {
        up = parent;
        if dangling(up) && std::fs::metadata(up).is_err() {
            return refuse(
                "be in a folder",
                format!("{} is a symbolic link to nothing", up.display()),
            );
        }
        match std::fs::metadata(up) {
            Ok(m) if !m.is_dir() => {
                return refuse(
                    "be in a folder",
                    format!("{} exists and is not a folder", up.display()),
                )
            }
            Ok(_) => break,
            Err(_) => {}
        }
    }
    match folder {
        Folder::Create => Ok(()),
        Folder::Exists => refuse(
            "be in a folder that exists",
            format!("folder {} does not exist", dir.display()),
        ),
    }
}

/// Whether a lookup failed because nothing is there: not found, or a part of the path that
/// should be a folder is a file (checked as such by [`check_destination`]).
fn missing(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// The folder a file is written in (`.` for a bare name).
pub fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// What a file that is neither a regular file nor a directory is, for a message.
fn kind(m: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// A failed write of `path`, said without the name of the temporary file it went through
/// (the `tempfile` crate appends ` at path "…/.tmpXXXX"` to its errors).
pub fn write_failed(path: &Path, e: &std::io::Error) -> Error {
    let reason = e.to_string();
    let reason = reason.split(" at path ").next().unwrap_or_default();
    Error::Failed(format!("could not write {}: {reason}", path.display()))
}

/// Whether the file at `path` holds exactly `bytes`: its size first, then its content a
/// block at a time against them (no copy of the whole file in memory).
pub fn holds(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.metadata().map(|m| m.len()).ok() != u64::try_from(bytes.len()).ok() {
        return false;
    }
    let mut block = [0u8; 4096];
    let mut rest = bytes;
    loop {
        match file.read(&mut block) {
            Ok(0) => return rest.is_empty(),
            Ok(n) => match rest.split_at_checked(n) {
                Some((head, tail)) if head == &block[..n] => rest = tail,
                _ => return false,
            },
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Writes through a temporary file in the same directory, then renames it into place, so
/// a reader never sees half a file and a failure leaves the old file as it was. No fsync:
/// the rename is what makes the write atomic for readers, and a synthesized file lost to a
/// power cut is rebuilt by running synth again (an fsync costs more than the whole synth).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = folder_of(path);
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are private (0600); the result is an ordinary file: keep the mode of
    // the file it replaces, or make it readable by others as `umask 022` would.
    let permissions = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => std::fs::Permissions::from_mode(0o644),
    };
    tmp.as_file().set_permissions(permissions)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

pub fn list() -> String {
    STACKS
        .iter()
        .map(|s| format!("{}\t{}\n", s.name(), s.description()))
        .collect()
}

/// A shell completion script for `shell`, generated from the command line's definition.
pub fn completions(shell: clap_complete::Shell) -> String {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut args::Cli::command(), "pcstack", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON Schema of a built-in stack's config file.
pub fn schema(stack: &str) -> Result<String, Error> {
    let stack = stacks::find(stack).map_err(Error::invalid)?;
    let mut s = serde_json::to_string_pretty(&stack.schema()).unwrap_or_default();
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::holds;

    #[test]
    fn holds_compares_the_whole_file_block_by_block() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.yaml");
        assert!(!holds(&path, b"a"), "a missing file holds nothing");
        // Three blocks and a bit, so the last block decides.
        let text: Vec<u8> = (0..3 * 4096 + 100).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        assert!(holds(&path, &text));
        let mut last = text.clone();
        *last.last_mut().unwrap() = b'!';
        assert!(!holds(&path, &last), "same size, last byte differs");
        let mut first_block = text.clone();
        first_block[10] = b'!';
        assert!(!holds(&path, &first_block));
        assert!(!holds(&path, &text[..text.len() - 1]), "shorter");
        assert!(!holds(&path, &[text.as_slice(), b"x"].concat()), "longer");
        std::fs::write(&path, b"").unwrap();
        assert!(holds(&path, b""));
    }
}
