//! Following a stack operation: events (paginated, filtered by our token), progress display,
//! timeout, Ctrl-C, a lost connection, and the root cause of a failure.

use super::aws::{is_throttling, message, patiently, Aws};
use super::stack;
use super::status::{self, Sentiment};
use super::ui::{Answer, ProgressMode, Ui};
use super::{backoff, format_elapsed, Timing};
use crate::error::{AwsKind, Error};
use aws_sdk_cloudformation::error::SdkError;
use aws_sdk_cloudformation::types::{ResourceStatus, StackEvent, StackStatus};
use aws_sdk_cloudformation::Client;
use indexmap::{IndexMap, IndexSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Ctrl-C presses, delivered by the handler `main` installs ([`Interrupts::press`]). While
/// something listens (a prompt, a follow, a change set being computed) a press is handed to it,
/// which cleans up and decides; otherwise the handler exits 130 at once.
#[derive(Clone, Default)]
pub struct Interrupts(Arc<Presses>);

#[derive(Default)]
struct Presses {
    notify: Notify,
    /// Prompts and follows listening now.
    listeners: AtomicUsize,
    /// Presses handed over and not taken yet.
    untaken: AtomicUsize,
}

/// Listening for Ctrl-C while this lives.
pub struct Listening<'a>(&'a Interrupts);

impl Drop for Listening<'_> {
    fn drop(&mut self) {
        self.0 .0.listeners.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Interrupts {
    /// Ctrl-C is handed to the caller (through [`Interrupts::pressed`]) while the guard lives.
    pub fn listen(&self) -> Listening<'_> {
        self.0.listeners.fetch_add(1, Ordering::SeqCst);
        Listening(self)
    }

    /// For the Ctrl-C handler: `true` when the press was handed to a listener; `false` when the
    /// process should exit 130 now: nothing listens, or the press before is still not taken
    /// (the listener is stuck; a second press is the way out).
    pub fn press(&self) -> bool {
        if self.0.listeners.load(Ordering::SeqCst) == 0 {
            return false;
        }
        if self.0.untaken.fetch_add(1, Ordering::SeqCst) >= 1 {
            return false;
        }
        // A stored permit when no one awaits right now (the follower is in an AWS call): the
        // next `pressed` takes it.
        self.0.notify.notify_one();
        true
    }

    /// Listens for SIGINT (Ctrl-C), SIGTERM (CI cancellation, `timeout`, `kill`) and SIGHUP
    /// (the terminal closed), each handled alike: handed over to whoever listens (a question,
    /// a follow, a change set being computed), which cleans up and ends with exit 130; with
    /// nobody listening, or a second signal before the first was taken, exit 130 at once.
    /// Needs the runtime (called inside it).
    pub fn install(&self) {
        use tokio::signal::unix::{signal, SignalKind};
        let signals = [
            (SignalKind::interrupt(), "interrupted"),
            (SignalKind::terminate(), "terminated (SIGTERM)"),
            (SignalKind::hangup(), "hung up (SIGHUP)"),
        ];
        for (kind, said) in signals {
            let Ok(mut stream) = signal(kind) else {
                continue;
            };
            let interrupts = self.clone();
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    if !interrupts.press() {
                        crate::cli::eprint_line(&format!("\n{said}"));
                        super::waiting::end_children();
                        std::process::exit(130);
                    }
                }
            });
        }
    }

    /// Resolves at the next Ctrl-C handed over (or one handed over while nobody awaited).
    pub async fn pressed(&self) {
        self.0.notify.notified().await;
        self.0.untaken.store(0, Ordering::SeqCst);
    }
}

/// What to follow.
pub struct Follow<'a> {
    pub stack_id: &'a str,
    pub stack_name: &'a str,
    /// Only events of this ClientRequestToken (events without one are kept when newer than
    /// `since`: some endpoints don't echo it).
    pub token: Option<&'a str>,
    pub since: aws_smithy_types::DateTime,
    /// Resources expected to change, for the progress total.
    pub total: usize,
    pub deadline: Option<Instant>,
    /// The command to re-run to follow again (printed on timeout/detach).
    pub resume: &'a str,
}

/// The end of an operation as seen by the follower.
#[derive(Debug)]
pub struct Finished {
    pub status: StackStatus,
    pub events: Vec<StackEvent>,
}

