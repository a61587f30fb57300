//! Property values against their resource type's registry schema, read as cfn-lint reads it:
//! `type` (with CloudFormation's lenient scalars: `"5"` is an integer, `5` a string, `"true"`
//! a boolean), `properties` and `$ref` to definitions at any depth, `additionalProperties`,
//! `patternProperties`, `required`, `enum` (and `enumCaseInsensitive`), `const`, `pattern`,
//! `minLength`/`maxLength`, `minimum`/`maximum`, `items`, `minItems`/`maxItems`,
//! `minProperties`/`maxProperties`, `dependencies`/`dependentRequired`, and `allOf`, `anyOf`,
//! `oneOf` (an `anyOf` or `oneOf` fails when no alternative fits).
//!
//! A value that is an intrinsic function is checked only where its result's shape is known:
//! a `Ref` to a `List<...>`/`CommaDelimitedList` parameter (or `AWS::NotificationARNs`) and
//! `Fn::Split`/`Fn::GetAZs`/`Fn::Cidr` give a list, `Fn::Join`/`Fn::Sub`/`Fn::Base64` a
//! string, and `Fn::If` each of its two values; anything else is left to CloudFormation.
//!
//! The schemas come from the caller ([`Catalog::schema`](crate::catalog::Catalog::schema)):
//! `plan::registry` reads them from the pinned cfn-lint's registry schemas.

use super::entry;
use crate::catalog::nearest;
use crate::code;
use crate::diag::Code;
use crate::input::echo;
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// What a reference gives: one value, a list, or not known here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// A string, number or boolean.
    Scalar,
    /// A list of values.
    List,
    /// Not known (a resource's `Ref`, an undeclared name).
    Unknown,
}

/// The shape a parameter of CloudFormation type `type_name` gives to `Ref`.
pub fn parameter_shape(type_name: &str) -> Shape {
    let t = type_name.trim();
    let inner = t
        .strip_prefix("AWS::SSM::Parameter::Value<")
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(t);
    if inner.starts_with("List<") || inner == "CommaDelimitedList" {
        Shape::List
    } else {
        Shape::Scalar
    }
}

/// Properties `aws cloudformation package` fills in from a local path: a string there is a
/// path to upload, not what CloudFormation takes, so it is a warning, not an error (the
/// template is meant to be packaged first). Source: the packageable properties listed in
/// <https://docs.aws.amazon.com/cli/latest/reference/cloudformation/package.html>.
const PACKAGED: &[(&str, &str)] = &[
    ("AWS::ApiGateway::RestApi", "BodyS3Location"),
    ("AWS::Lambda::Function", "Code"),
    ("AWS::Lambda::LayerVersion", "Content"),
    ("AWS::ElasticBeanstalk::ApplicationVersion", "SourceBundle"),
    ("AWS::StepFunctions::StateMachine", "DefinitionS3Location"),
    ("AWS::AppSync::GraphQLSchema", "DefinitionS3Location"),
    ("AWS::AppSync::Resolver", "RequestMappingTemplateS3Location"),
    (
        "AWS::AppSync::Resolver",
        "ResponseMappingTemplateS3Location",
    ),
    (
        "AWS::AppSync::FunctionConfiguration",
        "RequestMappingTemplateS3Location",
    ),
    (
        "AWS::AppSync::FunctionConfiguration",
        "ResponseMappingTemplateS3Location",
    ),
    ("AWS::CloudFormation::Stack", "TemplateURL"),
    ("AWS::CodeCommit::Repository", "Code/S3"),
];

/// One problem found, before it becomes a diagnostic.
#[derive(Debug, Clone)]
pub(super) struct Problem {
    /// Reported as a warning (a path `aws cloudformation package` replaces).
    pub warning: bool,
    pub code: Code,
    pub path: String,
    pub message: String,
}

/// One resource's check: its type's schema (for `$ref`), its name for messages, and what a
/// `Ref` gives.
pub(super) struct Check<'c> {
    pub root: &'c Json,
    pub type_name: &'c str,
    pub refs: &'c dyn Fn(&str) -> Shape,
}

/// The schema that allows anything (`{}` read as no keywords).
static ANY: Json = Json::Null;

const SCALARS: [&str; 4] = ["string", "integer", "number", "boolean"];

