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
pub mod placement;
pub mod run;
pub mod settings;
pub mod signed;
pub mod stack;
pub mod status;
pub mod ui;
pub mod upload;
pub mod waiting;
pub mod zones;

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

// The rates. CloudFormation documents no request rate per API action (its quotas page lists
// none: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html);
// calls beyond the account's rate are throttled ("Rate exceeded"), and its guidance is to back
// off exponentially when that happens
// (https://repost.aws/knowledge-center/cloudformation-rate-exceeded-error), which every poll
// here does (`backoff`; `aws::patiently`). The SDKs' own waiters poll DescribeStacks and
// DescribeChangeSet every 30 s (botocore's cloudformation waiters-2.json); pcstack polls faster
// to notice an end within a second or two, one request at a time: DescribeChangeSet 1/s for
// two minutes at most, DescribeStackEvents 1 every 2 s, DescribeStacks 1 every 30 s.
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
