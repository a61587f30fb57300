//! The YAML reader against the `serde_yaml` 0.9 path it replaced: every YAML file of the
//! repository, edge-case snippets and generated documents must read the same through the fast
//! parser (whenever it accepts the text), the full parser, and `serde_yaml`; where `serde_yaml`
//! refused a text, the new reader must refuse it too.

use plan::yaml::{fast, full, to_json};
use serde_json::{Map, Value as Json};
mod support;

use std::path::Path;
use support::{yaml_files, Rng};

/// The reader before: `serde_yaml::Value` turned into JSON, short-form tags into long form.
fn old(body: &str) -> Result<Json, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(body).map_err(|e| e.to_string())?;
    old_to_json(yaml)
}

fn old_to_json(v: serde_yaml::Value) -> Result<Json, String> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).map_err(|e| e.to_string())?,
        Y::String(s) => Json::String(s),
        Y::Sequence(items) => Json::Array(
            items
                .into_iter()
                .map(old_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Tagged(t) if t.tag == "!" => match t.value {
                        Y::String(s) => s,
                        other => return Err(format!("unsupported mapping key {other:?}")),
                    },
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, old_to_json(v)?);
            }
            Json::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let value = old_to_json(t.value)?;
            let (name, value) = match tag {
                "Ref" | "Condition" => (tag.to_string(), value),
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
                other => (format!("Fn::{other}"), value),
            };
            let mut m = Map::new();
            m.insert(name, value);
            Json::Object(m)
        }
    })
}

/// How a text read: `Ok(None)` when the fast parser declined it.
#[derive(Default)]
struct Tally {
    fast: usize,
    declined: usize,
    failures: Vec<String>,
}

impl Tally {
    /// Reads `doc` all three ways and records any difference.
    fn check(&mut self, name: &str, doc: &str) {
        let old = old(doc);
        let full = full(doc);
        match (&old, &full) {
            (Ok(a), Ok(b)) if a == b => {}
            (Err(_), Err(_)) => {}
            _ => self.failures.push(format!(
                "{name}: full differs\n--- text\n{doc}\n--- serde_yaml {old:?}\n--- full {full:?}"
            )),
        }
        match fast(doc) {
            None => self.declined += 1,
            Some(f) => {
                self.fast += 1;
                if old.as_ref() != Ok(&f) {
                    self.failures.push(format!(
                        "{name}: fast differs\n--- text\n{doc}\n--- serde_yaml {old:?}\n--- fast {f}"
                    ));
                }
            }
        }
        let both = to_json(doc);
        if both.is_ok() != old.is_ok() || (old.is_ok() && both.as_ref().ok() != old.as_ref().ok()) {
            self.failures.push(format!("{name}: to_json differs"));
        }
    }

    fn assert_clean(&self) {
        assert!(
            self.failures.is_empty(),
            "{} differences (fast {} declined {}):\n\n{}",
            self.failures.len(),
            self.fast,
            self.declined,
            self.failures
                .iter()
                .take(60)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n\n")
        );
    }
}

/// Every YAML file of the repository (insta snapshots without their header), each also with
/// `\r\n` line ends, and the built-in stack as `synth` renders it.
#[test]
fn repository_templates_read_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    yaml_files(&root, true, &mut files);
    assert!(files.len() >= 10, "found only {files:?}");
    let mut tally = Tally::default();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let text = if path.extension().is_some_and(|e| e == "snap") {
            // `---\nsource: ...\n---\n<snapshot>`
            match text.splitn(3, "---\n").nth(2) {
                Some(body) => body.to_string(),
                None => continue,
            }
        } else {
            text
        };
        let name = path.display().to_string();
        tally.check(&name, &text);
        tally.check(&format!("{name} (CRLF)"), &text.replace('\n', "\r\n"));
    }
    let built = stacks::build(stacks::prerequisites::NAME, &stacks::Config::default())
        .unwrap_or_else(|d| panic!("{d}"));
    let yaml = built.synthesized.render(synth::Format::Yaml);
    tally.check("synthesized", &yaml);
    assert!(
        fast(&yaml).is_some(),
        "the synthesized stack takes the fast path"
    );
    tally.assert_clean();
}

