//! YAML templates read into JSON with `serde_yaml` 0.9 (libyaml): any YAML 1.2, aliases
//! included, with errors that name the line and column. Short-form intrinsic tags (`!Ref`,
//! `!GetAtt`, `!Sub`, ...) become their long form.
//!
//! The JSON is built while `serde_yaml` walks the document ([`Json`] as a `DeserializeSeed`),
//! with no `serde_yaml::Value` in between; only mapping keys are read as YAML values, so that
//! keys are compared as YAML compares them (`1` and `'1'` are two keys, `0x10` and `16` one).

use crate::Error;
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde_json::{Map, Value as Json};
use serde_yaml::Value as Yaml;
use std::collections::HashSet;
use std::fmt;

/// Parses one YAML document into JSON, short-form tags into long form. Errors name the line
/// and column; a mapping key JSON cannot hold (null, a sequence, a mapping, a tagged value)
/// is reported once the whole document has been read.
pub fn to_json(body: &str) -> Result<Json, Error> {
    let mut unsupported = None;
    let json = Seed {
        unsupported: &mut unsupported,
    }
    .deserialize(serde_yaml::Deserializer::from_str(body))
    .map_err(|e| Error::Syntax(e.to_string()))?;
    match unsupported {
        Some(key) => Err(Error::Invalid(format!("unsupported mapping key {key:?}"))),
        None => Ok(json),
    }
}

/// Builds one JSON value from whatever `serde_yaml` presents; `unsupported` keeps the first
/// mapping key with no JSON form, in document order.
struct Seed<'a> {
    unsupported: &'a mut Option<Yaml>,
}

