//! Checks every template file under the given folders as `pcstack deploy --template` would
//! before any AWS call (parsing, then `plan::template::check` without a Region), and prints
//! one line per refused file with its first errors, then the counts.
//!
//! `cargo run -p plan --example check_templates -- DIR_OR_FILE...`

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x, "yaml" | "yml" | "json" | "template"))
        {
            out.push(p);
        }
    }
}

fn main() {
    // What the first template check pays to parse the type table.
    let start = std::time::Instant::now();
    let types = plan::registry::registry().len();
    eprintln!("type table: {types} types parsed in {:?}", start.elapsed());
    let mut all = Vec::new();
    for arg in std::env::args().skip(1) {
        let p = Path::new(&arg);
        if p.is_file() {
            all.push(p.to_path_buf());
        } else {
            files(p, &mut all);
        }
    }
    all.sort();
    let (mut checked, mut refused, mut skipped) = (0, 0, 0);
    for path in &all {
        let Ok(body) = std::fs::read_to_string(path) else {
            continue;
        };
        // Only files that look like CloudFormation templates.
        if !body.contains("Resources") {
            skipped += 1;
            continue;
        }
        checked += 1;
        let errors: Vec<String> = match plan::TemplateSource::parse(body) {
            Err(e) => vec![format!("parse: {e}")],
            Ok(t) => t.check("t", None).errors().map(|d| d.to_string()).collect(),
        };
        if !errors.is_empty() {
            refused += 1;
            println!("REFUSED {}", path.display());
            for e in errors.iter().take(3) {
                println!("    {e}");
            }
        }
    }
    println!("checked {checked}, refused {refused}, skipped {skipped} (no Resources)");
}
