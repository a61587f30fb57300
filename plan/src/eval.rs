//! Evaluating a template's intrinsic functions locally, with no AWS call: what a resource's
//! properties will be once CloudFormation has resolved `Ref`, `Fn::FindInMap`, `Fn::Sub`,
//! `Fn::If` and the rest, given the parameter values the template is deployed with.
//!
//! Three kinds of value can't be resolved here, and each has its own form in [`Value`]:
//!
//! - a resource's physical ID or attribute ([`Value::Resource`]): the same on both sides of an
//!   update unless the update replaces that resource ([`Fate`]);
//! - anything else not known before deployment ([`Value::Unknown`]: `Fn::ImportValue`, a
//!   parameter without a value, `Fn::GetAZs` with unknown zones, a `NoEcho` parameter's value,
//!   an `Fn::If` whose condition reads one of those): the same unevaluable input on both sides
//!   compares equal, a difference involving one is a "may differ" ([`Comparison::MayDiffer`]);
//! - a string built from parts some of which are one of those ([`Value::Text`]).
//!
//! Templates are input pcstack did not write: nothing here panics, recursion is bounded
//! ([`MAX_DEPTH`]), and so is what evaluation allocates (strings up to [`MAX_TEXT`] bytes,
//! `Fn::Cidr` up to 256 blocks, an overall budget per side); past a bound a value is unknown.

use constructs::partition;
use indexmap::IndexMap;
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

/// How deep expressions nest (and conditions refer to conditions) before the rest is unknown.
pub const MAX_DEPTH: usize = 100;
/// The longest string evaluation builds (`Fn::Join`, `Fn::Sub`, `Fn::Base64`...); a longer one
/// is unknown.
pub const MAX_TEXT: usize = 1 << 20;
/// What one side's evaluation may build in all (string bytes and copied values); past it,
/// values are unknown.
const BUDGET: usize = 64 << 20;
/// The most blocks `Fn::Cidr` returns, as CloudFormation allows.
const MAX_CIDR_COUNT: u64 = 256;
/// The largest property value (nodes and string bytes) a `Fn::GetAtt` copies from its resource.
const MAX_COPIED: usize = 1 << 16;

/// What is known about the stack outside its templates: the same on both sides of an update.
/// A field left `None` makes what reads it unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `AWS::Region` (and from it `AWS::Partition`, `AWS::URLSuffix`).
    pub region: Option<String>,
    /// `AWS::AccountId`.
    pub account_id: Option<String>,
    /// `AWS::StackName`.
    pub stack_name: Option<String>,
    /// `AWS::StackId`.
    pub stack_id: Option<String>,
    /// `Fn::GetAZs` for the region, when known.
    pub zones: Option<Vec<String>>,
}

/// One side of an update: a template and the parameter values it is (or will be) deployed
/// with. A value of `None` is unknown (a `NoEcho` value shown as `****`, or not given and no
/// `Default`); a parameter missing from `parameters` takes the template's `Default`.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The template, intrinsics in long form ([`crate::template::parse_template`]).
    pub template: &'a Json,
    /// Parameter values by name.
    pub parameters: &'a IndexMap<String, Option<String>>,
}

impl Side<'_> {
    /// The value parameter `name` has on this side as text: the one given, else the template's
    /// `Default`; `None` when unknown.
    pub fn parameter(&self, name: &str) -> Option<String> {
        match self.parameters.get(name) {
            Some(given) => given.clone(),
            None => self
                .template
                .get("Parameters")
                .and_then(|p| p.get(name))
                .and_then(|d| d.get("Default"))
                .and_then(default_text),
        }
    }
}

/// A parameter `Default` as the text CloudFormation would pass: strings as they are, numbers
/// and booleans as written, a list joined with commas.
fn default_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(_) | Json::Bool(_) => Some(v.to_string()),
        Json::Array(items) => items
            .iter()
            .map(|i| match i {
                Json::Array(_) | Json::Object(_) | Json::Null => None,
                other => default_text(other),
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.join(",")),
        Json::Null | Json::Object(_) => None,
    }
}

/// Whether a parameter declaration has `NoEcho: true`: its value is never shown.
pub fn is_no_echo(decl: &Json) -> bool {
    decl.get("NoEcho")
        .and_then(scalar_text)
        .is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// What an update does to a resource, as references to it see it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Fate {
    /// The same physical resource: its ID and attributes don't change.
    #[default]
    Kept,
    /// A new physical resource (replaced, or created): a new ID, new attributes.
    Replaced,
    /// Perhaps replaced: a create-only property may change.
    MaybeReplaced,
}

/// A resource's physical ID (`Ref`) or one of its attributes (`Fn::GetAtt`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reference {
    /// The resource's logical ID.
    pub logical_id: String,
    /// The attribute; `None` for `Ref`.
    pub attribute: Option<String>,
    /// Whether the update replaces the resource (always [`Fate::Kept`] on the deployed side).
    pub fate: Fate,
}

/// A value that can't be evaluated here, kept as the expression that makes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    /// `Ref` (a parameter or pseudo parameter without a value), `Fn::ImportValue`,
    /// `Fn::GetAZs`, `Fn::If`, `Fn::Select`...
    pub function: String,
    /// The function's arguments, evaluated as far as they go.
    pub args: Value,
    /// What else the value depends on, as a digest never shown: a `NoEcho` parameter's value,
    /// the mapping a `Fn::FindInMap` with unknown keys reads, the condition of an `Fn::If`.
    pub identity: Option<String>,
}

/// An evaluated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string, number, boolean or null.
    Scalar(Json),
    /// A list.
    List(Vec<Value>),
    /// A mapping, in template order.
    Map(IndexMap<String, Value>),
    /// A resource's physical ID or attribute.
    Resource(Reference),
    /// A string made of parts, at least one of which is not a literal: literal strings
    /// ([`Value::Scalar`]), [`Value::Resource`]s and [`Value::Unknown`]s, adjacent literals
    /// merged.
    Text(Vec<Value>),
    /// Not known before deployment.
    Unknown(Box<Unknown>),
    /// `AWS::NoValue`: removes the key or list item that holds it.
    NoValue,
}

/// How two values compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Comparison {
    /// The same, as CloudFormation sees them.
    Equal,
    /// Different or not, depending on what isn't known here.
    MayDiffer,
    /// Certainly different.
    Differs,
}

/// A condition's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Truth {
    /// True.
    True,
    /// False.
    False,
    /// Depends on what isn't known here; the value is the condition's evaluated expression.
    Unknown(Value),
}

impl Truth {
    fn of(b: bool) -> Self {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    /// As a value: `true`, `false`, or the unknown expression.
    pub fn to_value(&self) -> Value {
        match self {
            Truth::True => Value::Scalar(Json::Bool(true)),
            Truth::False => Value::Scalar(Json::Bool(false)),
            Truth::Unknown(v) => v.clone(),
        }
    }
}

/// One resource of one side, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// Its `Condition`: false means the resource is not in the stack on this side.
    pub present: Truth,
    /// Its `Properties`, evaluated (an empty map when it has none).
    pub properties: Value,
}

fn unknown(function: &str, args: Value, identity: Option<String>) -> Value {
    Value::Unknown(Box::new(Unknown {
        function: function.to_string(),
        args,
        identity,
    }))
}

fn string(s: impl Into<String>) -> Value {
    Value::Scalar(Json::String(s.into()))
}

/// Hex digest of some text: an identity that never shows the text.
fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A scalar as the text CloudFormation compares: strings as they are, `-1` as `-1`.
pub fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(_) | Json::Bool(_) => Some(v.to_string()),
        Json::Null | Json::Array(_) | Json::Object(_) => None,
    }
}

impl Value {
    /// How the value reads in a diff: literals as they are, a resource reference as the
    /// `Ref` / `Fn::GetAtt` expression, a string of parts as a `Fn::Sub` (or `Fn::Join`), an
    /// unknown value as its expression with its arguments evaluated.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Scalar(s) => s.clone(),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(m) => {
                Json::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Resource(r) => match &r.attribute {
                None => serde_json::json!({"Ref": r.logical_id}),
                Some(a) => serde_json::json!({"Fn::GetAtt": [r.logical_id, a]}),
            },
            Value::Text(parts) => text_json(parts),
            Value::Unknown(u) => {
                let mut m = Map::new();
                m.insert(u.function.clone(), u.args.to_json());
                Json::Object(m)
            }
            Value::NoValue => serde_json::json!({"Ref": "AWS::NoValue"}),
        }
    }

    /// Whether the value is fully known: no resource reference, nothing unknown.
    pub fn is_concrete(&self) -> bool {
        match self {
            Value::Scalar(_) => true,
            Value::List(items) => items.iter().all(Value::is_concrete),
            Value::Map(m) => m.values().all(Value::is_concrete),
            Value::Resource(_) | Value::Text(_) | Value::Unknown(_) | Value::NoValue => false,
        }
    }

    /// The resources this value refers to whose fate is not [`Fate::Kept`], in order, once each.
    pub fn changed_references(&self) -> Vec<(String, Fate)> {
        let mut out: Vec<(String, Fate)> = Vec::new();
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            match v {
                Value::Resource(r)
                    if r.fate != Fate::Kept && !out.iter().any(|(id, _)| *id == r.logical_id) =>
                {
                    out.push((r.logical_id.clone(), r.fate));
                }
                Value::List(items) | Value::Text(items) => stack.extend(items.iter().rev()),
                Value::Map(m) => stack.extend(m.values().rev()),
                Value::Unknown(u) => stack.push(&u.args),
                _ => {}
            }
        }
        out
    }

    /// Nodes plus string bytes, counted up to `limit` (a value past it counts as `limit + 1`).
    fn size(&self, limit: usize) -> usize {
        let mut total = 0usize;
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            total += 1;
            match v {
                Value::Scalar(Json::String(s)) => total += s.len(),
                Value::List(items) | Value::Text(items) => stack.extend(items),
                Value::Map(m) => {
                    total += m.keys().map(String::len).sum::<usize>();
                    stack.extend(m.values());
                }
                Value::Unknown(u) => stack.push(&u.args),
                _ => {}
            }
            if total > limit {
                return limit + 1;
            }
        }
        total
    }

    /// How deep lists, maps and expressions nest in it.
    fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((v, d)) = stack.pop() {
            deepest = deepest.max(d);
            match v {
                Value::List(items) | Value::Text(items) => {
                    stack.extend(items.iter().map(|i| (i, d + 1)));
                }
                Value::Map(m) => stack.extend(m.values().map(|i| (i, d + 1))),
                Value::Unknown(u) => stack.push((&u.args, d + 1)),
                _ => {}
            }
        }
        deepest
    }
}