/// Follows until the stack leaves its *_IN_PROGRESS state. Ctrl-C offers cancel/detach (see
/// [`interrupted`]); a lost connection stops waiting (exit 4): the operation goes on.
pub async fn follow(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    f: &Follow<'_>,
) -> Result<Finished, Error> {
    let _listening = interrupts.listen();
    follow_inner(aws, ui, interrupts, f).await
}

/// The connection to CloudFormation is gone (no answer, refused, timed out, cut mid-answer),
/// as opposed to an answer from the service.
pub fn connection_lost<E, R>(e: &SdkError<E, R>) -> bool {
    matches!(
        e,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_)
    )
}

fn stopped_on_lost_connection<E, R>(f: &Follow<'_>, e: &SdkError<E, R>) -> Error
where
    E: aws_sdk_cloudformation::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    Error::StoppedWaiting(format!(
        "lost the connection to CloudFormation while following stack {} ({}); the operation goes on in CloudFormation; run `{}` again to follow it",
        f.stack_name,
        message(e),
        f.resume
    ))
}

/// The stack's status while following (`None`: it is gone, so it was deleted).
async fn status_now(aws: &Aws, f: &Follow<'_>) -> Result<Option<StackStatus>, Error> {
    match patiently(&aws.timing, || {
        aws.cfn.describe_stacks().stack_name(f.stack_id).send()
    })
    .await
    {
        Ok(out) => Ok(out
            .stacks
            .and_then(|s| s.into_iter().next())
            .and_then(|s| s.stack_status)),
        Err(e) if connection_lost(&e) => Err(stopped_on_lost_connection(f, &e)),
        Err(e) => match aws.fail(&format!("DescribeStacks {}", f.stack_name), e) {
            Error::Aws {
                kind: AwsKind::StackMissing,
                ..
            } => Ok(None),
            other => Err(other),
        },
    }
}

async fn follow_inner(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    f: &Follow<'_>,
) -> Result<Finished, Error> {
    let (cfn, timing) = (&aws.cfn, &aws.timing);
    let mut watch = Watch::new(ui, f);
    let mut interval = timing.events_poll;
    let mut first = true;
    let mut status_checked = Instant::now();
    // Polls on a fixed cadence: the next one is `interval` after this one started (not after
    // its answer), so the end of the operation is noticed within `events_poll`.
    let mut polled = tokio::time::Instant::now();
    loop {
        if !first {
            tokio::select! {
                _ = tokio::time::sleep_until(polled + interval) => {}
                _ = interrupts.pressed() => {
                    // The bar would redraw over the question.
                    watch.hide_bar();
                    interrupted(aws, ui, interrupts, f).await?;
                    watch.show_bar();
                }
            }
        }
        first = false;
        polled = tokio::time::Instant::now();
        match new_events(cfn, f, &mut watch.seen).await {
            Ok(new) => {
                interval = timing.events_poll;
                watch.record(new);
            }
            Err(e) if is_throttling(&e) => interval = backoff(interval * 2, timing.max_poll * 3),
            Err(e) if connection_lost(&e) => return Err(stopped_on_lost_connection(f, &e)),
            Err(e) => return Err(aws.fail("DescribeStackEvents", e)),
        }
        watch.progress(timing);
        // The stack's own event says when the operation ends: no DescribeStacks beside every
        // DescribeStackEvents. DescribeStacks now and then is the fallback for an event missed.
        if let Some(status) = watch
            .stack_status
            .clone()
            .filter(|s| !stack::in_progress(s))
        {
            return Ok(watch.finish(status));
        }
        let deadline = f.deadline.is_some_and(|d| Instant::now() >= d);
        if deadline || status_checked.elapsed() >= timing.status_poll {
            status_checked = Instant::now();
            // A stack that is gone was deleted.
            let status = status_now(aws, f)
                .await?
                .unwrap_or(StackStatus::DeleteComplete);
            if !stack::in_progress(&status) {
                // Events written between our last read and the status change.
                if let Ok(new) = new_events(cfn, f, &mut watch.seen).await {
                    watch.record(new);
                }
                return Ok(watch.finish(status));
            }
            if deadline {
                return Err(watch.timed_out(&status));
            }
        }
    }
}

