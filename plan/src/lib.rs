//! `plan`: everything pcstack knows about CloudFormation templates that needs no AWS call.
//!
//! - [`template`]: read any template (JSON, or YAML with short-form tags such as `!Ref`) into
//!   one JSON form, and what deploy needs from it (parameters, output variable names).
//! - [`params`]: parameter values from flags, files and config, checked against the template's
//!   own constraints before anything is sent.
//! - [`eval`]: intrinsic functions evaluated locally over one side of an update (a template and
//!   the parameter values it is deployed with); what only deployment knows stays unknown.
//! - [`predict`]: the diff of two templates, on evaluated values, and the replacements it
//!   implies: propagated through create-only references, certain or "may be replaced".
//! - [`review`]: a change set's resource changes as plain data, the review text, the danger
//!   block and the approval decision.
//! - [`adopt`]: adopting resources that exist outside the stack: what to look up, how they
//!   compare with the template, the IMPORT change set's template.
//! - [`capabilities`]: the capabilities a template needs acknowledged, from its resource types.
//! - [`stack_options`]: stack tags, service role, notification topics and stack policy, checked.
//! - [`types`]: facts about resource types (create-only properties, whether they hold data).
//! - [`registry`]: every resource type of every Region (properties, required ones, GetAtt
//!   attributes, create-only properties), from the CloudFormation registry schemas, for
//!   checking templates pcstack did not build ([`template::check`]).
//! - [`lines`]: the template line a diagnostic's path points at.
//! - [`style`]: colors as string decoration.
//! - [`yaml`]: YAML into JSON (`serde_yaml`), short-form tags into long form.
//! - [`error`]: why an input was refused ([`Error`]: a limit, the syntax, or the shape), the
//!   error every public function here returns.
//!
//! The CLI holds the AWS calls and the terminal; this crate is what they decide with.
//!
//! ```
//! let old = plan::template::parse_template(
//!     "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: a\n",
//! )?;
//! let new = plan::template::parse_template(
//!     r#"{"Resources": {"Sg": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "b"}}}}"#,
//! )?;
//! let prediction = plan::predict::predict(&old, &new);
//! // GroupDescription is create-only: changing it replaces the security group.
//! assert!(prediction.resources[0].replacement);
//! # Ok::<(), plan::Error>(())
//! ```

#![deny(missing_docs)]

pub mod adopt;
pub mod capabilities;
pub mod env;
pub mod error;
pub mod eval;
pub mod lines;
pub mod params;
pub mod predict;
pub mod registry;
pub mod review;
pub mod stack_options;
pub mod style;
pub mod template;
pub mod types;
pub mod yaml;

pub use error::Error;
pub use style::Style;
pub use template::TemplateSource;

/// Every diagnostic code this crate declares, one list per declaring module (the registry,
/// `stacks::codes`, assembles every crate's).
pub const CODES: &[&[synth::Code]] = &[
    env::code::CODES,
    stack_options::code::CODES,
    params::code::CODES,
];