/// Scalars of every kind, each as a mapping value, a sequence item, a flow item, a key and
/// under a tag.
const SCALARS: &[&str] = &[
    "007",
    "0x1F",
    "0X1F",
    "0o17",
    "0b101",
    "-0x1F",
    "+0x1F",
    "0x",
    "0x+1",
    "-0",
    "+0",
    "-0.0",
    "0.0",
    "1e3",
    "1E3",
    "1.",
    ".5",
    "-.5",
    "+.5",
    "1_000",
    ".inf",
    "-.inf",
    "+.inf",
    ".Inf",
    ".INF",
    ".nan",
    ".NaN",
    "-.nan",
    "inf",
    "nan",
    "NaN",
    "infinity",
    "1e999",
    "-1e999",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "true",
    "True",
    "TRUE",
    "tRue",
    "false",
    "False",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "'quoted'",
    "'it''s'",
    "''",
    "\"\"",
    "\"esc\\\"aped\"",
    "\"tab\\there\"",
    "\"nl\\nx\"",
    "\"uni\\u00e9\\u2028\"",
    "\"back\\\\slash\"",
    "\"\\x41\"",
    "\"\\/\"",
    "\"\\0\"",
    "\"\\e\\a\"",
    "\"\\N\\_\\L\\P\"",
    "\"\\U0001F600\"",
    "\"\\ud800\"",
    "12",
    "-12",
    "+12",
    "1.5",
    "-1.5",
    "2010-09-09",
    "10.0.0.0/16",
    "1:30",
    "a:b",
    "a: b",
    "http://x#y",
    "x # comment",
    "a,b",
    "a[0]",
    "a{b}",
    "é",
    "日本",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "340282366920938463463374607431768211455",
    "340282366920938463463374607431768211456",
    "99999999999999999999999999999999999999999999",
    "0x10000000000000000",
    "<<",
    "=",
    "-",
    "--",
    "-x",
    "?x",
    ":x",
    "x:",
    "@x",
    "`x",
    "%x",
    "!",
    "! x",
    "!!str 12",
    "!!int 12",
    "!!int '12'",
    "!!int x",
    "!!float 1",
    "!!float '1'",
    "!!bool true",
    "!!bool yes",
    "!!null ~",
    "!!null ''",
    "!!null",
    "!!binary aGk=",
    "!!timestamp 2001-01-01",
    "!Ref X",
    "!Ref 'X'",
    "!Ref 12",
    "!Ref",
    "!GetAtt A.B",
    "!GetAtt A.B.C",
    "!GetAtt A",
    "!GetAtt 1.5",
    "!GetAtt [A, B]",
    "!Sub [a, {b: c}]",
    "!Join ['', [a, !Ref B]]",
    "!Foo.Bar x",
    "!Fn::X y",
    "!<!Ref> x",
    "!<tag:yaml.org,2002:str> 1",
    "[a, b]",
    "[a, [b, [c]]]",
    "[]",
    "[ ]",
    "{}",
    "{a: b}",
    "{a: 1, b: [c, d]}",
    "{a: b, a: c}",
    "[a: b]",
    "[a,, b]",
    "[a, b,]",
    "{a}",
    "{a: }",
    "{a:b}",
    "[a:b]",
    "[\"a\":b]",
    "[a #c]",
    "[a, b] # c",
    "[a, b] x",
    "'a' x",
    "\"a\" # c",
    "'a' # c",
    "\"unterminated",
    "'unterminated",
    "[unclosed",
    "&a x",
    "*a",
    "a &b",
    "a *b",
    "a!b",
    "a #b",
    "a#b",
    "  spaced  ",
    "x\ty",
    "|",
    "|-",
    "|+",
    ">",
    "|2",
    "\u{feff}x",
    "\u{85}x",
    "a\u{2028}b",
    "\u{7f}",
    "\u{9f}",
    "\u{e000}",
    "\u{fffd}",
];

