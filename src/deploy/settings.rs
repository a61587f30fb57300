//! The AWS settings aws-config would otherwise panic on (or misuse), checked before it loads:
//! endpoints (`--endpoint-url`, `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, a profile's
//! `endpoint_url`), retries (`AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE`, a profile's `max_attempts`
//! and `retry_mode`). Each bad value is exit 2, one line naming the setting and what it may be.

use crate::error::Error;
use aws_config::profile::ProfileSet;

/// The most attempts of one call pcstack takes from `AWS_MAX_ATTEMPTS` or `max_attempts`.
/// The SDK backs off up to 20 s between attempts and each attempt may take the per-attempt
/// timeout, so 20 attempts can already hold one call for many minutes; more is a typo.
pub const MAX_ATTEMPTS: u32 = 20;

/// The endpoint variables of the services pcstack calls (the SDK reads
/// `AWS_ENDPOINT_URL_<service ID>`; others are not pcstack's business).
pub const ENDPOINT_VARIABLES: [&str; 9] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_CLOUDFORMATION",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_ECR",
    "AWS_ENDPOINT_URL_FSX",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
];

/// Every endpoint and retry setting of the environment and the selected profile.
pub fn check(endpoint_flag: Option<&str>, profiles: &ProfileSet) -> Result<(), Error> {
    if let Some(url) = endpoint_flag {
        endpoint("--endpoint-url", url)?;
    }
    for name in ENDPOINT_VARIABLES {
        if let Some(value) = std::env::var_os(name) {
            endpoint(name, &value.to_string_lossy())?;
        }
    }
    for name in ["AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"] {
        if let Some(value) = std::env::var_os(name) {
            retry(name, &value.to_string_lossy())?;
        }
    }
    let selected = profiles.selected_profile();
    if let Some(profile) = profiles.get_profile(selected) {
        let source = |key: &str| format!("{key} of profile {}", synth::input::echo(selected));
        if let Some(value) = profile.get("endpoint_url") {
            endpoint(&source("endpoint_url"), value)?;
        }
        for key in ["max_attempts", "retry_mode"] {
            if let Some(value) = profile.get(key) {
                retry(&source(key), value)?;
            }
        }
    }
    Ok(())
}

/// An endpoint: an absolute `http://` or `https://` URL with a host, nothing else.
pub fn endpoint(source: &str, value: &str) -> Result<(), Error> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let fine = host.is_some_and(|h| !h.is_empty() && !h.starts_with(':'))
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if fine {
        return Ok(());
    }
    Err(Error::usage(format!(
        "{source} must be an http:// or https:// URL such as http://127.0.0.1:5000, got {}; unset it to use AWS's endpoints",
        shown(value)
    )))
}

/// The services aws-config's credential providers call (assume role, web identity, SSO).
const LOGIN_ENDPOINT_VARIABLES: [&str; 4] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
];

/// `--endpoint-url` for every call, the login's too. aws-config hands the loader's endpoint to
/// the service clients only; its credential providers (AssumeRole, AssumeRoleWithWebIdentity,
/// SSO's GetRoleCredentials) build their own clients from the environment, so a rehearsal
/// against a stand-in would sign real keys to real STS. The flag is therefore also put in the
/// environment those clients read (and wins over what was there, as a flag does). Called
/// first thing in `main`, before any thread starts (setting the environment is safe then).
pub fn endpoint_for_every_call(url: &str) {
    for name in LOGIN_ENDPOINT_VARIABLES {
        std::env::set_var(name, url);
    }
    std::env::remove_var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
}

/// `max_attempts` (an integer from 1 to [`MAX_ATTEMPTS`]) or `retry_mode` (`standard` or
/// `adaptive`, the SDK's two), told apart by the setting's name.
pub fn retry(source: &str, value: &str) -> Result<(), Error> {
    let fine = if source.contains("ATTEMPTS") || source.starts_with("max_attempts") {
        value
            .parse::<u32>()
            .is_ok_and(|n| (1..=MAX_ATTEMPTS).contains(&n))
    } else {
        let mode = value.trim();
        mode.eq_ignore_ascii_case("standard") || mode.eq_ignore_ascii_case("adaptive")
    };
    if fine {
        return Ok(());
    }
    let allowed = if source.contains("ATTEMPTS") || source.starts_with("max_attempts") {
        format!("a whole number from 1 to {MAX_ATTEMPTS}")
    } else {
        "standard or adaptive".to_string()
    };
    Err(Error::usage(format!(
        "{source} must be {allowed}, got {}; unset it for the SDK's default",
        shown(value)
    )))
}

fn shown(value: &str) -> String {
    format!("{:?}", synth::input::echo(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_absolute_http_urls() {
        for fine in [
            "http://127.0.0.1:5000",
            "https://cloudformation.us-east-1.amazonaws.com",
            "http://localhost:4566/",
        ] {
            assert!(endpoint("AWS_ENDPOINT_URL", fine).is_ok(), "{fine}");
        }
        for bad in [
            "",
            " ",
            "127.0.0.1:5000",
            "http://",
            "http://:80",
            "ftp://h",
            "http://a b",
        ] {
            let e = endpoint("AWS_ENDPOINT_URL_CLOUDFORMATION", bad).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert_eq!(
                e.to_string(),
                format!("AWS_ENDPOINT_URL_CLOUDFORMATION must be an http:// or https:// URL such as http://127.0.0.1:5000, got {bad:?}; unset it to use AWS's endpoints")
            );
        }
    }

    #[test]
    fn retry_settings_are_what_the_sdk_takes_within_bounds() {
        for fine in ["1", "3", "20"] {
            assert!(retry("AWS_MAX_ATTEMPTS", fine).is_ok(), "{fine}");
        }
        for bad in ["0", "-1", "abc", "99999999999999999999", "21", ""] {
            assert_eq!(
                retry("AWS_MAX_ATTEMPTS", bad).unwrap_err().to_string(),
                format!("AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, got {bad:?}; unset it for the SDK's default")
            );
        }
        assert!(retry("retry_mode of profile p", "Adaptive").is_ok());
        assert_eq!(
            retry("retry_mode of profile p", "garbage")
                .unwrap_err()
                .to_string(),
            "retry_mode of profile p must be standard or adaptive, got \"garbage\"; unset it for the SDK's default"
        );
    }
}
