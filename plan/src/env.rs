//! The env file's contract between the stacks that write a template and the commands that read
//! a deployed one (`pcstack outputs --format env`): where the template names its outputs'
//! environment variables, the names pcstack writes itself, and which names an output may take.

use indexmap::IndexMap;
use serde_json::Value as Json;
use synth::input::echo;

/// The diagnostic codes of the env file's variable names.
pub mod code {
    synth::codes! {
        DUPLICATE_ENV_NAME = "PC007", "two outputs have the same environment variable name";
        ACTED_ON_ENV_NAME = "PC008", "an output's environment variable is a name a shell, loader or runtime acts on (PATH, LD_*, ...)";
    }
}

/// The key under the template's `Metadata` that holds pcstack's entries.
pub const METADATA_KEY: &str = "pcstack";

/// Under [`METADATA_KEY`]: output key -> environment variable name.
pub const OUTPUT_VARIABLES: &str = "OutputEnvironmentVariables";

/// Under [`METADATA_KEY`]: the env file's variables in order (outputs' and [`OWN_NAMES`]).
pub const VARIABLE_ORDER: &str = "EnvironmentVariableOrder";

/// Names `pcstack outputs --format env` writes itself, after or among the outputs'; no output
/// may take one.
pub const OWN_NAMES: [&str; 3] = ["AWS_REGION", "STACK_NAME", "AWS_ACCOUNT_ID"];

/// Where a template declares its outputs' environment variable names.
pub const ENV_NAMES_METADATA: &str = "Metadata.pcstack.OutputEnvironmentVariables";

/// Whether `name` is a POSIX shell variable name: `[A-Za-z_][A-Za-z0-9_]*`. Anything else
/// written as `export NAME=...` would be run by the shell that sources the file.
pub fn is_shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names a shell, the dynamic loader, a language runtime or a common tool acts on when they
/// are set: `export PATH=...` from a stack's output would let whoever can change the stack or
/// its template run code on the machine that sources the env file. Compared without regard
/// to case (`http_proxy` is read in lowercase). The reasons, one group each, are in the
/// README ("The env file").
pub const ACTED_ON: [&str; 52] = [
    // The shell itself: the command search path, code run at each prompt or at start-up,
    // word splitting, prompts, `cd`, shell options, globbing, the home folder.
    "PATH",
    "PROMPT_COMMAND",
    "ENV",
    "IFS",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "CDPATH",
    "HOME",
    "SHELLOPTS",
    "BASHOPTS",
    "GLOBIGNORE",
    "FPATH",
    "MAILPATH",
    "MAIL",
    "MAILCHECK",
    "HISTFILE",
    "TMOUT",
    "SHELL",
    "POSIXLY_CORRECT",
    "PROMPT",
    "RPROMPT",
    "ZDOTDIR",
    "TMPDIR",
    // Programs other tools start for the user (git, less, man, sudo, ssh).
    "EDITOR",
    "VISUAL",
    "PAGER",
    "MANPAGER",
    "LESSOPEN",
    "LESSCLOSE",
    "BROWSER",
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
    // Runtimes started by the tutorial's commands that take code or options from the
    // environment.
    "RUBYOPT",
    "RUBYLIB",
    "CLASSPATH",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "LUA_INIT",
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    // Where traffic goes and which certificates are trusted (the tutorial pushes images and
    // calls AWS from the same shell).
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CURL_CA_BUNDLE",
];

/// Prefixes of [`ACTED_ON`] names: the loader (`LD_PRELOAD`, `DYLD_INSERT_LIBRARIES`), bash
/// (`BASH_ENV`, `BASH_FUNC_*`), Python, Perl, Node, Git, Docker (`DOCKER_HOST`), the AWS
/// CLI and SDKs (`AWS_ENDPOINT_URL`, `AWS_CONFIG_FILE`; pcstack's own `AWS_REGION` and
/// `AWS_ACCOUNT_ID` aside), Kubernetes, SSH, `REQUESTS_CA_BUNDLE` and the like.
pub const ACTED_ON_PREFIXES: [&str; 14] = [
    "LD_",
    "DYLD_",
    "BASH_",
    "PYTHON",
    "PERL",
    "NODE_",
    "GIT_",
    "DOCKER_",
    "AWS_",
    "KUBE",
    "SSH_",
    "REQUESTS_",
    "NPM_",
    "PIP_",
];

