//! Parameters: gathered from the config, a parameters file and `--parameter` flags (later wins),
//! then checked against the template's own constraints before any AWS call.

use indexmap::IndexMap;
use regex::Regex;
use serde_json::{Map, Value as Json};
use std::sync::LazyLock;
use synth::input::{check_limits, MAX_FILE_BYTES, MAX_FILE_DEPTH};
use synth::{Diagnostic, Diagnostics};

/// The diagnostic codes of the parameter checks.
pub mod code {
    synth::codes! {
        PARAMETER_NOT_WHOLE_NUMBER = "PC201", "a Number parameter value is not a whole number";
        UNDECLARED_PARAMETER = "D2001", "a parameter value is given for a parameter the template does not declare";
        MISSING_PARAMETER = "D2002", "a parameter without a Default is not given for a new stack";
        PARAMETER_VALUE = "D2003", "a parameter value breaks the template's constraints for it";
        PARAMETER_CONTRADICTS_CONFIG = "D2004", "a parameter value given for a built-in stack contradicts the config field that sets it";
    }
}

/// Stack-specific parameter rules, supplied by the built-in stacks at merge (`None` for a
/// template file). Gets the final values; returns every problem found.
pub type ParameterChecker<'a> = &'a dyn Fn(&IndexMap<String, String>) -> Diagnostics;

/// Parses `KEY=VALUE`.
pub fn parse_flag(s: &str) -> Result<(String, String), crate::Error> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => crate::error::invalid(format!("parameter must be KEY=VALUE, got {s:?}")),
    }
}

/// Reads a parameters file: CloudFormation's JSON list `[{"ParameterKey", "ParameterValue"}]`
/// or a YAML/JSON map of key to value.
pub fn parse_file(text: &str) -> Result<IndexMap<String, String>, crate::Error> {
    use crate::Error;
    check_limits(text, "parameters file", MAX_FILE_BYTES, MAX_FILE_DEPTH).map_err(Error::Limit)?;
    let value: Json = serde_yaml::from_str(text)
        .map_err(|e| Error::Syntax(format!("not valid JSON or YAML: {e}")))?;
    match value {
        Json::Array(items) => {
            let mut out = IndexMap::new();
            for (i, item) in items.iter().enumerate() {
                let key = item.get("ParameterKey").and_then(Json::as_str);
                let value = item.get("ParameterValue").map(scalar);
                match (key, value) {
                    (Some(k), Some(Some(v))) => {
                        out.insert(k.to_string(), v);
                    }
                    _ => {
                        return crate::error::invalid(format!(
                            "item {i} must have ParameterKey and a scalar ParameterValue"
                        ))
                    }
                }
            }
            Ok(out)
        }
        Json::Object(map) => map_values(&map),
        Json::Null => Ok(IndexMap::new()),
        _ => crate::error::invalid("must be a list of {ParameterKey, ParameterValue} or a map"),
    }
}

/// The `parameters` map of a pcstack config file (already parsed, with the file's limits),
/// each value as CloudFormation receives it; `None`: the config has none.
pub fn config_values(parameters: Option<&Json>) -> Result<IndexMap<String, String>, crate::Error> {
    match parameters {
        Some(Json::Object(map)) => map_values(map),
        Some(_) => crate::error::invalid("`parameters` must be a map of name to value"),
        None => Ok(IndexMap::new()),
    }
}

fn map_values(map: &Map<String, Json>) -> Result<IndexMap<String, String>, crate::Error> {
    let mut out = IndexMap::new();
    for (k, v) in map {
        let v = scalar(v).ok_or_else(|| {
            crate::Error::Invalid(format!("value of {k} must be a scalar or a list"))
        })?;
        out.insert(k.clone(), v);
    }
    Ok(out)
}

/// A scalar as CloudFormation receives it; a list becomes comma-delimited.
fn scalar(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        _ => None,
    }
}

/// A parameter value a config field sets (a built-in stack's config is the desired state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldValue {
    /// The template parameter, e.g. `Capacity`.
    pub name: String,
    /// The config field, e.g. `lustre.capacity`.
    pub field: String,
    /// Its value as CloudFormation receives it.
    pub value: String,
}

