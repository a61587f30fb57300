//! What pcstack is waiting for: every AWS call of every client goes through a [`Watch`] (an SDK
//! interceptor; `main` makes one and gives it to the clients and to the [`heartbeat`]), so a
//! call that has not ended after [`SAY_AFTER`] is named on stderr: waiting for credentials (a
//! credential process, SSO, STS) or for AWS's answer, with the attempt. And the processes
//! pcstack started (a `credential_process`) are ended when pcstack ends early
//! ([`end_children`], which reads them from the process tree), so none outlives it.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A call still running this long is named, then every [`SAY_EVERY`].
pub const SAY_AFTER: Duration = Duration::from_secs(5);
pub const SAY_EVERY: Duration = Duration::from_secs(15);

#[derive(Debug)]
struct Call {
    id: u64,
    operation: String,
    started: Instant,
    /// Signed and sent: credentials were resolved.
    sent: bool,
    attempts: u32,
}

/// The calls running now, and the id of the next one.
#[derive(Debug, Default)]
struct Calls {
    running: Mutex<Vec<Call>>,
    next: AtomicU64,
}

#[derive(Debug, Clone, Copy)]
struct CallId(u64);

impl Storable for CallId {
    type Storer = StoreReplace<Self>;
}

fn operation_name(cfg: &ConfigBag) -> Option<String> {
    cfg.load::<Metadata>()
        .map(|m| format!("{} {}", m.service(), m.name()))
}

/// The interceptor every client carries (`aws::Aws::connect`, `signed::Api`): it keeps the calls
/// running now, read by [`Watch::waiting_for`]. Clones share them.
#[derive(Debug, Default, Clone)]
pub struct Watch(Arc<Calls>);

impl Watch {
    fn with_call(&self, cfg: &ConfigBag, f: impl FnOnce(&mut Call)) {
        let Some(CallId(id)) = cfg.load::<CallId>().copied() else {
            return;
        };
        if let Ok(mut calls) = self.0.running.lock() {
            if let Some(call) = calls.iter_mut().find(|c| c.id == id) {
                f(call);
            }
        }
    }

    /// What the oldest running call waits for, once it has run [`SAY_AFTER`]: `None` otherwise.
    pub fn waiting_for(&self, now: Instant) -> Option<String> {
        let calls = self.0.running.lock().ok()?;
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
}

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
        let id = self.0.next.fetch_add(1, Ordering::SeqCst);
        cfg.interceptor_state().store_put(CallId(id));
        if let Ok(mut calls) = self.0.running.lock() {
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
        self.with_call(cfg, |c| {
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
        self.with_call(cfg, |c| c.sent = true);
        Ok(())
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(CallId(id)) = cfg.load::<CallId>().copied() {
            if let Ok(mut calls) = self.0.running.lock() {
                calls.retain(|c| c.id != id);
            }
        }
        Ok(())
    }
}

/// Says on stderr what a call of `watch`'s clients that takes long waits for, after
/// [`SAY_AFTER`] and then every [`SAY_EVERY`], until the command ends (spawned beside it).
/// `json`: as a `note` object.
pub async fn heartbeat(watch: Watch, json: bool) {
    let mut last_said: Option<Instant> = None;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = Instant::now();
        if last_said.is_some_and(|t| now.duration_since(t) < SAY_EVERY) {
            continue;
        }
        let Some(line) = watch.waiting_for(now) else {
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

#[cfg(test)]
mod tests {
    use super::{Watch, SAY_AFTER};
    use std::time::{Duration, Instant};

    /// A call through a client carrying a watch is named by that watch while it runs (sent,
    /// AWS not answering yet), by no other watch, and forgotten once it ended.
    #[tokio::test]
    async fn a_watch_names_its_own_running_calls() {
        // A server that takes the connection and says nothing until told, then hangs up.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("its address").port();
        let (hang_up, told) = std::sync::mpsc::channel::<()>();
        let server = std::thread::spawn(move || {
            let connection = listener.accept();
            let _ = told.recv();
            drop(connection);
        });
        let watch = Watch::default();
        let config = aws_sdk_cloudformation::Config::builder()
            .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                "a", "b", None, None, "test",
            ))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .interceptor(watch.clone())
            .build();
        let client = aws_sdk_cloudformation::Client::from_conf(config);
        let call = tokio::spawn(async move { client.describe_stacks().send().await });
        // As the heartbeat would see it SAY_AFTER from now.
        let later = || Instant::now() + SAY_AFTER;
        let mut said = None;
        for _ in 0..2000 {
            said = watch.waiting_for(later());
            if said.as_deref().is_some_and(|s| s.contains("AWS's answer")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // `(5s)`, or more on a loaded machine.
        let said = said.unwrap_or_default();
        assert!(
            said.starts_with("still waiting for AWS's answer to CloudFormation DescribeStacks (")
                && said.ends_with("s)"),
            "{said}"
        );
        assert_eq!(watch.waiting_for(Instant::now()), None, "not yet said");
        assert_eq!(
            Watch::default().waiting_for(later()),
            None,
            "another watch's"
        );
        let _ = hang_up.send(());
        let ended = call.await.expect("the call's task");
        assert!(ended.is_err(), "the server hung up: {ended:?}");
        assert_eq!(
            watch.waiting_for(later()),
            None,
            "an ended call is forgotten"
        );
        server.join().expect("the server thread");
    }
}