/// Whether a shell, loader, runtime or tool acts on `name` ([`ACTED_ON`],
/// [`ACTED_ON_PREFIXES`]); pcstack's own [`OWN_NAMES`] are not.
pub fn acted_on(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    !OWN_NAMES.contains(&upper.as_str())
        && (ACTED_ON.contains(&upper.as_str())
            || ACTED_ON_PREFIXES.iter().any(|p| upper.starts_with(p)))
}

/// Output key -> environment variable name for the outputs `keys`: the name declared in the
/// template's `Metadata.pcstack.OutputEnvironmentVariables`, else [`env_name`] of the key.
///
/// Checked, because the names end up in a file users `source`: every name (declared or
/// derived, and every declared one even for an output not in `keys`) must be a shell name
/// ([`is_shell_name`]), and no two outputs, nor an output and one of [`OWN_NAMES`],
/// may share one, and no declared name may be one a shell or loader acts on ([`acted_on`]).
/// Declared names win; a derived name already held, or acted on, gets an `OUTPUT_` prefix
/// (an output `StackName` is `OUTPUT_STACK_NAME` beside pcstack's own `STACK_NAME`, an output
/// `Path` is `OUTPUT_PATH`). Returns
/// every problem, each naming the field, the rule and the value.
pub fn output_env_names(
    template: Option<&Json>,
    keys: &[&str],
) -> Result<IndexMap<String, String>, Vec<String>> {
    let mut problems = Vec::new();
    let mut declared = IndexMap::new();
    let metadata =
        template.and_then(|t| t.get("Metadata")?.get(METADATA_KEY)?.get(OUTPUT_VARIABLES));
    match metadata {
        None => {}
        Some(Json::Object(map)) => {
            for (key, value) in map {
                let field = format!("{ENV_NAMES_METADATA}.{}", echo(key));
                match value.as_str() {
                    Some(name) if is_shell_name(name) && acted_on(name) => problems.push(format!(
                        "{field} must not be a name a shell, loader or runtime acts on (PATH, LD_*, PYTHON*, AWS_* ...; the list is in the README) for pcstack outputs, got {}",
                        echo(&value.to_string())
                    )),
                    Some(name) if is_shell_name(name) => {
                        declared.insert(key.clone(), name.to_string());
                    }
                    _ => problems.push(format!(
                        "{field} must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got {}",
                        echo(&value.to_string())
                    )),
                }
            }
        }
        Some(other) => problems.push(format!(
            "{ENV_NAMES_METADATA} must be a mapping of output key to environment variable name for pcstack outputs, got {}",
            echo(&other.to_string())
        )),
    }
    // Which output (or fixed name) holds each name, to report the first holder of a repeat.
    let mut holders: IndexMap<String, String> = OWN_NAMES
        .iter()
        .map(|n| ((*n).to_string(), "pcstack's own variable".to_string()))
        .collect();
    // Declared names first: they are the template's word and win over derived ones.
    for key in keys.iter().filter(|k| declared.contains_key(**k)) {
        let name = &declared[*key];
        match holders.get(name) {
            Some(holder) => problems.push(format!(
                "output {} environment variable must differ from that of {holder} for pcstack outputs, got {name:?} (declared)",
                echo(key)
            )),
            None => {
                holders.insert(name.clone(), format!("output {}", echo(key)));
            }
        }
    }
    let mut names = IndexMap::new();
    for key in keys {
        if let Some(name) = declared.get(*key) {
            names.insert((*key).to_string(), name.clone());
            continue;
        }
        // A derived name that another output or pcstack's own variable holds (an output
        // `StackName` beside STACK_NAME) gets an `OUTPUT_` prefix rather than refusing a
        // template CloudFormation accepts.
        let derived = env_name(key);
        let name = if holders.contains_key(&derived) || acted_on(&derived) {
            format!("OUTPUT_{derived}")
        } else {
            derived
        };
        if !is_shell_name(&name) {
            problems.push(format!(
                "output {} environment variable must be a name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got {name:?} (derived from its key)",
                echo(key)
            ));
            continue;
        }
        if let Some(holder) = holders.get(&name) {
            problems.push(format!(
                "output {} environment variable must differ from that of {holder} for pcstack outputs, got {name:?} (derived from its key)",
                echo(key)
            ));
            continue;
        }
        holders.insert(name.clone(), format!("output {}", echo(key)));
        names.insert((*key).to_string(), name);
    }
    if problems.is_empty() {
        Ok(names)
    } else {
        Err(problems)
    }
}

