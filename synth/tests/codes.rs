//! Codes are declared only with `synth::codes!`: no source passes a raw code string to a
//! diagnostic constructor. (The README's table is checked against the registry by xtask's
//! `readme_table_is_generated_from_the_registry`.)
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() && name != "target" && name != ".git" && name != ".venv" {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// A string literal that looks like a code (`"E1001"`, `"PC101"`, `"D2001"`).
fn code_literals(text: &str) -> Vec<(usize, String)> {
    let re = regex_lite::Regex::new(r#""((?:E|W|I|PC|D)[0-9]{3,4})""#).unwrap();
    re.captures_iter(text)
        .map(|c| (c.get(0).unwrap().start(), c[1].to_string()))
        .collect()
}

/// Raw code strings handed to `Diagnostic::{error,warning,info}`, `Violation::new`,
/// `Code::declare` or a `code:` field: every diagnostic names a code declared with
/// `synth::codes!`. (The constructors take a `Code`, so
/// this is what the compiler says too; the scan also covers `code:` fields and macros.)
#[test]
fn no_raw_code_literals_in_diagnostics() {
    let root = workspace();
    let mut files = Vec::new();
    for dir in ["synth", "constructs", "stacks", "plan", "src", "xtask"] {
        rust_files(&root.join(dir), &mut files);
    }
    let constructors = [
        "Diagnostic::error(",
        "Diagnostic::warning(",
        "Diagnostic::info(",
        "Violation::new(",
        "Code::declare(",
        "code:",
    ];
    let mut raw = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        for (at, code) in code_literals(&text) {
            let before = text[..at].trim_end();
            if !constructors.iter().any(|c| before.ends_with(c)) {
                continue;
            }
            raw.push(format!("{rel}: {code}"));
        }
    }
    assert!(
        raw.is_empty(),
        "raw code strings; declare codes with synth::codes!:\n{}",
        raw.join("\n")
    );
}