/// A string of parts as `Fn::Sub` when every non-literal part can be written `${X}`, else as
/// `Fn::Join` with an empty delimiter.
fn text_json(parts: &[Value]) -> Json {
    let mut sub = String::new();
    for p in parts {
        match p {
            Value::Scalar(s) => {
                sub.push_str(&scalar_text(s).unwrap_or_default().replace("${", "${!"));
            }
            Value::Resource(r) => match &r.attribute {
                None => sub.push_str(&format!("${{{}}}", r.logical_id)),
                Some(a) => sub.push_str(&format!("${{{}.{a}}}", r.logical_id)),
            },
            Value::Unknown(u) if u.function == "Ref" => match &u.args {
                Value::Scalar(Json::String(name)) => sub.push_str(&format!("${{{name}}}")),
                _ => return join_json(parts),
            },
            _ => return join_json(parts),
        }
    }
    serde_json::json!({ "Fn::Sub": sub })
}

fn join_json(parts: &[Value]) -> Json {
    serde_json::json!({"Fn::Join": ["", parts.iter().map(Value::to_json).collect::<Vec<_>>()]})
}

/// One part of a string, for comparing strings made of parts.
#[derive(Debug, Clone, PartialEq)]
enum Part<'v> {
    Literal(String),
    Other(&'v Value),
}

/// A string-like value as parts (adjacent literals merged, empty ones dropped); `None` when
/// the value is not a string.
fn parts(v: &Value) -> Option<Vec<Part<'_>>> {
    let items: Vec<&Value> = match v {
        Value::Text(items) => items.iter().collect(),
        Value::Scalar(Json::Null) => return None,
        Value::Scalar(_) | Value::Resource(_) => vec![v],
        _ => return None,
    };
    let mut out: Vec<Part<'_>> = Vec::new();
    for item in items {
        match item {
            Value::Scalar(s) => {
                let t = scalar_text(s).unwrap_or_default();
                if t.is_empty() {
                    continue;
                }
                match out.last_mut() {
                    Some(Part::Literal(prev)) => prev.push_str(&t),
                    _ => out.push(Part::Literal(t)),
                }
            }
            other => out.push(Part::Other(other)),
        }
    }
    Some(out)
}

/// How two values compare, as CloudFormation would see them once everything is resolved:
/// scalars by their text (`-1` = `"-1"`), maps by key, lists in order, a resource reference
/// equal to itself unless its resource is replaced, an unknown value equal only to the same
/// unknown input, and a difference that involves an unknown value a [`Comparison::MayDiffer`].
pub fn compare(a: &Value, b: &Value) -> Comparison {
    use Comparison::{Differs, Equal, MayDiffer};
    match (a, b) {
        (Value::Unknown(x), Value::Unknown(y)) => {
            if x.function == y.function
                && x.identity == y.identity
                && compare(&x.args, &y.args) == Equal
            {
                Equal
            } else {
                MayDiffer
            }
        }
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => MayDiffer,
        (Value::NoValue, Value::NoValue) => Equal,
        (Value::NoValue, _) | (_, Value::NoValue) => Differs,
        (Value::List(x), Value::List(y)) => compare_lists(x, y),
        (Value::Map(x), Value::Map(y)) => compare_maps(x, y),
        (Value::Scalar(Json::Null), Value::Scalar(Json::Null)) => Equal,
        _ => match (parts(a), parts(b)) {
            (Some(x), Some(y)) => compare_strings(&x, &y),
            _ => Differs,
        },
    }
}

fn compare_lists(x: &[Value], y: &[Value]) -> Comparison {
    if x.len() != y.len() {
        // An unknown item may be AWS::NoValue (an `Fn::If` on an unknown condition).
        let unknown = x.iter().chain(y).any(|v| matches!(v, Value::Unknown(_)));
        return if unknown {
            Comparison::MayDiffer
        } else {
            Comparison::Differs
        };
    }
    let mut worst = Comparison::Equal;
    for (a, b) in x.iter().zip(y) {
        worst = worst.max(compare(a, b));
        if worst == Comparison::Differs {
            break;
        }
    }
    worst
}

fn compare_maps(x: &IndexMap<String, Value>, y: &IndexMap<String, Value>) -> Comparison {
    let mut worst = Comparison::Equal;
    for (k, a) in x {
        worst = worst.max(match y.get(k) {
            Some(b) => compare(a, b),
            None => missing(a),
        });
    }
    for (k, b) in y {
        if !x.contains_key(k) {
            worst = worst.max(missing(b));
        }
    }
    worst
}

/// A value on one side against nothing on the other: an unknown value may be AWS::NoValue.
fn missing(v: &Value) -> Comparison {
    if matches!(v, Value::Unknown(_)) {
        Comparison::MayDiffer
    } else {
        Comparison::Differs
    }
}

/// Strings of parts: the common leading and trailing parts stripped, what is left decides.
/// The same parts around two different literals make different strings; otherwise only two
/// references to the same resource can tell for certain.
fn compare_strings(x: &[Part<'_>], y: &[Part<'_>]) -> Comparison {
    let same = |a: &Part<'_>, b: &Part<'_>| compare_parts(a, b) == Comparison::Equal;
    let mut start = 0;
    while start < x.len() && start < y.len() && same(&x[start], &y[start]) {
        start += 1;
    }
    let mut end = 0;
    while end < x.len() - start
        && end < y.len() - start
        && same(&x[x.len() - 1 - end], &y[y.len() - 1 - end])
    {
        end += 1;
    }
    let (a, b) = (&x[start..x.len() - end], &y[start..y.len() - end]);
    let literal = |p: &[Part<'_>]| p.iter().all(|p| matches!(p, Part::Literal(_)));
    match (a, b) {
        ([], []) => Comparison::Equal,
        _ if literal(a) && literal(b) => Comparison::Differs,
        ([p], [q]) => compare_parts(p, q),
        _ => Comparison::MayDiffer,
    }
}

fn compare_parts(a: &Part<'_>, b: &Part<'_>) -> Comparison {
    match (a, b) {
        (Part::Literal(x), Part::Literal(y)) => {
            if x == y {
                Comparison::Equal
            } else {
                Comparison::Differs
            }
        }
        (Part::Other(Value::Resource(x)), Part::Other(Value::Resource(y))) => {
            compare_references(x, y)
        }
        (Part::Other(x @ Value::Unknown(_)), Part::Other(y @ Value::Unknown(_))) => compare(x, y),
        _ => Comparison::MayDiffer,
    }
}

fn compare_references(x: &Reference, y: &Reference) -> Comparison {
    if x.logical_id != y.logical_id {
        // Two resources' physical IDs differ; two attributes may be the same value.
        return if x.attribute.is_none() && y.attribute.is_none() {
            Comparison::Differs
        } else {
            Comparison::MayDiffer
        };
    }
    if x.attribute != y.attribute {
        return Comparison::MayDiffer;
    }
    match (x.fate, y.fate) {
        (a, b) if a == b => Comparison::Equal,
        (Fate::Replaced, _) | (_, Fate::Replaced) => Comparison::Differs,
        _ => Comparison::MayDiffer,
    }
}

/// `{"Ref": ...}` or `{"Fn::...": ...}`: the function's name and argument.
fn function(m: &Map<String, Json>) -> Option<(&str, &Json)> {
    if m.len() != 1 {
        return None;
    }
    m.iter()
        .next()
        .filter(|(k, _)| *k == "Ref" || k.starts_with("Fn::"))
        .map(|(k, v)| (k.as_str(), v))
}

/// A piece of a `Fn::Sub` string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubPiece<'s> {
    /// Literal text (`${!X}` already turned into `${X}`).
    Literal(String),
    /// A `${Name}` or `${Resource.Attribute}` variable.
    Variable(&'s str),
}

/// The pieces of a `Fn::Sub` string: `${Name}` variables, `${!Literal}` written as `${Literal}`,
/// and an unclosed `${` kept as text.
pub fn sub_pieces(s: &str) -> Vec<SubPiece<'_>> {
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        literal.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        if let Some(escaped) = after.strip_prefix('!') {
            literal.push_str("${");
            rest = escaped;
            continue;
        }
        match after.find('}') {
            Some(close) => {
                if !literal.is_empty() {
                    out.push(SubPiece::Literal(std::mem::take(&mut literal)));
                }
                out.push(SubPiece::Variable(&after[..close]));
                rest = &after[close + 1..];
            }
            None => {
                literal.push_str("${");
                rest = after;
            }
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(SubPiece::Literal(literal));
    }
    out
}

