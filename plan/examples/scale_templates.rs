//! Writes the scale benchmark's generated templates (`benches/template.rs`): a VPC and `n - 1`
//! security groups referring to it, in YAML with short-form tags, for n = 50, 200, 500, 1,000
//! and 2,000 and the largest n within CloudFormation's 1,000,000-byte limit, each as
//! `DIR/<n>/template.yaml`. `bench/scale/run` times checking them,
//! whole process, with the `check_templates` example and with cfn-lint.
//!
//! `cargo run --release -p plan --example scale_templates -- DIR`

#[path = "../benches/support/generate.rs"]
mod generate;

use std::path::PathBuf;

/// The sizes written, smallest first.
const SIZES: [usize; 5] = [50, 200, 500, 1000, 2000];

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: scale_templates DIR");
        std::process::exit(2);
    };
    let sizes = SIZES.map(|n| (n, generate::yaml_template(n)));
    for (n, template) in sizes.into_iter().chain([generate::largest_yaml_template()]) {
        let sub = dir.join(n.to_string());
        std::fs::create_dir_all(&sub)?;
        std::fs::write(sub.join("template.yaml"), template)?;
    }
    Ok(())
}