/// What one follow has seen so far, and how it shows it.
struct Watch<'a> {
    ui: &'a Ui,
    f: &'a Follow<'a>,
    start: Instant,
    /// Event IDs already read.
    seen: IndexSet<String>,
    /// This operation's events, oldest first.
    events: Vec<StackEvent>,
    /// Resources in progress, with when they started.
    in_progress: IndexMap<String, Instant>,
    /// Resources finished.
    done: usize,
    last_event: Instant,
    /// The live progress bar (`--progress live`).
    bar: Option<indicatif::ProgressBar>,
    /// The bar is off the terminal while a question is asked.
    bar_hidden: bool,
    /// The stack's status from its own latest event (`AWS::CloudFormation::Stack`).
    stack_status: Option<StackStatus>,
}

/// Whatever way a follow ends (an error included), the bar leaves the terminal.
impl Drop for Watch<'_> {
    fn drop(&mut self) {
        self.clear();
    }
}

fn new_bar(total: usize, elapsed: Duration) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total.max(1) as u64).with_elapsed(elapsed);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed}] {bar:30} {pos}/{len} {wide_msg}",
    ) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

impl<'a> Watch<'a> {
    fn new(ui: &'a Ui, f: &'a Follow<'a>) -> Self {
        let bar = (ui.progress == ProgressMode::Live).then(|| new_bar(f.total, Duration::ZERO));
        Self {
            ui,
            f,
            start: Instant::now(),
            seen: IndexSet::new(),
            events: Vec::new(),
            in_progress: IndexMap::new(),
            done: 0,
            last_event: Instant::now(),
            bar,
            bar_hidden: false,
            stack_status: None,
        }
    }

    /// Tracks and shows new events.
    fn record(&mut self, new: Vec<StackEvent>) {
        if !new.is_empty() {
            self.last_event = Instant::now();
        }
        for e in new {
            if is_stack_event(&e, self.f) {
                if let Some(s) = e.resource_status() {
                    self.stack_status = Some(StackStatus::from(s.as_str()));
                }
            }
            track(&e, self.f, &mut self.in_progress, &mut self.done);
            show(self.ui, self.bar.as_ref(), &e, self.start);
            self.events.push(e);
        }
    }

    /// Moves the bar; in log mode, says what is still running after a quiet while.
    fn progress(&mut self, timing: &Timing) {
        if let Some(b) = &self.bar {
            b.set_length(self.f.total.max(self.done).max(1) as u64);
            b.set_position(self.done as u64);
            b.set_message(plan::style::terminal_text(&waiting_on(&self.in_progress)).into_owned());
        }
        if self.ui.progress == ProgressMode::Log
            && self.last_event.elapsed() >= timing.heartbeat
            && !self.in_progress.is_empty()
        {
            self.ui.note(&format!(
                "still waiting on {} ({})",
                waiting_on(&self.in_progress),
                format_elapsed(self.start.elapsed())
            ));
            self.last_event = Instant::now();
        }
    }

    fn clear(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Takes the live bar off the terminal (for a question).
    fn hide_bar(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
            self.bar_hidden = true;
        }
    }

    /// Puts a hidden bar back where it was.
    fn show_bar(&mut self) {
        if std::mem::take(&mut self.bar_hidden) {
            let bar = new_bar(self.f.total.max(self.done), self.start.elapsed());
            bar.set_position(self.done as u64);
            self.bar = Some(bar);
        }
    }

    fn finish(mut self, status: StackStatus) -> Finished {
        self.clear();
        Finished {
            status,
            events: std::mem::take(&mut self.events),
        }
    }

    fn timed_out(&self, status: &StackStatus) -> Error {
        self.clear();
        Error::StoppedWaiting(format!(
            "timed out after {} waiting for stack {} ({}); the operation goes on in CloudFormation. To follow it again, re-run `{}`: it waits for the in-progress stack, then continues.",
            format_elapsed(self.start.elapsed()),
            self.f.stack_name,
            status.as_str(),
            self.f.resume
        ))
    }
}

