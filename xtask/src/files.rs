//! The workspace's Rust source files: the one list every source-scanning test reads
//! (`tests/function_length.rs`, the raw code strings scan in `tests/codes.rs`).
//!
//! In a git checkout it is what git lists: the tracked files that are still there and the
//! untracked ones git does not ignore (a new file is scanned before it is added). Anywhere else
//! (a release tarball, a GitHub zip, a vendored copy), or when git lists no Rust file under the
//! root, it is a walk of the directory tree that skips `target/`, `.git` and `.venv*`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every `.rs` file of the tree at `root`, relative to it, sorted: git's list when `root` is in
/// a git checkout that holds Rust files, otherwise [`walk`]'s.
pub fn rust_files(root: &Path) -> Vec<PathBuf> {
    git_rust_files(root)
        .filter(|files| !files.is_empty())
        .unwrap_or_else(|| walk(root))
}

/// The `.rs` files git tracks (and still finds on disk) or would track under `root`, relative
/// to it, sorted; `None` when git is missing or `root` is not in a git checkout.
pub fn git_rust_files(root: &Path) -> Option<Vec<PathBuf>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .args(["--", "*.rs"])
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut files: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .filter(|p| !skipped(p) && root.join(p).is_file())
        .collect();
    files.sort();
    files.dedup();
    Some(files)
}

/// Every `.rs` file under `root`, relative to it, sorted, found by walking the tree and skipping
/// [`skipped`] directories.
pub fn walk(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![PathBuf::new()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = dir.join(entry.file_name());
            if skipped(&path) {
                continue;
            }
            if root.join(&path).is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Whether `path` (relative to the workspace root) is in a directory no scan reads: build
/// output (`target`), git's own (`.git`) or a Python virtualenv (`.venv`, `.venv-pcluster`).
fn skipped(path: &Path) -> bool {
    path.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name == "target" || name == ".git" || name.starts_with(".venv")
    })
}
