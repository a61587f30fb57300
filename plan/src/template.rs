//! Loading a template from a file or a synthesized stack, and reading what deploy needs from it:
//! declared parameters, output environment variable names.

use crate::Error;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use synth::input::{check_limits, MAX_TEMPLATE_BYTES, MAX_TEMPLATE_DEPTH};

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
    /// repeat ([`crate::env::output_env_names`]), so `pcstack outputs --format env` can always be sourced.
    pub fn parse(body: String) -> Result<Self, Error> {
        let json = parse_template(&body)?;
        if !json.is_object() {
            return crate::error::invalid("template must be a JSON or YAML mapping");
        }
        let keys: Vec<&str> = json
            .get("Outputs")
            .and_then(Json::as_object)
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        crate::env::output_env_names(Some(&json), &keys)
            .map_err(|problems| Error::Invalid(problems.join("\n")))?;
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

    /// Every check pcstack runs on a template before any AWS call ([`check`]), each
    /// diagnostic with the line of the file its path points at ([`crate::lines`]).
    pub fn check(&self, stack: &str, region: Option<&str>) -> synth::Diagnostics {
        check(stack, &self.json, region)
            .into_iter()
            .map(|mut d| {
                d.line = crate::lines::line_of(&self.body, &crate::lines::segments(&d.path));
                d
            })
            .collect()
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
    let mut diags = synth::validate::validate_with(stack, template, &registry.catalog(region));
    if let Some(region) = region {
        diags.extend(openzfs_regions(stack, template, region));
    }
    diags
}

/// Each OpenZFS file system's literal `DeploymentType` against the Region's offer
/// ([`constructs::rules::fsx::openzfs_deployment_in_region`]): a type FSx lacks there fails
/// the stack after it started, so it is refused before any AWS call.
fn openzfs_regions(stack: &str, template: &Json, region: &str) -> synth::Diagnostics {
    let mut diags = synth::Diagnostics::new();
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else {
        return diags;
    };
    for (id, r) in resources {
        if r.get("Type").and_then(Json::as_str) != Some("AWS::FSx::FileSystem") {
            continue;
        }
        let deployment = r
            .pointer("/Properties/OpenZFSConfiguration/DeploymentType")
            .and_then(Json::as_str);
        if let Some(d) = deployment {
            if let Err(v) = constructs::rules::fsx::openzfs_deployment_in_region(d, region) {
                diags.push(v.at(format!(
                    "{stack}/{id} (AWS::FSx::FileSystem).OpenZFSConfiguration.DeploymentType"
                )));
            }
        }
    }
    diags
}

/// Parses a template body in JSON or YAML into JSON, turning short-form tags into long form.
///
/// Text over CloudFormation's size limit, or nested deeper than [`MAX_TEMPLATE_DEPTH`], is
/// refused before it reaches a parser.
pub fn parse_template(body: &str) -> Result<Json, Error> {
    // The depth estimate guards the parsers. serde_yaml's own recursion limit (128) only
    // applies after libyaml has read the whole document, and libyaml's time is quadratic in
    // flow nesting: 40 KB of `[` took 0.43 s and 160 KB of `{a: ` 14 s (2026-12-06).
    check_limits(body, "template", MAX_TEMPLATE_BYTES, MAX_TEMPLATE_DEPTH).map_err(Error::Limit)?;
    if body.trim_start().starts_with('{') {
        return serde_json::from_str(body)
            .map_err(|e| Error::Syntax(format!("template is not valid JSON: {e}")));
    }
    crate::yaml::to_json(body).map_err(|e| e.context("template is not valid YAML"))
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
    fn yaml_depth_is_limited_before_it_is_parsed() {
        let shallow = nested(50);
        assert!(parse_template(&shallow).is_ok());
        let deep = nested(200);
        let err = parse_template(&deep).unwrap_err();
        assert!(
            matches!(&err, Error::Limit(m) if m.contains("template must nest at most 128 levels deep")),
            "{err}"
        );
        let middle = nested(110);
        assert!(parse_template(&middle).is_ok());
    }

    #[test]
    fn template_files_with_bad_env_names_or_too_large_are_refused() {
        let body = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\nOutputs:\n  VpcId:\n    Value: {Ref: Vpc}\nMetadata:\n  pcstack:\n    OutputEnvironmentVariables:\n      VpcId: 'a;b'\n";
        assert!(TemplateSource::parse(body.to_string())
            .unwrap_err()
            .message()
            .contains("VpcId must be an environment variable name"));
        let big = format!("Description: {}\n", "x".repeat(MAX_TEMPLATE_BYTES));
        assert_eq!(
            TemplateSource::parse(big).unwrap_err(),
            Error::Limit("template must be at most 1000000 bytes, got 1000014 bytes".into())
        );
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(parse_template(&deep)
            .unwrap_err()
            .message()
            .contains("128 levels"));
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