/// The resources an expression refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub` variables), possibly
/// with names that are parameters or not in the template; each once, in order.
pub fn references(expr: &Json) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |s: &str, out: &mut Vec<String>| {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    };
    let mut stack = vec![expr];
    while let Some(v) = stack.pop() {
        match v {
            Json::Array(items) => stack.extend(items.iter().rev()),
            Json::Object(m) => {
                match function(m) {
                    Some(("Ref", Json::String(id))) => push(id, &mut out),
                    Some(("Fn::GetAtt", Json::Array(a))) => {
                        if let Some(Json::String(id)) = a.first() {
                            push(id, &mut out);
                        }
                    }
                    Some(("Fn::GetAtt", Json::String(s))) => {
                        push(s.split('.').next().unwrap_or(s), &mut out);
                    }
                    Some(("Fn::Sub", arg)) => {
                        for var in sub_variables(arg) {
                            push(var, &mut out);
                        }
                    }
                    _ => {}
                }
                stack.extend(m.values().rev());
            }
            _ => {}
        }
    }
    out
}

/// The names a `Fn::Sub` reads from the template (not from its own variable map), each the
/// part before a `.`.
fn sub_variables(arg: &Json) -> Vec<&str> {
    let (s, map) = match arg {
        Json::String(s) => (s.as_str(), None),
        Json::Array(a) => match (a.first(), a.get(1)) {
            (Some(Json::String(s)), m) => (s.as_str(), m.and_then(Json::as_object)),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    sub_pieces(s)
        .into_iter()
        .filter_map(|p| match p {
            SubPiece::Variable(v) if !map.is_some_and(|m| m.contains_key(v)) => {
                Some(v.split('.').next().unwrap_or(v))
            }
            _ => None,
        })
        .collect()
}

/// The template's resources in dependency order: each after the resources its properties
/// refer to (`Ref`, `Fn::GetAtt`, `Fn::Sub`; `DependsOn` doesn't matter), otherwise in template
/// order; resources in a reference cycle last, in template order.
pub fn resource_order(template: &Json) -> Vec<String> {
    let Some(resources) = template.get("Resources").and_then(Json::as_object) else {
        return Vec::new();
    };
    let ids: Vec<&String> = resources.keys().collect();
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let mut waiting = vec![0usize; ids.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (i, body) in resources.values().enumerate() {
        let props = body.get("Properties").unwrap_or(&Json::Null);
        for dep in references(props) {
            if let Some(&j) = index.get(dep.as_str()) {
                if j != i {
                    waiting[i] += 1;
                    dependents[j].push(i);
                }
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..ids.len()).filter(|i| waiting[*i] == 0).collect();
    let mut done = vec![false; ids.len()];
    let mut out = Vec::with_capacity(ids.len());
    while let Some(i) = ready.pop_first() {
        done[i] = true;
        out.push(ids[i].clone());
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.insert(d);
            }
        }
    }
    out.extend((0..ids.len()).filter(|i| !done[*i]).map(|i| ids[i].clone()));
    out
}

/// The blocks of `Fn::Cidr [ip_block, count, cidr_bits]`: `count` consecutive blocks of
/// `cidr_bits` host bits each, from the start of `ip_block` (`[10.0.0.0/16, 2, 15]` gives
/// `10.0.0.0/17`, `10.0.128.0/17`). IPv4 or IPv6; `count` from 1 to 256.
pub fn cidr(ip_block: &str, count: &str, cidr_bits: &str) -> Result<Vec<String>, crate::Error> {
    cidr_blocks(ip_block, count, cidr_bits).map_err(crate::Error::Invalid)
}

fn cidr_blocks(ip_block: &str, count: &str, cidr_bits: &str) -> Result<Vec<String>, String> {
    let count: u64 = count
        .trim()
        .parse()
        .map_err(|_| format!("count {count:?} is not a number"))?;
    if !(1..=MAX_CIDR_COUNT).contains(&count) {
        return Err(format!("count {count} is not from 1 to {MAX_CIDR_COUNT}"));
    }
    let bits: u32 = cidr_bits
        .trim()
        .parse()
        .map_err(|_| format!("cidrBits {cidr_bits:?} is not a number"))?;
    let (addr, prefix) = ip_block
        .split_once('/')
        .ok_or_else(|| format!("{ip_block:?} is not a CIDR block"))?;
    let prefix: u32 = prefix
        .parse()
        .map_err(|_| format!("{ip_block:?} is not a CIDR block"))?;
    if let Ok(v4) = addr.parse::<Ipv4Addr>() {
        let blocks = blocks(u128::from(u32::from(v4)), 32, prefix, bits, count)?;
        blocks
            .into_iter()
            .map(|(net, p)| {
                u32::try_from(net)
                    .map(|n| format!("{}/{p}", Ipv4Addr::from(n)))
                    .map_err(|_| "block out of range".to_string())
            })
            .collect()
    } else if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        let blocks = blocks(u128::from(v6), 128, prefix, bits, count)?;
        Ok(blocks
            .into_iter()
            .map(|(net, p)| format!("{}/{p}", Ipv6Addr::from(net)))
            .collect())
    } else {
        Err(format!("{addr:?} is not an IP address"))
    }
}

/// `count` network addresses of `bits` host bits from the `/prefix` block holding `addr`, in an
/// address space of `width` bits; with their prefix length.
fn blocks(
    addr: u128,
    width: u32,
    prefix: u32,
    bits: u32,
    count: u64,
) -> Result<Vec<(u128, u32)>, String> {
    if prefix > width || bits > width {
        return Err(format!(
            "prefix /{prefix} or cidrBits {bits} exceeds {width} bits"
        ));
    }
    let new_prefix = width - bits;
    if new_prefix < prefix {
        return Err(format!(
            "cidrBits {bits} makes /{new_prefix} blocks, larger than the /{prefix} block"
        ));
    }
    let room = new_prefix - prefix;
    if room < 64 && count > (1u64 << room) {
        return Err(format!(
            "{count} blocks of /{new_prefix} don't fit in a /{prefix}"
        ));
    }
    let host_mask = (if prefix == 0 {
        u128::MAX
    } else {
        (1u128 << (128 - prefix)) - 1
    }) >> (128 - width);
    let space = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let base = addr & space & !host_mask;
    let step = 1u128.checked_shl(bits).unwrap_or(0);
    (0..count)
        .map(|i| {
            step.checked_mul(u128::from(i))
                .and_then(|off| base.checked_add(off))
                .map(|net| (net, new_prefix))
                .ok_or_else(|| "block out of range".to_string())
        })
        .collect()
}

/// Standard base64 with padding, as `Fn::Base64` encodes.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Evaluates one side's expressions: its parameters, conditions and resources.
///
/// Resources are evaluated one at a time ([`Evaluator::resource`]) and remembered: a
/// `Fn::GetAtt` whose attribute is a top-level property of an evaluated resource reads that
/// property's value; references to a resource carry the [`Fate`] set with
/// [`Evaluator::set_fate`] (so evaluate in [`resource_order`]).
pub struct Evaluator<'a> {
    side: Side<'a>,
    ctx: &'a Context,
    conditions: HashMap<String, Truth>,
    pending: HashSet<String>,
    resources: HashMap<String, Evaluated>,
    fates: HashMap<String, Fate>,
    depth: usize,
    budget: usize,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of `side` in `ctx`; every resource [`Fate::Kept`] until told otherwise.
    pub fn new(side: Side<'a>, ctx: &'a Context) -> Self {
        Self {
            side,
            ctx,
            conditions: HashMap::new(),
            pending: HashSet::new(),
            resources: HashMap::new(),
            fates: HashMap::new(),
            depth: 0,
            budget: BUDGET,
        }
    }

    /// What references to resource `logical_id` see from now on.
    pub fn set_fate(&mut self, logical_id: &str, fate: Fate) {
        self.fates.insert(logical_id.to_string(), fate);
    }

    fn section(&self, name: &str) -> Option<&'a Map<String, Json>> {
        self.side.template.get(name).and_then(Json::as_object)
    }

    fn raw_resource(&self, id: &str) -> Option<&'a Json> {
        self.section("Resources").and_then(|r| r.get(id))
    }

    /// Resource `logical_id` evaluated on this side (once; later calls return the same);
    /// `None` when the template has no such resource.
    pub fn resource(&mut self, logical_id: &str) -> Option<&Evaluated> {
        if !self.resources.contains_key(logical_id) {
            let body = self.raw_resource(logical_id)?;
            let present = self.presence(logical_id);
            let properties = match (&present, body.get("Properties")) {
                (Truth::False, _) | (_, None) => Value::Map(IndexMap::new()),
                (_, Some(p)) => match self.value(p) {
                    Value::NoValue => Value::Map(IndexMap::new()),
                    v => v,
                },
            };
            self.resources.insert(
                logical_id.to_string(),
                Evaluated {
                    present,
                    properties,
                },
            );
        }
        self.resources.get(logical_id)
    }

    /// Whether resource `id` is in the stack on this side: its `Condition`.
    fn presence(&mut self, id: &str) -> Truth {
        match self.raw_resource(id).and_then(|r| r.get("Condition")) {
            None => Truth::True,
            Some(Json::String(name)) => self.condition(name),
            Some(other) => Truth::Unknown(unknown("Condition", Value::Scalar(other.clone()), None)),
        }
    }

    /// Condition `name` of the template's `Conditions`, evaluated (once).
    pub fn condition(&mut self, name: &str) -> Truth {
        if let Some(t) = self.conditions.get(name) {
            return t.clone();
        }
        let cycle = Truth::Unknown(unknown("Condition", string(name), None));
        let Some(expr) = self.section("Conditions").and_then(|c| c.get(name)) else {
            return cycle;
        };
        if !self.pending.insert(name.to_string()) {
            return cycle;
        }
        let t = self.truth(expr);
        self.pending.remove(name);
        self.conditions.insert(name.to_string(), t.clone());
        t
    }

    /// A condition expression: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`, or a
    /// value that is `true` or `false`.
    pub fn truth(&mut self, expr: &Json) -> Truth {
        if self.depth >= MAX_DEPTH {
            return Truth::Unknown(unknown("Condition", string("(too deep)"), None));
        }
        self.depth += 1;
        let t = self.truth_inner(expr);
        self.depth -= 1;
        t
    }

    fn truth_inner(&mut self, expr: &Json) -> Truth {
        let call = expr
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next());
        let args = |v: &Json| v.as_array().cloned().unwrap_or_default();
        match call {
            Some((f, arg)) if f == "Fn::Equals" => {
                let a = args(arg);
                let (x, y) = match (a.first(), a.get(1)) {
                    (Some(x), Some(y)) if a.len() == 2 => (self.value(x), self.value(y)),
                    _ => return Truth::Unknown(unknown(f, Value::Scalar(arg.clone()), None)),
                };
                match compare(&x, &y) {
                    Comparison::Equal => Truth::True,
                    Comparison::Differs => Truth::False,
                    Comparison::MayDiffer => {
                        Truth::Unknown(unknown(f, Value::List(vec![x, y]), None))
                    }
                }
            }
            Some((f, arg)) if f == "Fn::Not" => match args(arg).first().map(|c| self.truth(c)) {
                Some(Truth::True) => Truth::False,
                Some(Truth::False) => Truth::True,
                Some(Truth::Unknown(v)) => Truth::Unknown(unknown(f, Value::List(vec![v]), None)),
                None => Truth::Unknown(unknown(f, Value::Scalar(arg.clone()), None)),
            },
            Some((f, arg)) if f == "Fn::And" || f == "Fn::Or" => self.connective(f, &args(arg)),
            Some((f, Json::String(name))) if f == "Condition" => self.condition(name),
            _ => match self.value(expr) {
                Value::Scalar(Json::Bool(b)) => Truth::of(b),
                Value::Scalar(Json::String(s)) if s == "true" || s == "false" => {
                    Truth::of(s == "true")
                }
                other => Truth::Unknown(other),
            },
        }
    }

    /// `Fn::And` / `Fn::Or`: a false (true) operand decides, else all known decide, else unknown.
    fn connective(&mut self, f: &str, operands: &[Json]) -> Truth {
        let decisive = if f == "Fn::And" {
            Truth::False
        } else {
            Truth::True
        };
        let mut unknowns = Vec::new();
        for c in operands {
            match self.truth(c) {
                t @ (Truth::True | Truth::False) if t == decisive => return t,
                Truth::Unknown(v) => unknowns.push(v),
                _ => {}
            }
        }
        if operands.is_empty() {
            return Truth::Unknown(unknown(f, Value::List(Vec::new()), None));
        }
        if unknowns.is_empty() {
            Truth::of(decisive == Truth::False)
        } else {
            Truth::Unknown(unknown(f, Value::List(unknowns), None))
        }
    }

    /// Spends `n` of the budget; false (and nothing spent) when it doesn't have that much.
    fn spend(&mut self, n: usize) -> bool {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => false,
        }
    }

    /// A JSON value taken as it is (mapping values, arguments of functions not evaluated).
    fn literal(&mut self, j: &Json) -> Value {
        if self.depth >= MAX_DEPTH {
            return unknown(
                "(too deep)",
                Value::Scalar(Json::Null),
                Some(digest(&j.to_string())),
            );
        }
        self.depth += 1;
        let v = match j {
            Json::Array(items) => Value::List(items.iter().map(|i| self.literal(i)).collect()),
            Json::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.literal(v)))
                    .collect(),
            ),
            scalar => Value::Scalar(scalar.clone()),
        };
        self.depth -= 1;
        v
    }

    /// An expression evaluated through every intrinsic function this side can resolve.
    pub fn value(&mut self, expr: &Json) -> Value {
        if self.depth >= MAX_DEPTH {
            return unknown(
                "(too deep)",
                Value::Scalar(Json::Null),
                Some(digest(&expr.to_string())),
            );
        }
        self.depth += 1;
        let v = match expr {
            Json::Array(items) => Value::List(
                items
                    .iter()
                    .map(|i| self.value(i))
                    .filter(|v| *v != Value::NoValue)
                    .collect(),
            ),
            Json::Object(m) => match function(m) {
                Some((name, arg)) => self.call(name, arg),
                None => Value::Map(
                    m.iter()
                        .map(|(k, v)| (k.clone(), self.value(v)))
                        .filter(|(_, v)| *v != Value::NoValue)
                        .collect(),
                ),
            },
            scalar => Value::Scalar(scalar.clone()),
        };
        self.depth -= 1;
        v
    }

    fn call(&mut self, name: &str, arg: &Json) -> Value {
        match name {
            "Ref" => match arg {
                Json::String(id) => self.reference(id),
                _ => self.opaque(name, arg),
            },
            "Fn::GetAtt" => self.get_att(arg),
            "Fn::Sub" => self.sub(arg),
            "Fn::Join" => self.join(arg),
            "Fn::Select" => self.select(arg),
            "Fn::Split" => self.split(arg),
            "Fn::Cidr" => self.cidr(arg),
            "Fn::FindInMap" => self.find_in_map(arg),
            "Fn::If" => self.if_(arg),
            "Fn::GetAZs" => self.get_azs(arg),
            "Fn::Base64" => match self.value(arg) {
                Value::Scalar(s) if scalar_text(&s).is_some() => {
                    let text = scalar_text(&s).unwrap_or_default();
                    self.text_result(
                        name,
                        vec![string(base64(text.as_bytes()))],
                        Value::Scalar(s),
                    )
                }
                v => unknown(name, v, None),
            },
            "Fn::ImportValue" => {
                let v = self.value(arg);
                unknown(name, v, None)
            }
            "Fn::Length" => match self.value(arg) {
                Value::List(items) => Value::Scalar(Json::from(items.len())),
                v => unknown(name, v, None),
            },
            "Fn::ToJsonString" => {
                let v = self.value(arg);
                if v.is_concrete() {
                    let text = v.to_json().to_string();
                    self.text_result(name, vec![string(text)], v)
                } else {
                    unknown(name, v, None)
                }
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mut m = Map::new();
                m.insert(name.to_string(), arg.clone());
                self.truth(&Json::Object(m)).to_value()
            }
            _ => self.opaque(name, arg),
        }
    }

    /// A function this evaluator doesn't resolve (or given arguments it can't use): unknown,
    /// identified by its arguments as written.
    fn opaque(&mut self, name: &str, arg: &Json) -> Value {
        let args = self.literal(arg);
        unknown(name, args, None)
    }

    /// A string from parts, within [`MAX_TEXT`] and the budget (else unknown: `name` of `args`).
    fn text_result(&mut self, name: &str, parts: Vec<Value>, args: Value) -> Value {
        let mut built = Parts::default();
        for p in parts {
            if !built.push(p) {
                return too_large(name, &args);
            }
        }
        self.built(name, built, &args)
    }

    /// A string built within [`MAX_TEXT`], once the budget pays for it.
    fn built(&mut self, name: &str, parts: Parts, args: &Value) -> Value {
        if !self.spend(parts.len) {
            return too_large(name, args);
        }
        text(parts.items)
    }

    /// `Ref`: a parameter's value, a pseudo parameter, a resource's physical ID.
    fn reference(&mut self, name: &str) -> Value {
        if name == "AWS::NoValue" {
            return Value::NoValue;
        }
        if name.starts_with("AWS::") {
            return self.pseudo(name);
        }
        if let Some(decl) = self.section("Parameters").and_then(|p| p.get(name)) {
            return self.parameter(name, decl);
        }
        if self.raw_resource(name).is_some() {
            return self.resource_value(name, None);
        }
        unknown("Ref", string(name), None)
    }

    fn pseudo(&self, name: &str) -> Value {
        let region = self.ctx.region.as_deref();
        let known = match name {
            "AWS::Region" => self.ctx.region.clone(),
            "AWS::AccountId" => self.ctx.account_id.clone(),
            "AWS::StackName" => self.ctx.stack_name.clone(),
            "AWS::StackId" => self.ctx.stack_id.clone(),
            "AWS::Partition" => region.map(|r| partition::of(r).name.to_string()),
            "AWS::URLSuffix" => region.map(|r| partition::of(r).url_suffix.to_string()),
            _ => None,
        };
        known.map_or_else(|| unknown("Ref", string(name), None), string)
    }

    /// A parameter's value, typed: a `List<...>` or `CommaDelimitedList` is a list (items
    /// trimmed), a `Number` a number; a `NoEcho` value or an SSM parameter's is unknown (the
    /// same value compares equal).
    fn parameter(&self, name: &str, decl: &Json) -> Value {
        let Some(text) = self.side.parameter(name) else {
            return unknown("Ref", string(name), None);
        };
        let ty = decl.get("Type").and_then(Json::as_str).unwrap_or("String");
        if is_no_echo(decl) || ty.starts_with("AWS::SSM::Parameter::Value<") {
            return unknown("Ref", string(name), Some(digest(&text)));
        }
        if ty == "CommaDelimitedList" || ty.starts_with("List<") {
            return Value::List(text.split(',').map(|s| string(s.trim())).collect());
        }
        if ty == "Number" {
            if let Ok(n) = text.parse::<serde_json::Number>() {
                return Value::Scalar(Json::Number(n));
            }
        }
        string(text)
    }

    /// A resource's physical ID or attribute on this side: unknown when its condition is false
    /// here (CloudFormation refuses such a reference).
    fn resource_value(&mut self, id: &str, attribute: Option<String>) -> Value {
        if self.presence(id) == Truth::False {
            let args = match &attribute {
                None => string(id),
                Some(a) => Value::List(vec![string(id), string(a.clone())]),
            };
            let f = if attribute.is_some() {
                "Fn::GetAtt"
            } else {
                "Ref"
            };
            return unknown(f, args, None);
        }
        Value::Resource(Reference {
            logical_id: id.to_string(),
            attribute,
            fate: self.fates.get(id).copied().unwrap_or_default(),
        })
    }

    fn get_att(&mut self, arg: &Json) -> Value {
        let (id, attribute) = match arg {
            Json::String(s) => match s.split_once('.') {
                Some((id, a)) => (id.to_string(), string(a)),
                None => return self.opaque("Fn::GetAtt", arg),
            },
            Json::Array(a) if a.len() == 2 => match (&a[0], &a[1]) {
                (Json::String(id), attr) => (id.clone(), self.value(attr)),
                _ => return self.opaque("Fn::GetAtt", arg),
            },
            _ => return self.opaque("Fn::GetAtt", arg),
        };
        match attribute {
            Value::Scalar(Json::String(a)) => self.attribute(&id, &a),
            other => unknown("Fn::GetAtt", Value::List(vec![string(id), other]), None),
        }
    }

    /// `Fn::GetAtt id.attribute`: the value of the property of that name when the resource is
    /// evaluated and has it, else the attribute as a reference.
    fn attribute(&mut self, id: &str, attribute: &str) -> Value {
        if self.raw_resource(id).is_none() {
            return unknown(
                "Fn::GetAtt",
                Value::List(vec![string(id), string(attribute)]),
                None,
            );
        }
        let copied = match self.resources.get(id) {
            Some(Evaluated {
                properties: Value::Map(m),
                present,
            }) if *present != Truth::False && !attribute.contains('.') => m.get(attribute).cloned(),
            _ => None,
        };
        if let Some(v) = copied {
            let size = v.size(MAX_COPIED);
            if size <= MAX_COPIED && self.depth + v.depth() <= MAX_DEPTH && self.spend(size) {
                return v;
            }
        }
        self.resource_value(id, Some(attribute.to_string()))
    }

    fn sub(&mut self, arg: &Json) -> Value {
        let (s, vars) = match arg {
            Json::String(s) => (s, None),
            Json::Array(a) => match (a.first(), a.get(1), a.len()) {
                (Some(Json::String(s)), None, 1) => (s, None),
                (Some(Json::String(s)), Some(Json::Object(m)), 2) => (s, Some(m)),
                _ => return self.opaque("Fn::Sub", arg),
            },
            _ => return self.opaque("Fn::Sub", arg),
        };
        let mut values: HashMap<&str, Value> = HashMap::new();
        for (k, v) in vars.into_iter().flatten() {
            let v = self.value(v);
            values.insert(k, v);
        }
        let mut parts = Parts::default();
        for piece in sub_pieces(s) {
            let v = match piece {
                SubPiece::Literal(t) => string(t),
                SubPiece::Variable(name) => match values.get(name) {
                    Some(v) => v.clone(),
                    None => match name.split_once('.') {
                        Some((id, attribute)) => self.attribute(id, attribute),
                        None => self.reference(name),
                    },
                },
            };
            match text_part(v).map(|p| parts.push(p)) {
                Some(true) => {}
                Some(false) => return too_large("Fn::Sub", &Value::Scalar(arg.clone())),
                None => return self.opaque("Fn::Sub", arg),
            }
        }
        self.built("Fn::Sub", parts, &Value::Scalar(arg.clone()))
    }

    fn join(&mut self, arg: &Json) -> Value {
        let Some([delimiter, list]) = pair(arg) else {
            return self.opaque("Fn::Join", arg);
        };
        let delimiter = match self.value(delimiter) {
            Value::Scalar(s) => scalar_text(&s),
            _ => None,
        };
        let Some(delimiter) = delimiter else {
            return self.opaque("Fn::Join", arg);
        };
        let items = match self.value(list) {
            Value::List(items) => items,
            other => {
                return unknown(
                    "Fn::Join",
                    Value::List(vec![string(delimiter), other]),
                    None,
                )
            }
        };
        let mut parts = Parts::default();
        let mut strings = true;
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !delimiter.is_empty() && !parts.push(string(delimiter.clone())) {
                return too_large("Fn::Join", &Value::List(items));
            }
            match text_part(item.clone()).map(|p| parts.push(p)) {
                Some(true) => {}
                Some(false) => return too_large("Fn::Join", &Value::List(items)),
                None => {
                    strings = false;
                    break;
                }
            }
        }
        let args = Value::List(vec![string(delimiter), Value::List(items)]);
        if !strings {
            return unknown("Fn::Join", args, None);
        }
        self.built("Fn::Join", parts, &args)
    }

    fn select(&mut self, arg: &Json) -> Value {
        let Some([index, list]) = pair(arg) else {
            return self.opaque("Fn::Select", arg);
        };
        let (index, list) = (self.value(index), self.value(list));
        let at = match &index {
            Value::Scalar(s) => scalar_text(s).and_then(|t| t.trim().parse::<usize>().ok()),
            _ => None,
        };
        match (at, list) {
            (Some(i), Value::List(items)) if i < items.len() => {
                items.into_iter().nth(i).unwrap_or(Value::NoValue)
            }
            (_, list) => unknown("Fn::Select", Value::List(vec![index, list]), None),
        }
    }

    fn split(&mut self, arg: &Json) -> Value {
        let Some([delimiter, source]) = pair(arg) else {
            return self.opaque("Fn::Split", arg);
        };
        let (delimiter, source) = (self.value(delimiter), self.value(source));
        match (&delimiter, &source) {
            (Value::Scalar(Json::String(d)), Value::Scalar(s))
                if !d.is_empty() && scalar_text(s).is_some() =>
            {
                let text = scalar_text(s).unwrap_or_default();
                let items: Vec<Value> = text.split(d.as_str()).map(string).collect();
                if self.spend(items.len() * 8) {
                    return Value::List(items);
                }
                unknown("Fn::Split", string("(too large)"), Some(digest(&text)))
            }
            _ => unknown("Fn::Split", Value::List(vec![delimiter, source]), None),
        }
    }

    fn cidr(&mut self, arg: &Json) -> Value {
        let items = match arg {
            Json::Array(a) if a.len() == 3 => a,
            _ => return self.opaque("Fn::Cidr", arg),
        };
        let values: Vec<Value> = items.iter().map(|i| self.value(i)).collect();
        let texts: Vec<Option<String>> = values
            .iter()
            .map(|v| match v {
                Value::Scalar(s) => scalar_text(s),
                _ => None,
            })
            .collect();
        if let [Some(block), Some(count), Some(bits)] = texts.as_slice() {
            if let Ok(blocks) = cidr(block, count, bits) {
                return Value::List(blocks.into_iter().map(string).collect());
            }
        }
        unknown("Fn::Cidr", Value::List(values), None)
    }

    fn find_in_map(&mut self, arg: &Json) -> Value {
        let items = match arg {
            Json::Array(a) if a.len() == 3 || a.len() == 4 => a,
            _ => return self.opaque("Fn::FindInMap", arg),
        };
        let keys: Vec<Value> = items[..3].iter().map(|k| self.value(k)).collect();
        let texts: Vec<Option<String>> = keys
            .iter()
            .map(|k| match k {
                Value::Scalar(s) => scalar_text(s),
                _ => None,
            })
            .collect();
        let mappings = self.section("Mappings");
        if let [Some(map), Some(top), Some(second)] = texts.as_slice() {
            let found = mappings
                .and_then(|m| m.get(map))
                .and_then(|m| m.get(top))
                .and_then(|m| m.get(second));
            if let Some(found) = found {
                return self.literal(found);
            }
            if let Some(default) = items.get(3).and_then(|d| d.get("DefaultValue")) {
                return self.value(default);
            }
            return unknown("Fn::FindInMap", Value::List(keys), None);
        }
        // Unknown keys: the value depends on the mapping's contents.
        let read = match &texts[0] {
            Some(map) => mappings.and_then(|m| m.get(map)),
            None => None,
        };
        let identity = digest(&read.map_or_else(|| format!("{mappings:?}"), Json::to_string));
        unknown("Fn::FindInMap", Value::List(keys), Some(identity))
    }

    fn if_(&mut self, arg: &Json) -> Value {
        let (name, then, otherwise) = match arg {
            Json::Array(a) if a.len() == 3 => match &a[0] {
                Json::String(name) => (name, &a[1], &a[2]),
                _ => return self.opaque("Fn::If", arg),
            },
            _ => return self.opaque("Fn::If", arg),
        };
        match self.condition(name) {
            Truth::True => self.value(then),
            Truth::False => self.value(otherwise),
            Truth::Unknown(c) => {
                let branches = vec![
                    string(name.clone()),
                    self.value(then),
                    self.value(otherwise),
                ];
                unknown(
                    "Fn::If",
                    Value::List(branches),
                    Some(digest(&format!("{c:?}"))),
                )
            }
        }
    }

    fn get_azs(&mut self, arg: &Json) -> Value {
        let region = self.value(arg);
        let here = match &region {
            Value::Scalar(Json::String(r)) => {
                r.is_empty() || self.ctx.region.as_deref() == Some(r.as_str())
            }
            Value::Unknown(u) => u.function == "Ref" && u.args == string("AWS::Region"),
            _ => false,
        };
        match (&self.ctx.zones, here) {
            (Some(zones), true) => Value::List(zones.iter().map(|z| string(z.clone())).collect()),
            _ => unknown("Fn::GetAZs", region, None),
        }
    }
}

