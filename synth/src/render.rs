//! Deterministic rendering: the same template always gives the same bytes.

use serde_json::{Map, Value as Json};

/// The two formats CloudFormation reads a template in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Block-style YAML ([`yaml`]): the committed, reviewed form.
    Yaml,
    /// Pretty-printed JSON ([`json`]).
    Json,
}

impl Format {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

/// YAML with long-form intrinsics, keys in insertion order.
///
/// A small block-style emitter laid out like serde_yaml 0.9: two-space indentation for
/// mapping children, sequences at the indentation of their parent key, collections inside
/// sequence items continuing after `- `, `{}` and `[]` for empty collections. Strings are
/// plain when no YAML 1.1 or 1.2 reader could take them for anything else, single-quoted
/// otherwise, and double-quoted with escapes when they hold line breaks or control
/// characters.
pub fn yaml(t: &Json) -> String {
    let mut out = String::with_capacity(32 * 1024);
    match t {
        Json::Object(m) if !m.is_empty() => yaml_map(&mut out, m, 0, false),
        Json::Array(a) if !a.is_empty() => yaml_seq(&mut out, a, 0, false),
        _ => {
            yaml_scalar(&mut out, t);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// A mapping's entries at column `at`; the first one continues the current line when
/// `inline` (a mapping that is a sequence item).
fn yaml_map(out: &mut String, m: &Map<String, Json>, at: usize, inline: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !inline {
            indent(out, at);
        }
        yaml_str(out, k);
        out.push(':');
        match v {
            Json::Object(c) if !c.is_empty() => {
                out.push('\n');
                yaml_map(out, c, at + 2, false);
            }
            Json::Array(a) if !a.is_empty() => {
                out.push('\n');
                yaml_seq(out, a, at, false);
            }
            _ => {
                out.push(' ');
                yaml_scalar(out, v);
                out.push('\n');
            }
        }
    }
}

/// A sequence's items with their `- ` at column `at`; the first one continues the current
/// line when `inline` (a sequence that is itself a sequence item).
fn yaml_seq(out: &mut String, a: &[Json], at: usize, inline: bool) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 || !inline {
            indent(out, at);
        }
        out.push_str("- ");
        match v {
            Json::Object(c) if !c.is_empty() => yaml_map(out, c, at + 2, true),
            Json::Array(c) if !c.is_empty() => yaml_seq(out, c, at + 2, true),
            _ => {
                yaml_scalar(out, v);
                out.push('\n');
            }
        }
    }
}

/// Scalars and empty collections.
fn yaml_scalar(out: &mut String, v: &Json) {
    use std::fmt::Write;
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Json::String(s) => yaml_str(out, s),
        Json::Array(_) => out.push_str("[]"),
        Json::Object(_) => out.push_str("{}"),
    }
}

fn yaml_str(out: &mut String, s: &str) {
    if s.chars().any(needs_escape) {
        double_quoted(out, s);
    } else if plain_ok(s) {
        out.push_str(s);
    } else {
        out.push('\'');
        for (i, part) in s.split('\'').enumerate() {
            if i > 0 {
                out.push_str("''");
            }
            out.push_str(part);
        }
        out.push('\'');
    }
}

/// Characters that can't appear raw in a plain or single-quoted scalar: line breaks, tabs,
/// other control characters, the byte order mark and the Unicode line/paragraph separators.
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
        || matches!(c as u32, 0xfffe | 0xffff)
}

