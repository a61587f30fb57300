//! What a resource type tells the template: its type name, attributes, create-only
//! properties, and the checks its schema implies. Implemented by the generated L1 types.

use crate::code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::expr::{Expr, Value};
use crate::id::LogicalId;
use serde::Serialize;
use std::marker::PhantomData;

/// A resource type's properties (the generated L1 struct).
pub trait Resource: Serialize {
    /// CloudFormation type name, e.g. `AWS::EC2::VPC`.
    const TYPE: &'static str;
    /// The `Fn::GetAtt` attributes of this type (a generated enum).
    type Attr: Attribute;
    /// Create-only properties as `/`-separated paths: changing one replaces the resource.
    const CREATE_ONLY: &'static [&'static str];
    /// Replacing or removing a resource of this type loses data (files, objects, images).
    const HOLDS_DATA: bool = false;
    /// Checks literal values against the schema: required properties, enums, patterns, bounds.
    fn check(&self, path: &str, diags: &mut Diagnostics);
}

/// A property type (nested object) that knows how to check itself.
pub trait Check {
    /// Pushes a diagnostic under `path` for every literal value the schema rejects.
    fn check(&self, path: &str, diags: &mut Diagnostics);
}

/// The `Fn::GetAtt` attributes of one resource type.
pub trait Attribute: Copy {
    /// Every attribute name of the type.
    const ALL: &'static [&'static str];
    /// The attribute's name as `Fn::GetAtt` writes it, e.g. `Arn` or `DNSName`.
    fn name(self) -> &'static str;
}

/// Attributes of a type that has none.
#[derive(Debug, Clone, Copy)]
pub enum NoAttributes {}

impl Attribute for NoAttributes {
    const ALL: &'static [&'static str] = &[];
    fn name(self) -> &'static str {
        match self {}
    }
}

/// A typed reference to a resource added to a template.
#[derive(Debug)]
pub struct Handle<T> {
    id: LogicalId,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Handle {
            id: self.id.clone(),
            _type: PhantomData,
        }
    }
}

impl<T: Resource> Handle<T> {
    pub(crate) fn new(id: LogicalId) -> Self {
        Handle {
            id,
            _type: PhantomData,
        }
    }

    /// The resource's logical ID.
    pub fn id(&self) -> &LogicalId {
        &self.id
    }

    /// `Ref` to this resource.
    pub fn reference(&self) -> Expr {
        Expr::Ref(self.id.clone())
    }

    /// `Fn::GetAtt` of one of this type's attributes.
    pub fn get_att(&self, attr: T::Attr) -> Expr {
        Expr::GetAtt {
            id: self.id.clone(),
            attr: attr.name().to_string(),
        }
    }

    /// `Ref` as a string value. A property that refers to a generated type takes a typed
    /// reference instead: [`Handle::refer`].
    pub fn ref_value(&self) -> Value<String> {
        self.reference().into()
    }

    /// `Fn::GetAtt` as a string value.
    pub fn att_value(&self, attr: T::Attr) -> Value<String> {
        self.get_att(attr).into()
    }
}

/// Helpers the generated checks call. Each pushes a diagnostic in the one message form.
pub mod checks {
    use super::*;
    use std::fmt::Display;

    fn field_path(path: &str, field: &str) -> String {
        format!("{path}.{field}")
    }

    /// Pushes an info diagnostic: an expression can't be checked at synth time.
    pub fn unchecked(diags: &mut Diagnostics, path: &str, field: &str, rule: &str) {
        diags.push(Diagnostic::info(
            code::EXPRESSION_PROPERTY,
            field_path(path, field),
            format!("{field} must {rule}; it is an expression, so CloudFormation checks it at deploy time"),
        ));
    }

    /// Pushes an error when the required property `field` of a `type_name` is not set.
    pub fn required<T>(
        diags: &mut Diagnostics,
        path: &str,
        type_name: &str,
        field: &str,
        v: &Option<T>,
    ) {
        if v.is_none() {
            diags.push(Diagnostic::error(
                code::REQUIRED_PROPERTY,
                field_path(path, field),
                format!("{field} must be set for {type_name}, got nothing"),
            ));
        }
    }

