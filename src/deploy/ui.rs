//! Where deploy writes: progress and review to stderr, results to stdout; colors; questions.
//! Write errors are ignored on purpose: a display error never fails a deploy.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

/// How to show stack events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// `live` on a terminal, `log` otherwise.
    Auto,
    Live,
    Log,
    Json,
    Quiet,
}

type Sink = Arc<Mutex<dyn Write + Send>>;
type Asker = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

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
        let color = stderr_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
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
            ask: Box::new(|question| {
                // write!, not eprint!: a closed stderr must not panic.
                let _ = write!(std::io::stderr(), "{question} ");
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
            ask: Box::new(|_| None),
        };
        (ui, buf)
    }

    /// A line to stderr.
    pub fn note(&self, line: &str) {
        if let Ok(mut w) = self.err.lock() {
            let _ = writeln!(w, "{line}");
        }
    }

    /// A line to stdout.
    pub fn result(&self, line: &str) {
        if let Ok(mut w) = self.out.lock() {
            let _ = writeln!(w, "{line}");
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

    /// Asks a question on the terminal; `None` when there is no terminal or no answer.
    pub fn ask(&self, question: &str) -> Option<String> {
        if !self.interactive {
            return None;
        }
        (self.ask)(question)
    }

    /// Yes/no question; anything but y/yes is no.
    pub fn confirm(&self, question: &str) -> bool {
        self.ask(&format!("{question} [y/N]"))
            .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "y" | "yes"))
    }
}
