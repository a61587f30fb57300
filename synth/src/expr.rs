//! Intrinsic functions, pseudo parameters, and `Value<T>`: a literal or an expression.
//!
//! Every expression renders in long form (`Ref: X`, `Fn::GetAtt: [X, Attr]`), so any YAML
//! or JSON tool reads the output.

use crate::id::LogicalId;
use indexmap::IndexMap;
use serde::{Serialize, Serializer};
use serde_json::Value as Json;

/// CloudFormation pseudo parameters: values CloudFormation fills in at deploy time.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html>
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pseudo {
    /// `AWS::AccountId`: the account the stack is created in.
    AccountId,
    /// `AWS::NotificationARNs`: the stack's notification topics.
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is the value of (inside `Fn::If`).
    NoValue,
    /// `AWS::Partition`: `aws`, `aws-cn` or `aws-us-gov`, for building ARNs.
    Partition,
    /// `AWS::Region`: the Region the stack is created in.
    Region,
    /// `AWS::StackId`: the stack's ARN.
    StackId,
    /// `AWS::StackName`: the stack's name, e.g. to prefix export names.
    StackName,
    /// `AWS::URLSuffix`: the partition's domain suffix, usually `amazonaws.com`.
    UrlSuffix,
}

impl Pseudo {
    /// Every pseudo parameter, so a `Ref` can be told from a logical ID by name.
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];

    /// The name a `Ref` uses, e.g. `AWS::Region`.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// The pseudo parameter called `name` (`AWS::Region`), if there is one.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        // Every name starts so; most names looked up are logical IDs, which can't.
        if !name.starts_with("AWS::") {
            return None;
        }
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// An argument of an intrinsic function: a literal JSON value, an expression, or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A JSON value written as is.
    Lit(Json),
    /// A nested intrinsic function.
    Expr(Box<Expr>),
    /// A list whose items may mix literals and expressions.
    List(Vec<Arg>),
}

impl Arg {
    /// Long-form JSON of this argument.
    pub fn to_json(&self) -> Json {
        // Cannot fail: every key is a string.
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Lit(Json::String(s.to_string()))
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Lit(Json::String(s))
    }
}
impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Lit(Json::from(n))
    }
}
impl From<Expr> for Arg {
    fn from(e: Expr) -> Self {
        Arg::Expr(Box::new(e))
    }
}
impl<T: Into<Arg>> From<Vec<T>> for Arg {
    fn from(items: Vec<T>) -> Self {
        Arg::List(items.into_iter().map(Into::into).collect())
    }
}
impl<T: Serialize> From<Value<T>> for Arg {
    fn from(v: Value<T>) -> Self {
        match v {
            Value::Lit(t) => Arg::Lit(serde_json::to_value(t).unwrap_or(Json::Null)),
            Value::Expr(e) => Arg::Expr(e),
        }
    }
}

