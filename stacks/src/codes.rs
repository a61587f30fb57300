//! The registry of diagnostic codes: every crate's codes, assembled in the one crate that sees
//! all the library crates (the CLI above it declares none of its own). Each crate declares its
//! codes next to the knowledge they belong to, with `synth::codes!`, and lists them in its
//! crate-level `CODES` (a crate that leaves one out does not compile); this module puts those
//! lists together. A test here keeps every code unique and well formed across crates; the
//! README's "Diagnostic codes" table is generated from [`all`] (`cargo run -p xtask -- codes`).

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
    rest.sort_by_key(|c| by_number(c.as_str()));
    declared(&CRATES[..1]).chain(rest).collect()
}

/// Where `code` sorts among the other crates' codes: `D` codes last, then by prefix, then by
/// number (`PC101` before `PC1000`).
fn by_number(code: &str) -> (bool, &str, u32) {
    let digits = code
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(code.len());
    let (prefix, number) = code.split_at(digits);
    (prefix == "D", prefix, number.parse().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

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
    fn the_order_is_template_checks_then_by_number() {
        let strings: Vec<&str> = all().iter().map(|c| c.as_str()).collect();
        let synth_count = declared(&CRATES[..1]).count();
        assert_eq!(strings.first(), Some(&"E1001"));
        assert_eq!(strings[synth_count..].first(), Some(&"PC000"));
        assert_eq!(strings.last(), Some(&"D2004"));
        let rest = &strings[synth_count..];
        let pc_end = rest.iter().take_while(|s| s.starts_with("PC")).count();
        let number = |s: &&str| {
            s.trim_start_matches(char::is_alphabetic)
                .parse::<u32>()
                .ok()
        };
        assert!(
            rest[..pc_end].is_sorted_by_key(number) && rest[pc_end..].is_sorted_by_key(number),
            "{rest:?}"
        );
        assert!(
            rest[pc_end..].iter().all(|s| s.starts_with('D')),
            "{rest:?}"
        );
    }

    #[test]
    fn codes_sort_by_number_with_d_codes_last() {
        let mut codes = ["D2001", "PC1000", "PC101", "D100", "PC020", "PC0999"];
        codes.sort_by_key(|c| by_number(c));
        assert_eq!(
            codes,
            ["PC020", "PC101", "PC0999", "PC1000", "D100", "D2001"]
        );
    }
}
