//! Logging in the way the AWS CLI v2 does, from `~/.aws/config` and `~/.aws/credentials`
//! (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`): what the selected profile is, a clear error
//! when it does not exist, and the MFA prompt for assume-role profiles with `mfa_serial`, which
//! aws-config does not implement.

use crate::error::Error;
use aws_config::profile::{Profile, ProfileSet};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::Credentials;
use std::io::{BufRead, IsTerminal, Write};

/// How the selected profile gets its credentials (the first that applies, as the CLI reads it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProfileKind {
    /// No profile file entry: environment, container or instance credentials.
    #[default]
    Chain,
    /// `sso_session` or the legacy `sso_start_url`.
    Sso,
    /// `role_arn` with `web_identity_token_file`.
    WebIdentity,
    /// `role_arn` with `source_profile` or `credential_source`.
    AssumeRole,
    /// `credential_process`.
    Process,
    /// `aws_access_key_id` and `aws_secret_access_key`.
    Keys,
    /// Only other settings (region, output).
    Settings,
}

/// The selected profile, as far as advice needs it.
#[derive(Debug, Clone, Default)]
pub struct Login {
    /// The profile named by `--profile` or `AWS_PROFILE`; `None` for the default chain.
    pub profile: Option<String>,
    pub kind: ProfileKind,
    /// The profile whose credentials are used: `--profile`, else (when no access key is in the
    /// environment, which the chain reads first) `AWS_PROFILE` or `default`.
    pub credentials_profile: Option<String>,
}

/// The profile files as aws-config reads them (honours `AWS_CONFIG_FILE`,
/// `AWS_SHARED_CREDENTIALS_FILE`, `HOME`). Unreadable files count as empty, as in the SDK.
pub async fn profiles(profile: Option<&str>) -> Result<ProfileSet, Error> {
    check_config_files()?;
    let fs = aws_types::os_shim_internal::Fs::real();
    let env = aws_types::os_shim_internal::Env::real();
    #[allow(deprecated)]
    let files = aws_config::profile::profile_file::ProfileFiles::default();
    aws_config::profile::load(&fs, &env, &files, profile.map(|p| p.to_string().into()))
        .await
        .map_err(|e| {
            Error::usage(format!(
                "cannot read the AWS config files (~/.aws/config, ~/.aws/credentials): {}",
                super::errors::chain(&e)
            ))
        })
}

/// The files aws-config reads, checked first by pcstack's one bounded reader
/// (`cli::read_limited`): aws-config reads a file whole, whatever it is, so
/// `AWS_CONFIG_FILE=/dev/zero` would grow without end and a FIFO would block forever. Each must
/// be a regular file of at most [`synth::input::MAX_FILE_BYTES`] (a config of many profiles is
/// a few KB), or be missing, or be `/dev/null` (the usual way to say "none").
fn check_config_files() -> Result<(), Error> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty());
    let default = |rel: &str| home.as_ref().map(|h| std::path::Path::new(h).join(rel));
    let files = [
        ("AWS_CONFIG_FILE", default(".aws/config")),
        ("AWS_SHARED_CREDENTIALS_FILE", default(".aws/credentials")),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", None),
    ];
    for (variable, fallback) in files {
        let (path, source) = match std::env::var_os(variable).filter(|v| !v.is_empty()) {
            Some(p) => (std::path::PathBuf::from(p), variable.to_string()),
            None => match fallback {
                Some(p) => (p, "the AWS config files".to_string()),
                None => continue,
            },
        };
        if path == std::path::Path::new("/dev/null") || !path.exists() {
            continue;
        }
        let max = synth::input::MAX_FILE_BYTES;
        if let Err(e) = crate::cli::read_limited(&path, max) {
            let rule = match e {
                crate::cli::ReadError::TooLarge(_) => format!("be at most {max} bytes"),
                crate::cli::ReadError::NotRegular(_) => "be a regular file".to_string(),
                // Unreadable: the SDK reads it as empty, as the AWS CLI does.
                crate::cli::ReadError::Io(_) => continue,
            };
            return Err(Error::usage(format!(
                "{source}: {} must {rule}, got {e}",
                path.display()
            )));
        }
    }
    Ok(())
}

/// What kind of profile this is.
pub fn kind_of(profile: &Profile) -> ProfileKind {
    let has = |k: &str| profile.get(k).is_some_and(|v| !v.trim().is_empty());
    if has("sso_session") || has("sso_start_url") {
        ProfileKind::Sso
    } else if has("role_arn") && has("web_identity_token_file") {
        ProfileKind::WebIdentity
    } else if has("role_arn") {
        ProfileKind::AssumeRole
    } else if has("credential_process") {
        ProfileKind::Process
    } else if has("aws_access_key_id") {
        ProfileKind::Keys
    } else {
        ProfileKind::Settings
    }
}