    /// Pushes an error when a literal is not in the schema's `allowed` values; an info for an
    /// expression.
    pub fn one_of(
        diags: &mut Diagnostics,
        path: &str,
        field: &str,
        v: &Value<String>,
        allowed: &[&str],
    ) {
        match v {
            Value::Lit(s) if allowed.contains(&s.as_str()) => {}
            Value::Lit(s) => diags.push(Diagnostic::error(
                code::ALLOWED_VALUES,
                field_path(path, field),
                format!(
                    "{field} must be one of {} for this property, got {s:?}",
                    allowed.join(", ")
                ),
            )),
            Value::Expr(_) => unchecked(
                diags,
                path,
                field,
                &format!("be one of {}", allowed.join(", ")),
            ),
        }
    }

    /// A schema pattern, compiled on first use (a property whose value is an expression
    /// never needs it).
    pub struct Pattern {
        source: &'static str,
        compiled: std::sync::OnceLock<Option<regex_lite::Regex>>,
    }

    impl Pattern {
        /// The pattern `source`, compiled on first use (the generator checked that it
        /// compiles).
        pub const fn new(source: &'static str) -> Self {
            Pattern {
                source,
                compiled: std::sync::OnceLock::new(),
            }
        }

        /// The pattern as the schema writes it.
        pub fn as_str(&self) -> &'static str {
            self.source
        }

        /// Whether `s` matches; `None` if the pattern does not compile.
        pub fn is_match(&self, s: &str) -> Option<bool> {
            self.compiled
                .get_or_init(|| regex_lite::Regex::new(self.source).ok())
                .as_ref()
                .map(|re| re.is_match(s))
        }
    }

    /// Pushes an error when a literal does not match the schema's pattern `p`; an info for
    /// an expression, or for a pattern that does not compile (the generator's always do).
    pub fn pattern(
        diags: &mut Diagnostics,
        path: &str,
        field: &str,
        v: &Value<String>,
        p: &Pattern,
    ) {
        match v {
            Value::Lit(s) => match p.is_match(s) {
                Some(true) => {}
                Some(false) => diags.push(Diagnostic::error(
                    code::PATTERN,
                    field_path(path, field),
                    format!(
                        "{field} must match {} for this property, got {s:?}",
                        p.as_str()
                    ),
                )),
                // Only a hand-written pattern can get here: the generator compiles its own.
                None => diags.push(Diagnostic::info(
                    code::EXPRESSION_PROPERTY,
                    field_path(path, field),
                    format!(
                        "{field} must match {}; pcstack can't compile that pattern, so CloudFormation checks it at deploy time",
                        p.as_str()
                    ),
                )),
            },
            Value::Expr(_) => unchecked(diags, path, field, &format!("match {}", p.as_str())),
        }
    }

    /// Pushes an error when a literal's length in characters is outside `min..=max`.
    /// Unlike the other checks, an expression gets no info diagnostic.
    pub fn length(
        diags: &mut Diagnostics,
        path: &str,
        field: &str,
        v: &Value<String>,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        if let Value::Lit(s) = v {
            let n = s.chars().count();
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                diags.push(Diagnostic::error(
                    code::LENGTH,
                    field_path(path, field),
                    format!(
                        "{field} must be {} characters long for this property, got {s:?} ({n})",
                        bounds(min, max)
                    ),
                ));
            }
        }
    }

    /// Pushes an error when a literal number is outside `min..=max`; an info for an
    /// expression.
    pub fn range<N: PartialOrd + Display + Copy>(
        diags: &mut Diagnostics,
        path: &str,
        field: &str,
        v: &Value<N>,
        min: Option<N>,
        max: Option<N>,
    ) {
        match v {
            Value::Lit(n) => {
                if min.is_some_and(|m| *n < m) || max.is_some_and(|m| *n > m) {
                    diags.push(Diagnostic::error(
                        code::NUMBER_RANGE,
                        field_path(path, field),
                        format!(
                            "{field} must be {} for this property, got {n}",
                            bounds(min, max)
                        ),
                    ));
                }
            }
            Value::Expr(_) => unchecked(diags, path, field, &format!("be {}", bounds(min, max))),
        }
    }

    /// Pushes an error when a list has fewer than `min` or more than `max` items.
    pub fn items<T>(
        diags: &mut Diagnostics,
        path: &str,
        field: &str,
        v: &[T],
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let n = v.len();
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            diags.push(Diagnostic::error(
                code::ITEM_COUNT,
                field_path(path, field),
                format!(
                    "{field} must have {} items for this property, got {n}",
                    bounds(min, max)
                ),
            ));
        }
    }

    fn bounds<N: Display>(min: Option<N>, max: Option<N>) -> String {
        match (min, max) {
            (Some(a), Some(b)) => format!("between {a} and {b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => "anything".to_string(),
        }
    }
}
