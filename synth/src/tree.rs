//! The tree a template is built in ([`Node`]), and what the checks and the renderer read
//! ([`Tree`]): a [`Node`] for a template built here, a `serde_json::Value` for one read from
//! a file. One implementation of [`validate`](crate::validate) and
//! [`render`](crate::render) serves both.
//!
//! A [`Node`] is a `serde_json::Value` without the hashing: a mapping is its entries in order,
//! and keys and strings known at compile time (property names, resource types) are borrowed
//! rather than copied. Building one from typed properties ([`to_node`]) costs a fraction of
//! building a `serde_json::Value`, whose every mapping is a hash table of owned keys.

use serde::ser::{self, Serialize};
use serde_json::{Map, Number, Value as Json};
use std::borrow::Cow;
use std::fmt;

/// A key or string: borrowed when known at compile time, owned otherwise.
pub type Text = Cow<'static, str>;

/// A template value: JSON's six kinds, mappings in insertion order.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Node {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as JSON holds it.
    Number(Number),
    /// A string.
    String(Text),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping: its entries in order, each key once.
    Map(Vec<(Text, Node)>),
}

impl Node {
    /// A string known at compile time: nothing is copied.
    pub const fn str(s: &'static str) -> Node {
        Node::String(Cow::Borrowed(s))
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_json(&self) -> Json {
        match self {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(*b),
            Node::Number(n) => Json::Number(n.clone()),
            Node::String(s) => Json::String(s.to_string()),
            Node::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Sets `key` in a mapping's entries: in place when it is there (as `serde_json::Map::insert`
/// does), else at the end.
pub fn insert(entries: &mut Vec<(Text, Node)>, key: Text, value: Node) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some((_, v)) => *v = value,
        None => entries.push((key, value)),
    }
}

impl From<&Json> for Node {
    fn from(v: &Json) -> Node {
        match v {
            Json::Null => Node::Null,
            Json::Bool(b) => Node::Bool(*b),
            Json::Number(n) => Node::Number(n.clone()),
            Json::String(s) => Node::String(Cow::Owned(s.clone())),
            Json::Array(items) => Node::Seq(items.iter().map(Node::from).collect()),
            Json::Object(m) => Node::Map(
                m.iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Json> for Node {
    fn from(v: Json) -> Node {
        match v {
            Json::Null => Node::Null,
            Json::Bool(b) => Node::Bool(b),
            Json::Number(n) => Node::Number(n),
            Json::String(s) => Node::String(Cow::Owned(s)),
            Json::Array(items) => Node::Seq(items.into_iter().map(Node::from).collect()),
            Json::Object(m) => Node::Map(
                m.into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<bool> for Node {
    fn from(b: bool) -> Node {
        Node::Bool(b)
    }
}

impl From<i32> for Node {
    fn from(n: i32) -> Node {
        Node::Number(n.into())
    }
}

impl From<i64> for Node {
    fn from(n: i64) -> Node {
        Node::Number(n.into())
    }
}

impl From<u64> for Node {
    fn from(n: u64) -> Node {
        Node::Number(n.into())
    }
}

impl From<&String> for Node {
    fn from(s: &String) -> Node {
        Node::from(s.as_str())
    }
}

impl From<Vec<Node>> for Node {
    fn from(items: Vec<Node>) -> Node {
        Node::Seq(items)
    }
}

/// A [`Node`] written like JSON, as `serde_json::json!` writes a `Value`: keys are string
/// literals (borrowed, not copied), `null`, `[...]` and `{...}` nest, and anything else is an
/// expression converted with `Node::from` (a string, a number, a boolean, an [`Expr`](crate::Expr),
/// another `Node`).
///
/// ```
/// use synth::{node, Node};
/// let principal = "*";
/// let n: Node = node!({"Effect": "Allow", "Principal": principal, "Action": ["s3:*"], "Sid": null});
/// assert_eq!(n.to_string(), r#"{"Effect":"Allow","Principal":"*","Action":["s3:*"],"Sid":null}"#);
/// ```
#[macro_export]
macro_rules! node {
    (null) => {
        $crate::tree::Node::Null
    };
    ({ $($body:tt)* }) => {
        $crate::tree::Node::Map($crate::node!(@entries [] $($body)*))
    };
    ([ $($body:tt)* ]) => {
        $crate::tree::Node::Seq($crate::node!(@items [] [] $($body)*))
    };
    // Entries: a key, a colon, then the value's tokens up to a comma at this level.
    (@entries [$($out:tt)*]) => {
        vec![$($out)*]
    };
    (@entries [$($out:tt)*] $key:literal : $($rest:tt)*) => {
        $crate::node!(@value [$($out)*] $key [] $($rest)*)
    };
    (@value [$($out:tt)*] $key:literal [$($v:tt)+] , $($rest:tt)*) => {
        $crate::node!(@entries [$($out)* (::std::borrow::Cow::Borrowed($key), $crate::node!($($v)+)),] $($rest)*)
    };
    (@value [$($out:tt)*] $key:literal [$($v:tt)+]) => {
        $crate::node!(@entries [$($out)* (::std::borrow::Cow::Borrowed($key), $crate::node!($($v)+)),])
    };
    (@value [$($out:tt)*] $key:literal [$($v:tt)*] $next:tt $($rest:tt)*) => {
        $crate::node!(@value [$($out)*] $key [$($v)* $next] $($rest)*)
    };
    // Items: each one's tokens up to a comma at this level.
    (@items [$($out:tt)*] []) => {
        vec![$($out)*]
    };
    (@items [$($out:tt)*] [$($v:tt)+]) => {
        vec![$($out)* $crate::node!($($v)+)]
    };
    (@items [$($out:tt)*] [$($v:tt)+] , $($rest:tt)*) => {
        $crate::node!(@items [$($out)* $crate::node!($($v)+),] [] $($rest)*)
    };
    (@items [$($out:tt)*] [$($v:tt)*] $next:tt $($rest:tt)*) => {
        $crate::node!(@items [$($out)*] [$($v)* $next] $($rest)*)
    };
    ($e:expr) => {
        $crate::tree::Node::from($e)
    };
}

impl From<&str> for Node {
    fn from(s: &str) -> Node {
        Node::String(Cow::Owned(s.to_string()))
    }
}

impl From<String> for Node {
    fn from(s: String) -> Node {
        Node::String(Cow::Owned(s))
    }
}

/// Compact JSON, as `serde_json::Value` displays (diagnostics quote values this way).
impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_json(), f)
    }
}

impl Serialize for Node {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq};
        match self {
            Node::Null => s.serialize_unit(),
            Node::Bool(b) => s.serialize_bool(*b),
            Node::Number(n) => n.serialize(s),
            Node::String(v) => s.serialize_str(v),
            Node::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_ref(), v)?;
                }
                map.end()
            }
        }
    }
}

/// One value seen through [`Tree::view`].
pub enum View<'a, T: Tree> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(&'a Number),
    /// A string.
    Str(&'a str),
    /// A list.
    Seq(&'a [T]),
    /// A mapping.
    Map(&'a T::Map),
}

/// A JSON-shaped value the checks and the renderer can read.
pub trait Tree: Sized + fmt::Display + 'static {
    /// Its mappings.
    type Map: Entries<Self>;

    /// What the value is.
    fn view(&self) -> View<'_, Self>;

    /// The string, when it is one.
    fn as_str(&self) -> Option<&str> {
        match self.view() {
            View::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The list, when it is one.
    fn as_seq(&self) -> Option<&[Self]> {
        match self.view() {
            View::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The mapping, when it is one.
    fn as_map(&self) -> Option<&Self::Map> {
        match self.view() {
            View::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The value of `key`, when this is a mapping that has it.
    fn get(&self, key: &str) -> Option<&Self> {
        self.as_map()?.get(key)
    }

    /// The kind of value, for messages: "a string", "a mapping".
    fn kind(&self) -> &'static str {
        match self.view() {
            View::Null => "null",
            View::Bool(_) => "a boolean",
            View::Number(_) => "a number",
            View::Str(_) => "a string",
            View::Seq(_) => "a list",
            View::Map(_) => "a mapping",
        }
    }
}

/// The entries of a [`Tree`]'s mapping, in order.
pub trait Entries<T> {
    /// How many entries.
    fn len(&self) -> usize;

    /// The value of `key`.
    fn get(&self, key: &str) -> Option<&T>;

    /// Each key and value, in order.
    fn entries<'a>(&'a self) -> impl Iterator<Item = (&'a str, &'a T)>
    where
        T: 'a;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `key` is there.
    fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Each key, in order.
    fn keys<'a>(&'a self) -> impl Iterator<Item = &'a str>
    where
        T: 'a,
    {
        self.entries().map(|(k, _)| k)
    }

    /// Each value, in order.
    fn values<'a>(&'a self) -> impl Iterator<Item = &'a T>
    where
        T: 'a,
    {
        self.entries().map(|(_, v)| v)
    }
}

impl Tree for Json {
    type Map = Map<String, Json>;

    fn view(&self) -> View<'_, Self> {
        match self {
            Json::Null => View::Null,
            Json::Bool(b) => View::Bool(*b),
            Json::Number(n) => View::Number(n),
            Json::String(s) => View::Str(s),
            Json::Array(items) => View::Seq(items),
            Json::Object(m) => View::Map(m),
        }
    }
}

impl Entries<Json> for Map<String, Json> {
    fn len(&self) -> usize {
        Map::len(self)
    }

    fn get(&self, key: &str) -> Option<&Json> {
        Map::get(self, key)
    }

    fn entries<'a>(&'a self) -> impl Iterator<Item = (&'a str, &'a Json)>
    where
        Json: 'a,
    {
        self.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Tree for Node {
    type Map = Vec<(Text, Node)>;

    fn view(&self) -> View<'_, Self> {
        match self {
            Node::Null => View::Null,
            Node::Bool(b) => View::Bool(*b),
            Node::Number(n) => View::Number(n),
            Node::String(s) => View::Str(s),
            Node::Seq(items) => View::Seq(items),
            Node::Map(m) => View::Map(m),
        }
    }
}

impl Entries<Node> for Vec<(Text, Node)> {
    fn len(&self) -> usize {
        <[_]>::len(self)
    }

    fn get(&self, key: &str) -> Option<&Node> {
        self.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn entries<'a>(&'a self) -> impl Iterator<Item = (&'a str, &'a Node)>
    where
        Node: 'a,
    {
        self.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// Why a value could not become a [`Node`]: a mapping key that is not a string, a number
/// out of JSON's range, or a type's own serialization error (serde_json's messages).
#[derive(Debug, Clone, PartialEq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Error(msg.to_string())
    }
}

/// Serializes `value` into a [`Node`]: the same value `serde_json::to_value` gives, with
/// struct field names borrowed and each mapping sized once.
pub fn to_node<T: Serialize + ?Sized>(value: &T) -> Result<Node, Error> {
    value.serialize(NodeSerializer)
}

struct NodeSerializer;

fn number_or_error<N: TryInto<i64> + TryInto<u64> + Copy + fmt::Display>(
    n: N,
) -> Result<Node, Error> {
    if let Ok(i) = TryInto::<i64>::try_into(n) {
        return Ok(Node::Number(i.into()));
    }
    match TryInto::<u64>::try_into(n) {
        Ok(u) => Ok(Node::Number(u.into())),
        Err(_) => Err(Error("number out of range".into())),
    }
}

impl ser::Serializer for NodeSerializer {
    type Ok = Node;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = StructBuilder;
    type SerializeStructVariant = VariantBuilder<StructBuilder>;

    fn serialize_bool(self, v: bool) -> Result<Node, Error> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_i128(self, v: i128) -> Result<Node, Error> {
        number_or_error(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Node, Error> {
        Ok(Node::Number(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Node, Error> {
        number_or_error(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Node, Error> {
        // As serde_json: the f32's own shortest form, not its f64 widening.
        Ok(Node::from(Json::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<Node, Error> {
        // As serde_json: NaN and infinities have no JSON form and become null.
        Ok(Number::from_f64(v).map_or(Node::Null, Node::Number))
    }
    fn serialize_char(self, v: char) -> Result<Node, Error> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }
    fn serialize_str(self, v: &str) -> Result<Node, Error> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node, Error> {
        Ok(Node::Seq(
            v.iter().map(|b| Node::Number((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node, Error> {
        Ok(Node::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node, Error> {
        Ok(Node::str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node, Error> {
        Ok(Node::Map(vec![(Cow::Borrowed(variant), to_node(value)?)]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder(Vec::with_capacity(len)))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder(Vec::with_capacity(len)))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>, Error> {
        Ok(VariantBuilder {
            variant,
            inner: SeqBuilder(Vec::with_capacity(len)),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder, Error> {
        Ok(MapBuilder {
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<StructBuilder, Error> {
        Ok(StructBuilder(Vec::with_capacity(len)))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<StructBuilder>, Error> {
        Ok(VariantBuilder {
            variant,
            inner: StructBuilder(Vec::with_capacity(len)),
        })
    }
}

#[doc(hidden)]
pub struct SeqBuilder(Vec<Node>);

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.0.push(to_node(value)?);
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Seq(self.0))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Node;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Node, Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<Node, Error> {
        ser::SerializeSeq::end(self)
    }
}

#[doc(hidden)]
pub struct StructBuilder(Vec<(Text, Node)>);

impl ser::SerializeStruct for StructBuilder {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.0.push((Cow::Borrowed(key), to_node(value)?));
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(self.0))
    }
}

#[doc(hidden)]
pub struct MapBuilder {
    entries: Vec<(Text, Node)>,
    key: Option<Text>,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Node;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error("a mapping value must follow its key".into()))?;
        insert(&mut self.entries, key, to_node(value)?);
        Ok(())
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(self.entries))
    }
}

#[doc(hidden)]
pub struct VariantBuilder<B> {
    variant: &'static str,
    inner: B,
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(&mut self.inner, value)
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(vec![(
            Cow::Borrowed(self.variant),
            Node::Seq(self.inner.0),
        )]))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<StructBuilder> {
    type Ok = Node;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.inner, key, value)
    }
    fn end(self) -> Result<Node, Error> {
        Ok(Node::Map(vec![(
            Cow::Borrowed(self.variant),
            Node::Map(self.inner.0),
        )]))
    }
}

/// The static copy of a mapping key templates repeat: the intrinsic functions (every
/// expression is a one-key mapping) and the keys of IAM policies. Borrowing it saves an
/// allocation per key.
fn known_key(k: &str) -> Option<&'static str> {
    const KEYS: &[&str] = &[
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::Cidr",
        "Fn::GetAZs",
        "Fn::FindInMap",
        "Fn::If",
        "Fn::Equals",
        "Fn::And",
        "Fn::Or",
        "Fn::Not",
        "Fn::ImportValue",
        "Fn::Base64",
        "Fn::Contains",
        "Fn::Transform",
        "Condition",
        "Version",
        "Statement",
        "Sid",
        "Effect",
        "Principal",
        "Action",
        "Resource",
        "Service",
        "AWS",
        "Key",
        "Value",
    ];
    KEYS.iter().copied().find(|known| *known == k)
}

/// A float as a mapping key: its JSON text, as serde_json writes it; NaN and infinities have
/// none.
fn float_key(
    finite: bool,
    text: impl FnOnce() -> Result<String, serde_json::Error>,
) -> Result<Text, Error> {
    if !finite {
        return Err(Error("float key must be finite (got NaN or +/-inf)".into()));
    }
    text().map(Cow::Owned).map_err(|e| Error(e.to_string()))
}

/// Mapping keys: strings, and what serde_json also writes as one (numbers, booleans,
/// characters, unit variants).
struct KeySerializer;

fn key_error() -> Error {
    Error("key must be a string".into())
}

impl ser::Serializer for KeySerializer {
    type Ok = Text;
    type Error = Error;
    type SerializeSeq = ser::Impossible<Text, Error>;
    type SerializeTuple = ser::Impossible<Text, Error>;
    type SerializeTupleStruct = ser::Impossible<Text, Error>;
    type SerializeTupleVariant = ser::Impossible<Text, Error>;
    type SerializeMap = ser::Impossible<Text, Error>;
    type SerializeStruct = ser::Impossible<Text, Error>;
    type SerializeStructVariant = ser::Impossible<Text, Error>;

    fn serialize_bool(self, v: bool) -> Result<Text, Error> {
        Ok(Cow::Borrowed(if v { "true" } else { "false" }))
    }
    fn serialize_i8(self, v: i8) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_i16(self, v: i16) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_i32(self, v: i32) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_i64(self, v: i64) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_u8(self, v: u8) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_u16(self, v: u16) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_u32(self, v: u32) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_u64(self, v: u64) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_i128(self, v: i128) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_u128(self, v: u128) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_f32(self, v: f32) -> Result<Text, Error> {
        float_key(v.is_finite(), || serde_json::to_string(&v))
    }
    fn serialize_f64(self, v: f64) -> Result<Text, Error> {
        float_key(v.is_finite(), || serde_json::to_string(&v))
    }
    fn serialize_char(self, v: char) -> Result<Text, Error> {
        Ok(Cow::Owned(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Text, Error> {
        Ok(known_key(v).map_or_else(|| Cow::Owned(v.to_string()), Cow::Borrowed))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Text, Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<Text, Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<Text, Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<Text, Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Text, Error> {
        Err(key_error())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Text, Error> {
        Ok(Cow::Borrowed(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Text, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Text, Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;

    /// Every serde shape gives the value serde_json gives.
    #[test]
    fn to_node_gives_what_serde_json_gives() {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Props {
            name: String,
            count: Option<u32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<u32>,
            ratio: f64,
            small: f32,
            nan: f64,
            flag: bool,
            letter: char,
            tuple: (i8, &'static str),
            unit: (),
            kind: Kind,
            list: Vec<Kind>,
            tags: indexmap::IndexMap<String, i64>,
            numbered: std::collections::BTreeMap<u16, bool>,
            raw: Json,
            big: u64,
            negative: i128,
        }
        #[derive(Serialize)]
        enum Kind {
            Plain,
            Wrapped(String),
            Pair(u8, u8),
            Fields { a: i32 },
        }
        let props = Props {
            name: "it's \"quoted\"".into(),
            count: None,
            skipped: None,
            ratio: 0.1,
            small: 0.1,
            nan: f64::NAN,
            flag: true,
            letter: 'x',
            tuple: (-3, "t"),
            unit: (),
            kind: Kind::Plain,
            list: vec![
                Kind::Wrapped("w".into()),
                Kind::Pair(1, 2),
                Kind::Fields { a: -1 },
            ],
            tags: [("b".to_string(), 2), ("a".to_string(), 1)]
                .into_iter()
                .collect(),
            numbered: [(7, true)].into_iter().collect(),
            raw: json!({"Statement": [{"Effect": "Allow", "Ok": null, "N": 1.5}]}),
            big: u64::MAX,
            negative: -5,
        };
        let expected = serde_json::to_value(&props).unwrap();
        let node = to_node(&props).unwrap();
        assert_eq!(node.to_json(), expected);
        // Field order is kept, and so is the order of a map's keys.
        let keys: Vec<&str> = node.as_map().unwrap().keys().collect();
        assert_eq!(keys[..3], ["Name", "Count", "Ratio"]);
        assert_eq!(Node::from(&expected), node);
        assert_eq!(node.to_string(), expected.to_string());
    }

    /// `node!` builds what `json!` builds from the same text: nesting, expressions of
    /// several tokens, trailing commas, empty collections, numbers, booleans and null.
    #[test]
    fn node_macro_builds_what_json_builds() {
        let arn = |suffix: &str| format!("arn:aws:s3:::b{suffix}");
        let days = 7i64;
        let n = crate::node!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Resource": [arn("/*"), arn("")], "Days": days + 1},
                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": false}}},
            ],
            "Empty": {},
            "None": [],
            "Null": null,
            "Neg": -1,
        });
        let j = json!({
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Resource": [arn("/*"), arn("")], "Days": days + 1},
                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": false}}},
            ],
            "Empty": {},
            "None": [],
            "Null": null,
            "Neg": -1,
        });
        assert_eq!(n.to_json(), j);
        // Keys are borrowed, not copied.
        let keys_borrowed = n
            .as_map()
            .unwrap()
            .iter()
            .all(|(k, _)| matches!(k, Cow::Borrowed(_)));
        assert!(keys_borrowed);
    }

    /// Keys serde_json writes as strings (numbers, floats, booleans) come out the same, and
    /// what it refuses is refused with its message.
    #[test]
    fn keys_and_errors_are_serde_json_s() {
        let floats = FloatKeys(vec![(1.5, 1), (-0.25, 2), (1e21, 3), (0.1, 4)]);
        assert_eq!(
            to_node(&floats).unwrap().to_json(),
            serde_json::to_value(&floats).unwrap()
        );
        let wide: indexmap::IndexMap<i128, bool> = [(-(1i128 << 100), true)].into_iter().collect();
        assert_eq!(
            to_node(&wide).unwrap().to_json(),
            serde_json::to_value(&wide).unwrap()
        );
        let message = |e: Error| e.to_string();
        let bytes: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert_eq!(
            message(to_node(&bytes).unwrap_err()),
            serde_json::to_value(&bytes).unwrap_err().to_string()
        );
        assert_eq!(
            message(to_node(&u128::MAX).unwrap_err()),
            serde_json::to_value(u128::MAX).unwrap_err().to_string()
        );
        let nan = FloatKeys(vec![(f64::NAN, 1)]);
        assert_eq!(
            message(to_node(&nan).unwrap_err()),
            serde_json::to_value(&nan).unwrap_err().to_string()
        );
    }

    /// A map from floats, serialized as serde serializes one.
    struct FloatKeys(Vec<(f64, i32)>);

    impl Serialize for FloatKeys {
        fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeMap;
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in &self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }

    #[test]
    fn insert_replaces_in_place_like_serde_json() {
        let mut entries = vec![
            (Cow::Borrowed("A"), Node::Null),
            (Cow::Borrowed("B"), Node::Null),
        ];
        insert(&mut entries, Cow::Borrowed("A"), Node::Bool(true));
        insert(&mut entries, Cow::Borrowed("C"), Node::Bool(false));
        let mut m = Map::new();
        m.insert("A".into(), Json::Null);
        m.insert("B".into(), Json::Null);
        m.insert("A".into(), Json::Bool(true));
        m.insert("C".into(), Json::Bool(false));
        assert_eq!(Node::Map(entries).to_json(), Json::Object(m));
    }

    /// The two trees read alike through [`Tree`].
    #[test]
    fn json_and_node_read_alike() {
        let json = json!({"A": [1, "s", null, true, {}], "B": {"C": "d"}});
        let node = Node::from(&json);
        fn describe<T: Tree>(t: &T) -> String {
            match t.view() {
                View::Map(m) => m
                    .entries()
                    .map(|(k, v)| format!("{k}={}", describe(v)))
                    .collect::<Vec<_>>()
                    .join(","),
                View::Seq(items) => items.iter().map(|i| i.kind()).collect::<Vec<_>>().join("|"),
                _ => t.to_string(),
            }
        }
        assert_eq!(describe(&json), describe(&node));
        assert_eq!(
            json.get("B")
                .and_then(|b| b.get("C"))
                .and_then(Tree::as_str),
            Some("d")
        );
        assert_eq!(
            node.get("B")
                .and_then(|b| b.get("C"))
                .and_then(Tree::as_str),
            Some("d")
        );
        assert_eq!(
            describe(&node),
            "A=a number|a string|null|a boolean|a mapping,B=C=\"d\""
        );
    }
}