/// A string being built from parts, its length counted as it grows (non-literal parts by
/// their size).
#[derive(Default)]
struct Parts {
    items: Vec<Value>,
    len: usize,
}

impl Parts {
    /// Adds a part; false (and the part dropped) when the string would pass [`MAX_TEXT`].
    fn push(&mut self, part: Value) -> bool {
        let len = match &part {
            Value::Scalar(s) => scalar_text(s).map_or(0, |t| t.len()),
            other => other.size(MAX_TEXT),
        };
        self.len = self.len.saturating_add(len);
        if self.len > MAX_TEXT {
            return false;
        }
        self.items.push(part);
        true
    }
}

/// A string too large to build: unknown, identified by what would have built it.
fn too_large(name: &str, args: &Value) -> Value {
    unknown(
        name,
        string("(too large)"),
        Some(digest(&format!("{args:?}"))),
    )
}

/// The two items of a two-item argument list.
fn pair(arg: &Json) -> Option<[&Json; 2]> {
    match arg {
        Json::Array(a) if a.len() == 2 => Some([&a[0], &a[1]]),
        _ => None,
    }
}

/// A value as part of a string: scalars as their text; references, unknowns and strings of
/// parts as they are; `None` for lists, maps, null and AWS::NoValue.
fn text_part(v: Value) -> Option<Value> {
    match v {
        Value::Scalar(s) => scalar_text(&s).map(string),
        Value::Resource(_) | Value::Unknown(_) | Value::Text(_) => Some(v),
        Value::List(_) | Value::Map(_) | Value::NoValue => None,
    }
}

