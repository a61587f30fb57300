//! Speed goal (issue 12): a 2,000-resource YAML template parsed and checked in at most 30 ms,
//! growing linearly up to CloudFormation's 1,000,000-byte limit. Generated templates of 50 to
//! 2,000 resources with short-form tags (`!Ref`, `!GetAtt`, `!Sub`, `!Join`), in YAML and the
//! same template in JSON.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use plan::template::{check, parse_template};

/// A VPC and `n - 1` security groups that refer to it, in YAML with short-form tags.
fn yaml_template(n: usize) -> String {
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

fn templates(c: &mut Criterion) {
    let mut group = c.benchmark_group("template");
    group.sample_size(20);
    for n in [50, 200, 500, 1000, 2000] {
        let yaml = yaml_template(n);
        // The template is in the fast parser's subset; the full parser is the fallback.
        assert!(
            plan::yaml::fast(&yaml).is_some(),
            "{n} resources: fast path declined"
        );
        let json = parse_template(&yaml)
            .map(|j| j.to_string())
            .unwrap_or_default();
        group.bench_with_input(BenchmarkId::new("parse yaml", n), &yaml, |b, t| {
            b.iter(|| parse_template(black_box(t)).is_ok())
        });
        group.bench_with_input(
            BenchmarkId::new("parse yaml (full parser)", n),
            &yaml,
            |b, t| b.iter(|| plan::yaml::full(black_box(t)).is_ok()),
        );
        group.bench_with_input(BenchmarkId::new("parse json", n), &json, |b, t| {
            b.iter(|| parse_template(black_box(t)).is_ok())
        });
        group.bench_with_input(BenchmarkId::new("parse+check yaml", n), &yaml, |b, t| {
            b.iter(|| {
                parse_template(black_box(t))
                    .map(|j| check("bench", &j, Some("us-east-1")).iter().count())
                    .ok()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, templates);
criterion_main!(benches);
