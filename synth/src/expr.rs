//! Intrinsic functions, pseudo parameters, and `Value<T>`: a literal or an expression.
//!
//! Every expression renders in long form (`Ref: X`, `Fn::GetAtt: [X, Attr]`), so any YAML
//! or JSON tool reads the output.

use crate::id::LogicalId;
use indexmap::IndexMap;
use serde::{Serialize, Serializer};
use serde_json::{json, Map, Value as Json};

/// CloudFormation pseudo parameters.
/// Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pseudo {
    AccountId,
    NotificationArns,
    NoValue,
    Partition,
    Region,
    StackId,
    StackName,
    UrlSuffix,
}

impl Pseudo {
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

    pub fn from_name(name: &str) -> Option<Pseudo> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// An argument of an intrinsic function: a literal JSON value, an expression, or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Lit(Json),
    Expr(Box<Expr>),
    List(Vec<Arg>),
}

impl Arg {
    pub fn to_json(&self) -> Json {
        match self {
            Arg::Lit(v) => v.clone(),
            Arg::Expr(e) => e.to_json(),
            Arg::List(items) => Json::Array(items.iter().map(Arg::to_json).collect()),
        }
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
/// Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `Ref` to a parameter or resource.
    Ref(LogicalId),
    /// `Ref` to a pseudo parameter.
    Pseudo(Pseudo),
    GetAtt {
        id: LogicalId,
        attr: String,
    },
    /// `Fn::Sub`; the short form when `vars` is empty.
    Sub {
        template: String,
        vars: IndexMap<String, Arg>,
    },
    Join {
        delimiter: String,
        items: Arg,
    },
    Select {
        index: Arg,
        list: Arg,
    },
    Split {
        delimiter: String,
        source: Arg,
    },
    Cidr {
        block: Arg,
        count: Arg,
        bits: Arg,
    },
    GetAZs {
        region: Arg,
    },
    FindInMap {
        map: Arg,
        top: Arg,
        second: Arg,
    },
    If {
        condition: LogicalId,
        then: Arg,
        otherwise: Arg,
    },
    Equals {
        left: Arg,
        right: Arg,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// A reference to a named condition inside a condition function.
    Condition(LogicalId),
    ImportValue(Arg),
    Base64(Arg),
    /// `Fn::Contains` (Rules only).
    Contains {
        list: Arg,
        value: Arg,
    },
}

impl Expr {
    pub fn reference(id: &LogicalId) -> Expr {
        Expr::Ref(id.clone())
    }

    pub fn get_att(id: &LogicalId, attr: &str) -> Expr {
        Expr::GetAtt {
            id: id.clone(),
            attr: attr.to_string(),
        }
    }

    pub fn sub(template: impl Into<String>) -> Expr {
        Expr::Sub {
            template: template.into(),
            vars: IndexMap::new(),
        }
    }

    pub fn sub_with(template: impl Into<String>, vars: IndexMap<String, Arg>) -> Expr {
        Expr::Sub {
            template: template.into(),
            vars,
        }
    }

    pub fn join(delimiter: impl Into<String>, items: Vec<Arg>) -> Expr {
        Expr::Join {
            delimiter: delimiter.into(),
            items: Arg::List(items),
        }
    }

    pub fn select(index: i64, list: impl Into<Arg>) -> Expr {
        Expr::Select {
            index: Arg::from(index),
            list: list.into(),
        }
    }

    pub fn cidr(block: impl Into<Arg>, count: i64, bits: i64) -> Expr {
        Expr::Cidr {
            block: block.into(),
            count: count.into(),
            bits: bits.into(),
        }
    }

    pub fn find_in_map(map: &str, top: &str, second: &str) -> Expr {
        Expr::FindInMap {
            map: map.into(),
            top: top.into(),
            second: second.into(),
        }
    }

    pub fn equals(left: impl Into<Arg>, right: impl Into<Arg>) -> Expr {
        Expr::Equals {
            left: left.into(),
            right: right.into(),
        }
    }

    pub fn if_(condition: &LogicalId, then: impl Into<Arg>, otherwise: impl Into<Arg>) -> Expr {
        Expr::If {
            condition: condition.clone(),
            then: then.into(),
            otherwise: otherwise.into(),
        }
    }

    /// Long-form JSON of this expression.
    pub fn to_json(&self) -> Json {
        fn one(key: &str, v: Json) -> Json {
            let mut m = Map::new();
            m.insert(key.to_string(), v);
            Json::Object(m)
        }
        match self {
            Expr::Ref(id) => one("Ref", json!(id.as_str())),
            Expr::Pseudo(p) => one("Ref", json!(p.name())),
            Expr::GetAtt { id, attr } => one("Fn::GetAtt", json!([id.as_str(), attr])),
            Expr::Sub { template, vars } if vars.is_empty() => one("Fn::Sub", json!(template)),
            Expr::Sub { template, vars } => {
                let vars: Map<String, Json> =
                    vars.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
                one("Fn::Sub", json!([template, vars]))
            }
            Expr::Join { delimiter, items } => one("Fn::Join", json!([delimiter, items.to_json()])),
            Expr::Select { index, list } => {
                one("Fn::Select", json!([index.to_json(), list.to_json()]))
            }
            Expr::Split { delimiter, source } => {
                one("Fn::Split", json!([delimiter, source.to_json()]))
            }
            Expr::Cidr { block, count, bits } => one(
                "Fn::Cidr",
                json!([block.to_json(), count.to_json(), bits.to_json()]),
            ),
            Expr::GetAZs { region } => one("Fn::GetAZs", region.to_json()),
            Expr::FindInMap { map, top, second } => one(
                "Fn::FindInMap",
                json!([map.to_json(), top.to_json(), second.to_json()]),
            ),
            Expr::If {
                condition,
                then,
                otherwise,
            } => one(
                "Fn::If",
                json!([condition.as_str(), then.to_json(), otherwise.to_json()]),
            ),
            Expr::Equals { left, right } => {
                one("Fn::Equals", json!([left.to_json(), right.to_json()]))
            }
            Expr::And(items) => one(
                "Fn::And",
                Json::Array(items.iter().map(Expr::to_json).collect()),
            ),
            Expr::Or(items) => one(
                "Fn::Or",
                Json::Array(items.iter().map(Expr::to_json).collect()),
            ),
            Expr::Not(item) => one("Fn::Not", json!([item.to_json()])),
            Expr::Condition(id) => one("Condition", json!(id.as_str())),
            Expr::ImportValue(v) => one("Fn::ImportValue", v.to_json()),
            Expr::Base64(v) => one("Fn::Base64", v.to_json()),
            Expr::Contains { list, value } => {
                one("Fn::Contains", json!([list.to_json(), value.to_json()]))
            }
        }
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// A property value: a literal `T` that rules can check, or an expression resolved by
/// CloudFormation (then the template's parameter constraints and the pre-deploy check cover it).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<T> {
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
