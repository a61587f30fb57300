//! Where deploy writes: progress and review to stderr, results to stdout; colors; questions.
//! With `--progress json`, stderr carries only JSON lines, one object each with a `type`:
//! `event` (a stack event), `note` (what would otherwise be a line of text, in `message`),
//! `review`, `question` and `error`; colors are off.
//! Write errors are ignored on purpose: a display error never fails a deploy.
//!
//! Questions never block the runtime: the answer is read on a blocking thread while Ctrl-C is
//! listened for, so a Ctrl-C at a prompt is an answer too ([`Answer::Interrupted`]).

use super::events::Interrupts;
use crate::error::Error;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

pub use crate::cli::flags::ProgressMode;

type Sink = Arc<Mutex<dyn Write + Send>>;
type Asker = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// What a question got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A line (trimmed).
    Line(String),
    /// No terminal, or end of input.
    Nothing,
    /// Ctrl-C while asking.
    Interrupted,
}

pub struct Ui {
    /// Colors, decided once for the terminal.
    pub style: plan::Style,
    /// stdin is a terminal: questions can be asked.
    pub interactive: bool,
    pub progress: ProgressMode,
    err: Sink,
    out: Sink,
    ask: Asker,
}

impl Ui {
    /// The real terminal. Colors unless NO_COLOR is set or stderr is not a terminal.
    pub fn terminal(progress: ProgressMode) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        let json = progress == ProgressMode::Json;
        let color =
            stderr_tty && !json && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let progress = match progress {
            ProgressMode::Auto if stderr_tty => ProgressMode::Live,
            ProgressMode::Auto => ProgressMode::Log,
            other => other,
        };
        Self {
            style: plan::Style { color },
            interactive: std::io::stdin().is_terminal(),
            progress,
            err: Arc::new(Mutex::new(std::io::stderr())),
            out: Arc::new(Mutex::new(std::io::stdout())),
            ask: Arc::new(move |question| {
                // write!, not eprint!: a closed stderr must not panic.
                if json {
                    let line = serde_json::json!({"type": "question", "message": question});
                    let _ = writeln!(std::io::stderr(), "{line}");
                } else {
                    let question = plan::style::terminal_text(question);
                    let _ = write!(std::io::stderr(), "{question} ");
                }
                let _ = std::io::stderr().flush();
                let mut line = String::new();
                match std::io::stdin().read_line(&mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(line.trim().to_string()),
                }
            }),
        }
    }

    #[cfg(test)]
    /// For tests: no terminal, no color, log progress, both streams captured into one buffer.
    pub fn captured() -> (Self, Arc<Mutex<Vec<u8>>>) {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let ui = Self {
            style: plan::Style::PLAIN,
            interactive: false,
            progress: ProgressMode::Log,
            err: buf.clone(),
            out: buf.clone(),
            ask: Arc::new(|_| None),
        };
        (ui, buf)
    }

    #[cfg(test)]
    /// For tests: like [`Ui::captured`], but a terminal whose questions `asker` answers.
    pub fn answering(
        asker: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
    ) -> (Self, Arc<Mutex<Vec<u8>>>) {
        let (mut ui, buf) = Self::captured();
        ui.interactive = true;
        ui.ask = Arc::new(asker);
        (ui, buf)
    }

    /// A line to stderr; with `--progress json`, a `note` object holding it.
    pub fn note(&self, line: &str) {
        if self.progress == ProgressMode::Json {
            self.json(&serde_json::json!({"type": "note", "message": line}));
            return;
        }
        if let Ok(mut w) = self.err.lock() {
            let _ = writeln!(w, "{}", plan::style::terminal_text(line));
        }
    }

    /// A JSON object as one line on stderr (`--progress json`).
    pub fn json(&self, value: &serde_json::Value) {
        if let Ok(mut w) = self.err.lock() {
            let _ = writeln!(w, "{value}");
        }
    }

    /// A line to stdout.
    pub fn result(&self, line: &str) {
        if let Ok(mut w) = self.out.lock() {
            let _ = writeln!(w, "{}", plan::style::terminal_text(line));
        }
    }

    /// Red text, when colors are on.
    pub fn red(&self, s: &str) -> String {
        self.style.red(s)
    }
    /// Yellow text, when colors are on.
    pub fn yellow(&self, s: &str) -> String {
        self.style.yellow(s)
    }
    /// Green text, when colors are on.
    pub fn green(&self, s: &str) -> String {
        self.style.green(s)
    }
    /// Bold text, when colors are on.
    pub fn bold(&self, s: &str) -> String {
        self.style.bold(s)
    }

    /// Asks a question on the terminal. The line is read on a blocking thread, so the runtime
    /// goes on (Ctrl-C is delivered while waiting); a Ctrl-C answers [`Answer::Interrupted`].
    pub async fn ask(&self, question: &str, interrupts: &Interrupts) -> Answer {
        if !self.interactive {
            return Answer::Nothing;
        }
        let _listening = interrupts.listen();
        let ask = self.ask.clone();
        let question = question.to_string();
        let read = tokio::task::spawn_blocking(move || ask(&question));
        tokio::select! {
            // A Ctrl-C wins over an answer typed at the same moment.
            biased;
            _ = interrupts.pressed() => {
                // The reading thread stays blocked on stdin; the process exits soon after.
                self.note("");
                Answer::Interrupted
            }
            line = read => match line {
                Ok(Some(l)) => Answer::Line(l),
                _ => Answer::Nothing,
            },
        }
    }

    /// Yes/no question; anything but y/yes is no. A Ctrl-C is `Err(Error::Interrupted)`, which
    /// callers treat as a no (same cleanup), then exit 130.
    pub async fn confirm(&self, question: &str, interrupts: &Interrupts) -> Result<bool, Error> {
        match self.ask(&format!("{question} [y/N]"), interrupts).await {
            Answer::Line(a) => Ok(matches!(a.to_ascii_lowercase().as_str(), "y" | "yes")),
            Answer::Nothing => Ok(false),
            Answer::Interrupted => Err(Error::Interrupted(format!(
                "interrupted at the question {question:?}; taken as no"
            ))),
        }
    }
}
