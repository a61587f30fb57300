//! Loading a template from a file or a synthesized stack, and reading what deploy needs from it:
//! declared parameters, output environment variable names.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

/// The template to deploy: the exact bytes sent to CloudFormation and their parsed form.
#[derive(Debug, Clone)]
pub struct TemplateSource {
    /// The bytes as read or synthesized, sent unchanged.
    pub body: String,
    /// The parsed template, intrinsics in long form.
    pub json: Json,
}

impl TemplateSource {
    /// Parses JSON or YAML (long-form or short-form intrinsics such as `!Ref`).
    pub fn parse(body: String) -> Result<Self, String> {
        let json = parse_template(&body)?;
        if !json.is_object() {
            return Err("template must be a JSON or YAML mapping".into());
        }
        Ok(Self { body, json })
    }

    /// Hex sha256 of the body: the content-addressed S3 key.
    pub fn sha256(&self) -> String {
        let digest = Sha256::digest(self.body.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The template's `Parameters` section (empty when it has none).
    pub fn parameters(&self) -> Map<String, Json> {
        self.json
            .get("Parameters")
            .and_then(Json::as_object)
            .cloned()
            .unwrap_or_default()
    }

    /// Number of resources declared: the total for progress.
    pub fn resource_count(&self) -> usize {
        self.json
            .get("Resources")
            .and_then(Json::as_object)
            .map_or(0, Map::len)
    }
}

/// Parses a template body in JSON or YAML into JSON, turning short-form tags into long form.
pub fn parse_template(body: &str) -> Result<Json, String> {
    if body.trim_start().starts_with('{') {
        return serde_json::from_str(body).map_err(|e| format!("template is not valid JSON: {e}"));
    }
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(body).map_err(|e| format!("template is not valid YAML: {e}"))?;
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
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Json::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let value = yaml_to_json(t.value)?;
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
    })
}

/// Output key -> environment variable name, from `Metadata.pcstack.OutputEnvironmentVariables`,
/// with [`env_name`] for the outputs it doesn't name.
pub fn output_env_names(template: &Json) -> IndexMap<String, String> {
    let mut names = IndexMap::new();
    if let Some(map) = template
        .pointer("/Metadata/pcstack/OutputEnvironmentVariables")
        .and_then(Json::as_object)
    {
        for (k, v) in map {
            if let Some(s) = v.as_str() {
                names.insert(k.clone(), s.to_string());
            }
        }
    }
    names
}

/// The environment variable name for an output key without a declared one: SCREAMING_SNAKE_CASE.
///
/// A word boundary (`_`) goes before an uppercase letter that follows a lowercase letter or a
/// digit (`VpcId` -> `VPC_ID`, `S3Bucket` -> `S3_BUCKET`), and before the last capital of a run
/// of two or more capitals followed by a lowercase letter (`VPCId` -> `VPC_ID`,
/// `EFASecurityGroup` -> `EFA_SECURITY_GROUP`). A single capital followed by a lowercase one
/// stays in the word (`FSxLustre` -> `FSX_LUSTRE`, `IPv6Cidr` -> `IPV6_CIDR`). Any other
/// character than ASCII letters and digits becomes `_`; a leading digit gets a `_` prefix.
pub fn env_name(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::new();
    let mut run = 0usize; // uppercase letters just before position i
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            let ends_acronym = run >= 2 && next.is_some_and(|n| n.is_ascii_lowercase());
            if (after_lower || ends_acronym) && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c);
            run += 1;
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
            run = 0;
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            run = 0;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_follow_the_documented_rule() {
        for (key, want) in [
            ("VpcId", "VPC_ID"),
            ("VPCId", "VPC_ID"),
            ("FSxLustreFilesystemId", "FSX_LUSTRE_FILESYSTEM_ID"),
            ("EFASecurityGroupId", "EFA_SECURITY_GROUP_ID"),
            ("S3BucketName", "S3_BUCKET_NAME"),
            ("IPv6Cidr", "IPV6_CIDR"),
            ("PrivateSubnet1Id", "PRIVATE_SUBNET1_ID"),
            ("Subnet2", "SUBNET2"),
            ("ecr-repo.uri", "ECR_REPO_URI"),
            ("Id", "ID"),
        ] {
            assert_eq!(env_name(key), want, "{key}");
        }
    }

    #[test]
    fn declared_names_come_from_metadata() {
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"VpcId": "PC_VPC"}}}});
        assert_eq!(
            output_env_names(&t).get("VpcId").map(String::as_str),
            Some("PC_VPC")
        );
    }

    #[test]
    fn short_form_yaml_becomes_long_form() {
        let t = parse_template(
            "Outputs:\n  A:\n    Value: !GetAtt Vpc.CidrBlock\n  B:\n    Value: !Ref Vpc\n",
        )
        .unwrap();
        assert_eq!(
            t.pointer("/Outputs/A/Value/Fn::GetAtt/1"),
            Some(&Json::from("CidrBlock"))
        );
        assert_eq!(t.pointer("/Outputs/B/Value/Ref"), Some(&Json::from("Vpc")));
    }

    #[test]
    fn every_short_form_tag_becomes_long_form() {
        let t = parse_template(
            r#"
Conditions:
  C: !Equals [!Ref P, 'true']
  D: !Not [!Condition C]
  E: !And [!Condition C, !Or [!Condition D, !Condition C]]
Resources:
  R:
    Type: T
    Properties:
      A: !GetAtt Fs.LustreMountName
      B: !Sub '${AWS::StackName}-x'
      C: !Join ['', [a, !Ref 'AWS::Region']]
      D: !Select [0, !Cidr [!GetAtt VPC.CidrBlock, 2, 15]]
      E: !FindInMap [Networking, VPC, CIDR0]
      F: !If [C, !Base64 x, !Ref 'AWS::NoValue']
      G: !Select [0, !GetAZs '']
      H: !ImportValue other-VPC
      I: !Split [',', a]
"#,
        )
        .unwrap();
        let expect = serde_json::json!({
            "Conditions": {
                "C": {"Fn::Equals": [{"Ref": "P"}, "true"]},
                "D": {"Fn::Not": [{"Condition": "C"}]},
                "E": {"Fn::And": [{"Condition": "C"}, {"Fn::Or": [{"Condition": "D"}, {"Condition": "C"}]}]}
            },
            "Resources": {"R": {"Type": "T", "Properties": {
                "A": {"Fn::GetAtt": ["Fs", "LustreMountName"]},
                "B": {"Fn::Sub": "${AWS::StackName}-x"},
                "C": {"Fn::Join": ["", ["a", {"Ref": "AWS::Region"}]]},
                "D": {"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["VPC", "CidrBlock"]}, 2, 15]}]},
                "E": {"Fn::FindInMap": ["Networking", "VPC", "CIDR0"]},
                "F": {"Fn::If": ["C", {"Fn::Base64": "x"}, {"Ref": "AWS::NoValue"}]},
                "G": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
                "H": {"Fn::ImportValue": "other-VPC"},
                "I": {"Fn::Split": [",", "a"]}
            }}}
        });
        assert_eq!(t, expect);
    }
}
