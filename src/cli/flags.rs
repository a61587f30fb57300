//! What the AWS commands' flags hold: progress mode, outputs format, durations, where to
//! connect. Free of the AWS SDK, so the command line parses the same with or without the
//! `aws` feature (see `main.rs`); `deploy` re-exports each where it is used.

use std::time::Duration;

/// How to show stack events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// `live` on a terminal, `log` otherwise.
    Auto,
    /// A progress bar that redraws in place.
    Live,
    /// A line per event; "still waiting on X" after 30 s of silence.
    Log,
    /// Only JSON lines on stderr: events, notes, the review, questions and the error.
    Json,
    /// Nothing but questions, the failure report and the results.
    Quiet,
}

/// `pcstack outputs --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputsFormat {
    Env,
    Json,
    Table,
}

/// Where to connect; each `None` falls back to the SDK's standard chain.
#[derive(Debug, Default, Clone)]
pub struct Connection {
    /// Already checked (a Region that exists, no conflict with the config): see `main.rs`.
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// `--debug`: print the identity used on connecting.
    pub debug: bool,
    pub timeouts: HttpTimeouts,
}

/// HTTP timeouts of every AWS call. Without them a server that accepts and never answers
/// would hang pcstack forever.
#[derive(Debug, Clone, Copy)]
pub struct HttpTimeouts {
    /// TCP and TLS connect.
    pub connect: std::time::Duration,
    /// Between bytes of a response.
    pub read: std::time::Duration,
    /// One attempt of an operation, retries not included.
    pub attempt: std::time::Duration,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        Self {
            connect: std::time::Duration::from_secs(10),
            read: std::time::Duration::from_secs(30),
            attempt: std::time::Duration::from_secs(60),
        }
    }
}

/// `--timeout` of deploy and destroy when not given: longer than the built-in stack takes to
/// create or replace its file systems (FSx for Lustre and OpenZFS, minutes to an hour), short
/// enough that a stuck CI job ends the same working day.
pub const STACK_TIMEOUT: Duration = Duration::from_secs(3 * 3600);

/// `--timeout` of the other AWS commands (a few calls each) when not given: persistent
/// throttling or a stalled login (SSO, a credential process) ends here instead of never.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The longest `--timeout`: 7 days. Longer than any stack operation waits (CloudFormation's
/// own resource timeouts are hours), and far below where seconds overflow.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

/// Parses `30m`, `1h30m`, `90s`, `2h`, or a bare number of seconds: more than 0 and at most
/// [`MAX_TIMEOUT`]. Arithmetic is checked, so a huge number is an error, never a wrap.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let shown = synth::input::echo(s);
    let malformed = || format!("duration must be like 30m, 1h30m or 90s, got {shown:?}");
    let too_long = || format!("duration must be at most 168h (7 days), got {shown:?}");
    let s = s.trim();
    let mut total = 0u64;
    if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
        total = s.parse::<u64>().map_err(|_| too_long())?;
    } else {
        let mut num = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let unit = match c {
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => return Err(malformed()),
            };
            if num.is_empty() {
                return Err(malformed());
            }
            let n: u64 = num.parse().map_err(|_| too_long())?;
            num.clear();
            total = n
                .checked_mul(unit)
                .and_then(|secs| total.checked_add(secs))
                .ok_or_else(too_long)?;
        }
        if !num.is_empty() {
            return Err(malformed());
        }
    }
    if s.is_empty() {
        return Err(malformed());
    }
    if total == 0 {
        return Err(format!("duration must be more than 0, got {shown:?}"));
    }
    let d = Duration::from_secs(total);
    if d > MAX_TIMEOUT {
        return Err(too_long());
    }
    Ok(d)
}

#[cfg(test)]
mod duration_tests {
    use super::*;

    #[test]
    fn durations_parse_within_bounds() {
        for (text, secs) in [
            ("90", 90),
            ("90s", 90),
            ("30m", 1800),
            ("1h30m", 5400),
            ("168h", 604_800),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
        for (text, want) in [
            (
                "1147797409030816545h",
                "duration must be at most 168h (7 days), got \"1147797409030816545h\"",
            ),
            (
                "99999999999999999999999",
                "duration must be at most 168h (7 days), got \"99999999999999999999999\"",
            ),
            (
                "18446744073709551615s1s",
                "duration must be at most 168h (7 days), got \"18446744073709551615s1s\"",
            ),
            (
                "169h",
                "duration must be at most 168h (7 days), got \"169h\"",
            ),
            ("0", "duration must be more than 0, got \"0\""),
            ("0m", "duration must be more than 0, got \"0m\""),
            ("", "duration must be like 30m, 1h30m or 90s, got \"\""),
            ("h", "duration must be like 30m, 1h30m or 90s, got \"h\""),
            (
                "10d",
                "duration must be like 30m, 1h30m or 90s, got \"10d\"",
            ),
            ("-5", "duration must be like 30m, 1h30m or 90s, got \"-5\""),
            (
                "5m3",
                "duration must be like 30m, 1h30m or 90s, got \"5m3\"",
            ),
        ] {
            assert_eq!(parse_duration(text).unwrap_err(), want, "{text}");
        }
    }
}
