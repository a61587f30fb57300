//! The value checks of `deploy --template` (`plan::TemplateSource::check`) on one committed
//! fixture (`fixtures/schema-values.yaml`, valid for cfn-lint 1.58.0 and for pcstack): each case
//! seeds one error of one kind, the kinds the public-template corpus measures
//! (`bench/corpus/`), and asserts the one diagnostic it gives, with its path, code, rule and
//! template line. Every seeded template is refused by cfn-lint too, or by CloudFormation's
//! documented rule (duplicate export names, unresolved references in Metadata).

use plan::TemplateSource;

fn fixture() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema-values.yaml"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The errors of the fixture with `from` replaced by `to` (which must occur exactly once).
fn errors(from: &str, to: &str) -> Vec<String> {
    let text = fixture();
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    let t = TemplateSource::parse(text.replace(from, to)).unwrap_or_else(|e| panic!("{to}: {e}"));
    t.check("s", Some("us-east-1"))
        .errors()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_fixture_is_valid() {
    let t = TemplateSource::parse(fixture()).unwrap();
    let d = t.check("s", Some("us-east-1"));
    assert!(!d.has_errors(), "{d:#?}");
}

/// One case: the text seeded, and the diagnostic expected.
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "list given a string",
        "SubnetIds: !Ref Subnets",
        "SubnetIds: subnet-12345678",
        "error[E3012] s/Resources/SubnetGroup/Properties/SubnetIds (line 57): SubnetIds must be a list (schema type) for AWS::RDS::DBSubnetGroup, got a string \"subnet-12345678\"",
    ),
    (
        "integer given a list",
        "MessageRetentionPeriod: 345600",
        "MessageRetentionPeriod: [345600]",
        "error[E3012] s/Resources/Queue/Properties/MessageRetentionPeriod (line 36): MessageRetentionPeriod must be an integer (schema type) for AWS::SQS::Queue, got a list [345600]",
    ),
    (
        "misspelled enum value",
        "State: ENABLED",
        "State: ENBLED",
        "error[E3030] s/Resources/Schedule/Properties/State (line 43): State must be one of DISABLED, ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (enum) for AWS::Events::Rule, got \"ENBLED\"; did you mean \"ENABLED\"?",
    ),
    (
        "pattern",
        "MasterUsername: admin",
        "MasterUsername: 9admin",
        "error[E3031] s/Resources/Database/Properties/MasterUsername (line 50): MasterUsername must match pattern ^[a-zA-Z][a-zA-Z0-9_]{0,127}$ for AWS::RDS::DBInstance, got \"9admin\"",
    ),
    (
        "length",
        "Name: nightly",
        "Name: nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
        "error[E3033] s/Resources/Schedule/Properties/Name (line 41): Name must be at most 64 characters long (maxLength) for AWS::Events::Rule, got \"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\" (65)",
    ),
    (
        "range",
        "ToPort: 443",
        "ToPort: -2",
        "error[E3034] s/Resources/WebSecurityGroup/Properties/SecurityGroupIngress/0/ToPort (line 29): ToPort must be at least -1 (minimum) for AWS::EC2::SecurityGroup, got -2",
    ),
    (
        "nested property typo",
        "- IpProtocol: tcp",
        "- IpProtocl: tcp",
        "error[E3002] s/Resources/WebSecurityGroup/Properties/SecurityGroupIngress/0/IpProtocl (line 27): property must be one of CidrIp, CidrIpv6, Description, FromPort, IpProtocol, SourcePrefixListId, SourceSecurityGroupId, SourceSecurityGroupName, SourceSecurityGroupOwnerId, ToPort for AWS::EC2::SecurityGroup (under SecurityGroupIngress), got \"IpProtocl\"; did you mean \"IpProtocol\"?",
    ),
    (
        "tag property typo",
        "- Key: Name",
        "- Keey: Name",
        "error[E3002] s/Resources/Vpc/Properties/Tags/0/Keey (line 19): property must be one of Key, Value for AWS::EC2::VPC (under Tags), got \"Keey\"; did you mean \"Key\"?",
    ),
    (
        "Fn::Select index not an integer",
        "SubnetId: !Select [0, !Ref Subnets]",
        "SubnetId: !Select [first, !Ref Subnets]",
        "error[PC023] s/Host (AWS::EC2::Instance).SubnetId.Fn::Select (line 68): Fn::Select must be [index, list] here, got [\"first\",{\"Ref\":\"Subnets\"}] (argument 1: an integer, or a function giving one)",
    ),
    (
        "unknown function",
        "QueueName: !Join",
        "QueueName: !Jion",
        "error[E3012] s/Resources/Queue/Properties/QueueName (line 37): QueueName must be a string (schema type) for AWS::SQS::Queue, got a mapping {\"Fn::Jion\":[\"-\",[{\"Ref\":\"AWS::StackName\"},\"jobs\"]]} (Fn::Jion is not a function CloudFormation knows, did you mean \"Fn::Join\"?)",
    ),
    (
        "unknown function in long form",
        "UserData: !Base64 \"#!/bin/bash\"",
        "UserData: {\"Fn::Base46\": \"#!/bin/bash\"}",
        "error[E3012] s/Resources/Host/Properties/UserData (line 69): UserData must be a string (schema type) for AWS::EC2::Instance, got a mapping {\"Fn::Base46\":\"#!/bin/bash\"} (Fn::Base46 is not a function CloudFormation knows, did you mean \"Fn::Base64\"?)",
    ),
    (
        "dotted GetAtt attribute typo",
        "Database.Endpoint.Address",
        "Database.Endpoint.Addrress",
        "error[E1010] s/Outputs/DatabaseAddress.Value.Fn::GetAtt (line 72): Fn::GetAtt attribute must be an attribute of AWS::RDS::DBInstance for Database, got \"Endpoint.Addrress\"; did you mean \"Endpoint.Address\"?",
    ),
    (
        "duplicate export name",
        "${AWS::StackName}-queue",
        "${AWS::StackName}-db",
        "error[PC024] s/Outputs/QueueUrl.Export.Name (line 78): Export Name must differ from that of output DatabaseAddress for CloudFormation (export names are unique in a Region), got {\"Fn::Sub\":\"${AWS::StackName}-db\"}",
    ),
    (
        "Ref to a missing name in Metadata",
        "queue=${Queue}",
        "queue=${Queeu}",
        "error[E1020] s/Host (AWS::EC2::Instance).Metadata.AWS::CloudFormation::Init.config.files./etc/app.conf.content.Fn::Sub (line 63): Fn::Sub variable must name a parameter, resource or pseudo parameter in this template, got \"Queeu\"",
    ),
    (
        "List parameter in a string slot",
        "SubnetId: !Select [0, !Ref Subnets]",
        "SubnetId: !Ref Subnets",
        "error[E3012] s/Resources/Host/Properties/SubnetId (line 68): SubnetId must be a string (schema type) for AWS::EC2::Instance, got Ref giving a list: {\"Ref\": \"Subnets\"}",
    ),
    (
        "string function in a list slot",
        "SubnetIds: !Ref Subnets",
        "SubnetIds: !Join [\",\", !Ref Subnets]",
        "error[E3012] s/Resources/SubnetGroup/Properties/SubnetIds (line 57): SubnetIds must be a list (schema type) for AWS::RDS::DBSubnetGroup, got Fn::Join giving a string: {\"Fn::Join\": [\",\",{\"Ref\":\"Subnets\"}]}",
    ),
    (
        "Number parameter in a list slot",
        "SubnetIds: !Ref Subnets",
        "SubnetIds: !Ref Delay",
        "error[E3012] s/Resources/SubnetGroup/Properties/SubnetIds (line 57): SubnetIds must be a list (schema type) for AWS::RDS::DBSubnetGroup, got Ref giving a single value: {\"Ref\": \"Delay\"}",
    ),
    (
        "missing required nested property",
        "- IpProtocol: tcp\n",
        "- Description: web\n",
        "error[E3003] s/Resources/WebSecurityGroup/Properties/SecurityGroupIngress/0/IpProtocol (line 27): IpProtocol must be set for AWS::EC2::SecurityGroup, got nothing",
    ),
    (
        "DeletionPolicy value",
        "DeletionPolicy: !Ref Retention",
        "DeletionPolicy: Keep",
        "error[E3035] s/Queue (AWS::SQS::Queue).DeletionPolicy (line 33): DeletionPolicy must be one of Delete, Retain, RetainExceptOnCreate, Snapshot for resource Queue, got \"Keep\"",
    ),
];

#[test]
fn each_seeded_error_is_reported_with_path_rule_and_line() {
    let mut failures = Vec::new();
    for (kind, from, to, want) in CASES {
        let got = errors(from, to);
        // A misspelled name is also a missing one (E3003 after the E3002): both are reported.
        let second_ok = got
            .get(1)
            .is_none_or(|e| e.starts_with("error[E3003]") && got.len() == 2);
        if got.first().map(String::as_str) != Some(*want) || !second_ok {
            failures.push(format!("{kind}:\n  want {want}\n  got  {got:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
