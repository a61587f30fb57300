//! The diagnostic codes in the sources and the README: README.md's diagnostic codes table is
//! exactly what `cargo run -p xtask -- codes` writes from the registry, and codes are declared
//! only with `synth::codes!` (no source passes a raw code string to a diagnostic constructor).

#[test]
fn readme_table_is_generated_from_the_registry() {
    let path = xtask::codegen::workspace_root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = xtask::codes::readme_with_table(&readme);
    assert!(
        generated.as_deref() == Ok(readme.as_str()),
        "README.md's diagnostic codes table is stale: run `cargo run -p xtask -- codes`"
    );
}

/// Where `text` has a string literal that looks like a code (`"E1001"`, `"PC101"`, `"D2001"`).
fn code_literals(text: &str) -> Vec<(usize, &str)> {
    let re = regex_lite::Regex::new(r#""((?:E|W|I|PC|D)[0-9]{3,4})""#)
        .unwrap_or_else(|e| panic!("the code pattern: {e}"));
    re.captures_iter(text)
        .filter_map(|c| Some((c.get(0)?.start(), c.get(1)?.as_str())))
        .collect()
}

/// Raw code strings handed to `Diagnostic::{error,warning,info}`, `Violation::new`,
/// `Code::declare` or a `code:` field, in any `.rs` file of the workspace
/// (`xtask::files::rust_files`): every diagnostic names a code declared with `synth::codes!`.
/// (The constructors take a `Code`, so this is what the compiler says too; the scan also
/// covers `code:` fields and macros.)
#[test]
fn no_raw_code_literals_in_diagnostics() {
    let root = xtask::codegen::workspace_root();
    let constructors = [
        "Diagnostic::error(",
        "Diagnostic::warning(",
        "Diagnostic::info(",
        "Violation::new(",
        "Code::declare(",
        "code:",
    ];
    let mut scanned = 0;
    let mut raw = Vec::new();
    for file in xtask::files::rust_files(&root) {
        let text = std::fs::read_to_string(root.join(&file))
            .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        scanned += 1;
        for (at, code) in code_literals(&text) {
            let before = text[..at].trim_end();
            if constructors.iter().any(|c| before.ends_with(c)) {
                raw.push(format!("{}: {code}", file.display()));
            }
        }
    }
    // A scan that read nothing would pass: synth's and this crate's sources must have been seen.
    assert!(scanned > 1, "the scan read {scanned} files");
    assert!(
        raw.is_empty(),
        "raw code strings; declare codes with synth::codes!:\n{}",
        raw.join("\n")
    );
}

#[test]
fn the_scan_finds_code_literals() {
    // Escaped quotes, so that this file itself holds no raw code string for the scan to find.
    let text = "Diagnostic::error(\"PC101\", p); let s = \"PC1\"; Code::declare(\"D2001\", d)";
    let found: Vec<&str> = code_literals(text).into_iter().map(|(_, c)| c).collect();
    assert_eq!(found, ["PC101", "D2001"]);
}