async fn interrupted(
    aws: &Aws,
    ui: &Ui,
    interrupts: &Interrupts,
    f: &Follow<'_>,
) -> Result<(), Error> {
    let detached = format!(
        "detached from stack {}; the operation goes on in CloudFormation. Re-run `{}` to follow it.",
        f.stack_name, f.resume
    );
    if !ui.interactive {
        return Err(Error::Interrupted(format!("interrupted; {detached}")));
    }
    let current = stack::describe(aws, f.stack_id).await?;
    let updating =
        current.as_ref().and_then(|s| s.stack_status()) == Some(&StackStatus::UpdateInProgress);
    let question = if updating {
        "Interrupted. [c]ancel the update (roll back), [d]etach, or keep [w]aiting? (Ctrl-C again exits)"
    } else {
        "Interrupted. [d]etach, or keep [w]aiting? (Ctrl-C again exits)"
    };
    let answer = match ui.ask(question, interrupts).await {
        Answer::Interrupted => return Err(Error::Interrupted(format!("interrupted; {detached}"))),
        Answer::Line(a) => Some(a),
        Answer::Nothing => None,
    };
    match answer.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("c") | Some("cancel") if updating => {
            aws.cfn
                .cancel_update_stack()
                .stack_name(f.stack_id)
                .send()
                .await
                .map_err(|e| aws.fail("CancelUpdateStack", e))?;
            ui.note("update cancelled; following the rollback");
            Ok(())
        }
        Some("w") | Some("wait") => Ok(()),
        _ => Err(Error::StoppedWaiting(detached)),
    }
}

/// New events of this operation, oldest first, reading pages until one is already seen or older
/// than `since`. They count as seen only once every page needed was read: when a later page
/// fails (throttled, say), the next poll reads the earlier pages again instead of stopping at
/// their events, which would lose them (the stack's final event among them).
async fn new_events(
    cfn: &Client,
    f: &Follow<'_>,
    seen: &mut IndexSet<String>,
) -> Result<
    Vec<StackEvent>,
    aws_sdk_cloudformation::error::SdkError<
        aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