/// One variant per intrinsic function (and condition function), with named fields.
/// Source: <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html>
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `Ref` to a parameter or resource.
    Ref(LogicalId),
    /// `Ref` to a pseudo parameter.
    Pseudo(Pseudo),
    /// `Fn::GetAtt`: an attribute of a resource.
    GetAtt {
        /// The resource.
        id: LogicalId,
        /// The attribute name, e.g. `Arn`; validation checks the type has it.
        attr: String,
    },
    /// `Fn::Sub`; the short form when `vars` is empty.
    Sub {
        /// The string with `${Name}` variables (`${!Name}` for a literal `${Name}`).
        template: String,
        /// Values of variables that are not parameters, resources or pseudo parameters.
        vars: IndexMap<String, Arg>,
    },
    /// `Fn::Join`: the items joined with a delimiter.
    Join {
        /// Put between items; may be empty.
        delimiter: String,
        /// A list, or an expression that returns one.
        items: Arg,
    },
    /// `Fn::Select`: one item of a list.
    Select {
        /// Zero-based position.
        index: Arg,
        /// A list, or an expression that returns one (`Fn::GetAZs`, `Fn::Cidr` ...).
        list: Arg,
    },
    /// `Fn::Split`: a string cut into a list.
    Split {
        /// Where to cut.
        delimiter: String,
        /// The string to cut.
        source: Arg,
    },
    /// `Fn::Cidr`: address blocks carved from a larger block.
    Cidr {
        /// The block to carve from, `a.b.c.d/n`.
        block: Arg,
        /// How many blocks, 1 to 256.
        count: Arg,
        /// Host bits per block: 32 minus the prefix length (8 gives /24s).
        bits: Arg,
    },
    /// `Fn::GetAZs`: the Availability Zones of a Region.
    GetAZs {
        /// The Region; an empty string means the stack's own.
        region: Arg,
    },
    /// `Fn::FindInMap`: a value of the `Mappings` section.
    FindInMap {
        /// The mapping's name.
        map: Arg,
        /// The top-level key.
        top: Arg,
        /// The second-level key.
        second: Arg,
    },
    /// `Fn::If`: one of two values, by a condition of the `Conditions` section.
    If {
        /// The condition's name.
        condition: LogicalId,
        /// The value when the condition is true.
        then: Arg,
        /// The value when it is false; [`Pseudo::NoValue`] drops the property.
        otherwise: Arg,
    },
    /// `Fn::Equals`, a condition function.
    Equals {
        /// One side.
        left: Arg,
        /// The other side.
        right: Arg,
    },
    /// `Fn::And`: true when every condition is (2 to 10 of them).
    And(Vec<Expr>),
    /// `Fn::Or`: true when any condition is (2 to 10 of them).
    Or(Vec<Expr>),
    /// `Fn::Not`: the opposite of one condition.
    Not(Box<Expr>),
    /// A reference to a named condition inside a condition function.
    Condition(LogicalId),
    /// `Fn::ImportValue`: another stack's export, by export name.
    ImportValue(Arg),
    /// `Fn::Base64`: the value base64-encoded, as user data needs.
    Base64(Arg),
    /// `Fn::Contains` (Rules only).
    Contains {
        /// The allowed strings.
        list: Arg,
        /// The string to look for, usually a parameter `Ref`.
        value: Arg,
    },
}

impl Expr {
    /// `Ref` to a parameter or resource.
    pub fn reference(id: &LogicalId) -> Expr {
        Expr::Ref(id.clone())
    }

    /// `Fn::GetAtt` of a resource by ID; [`crate::Handle::get_att`] is the typed form.
    pub fn get_att(id: &LogicalId, attr: &str) -> Expr {
        Expr::GetAtt {
            id: id.clone(),
            attr: attr.to_string(),
        }
    }

    /// `Fn::Sub` whose variables are all parameters, resources or pseudo parameters.
    pub fn sub(template: impl Into<String>) -> Expr {
        Expr::Sub {
            template: template.into(),
            vars: IndexMap::new(),
        }
    }

    /// `Fn::Sub` with its own variables.
    pub fn sub_with(template: impl Into<String>, vars: IndexMap<String, Arg>) -> Expr {
        Expr::Sub {
            template: template.into(),
            vars,
        }
    }

    /// `Fn::Join` of a list of items.
    pub fn join(delimiter: impl Into<String>, items: Vec<Arg>) -> Expr {
        Expr::Join {
            delimiter: delimiter.into(),
            items: Arg::List(items),
        }
    }

    /// `Fn::Select` of a literal index.
    pub fn select(index: i64, list: impl Into<Arg>) -> Expr {
        Expr::Select {
            index: Arg::from(index),
            list: list.into(),
        }
    }

    /// `Fn::Cidr`: `count` blocks with `bits` host bits each, carved from `block`.
    pub fn cidr(block: impl Into<Arg>, count: i64, bits: i64) -> Expr {
        Expr::Cidr {
            block: block.into(),
            count: count.into(),
            bits: bits.into(),
        }
    }

    /// `Fn::FindInMap` with literal names.
    pub fn find_in_map(map: &str, top: &str, second: &str) -> Expr {
        Expr::FindInMap {
            map: map.into(),
            top: top.into(),
            second: second.into(),
        }
    }

    /// `Fn::Equals`.
    pub fn equals(left: impl Into<Arg>, right: impl Into<Arg>) -> Expr {
        Expr::Equals {
            left: left.into(),
            right: right.into(),
        }
    }

    /// `Fn::If` on a declared condition.
    pub fn if_(condition: &LogicalId, then: impl Into<Arg>, otherwise: impl Into<Arg>) -> Expr {
        Expr::If {
            condition: condition.clone(),
            then: then.into(),
            otherwise: otherwise.into(),
        }
    }

