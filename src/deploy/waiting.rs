//! What pcstack is waiting for: every AWS call of every client goes through a [`Watch`] (an SDK
//! interceptor; `main` makes one and gives it to the clients and to the [`heartbeat`]), so a
//! call that has not ended after [`SAY_AFTER`] is named on stderr: waiting for credentials (a
//! credential process, SSO, STS) or for AWS's answer, with the attempt. And the processes
//! pcstack started (a `credential_process`) are ended when pcstack ends early
//! ([`end_children`], which reads them from the process tree), so none outlives it.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
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

/// A running call's place in its watch, kept in the call's `ConfigBag`. The SDK's orchestrator
/// owns that bag for the whole call and drops it when the call ends, or when the call's future
/// is dropped (abandoned by a `select!`, such as a Ctrl-C while waiting, or by a timeout): either
/// way the call is forgotten, and the heartbeat never names a call nobody waits for.
#[derive(Debug)]
struct Running {
    calls: Arc<Calls>,
    id: u64,
}

impl Storable for Running {
    type Storer = StoreReplace<Self>;
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut calls) = self.calls.running.lock() {
            calls.retain(|c| c.id != self.id);
        }
    }
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
        let Some(id) = cfg.load::<Running>().map(|r| r.id) else {
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
        cfg.interceptor_state().store_put(Running {
            calls: self.0.clone(),
            id,
        });
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

    /// A server that takes one connection and says nothing until told (or until the sender is
    /// dropped), then hangs up; and a CloudFormation client to it that carries `watch`.
    fn silent_server(
        watch: &Watch,
    ) -> (
        aws_sdk_cloudformation::Client,
        std::sync::mpsc::Sender<()>,
        std::thread::JoinHandle<()>,
    ) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("its address").port();
        let (hang_up, told) = std::sync::mpsc::channel::<()>();
        let server = std::thread::spawn(move || {
            let connection = listener.accept();
            let _ = told.recv();
            drop(connection);
        });
        (
            crate::deploy::tests::local_cfn(port, Some(watch)),
            hang_up,
            server,
        )
    }

    /// As the heartbeat would see it SAY_AFTER from now.
    fn later() -> Instant {
        Instant::now() + SAY_AFTER
    }

    /// What `watch` says once it names a call waiting for AWS's answer (polled for up to 10 s);
    /// the last thing it said otherwise.
    async fn waiting_for_an_answer(watch: &Watch) -> String {
        let mut said = None;
        for _ in 0..2000 {
            said = watch.waiting_for(later());
            if said.as_deref().is_some_and(|s| s.contains("AWS's answer")) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        said.unwrap_or_default()
    }

    /// `(5s)`, or more on a loaded machine.
    fn names_describe_stacks(said: &str) -> bool {
        said.starts_with("still waiting for AWS's answer to CloudFormation DescribeStacks (")
            && said.ends_with("s)")
    }

    /// A call through a client carrying a watch is named by that watch while it runs (sent,
    /// AWS not answering yet), by no other watch, and forgotten once it ended.
    #[tokio::test]
    async fn a_watch_names_its_own_running_calls() {
        let watch = Watch::default();
        let (client, hang_up, server) = silent_server(&watch);
        let call = tokio::spawn(async move { client.describe_stacks().send().await });
        let said = waiting_for_an_answer(&watch).await;
        assert!(names_describe_stacks(&said), "{said}");
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

    /// A call abandoned while AWS has not answered (its future dropped by a `select!`, as a
    /// Ctrl-C while waiting does, or by a timeout) never reaches the SDK's finalizer: it is
    /// forgotten all the same, so the heartbeat does not name it while pcstack does something
    /// else.
    #[tokio::test]
    async fn an_abandoned_call_is_forgotten() {
        let watch = Watch::default();
        let (client, hang_up, server) = silent_server(&watch);
        let said = tokio::select! {
            ended = client.describe_stacks().send() => panic!("the server never answers: {ended:?}"),
            said = waiting_for_an_answer(&watch) => said,
        };
        assert!(names_describe_stacks(&said), "{said}");
        assert_eq!(
            watch.waiting_for(later()),
            None,
            "the abandoned call is forgotten"
        );
        // A timeout drops it the same way; the call is named until then.
        let (timed_out, meanwhile) = tokio::join!(
            tokio::time::timeout(Duration::from_millis(300), client.describe_stacks().send()),
            async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                watch.waiting_for(later())
            }
        );
        assert!(timed_out.is_err(), "{timed_out:?}");
        let meanwhile = meanwhile.unwrap_or_default();
        assert!(meanwhile.contains("DescribeStacks"), "{meanwhile}");
        assert_eq!(
            watch.waiting_for(later()),
            None,
            "the timed-out call is forgotten"
        );
        let _ = hang_up.send(());
        server.join().expect("the server thread");
    }
}
