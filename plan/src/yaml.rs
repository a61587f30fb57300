//! YAML templates read into JSON, short-form intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`, ...)
//! turned into their long form.
//!
//! # Two parsers
//!
//! [`to_json`] tries [`fast`] first and falls back to [`full`]:
//!
//! - [`fast`] is a byte-oriented parser of the block-YAML subset templates are written in:
//!   block mappings and sequences by indentation (spaces only), `- ` items including compact
//!   `- Key: value` mappings and `- - nested` sequences, one-line plain, single-quoted and
//!   double-quoted scalars (the common escapes), one-line flow sequences and mappings
//!   (`[a, !Ref B]`, `{Key: v}`), local tags (`!Name`) before any node, `|` and `|-` literal
//!   block scalars, comments, blank lines, a leading `---` line and `\r\n` line ends. On
//!   anything else it *declines* (returns `None`) rather than guess: anchors and aliases,
//!   `?` keys, directives, more than one document, tabs, multi-line plain or quoted scalars,
//!   folded (`>`) and keep (`|+`) or explicitly indented block scalars, `<<`, uncommon escapes,
//!   duplicate keys, odd tags, and every syntax error.
//! - [`full`] is `serde_yaml` 0.9 (libyaml), as pcstack always read YAML: every construct,
//!   aliases, and the error messages, which name the line and column.
//!
//! The fast parser gives exactly what the full one gives for every text it accepts, which
//! the tests (`tests/yaml.rs`) check on every YAML file of the repository, hundreds of
//! edge-case snippets and thousands of generated documents. It resolves plain scalars as
//! `serde_yaml` does, by YAML 1.2's core schema: `null`, `~` and nothing are null;
//! `true`/`false` in three casings are booleans; decimal, `0x`, `0o` and `0b` integers and
//! decimal floats with `.inf` and `.nan` are numbers (non-finite ones null in JSON); digits
//! with a leading zero such as `007` are strings; integers needing more than 64 bits are left
//! to the full parser. Quoted and block scalars are strings; integer and boolean mapping keys
//! become their text (float keys are left to the full parser).
//!
//! A complete YAML parser was tried as the fallback too (`saphyr-parser`, events straight to
//! JSON, about 1.5 times as fast as `serde_yaml` on a large template) but it accepts texts
//! libyaml refuses (tabs in block scalars' indentation, `|` and `!` before a flow
//! indicator...) and differs on some it accepts (a literal block scalar ending the text
//! without a line break): not worth a second reading of templates users deploy.
//!
//! # Why
//!
//! Issue 12 asks for a 2,000-resource template (756 KB) parsed and checked in 30 ms. Through
//! `serde_yaml::Value` parsing alone took about 386M instructions (64 ms); the events of
//! another full YAML parser alone cost about 186M. [`fast`] parses the same template in a
//! small fraction of that (numbers in the commit message; `benches/template.rs` measures
//! both parsers).

mod fast;
mod full;

use serde_json::{Map, Number, Value as Json};

pub use fast::fast;
pub use full::full;

/// Parses one YAML document into JSON: [`fast`] when the text is in its subset, else
/// [`full`]. Errors name the line and column.
pub fn to_json(body: &str) -> Result<Json, String> {
    match fast(body) {
        Some(json) => Ok(json),
        None => full(body),
    }
}

/// A scalar resolved by the core schema, before it becomes a value or a mapping key.
#[derive(Debug, Clone, PartialEq)]
enum Resolved {
    Null,
    Bool(bool),
    Int(Number),
    Float(f64),
    Str,
}

/// Resolves a plain (unquoted, untagged) scalar. Integers past 64 bits but within 128 are an
/// error, as they were for `serde_yaml::Value`; longer digit strings are floats.
fn resolve_plain(text: &str) -> Result<Resolved, String> {
    if text.is_empty() || is_null(text) {
        return Ok(Resolved::Null);
    }
    if let Some(b) = boolean(text) {
        return Ok(Resolved::Bool(b));
    }
    // Most plain scalars are names and words: only text that starts like a number can be one.
    let first = text.as_bytes()[0];
    if !matches!(first, b'0'..=b'9' | b'-' | b'+' | b'.') {
        return Ok(Resolved::Str);
    }
    if let Some(n) = integer(text)? {
        return Ok(Resolved::Int(n));
    }
    if !leading_zero_digits(text) {
        if let Some(f) = float(text) {
            return Ok(Resolved::Float(f));
        }
    }
    Ok(Resolved::Str)
}

