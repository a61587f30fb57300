//! A differential fuzzer of the fast YAML parser against the full one, ignored by default:
//! `cargo test -p plan --release --test yaml_fuzz -- --ignored --nocapture`. Each thread reads
//! `YAML_FUZZ_CASES` texts (default 200,000: about a second; 10,000,000 take a minute on two
//! cores), from the seed `YAML_FUZZ_SEED` (default 1). The texts are lines of tricky
//! fragments, lines of block structure at random indentations, short strings of indicators,
//! and windows of the repository's YAML files damaged. Whenever the fast parser accepts a
//! text, the full parser must give the same value; a counterexample is minimized (lines, then
//! characters) and printed, and a panic of the fast parser is reported with its text.

use plan::yaml::{fast, full};
mod support;

use std::path::Path;
use support::{yaml_files, Rng};

/// Scalars, flow collections and indicators, in forms templates use and forms they don't.
const ATOMS: &[&str] = &[
    "a",
    "a b",
    "a:b",
    "a: b",
    "a:",
    "a #b",
    "a#b",
    "a ",
    "-",
    "-a",
    "--",
    "---",
    "...",
    "-:",
    "?",
    "?a",
    "? a",
    ":",
    ":a",
    ": a",
    "~",
    "null",
    "Null",
    "nULL",
    "true",
    "True",
    "tRUE",
    "false",
    "yes",
    "1",
    "-1",
    "+1",
    "0",
    "-0",
    "+0",
    "007",
    "-07",
    "0x1F",
    "0X1F",
    "-0x1f",
    "+0x1F",
    "0x",
    "0o17",
    "0b11",
    "0b2",
    "1.5",
    ".5",
    "1.",
    "-.5",
    "1e3",
    "1E3",
    "1e+3",
    "1e999",
    "-1e3",
    ".inf",
    "-.inf",
    "+.inf",
    ".NaN",
    "nan",
    "inf",
    "1_000",
    "1,000",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "340282366920938463463374607431768211456",
    "1.0",
    "0.0",
    "-0.0",
    "'a'",
    "'a''b'",
    "''",
    "'",
    "'a' b",
    "\"a\"",
    "\"a\\\"b\"",
    "\"\\x41\"",
    "\"\\u00e9\"",
    "\"\\ud800\"",
    "\"\\/\"",
    "\"\\ \"",
    "\"\\t\"",
    "\"\\x85\"",
    "\"\\u2028\"",
    "\"\"",
    "\"",
    "\"a\\\\\"",
    "[a]",
    "[a, b]",
    "[]",
    "{}",
    "{a: b}",
    "{a: [b]}",
    "[a: b]",
    "[{a: b}]",
    "{a: b, c: d}",
    "[a,b]",
    "[a ,b]",
    "[ a ]",
    "{ a: b }",
    "{a:b}",
    "{\"a\":b}",
    "{'a': b}",
    "{\"a\": b}",
    "[a]b",
    "[a, ]",
    "[,]",
    "{a: }",
    "{a}",
    "[-]",
    "[- a]",
    "[a:]",
    "[:a]",
    "[a #b]",
    "{a: b #c}",
    "[!Ref a]",
    "[!Ref]",
    "{!Ref a: b}",
    "{a: !Ref b}",
    "[[a]]",
    "[a, [b, {c: d}]]",
    "{1: a}",
    "{true: a}",
    "{~: a}",
    "{a: b, a: c}",
    "[\"a\": b]",
    "|",
    "|-",
    "|+",
    "|2",
    "|-2",
    ">",
    ">-",
    "| #c",
    "|#c",
    "&a",
    "*a",
    "&a b",
    "!Ref a",
    "!Ref",
    "!GetAtt a.b",
    "!Sub",
    "!Ref !Ref a",
    "!!str a",
    "!!int 1",
    "! a",
    "!a!b c",
    "!<x> a",
    "!Ref[a]",
    "!Ref [a]",
    "!Ref {a: b}",
    "%a",
    "@a",
    "`a",
    "<<",
    "'<<'",
    "é",
    "😀",
    "\u{a0}",
    "a\u{85}b",
    "a\u{2028}b",
    "\u{feff}",
    "a\tb",
    "#",
    "# c",
    "a  #  b",
    "a # b # c",
    "http://x#y",
    "arn:aws:s3:::b/*",
    "${A}-b",
    "a ]",
    "a }",
    "a ,",
    "a [b",
    "a {b",
    "a' b",
    "a\" b",
    "a ! b",
    "a & b",
    "a * b",
    "a | b",
    "a > b",
    "a % b",
];

/// Separators between atoms on a line.
const JOINS: &[&str] = &[
    "", " ", "  ", ": ", ":", " : ", ", ", " - ", "- ", " # ", " #",
];

/// How a line of a generated text starts, after its indentation.
const STARTS: &[&str] = &[
    "", "- ", "-", "- - ", "-  ", "? ", ": ", "--- ", "---", "...",
];

