//! Speed goal (issue 12): a 2,000-resource YAML template parsed and checked in at most 30 ms,
//! growing linearly up to CloudFormation's 1,000,000-byte limit. Generated templates of 50 to
//! 2,000 resources with short-form tags (`!Ref`, `!GetAtt`, `!Sub`, `!Join`), in YAML and the
//! same template in JSON. `bench/scale/run` times the same templates, whole process, beside
//! cfn-lint.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use plan::template::{check, parse_template};

#[path = "support/generate.rs"]
mod generate;
use generate::yaml_template;

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
