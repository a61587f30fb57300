//! Outputs: a Value, a known Condition, their references, and export names used once.

use super::{Scope, Validator};
use crate::code;
use crate::input::echo;
use serde_json::{Map, Value as Json};

impl<'a> Validator<'a> {
    /// One output: a Value, a known Condition, and its references.
    pub(super) fn output(&mut self, id: &str, o: &'a Json) {
        let mut path = ["Outputs/", id].concat();
        if o.get("Value").is_none() {
            self.error(
                code::OUTPUT_VALUE,
                path.clone(),
                format!("Value must be set for output {id}, got nothing"),
            );
        }
        if let Some(c) = o.get("Condition") {
            self.condition_name(c, &format!("{path}.Condition"));
        }
        self.walk(o, &mut path, Scope::Output, None);
    }

    /// Two outputs exporting the same name: CloudFormation refuses the stack ("export names
    /// must be unique"; cfn-lint does not check it). Names are compared as written, so two
    /// equal `Fn::Sub` strings are the same name; outputs under different conditions may
    /// never both exist, so only those with the same condition (or none) are compared.
    pub(super) fn exports(&mut self, outputs: Option<&'a Map<String, Json>>) {
        let mut seen: Vec<(String, Option<String>, &str)> = Vec::new();
        for (id, o) in outputs.into_iter().flat_map(Map::iter) {
            let Some(name) = o.get("Export").and_then(|e| e.get("Name")) else {
                continue;
            };
            let name = name.to_string();
            let condition = o.get("Condition").map(ToString::to_string);
            match seen.iter().find(|(n, c, _)| *n == name && *c == condition) {
                Some((_, _, first)) => {
                    let message = format!(
                        "Export Name must differ from that of output {first} for CloudFormation (export names are unique in a Region), got {}",
                        echo(&name)
                    );
                    self.error(
                        code::DUPLICATE_EXPORT,
                        format!("Outputs/{id}.Export.Name"),
                        message,
                    );
                }
                None => seen.push((name, condition, id)),
            }
        }
    }
}
