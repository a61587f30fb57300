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

#[cfg(test)]
mod tests {
    use super::Style;

    #[test]
    fn colors_only_when_asked() {
        assert_eq!(Style::PLAIN.red("x"), "x");
        assert_eq!(Style { color: true }.red("x"), "\x1b[31mx\x1b[0m");
        assert_eq!(Style { color: true }.bold("x"), "\x1b[1mx\x1b[0m");
    }
}