> {
    let mut out = Vec::new();
    let mut read = IndexSet::new();
    let mut token: Option<String> = None;
    'pages: loop {
        let page = cfn
            .describe_stack_events()
            .stack_name(f.stack_id)
            .set_next_token(token.clone())
            .send()
            .await?;
        for e in page.stack_events() {
            let id = e.event_id().unwrap_or_default().to_string();
            let secs = e.timestamp().map_or(i64::MAX, |t| t.secs());
            // Paging stops well before `since`, so clock skew can't hide our own events.
            if seen.contains(&id) || read.contains(&id) || secs < f.since.secs() - 300 {
                break 'pages;
            }
            let old = secs < f.since.secs();
            let ours = match (f.token, e.client_request_token()) {
                (Some(want), Some(got)) => want == got,
                _ => !old,
            };
            if ours {
                read.insert(id);
                out.push(e.clone());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    seen.extend(read);
    out.reverse();
    Ok(out)
}

fn is_stack_event(e: &StackEvent, f: &Follow<'_>) -> bool {
    e.resource_type() == Some("AWS::CloudFormation::Stack")
        && e.logical_resource_id() == Some(f.stack_name)
}

fn track(
    e: &StackEvent,
    f: &Follow<'_>,
    in_progress: &mut IndexMap<String, Instant>,
    done: &mut usize,
) {
    if is_stack_event(e, f) {
        return;
    }
    let id = e.logical_resource_id().unwrap_or_default().to_string();
    let Some(status) = e.resource_status() else {
        return;
    };
    let view = status::resource(status);
    if view.running {
        in_progress.entry(id).or_insert_with(Instant::now);
    } else if view.finishes() {
        in_progress.shift_remove(&id);
        *done += 1;
    }
}

/// A failed resource status ([`status::resource`]).
fn failed(s: &ResourceStatus) -> bool {
    status::resource(s).failed()
}

fn waiting_on(in_progress: &IndexMap<String, Instant>) -> String {
    in_progress
        .iter()
        .map(|(id, t)| format!("{id} {}", format_elapsed(t.elapsed())))
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(ui: &Ui, bar: Option<&indicatif::ProgressBar>, e: &StackEvent, start: Instant) {
    let status = e.resource_status().map_or("", |s| s.as_str());
    let sentiment = e
        .resource_status()
        .map_or(Sentiment::Neutral, |s| status::resource(s).sentiment);
    match ui.progress {
        ProgressMode::Quiet => {}
        ProgressMode::Json => ui.json(&event_json(e)),
        ProgressMode::Live | ProgressMode::Log | ProgressMode::Auto => {
            let painted = match sentiment {
                Sentiment::Bad => ui.red(status),
                Sentiment::Good => ui.green(status),
                Sentiment::RollingBack | Sentiment::Skipped => ui.yellow(status),
                Sentiment::Neutral => status.to_string(),
            };
            let mut line = format!(
                "{:>6} {painted} {} {}",
                format_elapsed(start.elapsed()),
                e.resource_type().unwrap_or(""),
                e.logical_resource_id().unwrap_or("")
            );
            if let Some(r) = e.resource_status_reason().filter(|r| !r.is_empty()) {
                line.push_str(&format!(": {r}"));
            }
            match bar {
                // Only what matters above the bar; the bar shows the rest.
                Some(b) if matches!(sentiment, Sentiment::Bad | Sentiment::Skipped) => {
                    b.println(plan::style::terminal_text(&line))
                }
                Some(_) => {}
                None => ui.note(&line),
            }
        }
    }
}

pub fn event_json(e: &StackEvent) -> serde_json::Value {
    serde_json::json!({
        "type": "event",
        "Timestamp": e.timestamp().map(|t| t.to_string()),
        "LogicalResourceId": e.logical_resource_id(),
        "PhysicalResourceId": e.physical_resource_id(),
        "ResourceType": e.resource_type(),
        "ResourceStatus": e.resource_status().map(|s| s.as_str()),
        "ResourceStatusReason": e.resource_status_reason(),
        "ClientRequestToken": e.client_request_token(),
    })
}

fn is_cancellation(reason: &str) -> bool {
    reason.contains("Resource creation cancelled") || reason.contains("Resource update cancelled")
}

/// The earliest failed resource event that is not a cancellation, then every other failed
/// resource event; stack-level events (whose reason only lists the failed resources) are left out.
pub fn root_cause<'e>(
    events: &'e [StackEvent],
    stack_name: &str,
) -> (Option<&'e StackEvent>, Vec<&'e StackEvent>) {
    let failed: Vec<&StackEvent> = events
        .iter()
        .filter(|e| e.resource_status().is_some_and(failed))
        .filter(|e| {
            !(e.resource_type() == Some("AWS::CloudFormation::Stack")
                && e.logical_resource_id() == Some(stack_name))
        })
        .collect();
    let mut sorted = failed.clone();
    sorted.sort_by_key(|e| e.timestamp().map(|t| (t.secs(), t.subsec_nanos())));
    let root = sorted
        .iter()
        .find(|e| !is_cancellation(e.resource_status_reason().unwrap_or("")))
        .or(sorted.first())
        .copied();
    let others = sorted
        .into_iter()
        .filter(|e| root.is_none_or(|r| !std::ptr::eq(*e, r)))
        .collect();
    (root, others)
}

/// The failure report: root cause, other failed resources, what to do next.
pub fn failure_report(
    ui: &Ui,
    stack_name: &str,
    status: &StackStatus,
    events: &[StackEvent],
    resume: &str,
) -> String {
    let describe = |e: &StackEvent| {
        format!(
            "{} ({}) physical ID {}: {} {}",
            e.logical_resource_id().unwrap_or("?"),
            e.resource_type().unwrap_or("?"),
            e.physical_resource_id()
                .filter(|p| !p.is_empty())
                .unwrap_or("(none)"),
            e.resource_status().map_or("", |s| s.as_str()),
            e.resource_status_reason().unwrap_or("no reason given"),
        )
    };
    let (root, others) = root_cause(events, stack_name);
    let mut out = format!(
        "{}\n",
        ui.red(&format!("stack {stack_name} failed: {}", status.as_str()))
    );
    match root {
        Some(r) => out.push_str(&format!("root cause: {}\n", describe(r))),
        None => out.push_str("root cause: no failed resource event was found; see the stack's events in the console\n"),
    }
    if !others.is_empty() {
        out.push_str("other failed resources:\n");
        for e in others {
            out.push_str(&format!("  {}\n", describe(e)));
        }
    }
    let next = match status {
        StackStatus::RollbackComplete => format!("the stack was never created and can only be deleted: fix the root cause, then re-run `{resume} --recreate`"),
        StackStatus::UpdateRollbackComplete => format!("the stack is back to its previous state: fix the root cause, then re-run `{resume}`"),
        StackStatus::UpdateRollbackFailed => format!("run `aws cloudformation continue-update-rollback --stack-name {stack_name}`, then re-run `{resume}`"),
        _ => format!("fix the root cause, then re-run `{resume}`"),
    };
    out.push_str(&format!("next: {next}\n"));
    out
}