/// Documents around the ones templates are made of.
const DOCUMENTS: &[&str] = &[
    "",
    "\n",
    "# only a comment\n",
    "---\n",
    "---\na: 1\n",
    "--- a: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "a: 1",
    "a: 1\r\nb: 2\r\n",
    "a: 1\rb: 2\n",
    "a: 1\n\n\n",
    "  a: 1\n  b: 2\n",
    "a: 1\n b: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a: 1\na: 2\n",
    "1: a\n'1': b\n",
    "'1': a\n1: b\n",
    "1: a\n0x1: b\n",
    "true: a\n'true': b\ntrue: c\n",
    "0.0: a\n-0.0: b\n",
    ".nan: a\n.nan: b\n",
    ".inf: a\n-.inf: b\n1e3: c\n1.50: d\n",
    "~: a\n",
    "null: a\n",
    ": a\n",
    "? a\n: b\n",
    "? [a, b]\n: c\n",
    "[a]: b\n",
    "!Ref a: b\n",
    "! a: b\n",
    "! 1: b\n",
    "!!str 1: b\n",
    "!!int '1': b\n",
    "<<: {a: 1}\nb: 2\n",
    "a: &x 1\nb: *x\n",
    "a: &x {c: 1}\nb: *x\n",
    "a: &x [1, 2]\n*x : 3\n",
    "a:\n- 1\n- 2\nb: 3\n",
    "a:\n  - 1\n  - 2\nb: 3\n",
    "- a\n- b\n",
    "- - a\n  - b\n- c\n",
    "- - - a\n- b\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "- a: 1\n   b: 2\n",
    "- a: 1\n b: 2\n",
    "- a:\n  - x\n  b: 2\n",
    "- a:\n    - x\n  b: 2\n",
    "-\n  a: 1\n-\n- b\n",
    "- \n- b\n",
    "-a\n",
    "- a\nb: 1\n",
    "a: b\n- c\n",
    "a:\n  b\n",
    "a:\n  b\n  c\n",
    "a: b\n  c\n",
    "a: b\n\n  c\n",
    "a: 'b\n  c'\n",
    "a: \"b\n  c\"\n",
    "a: \"b\\\n  c\"\n",
    "a: [b,\n  c]\n",
    "a: {b: 1,\n  c: 2}\n",
    "a: b: c\n",
    "a: b:c\n",
    "a:b\n",
    "a : b\n",
    "a  :   b   \n",
    "'a b': c\n",
    "\"a\\nb\": c\n",
    "'a' : b\n",
    "a b c: d e f\n",
    "a #b: c\n",
    "a#b: c\n",
    "a: b #c\nd: e\n",
    "a: b#c\n",
    "a:   # comment\n  b: 1\n",
    "a:\n  # comment\n  b: 1\n# end\n",
    "a:\n    # deep comment\n  b: 1\n",
    "a:\n\n  b: 1\n\n",
    "a: |\n  line 1\n  line 2\nb: 1\n",
    "a: |-\n  line 1\n  line 2\nb: 1\n",
    "a: |\n  line 1\n\n  line 3\n\n\nb: 1\n",
    "a: |-\n  line 1\n\n  line 3\n\n\nb: 1\n",
    "a: |\n  line 1\n    indented\n  back\n",
    "a: |\n    four\n  two\n",
    "a: |\n  x\n   \n  y\n",
    "a: |\n  x\n      \n  y\n",
    "a: |\n\n  x\n",
    "a: |\n     \n  x\n",
    "a: |\n  x",
    "a: |\n  x\n  ",
    "a: |\nb: 1\n",
    "a: | # comment\n  x\n",
    "a: |  \n  x\n",
    "a: |+\n  x\n\n",
    "a: |2\n   x\n",
    "a: >\n  x\n  y\n",
    "a: >-\n  x\n",
    "a: |\n  # not a comment\n  x\n# a comment\nb: 1\n",
    "- |\n  x\n- |-\n  y\n",
    "- a: |\n    x\n  b: 1\n",
    "a:\n  - |\n    x\n  - y\n",
    "a: !Sub |\n  x ${Y}\n",
    "a: !Ref\n",
    "a: !Ref\nb: 1\n",
    "a: !Join\n  - ''\n  - [x, y]\n",
    "a: !If\n- c\n- x\n",
    "a: !Sub\n  - '${X}'\n  - X: !Ref Y\n",
    "a: !GetAtt\n  - A\n  - B\n",
    "a: !Base64\n  Fn::Sub: x\n",
    "a: !Ref x y\n",
    "a: !Ref: x\n",
    "a: !Ref[x]\n",
    "a: ![x]\n",
    "- !Ref a\n- !GetAtt b.c\n",
    "- !Ref a: b\n",
    "a: !!map {b: 1}\n",
    "a: !!seq [b]\n",
    "a: !!str [b]\n",
    "a: !!set {b}\n",
    "%TAG ! tag:example.com,2000:\n---\na: !x 1\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "a: !e!x 1\n",
    "a: !<!x> 1\n",
    "a: \t1\n",
    "a:\t1\n",
    "\ta: 1\n",
    "a:\n\t- 1\n",
    "a: b\t\n",
    "a: [b, c] \n",
    "a: [b, {c: d, e: [f, g]}, 'h', \"i\", !Ref j, !GetAtt k.l, [m]]\n",
    "a: {b: c, d: [e, f]}\n",
    "a: {'b': c, \"d\": e}\n",
    "a: {b: c} # comment\n",
    "a: {b: c}x\n",
    "a: [b]x\n",
    "a: [b] # c\n  d: 1\n",
    "[a, b]\n",
    "{a: b}\n",
    "just a scalar\n",
    "'quoted scalar'\n",
    "12\n",
    "a: 1\n...\nb: 2\n",
    "a: 1\n--- \n",
    "a:\n  ---: 1\n",
    "---x: 1\n",
    "...x: 1\n",
    "a: ---\n",
    "a: ...\n",
    "x: 'a''b'\n",
    "x: 'a''\n",
    "x: 'a' 'b'\n",
    "x: \"a\"b\n",
    "x: \"a\\qb\"\n",
    "x: \"\\u00\"\n",
    "x: \"\\uD83D\\uDE00\"\n",
    "x: \"\\x4\"\n",
    "x: \"\\xe9\"\n",
    "x: \"\\U00110000\"\n",
    "x: \"\\u0000\"\n",
    "x: 'é'\n",
    "é: ü\n",
    "a: b\u{2028}c\n",
    "a: b\u{85}c\n",
    "\u{feff}a: 1\n",
    "a: \u{feff}b\n",
    "a: b\u{7}c\n",
    "a: b\u{7f}c\n",
    "a: b\u{80}c\n",
    "a: b\u{ffff}c\n",
    "a:\n  b:\n    c:\n      d:\n        e:\n          f:\n            g: [h, {i: j}]\n",
    "Resources:\n  R:\n    Type: T\n    Properties:\n      A: !GetAtt [X, Y]\n      B: !Sub ['${A}', {A: !Ref B}]\n      C: !Join [',', !Ref L]\n",
    "a: 1\nb:\n",
    "a:\nb:\n",
    "a:\n-\n",
    "- a:\n- b:\n",
    "- ? a\n",
    "- &a x\n- *a\n",
    "a: @b\n",
    "a: `b\n",
    "a: %b\n",
    "a: ,b\n",
    "a: ]b\n",
    "a: }b\n",
    "a: -b\n",
    "a: - b\n",
    "a: -\n",
    "a: ?b\n",
    "a: :b\n",
    "a: b:\n",
    "a: <<\n",
    "a: x\n\n\n  \n",
    "a: x\n  # indented comment after\n",
    "a:\n  - x\n  # c\n  - y\n",
    "a:\n  - x\n - y\n",
    "a:\n  - x\n   - y\n",
    "a:\n   - x\n  - y\n",
    "- - a\n  - b\n - c\n",
    "- - a\n   - b\n",
    "-   a: 1\n    b: 2\n",
    "-   - a\n    - b\n",
    "- a: 1\n  b:\n    c: 2\n  d: 3\n",
    "- a: 1\n  b:\n  - c\n  d: 3\n",
    "- a: 1\n  b:\n   - c\n",
    "a:\n  b: 1\n\n  c: 2\n",
    "Key:   \n  Nested: 1\n",
    "k: v\r\nl:\r\n  - x\r\n  - |\r\n    y\r\n    z\r\nm: 'q'\r\n",
    "k: |\r\n  a\r\n\r\n  b\r\n",
    // A flow collection opened at the very end of the text (the fast parser once indexed past
    // the end there and panicked).
    "a: [",
    "a: [ ",
    "a: {",
    "a: { ",
    "- [",
    "a: [ \n",
    "a: {\n",
];