/// An atom, a flow collection of atoms, or a long word around libyaml's 1024-character limit
/// on implicit keys.
fn atom(rng: &mut Rng, depth: usize) -> String {
    match rng.below(40) {
        0 => "k".repeat(990 + rng.below(50)),
        1 => "é".repeat(495 + rng.below(40)),
        2..=9 if depth < 4 => flow(rng, depth + 1),
        _ => rng.pick(ATOMS).to_string(),
    }
}

/// A flow sequence or mapping, possibly tagged, with odd spacing and commas now and then.
fn flow(rng: &mut Rng, depth: usize) -> String {
    let mut out = String::new();
    if rng.below(6) == 0 {
        out.push_str(rng.pick(&["!Ref ", "!If ", "!Ref", "&a "]));
    }
    let mapping = rng.below(2) == 0;
    out.push_str(if mapping { "{" } else { "[" });
    out.push_str(rng.pick(&["", "", " "]));
    for i in 0..rng.below(4) {
        if i > 0 {
            out.push_str(rng.pick(&[", ", ", ", ",", " , ", " ,", ",  "]));
        }
        if mapping || rng.below(10) == 0 {
            out.push_str(&atom(rng, depth));
            out.push_str(rng.pick(&[": ", ": ", ":", " : ", ":  "]));
        }
        out.push_str(&atom(rng, depth));
    }
    out.push_str(rng.pick(&["", "", " ", ", "]));
    out.push_str(if mapping { "}" } else { "]" });
    out
}

/// A line of fragments: `key: value`, `- item`, a comment, a block scalar's content...
fn line(rng: &mut Rng, out: &mut String) {
    out.push_str(&" ".repeat([0, 0, 0, 1, 2, 2, 2, 3, 4, 4, 6][rng.below(11)]));
    out.push_str(rng.pick(STARTS));
    match rng.below(10) {
        // `key: value`
        0..=4 => {
            out.push_str(&atom(rng, 0));
            out.push(':');
            if rng.below(6) != 0 {
                out.push(' ');
                out.push_str(&atom(rng, 0));
            }
        }
        // Atoms and separators.
        5..=7 => {
            for i in 0..1 + rng.below(3) {
                if i > 0 {
                    out.push_str(rng.pick(JOINS));
                }
                out.push_str(&atom(rng, 0));
            }
        }
        _ => {}
    }
    if rng.below(8) == 0 {
        out.push_str(rng.pick(&[" ", "  ", " # c", "#c", " #"]));
    }
}

/// A text of a few generated lines, `\n`- or `\r\n`-ended (or not, for the last).
fn generated(rng: &mut Rng) -> String {
    let crlf = rng.below(10) == 0;
    let mut out = String::new();
    let lines = 1 + rng.below(6);
    for i in 0..lines {
        line(rng, &mut out);
        if i + 1 < lines || rng.below(8) != 0 {
            out.push_str(if crlf { "\r\n" } else { "\n" });
        }
    }
    out
}

/// Lines of block structure (keys, items, block scalars and their content, comments) at
/// random indentations.
fn structured(rng: &mut Rng) -> String {
    const LINES: &[&str] = &[
        "k:",
        "k: v",
        "k: |",
        "k: |-",
        "k: !Ref",
        "k: !Ref v",
        "k: [v]",
        "k: 'v'",
        "- |",
        "- |-",
        "- k:",
        "- k: v",
        "- k: |",
        "-",
        "- v",
        "- - v",
        "- -",
        "- !Ref",
        "v",
        "v v",
        "# c",
        "",
        " ",
        "  ",
        "   ",
        "    ",
        "k2: v",
        "1: v",
        "'k': v",
        "- 'v'",
        "k: # c",
        "- # c",
        "| x",
        "- k: !Ref",
        "? k",
        ": v",
        "---",
        "k: v # c",
        "k:  v  ",
    ];
    let crlf = rng.below(10) == 0;
    let mut out = String::new();
    let lines = 2 + rng.below(7);
    for i in 0..lines {
        out.push_str(&" ".repeat([0, 0, 1, 2, 2, 3, 4, 4, 5, 6][rng.below(10)]));
        out.push_str(rng.pick(LINES));
        if i + 1 < lines || rng.below(8) != 0 {
            out.push_str(if crlf { "\r\n" } else { "\n" });
        }
    }
    out
}

/// A short string of YAML's indicators, spaces, line breaks and a few letters.
fn noise(rng: &mut Rng) -> String {
    const CHARS: &[char] = &[
        ' ', ' ', ' ', '-', ':', '#', '\'', '"', '[', ']', '{', '}', '!', '&', '*', '?', '|', '>',
        '\n', '\n', '\r', ',', '%', '@', '`', '\\', '.', 'a', 'k', '1', '0', 'x', 'é',
    ];
    (0..1 + rng.below(16))
        .map(|_| CHARS[rng.below(CHARS.len())])
        .collect()
}

