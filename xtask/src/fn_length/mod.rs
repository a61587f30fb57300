//! Function length: no hand-written function over [`MAX_LINES`] lines (`tests/function_length.rs`
//! holds the workspace to it). A function's length runs from the line of its `fn` keyword to the
//! line of its closing brace, both counted; attributes and doc comments are not counted.
//!
//! The scan is a small Rust lexer, not a parser: it skips comments (nested block comments too),
//! string, byte string and raw string literals and char literals (told apart from lifetimes), so
//! that braces inside them are not counted, then pairs the braces of every `fn <name>` item. A
//! closure is part of the function it is written in; a function nested in another is reported on
//! its own (and counted in the outer one too). `fn(...)` pointer types and trait method
//! declarations ending in `;` have no body and are not functions here.

/// The most lines a hand-written function may take.
pub const MAX_LINES: usize = 100;

/// A function item found in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// 1-based line of the `fn` keyword.
    pub line: usize,
    /// Lines from the `fn` keyword to the closing brace, both included.
    pub lines: usize,
}

/// Whether the file was written by a generator: its first line starts with `// @generated`.
pub fn is_generated(source: &str) -> bool {
    source
        .lines()
        .next()
        .is_some_and(|l| l.starts_with("// @generated"))
}

/// Every function with a body in `source`, in the order their `fn` keywords appear.
pub fn functions(source: &str) -> Vec<Function> {
    let tokens = tokens(source);
    let mut found = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !matches!(&token.kind, Token::Ident(word) if word == "fn") {
            continue;
        }
        // `fn(u8) -> u8` is a pointer type and `fn $name` a macro's template: no name follows.
        let Some(Token::Ident(name)) = tokens.get(i + 1).map(|t| &t.kind) else {
            continue;
        };
        if let Some(end) = body_end(&tokens[i + 2..]) {
            found.push(Function {
                name: name.clone(),
                line: token.line,
                lines: end - token.line + 1,
            });
        }
    }
    found
}

/// The functions of `source` longer than `max` lines.
pub fn longer_than(source: &str, max: usize) -> Vec<Function> {
    functions(source)
        .into_iter()
        .filter(|f| f.lines > max)
        .collect()
}

/// The line of the brace closing the body that follows a function's name, or `None` for a
/// declaration without a body (a `;` before any `{` outside parentheses and brackets).
fn body_end(after_name: &[Lexed]) -> Option<usize> {
    let mut nesting = 0usize; // ( and [ in the signature: `[u8; 4]` holds a `;`
    let mut braces = 0usize;
    for token in after_name {
        match token.kind {
            Token::Open('{') => braces += 1,
            Token::Close('}') if braces > 0 => {
                braces -= 1;
                if braces == 0 {
                    return Some(token.line);
                }
            }
            _ if braces > 0 => {}
            Token::Open(_) => nesting += 1,
            Token::Close(_) => nesting = nesting.saturating_sub(1),
            Token::Semi if nesting == 0 => return None,
            _ => {}
        }
    }
    None
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Ident(String),
    Open(char),
    Close(char),
    Semi,
    /// Any other character outside literals and comments (`$`, `<`, `-`, ...).
    Punct(char),
}

#[derive(Debug)]
struct Lexed {
    kind: Token,
    line: usize,
}

/// The identifiers, brackets and punctuation of `source`, each with its line; literals and
/// comments are skipped (their newlines still counted).
fn tokens(source: &str) -> Vec<Lexed> {
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        at: 0,
        line: 1,
    };
    let mut out = Vec::new();
    while let Some(c) = lexer.peek(0) {
        let line = lexer.line;
        let kind = match c {
            '/' if lexer.peek(1) == Some('/') => {
                lexer.line_comment();
                None
            }
            '/' if lexer.peek(1) == Some('*') => {
                lexer.block_comment();
                None
            }
            '"' => {
                lexer.string();
                None
            }
            '\'' => {
                lexer.quote();
                None
            }
            '{' | '(' | '[' => Some(Token::Open(lexer.bump())),
            '}' | ')' | ']' => Some(Token::Close(lexer.bump())),
            ';' => {
                lexer.bump();
                Some(Token::Semi)
            }
            c if is_ident(c) => lexer.word(),
            c if c.is_whitespace() => {
                lexer.bump();
                None
            }
            _ => Some(Token::Punct(lexer.bump())),
        };
        if let Some(kind) = kind {
            out.push(Lexed { kind, line });
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    /// Consumes one char (counting the line it ends) and returns it.
    fn bump(&mut self) -> char {
        let c = self.chars[self.at];
        self.at += 1;
        if c == '\n' {
            self.line += 1;
        }
        c
    }

    fn line_comment(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    /// `/* ... */`, nested ones included.
    fn block_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            if c == '/' && self.peek(1) == Some('*') {
                depth += 1;
                self.at += 2;
            } else if c == '*' && self.peek(1) == Some('/') {
                depth -= 1;
                self.at += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.bump();
            }
        }
    }

    /// `"..."` with escapes (a `b` or `c` prefix was read as a word before it).
    fn string(&mut self) {
        self.bump();
        while let Some(c) = self.peek(0) {
            self.bump();
            match c {
                '\\' if self.peek(0).is_some() => {
                    self.bump();
                }
                '"' => return,
                _ => {}
            }
        }
    }

    /// A char literal (`'x'`, `'\''`, `'\u{7b}'`) or the quote of a lifetime or label (`'a`),
    /// which is consumed alone.
    fn quote(&mut self) {
        self.bump();
        if self.peek(0) == Some('\\') {
            self.bump();
            self.bump_if_any();
            while self.peek(0).is_some_and(|c| c != '\'') {
                self.bump();
            }
            self.bump_if_any();
        } else if self.peek(1) == Some('\'') {
            self.bump();
            self.bump();
        }
    }

    fn bump_if_any(&mut self) {
        if self.peek(0).is_some() {
            self.bump();
        }
    }

    /// An identifier, keyword or number; `r"..."`, `r#"..."#` (also `br`, `cr`) are raw string
    /// literals and `r#name` a raw identifier.
    fn word(&mut self) -> Option<Token> {
        let start = self.at;
        while self.peek(0).is_some_and(is_ident) {
            self.bump();
        }
        let word: String = self.chars[start..self.at].iter().collect();
        if matches!(word.as_str(), "r" | "br" | "cr") {
            let hashes = (0..).take_while(|&i| self.peek(i) == Some('#')).count();
            if self.peek(hashes) == Some('"') {
                self.raw_string(hashes);
                return None;
            }
            if word == "r" && hashes == 1 && self.peek(1).is_some_and(is_ident) {
                self.bump();
                let rest = self.at;
                while self.peek(0).is_some_and(is_ident) {
                    self.bump();
                }
                let name: String = self.chars[rest..self.at].iter().collect();
                return Some(Token::Ident(format!("r#{name}")));
            }
        }
        Some(Token::Ident(word))
    }

    /// From the hashes before the opening quote to the quote followed by as many hashes.
    fn raw_string(&mut self, hashes: usize) {
        self.at += hashes + 1;
        while let Some(c) = self.peek(0) {
            self.bump();
            if c == '"' && (0..hashes).all(|i| self.peek(i) == Some('#')) {
                self.at += hashes;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
