//! The registry of diagnostic codes: every crate's codes, assembled in the one crate that sees
//! all the library crates (the CLI above it declares none of its own). Each crate declares its
//! codes next to the knowledge they belong to, with `synth::codes!`, and lists them in its
//! crate-level `CODES`; this module puts those lists together. A test here keeps every code
//! unique and well formed across crates and finds any declared code the lists leave out; the
//! README's "Diagnostic codes" table is generated from [`all`] (`cargo run -p xtask -- codes`);
//! a code given as a string is read with [`parse`].

use synth::Code;

/// Every crate's codes, lowest crate first.
const CRATES: [&[&[Code]]; 4] = [synth::CODES, constructs::CODES, plan::CODES, crate::CODES];

/// Every code of the crates' lists, in declaration order.
fn declared<'a>(crates: &'a [&'static [&'static [Code]]]) -> impl Iterator<Item = Code> + 'a {
    crates
        .iter()
        .flat_map(|lists| lists.iter())
        .flat_map(|list| list.iter().copied())
}

/// Every code, in the README table's order: synth's template checks as synth declares them
/// (cfn-lint's codes, each of pcstack's own template codes beside its kin), then every other
/// crate's codes by number, deploy's `D` codes last.
pub fn all() -> Vec<Code> {
    let mut rest: Vec<Code> = declared(&CRATES[1..]).collect();
    rest.sort_by_key(|c| (c.as_str().starts_with('D'), c.as_str()));
    declared(&CRATES[..1]).chain(rest).collect()
}

/// The registered code whose string is `s` (`"PC101"`), if there is one.
pub fn parse(s: &str) -> Option<Code> {
    declared(&CRATES).find(|c| c.as_str() == s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    #[test]
    fn every_code_is_unique_and_described() {
        let mut seen = HashSet::new();
        for c in all() {
            assert!(seen.insert(c.as_str()), "{} means two things", c.as_str());
            assert!(!c.description().is_empty(), "{c} has no description");
            let s = c.as_str();
            let (prefix, digits) = s.split_at(s.find(|ch: char| ch.is_ascii_digit()).unwrap_or(0));
            assert!(["E", "W", "I", "PC", "D"].contains(&prefix), "{s}");
            assert!(
                digits.len() >= 3 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{s}"
            );
        }
        assert_eq!(all().len(), declared(&CRATES).count());
    }

    #[test]
    fn parse_round_trips() {
        for c in all() {
            assert_eq!(parse(c.as_str()), Some(c));
        }
        assert_eq!(parse("X1"), None);
        assert_eq!(
            parse("PC101").map(Code::description),
            Some(constructs::rules::fsx::code::LUSTRE_STORAGE_CAPACITY.description())
        );
    }

    #[test]
    fn the_order_is_template_checks_then_by_number() {
        let strings: Vec<&str> = all().iter().map(|c| c.as_str()).collect();
        let synth_count = declared(&CRATES[..1]).count();
        assert_eq!(strings.first(), Some(&"E1001"));
        assert_eq!(strings[synth_count..].first(), Some(&"PC000"));
        assert_eq!(strings.last(), Some(&"D2004"));
        let rest = &strings[synth_count..];
        let pc_end = rest.iter().take_while(|s| s.starts_with("PC")).count();
        assert!(
            rest[..pc_end].is_sorted() && rest[pc_end..].is_sorted(),
            "{rest:?}"
        );
        assert!(
            rest[pc_end..].iter().all(|s| s.starts_with('D')),
            "{rest:?}"
        );
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The code strings declared in `text`'s `codes!` blocks (`NAME = "PC101", "...";`).
    fn declared_in(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut inside = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("//") {
                continue;
            }
            if line.ends_with("codes! {") {
                inside = true;
            } else if inside && line == "}" {
                inside = false;
            } else if inside {
                if let Some(code) = line.split('"').nth(1) {
                    found.push(code.to_string());
                }
            }
        }
        found
    }

    /// A module that declares codes but is missing from its crate's `CODES` would leave its
    /// codes out of the README and of [`parse`]: every code any source declares is registered.
    #[test]
    fn every_declared_code_is_registered() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in ["synth", "constructs", "plan", "stacks", "src", "xtask"] {
            rust_files(&root.join(dir), &mut files);
        }
        let mut declared = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            declared.extend(declared_in(&text).into_iter().map(|c| (c, file.clone())));
        }
        let unregistered: Vec<String> = declared
            .iter()
            .filter(|(c, _)| parse(c).is_none())
            .map(|(c, f)| format!("{c} ({})", f.strip_prefix(&root).unwrap_or(f).display()))
            .collect();
        assert!(
            unregistered.is_empty(),
            "declared but not in their crate's CODES: {unregistered:?}"
        );
        assert_eq!(declared.len(), all().len(), "a code is declared twice");
    }

    #[test]
    fn the_scan_finds_declarations() {
        let text = "//! x\nsynth::codes! {\n    /// doc \"X\"\n    A = \"PC901\", \"a\";\n    // group\n    B = \"D9002\", \"b\";\n}\nconst C: &str = \"PC903\";\n";
        assert_eq!(declared_in(text), ["PC901", "D9002"]);
    }
}
