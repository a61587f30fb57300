//! Speed goal: building, validating and rendering the full prerequisites stack well under a
//! millisecond. `Stack::build` does all three: the YAML is rendered once, inside it.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use stacks::prerequisites::Prerequisites;
use stacks::{Config, Stack};
use synth::Format;

fn synth(c: &mut Criterion) {
    let config = Config::default();
    c.bench_function(
        "build+validate+render yaml (parallelcluster-prerequisites)",
        |b| b.iter(|| Prerequisites::build(black_box(&config)).map(|b| b.synthesized.yaml.len())),
    );
    let built = Prerequisites::build(&config).ok();
    c.bench_function("render yaml only", |b| {
        b.iter(|| {
            built
                .as_ref()
                .map(|b| synth::render::yaml(black_box(&b.synthesized.template)))
        })
    });
    c.bench_function("render json only", |b| {
        b.iter(|| {
            built
                .as_ref()
                .map(|b| b.synthesized.render(black_box(Format::Json)))
        })
    });
}

criterion_group!(benches, synth);
criterion_main!(benches);