#[test]
fn snippets_read_the_same() {
    let mut tally = Tally::default();
    for (i, doc) in DOCUMENTS.iter().enumerate() {
        tally.check(&format!("document {i}"), doc);
    }
    for (i, s) in SCALARS.iter().enumerate() {
        for (j, doc) in [
            format!("a: {s}\n"),
            format!("- {s}\n"),
            format!("a: [{s}]\n"),
            format!("a: [x, {s}, y]\n"),
            format!("a: {{k: {s}}}\n"),
            format!("a: {{{s}: v}}\n"),
            format!("{s}: v\n"),
            format!("a:\n  {s}: v\n  b: w\n"),
            format!("- {s}: v\n"),
            format!("a: !Ref {s}\n"),
            format!("a: !GetAtt {s}\n"),
            format!("a: !Sub {s}\n"),
            format!("a: [!Ref {s}]\n"),
            format!("a:\n  - {s}\n  - b\n"),
            format!("a: {s} # c\n"),
            format!("a: {s}"),
        ]
        .iter()
        .enumerate()
        {
            tally.check(&format!("scalar {i} ({s:?}) form {j}"), doc);
        }
    }
    tally.assert_clean();
}

const WORDS: &[&str] = &[
    "Vpc",
    "AWS::EC2::VPC",
    "10.0.0.0/16",
    "tcp",
    "22",
    "-1",
    "0",
    "3.5",
    "1e3",
    "true",
    "false",
    "yes",
    "no",
    "null",
    "~",
    "007",
    "0x1F",
    "arn:aws:s3:::bucket/*",
    "a b c",
    "http://x#y",
    "x#y",
    "Name",
    "${AWS::StackName}-x",
    "é",
    "2010-09-09",
    "-0",
    ".inf",
    "1_000",
    "a,b",
    "a[0]",
    "x:y",
    "12345678901234567890",
];

