//! Terminal colors as plain string decoration: the review and diff texts are built as strings
//! and printed by the CLI, so coloring is a choice made once, not an I/O concern.

/// Whether to wrap text in ANSI color codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// `true`: ANSI colors; `false`: the text as it is.
    pub color: bool,
}

impl Style {
    /// No colors: for files, pipes and tests.
    pub const PLAIN: Style = Style { color: false };

    /// Red: replacements, removals, danger.
    pub fn red(&self, s: &str) -> String {
        self.paint("31", s)
    }

    /// Yellow: modifications and cautions.
    pub fn yellow(&self, s: &str) -> String {
        self.paint("33", s)
    }

    /// Green: additions and success.
    pub fn green(&self, s: &str) -> String {
        self.paint("32", s)
    }

    /// Bold: headings.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// The escape sequences [`Style`] writes: the only ones [`terminal_text`] lets through.
const OWN_SEQUENCES: [&str; 5] = ["\x1b[0m", "\x1b[1m", "\x1b[31m", "\x1b[32m", "\x1b[33m"];

/// Text for a terminal: every C0 control character but newline and tab, DEL and every C1
/// control character shown as an escape (`\r`, `\x1b`, `\u{9b}`), so a value from AWS or a
/// template (a stack event's reason, an output, an error message) can't retitle the window,
/// clear the screen or overwrite a line. [`Style`]'s own color sequences pass.
pub fn terminal_text(s: &str) -> std::borrow::Cow<'_, str> {
    let control = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !s.chars().any(control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(own) = OWN_SEQUENCES.iter().find(|q| rest.starts_with(**q)) {
            out.push_str(own);
            rest = &rest[own.len()..];
            continue;
        }
        match c {
            '\r' => out.push_str("\\r"),
            c if control(c) && (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{terminal_text, Style};

    #[test]
    fn control_characters_are_shown_not_sent() {
        let hostile = "a\x1b]0;pwned\x07\x1b[2Jb\rc\u{9b}31m\x7fd\ne\tf";
        assert_eq!(
            terminal_text(hostile),
            "a\\x1b]0;pwned\\x07\\x1b[2Jb\\rc\\u{9b}31m\\x7fd\ne\tf"
        );
        // Colors pcstack writes itself pass.
        let red = Style { color: true }.red("x");
        assert_eq!(
            terminal_text(&format!("{red}\x1b[8m")),
            "\x1b[31mx\x1b[0m\\x1b[8m"
        );
        assert!(matches!(
            terminal_text("plain"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn colors_only_when_asked() {
        assert_eq!(Style::PLAIN.red("x"), "x");
        assert_eq!(Style { color: true }.red("x"), "\x1b[31mx\x1b[0m");
        assert_eq!(Style { color: true }.bold("x"), "\x1b[1mx\x1b[0m");
    }
}