/// Parts joined into one value: a literal string when every part is one, the single part when
/// there is one, else [`Value::Text`] with nested texts flattened and literals merged.
fn text(parts: Vec<Value>) -> Value {
    let mut out: Vec<Value> = Vec::new();
    let mut flat = Vec::new();
    for p in parts {
        match p {
            Value::Text(inner) => flat.extend(inner),
            other => flat.push(other),
        }
    }
    for p in flat {
        match (out.last_mut(), p) {
            (_, Value::Scalar(Json::String(s))) if s.is_empty() => {}
            (Some(Value::Scalar(Json::String(prev))), Value::Scalar(Json::String(s))) => {
                prev.push_str(&s)
            }
            (_, p) => out.push(p),
        }
    }
    match out.len() {
        0 => string(""),
        1 => out.pop().unwrap_or_else(|| string("")),
        _ => Value::Text(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Context {
        Context {
            region: Some("us-east-1".into()),
            account_id: Some("123456789012".into()),
            stack_name: Some("s".into()),
            stack_id: None,
            zones: Some(vec!["us-east-1a".into(), "us-east-1b".into()]),
        }
    }

    /// `expr` evaluated in `template` with `params`, in [`ctx`].
    fn eval_in(
        template: &Json,
        params: &[(&str, Option<&str>)],
        expr: &Json,
        ctx: &Context,
    ) -> Value {
        let params: IndexMap<String, Option<String>> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect();
        let side = Side {
            template,
            parameters: &params,
        };
        let mut e = Evaluator::new(side, ctx);
        for id in resource_order(template) {
            e.resource(&id);
        }
        e.value(expr)
    }

    fn eval(template: &Json, expr: Json) -> Value {
        eval_in(template, &[], &expr, &ctx())
    }

    fn s(v: &str) -> Value {
        string(v)
    }

    fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|i| s(i)).collect())
    }

    fn is_unknown(v: &Value) -> bool {
        matches!(v, Value::Unknown(_))
    }

    #[test]
    fn cidr_splits_a_block_by_host_bits() {
        let ok = |b: &str, c: &str, bits: &str| cidr(b, c, bits).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ok("10.0.0.0/16", "2", "15"),
            ["10.0.0.0/17", "10.0.128.0/17"]
        );
        assert_eq!(
            ok("10.1.0.0/16", "2", "15"),
            ["10.1.0.0/17", "10.1.128.0/17"]
        );
        assert_eq!(
            ok("10.0.0.0/16", "4", "8"),
            ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
        );
        assert_eq!(
            ok("192.168.0.0/24", "6", "5"),
            [
                "192.168.0.0/27",
                "192.168.0.32/27",
                "192.168.0.64/27",
                "192.168.0.96/27",
                "192.168.0.128/27",
                "192.168.0.160/27"
            ]
        );
        let all = ok("10.1.0.0/16", "256", "8");
        assert_eq!((all.len(), all[255].as_str()), (256, "10.1.255.0/24"));
        // The block's host bits are ignored; a single address is /32.
        assert_eq!(ok("10.0.5.7/16", "1", "8"), ["10.0.0.0/24"]);
        assert_eq!(ok("10.0.0.0/16", "2", "0"), ["10.0.0.0/32", "10.0.0.1/32"]);
        assert_eq!(ok("0.0.0.0/0", "2", "31"), ["0.0.0.0/1", "128.0.0.0/1"]);
        assert_eq!(
            ok("2001:db8::/56", "3", "64"),
            ["2001:db8::/64", "2001:db8:0:1::/64", "2001:db8:0:2::/64"]
        );
        for (b, c, bits) in [
            ("10.0.0.0/16", "3", "15"), // only two /17s fit
            ("10.0.0.0/16", "1", "17"), // a /15 is larger than the block
            ("10.0.0.0/16", "0", "8"),  // no blocks
            ("10.0.0.0/8", "257", "8"), // more than 256
            ("10.0.0.0/16", "1", "33"), // more host bits than an address
            ("10.0.0.0", "1", "8"),     // no prefix
            ("10.0.0.0/33", "1", "8"),  // prefix too long
            ("nonsense/8", "1", "8"),   // no address
            ("10.0.0.0/16", "x", "8"),  // no count
            ("::/0", "99999999999999999999", "8"),
        ] {
            assert!(cidr(b, c, bits).is_err(), "{b} {c} {bits}");
        }
        // In a template, numbers may be numbers or strings; a bad call is unknown.
        let t = json!({});
        assert_eq!(
            eval(&t, json!({"Fn::Cidr": ["10.0.0.0/16", 2, "15"]})),
            strings(&["10.0.0.0/17", "10.0.128.0/17"])
        );
        assert!(is_unknown(&eval(
            &t,
            json!({"Fn::Cidr": ["10.0.0.0/16", 1000, 8]})
        )));
        assert!(is_unknown(&eval(
            &t,
            json!({"Fn::Cidr": ["10.0.0.0/16", 2]})
        )));
    }

    #[test]
    fn sub_with_and_without_a_map_and_escapes() {
        let t = json!({
            "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "Secret": {"Type": "String"}},
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}
        });
        assert_eq!(
            eval(
                &t,
                json!({"Fn::Sub": "${Env}-${AWS::Region}-${AWS::AccountId}"})
            ),
            s("prod-us-east-1-123456789012")
        );
        assert_eq!(
            eval(
                &t,
                json!({"Fn::Sub": ["${Name}/${Env}", {"Name": {"Fn::Join": ["-", ["a", "b"]]}}]})
            ),
            s("a-b/prod")
        );
        // A map variable shadows a parameter of the same name.
        assert_eq!(
            eval(&t, json!({"Fn::Sub": ["${Env}", {"Env": "dev"}]})),
            s("dev")
        );
        assert_eq!(
            eval(&t, json!({"Fn::Sub": "${!Env} is ${Env}"})),
            s("${Env} is prod")
        );
        assert_eq!(
            eval(&t, json!({"Fn::Sub": "open ${ only"})),
            s("open ${ only")
        );
        // Resources are references; a string of parts reads as a Fn::Sub again.
        let v = eval(&t, json!({"Fn::Sub": "s3://${Bucket}/x/${Bucket.Arn}"}));
        assert_eq!(
            v.to_json(),
            json!({"Fn::Sub": "s3://${Bucket}/x/${Bucket.Arn}"})
        );
        let v = eval(&t, json!({"Fn::Sub": "${Secret}-${AWS::StackId}"}));
        assert_eq!(v.to_json(), json!({"Fn::Sub": "${Secret}-${AWS::StackId}"}));
        // `!Sub "${AWS::Region}"` is `!Ref AWS::Region`, `!Sub "${Bucket}"` is `!Ref Bucket`.
        assert_eq!(
            eval(&t, json!({"Fn::Sub": "${AWS::Region}"})),
            eval(&t, json!({"Ref": "AWS::Region"}))
        );
        assert_eq!(
            eval(&t, json!({"Fn::Sub": "${Bucket}"})),
            eval(&t, json!({"Ref": "Bucket"}))
        );
        assert_eq!(
            sub_pieces("a${!b}${c}${d.e}"),
            [
                SubPiece::Literal("a${b}".into()),
                SubPiece::Variable("c"),
                SubPiece::Variable("d.e")
            ]
        );
    }

    #[test]
    fn find_in_map_with_and_without_a_default() {
        let t = json!({
            "Parameters": {"Key": {"Type": "String"}},
            "Mappings": {"Net": {"VPC": {"CIDR0": "10.0.0.0/16", "List": ["a", "b"]}}}
        });
        assert_eq!(
            eval(&t, json!({"Fn::FindInMap": ["Net", "VPC", "CIDR0"]})),
            s("10.0.0.0/16")
        );
        assert_eq!(
            eval(&t, json!({"Fn::FindInMap": ["Net", "VPC", "List"]})),
            strings(&["a", "b"])
        );
        assert_eq!(
            eval(
                &t,
                json!({"Fn::FindInMap": ["Net", "VPC", "Missing", {"DefaultValue": {"Ref": "AWS::Region"}}]})
            ),
            s("us-east-1")
        );
        assert_eq!(
            eval(
                &t,
                json!({"Fn::FindInMap": ["Net", "VPC", "CIDR0", {"DefaultValue": "d"}]})
            ),
            s("10.0.0.0/16")
        );
        assert!(is_unknown(&eval(
            &t,
            json!({"Fn::FindInMap": ["Net", "VPC", "Missing"]})
        )));
        // An unknown key: unknown, and another mapping is another unknown.
        let by_key = json!({"Fn::FindInMap": ["Net", {"Ref": "Key"}, "CIDR0"]});
        let a = eval(&t, by_key.clone());
        assert!(is_unknown(&a));
        assert_eq!(compare(&a, &eval(&t, by_key.clone())), Comparison::Equal);
        let mut changed = t.clone();
        changed["Mappings"]["Net"]["VPC"]["CIDR0"] = json!("10.2.0.0/16");
        assert_eq!(compare(&a, &eval(&changed, by_key)), Comparison::MayDiffer);
    }

    #[test]
    fn if_with_nested_conditions() {
        let t = json!({
            "Parameters": {"Env": {"Type": "String", "Default": "prod"}, "Other": {"Type": "String"}},
            "Conditions": {
                "Prod": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "NotProd": {"Fn::Not": [{"Condition": "Prod"}]},
                "East": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
                "ProdEast": {"Fn::And": [{"Condition": "Prod"}, {"Fn::Or": [{"Condition": "East"}, {"Condition": "NotProd"}]}]},
                "Unsure": {"Fn::Equals": [{"Ref": "Other"}, "x"]},
                "UnsureOrProd": {"Fn::Or": [{"Condition": "Unsure"}, {"Condition": "Prod"}]},
                "UnsureAndProd": {"Fn::And": [{"Condition": "Unsure"}, {"Condition": "Prod"}]},
                "Loop": {"Fn::Not": [{"Condition": "Loop"}]}
            }
        });
        let pick = |t: &Json, c: &str, params: &[(&str, Option<&str>)]| {
            eval_in(t, params, &json!({"Fn::If": [c, "yes", "no"]}), &ctx())
        };
        assert_eq!(pick(&t, "Prod", &[]), s("yes"));
        assert_eq!(pick(&t, "NotProd", &[]), s("no"));
        assert_eq!(pick(&t, "ProdEast", &[]), s("yes"));
        assert_eq!(pick(&t, "ProdEast", &[("Env", Some("dev"))]), s("no"));
        let west = Context {
            region: Some("us-west-2".into()),
            ..ctx()
        };
        assert_eq!(
            eval_in(
                &t,
                &[],
                &json!({"Fn::If": ["ProdEast", "yes", "no"]}),
                &west
            ),
            s("no")
        );
        // Three-valued: an unknown operand decides nothing a known one decides.
        assert_eq!(pick(&t, "UnsureOrProd", &[]), s("yes"));
        assert!(is_unknown(&pick(&t, "UnsureAndProd", &[])));
        assert_eq!(pick(&t, "UnsureAndProd", &[("Env", Some("dev"))]), s("no"));
        let unsure = pick(&t, "Unsure", &[]);
        assert_eq!(unsure.to_json(), json!({"Fn::If": ["Unsure", "yes", "no"]}));
        // A condition that refers to itself is unknown, not a stack overflow.
        assert!(is_unknown(&pick(&t, "Loop", &[])));
        // AWS::NoValue removes the key or item.
        let v = eval(
            &t,
            json!({"A": {"Fn::If": ["Prod", {"Ref": "AWS::NoValue"}, 1]}, "B": [1, {"Fn::If": ["NotProd", 2, {"Ref": "AWS::NoValue"}]}]}),
        );
        assert_eq!(v.to_json(), json!({"B": [1]}));
    }

    #[test]
    fn select_join_split_and_the_rest() {
        let t = json!({
            "Parameters": {
                "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "subnet-a, subnet-b"},
                "Names": {"Type": "CommaDelimitedList", "Default": "x,y,z"},
                "Size": {"Type": "Number", "Default": 3},
                "Unset": {"Type": "CommaDelimitedList"}
            }
        });
        assert_eq!(
            eval(&t, json!({"Ref": "Subnets"})),
            strings(&["subnet-a", "subnet-b"])
        );
        assert_eq!(eval(&t, json!({"Ref": "Size"})), Value::Scalar(json!(3)));
        assert_eq!(
            eval(&t, json!({"Fn::Select": [1, {"Ref": "Names"}]})),
            s("y")
        );
        assert_eq!(eval(&t, json!({"Fn::Select": ["0", ["a", "b"]]})), s("a"));
        // Out of range, a bad index, an unknown list: unknown, never a panic.
        for bad in [
            json!({"Fn::Select": [3, {"Ref": "Names"}]}),
            json!({"Fn::Select": [-1, ["a"]]}),
            json!({"Fn::Select": ["99999999999999999999", ["a"]]}),
            json!({"Fn::Select": [0, {"Ref": "Unset"}]}),
            json!({"Fn::Select": [0]}),
        ] {
            assert!(is_unknown(&eval(&t, bad.clone())), "{bad}");
        }
        assert_eq!(
            eval(&t, json!({"Fn::Join": [",", {"Ref": "Names"}]})),
            s("x,y,z")
        );
        assert_eq!(
            eval(&t, json!({"Fn::Join": ["", ["a", 1, true]]})),
            s("a1true")
        );
        assert_eq!(
            eval(&t, json!({"Fn::Split": [",", "a,,b"]})),
            strings(&["a", "", "b"])
        );
        assert_eq!(
            eval(
                &t,
                json!({"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::Sub": "a/b/${AWS::Region}"}]}]})
            ),
            s("us-east-1")
        );
        assert_eq!(
            eval(&t, json!({"Fn::GetAZs": ""})),
            strings(&["us-east-1a", "us-east-1b"])
        );
        assert_eq!(
            eval(&t, json!({"Fn::GetAZs": {"Ref": "AWS::Region"}})),
            strings(&["us-east-1a", "us-east-1b"])
        );
        assert!(is_unknown(&eval(&t, json!({"Fn::GetAZs": "eu-west-1"}))));
        let no_zones = Context {
            zones: None,
            ..ctx()
        };
        let azs = eval_in(
            &t,
            &[],
            &json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
            &no_zones,
        );
        assert_eq!(
            azs.to_json(),
            json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]})
        );
        assert_eq!(eval(&t, json!({"Fn::Base64": "hello"})), s("aGVsbG8="));
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(
            eval(&t, json!({"Fn::Length": {"Ref": "Names"}})),
            Value::Scalar(json!(3))
        );
        assert_eq!(
            eval(&t, json!({"Fn::ToJsonString": {"a": [1, "b"]}})),
            s(r#"{"a":[1,"b"]}"#)
        );
        let import = eval(
            &t,
            json!({"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-Vpc"}}),
        );
        assert_eq!(import.to_json(), json!({"Fn::ImportValue": "s-Vpc"}));
    }

    #[test]
    fn pseudo_parameters_follow_the_region() {
        let t = json!({});
        for (region, partition, suffix) in [
            ("us-east-1", "aws", "amazonaws.com"),
            ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
            ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
            ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
            ("us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"),
        ] {
            let c = Context {
                region: Some(region.into()),
                ..Context::default()
            };
            let v = eval_in(
                &t,
                &[],
                &json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/${AWS::URLSuffix}"}),
                &c,
            );
            assert_eq!(
                v,
                s(&format!("arn:{partition}:s3:::b/{suffix}")),
                "{region}"
            );
        }
        let nothing = Context::default();
        for p in [
            "AWS::Region",
            "AWS::AccountId",
            "AWS::Partition",
            "AWS::StackName",
            "AWS::NotificationARNs",
        ] {
            let v = eval_in(&t, &[], &json!({"Ref": p}), &nothing);
            assert_eq!(v.to_json(), json!({"Ref": p}));
        }
    }

    #[test]
    fn unknown_values_compare_by_their_input() {
        let t = json!({
            "Parameters": {"P": {"Type": "String"}, "Pw": {"Type": "String", "NoEcho": true}},
            "Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}, "Other": {"Type": "AWS::EC2::VPC"}}
        });
        let unknown_p = eval(&t, json!({"Ref": "P"}));
        assert_eq!(
            compare(&unknown_p, &eval(&t, json!({"Ref": "P"}))),
            Comparison::Equal
        );
        assert_eq!(compare(&unknown_p, &s("x")), Comparison::MayDiffer);
        let imports = |a: &str, b: &str| {
            compare(
                &eval(&t, json!({"Fn::ImportValue": a})),
                &eval(&t, json!({"Fn::ImportValue": b})),
            )
        };
        assert_eq!(imports("a", "a"), Comparison::Equal);
        assert_eq!(imports("a", "b"), Comparison::MayDiffer);
        // A NoEcho value is never shown; the same value compares equal.
        let pw = |v: &str| eval_in(&t, &[("Pw", Some(v))], &json!({"Ref": "Pw"}), &ctx());
        assert_eq!(pw("hunter2").to_json(), json!({"Ref": "Pw"}));
        assert!(!format!("{:?}", pw("hunter2")).contains("hunter2"));
        assert_eq!(compare(&pw("a"), &pw("a")), Comparison::Equal);
        assert_eq!(compare(&pw("a"), &pw("b")), Comparison::MayDiffer);
        // A resource reference equals itself unless its resource is replaced.
        let r = |id: &str, fate: Fate| {
            Value::Resource(Reference {
                logical_id: id.into(),
                attribute: None,
                fate,
            })
        };
        assert_eq!(eval(&t, json!({"Ref": "Vpc"})), r("Vpc", Fate::Kept));
        assert_eq!(
            compare(&r("Vpc", Fate::Kept), &r("Vpc", Fate::Kept)),
            Comparison::Equal
        );
        assert_eq!(
            compare(&r("Vpc", Fate::Kept), &r("Vpc", Fate::Replaced)),
            Comparison::Differs
        );
        assert_eq!(
            compare(&r("Vpc", Fate::Kept), &r("Vpc", Fate::MaybeReplaced)),
            Comparison::MayDiffer
        );
        assert_eq!(
            compare(&r("Vpc", Fate::Kept), &r("Other", Fate::Kept)),
            Comparison::Differs
        );
        assert_eq!(
            compare(&r("Vpc", Fate::Kept), &s("vpc-123")),
            Comparison::MayDiffer
        );
        // Strings of parts: what differs around the same parts decides.
        let text = |parts: Vec<Value>| text(parts);
        let a = text(vec![s("s3://"), r("Vpc", Fate::Kept), s("/data/")]);
        let b = text(vec![s("s3://"), r("Vpc", Fate::Kept), s("/logs/")]);
        let c = text(vec![s("s3://"), r("Vpc", Fate::Replaced), s("/data/")]);
        let d = text(vec![s("s3://"), unknown_p.clone(), s("/data/")]);
        let e = text(vec![s("s3://x"), unknown_p.clone(), s("/data/")]);
        assert_eq!(compare(&a, &a.clone()), Comparison::Equal);
        assert_eq!(compare(&a, &b), Comparison::Differs);
        assert_eq!(compare(&a, &c), Comparison::Differs);
        assert_eq!(compare(&a, &d), Comparison::MayDiffer);
        assert_eq!(compare(&d, &e), Comparison::Differs);
        assert_eq!(
            compare(
                &r("Vpc", Fate::Kept),
                &text(vec![r("Vpc", Fate::Kept), s("x")])
            ),
            Comparison::Differs
        );
        // Lists and maps: a certain difference anywhere is certain.
        assert_eq!(
            compare(&strings(&["a", "b"]), &strings(&["a"])),
            Comparison::Differs
        );
        assert_eq!(
            compare(&Value::List(vec![unknown_p.clone()]), &Value::List(vec![])),
            Comparison::MayDiffer
        );
        assert_eq!(
            compare(&Value::Scalar(json!(-1)), &s("-1")),
            Comparison::Equal
        );
        assert_eq!(
            compare(&Value::Scalar(json!(true)), &s("true")),
            Comparison::Equal
        );
        assert_eq!(
            compare(&Value::Scalar(Json::Null), &s("")),
            Comparison::Differs
        );
    }

    #[test]
    fn get_att_reads_an_evaluated_property() {
        let t = json!({
            "Mappings": {"Net": {"VPC": {"CIDR0": "10.0.0.0/16"}}},
            "Resources": {
                "Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {
                    "VpcId": {"Ref": "Vpc"},
                    "CidrBlock": {"Fn::Select": [0, {"Fn::Cidr": [{"Fn::GetAtt": ["Vpc", "CidrBlock"]}, 2, 15]}]}
                }},
                "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Fn::FindInMap": ["Net", "VPC", "CIDR0"]}}}
            }
        });
        assert_eq!(resource_order(&t), ["Vpc", "Subnet"]);
        let params = IndexMap::new();
        let c = ctx();
        let mut e = Evaluator::new(
            Side {
                template: &t,
                parameters: &params,
            },
            &c,
        );
        e.resource("Vpc");
        e.set_fate("Vpc", Fate::Replaced);
        let subnet = e.resource("Subnet").map(|r| r.properties.to_json());
        assert_eq!(
            subnet,
            Some(json!({"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/17"}))
        );
        let v = e.value(&json!({"Fn::GetAtt": "Vpc.CidrBlock"}));
        assert_eq!(v, s("10.0.0.0/16"));
        let v = e.value(&json!({"Fn::GetAtt": ["Vpc", "DefaultSecurityGroup"]}));
        assert_eq!(
            v,
            Value::Resource(Reference {
                logical_id: "Vpc".into(),
                attribute: Some("DefaultSecurityGroup".into()),
                fate: Fate::Replaced
            })
        );
    }

    #[test]
    fn resource_order_puts_references_first_and_cycles_last() {
        let t = json!({"Resources": {
            "C": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${B.Arn}"}}},
            "B": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["A", "Id"]}}},
            "A": {"Type": "T", "Properties": {"X": {"Ref": "Param"}}},
            "L1": {"Type": "T", "Properties": {"X": {"Ref": "L2"}}},
            "L2": {"Type": "T", "Properties": {"X": {"Ref": "L1"}, "Y": {"Fn::Sub": ["${V}", {"V": {"Ref": "A"}}]}}},
            "D": {"Type": "T", "DependsOn": "C"}
        }});
        assert_eq!(resource_order(&t), ["A", "B", "C", "D", "L1", "L2"]);
        assert_eq!(
            resource_order(&json!({"Resources": []})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn hostile_templates_stay_bounded() {
        // Deep nesting (deeper than a parsed template can be): unknown past MAX_DEPTH.
        let mut deep = json!("x");
        for _ in 0..400 {
            deep = json!({"Fn::Join": ["", [deep]]});
        }
        let t = json!({"Mappings": {"M": {"K": {"V": deep.clone()}}}});
        assert!(is_unknown(&eval(&t, deep)));
        let v = eval(&t, json!({"Fn::FindInMap": ["M", "K", "V"]}));
        assert!(v.depth() <= MAX_DEPTH + 2);
        // Doubling through nested Fn::Sub maps stops at MAX_TEXT.
        let mut doubling = json!("0123456789abcdef");
        for _ in 0..40 {
            doubling = json!({"Fn::Sub": ["${a}${a}", {"a": doubling}]});
        }
        let v = eval(&json!({}), doubling);
        assert!(
            v.size(MAX_TEXT * 2) <= MAX_TEXT + 100,
            "{}",
            v.size(MAX_TEXT * 2)
        );
        // A long chain of conditions is cut, not followed.
        let mut conditions = Map::new();
        for i in 0..5_000 {
            conditions.insert(
                format!("C{i}"),
                json!({"Fn::Not": [{"Condition": format!("C{}", i + 1)}]}),
            );
        }
        let t = json!({"Conditions": conditions});
        assert!(is_unknown(&eval(&t, json!({"Fn::If": ["C0", 1, 2]}))));
        // Chained GetAtt copies of a growing property stay within the budget.
        let mut resources = Map::new();
        resources.insert("R0".into(), json!({"Type": "T", "Properties": {"P": "x"}}));
        for i in 1..60 {
            let prev = format!("R{}", i - 1);
            resources.insert(
                format!("R{i}"),
                json!({"Type": "T", "Properties": {"P": [{"Fn::GetAtt": [prev, "P"]}, {"Fn::GetAtt": [prev, "P"]}]}}),
            );
        }
        let t = json!({"Resources": resources});
        let v = eval(&t, json!({"Fn::GetAtt": ["R59", "P"]}));
        assert!(v.size(usize::MAX) < 4 * MAX_COPIED);
    }
}
