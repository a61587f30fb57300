//! What pcstack is waiting for: every AWS call of every client goes through [`Watch`] (an SDK
//! interceptor), so a call that has not ended after [`SAY_AFTER`] is named on stderr
//! ([`heartbeat`]): waiting for credentials (a credential process, SSO, STS) or for AWS's
//! answer, with the attempt. And the processes pcstack started (a `credential_process`) are
//! ended when pcstack ends early ([`end_children`]), so none outlives it.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A call still running this long is named, then every [`SAY_EVERY`].
pub const SAY_AFTER: Duration = Duration::from_secs(5);
pub const SAY_EVERY: Duration = Duration::from_secs(15);

struct Call {
    id: u64,
    operation: String,
    started: Instant,
    /// Signed and sent: credentials were resolved.
    sent: bool,
    attempts: u32,
}

static CALLS: Mutex<Vec<Call>> = Mutex::new(Vec::new());
static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

#[derive(Debug, Clone, Copy)]
struct CallId(u64);

impl Storable for CallId {
    type Storer = StoreReplace<Self>;
}

fn operation_name(cfg: &ConfigBag) -> Option<String> {
    cfg.load::<Metadata>()
        .map(|m| format!("{} {}", m.service(), m.name()))
}

fn with_call(cfg: &ConfigBag, f: impl FnOnce(&mut Call)) {
    let Some(CallId(id)) = cfg.load::<CallId>().copied() else {
        return;
    };
    if let Ok(mut calls) = CALLS.lock() {
        if let Some(call) = calls.iter_mut().find(|c| c.id == id) {
            f(call);
        }
    }
}

/// The interceptor every client carries (`aws::Aws::connect`, `signed::Api`).
#[derive(Debug, Default, Clone)]
pub struct Watch;

impl Intercept for Watch {
    fn name(&self) -> &'static str {
        "pcstack::Watch"
    }

    fn read_before_execution(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // A client's interceptors run before the operation's configuration is applied: the
        // operation's name is known from the first attempt on.
        let operation = operation_name(cfg).unwrap_or_else(|| "an AWS call".to_string());
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        cfg.interceptor_state().store_put(CallId(id));
        if let Ok(mut calls) = CALLS.lock() {
            calls.push(Call {
                id,
                operation,
                started: Instant::now(),
                sent: false,
                attempts: 0,
            });
        }
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let name = operation_name(cfg);
        with_call(cfg, |c| {
            c.attempts += 1;
            c.sent = false;
            if let Some(name) = name {
                c.operation = name;
            }
        });
        Ok(())
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        with_call(cfg, |c| c.sent = true);
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(CallId(id)) = cfg.load::<CallId>().copied() {
            if let Ok(mut calls) = CALLS.lock() {
                calls.retain(|c| c.id != id);
            }
        }
        Ok(())
    }
}

/// What the oldest running call waits for, once it has run [`SAY_AFTER`]: `None` otherwise.
pub fn waiting_for(now: Instant) -> Option<String> {
    let calls = CALLS.lock().ok()?;
    let call = calls.iter().min_by_key(|c| c.started)?;
    let waited = now.saturating_duration_since(call.started);
    if waited < SAY_AFTER {
        return None;
    }
    let what = if call.sent {
        "AWS's answer"
    } else {
        "credentials (the profile's login: a credential process, SSO or STS)"
    };
    let attempt = if call.attempts > 1 {
        format!(", attempt {}", call.attempts)
    } else {
        String::new()
    };
    Some(format!(
        "still waiting for {what} to {} ({}{attempt})",
        call.operation,
        super::format_elapsed(waited)
    ))
}

/// Says on stderr what a call that takes long waits for, after [`SAY_AFTER`] and then every
/// [`SAY_EVERY`], until the command ends (spawned beside it). `json`: as a `note` object.
pub async fn heartbeat(json: bool) {
    let mut last_said: Option<Instant> = None;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = Instant::now();
        if last_said.is_some_and(|t| now.duration_since(t) < SAY_EVERY) {
            continue;
        }
        let Some(line) = waiting_for(now) else {
            continue;
        };
        last_said = Some(now);
        if json {
            crate::cli::eprint_line(
                &serde_json::json!({"type": "note", "message": line}).to_string(),
            );
        } else {
            crate::cli::eprint_line(&line);
        }
    }
}

/// Ends (SIGTERM) every process pcstack started that still runs, with their own children: a
/// `credential_process` that never returns must not outlive pcstack. Linux reads the process
/// tree from /proc; elsewhere there is nothing to read and nothing is done.
pub fn end_children() {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    // pid -> parent pid, from /proc/<pid>/stat ("pid (comm) state ppid ...", comm may hold
    // spaces and parentheses: the fields after the last ')').
    let parents: Vec<(u32, u32)> = entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = &stat[stat.rfind(')')? + 1..];
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![me];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    let children: Vec<String> = tree.into_iter().skip(1).map(|p| p.to_string()).collect();
    if children.is_empty() {
        return;
    }
    // kill(1), not kill(2): the crate forbids unsafe code. A process already gone is fine.
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .args(&children)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
}
