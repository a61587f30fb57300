//! Loading a template from a file or a synthesized stack, and reading what deploy needs from it:
//! declared parameters, output environment variable names.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use synth::input::{check_limits, check_size, echo, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_DEPTH};

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
    ///
    /// Refuses a template CloudFormation would refuse for its size (before anything is
    /// uploaded), and one whose output environment variable names are not shell names or
    /// repeat ([`output_env_names`]), so `pcstack outputs --format env` can always be sourced.
    pub fn parse(body: String) -> Result<Self, String> {
        let json = parse_template(&body)?;
        if !json.is_object() {
            return Err("template must be a JSON or YAML mapping".into());
        }
        let keys: Vec<&str> = json
            .get("Outputs")
            .and_then(Json::as_object)
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        output_env_names(Some(&json), &keys).map_err(|problems| problems.join("\n"))?;
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

    /// The transforms the template declares at the top level, in order
    /// (`AWS::Serverless-2016-10-31`, `AWS::LanguageExtensions`, macro names).
    pub fn transforms(&self) -> Vec<String> {
        synth::validate::transforms(&self.json)
    }

    /// Whether CloudFormation transforms the template (see [`needs_transform`]).
    pub fn needs_transform(&self) -> bool {
        needs_transform(&self.json)
    }

    /// Every check pcstack runs on a template before any AWS call ([`check`]).
    pub fn check(&self, stack: &str, region: Option<&str>) -> synth::Diagnostics {
        check(stack, &self.json, region)
    }

    /// Number of resources declared: the total for progress.
    pub fn resource_count(&self) -> usize {
        self.json
            .get("Resources")
            .and_then(Json::as_object)
            .map_or(0, Map::len)
    }
}

/// Whether CloudFormation runs a transform on the template: a top-level `Transform` (SAM,
/// `AWS::LanguageExtensions`, a macro) or an `Fn::Transform` snippet anywhere. Only then does
/// a deploy need the `CAPABILITY_AUTO_EXPAND` acknowledgement.
pub fn needs_transform(template: &Json) -> bool {
    synth::validate::needs_transform(template)
}

/// The whole-template checks ([`synth::validate::validate_with`]) against every resource
/// type of the CloudFormation registry ([`crate::registry`]): unknown types (or types not
/// offered in `region`), unknown and missing required properties, unknown `Fn::GetAtt`
/// attributes, besides the references, conditions, mappings and limits. With `region`
/// `None` a type only has to exist in some Region. `stack` prefixes each path.
pub fn check(stack: &str, template: &Json, region: Option<&str>) -> synth::Diagnostics {
    let registry = crate::registry::registry();
    synth::validate::validate_with(stack, template, &registry.catalog(region))
}

/// Parses a template body in JSON or YAML into JSON, turning short-form tags into long form.
///
/// Text over CloudFormation's size limit, or nested deeper than [`MAX_TEMPLATE_DEPTH`], is
/// refused before it reaches a parser.
pub fn parse_template(body: &str) -> Result<Json, String> {
    // The depth estimate guards the recursive parsers (serde_json, and libyaml through
    // serde_yaml). The fast YAML parser is not recursive and declines anything nested deeper
    // than its own limit (below MAX_TEMPLATE_DEPTH), so a text it accepts needs only the size
    // check: the estimate is about a third of reading a large YAML template.
    check_size(body, "template", MAX_TEMPLATE_BYTES)?;
    let yaml = !body.trim_start().starts_with('{');
    if yaml {
        if let Some(parsed) = crate::yaml::fast(body) {
            return Ok(parsed);
        }
    }
    check_limits(body, "template", MAX_TEMPLATE_BYTES, MAX_TEMPLATE_DEPTH)?;
    if !yaml {
        return serde_json::from_str(body).map_err(|e| format!("template is not valid JSON: {e}"));
    }
    crate::yaml::full(body).map_err(|e| format!("template is not valid YAML: {e}"))
}

/// Where a template declares its outputs' environment variable names.
pub const ENV_NAMES_METADATA: &str = "Metadata.pcstack.OutputEnvironmentVariables";

/// Names `pcstack outputs --format env` always writes after the outputs'.
pub const FIXED_ENV_NAMES: [&str; 3] = synth::env::OWN_NAMES;

