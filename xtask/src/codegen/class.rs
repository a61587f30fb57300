//! Schema patterns that only say which characters a string may hold (`^[a-z0-9.-]*$`,
//! `^([^\r\n])*$`, `^[0-9]{12}$`, `^[a-z]{1}` as a prefix), as character ranges: the
//! generated check then runs without a regular expression (`synth::checks::Chars`), which
//! at synth time costs more to compile and run than the rest of a resource's checks.
//!
//! Anything this does not fully understand (other escapes, class set operations, POSIX
//! classes, alternations) is left to the regular expression.

use super::model::split_class;

/// A pattern of one character class, repeated; the fields of `synth::checks::Chars`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharClass {
    pub ranges: Vec<(char, char)>,
    pub negated: bool,
    pub min: u64,
    pub max: Option<u64>,
    pub whole: bool,
}

impl CharClass {
    /// The `checks::Pattern` expression for `source`.
    pub fn rust(&self, source: &str) -> String {
        let ranges: Vec<String> = self
            .ranges
            .iter()
            .map(|(lo, hi)| format!("({lo:?}, {hi:?})"))
            .collect();
        format!(
            "checks::Pattern::chars({}, checks::Chars {{ ranges: &[{}], negated: {}, min: {}, max: {}, whole: {} }})",
            super::emit::raw_str(source),
            ranges.join(", "),
            self.negated,
            self.min,
            self.max.map_or("None".to_string(), |m| format!("Some({m})")),
            self.whole
        )
    }
}

/// The pattern as a [`CharClass`], when it is one.
pub fn translate(p: &str) -> Option<CharClass> {
    let body = p.strip_prefix('^')?;
    let (body, whole) = match body.strip_suffix('$') {
        // `\$` at the end is a literal dollar, not the anchor.
        Some(b) if !b.ends_with('\\') => (b, true),
        _ => (body, false),
    };
    let (class, repeat) = match body.strip_prefix("([") {
        Some(inner) => {
            let (class, rest) = split_class(inner)?;
            (class, rest.strip_prefix(')')?)
        }
        None => split_class(body.strip_prefix('[')?)?,
    };
    let (min, max) = repetition(repeat)?;
    if max.is_some_and(|max| max < min) {
        return None;
    }
    let (negated, class) = match class.strip_prefix('^') {
        Some(c) => (true, c),
        None => (false, class),
    };
    Some(CharClass {
        ranges: ranges(class)?,
        negated,
        min,
        max,
        whole,
    })
}

/// `*`, `+`, `{m}`, `{m,}`, `{m,n}`; nothing is once.
fn repetition(r: &str) -> Option<(u64, Option<u64>)> {
    match r {
        "*" => Some((0, None)),
        "+" => Some((1, None)),
        "" => Some((1, Some(1))),
        _ => {
            let inner = r.strip_prefix('{')?.strip_suffix('}')?;
            match inner.split_once(',') {
                Some((m, "")) => Some((m.parse().ok()?, None)),
                Some((m, n)) => Some((m.parse().ok()?, Some(n.parse().ok()?))),
                None => {
                    let m = inner.parse().ok()?;
                    Some((m, Some(m)))
                }
            }
        }
    }
}

