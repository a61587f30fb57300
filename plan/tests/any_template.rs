//! Templates pcstack did not build, checked as `deploy --template` and `diff` check them
//! before any AWS call: each fixture (pcstack's own) covers one family of shapes
//! CloudFormation accepts, and `typos.yaml` one mistake of each kind the type table finds.

use plan::template::{check, needs_transform, parse_template};
use plan::TemplateSource;
use serde_json::json;
use synth::Severity;

fn fixture(name: &str) -> TemplateSource {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let body = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    TemplateSource::parse(body).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn lines(d: &synth::Diagnostics, severity: Severity) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity == severity)
        .map(|d| format!("{} {}: {}", d.code, d.path, d.message))
        .collect()
}

fn errors(t: &serde_json::Value, region: Option<&str>) -> Vec<String> {
    lines(&check("s", t, region), Severity::Error)
}

#[test]
fn sam_templates_keep_their_checks_but_leave_sam_to_the_transform() {
    let t = fixture("sam.yaml");
    assert_eq!(errors(&t.json, Some("us-east-1")), Vec::<String>::new());
    assert_eq!(t.transforms(), ["AWS::Serverless-2016-10-31"]);
    assert!(t.needs_transform());
    // The resources SAM doesn't own are still checked.
    let typo = t
        .body
        .replace("BucketName: !Sub", "BucketNam: !Sub")
        .replace("!Ref Handler\n", "!Ref Handlr\n");
    let typo = parse_template(&typo).unwrap();
    assert_eq!(
        errors(&typo, None),
        [
            "E3002 s/Store (AWS::S3::Bucket).BucketNam: property must be one of the properties of AWS::S3::Bucket for resource Store, got \"BucketNam\"; did you mean \"BucketName\"?",
            "E1020 s/HandlerErrors (AWS::CloudWatch::Alarm).Dimensions[0].Value.Ref: Ref must name a parameter, resource or pseudo parameter in this template, got \"Handlr\"",
        ]
    );
    // Without the transform, the SAM parts are errors.
    let plain = t
        .body
        .replace("Transform: AWS::Serverless-2016-10-31\n", "");
    let plain = parse_template(&plain).unwrap();
    let found = errors(&plain, None);
    assert!(found.iter().any(|e| e == "E1001 s/Globals: top-level key must be one of AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, Conditions, Transform, Resources, Outputs for a CloudFormation template, got \"Globals\""), "{found:#?}");
    assert!(found.iter().any(|e| e == "E3006 s/Handler (AWS::Serverless::Function).Type: Type AWS::Serverless::Function must come with Transform AWS::Serverless-2016-10-31 for resource Handler, got no such transform"), "{found:#?}");
}

#[test]
fn language_extensions_loops_policies_and_functions() {
    let t = fixture("language-extensions.yaml");
    assert_eq!(errors(&t.json, Some("eu-west-1")), Vec::<String>::new());
    assert!(t.needs_transform());
    // A reference to a name no loop makes is still an error.
    let bad = t.body.replace("!Ref TopicAlpha", "!Ref TopixAlpha");
    assert_eq!(
        errors(&parse_template(&bad).unwrap(), None),
        ["E1020 s/Subscription (AWS::SNS::Subscription).TopicArn.Ref: Ref must name a parameter, resource or pseudo parameter in this template, got \"TopixAlpha\""]
    );
    // Without the transform CloudFormation refuses the loop, but no longer an intrinsic
    // function in a DeletionPolicy (user guide: "Intrinsic function references in
    // DeletionPolicy and UpdateReplacePolicy attributes").
    let plain = t.body.replace("Transform: AWS::LanguageExtensions\n", "");
    let found = errors(&parse_template(&plain).unwrap(), None);
    assert!(!found.iter().any(|e| e.starts_with("E3035")), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("E1001 s/Resources/Fn::ForEach::Topics: name must match")),
        "{found:#?}"
    );
}