const KEYS: &[&str] = &[
    "Type",
    "Properties",
    "Value",
    "Key",
    "Name",
    "1",
    "true",
    "Tags",
    "CidrBlock",
    "Ref",
    "Fn::GetAtt",
    "a b",
    "x-y",
    "x.y",
    "Condition",
    "0x10",
    "007",
];

const TAGS: &[&str] = &[
    "Ref",
    "GetAtt",
    "Sub",
    "Join",
    "If",
    "Select",
    "Base64",
    "Condition",
];

/// A scalar as it could be written: plain, quoted, tagged.
fn scalar(rng: &mut Rng) -> String {
    let word = rng.pick(WORDS);
    let written = match rng.below(6) {
        0 => format!("'{}'", word.replace('\'', "''")),
        1 => format!("\"{}\"", word.replace('\\', "\\\\").replace('"', "\\\"")),
        _ => word.to_string(),
    };
    if rng.below(5) == 0 {
        format!("!{} {written}", rng.pick(TAGS))
    } else {
        written
    }
}

fn flow(rng: &mut Rng, depth: usize) -> String {
    if depth > 2 || rng.below(3) == 0 {
        let s = scalar(rng);
        // Flow indicators in a plain scalar would split it: quote those.
        return if s.contains([',', '[', ']', '{', '}']) && !s.contains('\'') {
            format!("'{s}'")
        } else {
            s
        };
    }
    let tag = if rng.below(3) == 0 {
        format!("!{} ", rng.pick(TAGS))
    } else {
        String::new()
    };
    let n = rng.below(4);
    if rng.below(2) == 0 {
        let items: Vec<String> = (0..n).map(|_| flow(rng, depth + 1)).collect();
        format!("{tag}[{}]", items.join(", "))
    } else {
        let items: Vec<String> = (0..n)
            .map(|i| format!("K{i}: {}", flow(rng, depth + 1)))
            .collect();
        format!("{tag}{{{}}}", items.join(", "))
    }
}