/// One item of a class: a character (and whether it was escaped), or a set an escape
/// names (`\d`).
enum Item {
    Char(char, bool),
    Set(&'static [(char, char)]),
}

const DIGITS: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
const SPACE: &[(char, char)] = &[('\t', '\r'), (' ', ' ')];

/// The class body (between `[` or `[^` and `]`) as ranges.
fn ranges(class: &str) -> Option<Vec<(char, char)>> {
    // Set operations and POSIX classes mean more than a list of characters.
    if ["&&", "--", "~~", "[:"].iter().any(|op| class.contains(op)) {
        return None;
    }
    let mut items = Vec::new();
    let mut chars = class.chars().peekable();
    while let Some(c) = chars.next() {
        let item = if c == '\\' {
            match chars.next()? {
                'd' => Item::Set(DIGITS),
                'w' => Item::Set(WORD),
                's' => Item::Set(SPACE),
                'n' => Item::Char('\n', true),
                'r' => Item::Char('\r', true),
                't' => Item::Char('\t', true),
                'f' => Item::Char('\x0c', true),
                'v' => Item::Char('\x0b', true),
                'u' => {
                    let hex: String = (0..4).map(|_| chars.next()).collect::<Option<_>>()?;
                    Item::Char(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?, true)
                }
                'x' => {
                    let hex: String = (0..2).map(|_| chars.next()).collect::<Option<_>>()?;
                    Item::Char(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?, true)
                }
                e if e.is_ascii_punctuation() => Item::Char(e, true),
                _ => return None,
            }
        } else {
            Item::Char(c, false)
        };
        items.push(item);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        match (&items[i], items.get(i + 1), items.get(i + 2)) {
            // `a-z`: an unescaped hyphen between two characters.
            (Item::Char(lo, _), Some(Item::Char('-', false)), Some(Item::Char(hi, _))) => {
                if lo > hi {
                    return None;
                }
                out.push((*lo, *hi));
                i += 3;
            }
            (Item::Char(c, _), _, _) => {
                out.push((*c, *c));
                i += 1;
            }
            (Item::Set(set), _, _) => {
                out.extend_from_slice(set);
                i += 1;
            }
        }
    }
    // Sorted, and touching or overlapping ranges merged: `a-c`, `b`, `d` is `a-d`.
    out.sort_unstable();
    let mut merged: Vec<(char, char)> = Vec::with_capacity(out.len());
    for (lo, hi) in out {
        match merged.last_mut() {
            Some(last) if u32::from(lo) <= u32::from(last.1) + 1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings to try every pattern on: the class's own characters and its neighbours,
    /// controls, separators, non-ASCII, at every length up to a little past the bounds.
    fn corpus() -> Vec<String> {
        let alphabet: Vec<char> =
            "aAzZ09_-.,:/()#@[]+=&;{}!$* \t\r\n\u{0}\u{85}\u{2028}\u{2029}é中~`'\"\\|?^%<>"
                .chars()
                .collect();
        let mut out = vec![String::new()];
        for &a in &alphabet {
            out.push(a.to_string());
            for &b in &alphabet {
                out.push(format!("{a}{b}"));
            }
        }
        // Longer runs of one character, for the length bounds.
        for &a in &alphabet {
            for n in [3, 11, 12, 13, 64, 65] {
                out.push(a.to_string().repeat(n));
            }
        }
        // And of mixed ones (a fixed walk through the alphabet).
        for n in 0..200 {
            out.push(
                (0..(n % 15))
                    .map(|i| alphabet[(n * 7 + i * 13) % alphabet.len()])
                    .collect(),
            );
        }
        out
    }

    /// Every pattern [`translate`] takes matches exactly what regex_lite matches, checked
    /// through the `synth::checks::Chars` the generated code builds.
    #[test]
    fn translated_patterns_match_what_the_regular_expression_matches() {
        let patterns = [
            r"^[^\u0000\u0085\u2028\u2029\r\n]*$",
            r"^([a-z,A-Z,0-9,. _\-:/()#,@\[\]+=&;\{\}!$*])*$",
            r"^[0-9]{12}$",
            r"^[0-9a-zA-Z._*-]{1}",
            r"^[a-z0-9]{3,12}$",
            r"^[a-z]+$",
            r"^[\d\w]{2,}$",
            r"^[^\s]*$",
            r"^[-a]*$",
            r"^[a-]*$",
            r"^[\x41-\x5a]{1,3}$",
            r"^[\]\\]*$",
        ];
        let corpus = corpus();
        for p in patterns {
            let cc = translate(p).unwrap_or_else(|| panic!("{p} should translate"));
            let re = regex_lite::Regex::new(p).unwrap();
            let chars = synth::checks::Chars {
                ranges: Box::leak(cc.ranges.clone().into_boxed_slice()),
                negated: cc.negated,
                min: cc.min as usize,
                max: cc.max.map(|m| m as usize),
                whole: cc.whole,
            };
            for s in &corpus {
                assert_eq!(chars.is_match(s), re.is_match(s), "{p} on {s:?}: {cc:?}");
            }
        }
    }

    #[test]
    fn patterns_that_are_more_than_a_class_are_left_to_the_regular_expression() {
        for p in [
            r"^([a-z0-9][a-z0-9.-]*[a-z0-9])?$",
            r"^(fs-[0-9a-f]{8,})$",
            r"[0-9]+",
            r"^[a-z&&[^b]]*$",
            r"^[[:alpha:]]*$",
            r"^[\D]*$",
            r"^[a-z]*\$",
            r"^[a-z]{3,1}$",
        ] {
            assert_eq!(translate(p), None, "{p}");
        }
    }

    #[test]
    fn the_generated_expression_lists_the_ranges() {
        let cc = translate(r"^[0-9]{12}$").unwrap();
        assert_eq!(
            cc.rust(r"^[0-9]{12}$"),
            "checks::Pattern::chars(r\"^[0-9]{12}$\", checks::Chars { ranges: &[('0', '9')], negated: false, min: 12, max: Some(12), whole: true })"
        );
    }
}
