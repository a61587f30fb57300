//! A YAML template straight into JSON, short-form tags turned into long form on the way: one
//! pass over serde_yaml's events, without building a `serde_yaml::Value` first (its mapping
//! hashes every key) and converting it after.
//!
//! Only success is decided here. Anything unusual (a duplicate key, two keys that read as the
//! same text, a key that is not a string, number, bool or `! "text"`, any parse error) returns
//! `None`, and [`crate::template::parse_template`] runs the `serde_yaml::Value` path, whose
//! result and messages are the reference. Both read the same events from the same
//! deserializer, so on success they give the same JSON.

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde_json::{Map, Number, Value as Json};
use std::fmt;

/// The template as JSON, or `None` for the reference path to decide.
pub(crate) fn to_json(body: &str) -> Option<Json> {
    AnyValue
        .deserialize(serde_yaml::Deserializer::from_str(body))
        .ok()
}

/// `Fn::X` for `!X`, `Ref` and `Condition` as they are, `!GetAtt A.B` as `[A, B]`. `tag` is the
/// tag as serde_yaml displays it (`!Ref`).
pub(crate) fn long_form(tag: &str, value: Json) -> Json {
    let tag = tag.trim_start_matches('!');
    let (name, value) = match tag {
        "Ref" | "Condition" => (tag.to_string(), value),
        "GetAtt" => {
            // `!GetAtt A.B` is the string form of `Fn::GetAtt: [A, B]`.
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

/// serde_yaml's own display of a tag it handed over as an enum variant name.
fn display_tag(tag: String) -> Option<String> {
    (!tag.is_empty()).then(|| serde_yaml::value::Tag::new(tag).to_string())
}

/// Any value: what `serde_yaml::Value` would hold, converted as `yaml_to_json` converts it.
struct AnyValue;

impl<'de> DeserializeSeed<'de> for AnyValue {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AnyValue {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // serde_json's own conversion: not finite (`.nan`, `.inf`) is null.
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(AnyValue)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(
                    "same key twice: the reference path decides",
                ));
            }
            let value = map.next_value_seed(AnyValue)?;
            out.insert(key, value);
        }
        Ok(Json::Object(out))
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Json, A::Error> {
        let (tag, content): (String, _) = data.variant()?;
        let tag = display_tag(tag).ok_or_else(|| de::Error::custom("empty tag"))?;
        let value = content.newtype_variant_seed(AnyValue)?;
        Ok(long_form(&tag, value))
    }
}

/// A mapping key as text: a string, a number or a bool as `yaml_to_json` writes them, or the
/// string under a non-specific tag (`! "Ref"`). Anything else fails.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or bool key")
    }
    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(v).to_string())
    }
    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(v).to_string())
    }
    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(v).to_string())
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (tag, content): (String, _) = data.variant()?;
        if display_tag(tag).as_deref() != Some("!!") {
            return Err(de::Error::custom(
                "a tagged key: the reference path decides",
            ));
        }
        content.newtype_variant_seed(Text)
    }
}

/// A string and nothing else.
struct Text;

impl<'de> DeserializeSeed<'de> for Text {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}