/// A window of a repository file, damaged a few times.
fn damaged(rng: &mut Rng, files: &[String]) -> String {
    let text = &files[rng.below(files.len())];
    let lines: Vec<&str> = text.lines().collect();
    let from = rng.below(lines.len().max(1));
    let take = 1 + rng.below(40);
    let mut lines: Vec<String> = lines
        .iter()
        .skip(from)
        .take(take)
        .map(|l| l.to_string())
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    for _ in 0..1 + rng.below(3) {
        let n = lines.len();
        let at = rng.below(n);
        match rng.below(9) {
            0 => {
                lines.remove(at);
                if lines.is_empty() {
                    return String::new();
                }
            }
            1 => lines.swap(at, rng.below(n)),
            2 => {
                let copy = lines[at].clone();
                lines.insert(at, copy);
            }
            3 => lines[at].insert_str(0, &" ".repeat(1 + rng.below(2))),
            4 => {
                let spaces = lines[at].len() - lines[at].trim_start_matches(' ').len();
                let cut = spaces.min(1 + rng.below(2));
                lines[at].drain(..cut);
            }
            5 => {
                let mut l = String::new();
                line(rng, &mut l);
                lines.insert(at, l);
            }
            _ => {
                // A fragment inserted at a byte of the line (on a character boundary).
                let l = &mut lines[at];
                let mut pos = rng.below(l.len() + 1);
                while !l.is_char_boundary(pos) {
                    pos -= 1;
                }
                let piece = if rng.below(2) == 0 {
                    atom(rng, 0)
                } else {
                    rng.pick(JOINS).to_string()
                };
                if rng.below(3) == 0 {
                    let end = (pos + 1 + rng.below(4)).min(l.len());
                    if l.is_char_boundary(end) {
                        l.replace_range(pos..end, &piece);
                    }
                } else {
                    l.insert_str(pos, &piece);
                }
            }
        }
    }
    let mut out = lines.join("\n");
    if rng.below(8) != 0 {
        out.push('\n');
    }
    out
}

/// Whether the fast parser accepts `text` with another value than the full parser's.
fn differs(text: &str) -> bool {
    match fast(text) {
        None => false,
        Some(f) => full(text).ok() != Some(f),
    }
}

/// The smallest text found by deleting lines, then characters, that still differs.
fn minimize(text: &str) -> String {
    let mut best = text.to_string();
    loop {
        let before = best.len();
        let lines: Vec<&str> = best.split_inclusive('\n').collect();
        for i in 0..lines.len() {
            let candidate: String = lines
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, l)| *l)
                .collect();
            if differs(&candidate) {
                best = candidate;
                break;
            }
        }
        if best.len() == before {
            let mut i = 0;
            while i < best.len() {
                let mut end = i + 1;
                while !best.is_char_boundary(end) {
                    end += 1;
                }
                let mut candidate = best.clone();
                candidate.replace_range(i..end, "");
                if differs(&candidate) {
                    best = candidate;
                } else {
                    i = end;
                }
            }
        }
        if best.len() == before {
            return best;
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "fuzzing: run in release with --ignored"]
fn fast_parser_agrees_with_full_parser_on_random_texts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = Vec::new();
    yaml_files(&root, false, &mut paths);
    let files: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter(|t| !t.is_empty())
        .collect();
    assert!(!files.is_empty());
    let cases = env_number("YAML_FUZZ_CASES", 200_000);
    let seed = env_number("YAML_FUZZ_SEED", 1);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let results: Vec<(u64, u64, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let files = &files;
                s.spawn(move || {
                    let mut rng = Rng((seed + t).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                    let (mut accepted, mut found) = (0, Vec::new());
                    for _ in 0..cases {
                        let text = match rng.below(4) {
                            0 => generated(&mut rng),
                            1 => structured(&mut rng),
                            2 => noise(&mut rng),
                            _ => damaged(&mut rng, files),
                        };
                        let Ok(parsed) = std::panic::catch_unwind(|| fast(&text)) else {
                            found.push(format!("fast parser panicked on {text:?}"));
                            break;
                        };
                        if let Some(f) = parsed {
                            accepted += 1;
                            if full(&text).ok() != Some(f) && found.len() < 20 {
                                let t = minimize(&text);
                                found.push(format!(
                                    "{t:?}\n  fast {:?}\n  full {:?}",
                                    fast(&t),
                                    full(&t)
                                ));
                            }
                        }
                    }
                    (cases, accepted, found)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: u64 = results.iter().map(|r| r.0).sum();
    let accepted: u64 = results.iter().map(|r| r.1).sum();
    let mut found: Vec<String> = results.into_iter().flat_map(|r| r.2).collect();
    found.sort();
    found.dedup();
    println!("{total} texts, {accepted} accepted by the fast parser");
    assert!(found.is_empty(), "{}", found.join("\n"));
}
