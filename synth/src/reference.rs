//! Typed references: a property that refers to another resource holds a [`Ref<P>`], where
//! `P` names what it refers to (a [`Target`]: one property of one resource type, such as
//! the `VpcId` of an `AWS::EC2::VPC`). A `Ref` comes from the referenced resource's
//! [`Handle`], or is given explicitly as a literal, a parameter or an import, so passing a
//! subnet where a VPC belongs does not compile.
//!
//! The generator declares the targets and types the fields from the registry schemas
//! (`relationshipRef`, cfn-lint's `format` keyword, and a short list of documented extras).

use crate::expr::{Arg, Expr, Value};
use crate::id::LogicalId;
use crate::resource::{Attribute, Handle, Resource};
use serde::{Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

/// One property of resource type [`Target::Of`] that other resources refer to. Implemented
/// by generated marker types (uninhabited enums) such as `l1::ec2::VpcId`.
pub trait Target: 'static {
    /// The resource type that holds the property.
    type Of: Resource;
    /// `None` when `Ref` returns the property (it is the type's primary identifier),
    /// else the `Fn::GetAtt` attribute that returns it.
    const ATTRIBUTE: Option<<Self::Of as Resource>::Attr>;
}

/// A reference to the property `P` of a `P::Of` resource: `Ref` or `Fn::GetAtt` of a
/// resource in the template ([`Handle::refer`], or `From<&Handle<_>>`), or a value given
/// explicitly ([`Ref::literal`], [`Ref::parameter`], [`Ref::import`], [`Ref::expr`]).
/// It renders exactly as the underlying string value.
///
/// ```
/// use synth::{Handle, Ref, Target, Template};
/// # use synth::{Diagnostics, NoAttributes, Resource};
/// # #[derive(serde::Serialize)]
/// # struct Vpc;
/// # impl Resource for Vpc {
/// #     const TYPE: &'static str = "AWS::EC2::VPC";
/// #     type Attr = NoAttributes;
/// #     const CREATE_ONLY: &'static [&'static str] = &[];
/// #     fn check(&self, _: &str, _: &mut Diagnostics) {}
/// # }
/// /// The `VpcId` of a VPC, what `Ref` returns.
/// enum VpcId {}
/// impl Target for VpcId {
///     type Of = Vpc;
///     const ATTRIBUTE: Option<NoAttributes> = None;
/// }
///
/// let mut t = Template::new("example");
/// let vpc: Handle<Vpc> = t.add("Vpc", Vpc);
/// let made: Ref<VpcId> = vpc.refer();
/// let existing = Ref::<VpcId>::literal("vpc-0123456789abcdef0");
/// assert_eq!(serde_json::to_value(&made).unwrap(), serde_json::json!({"Ref": "Vpc"}));
/// assert_eq!(serde_json::to_value(&existing).unwrap(), "vpc-0123456789abcdef0");
/// ```
pub struct Ref<P> {
    value: Value<String>,
    _target: PhantomData<fn() -> P>,
}

impl<P: Target> Ref<P> {
    fn new(value: Value<String>) -> Self {
        Ref {
            value,
            _target: PhantomData,
        }
    }

    /// A physical ID or name the caller knows, such as an existing VPC's `vpc-...` ID.
    pub fn literal(s: impl Into<String>) -> Self {
        Ref::new(Value::Lit(s.into()))
    }

    /// `Ref` to a template parameter that holds the value (e.g. of type `AWS::EC2::VPC::Id`).
    pub fn parameter(id: &LogicalId) -> Self {
        Ref::new(Expr::Ref(id.clone()).into())
    }

    /// `Fn::ImportValue` of another stack's export that holds the value.
    pub fn import(export_name: impl Into<Arg>) -> Self {
        Ref::new(Expr::ImportValue(export_name.into()).into())
    }

    /// Any other expression (`Fn::If`, `Fn::Select` ...) the caller vouches for: the one
    /// escape hatch from the kind check, so it is spelled out.
    pub fn expr(e: Expr) -> Self {
        Ref::new(e.into())
    }

    /// The value as the template holds it.
    pub fn value(&self) -> &Value<String> {
        &self.value
    }

    /// The value as the template holds it, for use inside other expressions.
    pub fn into_value(self) -> Value<String> {
        self.value
    }
}

impl<T: Resource> Handle<T> {
    /// A typed reference to this resource: `Ref` when the target property is what `Ref`
    /// returns, else `Fn::GetAtt` of its attribute. `P` is usually inferred from the field.
    pub fn refer<P: Target<Of = T>>(&self) -> Ref<P> {
        let expr = match P::ATTRIBUTE {
            None => self.reference(),
            Some(attr) => Expr::get_att(self.id(), attr.name()),
        };
        Ref::new(expr.into())
    }
}

impl<P: Target> From<&Handle<P::Of>> for Ref<P> {
    fn from(h: &Handle<P::Of>) -> Self {
        h.refer()
    }
}

impl<P> Clone for Ref<P> {
    fn clone(&self) -> Self {
        Ref {
            value: self.value.clone(),
            _target: PhantomData,
        }
    }
}

impl<P> PartialEq for Ref<P> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<P> fmt::Debug for Ref<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Ref").field(&self.value).finish()
    }
}

impl<P> Serialize for Ref<P> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<P> From<Ref<P>> for Arg {
    fn from(r: Ref<P>) -> Self {
        r.value.into()
    }
}
