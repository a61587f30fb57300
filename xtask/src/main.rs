//! `cargo run -p xtask -- codegen [--check] [--schemas DIR]`, `cargo run -p xtask -- codes
//! [--check]`
//!
//! Exit codes: 0 done (or up to date), 1 generated files are stale (`--check`),
//! 2 usage or generation error.

use std::path::PathBuf;
use std::process::ExitCode;
use xtask::codegen::{self, Schemas};

const USAGE: &str = "usage: cargo run -p xtask -- codegen [--check] [--schemas DIR]
       cargo run -p xtask -- codes [--check]

codegen   write constructs/src/l1/ from the CloudFormation registry schemas in cfn-lint
  --check         compare with the committed files instead; exit 1 naming stale files
  --schemas DIR   read schemas from DIR (.../cfnlint/data/schemas) instead of asking
                  the workspace venv (.venv/bin/python) where cfn-lint is
codes     write README.md's diagnostic codes table from the registry (stacks::codes)
  --check         compare instead; exit 1 when it is stale";

/// `codes [--check]`: README.md's table from the registry.
fn codes(args: &[String]) -> Result<ExitCode, String> {
    let check = match args {
        [] => false,
        [a] if a == "--check" => true,
        other => return Err(format!("unknown arguments {other:?}\n\n{USAGE}")),
    };
    let path = codegen::workspace_root().join("README.md");
    let readme = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let generated = xtask::codes::readme_with_table(&readme)?;
    if generated == readme {
        println!("README.md's diagnostic codes table is up to date");
        return Ok(ExitCode::SUCCESS);
    }
    if check {
        eprintln!("README.md's diagnostic codes table is stale: run `cargo run -p xtask -- codes`");
        return Ok(ExitCode::from(1));
    }
    std::fs::write(&path, generated).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote README.md's diagnostic codes table");
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((task, rest)) = args.split_first() else {
        return Err(format!("no task given\n\n{USAGE}"));
    };
    if task == "codes" {
        return codes(rest);
    }
    if task != "codegen" {
        return Err(format!("unknown task {task:?}\n\n{USAGE}"));
    }
    let mut check = false;
    let mut schemas_dir: Option<PathBuf> = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => check = true,
            "--schemas" => {
                let dir = it.next().ok_or("--schemas needs a directory")?;
                schemas_dir = Some(PathBuf::from(dir));
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }

    let root = codegen::workspace_root();
    let schemas = match schemas_dir {
        Some(dir) => Schemas::at(dir)?,
        None => Schemas::locate(&root)?,
    };
    let files = codegen::generate(&schemas, &root)?;
    if check {
        let stale = codegen::stale(&root, &files);
        if stale.is_empty() {
            println!(
                "{} is up to date with cfn-lint {}",
                codegen::OUT_DIR,
                schemas.version
            );
            return Ok(ExitCode::SUCCESS);
        }
        for p in &stale {
            eprintln!("stale: {}", p.display());
        }
        eprintln!("run `cargo run -p xtask -- codegen` to regenerate");
        return Ok(ExitCode::from(1));
    }
    let changed = codegen::write(&root, &files)?;
    for p in &changed {
        println!("wrote {}", p.display());
    }
    if changed.is_empty() {
        println!("{} already up to date", codegen::OUT_DIR);
    }
    Ok(ExitCode::SUCCESS)
}