#[test]
fn a_macro_leaves_everything_but_the_shape_to_cloudformation() {
    let t = parse_template(
        "Transform: [AWS::Serverless-2016-10-31, Acme::Expand]\nOddSection: 1\nResources:\n  A:\n    Type: Acme::Shorthand\n    Size: big\n",
    )
    .unwrap();
    let d = check("s", &t, None);
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(
        lines(&d, Severity::Info),
        ["PC031 s/Transform: Transform Acme::Expand may change any part of the template, so CloudFormation checks it after the transform; pcstack checked its shape only"]
    );
    assert_eq!(
        synth::validate::transforms(&t),
        ["AWS::Serverless-2016-10-31", "Acme::Expand"]
    );
    let no_resources = parse_template("Transform: Acme::Expand\nOutputs: {}\n").unwrap();
    assert_eq!(
        errors(&no_resources, None),
        ["E1001 s/Resources: Resources must be a section of the template for CloudFormation, got nothing"]
    );
}

#[test]
fn snippets_make_what_they_include_unknown_not_wrong() {
    let t = json!({"Resources": {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/resources.yaml"}},
        "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "IncludedBucket"},
            "PolicyDocument": {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/p.yaml"}}}}},
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::Transform": {"Name": "AddTags"}}}
    }});
    assert!(needs_transform(&t));
    assert_eq!(errors(&t, None), Vec::<String>::new());
    // A snippet inside a property value changes that value only: it declares nothing.
    let mut inner = t.clone();
    if let Some(resources) = inner["Resources"].as_object_mut() {
        resources.remove("Fn::Transform");
    }
    assert_eq!(
        errors(&inner, None),
        ["E1020 s/Policy (AWS::S3::BucketPolicy).Bucket.Ref: Ref must name a parameter, resource or pseudo parameter in this template, got \"IncludedBucket\""]
    );
    assert!(!needs_transform(
        &json!({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})
    ));
}

#[test]
fn documented_attributes_custom_resources_modules_and_yaml_shapes() {
    let t = fixture("attributes.yaml");
    let d = check("s", &t.json, Some("us-east-1"));
    assert_eq!(lines(&d, Severity::Error), Vec::<String>::new());
    // A third-party type is a warning: CloudFormation checks it.
    assert_eq!(
        lines(&d, Severity::Warning),
        ["PC030 s/Widget (Acme::Widgets::Widget).Type: Type should be a type of the CloudFormation registry schemas pcstack knows for resource Widget, got \"Acme::Widgets::Widget\": a third-party, private or newer type, so CloudFormation checks its properties"]
    );
    assert!(!t.needs_transform());
    // `! "Ref"`: a key with the non-specific tag is the plain key.
    assert_eq!(
        t.json
            .pointer("/Resources/Topic/Properties/DisplayName/Fn::Join/1/1"),
        Some(&json!({"Ref": "AWS::AccountId"}))
    );
    // The module's own names are accepted, others not.
    let bad = t.body.replace("!Ref StorageBucket", "!Ref StoreBucket");
    assert_eq!(
        errors(&parse_template(&bad).unwrap(), None),
        ["E1020 s/Policy (AWS::S3::BucketPolicy).Bucket.Ref: Ref must name a parameter, resource or pseudo parameter in this template, got \"StoreBucket\""]
    );
    // Version is a custom resource's attribute only.
    let bad = t.body.replace(
        "    Type: AWS::SNS::Topic\n",
        "    Type: AWS::SNS::Topic\n    Version: \"1\"\n",
    );
    let found = errors(&parse_template(&bad).unwrap(), None);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with(
            "E3001 s/Topic (AWS::SNS::Topic).Version: resource attribute must be one of"
        ),
        "{found:#?}"
    );
}

#[test]
fn condition_names_need_not_be_logical_ids() {
    let t = json!({"Conditions": {"Private&3AZ": {"Fn::Equals": ["a", "a"]}, "": {"Fn::Equals": ["a", "b"]}},
        "Resources": {"T": {"Type": "AWS::SNS::Topic", "Condition": "Private&3AZ"}}});
    assert_eq!(
        errors(&t, None),
        ["E1001 s/Conditions/: name must be 1 to 255 characters long for Conditions, got \"\""]
    );
}