/// The compiled `pattern`s, shared by every check in the process; `None` for a pattern the
/// `regex` crate cannot compile (look-around, back-references), which is then not checked.
fn pattern(p: &str) -> Option<Arc<regex::Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<regex::Regex>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = map.get(p) {
        return found.clone();
    }
    let build = |p: &str| regex::RegexBuilder::new(p).size_limit(1 << 22).build().ok();
    // A counted repetition of a Unicode class (`[\p{L}...]{1,128}`, `[^\r\n]{1,4096}`) can
    // outgrow the size limit: without its upper bound it is only more lenient (the schema's
    // maxLength still bounds the value). A large bound is dropped before compiling: compiling
    // `[^\u0000\u0085\u2028\u2029\r\n]{1,4096}` was most of the time of checking the
    // built-in template.
    let re = if large_bound(p) {
        build(&unbounded(p))
    } else {
        build(p).or_else(|| build(&unbounded(p)))
    };
    let re = re.map(Arc::new);
    map.insert(p.to_string(), re.clone());
    re
}

/// A keyword of a schema ([`entry`]: a value check looks up a dozen keywords per value).
fn kw<'s>(s: &'s Json, key: &str) -> Option<&'s Json> {
    entry(s.as_object()?, key)
}

/// Whether `p` holds a `{m,n}` repetition with `n` over 255.
fn large_bound(p: &str) -> bool {
    p.split('{').skip(1).any(|rest| {
        rest.split_once('}')
            .and_then(|(inside, _)| inside.split_once(','))
            .and_then(|(_, n)| n.parse::<u32>().ok())
            .is_some_and(|n| n > 255)
    })
}

