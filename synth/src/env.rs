//! The env file's contract between the stacks that write a template and the commands that read
//! a deployed one (`pcstack outputs --format env`): where the template names its outputs'
//! environment variables, and the names pcstack writes itself.

/// The key under the template's `Metadata` that holds pcstack's entries.
pub const METADATA_KEY: &str = "pcstack";

/// Under [`METADATA_KEY`]: output key -> environment variable name.
pub const OUTPUT_VARIABLES: &str = "OutputEnvironmentVariables";

/// Under [`METADATA_KEY`]: the env file's variables in order (outputs' and [`OWN_NAMES`]).
pub const VARIABLE_ORDER: &str = "EnvironmentVariableOrder";

/// Names `pcstack outputs --format env` writes itself, after or among the outputs'; no output
/// may take one.
pub const OWN_NAMES: [&str; 3] = ["AWS_REGION", "STACK_NAME", "AWS_ACCOUNT_ID"];
