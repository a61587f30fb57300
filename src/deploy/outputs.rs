//! Stack outputs as shell `export` lines, JSON or a table, each output with its environment
//! variable name (declared in the template's Metadata, or derived from the output key).

use super::stack::account_from_arn;
use crate::error::Error;
use plan::template::output_env_names;
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
    pub outputs: Vec<Output>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Env,
    Json,
    Table,
}

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
        let names = output_env_names(template, &keys).map_err(|problems| {
            Error::failed(format!(
                "stack {}: cannot write its outputs as environment variables:\n  {}",
                stack.stack_name().unwrap_or_default(),
                problems.join("\n  ")
            ))
        })?;
        let outputs = stack
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
        Ok(Self {
            stack_name: stack.stack_name().unwrap_or_default().to_string(),
            region: region.to_string(),
            account: stack
                .stack_id()
                .and_then(account_from_arn)
                .map(str::to_string),
            outputs,
        })
    }

    /// `export NAME=value` lines: the outputs, then AWS_REGION, STACK_NAME, AWS_ACCOUNT_ID.
    pub fn env(&self) -> String {
        let mut out = String::new();
        for o in &self.outputs {
            out.push_str(&format!("export {}={}\n", o.env, shell_quote(&o.value)));
        }
        out.push_str(&format!(
            "export AWS_REGION={}\n",
            shell_quote(&self.region)
        ));
        out.push_str(&format!(
            "export STACK_NAME={}\n",
            shell_quote(&self.stack_name)
        ));
        if let Some(a) = &self.account {
            out.push_str(&format!("export AWS_ACCOUNT_ID={}\n", shell_quote(a)));
        }
        out
    }

    /// `{"StackName", "Region", "AccountId", "Outputs": {KEY: {"Value", "EnvironmentVariable", "Description"}}}`.
    pub fn json(&self) -> Json {
        let mut outputs = serde_json::Map::new();
        for o in &self.outputs {
            outputs.insert(
                o.key.clone(),
                serde_json::json!({"Value": o.value, "EnvironmentVariable": o.env, "Description": o.description}),
            );
        }
        serde_json::json!({
            "StackName": self.stack_name,
            "Region": self.region,
            "AccountId": self.account,
            "Outputs": outputs,
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
            out.push_str(&format!("{:kw$}  {:ew$}  {}\n", o.key, o.env, o.value));
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
    pub fn write_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Format::Json,
            _ => Format::Env,
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, self.render(format).as_bytes())?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Single-quotes a value for sh unless it is made only of safe characters.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:,@%+=".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

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
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"Vpc": "VPC_ID"}}}});
        let e = StackOutputs::new(&stack, Some(&t), "us-east-1").unwrap_err();
        assert!(
            e.to_string()
                .contains("output Vpc environment variable must differ from that of output VpcId"),
            "{e}"
        );
    }
}
