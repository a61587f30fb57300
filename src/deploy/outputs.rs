//! Stack outputs as shell `export` lines, JSON or a table, each output with its environment
//! variable name (declared in the template's Metadata, or derived from the output key).

use super::stack::account_from_arn;
use crate::error::Error;
use plan::env::output_env_names;
use serde_json::Value as Json;

/// One output with its environment variable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub key: String,
    pub value: String,
    pub env: String,
    pub description: Option<String>,
}

/// Everything `pcstack outputs` prints.
#[derive(Debug, Clone)]
pub struct StackOutputs {
    pub stack_name: String,
    pub region: String,
    pub account: Option<String>,
    /// In the env file's order ([`declared_order`]); outputs it doesn't list follow.
    pub outputs: Vec<Output>,
    /// The env file's order as the template declares it (empty: none declared).
    pub order: Vec<String>,
    /// The zone ID of the [`ZONE_VARIABLE`] output's zone (DescribeAvailabilityZones), written
    /// right after it as [`ZONE_ID_VARIABLE`]; `None` when unknown.
    pub zone_id: Option<String>,
}

/// The variable of the output holding the stack's Availability Zone name (the built-in stack's
/// `PrimaryAvailabilityZone`): `pcstack outputs` adds its zone ID after it.
pub const ZONE_VARIABLE: &str = "PRIMARY_AZ";
/// The zone ID of [`ZONE_VARIABLE`]'s zone (`use1-az2`): the same physical zone in every
/// account, what capacity reservations and Capacity Blocks name.
pub const ZONE_ID_VARIABLE: &str = "PRIMARY_AZ_ID";