    /// Long-form JSON of this expression.
    pub fn to_json(&self) -> Json {
        // Cannot fail: every key is a string.
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

/// The same value as [`Expr::to_json`], written straight to the serializer: no JSON tree is
/// built first (resources serialize their properties through this).
impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        fn one<S: Serializer, V: Serialize + ?Sized>(
            s: S,
            key: &str,
            v: &V,
        ) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry(key, v)?;
            m.end()
        }
        match self {
            Expr::Ref(id) => one(s, "Ref", id.as_str()),
            Expr::Pseudo(p) => one(s, "Ref", p.name()),
            Expr::GetAtt { id, attr } => one(s, "Fn::GetAtt", &(id.as_str(), attr)),
            Expr::Sub { template, vars } if vars.is_empty() => one(s, "Fn::Sub", template),
            Expr::Sub { template, vars } => one(s, "Fn::Sub", &(template, vars)),
            Expr::Join { delimiter, items } => one(s, "Fn::Join", &(delimiter, items)),
            Expr::Select { index, list } => one(s, "Fn::Select", &(index, list)),
            Expr::Split { delimiter, source } => one(s, "Fn::Split", &(delimiter, source)),
            Expr::Cidr { block, count, bits } => one(s, "Fn::Cidr", &(block, count, bits)),
            Expr::GetAZs { region } => one(s, "Fn::GetAZs", region),
            Expr::FindInMap { map, top, second } => one(s, "Fn::FindInMap", &(map, top, second)),
            Expr::If {
                condition,
                then,
                otherwise,
            } => one(s, "Fn::If", &(condition.as_str(), then, otherwise)),
            Expr::Equals { left, right } => one(s, "Fn::Equals", &(left, right)),
            Expr::And(items) => one(s, "Fn::And", items),
            Expr::Or(items) => one(s, "Fn::Or", items),
            Expr::Not(item) => one(s, "Fn::Not", &[item]),
            Expr::Condition(id) => one(s, "Condition", id.as_str()),
            Expr::ImportValue(v) => one(s, "Fn::ImportValue", v),
            Expr::Base64(v) => one(s, "Fn::Base64", v),
            Expr::Contains { list, value } => one(s, "Fn::Contains", &(list, value)),
        }
    }
}

impl Serialize for Arg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Lit(v) => v.serialize(s),
            Arg::Expr(e) => e.serialize(s),
            Arg::List(items) => items.serialize(s),
        }
    }
}

/// A property value: a literal `T` that rules can check, or an expression resolved by
/// CloudFormation (then the template's parameter constraints and the pre-deploy check cover it).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<T> {
    /// A value known at synth time, checked by the schema's checks and the rules.
    Lit(T),
    /// Boxed: an expression is rare next to literals and much larger.
    Expr(Box<Expr>),
}

impl<T> Value<T> {
    /// The literal, if this is one.
    pub fn literal(&self) -> Option<&T> {
        match self {
            Value::Lit(t) => Some(t),
            Value::Expr(_) => None,
        }
    }
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Lit(t) => t.serialize(s),
            Value::Expr(e) => e.serialize(s),
        }
    }
}

impl<T> From<Expr> for Value<T> {
    fn from(e: Expr) -> Self {
        Value::Expr(Box::new(e))
    }
}
impl From<&str> for Value<String> {
    fn from(s: &str) -> Self {
        Value::Lit(s.to_string())
    }
}
impl From<String> for Value<String> {
    fn from(s: String) -> Self {
        Value::Lit(s)
    }
}
impl From<&String> for Value<String> {
    fn from(s: &String) -> Self {
        Value::Lit(s.clone())
    }
}
impl From<i64> for Value<i64> {
    fn from(n: i64) -> Self {
        Value::Lit(n)
    }
}
impl From<f64> for Value<f64> {
    fn from(n: f64) -> Self {
        Value::Lit(n)
    }
}
impl From<bool> for Value<bool> {
    fn from(b: bool) -> Self {
        Value::Lit(b)
    }
}
impl<T> From<Vec<T>> for Value<Vec<T>> {
    fn from(items: Vec<T>) -> Self {
        Value::Lit(items)
    }
}
impl From<Json> for Value<Json> {
    fn from(v: Json) -> Self {
        Value::Lit(v)
    }
}
