//! Diagnostic codes: the [`Code`] value diagnostics carry, the [`codes!`](crate::codes) macro
//! that declares them, and the codes of synth's own template checks.
//!
//! The registry is open: each crate declares the codes of its own knowledge next to that
//! knowledge (a rule module's codes in its child module `code`), once each, with
//! [`codes!`](crate::codes), and lists its modules' codes in its crate-level `CODES`. The
//! crate above all of them (`stacks::codes`) assembles every crate's list into the registry:
//! a test checks it for unique, well-formed codes, the README's "Diagnostic codes" table is
//! generated from it (`cargo run -p xtask -- codes`), and parsing a code from a string goes
//! through it.
//!
//! Codes that mirror a cfn-lint rule ID (`E1001`, `E3030` ...) keep cfn-lint's meaning;
//! `I0001`/`I0002` and the `PC` codes are pcstack's own, `D` codes come from deploy's
//! parameter checks.

use std::fmt;
use std::hash::{Hash, Hasher};

/// A diagnostic code: its string (`E1001`) and its one-line meaning. Declared once with
/// [`codes!`](crate::codes); displays as its string. Two codes are equal when their strings
/// are (the registry's test keeps each string to one meaning).
#[derive(Clone, Copy)]
pub struct Code {
    code: &'static str,
    description: &'static str,
}

impl Code {
    /// What [`codes!`](crate::codes) declares each code with; declare codes with the macro, so
    /// that each is listed in its module's `CODES` (a test finds any other use).
    #[doc(hidden)]
    pub const fn declare(code: &'static str, description: &'static str) -> Code {
        Code { code, description }
    }

    /// The code as printed, e.g. `E1001`.
    pub const fn as_str(self) -> &'static str {
        self.code
    }

    /// What the code means, in one line.
    pub const fn description(self) -> &'static str {
        self.description
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Code) -> bool {
        self.code == other.code
    }
}

impl Eq for Code {}

impl Hash for Code {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.code.hash(state);
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.code == *other
    }
}

/// Declares diagnostic codes in the module it is invoked in: one constant per code, named in
/// `SCREAMING_CASE`, with its string and its one-line description (which the README's table
/// and the constant's documentation show), and `CODES`, the module's codes in order, for the
/// crate's `CODES` list. A module invokes it inside its own child module `code`, so call sites
/// read `code::LUSTRE_VERSION` and the names never collide with the module's other items.
///
/// ```
/// mod lustre {
///     /// The diagnostic codes of the Lustre rules.
///     pub mod code {
///         synth::codes! {
///             /// Optional documentation of the code.
///             LUSTRE_EXAMPLE = "PC999", "an example code";
///         }
///     }
/// }
/// assert_eq!(lustre::code::LUSTRE_EXAMPLE.to_string(), "PC999");
/// assert_eq!(lustre::code::CODES, [lustre::code::LUSTRE_EXAMPLE]);
/// ```
#[macro_export]
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $description:literal;)*) => {
        $(
            $(#[$doc])*
            #[doc = concat!("`", $code, "`: ", $description, ".")]
            pub const $name: $crate::Code = $crate::Code::declare($code, $description);
        )*

        /// The diagnostic codes this module declares, in order.
        pub const CODES: &[$crate::Code] = &[$($name),*];
    };
}

