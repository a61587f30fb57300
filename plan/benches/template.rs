//! Parsing and checking generated templates of 50 to 2,000 resources, and the largest one
//! within CloudFormation's 1,000,000-byte limit, with short-form tags (`!Ref`, `!GetAtt`,
//! `!Sub`, `!Join`), in YAML and the same template in JSON. `bench/scale/run` times the same
//! templates, whole process, beside cfn-lint.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use plan::template::{check, parse_template};

#[path = "support/generate.rs"]
mod generate;
use generate::{largest_yaml_template, yaml_template};

fn templates(c: &mut Criterion) {
    let mut group = c.benchmark_group("template");
    group.sample_size(20);
    let sizes = [50, 200, 500, 1000, 2000].map(|n| (n, yaml_template(n)));
    for (n, yaml) in sizes.into_iter().chain([largest_yaml_template()]) {
        let json = parse_template(&yaml)
            .map(|j| j.to_string())
            .unwrap_or_default();
        group.bench_with_input(BenchmarkId::new("parse yaml", n), &yaml, |b, t| {
            b.iter(|| parse_template(black_box(t)).is_ok())
        });
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
