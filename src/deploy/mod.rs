//! `pcstack deploy`, `diff`, `outputs` and `destroy`: the only code that talks to AWS. What
//! they decide with (templates, parameters, predictions, the review) is the `plan` crate.
//! See README.md in this folder for the flow and the exit codes.

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
    pub change_set_poll: Duration,
    pub events_poll: Duration,
    pub max_poll: Duration,
    /// Log mode prints "still waiting on ..." after this long without an event.
    pub heartbeat: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            change_set_poll: Duration::from_secs(1),
            events_poll: Duration::from_secs(2),
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
            events_poll: Duration::from_millis(1),
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

/// Parses `30m`, `1h30m`, `90s`, `2h`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("duration must be like 30m, 1h30m or 90s, got {s:?}"))?;
        num.clear();
        total += match c {
            'h' => n * 3600,
            'm' => n * 60,
            's' => n,
            _ => {
                return Err(format!(
                    "duration must be like 30m, 1h30m or 90s, got {s:?}"
                ))
            }
        };
    }
    if !num.is_empty() || total == 0 {
        return Err(format!(
            "duration must be like 30m, 1h30m or 90s, got {s:?}"
        ));
    }
    Ok(Duration::from_secs(total))
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