/// The selected profile: `--profile`, else `AWS_PROFILE`. A named profile that is in neither
/// file is an error naming the profiles that are (no AWS call is made).
pub async fn select(flag: Option<&str>) -> Result<(Login, ProfileSet), Error> {
    let from_env = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let (name, source) = match (flag, &from_env) {
        (Some(p), _) => (Some(p.to_string()), "--profile"),
        (None, Some(p)) => (Some(p.clone()), "AWS_PROFILE"),
        (None, None) => (None, ""),
    };
    let env_keys = std::env::var_os("AWS_ACCESS_KEY_ID").is_some_and(|v| !v.is_empty());
    let set = profiles(name.as_deref()).await?;
    let Some(name) = name else {
        let profile = set.get_profile("default");
        let kind = profile.map_or(ProfileKind::Chain, kind_of);
        let used = profile.filter(|_| !env_keys);
        if let Some(p) = used.filter(|_| kind == ProfileKind::Sso) {
            check_sso_token(&set, p, "default")?;
        }
        return Ok((
            Login {
                profile: None,
                kind,
                credentials_profile: used.map(|_| "default".to_string()),
            },
            set,
        ));
    };
    match set.get_profile(&name) {
        Some(p) => {
            let kind = kind_of(p);
            let used = flag.is_some() || !env_keys;
            if used && kind == ProfileKind::Sso {
                check_sso_token(&set, p, &name)?;
            }
            Ok((
                Login {
                    credentials_profile: used.then(|| name.clone()),
                    profile: Some(name),
                    kind,
                },
                set,
            ))
        }
        None => {
            let mut known: Vec<&str> = set.profiles().collect();
            known.sort_unstable();
            let near = synth::catalog::nearest(&name, known.iter().copied())
                .map(|p| format!(" (did you mean {p}?)"))
                .unwrap_or_default();
            let known = if known.is_empty() {
                "there are none".to_string()
            } else {
                format!("profiles there: {}", known.join(", "))
            };
            let name = synth::input::echo(&name);
            Err(Error::usage(format!(
                "{source}: profile {name:?} is not in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; {known}): check the name{near}, or create it with `aws configure sso --profile {name}` or `aws configure --profile {name}`"
            )))
        }
    }
}

/// An assume-role profile that names an MFA device: aws-config would call AssumeRole without
/// the code and be denied, so pcstack asks for it.
#[derive(Debug, Clone)]
pub struct MfaRole {
    pub profile: String,
    pub role_arn: String,
    pub mfa_serial: String,
    pub source_profile: Option<String>,
    pub credential_source: Option<String>,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
}

/// The MFA role of the selected profile, if it is one.
pub fn mfa_role(set: &ProfileSet, name: &str) -> Result<Option<MfaRole>, Error> {
    let Some(p) = set.get_profile(name) else {
        return Ok(None);
    };
    let get = |k: &str| {
        p.get(k)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (Some(role_arn), Some(mfa_serial)) = (get("role_arn"), get("mfa_serial")) else {
        return Ok(None);
    };
    if get("web_identity_token_file").is_some() {
        return Ok(None);
    }
    let duration_seconds = match get("duration_seconds") {
        Some(v) => Some(v.parse::<i32>().map_err(|_| {
            Error::usage(format!(
                "profile {name}: duration_seconds must be a whole number of seconds (900 to 43200), got {v:?}"
            ))
        })?),
        None => None,
    };
    Ok(Some(MfaRole {
        profile: name.to_string(),
        role_arn,
        mfa_serial,
        source_profile: get("source_profile"),
        credential_source: get("credential_source"),
        session_name: get("role_session_name"),
        external_id: get("external_id"),
        duration_seconds,
    }))
}

/// Reads the MFA code from the terminal; without one, says what to do instead.
pub fn read_mfa_code(role: &MfaRole) -> Result<String, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::usage(format!(
            "profile {} assumes {} with MFA (mfa_serial {}), and pcstack reads the MFA code only from a terminal: run it on a terminal, or export temporary credentials first (`aws sts assume-role --role-arn {} --role-session-name pcstack --serial-number {} --token-code CODE`)",
            role.profile, role.role_arn, role.mfa_serial, role.role_arn, role.mfa_serial
        )));
    }
    eprint!(
        "MFA code for {} (profile {}): ",
        role.mfa_serial, role.profile
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::usage(format!("cannot read the MFA code: {e}")))?;
    let code = line.trim().to_string();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::usage(format!(
            "MFA code must be the 6 digits your device shows, got {code:?}"
        )));
    }
    Ok(code)
}

