//! Deterministic rendering: the same template always gives the same bytes.

use serde_json::Value as Json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
        }
    }
}

/// YAML with long-form intrinsics, keys in insertion order.
pub fn yaml(t: &Json) -> String {
    // Serializing a serde_json::Value to YAML cannot fail: every key is a string.
    serde_yaml::to_string(t).unwrap_or_default()
}

/// Pretty JSON with a trailing newline.
pub fn json(t: &Json) -> String {
    let mut s = serde_json::to_string_pretty(t).unwrap_or_default();
    s.push('\n');
    s
}

pub fn render(t: &Json, format: Format) -> String {
    match format {
        Format::Yaml => yaml(t),
        Format::Json => json(t),
    }
}