/// `p` with each `{m,n}` repetition made `{m,}`.
fn unbounded(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let Some(end) = rest.find('}') else { break };
        match rest[..end].split_once(',') {
            Some((m, n))
                if !m.is_empty()
                    && m.bytes().all(|b| b.is_ascii_digit())
                    && n.bytes().all(|b| b.is_ascii_digit()) =>
            {
                out.push_str(m);
                out.push(',');
                rest = &rest[end..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// The intrinsic function a value is, when it is one: a mapping of one `Ref`, `Condition` or
/// `Fn::` key.
pub(super) fn intrinsic(v: &Json) -> Option<(&str, &Json)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, arg) = m.iter().next()?;
    (k == "Ref" || k == "Condition" || super::functions::known(k)).then_some((k, arg))
}

/// The last name in a path (`Tags/0/Key` -> `Key`), for messages.
fn field(path: &str) -> &str {
    path.rsplit('/')
        .find(|s| !s.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(path)
}

/// The names the `type` keyword gives (one, or a list), read in place.
fn types(s: &Json) -> impl Iterator<Item = &str> + Clone {
    let names = match kw(s, "type") {
        Some(one @ Json::String(_)) => std::slice::from_ref(one),
        Some(Json::Array(many)) => many.as_slice(),
        _ => &[],
    };
    names.iter().filter_map(Json::as_str)
}

/// Whether a literal is of JSON Schema type `t` as cfn-lint reads CloudFormation values.
fn is_type(v: &Json, t: &str) -> bool {
    match (t, v) {
        ("object", Json::Object(_)) | ("array", Json::Array(_)) | ("null", Json::Null) => true,
        ("object" | "array" | "null", _) | (_, Json::Null) => false,
        ("string", view) => !matches!(view, Json::Object(_) | Json::Array(_)),
        ("number", Json::Number(_)) => true,
        ("number", Json::String(s)) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        ("integer", Json::Number(n)) => n.is_i64() || n.is_u64() || n.as_f64().is_some(),
        ("integer", Json::String(s)) => s.trim().parse::<i128>().is_ok(),
        ("boolean", Json::Bool(_)) => true,
        // YAML 1.1 (what cfn-lint and CloudFormation read) also spells booleans yes/no/on/off.
        ("boolean", Json::String(s)) => matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off"
        ),
        _ => false,
    }
}

/// How a type is named in messages.
fn type_words(t: &str) -> &str {
    match t {
        "array" => "a list",
        "object" => "a mapping",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        other => other,
    }
}

/// A scalar as the text a pattern or enum compares: strings as they are, numbers and
/// booleans as JSON writes them.
fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A JSON pointer segment as a list index (RFC 6901: `0`, or digits not starting with `0`).
fn array_index(segment: &str) -> Option<usize> {
    let digits = segment.bytes().all(|b| b.is_ascii_digit());
    (digits && (segment == "0" || !segment.starts_with('0')))
        .then(|| segment.parse().ok())
        .flatten()
}

fn number(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// A value for a message: a string quoted, anything else as JSON, cut when long.
fn shown(v: &Json) -> String {
    match v {
        Json::String(s) => format!("{:?}", echo(s)),
        _ => echo(&v.to_string()),
    }
}

impl Check<'_> {
    fn push(&self, out: &mut Vec<Problem>, code: Code, path: &str, rule: String, got: String) {
        let message = format!(
            "{} must {rule} for {}, got {got}",
            field(path),
            self.type_name
        );
        out.push(Problem {
            warning: false,
            code,
            path: path.to_string(),
            message,
        });
    }

    /// Whether `path` (`Resources/X/Properties/Code`) is a property `package` fills in.
    fn packaged(&self, path: &str) -> bool {
        let rest = path.splitn(4, '/').nth(3).unwrap_or("");
        PACKAGED
            .iter()
            .any(|(t, p)| *t == self.type_name && *p == rest)
    }

    /// `#/definitions/Name` (any JSON pointer into the type's schema, read as
    /// [`Json::pointer`] reads it), without building a string per segment: a segment is
    /// unescaped (`~1` is `/`, `~0` is `~`) only when it holds a `~`.
    fn resolve(&self, r: &Json) -> Option<&Json> {
        let p = r.as_str()?.strip_prefix('#')?;
        if p.is_empty() {
            return Some(self.root);
        }
        p.strip_prefix('/')?
            .split('/')
            .try_fold(self.root, |at, segment| {
                let segment = if segment.contains('~') {
                    Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
                } else {
                    Cow::Borrowed(segment)
                };
                match at {
                    Json::Object(m) => entry(m, &segment),
                    Json::Array(items) => array_index(&segment).and_then(|i| items.get(i)),
                    _ => None,
                }
            })
    }

    /// Checks `v` (at `path`) against schema `s`, appending what is wrong to `out`.
    pub fn value(&self, v: &Json, s: &Json, path: &mut String, out: &mut Vec<Problem>) {
        if let Some(target) = kw(s, "$ref").and_then(|r| self.resolve(r)) {
            self.value(v, target, path, out);
            if s.as_object().is_some_and(|o| o.len() == 1) {
                return;
            }
        }
        if let Some((k, arg)) = intrinsic(v) {
            self.function(k, arg, s, path, out);
            return;
        }
        let mut wanted = types(s).peekable();
        if let Some(k) = unknown_function_key(v) {
            // Where a mapping may stand, a mapping whose one key names no function is still
            // not what was meant.
            if wanted.peek().is_none() || wanted.clone().any(|t| t == "object") {
                let message = format!(
                    "function must be one CloudFormation knows, got {k:?}{}",
                    nearest(k, super::FUNCTIONS.iter().copied())
                        .map(|n| format!("; did you mean {n:?}?"))
                        .unwrap_or_default()
                );
                let at = format!("{path}/{k}");
                out.push(Problem {
                    warning: false,
                    code: code::FUNCTION,
                    path: at,
                    message,
                });
                return;
            }
        }
        if wanted.peek().is_some() && !wanted.clone().any(|t| is_type(v, t)) {
            let names: Vec<&str> = wanted.map(type_words).collect();
            let rule = format!("be {} (schema type)", names.join(" or "));
            let got = format!("{} {}{}", super::kind(v), shown(v), unknown_function(v));
            self.push(out, code::VALUE_TYPE, path, rule, got);
            if v.as_str().is_some() && self.packaged(path) {
                if let Some(p) = out.last_mut() {
                    p.warning = true;
                    p.message.push_str(" (a local path `aws cloudformation package` uploads and replaces; CloudFormation itself takes no path here)");
                }
            }
            return;
        }
        match v {
            Json::Array(items) => self.array(items, s, path, out),
            Json::Object(m) => self.object(m, s, path, out, false),
            Json::Null => {}
            _ => self.scalar(v, s, path, out),
        }
        self.combinators(v, s, path, out);
    }

    /// `allOf`, `anyOf`, `oneOf`: each alternative is tried on its own; an `anyOf` or `oneOf`
    /// none of whose alternatives fits is reported with the nearest one's first problem.
    fn combinators(&self, v: &Json, s: &Json, path: &mut String, out: &mut Vec<Problem>) {
        for sub in kw(s, "allOf")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            self.value(v, sub, path, out);
        }
        for key in ["anyOf", "oneOf"] {
            let Some(alternatives) = kw(s, key).and_then(Json::as_array) else {
                continue;
            };
            let mut best: Option<Vec<Problem>> = None;
            for sub in alternatives {
                let mut trial = Vec::new();
                self.value(v, sub, path, &mut trial);
                if trial.is_empty() {
                    best = None;
                    break;
                }
                if best.as_ref().is_none_or(|b| trial.len() < b.len()) {
                    best = Some(trial);
                }
            }
            if let Some(first) = best.and_then(|b| b.into_iter().next()) {
                let rule = format!(
                    "fit one of the {} alternatives of the schema ({key})",
                    alternatives.len()
                );
                let got = format!(
                    "a value that fits none; nearest: {}: {}",
                    first.path, first.message
                );
                let code = if key == "anyOf" {
                    code::ANY_OF
                } else {
                    code::ONE_OF
                };
                self.push(out, code, path, rule, got);
            }
        }
    }

    fn scalar(&self, v: &Json, s: &Json, path: &str, out: &mut Vec<Problem>) {
        let allowed = kw(s, "enum").and_then(Json::as_array);
        let constant = kw(s, "const");
        // The text is only built for a schema that compares it.
        let text = if allowed.is_some() || constant.is_some() {
            scalar_text(v)
        } else {
            None
        };
        if let (Some(allowed), Some(text)) = (allowed, &text) {
            let fold = kw(s, "enumCaseInsensitive").is_some();
            let names: Vec<String> = allowed
                .iter()
                .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                .collect();
            let same = |n: &String| {
                if fold {
                    n.eq_ignore_ascii_case(text)
                } else {
                    n == text
                }
            };
            let numeric = |e: &Json| e.as_f64().is_some() && e.as_f64() == number(v);
            if !names.iter().any(same) && !allowed.iter().any(numeric) {
                let hint = nearest(text, names.iter().map(String::as_str))
                    .map(|n| format!("; did you mean {n:?}?"))
                    .unwrap_or_default();
                let rule = format!("be one of {} (enum)", echo(&names.join(", ")));
                self.push(
                    out,
                    code::ALLOWED_VALUES,
                    path,
                    rule,
                    format!("{}{hint}", shown(v)),
                );
            }
        }
        if let (Some(c), Some(text)) = (constant, &text) {
            if c.as_str().map_or_else(|| c.to_string(), str::to_string) != *text {
                self.push(
                    out,
                    code::ALLOWED_VALUES,
                    path,
                    format!("be {c} (const)"),
                    shown(v),
                );
            }
        }
        self.bounds(v, s, path, out);
    }

    /// `pattern`, `minLength`/`maxLength`, `minimum`/`maximum`.
    fn bounds(&self, v: &Json, s: &Json, path: &str, out: &mut Vec<Problem>) {
        if let (Some(p), Json::String(text)) = (kw(s, "pattern").and_then(Json::as_str), v) {
            if pattern(p).is_some_and(|re| !re.is_match(text)) {
                self.push(
                    out,
                    code::PATTERN,
                    path,
                    format!("match pattern {}", echo(p)),
                    shown(v),
                );
            }
        }
        if let Json::String(text) = v {
            let len = text.chars().count() as u64;
            if let Some(min) = kw(s, "minLength")
                .and_then(Json::as_u64)
                .filter(|m| len < *m)
            {
                let rule = format!("be at least {min} characters long (minLength)");
                self.push(
                    out,
                    code::LENGTH,
                    path,
                    rule,
                    format!("{} ({len})", shown(v)),
                );
            }
            if let Some(max) = kw(s, "maxLength")
                .and_then(Json::as_u64)
                .filter(|m| len > *m)
            {
                let rule = format!("be at most {max} characters long (maxLength)");
                self.push(
                    out,
                    code::LENGTH,
                    path,
                    rule,
                    format!("{} ({len})", shown(v)),
                );
            }
        }
        if let Some(n) = number(v) {
            if let Some(min) = kw(s, "minimum").filter(|m| m.as_f64().is_some_and(|m| n < m)) {
                self.push(
                    out,
                    code::NUMBER_RANGE,
                    path,
                    format!("be at least {min} (minimum)"),
                    shown(v),
                );
            }
            if let Some(max) = kw(s, "maximum").filter(|m| m.as_f64().is_some_and(|m| n > m)) {
                self.push(
                    out,
                    code::NUMBER_RANGE,
                    path,
                    format!("be at most {max} (maximum)"),
                    shown(v),
                );
            }
        }
    }

    fn array(&self, items: &[Json], s: &Json, path: &mut String, out: &mut Vec<Problem>) {
        let n = items.len() as u64;
        if let Some(min) = kw(s, "minItems").and_then(Json::as_u64).filter(|m| n < *m) {
            self.push(
                out,
                code::ITEM_COUNT,
                path,
                format!("have at least {min} items (minItems)"),
                format!("{n}"),
            );
        }
        if let Some(max) = kw(s, "maxItems").and_then(Json::as_u64).filter(|m| n > *m) {
            self.push(
                out,
                code::ITEM_COUNT,
                path,
                format!("have at most {max} items (maxItems)"),
                format!("{n}"),
            );
        }
        let item_schema = kw(s, "items").filter(|i| i.is_object()).unwrap_or(&ANY);
        let len = path.len();
        for (i, item) in items.iter().enumerate() {
            path.push('/');
            path.push_str(&i.to_string());
            self.value(item, item_schema, path, out);
            path.truncate(len);
        }
    }

    /// A mapping against `properties`, `patternProperties`, `additionalProperties`, `required`
    /// and `dependencies`. `top`: the resource's `Properties`, whose names and required ones
    /// the type check has already reported.
    pub fn object(
        &self,
        m: &Map<String, Json>,
        s: &Json,
        path: &mut String,
        out: &mut Vec<Problem>,
        top: bool,
    ) {
        let empty = Map::new();
        let properties = kw(s, "properties")
            .and_then(Json::as_object)
            .unwrap_or(&empty);
        let patterns = kw(s, "patternProperties").and_then(Json::as_object);
        let closed = kw(s, "additionalProperties") == Some(&Json::Bool(false));
        let extra = kw(s, "additionalProperties").filter(|a| a.is_object());
        let len = path.len();
        for (k, v) in m.iter() {
            path.push('/');
            path.push_str(k);
            let mut matched = false;
            if let Some(sub) = entry(properties, k) {
                matched = true;
                self.value(v, sub, path, out);
            }
            for (p, sub) in patterns.into_iter().flatten() {
                if pattern(p).is_none_or(|re| re.is_match(k)) {
                    matched = true;
                    self.value(v, sub, path, out);
                }
            }
            if !matched && !top {
                if let Some(sub) = extra {
                    self.value(v, sub, path, out);
                } else if !closed {
                    // A free-form value (a policy document, tags as a mapping): only the
                    // functions in it are checked.
                    self.value(v, &ANY, path, out);
                } else if closed && !super::functions::known(k) {
                    let names = properties.keys().map(String::as_str);
                    let hint = nearest(k, names.clone())
                        .map(|n| format!("; did you mean {n:?}?"))
                        .unwrap_or_default();
                    let names: Vec<&str> = properties.keys().map(String::as_str).collect();
                    let message = format!(
                        "property must be one of {} for {} (under {}), got {k:?}{hint}",
                        echo(&names.join(", ")),
                        self.type_name,
                        field(&path[..len]),
                    );
                    out.push(Problem {
                        warning: false,
                        code: code::UNKNOWN_PROPERTY,
                        path: path.clone(),
                        message,
                    });
                }
            }
            path.truncate(len);
        }
        self.object_rules(m, s, path, out, top);
    }

    fn object_rules(
        &self,
        m: &Map<String, Json>,
        s: &Json,
        path: &str,
        out: &mut Vec<Problem>,
        top: bool,
    ) {
        let has = |k: &str| entry(m, k).is_some();
        if !top {
            for r in kw(s, "required")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(r) = r.as_str().filter(|r| !has(r)) {
                    let at = format!("{path}/{r}");
                    self.push(
                        out,
                        code::REQUIRED_PROPERTY,
                        &at,
                        "be set".into(),
                        "nothing".into(),
                    );
                }
            }
        }
        let n = m.len() as u64;
        if let Some(min) = kw(s, "minProperties")
            .and_then(Json::as_u64)
            .filter(|x| n < *x)
        {
            self.push(
                out,
                code::ITEM_COUNT,
                path,
                format!("have at least {min} properties (minProperties)"),
                format!("{n}"),
            );
        }
        if let Some(max) = kw(s, "maxProperties")
            .and_then(Json::as_u64)
            .filter(|x| n > *x)
        {
            self.push(
                out,
                code::ITEM_COUNT,
                path,
                format!("have at most {max} properties (maxProperties)"),
                format!("{n}"),
            );
        }
        for key in ["dependencies", "dependentRequired"] {
            for (k, needs) in kw(s, key).and_then(Json::as_object).into_iter().flatten() {
                if !has(k) {
                    continue;
                }
                for need in needs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Json::as_str)
                {
                    if !has(need) {
                        let at = format!("{path}/{need}");
                        let rule = format!("be set when {k} is ({key})");
                        self.push(out, code::REQUIRED_PROPERTY, &at, rule, "nothing".into());
                    }
                }
            }
        }
    }

    /// A value that is an intrinsic function, where its result's shape is known.
    fn function(&self, k: &str, arg: &Json, s: &Json, path: &mut String, out: &mut Vec<Problem>) {
        if k == "Fn::If" {
            let Some(branches) = arg.as_array().filter(|a| a.len() == 3) else {
                return;
            };
            let len = path.len();
            for (i, b) in branches.iter().enumerate().skip(1) {
                if matches!(intrinsic(b), Some(("Ref", n)) if n.as_str() == Some("AWS::NoValue")) {
                    continue;
                }
                path.push_str(if i == 1 { "/Fn::If/1" } else { "/Fn::If/2" });
                self.value(b, s, path, out);
                path.truncate(len);
            }
            return;
        }
        let shape = match k {
            "Ref" => arg.as_str().map_or(Shape::Unknown, |n| (self.refs)(n)),
            "Fn::Split" | "Fn::GetAZs" | "Fn::Cidr" => Shape::List,
            "Fn::Join" | "Fn::Sub" | "Fn::Base64" => Shape::Scalar,
            _ => Shape::Unknown,
        };
        let wanted = self.shape_types(s);
        if wanted.is_empty() {
            return;
        }
        let fits = match shape {
            Shape::List => wanted.contains(&"array"),
            Shape::Scalar => wanted.iter().any(|t| SCALARS.contains(t)),
            Shape::Unknown => true,
        };
        if !fits {
            let names: Vec<&str> = wanted.iter().map(|t| type_words(t)).collect();
            let what = match (shape, k) {
                (Shape::List, _) => "a list",
                (_, "Ref") => "a single value",
                _ => "a string",
            };
            let rule = format!("be {} (schema type)", names.join(" or "));
            let got = format!("{k} giving {what}: {}", shown_fn(k, arg));
            self.push(out, code::VALUE_TYPE, path, rule, got);
        }
    }

    /// The types a schema allows, through `$ref` and across `anyOf`/`oneOf`; empty when any
    /// alternative allows anything.
    fn shape_types<'s>(&'s self, s: &'s Json) -> Vec<&'s str> {
        if let Some(target) = kw(s, "$ref").and_then(|r| self.resolve(r)) {
            return self.shape_types(target);
        }
        let own: Vec<&str> = types(s).collect();
        if !own.is_empty() {
            return own;
        }
        let mut all = Vec::new();
        for key in ["anyOf", "oneOf"] {
            for sub in kw(s, key).and_then(Json::as_array).into_iter().flatten() {
                let t = self.shape_types(sub);
                if t.is_empty() {
                    return Vec::new();
                }
                all.extend(t);
            }
        }
        all
    }
}

