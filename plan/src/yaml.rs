//! YAML templates read into JSON with `serde_yaml` 0.9 (libyaml): any YAML 1.2, aliases
//! included, with errors that name the line and column. Short-form intrinsic tags (`!Ref`,
//! `!GetAtt`, `!Sub`, ...) become their long form.
//!
//! The JSON is built while `serde_yaml` walks the document (a `DeserializeSeed`), with no
//! `serde_yaml::Value` in between; only mapping keys are read as YAML values, so that keys
//! are compared as YAML compares them (`1` and `'1'` are two keys, `0x10` and `16` one).

use crate::Error;
use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde_json::map::Entry;
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
            // The common case, a plain string key while every key before it was one: the
            // JSON map alone says whether it repeats, in one lookup.
            let key = match (&keys.0, key) {
                (None, Yaml::String(s)) => match out.entry(s) {
                    Entry::Vacant(slot) => {
                        slot.insert(map.next_value_seed(self.again())?);
                        continue;
                    }
                    Entry::Occupied(slot) => Yaml::String(slot.key().clone()),
                },
                (_, key) => key,
            };
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

/// The keys of one mapping as YAML values, to refuse a repeated one. While every key is a
/// plain string the JSON map itself answers (`None`); from the first other key on, every
/// key is kept, since two YAML keys can have one JSON name (`1` and `'1'`: the later value
/// wins).
#[derive(Default)]
struct Keys(Option<HashSet<Yaml>>);