/// Whether `name` is a POSIX shell variable name: `[A-Za-z_][A-Za-z0-9_]*`. Anything else
/// written as `export NAME=...` would be run by the shell that sources the file.
pub fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Output key -> environment variable name for the outputs `keys`: the name declared in the
/// template's `Metadata.pcstack.OutputEnvironmentVariables`, else [`env_name`] of the key.
///
/// Checked, because the names end up in a file users `source`: every name (declared or
/// derived, and every declared one even for an output not in `keys`) must be a shell name
/// ([`is_shell_name`]), and no two outputs, nor an output and one of [`FIXED_ENV_NAMES`],
/// may share one. Declared names win; a derived name already held gets an `OUTPUT_` prefix
/// (an output `StackName` is `OUTPUT_STACK_NAME` beside pcstack's own `STACK_NAME`). Returns
/// every problem, each naming the field, the rule and the value.
pub fn output_env_names(
    template: Option<&Json>,
    keys: &[&str],
) -> Result<IndexMap<String, String>, Vec<String>> {
    let mut problems = Vec::new();
    let mut declared = IndexMap::new();
    let metadata = template.and_then(|t| {
        t.get("Metadata")?
            .get(synth::env::METADATA_KEY)?
            .get(synth::env::OUTPUT_VARIABLES)
    });
    match metadata {
        None => {}
        Some(Json::Object(map)) => {
            for (key, value) in map {
                let field = format!("{ENV_NAMES_METADATA}.{}", echo(key));
                match value.as_str() {
                    Some(name) if is_shell_name(name) => {
                        declared.insert(key.clone(), name.to_string());
                    }
                    _ => problems.push(format!(
                        "{field} must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got {}",
                        echo(&value.to_string())
                    )),
                }
            }
        }
        Some(other) => problems.push(format!(
            "{ENV_NAMES_METADATA} must be a mapping of output key to environment variable name for pcstack outputs, got {}",
            echo(&other.to_string())
        )),
    }
    // Which output (or fixed name) holds each name, to report the first holder of a repeat.
    let mut holders: IndexMap<String, String> = FIXED_ENV_NAMES
        .iter()
        .map(|n| ((*n).to_string(), "pcstack's own variable".to_string()))
        .collect();
    // Declared names first: they are the template's word and win over derived ones.
    for key in keys.iter().filter(|k| declared.contains_key(**k)) {
        let name = &declared[*key];
        match holders.get(name) {
            Some(holder) => problems.push(format!(
                "output {} environment variable must differ from that of {holder} for pcstack outputs, got {name:?} (declared)",
                echo(key)
            )),
            None => {
                holders.insert(name.clone(), format!("output {}", echo(key)));
            }
        }
    }
    let mut names = IndexMap::new();
    for key in keys {
        if let Some(name) = declared.get(*key) {
            names.insert((*key).to_string(), name.clone());
            continue;
        }
        // A derived name that another output or pcstack's own variable holds (an output
        // `StackName` beside STACK_NAME) gets an `OUTPUT_` prefix rather than refusing a
        // template CloudFormation accepts.
        let derived = env_name(key);
        let name = if holders.contains_key(&derived) {
            format!("OUTPUT_{derived}")
        } else {
            derived
        };
        if !is_shell_name(&name) {
            problems.push(format!(
                "output {} environment variable must be a name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got {name:?} (derived from its key)",
                echo(key)
            ));
            continue;
        }
        if let Some(holder) = holders.get(&name) {
            problems.push(format!(
                "output {} environment variable must differ from that of {holder} for pcstack outputs, got {name:?} (derived from its key)",
                echo(key)
            ));
            continue;
        }
        holders.insert(name.clone(), format!("output {}", echo(key)));
        names.insert((*key).to_string(), name);
    }
    if problems.is_empty() {
        Ok(names)
    } else {
        Err(problems)
    }
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

    /// Block mappings nested `n` levels: `a:` then `  a:` ... then a scalar.
    fn nested(n: usize) -> String {
        let mut t = String::new();
        for i in 0..n {
            t.push_str(&"  ".repeat(i));
            t.push_str("a:\n");
        }
        t.push_str(&"  ".repeat(n));
        t.push_str("b: 1\n");
        t
    }

    #[test]
    fn depth_is_limited_whichever_parser_reads_the_yaml() {
        // Within the fast parser's subset and limit: read without the depth estimate.
        let shallow = nested(50);
        assert!(crate::yaml::fast(&shallow).is_some());
        assert!(parse_template(&shallow).is_ok());
        // Past it: the fast parser declines, and the estimate refuses before the full one.
        let deep = nested(200);
        assert!(crate::yaml::fast(&deep).is_none());
        let err = parse_template(&deep).unwrap_err();
        assert!(
            err.contains("template must nest at most 128 levels deep"),
            "{err}"
        );
        // Between the two limits: declined by the fast parser, read by the full one.
        let middle = nested(110);
        assert!(crate::yaml::fast(&middle).is_none());
        assert!(parse_template(&middle).is_ok());
    }

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
        let names = output_env_names(Some(&t), &["VpcId", "SubnetId"]).unwrap();
        assert_eq!(names.get("VpcId").map(String::as_str), Some("PC_VPC"));
        assert_eq!(names.get("SubnetId").map(String::as_str), Some("SUBNET_ID"));
    }

    fn env_problems(metadata: Json, keys: &[&str]) -> Vec<String> {
        let t =
            serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": metadata}}});
        output_env_names(Some(&t), keys).unwrap_err()
    }

    #[test]
    fn a_name_the_shell_would_run_is_refused() {
        assert_eq!(
            env_problems(serde_json::json!({"VpcId": "X=1; touch /tmp/f; Y"}), &["VpcId"]),
            ["Metadata.pcstack.OutputEnvironmentVariables.VpcId must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got \"X=1; touch /tmp/f; Y\""]
        );
        assert_eq!(
            env_problems(serde_json::json!({"VpcId": 7}), &[]),
            ["Metadata.pcstack.OutputEnvironmentVariables.VpcId must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got 7"]
        );
        assert_eq!(
            env_problems(serde_json::json!(["VPC_ID"]), &[]),
            ["Metadata.pcstack.OutputEnvironmentVariables must be a mapping of output key to environment variable name for pcstack outputs, got [\"VPC_ID\"]"]
        );
        assert!(is_shell_name("vpc_id") && is_shell_name("_1") && !is_shell_name("1A"));
        assert!(!is_shell_name("") && !is_shell_name("A-B") && !is_shell_name("É"));
    }

    #[test]
    fn repeated_names_are_refused_declared_derived_or_fixed() {
        assert_eq!(
            env_problems(serde_json::json!({"A": "VPC_ID", "B": "VPC_ID"}), &["A", "B"]),
            ["output B environment variable must differ from that of output A for pcstack outputs, got \"VPC_ID\" (declared)"]
        );
        assert_eq!(
            env_problems(serde_json::json!({"Region": "AWS_REGION"}), &["Region"]),
            ["output Region environment variable must differ from that of pcstack's own variable for pcstack outputs, got \"AWS_REGION\" (declared)"]
        );
        // A derived name already held gets the OUTPUT_ prefix: declared names win, and an
        // output CloudFormation accepts (`StackName`) is not a reason to refuse a template.
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"Vpc": "VPC_ID"}}}});
        let names = output_env_names(Some(&t), &["VpcId", "Vpc", "StackName"]).unwrap();
        assert_eq!(
            names.values().map(String::as_str).collect::<Vec<_>>(),
            ["OUTPUT_VPC_ID", "VPC_ID", "OUTPUT_STACK_NAME"]
        );
        let names = output_env_names(None, &["VpcId", "VPCId"]).unwrap();
        assert_eq!(names["VPCId"], "OUTPUT_VPC_ID");
        // ... unless the prefixed name is held too.
        assert_eq!(
            env_problems(serde_json::json!({"X": "OUTPUT_VPC_ID"}), &["X", "VpcId", "VPCId"]),
            ["output VPCId environment variable must differ from that of output X for pcstack outputs, got \"OUTPUT_VPC_ID\" (derived from its key)"]
        );
    }

    #[test]
    fn template_files_with_bad_env_names_or_too_large_are_refused() {
        let body = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\nOutputs:\n  VpcId:\n    Value: {Ref: Vpc}\nMetadata:\n  pcstack:\n    OutputEnvironmentVariables:\n      VpcId: 'a;b'\n";
        assert!(TemplateSource::parse(body.to_string())
            .unwrap_err()
            .contains("VpcId must be an environment variable name"));
        let big = format!("Description: {}\n", "x".repeat(MAX_TEMPLATE_BYTES));
        assert_eq!(
            TemplateSource::parse(big).unwrap_err(),
            "template must be at most 1000000 bytes, got 1000014 bytes"
        );
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_template(&deep).unwrap_err().contains("128 levels"));
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