impl Seed<'_> {
    fn again(&mut self) -> Seed<'_> {
        Seed {
            unsupported: self.unsupported,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Json, E> {
        Ok(Json::from(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Json, E> {
        Ok(Json::from(u))
    }

    /// `.inf` and `.nan` have no JSON form: null.
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Json, E> {
        Ok(Json::from(f))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.again())? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        let mut keys = Keys::default();
        while let Some(key) = map.next_key::<Yaml>()? {
            let name = keys.admit(key, &out).map_err(de::Error::custom)?;
            let value = map.next_value_seed(self.again())?;
            match name {
                Ok(name) => {
                    out.insert(name, value);
                }
                Err(key) => {
                    self.unsupported.get_or_insert(key);
                }
            }
        }
        Ok(Json::Object(out))
    }

    /// A tagged node: `serde_yaml` gives the tag as the variant and the node as its content.
    fn visit_enum<A: EnumAccess<'de>>(mut self, data: A) -> Result<Json, A::Error> {
        let (tag, content) = data.variant_seed(TagName)?;
        let value = content.newtype_variant_seed(self.again())?;
        Ok(tag.wrap(value))
    }
}

/// The keys of one mapping, to refuse a repeated one. While every key is a plain string the
/// JSON map itself answers; from the first other key on, every key is also kept as a YAML
/// value, since two YAML keys can have one JSON name (`1` and `'1'`: the later value wins).
#[derive(Default)]
struct Keys(Option<HashSet<Yaml>>);

impl Keys {
    /// The JSON name of a new key (`Err` with the key when JSON has none), or the message
    /// for a repeated key, in `serde_yaml`'s words.
    fn admit(
        &mut self,
        key: Yaml,
        out: &Map<String, Json>,
    ) -> Result<Result<String, Yaml>, String> {
        let key = match (&self.0, key) {
            (None, Yaml::String(s)) if !out.contains_key(&s) => return Ok(Ok(s)),
            (_, key) => key,
        };
        let seen = self
            .0
            .get_or_insert_with(|| out.keys().cloned().map(Yaml::String).collect());
        if !seen.insert(key.clone()) {
            return Err(duplicate(&key));
        }
        Ok(match key {
            Yaml::String(s) => Ok(s),
            Yaml::Number(n) => Ok(n.to_string()),
            Yaml::Bool(b) => Ok(b.to_string()),
            // `! "Ref"`: the non-specific tag leaves a plain string key (and the message
            // names what it tags).
            Yaml::Tagged(t) if t.tag == "!" => match t.value {
                Yaml::String(s) => Ok(s),
                value => Err(value),
            },
            other => Err(other),
        })
    }
}

/// `serde_yaml`'s message for a repeated mapping key.
fn duplicate(key: &Yaml) -> String {
    match key {
        Yaml::Null => "duplicate entry with null key".to_string(),
        Yaml::Bool(b) => format!("duplicate entry with key `{b}`"),
        Yaml::Number(n) => format!("duplicate entry with key {n}"),
        Yaml::String(s) => format!("duplicate entry with key {s:?}"),
        Yaml::Sequence(_) | Yaml::Mapping(_) | Yaml::Tagged(_) => {
            "duplicate entry in YAML map".to_string()
        }
    }
}

/// A local tag's long-form key: `!Ref` is `Ref`, `!Condition` is `Condition`, `!GetAtt` is
/// `Fn::GetAtt` (whose `A.B` string becomes `["A", "B"]`), any other `!Name` is `Fn::Name`.
struct Tag {
    key: String,
    get_att: bool,
}

impl Tag {
    fn wrap(self, value: Json) -> Json {
        let value = match value {
            Json::String(s) if self.get_att => match s.split_once('.') {
                Some((a, b)) => Json::Array(vec![a.into(), b.into()]),
                None => Json::String(s),
            },
            other => other,
        };
        let mut map = Map::with_capacity(1);
        map.insert(self.key, value);
        Json::Object(map)
    }
}

/// Reads a tag into its [`Tag`].
struct TagName;

impl<'de> DeserializeSeed<'de> for TagName {
    type Value = Tag;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tag, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TagName {
    type Value = Tag;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML tag string")
    }

    /// `tag` is the tag without its `!` (`serde_yaml` keeps `!` for the non-specific tag);
    /// every leading `!` is dropped.
    fn visit_str<E: de::Error>(self, tag: &str) -> Result<Tag, E> {
        if tag.is_empty() {
            return Err(E::custom("empty YAML tag is not allowed"));
        }
        let name = tag.trim_start_matches('!');
        let key = match name {
            "Ref" | "Condition" => name.to_string(),
            _ => format!("Fn::{name}"),
        };
        Ok(Tag {
            key,
            get_att: name == "GetAtt",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_line_and_column() {
        let e = to_json("a: 1\nb: [unclosed\n").unwrap_err();
        assert!(matches!(e, Error::Syntax(_)), "{e:?}");
        assert!(e.message().contains("line"), "{e}");
        assert!(e.message().contains("column"), "{e}");
        let e = to_json("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert!(
            e.message().contains("duplicate entry with key \"a\""),
            "{e}"
        );
    }

    /// The reader this one replaced: a `serde_yaml::Value`, then converted. Kept while the
    /// two are compared.
    fn old_to_json(body: &str) -> Result<Json, Error> {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(body).map_err(|e| Error::Syntax(e.to_string()))?;
        old_yaml_to_json(yaml).map_err(Error::Invalid)
    }

    fn old_yaml_to_json(v: serde_yaml::Value) -> Result<Json, String> {
        use serde_yaml::Value as Y;
        Ok(match v {
            Y::Null => Json::Null,
            Y::Bool(b) => Json::Bool(b),
            Y::Number(n) => serde_json::to_value(&n).map_err(|e| e.to_string())?,
            Y::String(s) => Json::String(s),
            Y::Sequence(items) => Json::Array(
                items
                    .into_iter()
                    .map(old_yaml_to_json)
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
                    out.insert(key, old_yaml_to_json(v)?);
                }
                Json::Object(out)
            }
            Y::Tagged(t) => {
                let tag = t.tag.to_string();
                let value = old_yaml_to_json(t.value)?;
                old_wrap(tag.trim_start_matches('!'), value)
            }
        })
    }

    fn old_wrap(name: &str, value: Json) -> Json {
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

    /// Inputs where a reader could go wrong: every kind of scalar, tags on every kind of
    /// node and on keys, keys JSON cannot hold, keys that collide, aliases, merge keys,
    /// errors and limits.
    const TRICKY: &[&str] = &[
        // Scalars: numbers in every notation, booleans, nulls, strings that look like them.
        "a: [1, -1, +1, 0x1F, -0x1F, 0o17, -0o17, 0b101, -0b101, 007, -007, 1_000, 1.5, -1.5e-3, 1e3, .inf, -.inf, +.inf, .NaN, .nan, 1.0, -0.0]\n",
        "a: [18446744073709551615, -9223372036854775808, 9223372036854775807]\n",
        "a: 18446744073709551616\n",
        "a: -9223372036854775809\n",
        "a: 340282366920938463463374607431768211456\n",
        "a: [true, True, TRUE, false, False, FALSE, yes, no, on, off, y, n]\n",
        "a: [null, Null, NULL, ~, '', \"\", 'null', \"true\", '1', \"0x10\"]\n",
        "a:\nb: ~\nc: null\n",
        "a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\nc: |+\n  kept\n\n",
        "a: 'it''s'\nb: \"tab\\tnew\\nline \\u00e9 \\x41\"\nc: plain # comment\nd: \"#not a comment\"\n",
        "a: é ü 日本\n'ключ': значение\n",
        // Core-schema tags.
        "a: [!!str 12, !!int '12', !!float 1, !!float '1.5', !!null '', !!bool 'true', !!str true, !!str]\n",
        "a: !!int x\n",
        "a: !!bool yes\n",
        "a: !!float x\n",
        "a: !!null x\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!map {b: 1}\nc: !!seq [1]\nd: !!set {x}\n",
        // Local tags on scalars, sequences, mappings, empty nodes.
        "a: !Ref Vpc\nb: !GetAtt Vpc.CidrBlock\nc: !GetAtt A.B.C\nd: !GetAtt NoDot\ne: !GetAtt [A, B]\nf: !GetAtt {A: B}\n",
        "a: !Sub '${AWS::StackName}'\nb: !Sub ['${x}', {x: !Ref y}]\nc: !Condition C\nd: !Custom 1\ne: !Ref\nf: !GetAtt\ng: !Base64 ''\n",
        "a: !If [C, !Ref A, !Ref 'AWS::NoValue']\nb: !Transform {Name: M, Parameters: {x: 1}}\nc: !Equals [!Ref P, 'true']\n",
        "a: !Ref 123\nb: !Ref true\nc: !Ref ~\nd: !Ref 0x10\ne: !Ref .inf\nf: !GetAtt 1.5\ng: !Ref '123'\n",
        "a: ! 12\nb: ! x\nc: ! [1]\nd: ! {e: 1}\n",
        "a: !<!Ref> x\nb: !<tag:yaml.org,2002:str> 1\nc: !<!!Ref> y\nd: !<tag:example.com,2000:x> z\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n",
        "%TAG ! !foo\n---\na: !Ref x\n",
        "!Ref top\n",
        "!Join\n- ''\n- [a, b]\n",
        // Keys: plain, quoted, numbers, booleans, tags, nulls, collections.
        "1: a\n0x10: b\n1.5: c\ntrue: d\n-1: e\n.inf: f\n1e3: g\n",
        "! Ref: x\n! 'Fn::Sub': y\n",
        "!Ref a: 1\n",
        "~: 1\n",
        "? [a, b]\n: 1\n",
        "? {a: 1}\n: 1\n",
        "a:\n  !Ref k: 1\nb:\n  ? [x]\n  : 2\n",
        "a:\n  ~: 1\n  ? [x]\n  : 2\n",
        "? [a]\n: 1\nb: [unclosed\n",
        "? [a]\n: 1\nb: 2\nb: 3\n",
        "! [a]: 1\n",
        "! 12: 1\n",
        // Keys that collide: the same YAML key twice, or two YAML keys with one JSON name.
        "a: 1\nb: 2\na: 3\n",
        "1: a\n'1': b\n",
        "'1': a\n1: b\n",
        "'1': a\n1: b\n'1': c\n",
        "1: a\n'1': b\n1: c\n",
        "0x10: a\n16: b\n",
        "1.0: a\n1.00: b\n",
        "1.5: a\n'1.5': b\n",
        "true: a\nTrue: b\n",
        "true: a\n'true': b\nz: 1\n",
        "a: 1\n! a: 2\n",
        "! a: 1\n! a: 2\n",
        "! a: 1\na: 2\nb: 3\n",
        "~: 1\nnull: 2\n",
        "? [a]\n: 1\n? [a]\n: 2\n",
        "x: 1\n1: a\n1: b\n",
        "a:\n  b:\n    c: 1\n    c: 2\n",
        "a: {b: 1, b: 2}\n",
        ".nan: a\n.NaN: b\n",
        ".inf: a\n.Inf: b\n",
        // Aliases and merge keys (kept as a plain `<<` key).
        "a: &x {b: 1, c: [1, 2]}\nd: *x\ne: [*x, *x]\n",
        "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",
        "m:\n  <<: [{x: 1}, {y: 2}]\n  <<: {z: 3}\n",
        "a: &k key\n*k : 1\n",
        "a: &t !Ref x\nb: *t\nc: [*t]\n",
        "a: &n 12\nb: *n\n*n : c\n",
        "a: *missing\n",
        "a: &a [1]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ne: [*d, *d]\n",
        // Documents.
        "",
        "# only a comment\n",
        "---\n",
        "---\na: 1\n...\n",
        "a: 1\n---\nb: 2\n",
        "just a string\n",
        "[1, 2]\n",
        "- a\n- b: c\n",
        // Syntax errors.
        "a: 1\nb: [unclosed\n",
        "a: b: c\n",
        "a:\n\t- tab\n",
        "a: 'unclosed\n",
        "a: \"\\q\"\n",
        "- a\nb: c\n",
        "a: &x 1\nb: &x 2\nc: *x\n",
        "@reserved\n",
        "a: !\n",
    ];

    #[test]
    fn the_reader_gives_what_the_value_conversion_gave() {
        for text in TRICKY {
            assert_eq!(to_json(text), old_to_json(text), "input:\n{text}");
        }
    }

    /// Nesting built by aliases, past `serde_yaml`'s recursion limit, and a billion laughs.
    #[test]
    fn alias_nesting_and_repetition_fail_as_before() {
        let mut deep = String::from("a0: &a0 [1]\n");
        for i in 1..200 {
            deep.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        let mut laughs = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            laughs.push_str(&format!(
                "{n}: &{n} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = n;
        }
        for text in [&deep, &laughs] {
            let new = to_json(text);
            assert!(new.is_err(), "{text}");
            assert_eq!(new, old_to_json(text));
        }
    }

    /// Every YAML file of the repository (templates, snapshots, configs, fixtures).
    #[test]
    fn every_yaml_file_of_the_repository_reads_as_before() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                if p.is_dir() {
                    if !name.starts_with('.') && name != "target" && name != "node_modules" {
                        walk(&p, out);
                    }
                } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        walk(&root, &mut files);
        assert!(files.len() > 20, "{files:?}");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            assert_eq!(to_json(&text), old_to_json(&text), "{}", f.display());
        }
    }
}