/// Calls STS AssumeRole with the MFA device and code, with the source profile's (or
/// `credential_source`'s) credentials, and returns the role's temporary credentials. `login`
/// is the profile's, for the advice of a failure.
pub async fn assume_role_with_mfa(
    login: &Login,
    role: &MfaRole,
    code: &str,
    sdk: &aws_types::SdkConfig,
) -> Result<Credentials, Error> {
    use aws_config::provider_config::ProviderConfig;
    let mut provider_config = ProviderConfig::default().with_region(sdk.region().cloned());
    if let Some(http) = sdk.http_client() {
        provider_config = provider_config.with_http_client(http);
    }
    if let Some(t) = sdk.timeout_config() {
        provider_config = provider_config.with_timeout_config(t.clone());
    }
    let source = match (&role.source_profile, role.credential_source.as_deref()) {
        (Some(p), _) => aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_config::profile::ProfileFileCredentialsProvider::builder()
                .configure(&provider_config)
                .profile_name(p)
                .build(),
        ),
        (None, Some("Environment")) => aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        ),
        (None, Some("Ec2InstanceMetadata")) => {
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                    .configure(&provider_config)
                    .build(),
            )
        }
        (None, Some("EcsContainer")) => aws_credential_types::provider::SharedCredentialsProvider::new(
            aws_config::ecs::EcsCredentialsProvider::builder()
                .configure(&provider_config)
                .build(),
        ),
        (None, other) => {
            return Err(Error::usage(format!(
                "profile {}: an assume-role profile needs source_profile or credential_source (Environment, Ec2InstanceMetadata or EcsContainer), got {}",
                role.profile,
                other.map_or("neither".to_string(), |v| format!("credential_source = {v}"))
            )))
        }
    };
    // Resolve the source first, so its failure is reported as a login problem.
    source.provide_credentials().await.map_err(|e| Error::Aws {
        operation: format!("loading the source credentials of profile {}", role.profile),
        message: super::errors::chain(&e),
        advice: Some(format!(
            "profile {} assumes its role with the credentials of {}: check that they work (`aws sts get-caller-identity{}`)",
            role.profile,
            role.source_profile.as_deref().map_or_else(
                || format!("credential_source {}", role.credential_source.as_deref().unwrap_or("")),
                |p| format!("profile {p}")
            ),
            role.source_profile.as_deref().map_or(String::new(), |p| format!(" --profile {p}"))
        )),
        detail: Some(format!("{e:?}")),
        kind: crate::error::AwsKind::BadProfile,
        source: Some(Box::new(e)),
    })?;
    let config = aws_sdk_sts::config::Builder::from(sdk)
        .credentials_provider(source)
        .build();
    let sts = aws_sdk_sts::Client::from_conf(config);
    let session = role.session_name.clone().unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        format!("pcstack-{secs}")
    });
    let out = sts
        .assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(session)
        .serial_number(&role.mfa_serial)
        .token_code(code)
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration_seconds)
        .send()
        .await
        .map_err(|e| super::errors::classify(&format!("AssumeRole {}", role.role_arn), e, login))?;
    let c = out.credentials().ok_or_else(|| Error::Aws {
        operation: format!("AssumeRole {}", role.role_arn),
        message: "STS returned no credentials".into(),
        advice: None,
        detail: None,
        kind: crate::error::AwsKind::Service,
        source: None,
    })?;
    let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        expiry,
        "pcstack-mfa",
    ))
}

/// An IAM Identity Center profile whose cached token (`~/.aws/sso/cache/<sha1>.json`, written by
/// `aws sso login`) is missing, or expired with no way to refresh it, fails here, before any
/// call: the SDK would send the expired token (legacy profiles) or say only "expired".
fn check_sso_token(set: &ProfileSet, profile: &Profile, name: &str) -> Result<(), Error> {
    use sha1::Digest;
    let session = profile.get("sso_session").map(str::trim);
    let key = match session {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => match profile.get("sso_start_url") {
            Some(url) => url.trim().to_string(),
            None => return Ok(()),
        },
    };
    if let Some(s) = session {
        if set.sso_session(s).is_none() {
            return Err(Error::usage(format!(
                "profile {name} names sso_session {s:?}, and there is no [sso-session {s}] section in ~/.aws/config: run `aws configure sso --profile {name}`"
            )));
        }
    }
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return Ok(());
    };
    let digest = sha1::Sha1::digest(key.as_bytes());
    let file: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let path = std::path::Path::new(&home)
        .join(".aws/sso/cache")
        .join(format!("{file}.json"));
    let login = |message: String| Error::Aws {
        operation: format!("logging in with profile {name} (IAM Identity Center)"),
        message,
        advice: Some(format!("run `aws sso login --profile {name}`, then retry")),
        detail: Some(format!("SSO token cache file: {}", path.display())),
        kind: crate::error::AwsKind::SsoExpired,
        source: None,
    };
    let Ok(text) = crate::cli::read_limited(&path, synth::input::MAX_FILE_BYTES) else {
        return Err(login(
            "no SSO session: `aws sso login` has not been run for it on this machine".into(),
        ));
    };
    let Ok(token) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Ok(()); // the SDK reports a cache file it can't read
    };
    let expires = token
        .get("expiresAt")
        .and_then(|v| v.as_str())
        .and_then(|t| {
            aws_smithy_types::DateTime::from_str(t, aws_smithy_types::date_time::Format::DateTime)
                .ok()
        });
    let refreshable = session.is_some()
        && ["refreshToken", "clientId", "clientSecret"]
            .iter()
            .all(|k| token.get(*k).and_then(|v| v.as_str()).is_some());
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    match expires {
        Some(at) if at <= now && !refreshable => Err(login(format!(
            "the SSO session expired at {}",
            at.fmt(aws_smithy_types::date_time::Format::DateTime)
                .unwrap_or_default()
        ))),
        _ => Ok(()),
    }
}
