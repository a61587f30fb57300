//! No hand-written function in the workspace is over `MAX_LINES` lines: every git-tracked `.rs`
//! file is scanned, except generated files (first line `// @generated`) and `target/`.

use std::process::Command;
use xtask::fn_length::{self, MAX_LINES};

/// The workspace's git-tracked `.rs` files, relative to its root.
fn tracked_rust_files() -> Vec<String> {
    let root = xtask::codegen::workspace_root();
    let output = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["ls-files", "-z", "--", "*.rs"])
        .output()
        .unwrap_or_else(|e| panic!("running `git ls-files` in {}: {e}", root.display()));
    assert!(
        output.status.success(),
        "`git ls-files` failed in {}: {}",
        root.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .split('\0')
        .filter(|p| !p.is_empty() && !p.starts_with("target/"))
        .map(str::to_string)
        .collect()
}

#[test]
fn no_hand_written_function_is_over_the_limit() {
    let root = xtask::codegen::workspace_root();
    let mut scanned = 0;
    let mut functions = 0;
    let mut too_long = Vec::new();
    for path in tracked_rust_files() {
        let source = std::fs::read_to_string(root.join(&path))
            .unwrap_or_else(|e| panic!("reading {path}: {e}"));
        if fn_length::is_generated(&source) {
            continue;
        }
        scanned += 1;
        let found = fn_length::functions(&source);
        functions += found.len();
        too_long.extend(
            found
                .into_iter()
                .filter(|f| f.lines > MAX_LINES)
                .map(|f| format!("{path}:{} fn {}: {} lines", f.line, f.name, f.lines)),
        );
    }
    // A scan that read nothing would pass: this file and its own function must have been seen.
    assert!(
        scanned > 1 && functions > scanned,
        "the scan found {functions} functions in {scanned} files"
    );
    assert!(
        too_long.is_empty(),
        "{} functions over {MAX_LINES} lines (split them into named steps):\n{}",
        too_long.len(),
        too_long.join("\n")
    );
}