// The template checks' codes: synth's own.
crate::codes! {
    // Template structure (cfn-lint E0xxx/E1xxx where the meaning matches).
    TEMPLATE_STRUCTURE = "E1001", "the template's sections, keys or logical IDs break CloudFormation's basic template format";
    TEMPLATE_SIZE = "E1002", "the template is larger than CloudFormation accepts (1,000,000 bytes from S3)";
    TEMPLATE_BODY_SIZE = "I1002", "the template is larger than an inline request body (51,200 bytes), so deploy uploads it to S3";
    DESCRIPTION_SIZE = "E1003", "the template Description is longer than 1024 bytes";
    DESCRIPTION_TYPE = "E1004", "the template Description is not a string";
    GET_ATT = "E1010", "an Fn::GetAtt is malformed, or names a missing resource or attribute";
    FIND_IN_MAP = "E1011", "an Fn::FindInMap is malformed, or names a missing mapping or key";
    SUB = "E1019", "an Fn::Sub is malformed";
    REF = "E1020", "a Ref or an Fn::Sub variable names nothing the template declares";
    IF = "E1028", "an Fn::If is malformed";
    PARAMETER_LIMIT = "E2010", "the template declares more parameters than CloudFormation allows";
    RESOURCE_STRUCTURE = "E3001", "a resource is malformed: no Type, not a mapping, or an unknown attribute";
    UNKNOWN_PROPERTY = "E3002", "a resource property is not one its type's schema declares";
    REQUIRED_PROPERTY = "E3003", "a required resource property is missing";
    DEPENDENCY_CYCLE = "E3004", "resources depend on each other in a cycle";
    DEPENDS_ON = "E3005", "a DependsOn entry is malformed or names no resource of the template";
    UNKNOWN_TYPE = "E3006", "a resource type does not exist, is not available in the target Region, or needs a transform the template does not declare";
    RESOURCE_LIMIT = "E3010", "the template declares more resources than CloudFormation allows";
    VALUE_TYPE = "E3012", "a property value is not of the type its schema declares (a list where a string belongs, a list or mapping where a number belongs)";
    ANY_OF = "E3017", "a property value fits none of its schema's anyOf alternatives";
    ONE_OF = "E3018", "a property value fits none of its schema's oneOf alternatives";
    ALLOWED_VALUES = "E3030", "a property value is not one of the schema's allowed values";
    PATTERN = "E3031", "a property value does not match the schema's pattern";
    ITEM_COUNT = "E3032", "a list property has fewer or more items than the schema allows";
    LENGTH = "E3033", "a string property is shorter or longer than the schema allows";
    NUMBER_RANGE = "E3034", "a number property is outside the schema's range";
    DELETION_POLICY = "E3035", "a DeletionPolicy or UpdateReplacePolicy value is not one CloudFormation accepts";
    OUTPUT_VALUE = "E6002", "an output has no Value";
    OUTPUT_LIMIT = "E6010", "the template declares more outputs than CloudFormation allows";
    MAPPING_LIMIT = "E7010", "the template declares more mappings than CloudFormation allows";
    UNDECLARED_CONDITION = "E8002", "a Condition names no condition the template declares";
    DUPLICATE_LOGICAL_ID = "PC020", "a logical ID is declared twice in one template";
    MAPPING_ATTRIBUTE_LIMIT = "PC021", "a mapping has more attributes than CloudFormation allows";
    PROPERTIES_NOT_JSON = "PC022", "a resource's properties could not be serialized to JSON";
    FUNCTION = "PC023", "an intrinsic function is unknown, or its arguments are not the shape the template reference defines";
    DUPLICATE_EXPORT = "PC024", "two outputs export the same name";
    UNCHECKED_TYPE = "PC030", "a resource type is not in pcstack's type table (third-party, private or newer than the pinned schemas), so only CloudFormation checks its properties";
    TRANSFORMED = "PC031", "a macro transforms the template, so CloudFormation checks what the macro may change";
    // Values pcstack cannot check at synth time.
    EXPRESSION_PROPERTY = "I0001", "a property is an expression, so CloudFormation checks its schema constraints at deploy time";
    EXPRESSION_RULE = "I0002", "a value an AWS rule checks is an expression; the template's constraints or the pre-deploy check cover it";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_its_string() {
        assert_eq!(REF.as_str(), "E1020");
        assert_eq!(REF.to_string(), "E1020");
        assert_eq!(REF, "E1020");
        assert_eq!(Code::declare(REF.as_str(), "another meaning"), REF);
        assert_ne!(REF, SUB);
        assert_eq!(format!("{REF:?}"), "Code(E1020)");
        assert!(CODES.contains(&REF) && CODES.contains(&EXPRESSION_RULE));
        assert_eq!(CODES.first(), Some(&TEMPLATE_STRUCTURE));
    }
}