/// The environment variable name for an output key without a declared one: SCREAMING_SNAKE_CASE.
///
/// A word boundary (`_`) goes before an uppercase letter that follows a lowercase letter or a
/// digit (`VpcId` -> `VPC_ID`, `S3Bucket` -> `S3_BUCKET`), and before the last capital of a run
/// of two or more capitals followed by a lowercase letter (`VPCId` -> `VPC_ID`,
/// `EFASecurityGroup` -> `EFA_SECURITY_GROUP`). A single capital followed by a lowercase one
/// stays in the word (`FSxLustre` -> `FSX_LUSTRE`, `IPv6Cidr` -> `IPV6_CIDR`). Any other
/// character than ASCII letters and digits becomes `_`; a leading digit gets a `_` prefix.
pub fn env_name(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::new();
    let mut run = 0usize; // uppercase letters just before position i
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            let ends_acronym = run >= 2 && next.is_some_and(|n| n.is_ascii_lowercase());
            if (after_lower || ends_acronym) && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c);
            run += 1;
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
            run = 0;
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            run = 0;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_follow_the_documented_rule() {
        for (key, want) in [
            ("VpcId", "VPC_ID"),
            ("VPCId", "VPC_ID"),
            ("FSxLustreFilesystemId", "FSX_LUSTRE_FILESYSTEM_ID"),
            ("EFASecurityGroupId", "EFA_SECURITY_GROUP_ID"),
            ("S3BucketName", "S3_BUCKET_NAME"),
            ("IPv6Cidr", "IPV6_CIDR"),
            ("PrivateSubnet1Id", "PRIVATE_SUBNET1_ID"),
            ("Subnet2", "SUBNET2"),
            ("ecr-repo.uri", "ECR_REPO_URI"),
            ("Id", "ID"),
        ] {
            assert_eq!(env_name(key), want, "{key}");
        }
    }

    #[test]
    fn declared_names_come_from_metadata() {
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"VpcId": "PC_VPC"}}}});
        let names = output_env_names(Some(&t), &["VpcId", "SubnetId"]).unwrap();
        assert_eq!(names.get("VpcId").map(String::as_str), Some("PC_VPC"));
        assert_eq!(names.get("SubnetId").map(String::as_str), Some("SUBNET_ID"));
    }

    fn env_problems(metadata: Json, keys: &[&str]) -> Vec<String> {
        let t =
            serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": metadata}}});
        output_env_names(Some(&t), keys).unwrap_err()
    }

    #[test]
    fn a_name_the_shell_would_run_is_refused() {
        assert_eq!(
            env_problems(serde_json::json!({"VpcId": "X=1; touch /tmp/f; Y"}), &["VpcId"]),
            ["Metadata.pcstack.OutputEnvironmentVariables.VpcId must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got \"X=1; touch /tmp/f; Y\""]
        );
        assert_eq!(
            env_problems(serde_json::json!({"VpcId": 7}), &[]),
            ["Metadata.pcstack.OutputEnvironmentVariables.VpcId must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*) for pcstack outputs, got 7"]
        );
        assert_eq!(
            env_problems(serde_json::json!(["VPC_ID"]), &[]),
            ["Metadata.pcstack.OutputEnvironmentVariables must be a mapping of output key to environment variable name for pcstack outputs, got [\"VPC_ID\"]"]
        );
        assert!(is_shell_name("vpc_id") && is_shell_name("_1") && !is_shell_name("1A"));
        assert!(!is_shell_name("") && !is_shell_name("A-B") && !is_shell_name("É"));
    }

    #[test]
    fn names_a_shell_or_loader_acts_on_are_refused_or_prefixed() {
        // Derived: prefixed, so CloudFormation's outputs `Path` or `LdPreload` are no reason
        // to refuse a stack.
        let keys = [
            "Path",
            "PromptCommand",
            "LdPreload",
            "PythonPath",
            "AwsEndpointUrl",
            "Ifs",
        ];
        let names = output_env_names(None, &keys).unwrap();
        assert_eq!(
            names.values().map(String::as_str).collect::<Vec<_>>(),
            [
                "OUTPUT_PATH",
                "OUTPUT_PROMPT_COMMAND",
                "OUTPUT_LD_PRELOAD",
                "OUTPUT_PYTHON_PATH",
                "OUTPUT_AWS_ENDPOINT_URL",
                "OUTPUT_IFS"
            ]
        );
        // Declared: refused, in any case.
        for name in [
            "BASH_ENV",
            "PATH",
            "http_proxy",
            "DYLD_INSERT_LIBRARIES",
            "NODE_OPTIONS",
            "PERL5OPT",
        ] {
            assert_eq!(
                env_problems(serde_json::json!({"Hook": name}), &["Hook"]),
                [format!("Metadata.pcstack.OutputEnvironmentVariables.Hook must not be a name a shell, loader or runtime acts on (PATH, LD_*, PYTHON*, AWS_* ...; the list is in the README) for pcstack outputs, got \"{name}\"")]
            );
        }
        assert!(!acted_on("AWS_REGION") && !acted_on("VPC_ID") && !acted_on("PATHNAME"));
    }

    #[test]
    fn repeated_names_are_refused_declared_derived_or_fixed() {
        assert_eq!(
            env_problems(serde_json::json!({"A": "VPC_ID", "B": "VPC_ID"}), &["A", "B"]),
            ["output B environment variable must differ from that of output A for pcstack outputs, got \"VPC_ID\" (declared)"]
        );
        assert_eq!(
            env_problems(serde_json::json!({"Region": "AWS_REGION"}), &["Region"]),
            ["output Region environment variable must differ from that of pcstack's own variable for pcstack outputs, got \"AWS_REGION\" (declared)"]
        );
        // A derived name already held gets the OUTPUT_ prefix: declared names win, and an
        // output CloudFormation accepts (`StackName`) is not a reason to refuse a template.
        let t = serde_json::json!({"Metadata": {"pcstack": {"OutputEnvironmentVariables": {"Vpc": "VPC_ID"}}}});
        let names = output_env_names(Some(&t), &["VpcId", "Vpc", "StackName"]).unwrap();
        assert_eq!(
            names.values().map(String::as_str).collect::<Vec<_>>(),
            ["OUTPUT_VPC_ID", "VPC_ID", "OUTPUT_STACK_NAME"]
        );
        let names = output_env_names(None, &["VpcId", "VPCId"]).unwrap();
        assert_eq!(names["VPCId"], "OUTPUT_VPC_ID");
        // ... unless the prefixed name is held too.
        assert_eq!(
            env_problems(serde_json::json!({"X": "OUTPUT_VPC_ID"}), &["X", "VpcId", "VPCId"]),
            ["output VPCId environment variable must differ from that of output X for pcstack outputs, got \"OUTPUT_VPC_ID\" (derived from its key)"]
        );
    }
}
