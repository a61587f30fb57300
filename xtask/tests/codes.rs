//! README.md's diagnostic codes table is exactly what `cargo run -p xtask -- codes` writes
//! from the registry.

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