#[test]
fn the_type_table_finds_typos_missing_properties_and_attributes() {
    let t = fixture("typos.yaml");
    assert_eq!(
        errors(&t.json, Some("us-east-1")),
        [
            "E3006 s/Store (AWS::S3::Buckett).Type: Type must be a CloudFormation resource type for resource Store, got \"AWS::S3::Buckett\"; did you mean \"AWS::S3::Bucket\"?",
            "E3002 s/Logs (AWS::S3::Bucket).BucketNme: property must be one of the properties of AWS::S3::Bucket for resource Logs, got \"BucketNme\"; did you mean \"BucketName\"?",
            "E3003 s/Firewall (AWS::EC2::SecurityGroup).GroupDescription: GroupDescription must be set for AWS::EC2::SecurityGroup (resource Firewall), got nothing",
            "E3006 s/Handler (AWS::Serverless::Function).Type: Type AWS::Serverless::Function must come with Transform AWS::Serverless-2016-10-31 for resource Handler, got no such transform",
            "E1010 s/Outputs/LogsArn.Value.Fn::GetAtt: Fn::GetAtt attribute must be an attribute of AWS::S3::Bucket for Logs, got \"Arm\"; did you mean \"Arn\"?",
        ]
    );
}

#[test]
fn a_type_missing_from_the_region_is_an_error_before_any_aws_call() {
    let t = parse_template(
        "Resources:\n  Fs:\n    Type: AWS::FSx::FileSystem\n    Properties:\n      FileSystemType: LUSTRE\n      SubnetIds: [subnet-1]\n",
    )
    .unwrap();
    assert_eq!(
        errors(&t, Some("ap-southeast-6")),
        ["E3006 s/Fs (AWS::FSx::FileSystem).Type: Type must be a resource type available in ap-southeast-6 for resource Fs, got \"AWS::FSx::FileSystem\" (the registry schemas list it only in other Regions)"]
    );
    assert_eq!(errors(&t, Some("us-east-1")), Vec::<String>::new());
    // Region unknown: the union of all Regions.
    assert_eq!(errors(&t, None), Vec::<String>::new());
}

#[test]
fn replacement_is_predicted_for_every_registry_type() {
    let old = json!({"Resources": {"F": {"Type": "AWS::Lambda::Function",
        "Properties": {"FunctionName": "a", "MemorySize": 128}}}});
    let new = json!({"Resources": {"F": {"Type": "AWS::Lambda::Function",
        "Properties": {"FunctionName": "b", "MemorySize": 256}}}});
    let p = plan::predict::predict(&old, &new);
    let f = &p.resources[0];
    assert!(f.replacement && f.create_only_known);
    let create_only: Vec<(&str, bool)> = f
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.create_only))
        .collect();
    assert_eq!(create_only, [("FunctionName", true), ("MemorySize", false)]);
}

#[test]
fn the_built_in_stack_passes_the_type_table_where_fsx_exists_only() {
    let built =
        <stacks::prerequisites::Prerequisites as stacks::Stack>::build(&stacks::Config::default())
            .unwrap_or_else(|d| panic!("{d}"));
    let t = parse_template(&built.synthesized.render(synth::Format::Yaml)).unwrap();
    let d = check("s", &t, Some("us-east-1"));
    assert!(d.is_empty(), "{d:?}");
    let refused = errors(&t, Some("ap-southeast-6"));
    assert!(
        refused.contains(&"E3006 s/FSxLFilesystem (AWS::FSx::FileSystem).Type: Type must be a resource type available in ap-southeast-6 for resource FSxLFilesystem, got \"AWS::FSx::FileSystem\" (the registry schemas list it only in other Regions)".to_string()),
        "{refused:#?}"
    );
}