/// A resolved scalar as a JSON value; `text` is the scalar's text.
fn value(resolved: Resolved, text: String) -> Json {
    match resolved {
        Resolved::Null => Json::Null,
        Resolved::Bool(b) => Json::Bool(b),
        Resolved::Int(n) => Json::Number(n),
        // JSON has no infinities or NaN: they become null, as serde_json writes them.
        Resolved::Float(f) => Number::from_f64(f).map_or(Json::Null, Json::Number),
        Resolved::Str => Json::String(text),
    }
}

/// A resolved plain scalar as a mapping key: strings, and integers and booleans as their
/// text. `None` for null and for floats (`serde_yaml` writes those its own way, `1e44`, and
/// counts `0.0` and `-0.0` as one key: the fast parser leaves such keys to the full one).
fn key(resolved: Resolved, text: &str) -> Option<String> {
    Some(match resolved {
        Resolved::Null | Resolved::Float(_) => return None,
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(n) => n.to_string(),
        Resolved::Str => text.to_string(),
    })
}

fn is_null(text: &str) -> bool {
    matches!(text, "null" | "Null" | "NULL" | "~")
}

fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `007`, `-01`, `+00`: digits after a leading zero are a string in YAML 1.2, not an octal or
/// decimal number.
fn leading_zero_digits(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Digits in `radix`, at least one, nothing else (no sign, no `_`).
fn all_digits(digits: &str, radix: u32) -> bool {
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

/// A decimal, `0x`, `0o` or `0b` integer, with an optional sign (`+` only before a decimal or
/// a prefix, `-` before either). `Ok(None)` when the text is not an integer; an error when it
/// is one that needs more than 64 bits but fits in 128 (`serde_yaml::Value` refused those).
fn integer(text: &str) -> Result<Option<Number>, String> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(d) = unsigned.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = unsigned.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = unsigned.strip_prefix("0b") {
        (2, d)
    } else {
        if leading_zero_digits(text) {
            return Ok(None);
        }
        (10, unsigned)
    };
    if !all_digits(digits, radix) {
        return Ok(None);
    }
    let Ok(magnitude) = u128::from_str_radix(digits, radix) else {
        // Too long even for 128 bits: a decimal one is read as a float, the others are text.
        return Ok(None);
    };
    if !negative {
        if let Ok(n) = u64::try_from(magnitude) {
            return Ok(Some(n.into()));
        }
    } else if magnitude <= 1 << 63 {
        let n = (magnitude as i128).wrapping_neg() as i64;
        return Ok(Some(n.into()));
    } else if magnitude > 1 << 127 {
        return Ok(None);
    }
    Err(format!("integer {text} does not fit in 64 bits"))
}

/// A decimal float (`1.5`, `1e3`, `.5`, `-2.`), `.inf`, `-.inf` or `.nan` in three casings.
/// Out-of-range decimals (`1e999`) are not floats.
fn float(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(text, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    // Rust also reads `inf`, `NaN` and `infinity`: not finite, so not YAML floats.
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A local tag's long form: `!Ref X` is `{"Ref": X}`, `!GetAtt A.B` is
/// `{"Fn::GetAtt": ["A", "B"]}`, and any other `!Name X` is `{"Fn::Name": X}`. `name` is the
/// tag without its leading `!`s.
fn wrap(name: &str, value: Json) -> Json {
    let (name, value) = match name {
        "Ref" | "Condition" => (name.to_string(), value),
        "GetAtt" => {
            let value = match value {
                Json::String(s) => match s.split_once('.') {
                    Some((a, b)) => Json::Array(vec![a.into(), b.into()]),
                    None => Json::String(s),
                },
                other => other,
            };
            ("Fn::GetAtt".to_string(), value)
        }
        _ => (format!("Fn::{name}"), value),
    };
    let mut map = Map::with_capacity(1);
    map.insert(name, value);
    Json::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_resolve_like_serde_yaml() {
        let int = |t: &str| integer(t).unwrap().map(|n| n.to_string());
        assert_eq!(int("0x1F").as_deref(), Some("31"));
        assert_eq!(int("+0x1F").as_deref(), Some("31"));
        assert_eq!(int("-0x1F").as_deref(), Some("-31"));
        assert_eq!(int("-0").as_deref(), Some("0"));
        assert_eq!(int("007"), None);
        assert_eq!(int("0x"), None);
        assert_eq!(int("0x+1"), None);
        assert_eq!(int("--1"), None);
        assert_eq!(int("1_000"), None);
        assert_eq!(
            int("-9223372036854775808").as_deref(),
            Some("-9223372036854775808")
        );
        assert_eq!(
            int("18446744073709551615").as_deref(),
            Some("18446744073709551615")
        );
        assert!(integer("18446744073709551616").is_err());
        assert!(integer("-9223372036854775809").is_err());
        assert_eq!(int("999999999999999999999999999999999999999999"), None);
    }
}