/// The key of a one-entry mapping that looks like a function (`Fn::...`) but is none.
fn unknown_function_key(v: &Json) -> Option<&str> {
    let m = v.as_object().filter(|m| m.len() == 1)?;
    let (k, _) = m.iter().next()?;
    super::functions::looks_like_function(k).then_some(k)
}

/// For a mapping whose one key looks like a function CloudFormation doesn't know: which one
/// it may be.
fn unknown_function(v: &Json) -> String {
    let Some(k) = unknown_function_key(v) else {
        return String::new();
    };
    let hint = nearest(k, super::FUNCTIONS.iter().copied())
        .map(|n| format!(", did you mean {n:?}?"))
        .unwrap_or_default();
    format!(" ({k} is not a function CloudFormation knows{hint})")
}

fn shown_fn(k: &str, arg: &Json) -> String {
    echo(&format!("{{\"{k}\": {arg}}}"))
}

impl super::Validator<'_> {
    /// A resource's property values against its type's schema ([`Check`]).
    pub(super) fn check_values(&mut self, id: &str, type_name: &str, props: &Json, schema: &Json) {
        let Some(map) = props.as_object() else {
            return;
        };
        self.values_checked = true;
        let params = &self.parameter_types;
        let resources = &self.resources;
        let refs = |name: &str| -> Shape {
            match crate::expr::Pseudo::from_name(name) {
                Some(crate::expr::Pseudo::NotificationArns) => Shape::List,
                Some(crate::expr::Pseudo::NoValue) => Shape::Unknown,
                Some(_) => Shape::Scalar,
                None if resources.contains_key(name) => Shape::Unknown,
                None => params
                    .get(name)
                    .map_or(Shape::Unknown, |t| parameter_shape(t)),
            }
        };
        let check = Check {
            root: schema,
            type_name,
            refs: &refs,
        };
        let mut out = Vec::new();
        let mut path = format!("Resources/{id}/Properties");
        check.object(map, schema, &mut path, &mut out, true);
        check.combinators(props, schema, &mut path, &mut out);
        for p in out {
            if p.warning {
                let path = format!("{}/{}", self.stack, p.path);
                self.diags
                    .push(crate::diag::Diagnostic::warning(p.code, path, p.message));
            } else {
                self.error(p.code, p.path, p.message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{large_bound, pattern, Check, Shape};
    use serde_json::json;

    /// `$ref` is read as a JSON pointer: `~1` and `~0` unescaped, list indexes without a
    /// sign or a leading zero, `#` alone the whole schema.
    #[test]
    fn refs_resolve_as_json_pointers() {
        let root = json!({
            "definitions": {
                "a/b": {"type": "string"},
                "c~d": {"type": "integer"},
                "list": [{"type": "boolean"}, {"type": "number"}],
            }
        });
        let refs = |_: &str| Shape::Unknown;
        let check = Check {
            root: &root,
            type_name: "AWS::X::Y",
            refs: &refs,
        };
        let at = |p: &str| check.resolve(&json!(p));
        assert_eq!(at("#/definitions/a~1b"), Some(&json!({"type": "string"})));
        assert_eq!(at("#/definitions/c~0d"), Some(&json!({"type": "integer"})));
        assert_eq!(at("#/definitions/list/1"), Some(&json!({"type": "number"})));
        assert_eq!(at("#"), Some(&root));
        for missing in [
            "#/definitions/list/01",
            "#/definitions/list/+1",
            "#/definitions/list/2",
            "#/definitions/a/b",
            "#definitions",
            "/definitions/a~1b",
        ] {
            assert_eq!(at(missing), None, "{missing}");
        }
        assert_eq!(
            at("#/definitions/a~1b"),
            root.pointer("/definitions/a~1b"),
            "as serde_json reads the same pointer"
        );
    }

    /// A large counted repetition is compiled without its upper bound (cheap, more lenient);
    /// the rest of the pattern still decides.
    #[test]
    fn large_bounds_are_dropped_and_the_pattern_still_decides() {
        let line = r"^[^\u0000\u0085\u2028\u2029\r\n]{1,4096}$";
        assert!(large_bound(line));
        assert!(!large_bound("^[a-z]{1,128}$"));
        assert!(!large_bound("^a{3}$"));
        let re = pattern(line).expect("compiles");
        assert!(re.is_match("a line"));
        assert!(!re.is_match("two\nlines"));
        assert!(!re.is_match(""));
        let small = pattern("^[a-z]{1,3}$").expect("compiles");
        assert!(!small.is_match("abcd"), "a small bound is kept");
    }
}
