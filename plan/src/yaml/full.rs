//! The complete parser: `serde_yaml` (libyaml), its value turned into JSON.

use serde_json::{Map, Value as Json};

/// Parses one YAML document (any YAML 1.2) into JSON, as pcstack always has: through a
/// `serde_yaml::Value`, short-form tags into long form. Errors name the line and column.
pub fn full(body: &str) -> Result<Json, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(body).map_err(|e| e.to_string())?;
    yaml_to_json(yaml)
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
            super::wrap(tag.trim_start_matches('!'), value)
        }
    })
}
