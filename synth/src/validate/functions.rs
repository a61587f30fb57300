//! Intrinsic functions by name and argument shape, as the template reference defines each one:
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>
//! (and the rule functions of
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/rules-section-structure.html>).
//! `Fn::GetAtt`, `Fn::Sub`, `Fn::FindInMap` and `Fn::If` are checked with the references they
//! make (`references`).

use super::schema::intrinsic;
use super::Validator;
use crate::catalog::did_you_mean;
use crate::code;
use crate::input::echo;
use serde_json::Value as Json;

/// Every `Fn::` name CloudFormation knows: the intrinsic functions, the condition functions,
/// the rule functions, and those the `AWS::LanguageExtensions` transform adds (`Fn::ForEach::*`
/// is matched by prefix).
pub const FUNCTIONS: &[&str] = &[
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::GetAtt",
    "Fn::GetStackOutput",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Length",
    "Fn::Not",
    "Fn::Or",
    "Fn::RefAll",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::ToJsonString",
    "Fn::Transform",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// What one argument may be.
#[derive(Clone, Copy)]
enum Arg {
    /// A string, or a function giving one.
    Str,
    /// A list, or a function giving one.
    List,
    /// A non-negative integer (or its digits as a string), or a function giving one.
    Index,
    /// Anything.
    Any,
}

/// The argument shape of a function: `(shape of the whole argument, item shapes)`.
fn shape(name: &str) -> Option<(&'static str, &'static [Arg])> {
    use Arg::*;
    Some(match name {
        "Fn::Base64" | "Fn::GetAZs" | "Fn::ImportValue" => ("a string", &[Str]),
        "Fn::Cidr" => ("[ip block, count, cidr bits]", &[Str, Index, Index]),
        "Fn::Join" => ("[delimiter, list of values]", &[Str, List]),
        "Fn::Select" => ("[index, list]", &[Index, List]),
        "Fn::Split" => ("[delimiter, string]", &[Str, Str]),
        "Fn::Equals" => ("[value, value]", &[Any, Any]),
        "Fn::Not" => ("[condition]", &[Any]),
        "Fn::Length" => ("a list", &[List]),
        _ => return None,
    })
}

/// Whether `v` can be of shape `a`: a function is accepted where its result isn't known.
fn fits(v: &Json, a: Arg) -> bool {
    if let Some((k, _)) = intrinsic(v) {
        return match a {
            Arg::Str | Arg::Index => !matches!(k, "Fn::Split" | "Fn::GetAZs" | "Fn::Cidr"),
            Arg::List => !matches!(k, "Fn::Join" | "Fn::Sub" | "Fn::Base64"),
            Arg::Any => true,
        };
    }
    match (a, v) {
        (Arg::Any, _) => true,
        // An empty short-form tag (`!GetAZs`) is an empty string to CloudFormation.
        (Arg::Str, view) => !matches!(view, Json::Array(_) | Json::Object(_)),
        (Arg::List, view) => matches!(view, Json::Array(_)),
        (Arg::Index, Json::Number(n)) => n.as_u64().is_some(),
        (Arg::Index, Json::String(s)) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        (Arg::Index, _) => false,
    }
}

/// `{Name, Parameters}`, or a list of them.
fn transform_shape(arg: &Json) -> bool {
    match arg {
        Json::Array(items) => items.iter().all(|i| i.get("Name").is_some()),
        _ => arg.get("Name").is_some(),
    }
}

/// Whether a key that is no function CloudFormation knows was meant as one: it starts with
/// `Fn::`, or it holds a `:` and is a near miss of a function's name (`Fnn::Sub`, `F::Sub`).
pub(super) fn looks_like_function(key: &str) -> bool {
    !known(key)
        && (key.starts_with("Fn::")
            || (key.contains(':')
                && crate::catalog::nearest(key, FUNCTIONS.iter().copied()).is_some()))
}

/// Whether `name` is a function CloudFormation knows.
pub(super) fn known(name: &str) -> bool {
    FUNCTIONS.contains(&name) || name.starts_with("Fn::ForEach::")
}

impl<'a> Validator<'a> {
    /// An `Fn::` key of a one-entry mapping: a function CloudFormation knows, with arguments
    /// of the shape it takes.
    pub(super) fn function(&mut self, name: &str, arg: &Json, path: &str) {
        if name.starts_with("Fn::ForEach::") {
            return;
        }
        if !FUNCTIONS.contains(&name) {
            self.error(
                code::FUNCTION,
                path.into(),
                format!(
                    "function must be one CloudFormation knows ({}), got {name:?}{}",
                    FUNCTIONS.join(", "),
                    did_you_mean(name, FUNCTIONS.iter().copied())
                ),
            );
            return;
        }
        match name {
            "Fn::And" | "Fn::Or" => {
                let n = arg.as_array().map_or(0, Vec::len);
                if !(2..=10).contains(&n) {
                    self.error(
                        code::FUNCTION,
                        path.into(),
                        format!(
                            "{name} must be a list of 2 to 10 conditions, got {}",
                            echo(&arg.to_string())
                        ),
                    );
                }
            }
            "Fn::Transform" if !transform_shape(arg) => {
                self.error(
                    code::FUNCTION,
                    path.into(),
                    format!(
                        "Fn::Transform must be {{Name, Parameters}}, got {}",
                        echo(&arg.to_string())
                    ),
                );
            }
            _ => self.arguments(name, arg, path),
        }
    }

    fn arguments(&mut self, name: &str, arg: &Json, path: &str) {
        let Some((words, args)) = shape(name) else {
            return;
        };
        let ok = match (args, arg.as_array()) {
            // A single argument, given as is.
            ([one], _) if name != "Fn::Not" => fits(arg, *one),
            (_, Some(items)) => {
                items.len() == args.len() && items.iter().zip(args).all(|(v, a)| fits(v, *a))
            }
            // The whole argument list from a function (`Fn::Select: !Split ...` is not valid,
            // but a `Fn::If` choosing between two lists is).
            (_, None) => intrinsic(arg).is_some_and(|(k, _)| k == "Fn::If"),
        };
        if !ok {
            // The first argument that does not fit, named.
            let which = arg
                .as_array()
                .filter(|items| items.len() == args.len())
                .and_then(|items| items.iter().zip(args).position(|(v, a)| !fits(v, *a)));
            let detail = match which.map(|i| (i, args[i])) {
                Some((i, Arg::Index)) => format!(
                    " (argument {}: an integer, or a function giving one)",
                    i + 1
                ),
                Some((i, Arg::List)) => {
                    format!(" (argument {}: a list, or a function giving one)", i + 1)
                }
                Some((i, _)) => {
                    format!(" (argument {}: a string, or a function giving one)", i + 1)
                }
                None => String::new(),
            };
            self.error(
                code::FUNCTION,
                path.into(),
                format!(
                    "{name} must be {words} here, got {}{detail}",
                    echo(&arg.to_string())
                ),
            );
        }
    }
}
