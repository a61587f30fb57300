//! Speed goal: building and rendering the full prerequisites stack well under a millisecond.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use stacks::{build, Config};
use synth::Format;

fn synth(c: &mut Criterion) {
    let config = Config::default();
    c.bench_function("build+validate parallelcluster-prerequisites", |b| {
        b.iter(|| {
            build("parallelcluster-prerequisites", black_box(&config)).map(|b| b.synthesized.json)
        })
    });
    c.bench_function("build+validate+render yaml", |b| {
        b.iter(|| {
            build("parallelcluster-prerequisites", black_box(&config))
                .map(|b| b.synthesized.render(Format::Yaml))
        })
    });
    let built = build("parallelcluster-prerequisites", &config).ok();
    c.bench_function("render yaml only", |b| {
        b.iter(|| built.as_ref().map(|b| b.synthesized.render(Format::Yaml)))
    });
}

criterion_group!(benches, synth);
criterion_main!(benches);
