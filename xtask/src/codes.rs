//! `cargo run -p xtask -- codes`: the README's "Diagnostic codes" table, generated from the
//! registry (`stacks::codes::all`, each code with its one-line meaning). `--check` compares.

/// The README section that holds the table.
pub const SECTION: &str = "\n## Diagnostic codes\n";

/// The table's rows, as the registry says they read.
pub fn rows() -> Vec<String> {
    stacks::codes::all()
        .iter()
        .map(|c| format!("| `{}` | {} |", c.as_str(), c.description()))
        .collect()
}

/// `readme` with the rows of its codes table replaced by [`rows`] (the section's text and the
/// table header stay as written).
pub fn readme_with_table(readme: &str) -> Result<String, String> {
    let start = readme
        .find(SECTION)
        .ok_or("README.md has no `## Diagnostic codes` section")?
        + SECTION.len();
    let end = readme[start..]
        .find("\n## ")
        .map_or(readme.len(), |i| start + i + 1);
    let section = &readme[start..end];
    let first = section
        .find("\n| `")
        .ok_or("the `## Diagnostic codes` section has no table of codes")?
        + 1;
    let after_rows = section[first..]
        .split_inclusive('\n')
        .take_while(|l| l.starts_with("| `"))
        .map(str::len)
        .sum::<usize>();
    let mut out = String::with_capacity(readme.len());
    out.push_str(&readme[..start + first]);
    for row in rows() {
        out.push_str(&row);
        out.push('\n');
    }
    out.push_str(&readme[start + first + after_rows..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rows_are_replaced_and_the_rest_kept() {
        let readme = "# x\n\n## Diagnostic codes\n\ntext\n\n| code | meaning |\n|---|---|\n| `OLD` | gone |\n\nafter\n\n## Next\n";
        let out = readme_with_table(readme).unwrap_or_default();
        assert!(out.starts_with(
            "# x\n\n## Diagnostic codes\n\ntext\n\n| code | meaning |\n|---|---|\n| `E1001` | "
        ));
        assert!(!out.contains("OLD"));
        assert!(out.ends_with("|\n\nafter\n\n## Next\n"), "{out}");
        assert_eq!(out.matches("\n| `").count(), stacks::codes::all().len());
        assert!(readme_with_table("# nothing\n").is_err());
    }
}
