//! Workspace tasks, run as `cargo run -p xtask -- <task>`.

pub mod codegen;
pub mod codes;
pub mod files;
pub mod fn_length;