/// A block node at `indent`, written after `key:` (or `- `) on the current line.
fn block_value(rng: &mut Rng, out: &mut String, indent: usize, depth: usize, step: usize) {
    let choice = if depth > 4 {
        rng.below(4)
    } else {
        rng.below(9)
    };
    match choice {
        0 | 1 => {
            out.push(' ');
            out.push_str(&scalar(rng));
            if rng.below(6) == 0 {
                out.push_str(" # comment");
            }
            out.push('\n');
        }
        2 => {
            out.push(' ');
            out.push_str(&flow(rng, 0));
            out.push('\n');
        }
        3 => {
            out.push_str(if rng.below(2) == 0 { " |\n" } else { " |-\n" });
            for _ in 0..1 + rng.below(3) {
                if rng.below(4) == 0 {
                    out.push('\n');
                }
                out.push_str(&" ".repeat(indent + step + rng.below(2) * 2));
                out.push_str(rng.pick(WORDS));
                out.push('\n');
            }
        }
        4 | 5 => {
            if rng.below(4) == 0 {
                out.push_str(&format!(" !{}", rng.pick(TAGS)));
            }
            out.push('\n');
            mapping(rng, out, indent + step, depth + 1, step);
        }
        6 => {
            out.push('\n');
            out.push_str("   # comment line\n");
            mapping(rng, out, indent + step, depth + 1, step);
        }
        _ => {
            // Sequences at the key's own indentation half of the time (never tagged then:
            // the fast parser leaves a tag before such a sequence to the full one).
            let at = if rng.below(2) == 0 {
                indent
            } else {
                indent + step
            };
            if at > indent && rng.below(4) == 0 {
                out.push_str(&format!(" !{}", rng.pick(TAGS)));
            }
            out.push('\n');
            sequence(rng, out, at, depth + 1, step);
        }
    }
}

fn mapping(rng: &mut Rng, out: &mut String, indent: usize, depth: usize, step: usize) {
    for i in 0..1 + rng.below(4) {
        out.push_str(&" ".repeat(indent));
        mapping_entry(rng, out, indent, depth, step, i);
    }
}

fn mapping_entry(
    rng: &mut Rng,
    out: &mut String,
    indent: usize,
    depth: usize,
    step: usize,
    i: usize,
) {
    let key = rng.pick(KEYS);
    match rng.below(8) {
        0 => out.push_str(&format!("'{key}{i}':")),
        _ => out.push_str(&format!("{key}{i}:")),
    }
    block_value(rng, out, indent, depth, step);
    if rng.below(10) == 0 {
        out.push('\n');
    }
}

fn sequence(rng: &mut Rng, out: &mut String, indent: usize, depth: usize, step: usize) {
    for _ in 0..1 + rng.below(4) {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match rng.below(5) {
            0 if depth < 5 => {
                // `- Key: value` and more entries under it.
                out.push(' ');
                mapping_entry(rng, out, indent + 2, depth + 1, step, 0);
                for i in 1..rng.below(3) {
                    out.push_str(&" ".repeat(indent + 2));
                    mapping_entry(rng, out, indent + 2, depth + 1, step, i);
                }
            }
            1 if depth < 5 => {
                out.push(' ');
                out.push('-');
                block_value(rng, out, indent + 2, depth + 1, step);
            }
            _ => block_value(rng, out, indent, depth + 1, step),
        }
    }
}

/// A generated template in the subset, and a damaged copy of it.
fn generated(seed: u64) -> (String, String) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let step = [2, 2, 4, 3, 1][rng.below(5)];
    let mut out = String::new();
    if rng.below(8) == 0 {
        out.push_str("---\n");
    }
    if rng.below(8) == 0 {
        out.push_str("# leading comment\n\n");
    }
    mapping(&mut rng, &mut out, 0, 0, step);
    let mut damaged = out.clone().into_bytes();
    const DAMAGE: &[u8] = b" -:#'\"[]{}!&*?|>\t\n,%@`x";
    for _ in 0..1 + rng.below(3) {
        if damaged.is_empty() {
            break;
        }
        let at = rng.below(damaged.len());
        match rng.below(3) {
            0 => {
                damaged.remove(at);
            }
            1 => damaged.insert(at, DAMAGE[rng.below(DAMAGE.len())]),
            _ => damaged[at] = DAMAGE[rng.below(DAMAGE.len())],
        }
    }
    let damaged = String::from_utf8(damaged).unwrap_or_default();
    let damaged = if rng.below(10) == 0 {
        damaged.replace('\n', "\r\n")
    } else {
        damaged
    };
    (out, damaged)
}

