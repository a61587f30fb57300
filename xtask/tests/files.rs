//! `xtask::files`, the workspace's list of Rust files the source-scanning tests read: outside a
//! git checkout (a tarball) it is a walk that skips build output, git's directory and
//! virtualenvs, and that walk finds every file git lists, so a tarball scans what a checkout does.

use std::path::{Path, PathBuf};
use xtask::files;

fn write(root: &Path, path: &str) {
    let path = root.join(path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    }
    std::fs::write(&path, "fn f() {}\n").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn the_walk_skips_build_output_git_and_virtualenvs() {
    // Under the target directory, which git ignores: git lists nothing here, so `rust_files`
    // walks, as it does in a tarball.
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("files-walk");
    let _ = std::fs::remove_dir_all(&root);
    for path in [
        "build.rs",
        "a/src/lib.rs",
        "a/src/notes.md",
        "a/src/target.rs",
        "target/debug/build/out.rs",
        "a/target/x.rs",
        ".git/hooks/h.rs",
        ".venv/lib/v.rs",
        ".venv-pcluster/lib/w.rs",
    ] {
        write(&root, path);
    }
    let expected: Vec<PathBuf> = ["a/src/lib.rs", "a/src/target.rs", "build.rs"]
        .iter()
        .map(PathBuf::from)
        .collect();
    assert_eq!(files::walk(&root), expected);
    assert_eq!(
        files::git_rust_files(&root).unwrap_or_default(),
        Vec::<PathBuf>::new()
    );
    assert_eq!(files::rust_files(&root), expected);
}

#[test]
fn the_walk_finds_every_file_of_the_workspace_list() {
    let root = xtask::codegen::workspace_root();
    let listed = files::rust_files(&root);
    let walked = files::walk(&root);
    let missing: Vec<_> = listed.iter().filter(|f| !walked.contains(f)).collect();
    assert!(missing.is_empty(), "the walk misses {missing:?}");
    for file in ["xtask/tests/files.rs", "synth/src/lib.rs", "src/main.rs"] {
        assert!(
            listed.contains(&PathBuf::from(file)),
            "{file} is not listed"
        );
    }
}
