//! YAML templates read into JSON with `serde_yaml` 0.9 (libyaml): any YAML 1.2, aliases
//! included, with errors that name the line and column. Short-form intrinsic tags (`!Ref`,
//! `!GetAtt`, `!Sub`, ...) become their long form.

use crate::Error;
use serde_json::{Map, Value as Json};

/// Parses one YAML document into JSON through a `serde_yaml::Value`, short-form tags into
/// long form. Errors name the line and column.
pub fn to_json(body: &str) -> Result<Json, Error> {
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(body).map_err(|e| Error::Syntax(e.to_string()))?;
    yaml_to_json(yaml).map_err(Error::Invalid)
}

fn yaml_to_json(v: serde_yaml::Value) -> Result<Json, String> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Json::Null,
        Y::Bool(b) => Json::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).map_err(|e| e.to_string())?,
        Y::String(s) => Json::String(s),
        Y::Sequence(items) => Json::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    // `! "Ref"`: the non-specific tag leaves a plain string key.
                    Y::Tagged(t) if t.tag == "!" => match t.value {
                        Y::String(s) => s,
                        other => return Err(format!("unsupported mapping key {other:?}")),
                    },
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Json::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let value = yaml_to_json(t.value)?;
            wrap(tag.trim_start_matches('!'), value)
        }
    })
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
}