/// The order of the env file's lines a template declares at
/// `Metadata.pcstack.EnvironmentVariableOrder`: a list of variable names, outputs' and
/// pcstack's own (`AWS_REGION`, `STACK_NAME`, `AWS_ACCOUNT_ID`). Names it lists come first, in
/// its order; the others follow (outputs, then pcstack's own). Without it: the outputs, then
/// pcstack's own. Only ever used to order lines, so anything that is not a string is skipped.
fn declared_order(template: Option<&Json>) -> Vec<String> {
    template
        .and_then(|t| t.get("Metadata"))
        .and_then(|m| m.get(plan::env::METADATA_KEY))
        .and_then(|p| p.get(plan::env::VARIABLE_ORDER))
        .and_then(Json::as_array)
        .map(|names| {
            names
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The outputs `template` declares that `keys` (DescribeStacks' answer) lacks. An output
/// with a `Condition` may be absent by design, so only unconditional ones count.
fn missing_outputs(template: Option<&Json>, keys: &[&str]) -> Vec<String> {
    let Some(declared) = template
        .and_then(|t| t.get("Outputs"))
        .and_then(Json::as_object)
    else {
        return Vec::new();
    };
    declared
        .iter()
        .filter(|(_, o)| o.get("Condition").is_none())
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .map(|(k, _)| synth::input::echo(k))
        .collect()
}

use crate::cli::flags::OutputsFormat as Format;

impl StackOutputs {
    /// Refuses (naming the output, the rule and the name) when an environment variable name
    /// is not a shell name or repeats: nothing is written then.
    pub fn new(
        stack: &aws_sdk_cloudformation::types::Stack,
        template: Option<&Json>,
        region: &str,
    ) -> Result<Self, Error> {
        let keys: Vec<&str> = stack
            .outputs()
            .iter()
            .filter_map(|o| o.output_key())
            .collect();
        let missing = missing_outputs(template, &keys);
        if !missing.is_empty() {
            return Err(Error::failed(format!(
                "stack {}: the template declares outputs that AWS's answer lacks: {}; nothing was written (a cut answer, or a stack whose outputs were not all made: run the command again, and deploy again if they stay missing)",
                stack.stack_name().unwrap_or_default(),
                missing.join(", ")
            )));
        }
        let names = output_env_names(template, &keys).map_err(|problems| {
            Error::failed(format!(
                "stack {}: cannot write its outputs as environment variables:\n  {}",
                stack.stack_name().unwrap_or_default(),
                problems.join("\n  ")
            ))
        })?;
        let order = declared_order(template);
        let mut outputs: Vec<Output> = stack
            .outputs()
            .iter()
            .filter_map(|o| {
                let key = o.output_key()?.to_string();
                let env = names.get(&key)?.clone();
                Some(Output {
                    value: o.output_value().unwrap_or_default().to_string(),
                    description: o.description().map(str::to_string),
                    env,
                    key,
                })
            })
            .collect();
        // Listed names in the declared order; the rest keep DescribeStacks' order after them.
        outputs.sort_by_key(|o| {
            order
                .iter()
                .position(|n| *n == o.env)
                .unwrap_or(order.len())
        });
        Ok(Self {
            order,
            zone_id: None,
            stack_name: stack.stack_name().unwrap_or_default().to_string(),
            region: region.to_string(),
            account: stack
                .stack_id()
                .and_then(account_from_arn)
                .map(str::to_string),
            outputs,
        })
    }

    /// Every variable of the env file with its value, in order: the names the template's
    /// [`declared_order`] lists, then the other outputs, then AWS_REGION, STACK_NAME,
    /// AWS_ACCOUNT_ID (the account when known) if not listed.
    pub fn variables(&self) -> Vec<(String, String)> {
        let mut own = vec![
            ("AWS_REGION".to_string(), self.region.clone()),
            ("STACK_NAME".to_string(), self.stack_name.clone()),
        ];
        if let Some(a) = &self.account {
            own.push(("AWS_ACCOUNT_ID".to_string(), a.clone()));
        }
        let mut all: Vec<(String, String)> = self
            .outputs
            .iter()
            .map(|o| (o.env.clone(), o.value.clone()))
            .collect();
        all.extend(own);
        let rank = |name: &str| {
            self.order
                .iter()
                .position(|n| n == name)
                .unwrap_or(self.order.len())
        };
        // Stable: unlisted names keep outputs-then-own order.
        all.sort_by_key(|(name, _)| rank(name));
        if let Some(id) = &self.zone_id {
            if let Some(at) = all.iter().position(|(n, _)| n == ZONE_VARIABLE) {
                all.insert(at + 1, (ZONE_ID_VARIABLE.to_string(), id.clone()));
            }
        }
        all
    }

    /// The value of the output whose environment variable is `env`.
    pub fn value_of(&self, env: &str) -> Option<&str> {
        self.outputs
            .iter()
            .find(|o| o.env == env)
            .map(|o| o.value.as_str())
    }

    /// `export NAME=value` lines, in [`StackOutputs::variables`]' order.
    pub fn env(&self) -> String {
        self.variables()
            .iter()
            .map(|(name, value)| format!("export {name}={}\n", shell_quote(value)))
            .collect()
    }

    /// `{"StackName", "Region", "AccountId", "Outputs": {KEY: {"Value", "EnvironmentVariable",
    /// "Description"}}, "Environment": {NAME: value}}`. `Environment` holds exactly the
    /// variables `--format env` writes, in the same order (AWS_ACCOUNT_ID only when known);
    /// the other keys are as before it was added.
    pub fn json(&self) -> Json {
        let mut outputs = serde_json::Map::new();
        for o in &self.outputs {
            outputs.insert(
                o.key.clone(),
                serde_json::json!({"Value": o.value, "EnvironmentVariable": o.env, "Description": o.description}),
            );
        }
        let environment: serde_json::Map<String, Json> = self
            .variables()
            .into_iter()
            .map(|(name, value)| (name, Json::String(value)))
            .collect();
        serde_json::json!({
            "StackName": self.stack_name,
            "Region": self.region,
            "AccountId": self.account,
            "Outputs": outputs,
            "Environment": environment,
        })
    }

    pub fn table(&self) -> String {
        let kw = self
            .outputs
            .iter()
            .map(|o| o.key.len())
            .max()
            .unwrap_or(0)
            .max(3);
        let ew = self
            .outputs
            .iter()
            .map(|o| o.env.len())
            .max()
            .unwrap_or(0)
            .max(3);
        let mut out = format!("{:kw$}  {:ew$}  VALUE\n", "KEY", "ENV");
        for o in &self.outputs {
            // The zone as the review shows it: `us-east-1c (use1-az2)`.
            let value = match &self.zone_id {
                Some(id) if o.env == ZONE_VARIABLE => format!("{} ({id})", o.value),
                _ => o.value.clone(),
            };
            out.push_str(&format!("{:kw$}  {:ew$}  {value}\n", o.key, o.env));
        }
        out
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Env => self.env(),
            Format::Json => format!("{:#}\n", self.json()),
            Format::Table => self.table(),
        }
    }

    /// Writes to `path`: JSON for `.json`, env lines for anything else (`.env`, `.sh`).
    /// Checked again right before: what is at the path may have changed while the stack was
    /// deployed, and a rename would replace a device or a FIFO that appeared there.
    pub fn write_file(&self, path: &std::path::Path) -> Result<(), Error> {
        use crate::cli::{check_destination, write_atomic, Existing, Folder};
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            _ => Format::Env,
        };
        check_destination("--outputs-file", path, Existing::Replace, Folder::Exists)?;
        write_atomic(path, self.render(format).as_bytes())
            .map_err(|e| Error::failed(format!("{}: {e}", path.display())))
    }
}

pub use crate::cli::rerun::shell_quote;

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::{Output as CfnOutput, Stack};

    #[test]
    fn env_lines_with_declared_and_derived_names() {
        let stack = Stack::builder()
            .stack_name("s")
            .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/s/x")
            .outputs(
                CfnOutput::builder()
                    .output_key("VpcId")
                    .output_value("vpc-1")
                    .build(),
            )
            .outputs(
                CfnOutput::builder()
                    .output_key("Bucket")
                    .output_value("it's")
                    .build(),
            )
            .build();
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"Bucket": "DATA_BUCKET"}}}});
        let o = StackOutputs::new(&stack, Some(&t), "us-east-1").unwrap();
        assert_eq!(
            o.env(),
            "export VPC_ID=vpc-1\nexport DATA_BUCKET='it'\\''s'\nexport AWS_REGION=us-east-1\nexport STACK_NAME=s\nexport AWS_ACCOUNT_ID=123456789012\n"
        );
        assert_eq!(
            o.json()["Outputs"]["VpcId"]["EnvironmentVariable"],
            "VPC_ID"
        );
    }

    #[test]
    fn an_answer_missing_a_declared_output_is_refused() {
        let out = |k: &str| CfnOutput::builder().output_key(k).output_value("v").build();
        // Cut after its first output.
        let stack = Stack::builder()
            .stack_name("s")
            .outputs(out("VpcId"))
            .build();
        let t = serde_json::json!({"Outputs": {
            "VpcId": {"Value": "x"},
            "PublicSubnetId": {"Value": "x"},
            "PrivateSubnetId": {"Value": "x"},
            "Optional": {"Value": "x", "Condition": "Maybe"},
        }});
        let e = StackOutputs::new(&stack, Some(&t), "us-east-1").unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(
            e.to_string().starts_with("stack s: the template declares outputs that AWS's answer lacks: PublicSubnetId, PrivateSubnetId; nothing was written"),
            "{e}"
        );
        let whole = Stack::builder()
            .stack_name("s")
            .outputs(out("VpcId"))
            .outputs(out("PublicSubnetId"))
            .outputs(out("PrivateSubnetId"))
            .build();
        assert!(StackOutputs::new(&whole, Some(&t), "us-east-1").is_ok());
    }

    #[test]
    fn a_deployed_template_with_a_bad_or_repeated_name_is_refused() {
        let stack = Stack::builder()
            .stack_name("s")
            .outputs(
                CfnOutput::builder()
                    .output_key("VpcId")
                    .output_value("v")
                    .build(),
            )
            .outputs(
                CfnOutput::builder()
                    .output_key("Vpc")
                    .output_value("v")
                    .build(),
            )
            .build();
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"VpcId": "X=1; touch /tmp/f; Y"}}}});
        let e = StackOutputs::new(&stack, Some(&t), "us-east-1").unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("OutputEnvironmentVariables.VpcId must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got \"X=1; touch /tmp/f; Y\""), "{e}");
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"Vpc": "VPC_ID", "VpcId": "VPC_ID"}}}});
        let e = StackOutputs::new(&stack, Some(&t), "us-east-1").unwrap_err();
        assert!(
            e.to_string()
                .contains("output Vpc environment variable must differ from that of output VpcId"),
            "{e}"
        );
    }

    #[test]
    fn the_declared_order_places_outputs_and_own_variables() {
        let out = |k: &str, v: &str| CfnOutput::builder().output_key(k).output_value(v).build();
        // DescribeStacks' order is not the template's.
        let stack = Stack::builder()
            .stack_name("s")
            .stack_id("arn:aws:cloudformation:us-east-1:123456789012:stack/s/x")
            .outputs(out("Extra", "e"))
            .outputs(out("Tag", "latest"))
            .outputs(out("Az", "us-east-1a"))
            .build();
        let t = serde_json::json!({"Metadata": {"pcstack": {
            "OutputEnvironmentVariables": {"Az": "PRIMARY_AZ", "Tag": "IMAGE_TAG"},
            "EnvironmentVariableOrder": ["AWS_REGION", "STACK_NAME", "PRIMARY_AZ", "AWS_ACCOUNT_ID", "IMAGE_TAG", 7, "GONE"]
        }}});
        let o = StackOutputs::new(&stack, Some(&t), "us-east-1").unwrap();
        assert_eq!(
            o.env(),
            "export AWS_REGION=us-east-1\nexport STACK_NAME=s\nexport PRIMARY_AZ=us-east-1a\nexport AWS_ACCOUNT_ID=123456789012\nexport IMAGE_TAG=latest\nexport EXTRA=e\n"
        );
        let json = o.json();
        let names: Vec<&String> = json["Environment"].as_object().unwrap().keys().collect();
        assert_eq!(
            names,
            [
                "AWS_REGION",
                "STACK_NAME",
                "PRIMARY_AZ",
                "AWS_ACCOUNT_ID",
                "IMAGE_TAG",
                "EXTRA"
            ]
        );
        assert_eq!(json["Environment"]["PRIMARY_AZ"], "us-east-1a");
        // The shape from before `Environment` is kept.
        assert_eq!(json["Outputs"]["Tag"]["Value"], "latest");
        assert_eq!(json["Outputs"]["Tag"]["EnvironmentVariable"], "IMAGE_TAG");
        assert_eq!(json["StackName"], "s");
        assert_eq!(json["AccountId"], "123456789012");
        assert_eq!(o.value_of("IMAGE_TAG"), Some("latest"));
        let keys: Vec<&str> = o.outputs.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(
            keys,
            ["Az", "Tag", "Extra"],
            "the table follows the order too"
        );
    }
}
