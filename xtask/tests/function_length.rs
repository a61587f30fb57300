//! No hand-written function in the workspace is over `MAX_LINES` lines: every `.rs` file of the
//! workspace (`xtask::files::rust_files`) is scanned, except generated files (first line
//! `// @generated`).

use xtask::fn_length::{self, MAX_LINES};

#[test]
fn no_hand_written_function_is_over_the_limit() {
    let root = xtask::codegen::workspace_root();
    let mut scanned = 0;
    let mut functions = 0;
    let mut too_long = Vec::new();
    for file in xtask::files::rust_files(&root) {
        let path = file.display();
        let source = std::fs::read_to_string(root.join(&file))
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
