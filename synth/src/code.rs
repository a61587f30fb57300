//! Diagnostic codes: the [`Code`] value diagnostics carry, the [`codes!`](crate::codes) macro
//! that declares them, and the codes of synth's own template checks.
//!
//! The registry is open: each crate declares the codes of its own knowledge next to that
//! knowledge (a rule module's codes in its child module `code`), once each, with
//! [`codes!`](crate::codes), and lists its modules' codes in its crate-level `CODES` (the
//! macro makes a code left out of that list a compile error). The crate above all of them
//! (`stacks::codes`) assembles every crate's list into the registry: a test checks it for
//! unique, well-formed codes, and the README's "Diagnostic codes" table is generated from it
//! (`cargo run -p xtask -- codes`).
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

    /// Whether one of `lists` (a crate's `CODES`) holds a code with this one's string: what
    /// [`codes!`](crate::codes) asserts, at compile time, of every code it declares.
    #[doc(hidden)]
    pub const fn is_in(self, lists: &[&[Code]]) -> bool {
        let mut i = 0;
        while i < lists.len() {
            let mut j = 0;
            while j < lists[i].len() {
                if same_str(lists[i][j].code, self.code) {
                    return true;
                }
                j += 1;
            }
            i += 1;
        }
        false
    }
}

/// `a == b`, in a `const fn`.
const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
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
/// Every code it declares must be in the invoking crate's root `CODES` (a `&[&[Code]]`, one
/// list per declaring module, which the registry in `stacks::codes` assembles): the crate does
/// not compile otherwise, the error naming the code, so no declared code can be left out of the
/// registry, its uniqueness check or the README's table.
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
///
/// /// Every diagnostic code this crate declares, one list per declaring module.
/// pub const CODES: &[&[synth::Code]] = &[lustre::code::CODES];
///
/// fn main() {
///     assert_eq!(lustre::code::LUSTRE_EXAMPLE.to_string(), "PC999");
///     assert_eq!(lustre::code::CODES, [lustre::code::LUSTRE_EXAMPLE]);
/// }
/// ```
///
/// A module whose codes the crate's `CODES` leaves out (however the block is written) is a
/// compile error, "`PC998` (UNLISTED) is declared with synth::codes! but is not in the crate's
/// CODES ...":
///
/// ```compile_fail,E0080
/// mod lustre {
///     pub mod code {
///         synth::codes! {
///             LUSTRE_EXAMPLE = "PC999", "an example code";
///         }
///     }
/// }
/// mod unlisted {
///     pub mod code {
///         synth::codes!{ UNLISTED = "PC998", "a code no list names"; }
///     }
/// }
///
/// pub const CODES: &[&[synth::Code]] = &[lustre::code::CODES];
///
/// fn main() {}
/// ```
#[macro_export]
// `crate::CODES` is the invoking crate's list, on purpose: that is the list each code must be in.
#[allow(clippy::crate_in_macro_def)]
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $description:literal;)*) => {
        $(
            $(#[$doc])*
            #[doc = concat!("`", $code, "`: ", $description, ".")]
            pub const $name: $crate::Code = $crate::Code::declare($code, $description);
        )*

        /// The diagnostic codes this module declares, in order.
        pub const CODES: &[$crate::Code] = &[$($name),*];

        // Each code is in the crate's `CODES`, or the crate does not compile.
        const _: () = {
            $(
                assert!(
                    $name.is_in(crate::CODES),
                    concat!(
                        "`", $code, "` (", stringify!($name), ") is declared with ",
                        "synth::codes! but is not in the crate's CODES: add its module's ",
                        "`code::CODES` to the `CODES` list at the crate root",
                    )
                );
            )*
        };
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
        // The module's codes, in order: the README table's first rows.
        let strings: Vec<&str> = CODES.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            strings,
            [
                "E1001", "E1002", "I1002", "E1003", "E1004", "E1010", "E1011", "E1019", "E1020",
                "E1028", "E2010", "E3001", "E3002", "E3003", "E3004", "E3005", "E3006", "E3010",
                "E3012", "E3017", "E3018", "E3030", "E3031", "E3032", "E3033", "E3034", "E3035",
                "E6002", "E6010", "E7010", "E8002", "PC020", "PC021", "PC022", "PC023", "PC024",
                "PC030", "PC031", "I0001", "I0002",
            ]
        );
        assert_eq!(CODES.first(), Some(&TEMPLATE_STRUCTURE));
    }

    /// What `codes!` asserts of each code it declares.
    #[test]
    fn a_code_is_in_a_list_that_holds_its_string() {
        assert!(REF.is_in(crate::CODES));
        assert!(REF.is_in(&[&[SUB], &[TEMPLATE_STRUCTURE, REF]]));
        assert!(REF.is_in(&[&[Code::declare(REF.as_str(), "another meaning")]]));
        assert!(!REF.is_in(&[&[SUB, GET_ATT], &[]]));
        assert!(!REF.is_in(&[]));
        let prefix = Code::declare(&REF.as_str()[..4], "a prefix of REF");
        assert!(!REF.is_in(&[&[prefix]]) && !prefix.is_in(&[&[REF]]));
    }
}