/// The values to send, from every source in the order later wins: the config's fields
/// (`fields`, from `config`, a file or "the built-in default config"), then each of `layers`
/// (`(label, values)`: the config's `parameters:`, `--parameters-file`, `--parameter`; the
/// label is the start of each diagnostic's path: `--parameter `, `pcstack.yaml: parameters.`). A layer
/// may set what no field sets (PrimarySubnetAZ without `network.availability_zone`, or any
/// parameter of a template file) but not contradict a field: that is an error naming both,
/// since the field would be silently overridden on this deploy and back on the next.
pub fn merge(
    config: &str,
    fields: &[FieldValue],
    layers: &[(&str, &IndexMap<String, String>)],
) -> Result<IndexMap<String, String>, Diagnostics> {
    let mut out: IndexMap<String, String> = fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    let mut diags = Diagnostics::new();
    for (label, values) in layers {
        for (name, value) in values.iter() {
            match fields.iter().find(|f| &f.name == name) {
                // The field's own value, written again: nothing to override.
                Some(f) if same_value(&f.value, value) => {}
                Some(f) => diags.push(Diagnostic::error(
                    code::PARAMETER_CONTRADICTS_CONFIG,
                    format!("{label}{name}"),
                    format!(
                        "parameter {name} must agree with config field {} ({} in {config}) for a built-in stack, whose config is the desired state (set `{}: {value}` in the config instead), got {value:?}",
                        f.field,
                        f.value,
                        f.field
                    ),
                )),
                _ => {
                    out.insert(name.clone(), value.clone());
                }
            }
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

/// Each parameter's value as the stack holds it after an update that sends `given`: the given
/// value, else the deployed one (`previous`, which deploy sends as UsePreviousValue) for a
/// parameter the new template declares; a parameter in neither is left out (it takes its
/// Default). A value CloudFormation masks (NoEcho: `****`) is unknown (`None`).
pub fn values_after(
    declared: &Map<String, Json>,
    given: &IndexMap<String, String>,
    previous: &IndexMap<String, String>,
) -> IndexMap<String, Option<String>> {
    declared
        .keys()
        .filter_map(|k| {
            let value = given.get(k).or_else(|| previous.get(k))?;
            Some((k.clone(), known(value)))
        })
        .collect()
}

/// The deployed values, NoEcho ones unknown.
pub fn values_before(previous: &IndexMap<String, String>) -> IndexMap<String, Option<String>> {
    previous
        .iter()
        .map(|(k, v)| (k.clone(), known(v)))
        .collect()
}

fn known(value: &str) -> Option<String> {
    (value != "****").then(|| value.to_string())
}

/// The same parameter value as CloudFormation compares it: `2400` and `2400.0` are one number.
fn same_value(a: &str, b: &str) -> bool {
    a.trim() == b.trim()
        || matches!((a.trim().parse::<f64>(), b.trim().parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// Checks every given value against the template's declaration: unknown names, Type Number,
/// AllowedValues, AllowedPattern, Min/MaxLength, Min/MaxValue and availability zone names
/// (format and region prefix). `stack` prefixes each diagnostic path.
pub fn check(
    stack: &str,
    declared: &Map<String, Json>,
    values: &IndexMap<String, String>,
    region: &str,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (key, value) in values {
        let path = format!("{stack}/Parameters/{key}");
        let Some(decl) = declared.get(key) else {
            let known: Vec<&str> = declared.keys().map(String::as_str).collect();
            diags.push(Diagnostic::error(
                code::UNDECLARED_PARAMETER,
                path,
                format!(
                    "parameter {key} must be declared by the template for a deploy (declared: {}), got {value:?}",
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            ));
            continue;
        };
        check_value(&mut diags, &path, key, decl, value, region);
    }
    diags
}

/// Parameters the template requires (no Default) that are not given: an error on create.
pub fn missing_required(
    stack: &str,
    declared: &Map<String, Json>,
    values: &IndexMap<String, String>,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (key, decl) in declared {
        if decl.get("Default").is_none() && !values.contains_key(key) {
            diags.push(Diagnostic::error(
                code::MISSING_PARAMETER,
                format!("{stack}/Parameters/{key}"),
                format!("parameter {key} must be given for a new stack (it has no Default), got nothing"),
            ));
        }
    }
    diags
}

fn check_value(
    diags: &mut Diagnostics,
    path: &str,
    key: &str,
    decl: &Json,
    value: &str,
    region: &str,
) {
    let kind = decl.get("Type").and_then(Json::as_str).unwrap_or("String");
    let items: Vec<&str> = if kind.starts_with("List<") || kind == "CommaDelimitedList" {
        value.split(',').map(str::trim).collect()
    } else {
        vec![value]
    };
    let mut rules = Vec::new();
    if kind == "Number" || kind == "List<Number>" {
        rules.extend(numbers(&items));
    }
    if kind.contains("AWS::EC2::AvailabilityZone::Name") {
        rules.extend(availability_zones(&items, region));
    }
    rules.extend(allowed_values(decl, &items));
    rules.extend(allowed_pattern(decl, value));
    rules.extend(length(decl, value));
    rules.extend(value_range(decl, &items));
    for rule in rules {
        diags.push(Diagnostic::error(
            code::PARAMETER_VALUE,
            path,
            format!("parameter {key} must {rule} for parameter of Type {kind}, got {value:?}"),
        ));
    }
}

/// `Type: Number`: every item parses as a number.
fn numbers(items: &[&str]) -> Vec<String> {
    items
        .iter()
        .filter(|item| item.parse::<f64>().is_err())
        .map(|item| format!("be a number (item {item:?})"))
        .collect()
}

/// `AWS::EC2::AvailabilityZone::Name`: the name's form, and a zone of the deploy's region; or a
/// zone ID (`use1-az2`), which deploy resolves to the account's zone name before sending it
/// ([`constructs::rules::names::is_zone_id`]; EC2 alone knows an ID's Region).
fn availability_zones(items: &[&str], region: &str) -> Vec<String> {
    static FORM: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r"^[a-z]{2}(-[a-z]+)+-\d+[a-z]$").ok());
    items
        .iter()
        .filter(|item| !constructs::rules::names::is_zone_id(item))
        .filter_map(|item| {
            if !FORM.as_ref().is_some_and(|re| re.is_match(item)) {
                Some(format!(
                    "be an availability zone name like {region}a or a zone ID like use1-az2 (item {item:?})"
                ))
            } else if !item.starts_with(region) || item.len() != region.len() + 1 {
                Some(format!(
                    "be an availability zone of region {region} (item {item:?})"
                ))
            } else {
                None
            }
        })
        .collect()
}

/// A message lists at most this many allowed values; a longer list is summarized.
pub const MAX_LISTED_VALUES: usize = 10;

/// `AllowedValues`: every item is one of them.
fn allowed_values(decl: &Json, items: &[&str]) -> Vec<String> {
    let Some(allowed) = decl.get("AllowedValues").and_then(Json::as_array) else {
        return Vec::new();
    };
    let allowed: Vec<String> = allowed.iter().filter_map(scalar).collect();
    items
        .iter()
        .filter(|item| !allowed.iter().any(|a| a == *item))
        .map(|item| one_of(&allowed, item))
        .collect()
}

/// "be one of [a, b]" for a short list; a long one is summarized, never listed whole:
/// numbers by their count and range and the allowed values nearest the one given
/// (`be one of 43 values from 1200 to 100800 (nearest: 1200)`), text by its count, its first
/// values and the closest one when the value given looks like a typo of it.
fn one_of(allowed: &[String], item: &str) -> String {
    if allowed.len() <= MAX_LISTED_VALUES {
        return format!("be one of [{}]", allowed.join(", "));
    }
    let numbers: Option<Vec<f64>> = allowed.iter().map(|a| a.trim().parse().ok()).collect();
    if let Some(numbers) = numbers {
        let (mut min, mut max) = (0, 0);
        for (i, n) in numbers.iter().enumerate() {
            if *n < numbers[min] {
                min = i;
            }
            if *n > numbers[max] {
                max = i;
            }
        }
        let nearest = item.trim().parse::<f64>().ok().map(|given| {
            let below = (0..numbers.len())
                .filter(|&i| numbers[i] < given)
                .max_by(|&a, &b| numbers[a].total_cmp(&numbers[b]));
            let above = (0..numbers.len())
                .filter(|&i| numbers[i] > given)
                .min_by(|&a, &b| numbers[a].total_cmp(&numbers[b]));
            match (below, above) {
                (Some(b), Some(a)) => format!(" (nearest: {} and {})", allowed[b], allowed[a]),
                (Some(i), None) | (None, Some(i)) => format!(" (nearest: {})", allowed[i]),
                (None, None) => String::new(),
            }
        });
        return format!(
            "be one of {} values from {} to {}{}",
            allowed.len(),
            allowed[min],
            allowed[max],
            nearest.unwrap_or_default()
        );
    }
    let first: Vec<&str> = allowed
        .iter()
        .take(MAX_LISTED_VALUES / 2)
        .map(String::as_str)
        .collect();
    let near = synth::catalog::nearest(item, allowed.iter().map(String::as_str))
        .map(|near| format!(" (did you mean {near}?)"))
        .unwrap_or_default();
    format!(
        "be one of {} values: {}, ...{near}",
        allowed.len(),
        first.join(", "),
    )
}

/// `AllowedPattern`: CloudFormation matches the whole value.
fn allowed_pattern(decl: &Json, value: &str) -> Option<String> {
    let pattern = decl.get("AllowedPattern").and_then(Json::as_str)?;
    match Regex::new(&format!("^(?:{pattern})$")) {
        Ok(re) if re.is_match(value) => None,
        Ok(_) => Some(format!("match pattern {pattern}")),
        Err(_) => Some(format!(
            "match pattern {pattern} (which pcstack cannot compile)"
        )),
    }
}

/// `MinLength` and `MaxLength`, in characters.
fn length(decl: &Json, value: &str) -> Vec<String> {
    let len = value.chars().count() as f64;
    let mut out = Vec::new();
    if let Some(min) = number(decl.get("MinLength")).filter(|min| len < *min) {
        out.push(format!("be at least {min} characters long"));
    }
    if let Some(max) = number(decl.get("MaxLength")).filter(|max| len > *max) {
        out.push(format!("be at most {max} characters long"));
    }
    out
}

/// `MinValue` and `MaxValue`, for every numeric item.
fn value_range(decl: &Json, items: &[&str]) -> Vec<String> {
    let (min, max) = (number(decl.get("MinValue")), number(decl.get("MaxValue")));
    let mut out = Vec::new();
    for n in items.iter().filter_map(|item| item.parse::<f64>().ok()) {
        if let Some(min) = min.filter(|min| n < *min) {
            out.push(format!("be at least {min}"));
        }
        if let Some(max) = max.filter(|max| n > *max) {
            out.push(format!("be at most {max}"));
        }
    }
    out
}

fn number(v: Option<&Json>) -> Option<f64> {
    match v? {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decl() -> Map<String, Json> {
        json!({
            "Count": {"Type": "Number", "MinValue": 1, "MaxValue": 10},
            "Env": {"Type": "String", "AllowedValues": ["dev", "prod"], "Default": "dev"},
            "Name": {"Type": "String", "AllowedPattern": "[a-z]+", "MinLength": 2, "MaxLength": 5},
            "Az": {"Type": "AWS::EC2::AvailabilityZone::Name"}
        })
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    fn messages(values: &[(&str, &str)]) -> Vec<String> {
        let values = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        check("s", &decl(), &values, "us-east-1")
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }

    #[test]
    fn good_values_pass() {
        assert!(messages(&[
            ("Count", "3"),
            ("Env", "prod"),
            ("Name", "abc"),
            ("Az", "us-east-1b")
        ])
        .is_empty());
    }

    #[test]
    fn each_rule_names_parameter_rule_and_value() {
        assert_eq!(
            messages(&[("Count", "x")]),
            ["parameter Count must be a number (item \"x\") for parameter of Type Number, got \"x\""]
        );
        assert_eq!(
            messages(&[("Count", "11")]),
            ["parameter Count must be at most 10 for parameter of Type Number, got \"11\""]
        );
        assert_eq!(
            messages(&[("Env", "qa")]),
            ["parameter Env must be one of [dev, prod] for parameter of Type String, got \"qa\""]
        );
        assert_eq!(
            messages(&[("Name", "ABCDEFG")]),
            [
                "parameter Name must match pattern [a-z]+ for parameter of Type String, got \"ABCDEFG\"",
                "parameter Name must be at most 5 characters long for parameter of Type String, got \"ABCDEFG\""
            ]
        );
        assert_eq!(
            messages(&[("Az", "eu-west-1a")]),
            ["parameter Az must be an availability zone of region us-east-1 (item \"eu-west-1a\") for parameter of Type AWS::EC2::AvailabilityZone::Name, got \"eu-west-1a\""]
        );
        assert_eq!(messages(&[("Az", "useast1")]).len(), 1);
        assert_eq!(
            messages(&[("Nope", "1")]),
            ["parameter Nope must be declared by the template for a deploy (declared: Count, Env, Name, Az), got \"1\""]
        );
    }

    #[test]
    fn config_fields_are_sent_and_layers_may_not_contradict_them() {
        let fields = [FieldValue {
            name: "Capacity".into(),
            field: "lustre.capacity".into(),
            value: "2400".into(),
        }];
        let set = |pairs: &[(&str, &str)]| -> IndexMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let file = set(&[("PrimarySubnetAZ", "us-east-1a"), ("Capacity", "2400.0")]);
        let flags = set(&[("PrimarySubnetAZ", "us-east-1b")]);
        let merged = merge(
            "pcstack.yaml",
            &fields,
            &[
                ("--parameters-file p.json: ", &file),
                ("--parameter ", &flags),
            ],
        )
        .unwrap();
        assert_eq!(
            merged,
            set(&[("Capacity", "2400"), ("PrimarySubnetAZ", "us-east-1b")])
        );
        let flags = set(&[("Capacity", "4800")]);
        let refused = merge("pcstack.yaml", &fields, &[("--parameter ", &flags)]).unwrap_err();
        assert_eq!(
            refused.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["error[D2004] --parameter Capacity: parameter Capacity must agree with config field lustre.capacity (2400 in pcstack.yaml) for a built-in stack, whose config is the desired state (set `lustre.capacity: 4800` in the config instead), got \"4800\""]
        );
    }

    #[test]
    fn missing_required_on_create() {
        let values = IndexMap::from([("Count".to_string(), "1".to_string())]);
        let d = missing_required("s", &decl(), &values);
        let keys: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(keys, ["s/Parameters/Name", "s/Parameters/Az"]);
    }

    #[test]
    fn files_in_both_shapes() {
        let list = r#"[{"ParameterKey": "A", "ParameterValue": "1"}]"#;
        assert_eq!(
            parse_file(list).unwrap().get("A").map(String::as_str),
            Some("1")
        );
        let map = "A: 2\nB: [x, y]\n";
        let m = parse_file(map).unwrap();
        assert_eq!(m.get("B").map(String::as_str), Some("x,y"));
        assert!(parse_file("[{\"ParameterKey\": \"A\"}]").is_err());
        let config = json!({"A": "b", "N": 2, "L": ["x", "y"]});
        let values = config_values(Some(&config)).unwrap();
        assert_eq!(
            values.values().map(String::as_str).collect::<Vec<_>>(),
            ["b", "2", "x,y"]
        );
        assert!(config_values(Some(&json!(["A"]))).is_err());
        assert!(config_values(None).unwrap().is_empty());
        assert!(parse_flag("novalue").is_err());
    }

    /// A long AllowedValues list is never printed whole (the built-in Capacity has 43).
    #[test]
    fn long_allowed_values_are_summarized() {
        let capacities: Vec<Json> = (0..43)
            .map(|i| json!(if i == 0 { 1200 } else { 2400 * i }))
            .collect();
        let names: Vec<String> = (0..15).map(|i| format!("team-{i:02}")).collect();
        let declared = json!({
            "Capacity": {"Type": "Number", "AllowedValues": capacities},
            "Team": {"Type": "String", "AllowedValues": names},
        });
        let declared = declared.as_object().cloned().unwrap_or_default();
        let check_one = |k: &str, v: &str| -> Vec<String> {
            let values = IndexMap::from([(k.to_string(), v.to_string())]);
            check("s", &declared, &values, "us-east-1")
                .iter()
                .map(|d| d.message.clone())
                .collect()
        };
        assert_eq!(
            check_one("Capacity", "1000"),
            ["parameter Capacity must be one of 43 values from 1200 to 100800 (nearest: 1200) for parameter of Type Number, got \"1000\""]
        );
        assert_eq!(
            check_one("Capacity", "3600"),
            ["parameter Capacity must be one of 43 values from 1200 to 100800 (nearest: 2400 and 4800) for parameter of Type Number, got \"3600\""]
        );
        assert_eq!(
            check_one("Capacity", "lots"),
            [
                "parameter Capacity must be a number (item \"lots\") for parameter of Type Number, got \"lots\"",
                "parameter Capacity must be one of 43 values from 1200 to 100800 for parameter of Type Number, got \"lots\""
            ]
        );
        assert_eq!(
            check_one("Team", "taem-07"),
            ["parameter Team must be one of 15 values: team-00, team-01, team-02, team-03, team-04, ... (did you mean team-07?) for parameter of Type String, got \"taem-07\""]
        );
        assert_eq!(
            check_one("Team", "nobody"),
            ["parameter Team must be one of 15 values: team-00, team-01, team-02, team-03, team-04, ... for parameter of Type String, got \"nobody\""]
        );
        assert!(check_one("Capacity", "4800").is_empty());
    }
}