impl Keys {
    /// The JSON name of a key (`Err` with the key when JSON has none), or the message for a
    /// repeated key, in `serde_yaml`'s words. `out` holds the keys so far.
    fn admit(
        &mut self,
        key: Yaml,
        out: &Map<String, Json>,
    ) -> Result<Result<String, Yaml>, String> {
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
            _ => ["Fn::", name].concat(),
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

    /// Inputs where a reader could go wrong: every kind of scalar, tags on every kind of
    /// node and on keys, keys JSON cannot hold, keys that collide, aliases, merge keys,
    /// documents and errors. Each with what it reads to (compact JSON, in the document's key
    /// order) or its error (`syntax: ` or `invalid: `, then the message): the outputs of the
    /// `serde_yaml::Value` conversion this reader replaced, compared on the same inputs
    /// before it was removed.
    const CASES: &[(&str, &str)] = &[
        // Scalars: numbers in every notation, booleans, nulls, strings that look like them.
        ("a: [1, -1, +1, 0x1F, -0x1F, 0o17, -0o17, 0b101, -0b101, 007, -007, 1_000, 1.5, -1.5e-3, 1e3, .inf, -.inf, +.inf, .NaN, .nan, 1.0, -0.0]\n", r#"{"a":[1,-1,1,31,-31,15,-15,5,-5,"007","-007","1_000",1.5,-0.0015,1000.0,null,null,null,null,null,1.0,-0.0]}"#),
        ("a: [18446744073709551615, -9223372036854775808, 9223372036854775807]\n", r#"{"a":[18446744073709551615,-9223372036854775808,9223372036854775807]}"#),
        ("a: 18446744073709551616\n", r"syntax: a: invalid type: integer `18446744073709551616` as u128, expected any YAML value at line 1 column 4"),
        ("a: -9223372036854775809\n", r"syntax: a: invalid type: integer `-9223372036854775809` as i128, expected any YAML value at line 1 column 4"),
        ("a: 340282366920938463463374607431768211456\n", r#"{"a":3.402823669209385e+38}"#),
        ("a: [true, True, TRUE, false, False, FALSE, yes, no, on, off, y, n]\n", r#"{"a":[true,true,true,false,false,false,"yes","no","on","off","y","n"]}"#),
        ("a: [null, Null, NULL, ~, '', \"\", 'null', \"true\", '1', \"0x10\"]\n", r#"{"a":[null,null,null,null,"","","null","true","1","0x10"]}"#),
        ("a:\nb: ~\nc: null\n", r#"{"a":null,"b":null,"c":null}"#),
        ("a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\nc: |+\n  kept\n\n", r#"{"a":"line 1\nline 2\n","b":"folded text","c":"kept\n\n"}"#),
        ("a: 'it''s'\nb: \"tab\\tnew\\nline \\u00e9 \\x41\"\nc: plain # comment\nd: \"#not a comment\"\n", r##"{"a":"it's","b":"tab\tnew\nline é A","c":"plain","d":"#not a comment"}"##),
        ("a: é ü 日本\n'ключ': значение\n", r#"{"a":"é ü 日本","ключ":"значение"}"#),
        // Core-schema tags.
        ("a: [!!str 12, !!int '12', !!float 1, !!float '1.5', !!null '', !!bool 'true', !!str true, !!str]\n", r#"syntax: a[4]: invalid value: string "", expected null at line 1 column 53"#),
        ("a: !!int x\n", r#"syntax: a: invalid value: string "x", expected an integer at line 1 column 4"#),
        ("a: !!bool yes\n", r#"syntax: a: invalid value: string "yes", expected a boolean at line 1 column 4"#),
        ("a: !!float x\n", r#"syntax: a: invalid value: string "x", expected a float at line 1 column 4"#),
        ("a: !!null x\n", r#"syntax: a: invalid value: string "x", expected null at line 1 column 4"#),
        ("a: !!binary aGVsbG8=\n", r#"{"a":"aGVsbG8="}"#),
        ("a: !!map {b: 1}\nc: !!seq [1]\nd: !!set {x}\n", r#"{"a":{"b":1},"c":[1],"d":{"x":null}}"#),
        // Local tags on scalars, sequences, mappings, empty nodes.
        ("a: !Ref Vpc\nb: !GetAtt Vpc.CidrBlock\nc: !GetAtt A.B.C\nd: !GetAtt NoDot\ne: !GetAtt [A, B]\nf: !GetAtt {A: B}\n", r#"{"a":{"Ref":"Vpc"},"b":{"Fn::GetAtt":["Vpc","CidrBlock"]},"c":{"Fn::GetAtt":["A","B.C"]},"d":{"Fn::GetAtt":"NoDot"},"e":{"Fn::GetAtt":["A","B"]},"f":{"Fn::GetAtt":{"A":"B"}}}"#),
        ("a: !Sub '${AWS::StackName}'\nb: !Sub ['${x}', {x: !Ref y}]\nc: !Condition C\nd: !Custom 1\ne: !Ref\nf: !GetAtt\ng: !Base64 ''\n", r#"{"a":{"Fn::Sub":"${AWS::StackName}"},"b":{"Fn::Sub":["${x}",{"x":{"Ref":"y"}}]},"c":{"Condition":"C"},"d":{"Fn::Custom":1},"e":{"Ref":null},"f":{"Fn::GetAtt":null},"g":{"Fn::Base64":""}}"#),
        ("a: !If [C, !Ref A, !Ref 'AWS::NoValue']\nb: !Transform {Name: M, Parameters: {x: 1}}\nc: !Equals [!Ref P, 'true']\n", r#"{"a":{"Fn::If":["C",{"Ref":"A"},{"Ref":"AWS::NoValue"}]},"b":{"Fn::Transform":{"Name":"M","Parameters":{"x":1}}},"c":{"Fn::Equals":[{"Ref":"P"},"true"]}}"#),
        ("a: !Ref 123\nb: !Ref true\nc: !Ref ~\nd: !Ref 0x10\ne: !Ref .inf\nf: !GetAtt 1.5\ng: !Ref '123'\n", r#"{"a":{"Ref":123},"b":{"Ref":true},"c":{"Ref":null},"d":{"Ref":16},"e":{"Ref":null},"f":{"Fn::GetAtt":1.5},"g":{"Ref":"123"}}"#),
        ("a: ! 12\nb: ! x\nc: ! [1]\nd: ! {e: 1}\n", r#"{"a":{"Fn::":12},"b":{"Fn::":"x"},"c":{"Fn::":[1]},"d":{"Fn::":{"e":1}}}"#),
        ("a: !<!Ref> x\nb: !<tag:yaml.org,2002:str> 1\nc: !<!!Ref> y\nd: !<tag:example.com,2000:x> z\n", r#"{"a":{"Ref":"x"},"b":"1","c":{"Ref":"y"},"d":"z"}"#),
        ("%TAG !e! tag:example.com,2000:\n---\na: !e!thing x\n", r#"{"a":"x"}"#),
        ("%TAG ! !foo\n---\na: !Ref x\n", r#"{"a":{"Fn::fooRef":"x"}}"#),
        ("!Ref top\n", r#"{"Ref":"top"}"#),
        ("!Join\n- ''\n- [a, b]\n", r#"{"Fn::Join":["",["a","b"]]}"#),
        // Keys: plain, quoted, numbers, booleans, tags, nulls, collections.
        ("1: a\n0x10: b\n1.5: c\ntrue: d\n-1: e\n.inf: f\n1e3: g\n", r#"{"1":"a","16":"b","1.5":"c","true":"d","-1":"e",".inf":"f","1000.0":"g"}"#),
        ("! Ref: x\n! 'Fn::Sub': y\n", r#"{"Ref":"x","Fn::Sub":"y"}"#),
        ("!Ref a: 1\n", r#"invalid: unsupported mapping key TaggedValue { tag: !Ref, value: String("a") }"#),
        ("~: 1\n", r"invalid: unsupported mapping key Null"),
        ("? [a, b]\n: 1\n", r#"invalid: unsupported mapping key Sequence [String("a"), String("b")]"#),
        ("? {a: 1}\n: 1\n", r#"invalid: unsupported mapping key Mapping {"a": Number(1)}"#),
        ("a:\n  !Ref k: 1\nb:\n  ? [x]\n  : 2\n", r#"invalid: unsupported mapping key TaggedValue { tag: !Ref, value: String("k") }"#),
        ("a:\n  ~: 1\n  ? [x]\n  : 2\n", r"invalid: unsupported mapping key Null"),
        ("? [a]\n: 1\nb: [unclosed\n", r"syntax: did not find expected ',' or ']' at line 4 column 1, while parsing a flow sequence at line 3 column 4"),
        ("? [a]\n: 1\nb: 2\nb: 3\n", r#"syntax: duplicate entry with key "b""#),
        ("! [a]: 1\n", r#"invalid: unsupported mapping key Sequence [String("a")]"#),
        ("! 12: 1\n", r"invalid: unsupported mapping key Number(12)"),
        // Keys that collide: the same YAML key twice, or two YAML keys with one JSON name.
        ("a: 1\nb: 2\na: 3\n", r#"syntax: duplicate entry with key "a""#),
        ("1: a\n'1': b\n", r#"{"1":"b"}"#),
        ("'1': a\n1: b\n", r#"{"1":"b"}"#),
        ("'1': a\n1: b\n'1': c\n", r#"syntax: duplicate entry with key "1""#),
        ("1: a\n'1': b\n1: c\n", r"syntax: duplicate entry with key 1"),
        ("0x10: a\n16: b\n", r"syntax: duplicate entry with key 16"),
        ("1.0: a\n1.00: b\n", r"syntax: duplicate entry with key 1.0"),
        ("1.5: a\n'1.5': b\n", r#"{"1.5":"b"}"#),
        ("true: a\nTrue: b\n", r"syntax: duplicate entry with key `true`"),
        ("true: a\n'true': b\nz: 1\n", r#"{"true":"b","z":1}"#),
        ("a: 1\n! a: 2\n", r#"{"a":2}"#),
        ("! a: 1\n! a: 2\n", r"syntax: duplicate entry in YAML map"),
        ("! a: 1\na: 2\nb: 3\n", r#"{"a":2,"b":3}"#),
        ("~: 1\nnull: 2\n", r"syntax: duplicate entry with null key"),
        ("? [a]\n: 1\n? [a]\n: 2\n", r"syntax: duplicate entry in YAML map"),
        ("x: 1\n1: a\n1: b\n", r"syntax: duplicate entry with key 1"),
        ("a:\n  b:\n    c: 1\n    c: 2\n", r#"syntax: a.b: duplicate entry with key "c" at line 3 column 5"#),
        ("a: {b: 1, b: 2}\n", r#"syntax: a: duplicate entry with key "b" at line 1 column 4"#),
        (".nan: a\n.NaN: b\n", r"syntax: duplicate entry with key .nan"),
        (".inf: a\n.Inf: b\n", r"syntax: duplicate entry with key .inf"),
        // Aliases and merge keys (kept as a plain `<<` key).
        ("a: &x {b: 1, c: [1, 2]}\nd: *x\ne: [*x, *x]\n", r#"{"a":{"b":1,"c":[1,2]},"d":{"b":1,"c":[1,2]},"e":[{"b":1,"c":[1,2]},{"b":1,"c":[1,2]}]}"#),
        ("base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n", r#"{"base":{"x":1},"m":{"<<":{"x":1},"y":2}}"#),
        ("m:\n  <<: [{x: 1}, {y: 2}]\n  <<: {z: 3}\n", r#"syntax: m: duplicate entry with key "<<" at line 2 column 3"#),
        ("a: &k key\n*k : 1\n", r#"{"a":"key","key":1}"#),
        ("a: &t !Ref x\nb: *t\nc: [*t]\n", r#"{"a":{"Ref":"x"},"b":{"Ref":"x"},"c":[{"Ref":"x"}]}"#),
        ("a: &n 12\nb: *n\n*n : c\n", r#"{"a":12,"b":12,"12":"c"}"#),
        ("a: *missing\n", r"syntax: unknown anchor at line 1 column 4"),
        ("a: &a [1]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\ne: [*d, *d]\n", r#"{"a":[1],"b":[[1],[1]],"c":[[[1],[1]],[[1],[1]]],"d":[[[[1],[1]],[[1],[1]]],[[[1],[1]],[[1],[1]]]],"e":[[[[[1],[1]],[[1],[1]]],[[[1],[1]],[[1],[1]]]],[[[[1],[1]],[[1],[1]]],[[[1],[1]],[[1],[1]]]]]}"#),
        // Documents.
        ("", r"null"),
        ("# only a comment\n", r"null"),
        ("---\n", r"null"),
        ("---\na: 1\n...\n", r#"{"a":1}"#),
        ("a: 1\n---\nb: 2\n", r"syntax: deserializing from YAML containing more than one document is not supported"),
        ("just a string\n", r#""just a string""#),
        ("[1, 2]\n", r"[1,2]"),
        ("- a\n- b: c\n", r#"["a",{"b":"c"}]"#),
        // Syntax errors.
        ("a: 1\nb: [unclosed\n", r"syntax: did not find expected ',' or ']' at line 3 column 1, while parsing a flow sequence at line 2 column 4"),
        ("a: b: c\n", r"syntax: mapping values are not allowed in this context at line 1 column 5"),
        ("a:\n\t- tab\n", r"syntax: found character that cannot start any token at line 2 column 1, while scanning for the next token"),
        ("a: 'unclosed\n", r"syntax: found unexpected end of stream at line 2 column 1, while scanning a quoted scalar at line 1 column 4"),
        ("a: \"\\q\"\n", r"syntax: found unknown escape character at line 1 column 5, while parsing a quoted scalar at line 1 column 4"),
        ("- a\nb: c\n", r"syntax: did not find expected '-' indicator at line 2 column 1, while parsing a block collection"),
        ("a: &x 1\nb: &x 2\nc: *x\n", r#"{"a":1,"b":2,"c":2}"#),
        ("@reserved\n", r"syntax: found character that cannot start any token, while scanning for the next token"),
        ("a: !\n", r#"{"a":{"Fn::":null}}"#),

    ];

    /// A case's outcome in the table's notation.
    fn read(text: &str) -> String {
        match to_json(text) {
            Ok(json) => json.to_string(),
            Err(Error::Syntax(m)) => format!("syntax: {m}"),
            Err(Error::Invalid(m)) => format!("invalid: {m}"),
            Err(Error::Limit(m)) => format!("limit: {m}"),
        }
    }

    #[test]
    fn every_case_reads_to_its_json_or_its_error() {
        for (text, expected) in CASES {
            assert_eq!(read(text), *expected, "input:\n{text}");
        }
    }

    /// Nesting built by aliases, past `serde_yaml`'s recursion limit (the text itself nests
    /// two levels, under the depth estimate), and a billion laughs: refused by `serde_yaml`.
    #[test]
    fn alias_nesting_and_repetition_are_refused() {
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
        assert_eq!(
            to_json(&deep),
            Err(Error::Syntax(
                "recursion limit exceeded at line 1 column 5".into()
            ))
        );
        assert_eq!(
            to_json(&laughs),
            Err(Error::Syntax("repetition limit exceeded".into()))
        );
    }
}
