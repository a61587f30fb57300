//! `pcstack deploy`, `diff`, `outputs` and `destroy`: the only code that talks to AWS. What
//! they decide with (templates, parameters, predictions, the review) is the `plan` crate.
//! See README.md in this folder for the flow and the exit codes.

pub mod adopt;
pub mod assets;
pub mod aws;
pub mod changeset;
pub mod destroy;
pub mod errors;
pub mod events;
pub mod login;
pub mod outputs;
pub mod run;
pub mod stack;
pub mod ui;
pub mod upload;

#[cfg(test)]
mod tests;

use std::time::Duration;

/// Polling intervals; tests shrink them to milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// DescribeChangeSet every this long while a change set is computed, for
    /// [`Timing::change_set_patience`]; then with backoff up to `max_poll`.
    pub change_set_poll: Duration,
    /// How long change sets are polled at the steady `change_set_poll` (most are ready in
    /// seconds; one that takes minutes is polled less often after this).
    pub change_set_patience: Duration,
    /// DescribeStackEvents every this long while following; the stack's own events say when
    /// the operation ends.
    pub events_poll: Duration,
    /// DescribeStacks at most this often while following: the fallback for a stack event
    /// missed (another operation's token, clock skew).
    pub status_poll: Duration,
    /// The longest wait between polls when backing off (throttling, slow change sets).
    pub max_poll: Duration,
    /// Log mode prints "still waiting on ..." after this long without an event.
    pub heartbeat: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            change_set_poll: Duration::from_secs(1),
            change_set_patience: Duration::from_secs(120),
            events_poll: Duration::from_secs(2),
            status_poll: Duration::from_secs(30),
            max_poll: Duration::from_secs(10),
            heartbeat: Duration::from_secs(30),
        }
    }
}

impl Timing {
    #[cfg(test)]
    pub fn fast() -> Self {
        Self {
            change_set_poll: Duration::from_millis(1),
            change_set_patience: Duration::from_millis(20),
            events_poll: Duration::from_millis(1),
            status_poll: Duration::from_millis(5),
            max_poll: Duration::from_millis(5),
            heartbeat: Duration::from_secs(30),
        }
    }
}

/// Next polling interval: ×1.5 up to `max`, plus up to 20% jitter (from the clock's
/// nanoseconds: no RNG dependency needed for this).
pub fn backoff(current: Duration, max: Duration) -> Duration {
    let next = current.mul_f64(1.5).min(max);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let jitter = next.mul_f64(f64::from(nanos % 200) / 1000.0);
    next + jitter
}

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

/// `3m12s`.
pub fn format_elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m{:02}s", s / 3600, (s % 3600) / 60, s % 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
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
