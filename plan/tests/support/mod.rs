//! Shared by the YAML tests (`yaml.rs`) and the YAML fuzzer (`yaml_fuzz.rs`).
#![allow(dead_code)] // each test crate uses its own part

use std::path::{Path, PathBuf};

/// A small xorshift generator: the same sequence for the same seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The YAML files under `dir` (`.yaml`, `.yml`, and insta's `.snap` when `snapshots`),
/// skipping hidden folders, `target` and `node_modules`.
pub fn yaml_files(dir: &Path, snapshots: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                yaml_files(&path, snapshots, out);
            }
        } else if name.ends_with(".yaml")
            || name.ends_with(".yml")
            || (snapshots && name.ends_with(".snap"))
        {
            out.push(path);
        }
    }
}
