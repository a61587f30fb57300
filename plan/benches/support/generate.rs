//! The generated templates of the scale benchmark, shared by `benches/template.rs` and the
//! `scale_templates` example (which writes them for `bench/scale/run`).

/// A VPC and `n - 1` security groups that refer to it, in YAML with short-form tags.
pub fn yaml_template(n: usize) -> String {
    let mut t = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nDescription: generated\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n",
    );
    for i in 1..n {
        t.push_str(&format!(
            "  Group{i}:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub '${{AWS::StackName}} group {i}'
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !GetAtt Vpc.CidrBlock
      Tags:
        - Key: Name
          Value: !Join ['-', [!Ref 'AWS::StackName', group{i}]]
"
        ));
    }
    t
}

/// The largest such template within CloudFormation's limit for a template body in S3,
/// 1,000,000 bytes, and its number of resources.
pub fn largest_yaml_template() -> (usize, String) {
    const LIMIT: usize = 1_000_000;
    let mut n = 2000;
    while yaml_template(n + 1).len() <= LIMIT {
        n += 1;
    }
    (n, yaml_template(n))
}