fn double_quoted(out: &mut String, s: &str) {
    use std::fmt::Write;
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// YAML's indicator characters, which may not start a plain scalar (`-` aside: it may, when
/// no space follows; both the renderer and plan's YAML reader treat it apart).
pub fn indicator(c: u8) -> bool {
    matches!(
        c,
        b'?' | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

/// Whether `s` reads back as this same string when written plain, in block context, under
/// YAML 1.1 and 1.2 resolvers alike.
fn plain_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if indicator(first) || matches!(first, b'-' | b' ' | b'\t') || last == b' ' || last == b':' {
        return false;
    }
    if s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    // `: ` would start a mapping value and ` #` a comment.
    if b.windows(2).any(|w| w == b": " || w == b" #") {
        return false;
    }
    !looks_typed(s)
}

/// `~`, `null`, the YAML 1.1 booleans (`true`, `yes`, `on`, `y` and their opposites) in any
/// case, and the merge and value keys `<<` and `=`.
fn looks_typed_word(b: &[u8]) -> bool {
    if b.len() > 5 {
        return false;
    }
    let mut buf = [0u8; 5];
    buf[..b.len()].copy_from_slice(b);
    buf.make_ascii_lowercase();
    matches!(
        &buf[..b.len()],
        b"~" | b"null"
            | b"true"
            | b"false"
            | b"yes"
            | b"no"
            | b"on"
            | b"off"
            | b"y"
            | b"n"
            | b"<<"
            | b"="
    )
}

/// Null, booleans (YAML 1.1 spellings included), numbers in any YAML 1.1 or 1.2 form, and
/// the merge and value keys.
fn looks_typed(s: &str) -> bool {
    if looks_typed_word(s.as_bytes()) {
        return true;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let Some(&first) = unsigned.as_bytes().first() else {
        return false;
    };
    if !(first.is_ascii_digit() || first == b'.') {
        return false;
    }
    let lower = unsigned.to_ascii_lowercase();
    if lower == ".inf" || lower == ".nan" {
        return true;
    }
    let digits: String = lower.chars().filter(|&c| c != '_').collect();
    if digits.parse::<f64>().is_ok() {
        return true;
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = digits.strip_prefix(prefix) {
            if !rest.is_empty() && rest.chars().all(|c| c.is_digit(radix)) {
                return true;
            }
        }
    }
    // YAML 1.1 timestamps, such as 2010-09-09 or 2001-12-14t21:59:43.10-05:00: a date first.
    if is_yaml11_date(unsigned) {
        return true;
    }
    // YAML 1.1 base 60, such as 1:30 or 1:30.5.
    first.is_ascii_digit()
        && digits.contains(':')
        && digits
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b':' || c == b'.')
}

/// `YYYY-M-D` at the start, as the YAML 1.1 timestamp type begins
/// (https://yaml.org/type/timestamp.html); PyYAML reads such plain scalars as dates.
fn is_yaml11_date(s: &str) -> bool {
    let mut parts = s.splitn(3, '-');
    let (Some(y), Some(m), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let d: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let digits = |x: &str, min: usize, max: usize| {
        (min..=max).contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    digits(y, 4, 4) && digits(m, 1, 2) && digits(&d, 1, 2)
}

/// Pretty JSON with a trailing newline.
pub fn json(t: &Json) -> String {
    let mut s = serde_json::to_string_pretty(t).unwrap_or_default();
    s.push('\n');
    s
}

/// Renders in `format`: [`yaml`] or [`json`].
pub fn render(t: &Json, format: Format) -> String {
    match format {
        Format::Yaml => yaml(t),
        Format::Json => json(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Json) {
        let text = yaml(v);
        let back: Json = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e} in:\n{text}"));
        assert_eq!(&back, v, "round trip of:\n{text}");
    }

    const TRICKY: &[&str] = &[
        "",
        " ",
        "  ",
        " a",
        "a ",
        "a:",
        ":",
        ":a",
        "a:b",
        "a: b",
        "a #b",
        "a#b",
        "#x",
        "- x",
        "-",
        "-x",
        "--",
        "---",
        "--- a",
        "...",
        "?",
        "? a",
        "?a",
        ",",
        "a,b",
        "[",
        "]",
        "{",
        "}",
        "[a]",
        "{a: b}",
        "&a",
        "*",
        "*a",
        "!",
        "!tag",
        "|",
        ">",
        "'",
        "'quoted'",
        "\"",
        "\"dq\"",
        "it's",
        "%",
        "@",
        "`",
        "`cmd`",
        "~",
        "null",
        "Null",
        "NULL",
        "nUlL",
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "yes",
        "Yes",
        "YES",
        "no",
        "No",
        "NO",
        "on",
        "On",
        "ON",
        "off",
        "Off",
        "OFF",
        "y",
        "Y",
        "n",
        "N",
        "<<",
        "=",
        "0",
        "1",
        "-1",
        "+1",
        "01",
        "0123",
        "-0123",
        "007",
        "1.0",
        "2.15",
        "2.12",
        ".5",
        "5.",
        "1e3",
        "1E3",
        "-1e-3",
        "1_000",
        "0x1F",
        "0X1f",
        "0o17",
        "0b101",
        "0x",
        ".inf",
        "-.inf",
        "+.INF",
        ".nan",
        ".NaN",
        "inf",
        "nan",
        "Infinity",
        "1:30",
        "190:20:30",
        "12:30.5",
        "2010-09-09",
        "2010-09-09T10:00:00Z",
        "10.0.0.0/16",
        "1.2.3",
        ".",
        "..",
        "${AWS::Region}",
        "arn:${AWS::Partition}:s3:::${Bucket}/*",
        "AWS::EC2::VPC",
        "a'b'c",
        "a\"b",
        "a\\b",
        "line\nbreak",
        "trailing\n",
        "\nleading",
        "tab\there",
        "cr\rhere",
        "nul\0",
        "bell\u{7}",
        "del\u{7f}",
        "nel\u{85}",
        "ls\u{2028}",
        "bom\u{feff}",
        "héllo",
        "日本語",
        "emoji 🚀",
        "non-breaking\u{a0}space",
        "Lustre storage capacity in GiB: 1200",
        "-1 ports",
        "ends with #",
        "# comment",
        "a # b",
        "key: value # c",
        "{\"rules\":[1]}",
    ];

    #[test]
    fn tricky_strings_round_trip() {
        for s in TRICKY {
            round_trip(&json!(s));
            round_trip(&json!([s]));
            round_trip(&json!({ *s: s }));
            round_trip(&json!({"k": [{ *s: [s, {"n": s}] }]}));
        }
    }

    #[test]
    fn scalars_and_empty_containers_round_trip() {
        for v in [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-17),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(-0.25),
            json!(1e300),
            json!({}),
            json!([]),
            json!([[]]),
            json!([{}]),
            json!([[[]], [{}], {"a": {}}, {"b": []}]),
            json!({"a": {}, "b": [], "c": [[], {}], "d": {"e": {}}}),
            json!([[1, [2, [3, {}]]], [{"a": [[]]}]]),
            json!({"a": [{"b": [{"c": [[{"d": null}]]}]}]}),
        ] {
            round_trip(&v);
        }
    }

    #[test]
    fn yaml_1_1_dates_are_quoted() {
        // YAML 1.2 readers (serde_yaml) read these as strings either way; PyYAML reads plain
        // ones as dates, which a JSON dump of the template then can't hold.
        for date in [
            "2010-09-09",
            "2012-10-17",
            "2001-1-2",
            "2001-12-14t21:59:43.10-05:00",
        ] {
            assert_eq!(yaml(&json!({"V": date})), format!("V: '{date}'\n"));
        }
        for plain in [
            "10.0.0.0/16",
            "v2010-09-09",
            "2010-09",
            "us-east-1",
            "20100-09-09",
        ] {
            assert_eq!(yaml(&json!({"V": plain})), format!("V: {plain}\n"));
        }
    }

    #[test]
    fn layout_matches_serde_yaml() {
        let v = json!({
            "A": "v2010-09-09",
            "B": {"C": [1, "x", {"D": "z", "E": [true, null]}, [2, [3]], {}, []], "F": {}},
            "G": [{"H": {"I": "j"}}],
            "K": "'q'",
            "L": "a: b",
            "M": ["*", "-1", "2.15", "true", ""],
        });
        assert_eq!(yaml(&v), serde_yaml::to_string(&v).unwrap());
        let text = "\
A: v2010-09-09
B:
  C:
  - 1
  - x
  - D: z
    E:
    - true
    - null
  - - 2
    - - 3
  - {}
  - []
  F: {}
G:
- H:
    I: j
K: '''q'''
L: 'a: b'
M:
- '*'
- '-1'
- '2.15'
- 'true'
- ''
";
        assert_eq!(yaml(&v), text);
    }

    #[test]
    fn top_level_scalars_and_empties() {
        assert_eq!(yaml(&json!({})), serde_yaml::to_string(&json!({})).unwrap());
        assert_eq!(yaml(&json!([])), serde_yaml::to_string(&json!([])).unwrap());
        assert_eq!(
            yaml(&json!("x")),
            serde_yaml::to_string(&json!("x")).unwrap()
        );
        assert_eq!(yaml(&json!(3)), serde_yaml::to_string(&json!(3)).unwrap());
    }

    /// The committed template: parsing it and writing it again gives the same bytes.
    #[test]
    fn real_template_round_trips_byte_for_byte() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../out/parallelcluster-prerequisites.yaml"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let v: Json = serde_yaml::from_str(&text).unwrap();
        round_trip(&v);
        assert_eq!(yaml(&v), text);
    }
}