#[test]
fn generated_documents_read_the_same() {
    let mut tally = Tally::default();
    let (mut valid, mut accepted) = (0, 0);
    for seed in 1..=3000 {
        let (doc, damaged) = generated(seed);
        if old(&doc).is_ok() {
            valid += 1;
            if fast(&doc).is_some() {
                accepted += 1;
            }
        }
        tally.check(&format!("generated {seed}"), &doc);
        tally.check(&format!("damaged {seed}"), &damaged);
    }
    tally.assert_clean();
    // The generator writes only the subset, though not always valid YAML (its indentation of
    // some nested items is off): every document serde_yaml reads must take the fast path.
    assert!(valid > 1000, "only {valid} valid documents");
    assert_eq!(accepted, valid, "fast path took only {accepted} of {valid}");
}

/// Constructs outside the fast parser's subset: it declines each, and [`to_json`] still reads
/// them as `serde_yaml` did.
#[test]
fn fast_parser_declines_what_it_does_not_know() {
    let declined = [
        "a: &x 1\nb: *x\n",
        "? a\n: b\n",
        "%YAML 1.2\n---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "a: 1\n...\n",
        "a:\n\t- 1\n",
        "a: \t1\n",
        "a: b\n  c\n",
        "a: 'b\n  c'\n",
        "a: \"b\n  c\"\n",
        "a: [b,\n  c]\n",
        "<<: {a: 1}\n",
        "a: \"\\e\"\n",
        "a: >\n  x\n",
        "a: |+\n  x\n",
        "a: |2\n   x\n",
        "a: 1\na: 2\n",
        "a: !e!x 1\n",
        "a: ! x\n",
        "a: !!str 1\n",
        "a:\n  b\n",
        "a: \u{feff}b\n",
        "a: b\u{2028}c\n",
        "a: b\rc\n",
        "[a, b]\n",
        "just a scalar\n",
        "a: b: c\n",
        "Resources: [unclosed\n",
    ];
    for doc in declined {
        assert_eq!(fast(doc), None, "fast parser took {doc:?}");
        match (old(doc), to_json(doc)) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc:?}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{doc:?}: serde_yaml {a:?}, to_json {b:?}"),
        }
    }
}

/// libyaml ends an implicit key within 1024 bytes of its start in flow mappings as in block
/// ones: past that, `{key: v}` is an error (the fast parser once read it as a mapping).
#[test]
fn long_keys_are_left_to_the_full_parser() {
    let mut tally = Tally::default();
    for n in [990, 1000, 1001, 1023, 1024, 1025, 1100] {
        let k = "k".repeat(n);
        let e = "é".repeat(n.div_ceil(2));
        for doc in [
            format!("a: {{{k}: b}}\n"),
            format!("a: {{x: y, {k}: b}}\n"),
            format!("a: {{\"{k}\": b}}\n"),
            format!("a: [{{{k}: b}}]\n"),
            format!("a: {{{e}: b}}\n"),
            format!("{k}: b\n"),
            format!("- {k}: b\n"),
            format!("'{k}': b\n"),
            format!("{e}: b\n"),
        ] {
            tally.check(&format!("key of {n}"), &doc);
            if n > 1000 {
                assert_eq!(fast(&doc), None, "{doc}");
            }
        }
    }
    tally.assert_clean();
}

#[test]
fn errors_name_line_and_column() {
    let e = to_json("a: 1\nb: [unclosed\n").unwrap_err();
    assert!(e.contains("line"), "{e}");
    assert!(e.contains("column"), "{e}");
    let e = to_json("a: 1\nb: 2\na: 3\n").unwrap_err();
    assert!(e.contains("duplicate entry with key \"a\""), "{e}");
}
