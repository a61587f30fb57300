//! The fast parser of the block-YAML subset templates are written in ([the module
//! docs](super) list it). Every function returns `None` to decline: on anything outside the
//! subset and on every syntax error, so that [`super::full`] decides (and words the error).

use super::{key, resolve_plain, value, wrap};
use serde_json::map::Entry;
use serde_json::{Map, Value as Json};
use synth::render::indicator;

/// Deeper nesting is declined (the full parser has its own limit). Below the template depth
/// limit: `parse_template` skips the depth estimate for a text this parser accepts.
const MAX_DEPTH: usize = 100;
const _: () = assert!(MAX_DEPTH < synth::input::MAX_TEMPLATE_DEPTH);

/// Mapping keys longer than this (from the key's first byte to its `:`) are declined, in block
/// and flow mappings: libyaml ends an implicit key within 1024 bytes.
const MAX_KEY_BYTES: usize = 1000;

/// Parses `body` if it is in the subset described in [the module docs](super); `None`
/// otherwise, including on every syntax error.
pub fn fast(body: &str) -> Option<Json> {
    let mut p = Fast::new(body)?;
    p.skip_empty();
    if p.li == p.lines.len() {
        return None;
    }
    let (indent, at) = p.content(p.li);
    let root = if p.dash_at(at) {
        p.sequence(at, indent)?
    } else {
        p.mapping(at, indent)?
    };
    p.skip_empty();
    (p.li == p.lines.len()).then_some(root)
}

struct Fast<'a> {
    text: &'a str,
    b: &'a [u8],
    /// Each line's start and end (before `\n` or `\r\n`), byte offsets.
    lines: Vec<(usize, usize)>,
    /// The current line.
    li: usize,
    depth: usize,
}

fn tag_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

impl<'a> Fast<'a> {
    /// Splits the lines, and declines text with characters the subset leaves to the full
    /// parser: tabs, control characters, a `\r` not before `\n`, the byte order mark, the
    /// line breaks other than `\n` that YAML knows (NEL, LS, PS), and document markers other
    /// than one leading `---`.
    fn new(text: &'a str) -> Option<Self> {
        let b = text.as_bytes();
        let mut lines = Vec::with_capacity(b.len() / 24 + 1);
        let mut start = 0;
        let mut skip = 0;
        let mut seen_content = false;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if (b' '..0x7f).contains(&c) {
                i += 1;
                continue;
            }
            match c {
                b'\n' => {
                    let end = if i > start && b[i - 1] == b'\r' {
                        i - 1
                    } else {
                        i
                    };
                    check_line(b, start, end, &mut seen_content, &mut skip, lines.len())?;
                    lines.push((start, end));
                    start = i + 1;
                }
                b'\r' if b.get(i + 1) == Some(&b'\n') => {}
                0xC2 if matches!(b.get(i + 1), Some(0x80..=0x9F)) => return None,
                0xE2 if b.get(i + 1) == Some(&0x80)
                    && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    return None
                }
                0xEF if matches!(
                    (b.get(i + 1), b.get(i + 2)),
                    (Some(0xBB), Some(0xBF)) | (Some(0xBF), Some(0xBE | 0xBF))
                ) =>
                {
                    return None
                }
                0x80.. => {}
                _ => return None,
            }
            i += 1;
        }
        if start < b.len() {
            check_line(b, start, b.len(), &mut seen_content, &mut skip, lines.len())?;
            lines.push((start, b.len()));
        }
        Some(Self {
            text,
            b,
            lines,
            li: skip,
            depth: 0,
        })
    }

    /// A line's indentation and the offset of its first non-space byte.
    fn content(&self, li: usize) -> (usize, usize) {
        let (start, end) = self.lines[li];
        let mut at = start;
        while at < end && self.b[at] == b' ' {
            at += 1;
        }
        (at - start, at)
    }

    /// Moves past blank and comment lines.
    fn skip_empty(&mut self) {
        while self.li < self.lines.len() {
            let (_, at) = self.content(self.li);
            if at < self.lines[self.li].1 && self.b[at] != b'#' {
                break;
            }
            self.li += 1;
        }
    }

    /// The indentation of the next line with content, if any.
    fn peek(&mut self) -> Option<usize> {
        self.skip_empty();
        (self.li < self.lines.len()).then(|| self.content(self.li).0)
    }

    fn end(&self) -> usize {
        self.lines[self.li].1
    }

    /// A `-` sequence entry indicator at `at` on the current line.
    fn dash_at(&self, at: usize) -> bool {
        self.b[at] == b'-' && (at + 1 == self.end() || self.b[at + 1] == b' ')
    }

    fn skip_spaces(&self, mut at: usize) -> usize {
        let end = self.end();
        while at < end && self.b[at] == b' ' {
            at += 1;
        }
        at
    }

    /// Whether only spaces and a comment follow `at` on the current line.
    fn rest_empty(&self, at: usize) -> bool {
        let end = self.end();
        let next = self.skip_spaces(at);
        next == end || (self.b[next] == b'#' && next > 0 && self.b[next - 1] == b' ')
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// A block mapping whose first key is at `at` on the current line, its column `col`;
    /// the following keys are lines indented by `col`.
    fn mapping(&mut self, mut at: usize, col: usize) -> Option<Json> {
        self.enter()?;
        let mut map = Map::new();
        loop {
            let (name, after) = self.key(at)?;
            let v = self.value_after(after, col, true)?;
            // A repeated key is left to the full parser (one hash lookup for both).
            match map.entry(name) {
                Entry::Vacant(e) => e.insert(v),
                Entry::Occupied(_) => return None,
            };
            match self.peek() {
                Some(indent) if indent == col => {
                    at = self.content(self.li).1;
                    if self.dash_at(at) {
                        return None;
                    }
                }
                Some(indent) if indent > col => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Json::Object(map))
    }

    /// A block sequence whose first `-` is at `at` on the current line, its column `col`;
    /// the following items are lines indented by `col`.
    fn sequence(&mut self, mut at: usize, col: usize) -> Option<Json> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            items.push(self.item(at, col)?);
            match self.peek() {
                Some(indent) if indent == col => {
                    at = self.content(self.li).1;
                    if !self.dash_at(at) {
                        break;
                    }
                }
                Some(indent) if indent > col => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Json::Array(items))
    }

    /// The node after the `-` at `at` (column `col`).
    fn item(&mut self, at: usize, col: usize) -> Option<Json> {
        let next = self.skip_spaces(at + 1);
        if self.rest_empty(at + 1) {
            self.li += 1;
            return self.below(col, false);
        }
        let line = self.lines[self.li].0;
        if self.dash_at(next) {
            return self.sequence(next, next - line);
        }
        if self.key(next).is_some() {
            return self.mapping(next, next - line);
        }
        self.value_after(at + 1, col, false)
    }

    /// A mapping key at `at` and the offset after its `:`.
    fn key(&self, at: usize) -> Option<(String, usize)> {
        let end = self.end();
        let b = self.b;
        let (key, colon) = match b[at] {
            b'\'' | b'"' => {
                let (s, after) = self.quoted(at)?;
                let colon = self.skip_spaces(after);
                (s, colon)
            }
            c => {
                if (indicator(c) && c != b'-') || (c == b'-' && self.dash_at(at)) {
                    return None;
                }
                let mut i = at;
                loop {
                    if i == end {
                        return None;
                    }
                    match b[i] {
                        b':' if i + 1 == end || b[i + 1] == b' ' => break,
                        b'#' if b[i - 1] == b' ' => return None,
                        _ => i += 1,
                    }
                }
                let text = self.text[at..i].trim_end_matches(' ');
                if text == "<<" {
                    return None;
                }
                let key = key(resolve_plain(text).ok()?, text)?;
                (key, i)
            }
        };
        if colon >= end || b[colon] != b':' || colon - at > MAX_KEY_BYTES {
            return None;
        }
        if colon + 1 < end && b[colon + 1] != b' ' {
            return None;
        }
        Some((key, colon + 1))
    }

    /// The value after a mapping's `:` or a sequence's `-` (`at` is just past it), in a
    /// collection at column `col`. Moves to the line after the value.
    fn value_after(&mut self, at: usize, col: usize, in_mapping: bool) -> Option<Json> {
        if self.rest_empty(at) {
            self.li += 1;
            return self.below(col, in_mapping);
        }
        let at = self.skip_spaces(at);
        match self.b[at] {
            b'!' => {
                let (name, after) = self.tag(at)?;
                if self.rest_empty(after) {
                    // A tagged collection on the lines below.
                    self.li += 1;
                    let indent = self.peek()?;
                    if indent <= col {
                        return None;
                    }
                    let first = self.content(self.li).1;
                    let node = if self.dash_at(first) {
                        self.sequence(first, indent)?
                    } else {
                        self.mapping(first, indent)?
                    };
                    return Some(wrap(name, node));
                }
                let v = self.inline(self.skip_spaces(after), col)?;
                Some(wrap(name, v))
            }
            _ => self.inline(at, col),
        }
    }

    /// A local tag at `at`: its name and the offset after it (a space or the line's end).
    fn tag(&self, at: usize) -> Option<(&'a str, usize)> {
        let end = self.end();
        let mut i = at + 1;
        while i < end && tag_byte(self.b[i]) {
            i += 1;
        }
        if i == at + 1 || (i < end && self.b[i] != b' ') {
            return None;
        }
        Some((&self.text[at + 1..i], i))
    }

    /// A node that starts on the current line at `at`: a literal block scalar, or a scalar
    /// or flow collection that ends on it. Moves to the next line.
    fn inline(&mut self, at: usize, col: usize) -> Option<Json> {
        let b = self.b;
        let (v, after) = match b[at] {
            b'|' => return self.literal(at, col),
            b'\'' | b'"' => {
                let (s, after) = self.quoted(at)?;
                (Json::String(s), after)
            }
            b'[' | b'{' => self.flow(at)?,
            _ => {
                let (text, after) = self.plain(at)?;
                (value(resolve_plain(text).ok()?, text.to_string()), after)
            }
        };
        if !self.rest_empty(after) {
            return None;
        }
        self.li += 1;
        Some(v)
    }

    /// A plain scalar in block context at `at`, and the offset after it.
    fn plain(&self, at: usize) -> Option<(&'a str, usize)> {
        let b = self.b;
        let end = self.end();
        let c = b[at];
        if (indicator(c) && c != b'-') || (c == b'-' && self.dash_at(at)) {
            return None;
        }
        let mut i = at;
        while i < end {
            match b[i] {
                b':' if i + 1 == end || b[i + 1] == b' ' => return None,
                b'#' if b[i - 1] == b' ' => break,
                _ => i += 1,
            }
        }
        let text = self.text[at..i].trim_end_matches(' ');
        (text != "<<").then_some((text, i))
    }

    /// The node below a `key:` or `-` with nothing after it on its line: a block collection
    /// indented more than `col` (or a sequence at `col` itself, as a mapping value), else
    /// null.
    fn below(&mut self, col: usize, in_mapping: bool) -> Option<Json> {
        let Some(indent) = self.peek() else {
            return Some(Json::Null);
        };
        let first = self.content(self.li).1;
        if indent > col || (in_mapping && indent == col && self.dash_at(first)) {
            if self.dash_at(first) {
                self.sequence(first, indent)
            } else {
                self.mapping(first, indent)
            }
        } else {
            Some(Json::Null)
        }
    }

    /// A `|` or `|-` literal block scalar whose indicator is at `at`, in a collection at
    /// column `col`. Declines the keep (`|+`) and explicit indentation forms, content that
    /// ends the text without a line break, and all-space lines longer than the indentation.
    fn literal(&mut self, at: usize, col: usize) -> Option<Json> {
        let strip = match self.b.get(at + 1) {
            Some(b'-') => true,
            Some(b' ') | None => false,
            Some(_) if at + 1 == self.end() => false,
            _ => return None,
        };
        let after = at + 1 + usize::from(strip);
        if after < self.end() && !self.rest_empty(after) {
            return None;
        }
        if after < self.end() && self.b[after] != b' ' {
            return None;
        }
        self.li += 1;
        // The indentation is that of the first line with content.
        let mut indent = None;
        let mut longest_blank = 0;
        for li in self.li..self.lines.len() {
            let (n, first) = self.content(li);
            if first == self.lines[li].1 {
                longest_blank = longest_blank.max(n);
            } else {
                indent = Some(n);
                break;
            }
        }
        let indent = indent?;
        if indent <= col || longest_blank > indent {
            return None;
        }
        let mut text = String::new();
        let mut breaks = 0;
        let mut any = false;
        while self.li < self.lines.len() {
            let (start, end) = self.lines[self.li];
            let (n, first) = self.content(self.li);
            if first == end {
                if n > indent {
                    return None;
                }
                breaks += 1;
            } else if n < indent {
                break;
            } else {
                if any {
                    breaks += 1;
                }
                for _ in 0..breaks {
                    text.push('\n');
                }
                breaks = 0;
                text.push_str(&self.text[start + indent..end]);
                any = true;
                if end == self.b.len() {
                    // No line break after the last line.
                    return None;
                }
            }
            self.li += 1;
        }
        if !strip {
            text.push('\n');
        }
        Some(Json::String(text))
    }

    /// A single- or double-quoted scalar at `at` ending on its line, and the offset after
    /// its closing quote.
    fn quoted(&self, at: usize) -> Option<(String, usize)> {
        let b = self.b;
        let end = self.end();
        let quote = b[at];
        let mut out = String::new();
        let mut i = at + 1;
        let mut run = i;
        loop {
            if i >= end {
                return None;
            }
            let c = b[i];
            if c == quote {
                out.push_str(&self.text[run..i]);
                if quote == b'\'' && b.get(i + 1) == Some(&b'\'') && i + 1 < end {
                    out.push('\'');
                    i += 2;
                    run = i;
                    continue;
                }
                return Some((out, i + 1));
            }
            if c == b'\\' && quote == b'"' {
                out.push_str(&self.text[run..i]);
                let e = *b.get(i + 1).filter(|_| i + 1 < end)?;
                let (ch, len) = match e {
                    b'\\' => ('\\', 2),
                    b'"' => ('"', 2),
                    b'/' => ('/', 2),
                    b'n' => ('\n', 2),
                    b't' => ('\t', 2),
                    b'r' => ('\r', 2),
                    b'x' => (self.hex(i + 2, 2)?, 4),
                    b'u' => (self.hex(i + 2, 4)?, 6),
                    _ => return None,
                };
                out.push(ch);
                i += len;
                run = i;
                continue;
            }
            i += 1;
        }
    }

    /// `digits` hex digits at `at` on the current line, as a character (not NUL).
    fn hex(&self, at: usize, digits: usize) -> Option<char> {
        let hex = self
            .text
            .get(at..at + digits)
            .filter(|_| at + digits <= self.end())?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let code = u32::from_str_radix(hex, 16).ok()?;
        char::from_u32(code).filter(|&c| c != '\0')
    }

    /// A flow collection, or a node in one, at `at`, ending on the current line; and the
    /// offset after it.
    fn flow(&mut self, at: usize) -> Option<(Json, usize)> {
        let b = self.b;
        let end = self.end();
        // `[` or `{` and nothing after it on the line (perhaps the text's last).
        if at >= end {
            return None;
        }
        self.enter()?;
        let node = match b[at] {
            b'[' => {
                let mut items = Vec::new();
                let mut i = self.skip_spaces(at + 1);
                if i < end && b[i] == b']' {
                    (Json::Array(items), i + 1)
                } else {
                    loop {
                        let (v, after) = self.flow(i)?;
                        items.push(v);
                        let next = self.skip_spaces(after);
                        match b.get(next).filter(|_| next < end) {
                            Some(b',') => i = self.skip_spaces(next + 1),
                            Some(b']') => break (Json::Array(items), next + 1),
                            _ => return None,
                        }
                        if i >= end || b[i] == b']' {
                            return None;
                        }
                    }
                }
            }
            b'{' => {
                let mut map = Map::new();
                let mut i = self.skip_spaces(at + 1);
                if i < end && b[i] == b'}' {
                    (Json::Object(map), i + 1)
                } else {
                    loop {
                        let (name, after) = self.flow_key(i)?;
                        let vstart = self.skip_spaces(after);
                        if vstart >= end || matches!(b[vstart], b',' | b'}') {
                            return None;
                        }
                        let (v, after) = self.flow(vstart)?;
                        match map.entry(name) {
                            Entry::Vacant(e) => e.insert(v),
                            Entry::Occupied(_) => return None,
                        };
                        let next = self.skip_spaces(after);
                        match b.get(next).filter(|_| next < end) {
                            Some(b',') => i = self.skip_spaces(next + 1),
                            Some(b'}') => break (Json::Object(map), next + 1),
                            _ => return None,
                        }
                        if i >= end || b[i] == b'}' {
                            return None;
                        }
                    }
                }
            }
            b'\'' | b'"' => {
                let (s, after) = self.quoted(at)?;
                // `"a": b` in a flow sequence is a one-pair mapping.
                let next = self.skip_spaces(after);
                if next < end && b[next] == b':' {
                    return None;
                }
                (Json::String(s), after)
            }
            b'!' => {
                let (name, after) = self.tag(at)?;
                let next = self.skip_spaces(after);
                if next >= end || matches!(b[next], b',' | b']' | b'}' | b'#' | b'!') {
                    return None;
                }
                let (v, after) = self.flow(next)?;
                (wrap(name, v), after)
            }
            _ => {
                let (text, after) = self.flow_plain(at)?;
                (value(resolve_plain(text).ok()?, text.to_string()), after)
            }
        };
        self.depth -= 1;
        Some(node)
    }

    /// A plain scalar in a flow collection: it ends before `,`, `]` or `}`. Declines a `:`
    /// that is not followed by a scalar character, and a flow collection starting inside it.
    fn flow_plain(&self, at: usize) -> Option<(&'a str, usize)> {
        let b = self.b;
        let end = self.end();
        let c = b[at];
        if (indicator(c) && c != b'-')
            || (c == b'-' && (at + 1 == end || matches!(b[at + 1], b' ' | b',' | b']' | b'}')))
        {
            return None;
        }
        let mut i = at;
        while i < end {
            match b[i] {
                b',' | b']' | b'}' => break,
                // `a:b` is one scalar; `:` before a space or a flow indicator is not.
                b':' if i + 1 < end
                    && !matches!(b[i + 1], b' ' | b',' | b'?' | b'[' | b']' | b'{' | b'}') =>
                {
                    i += 1
                }
                b'[' | b'{' | b':' => return None,
                b'#' if b[i - 1] == b' ' => return None,
                _ => i += 1,
            }
        }
        let text = self.text[at..i].trim_end_matches(' ');
        (text != "<<").then_some((text, i))
    }

    /// A key in a flow mapping, written `key: ` (quoted or plain), and the offset after the
    /// `:`.
    fn flow_key(&self, at: usize) -> Option<(String, usize)> {
        let b = self.b;
        let end = self.end();
        if at >= end {
            return None;
        }
        let (key, colon) = match b[at] {
            b'\'' | b'"' => {
                let (s, after) = self.quoted(at)?;
                (s, self.skip_spaces(after))
            }
            c => {
                if indicator(c) || c == b'-' {
                    return None;
                }
                let mut i = at;
                while i < end && !(b[i] == b':' && i + 1 < end && b[i + 1] == b' ') {
                    if matches!(b[i], b',' | b'[' | b']' | b'{' | b'}' | b'#' | b':') {
                        return None;
                    }
                    i += 1;
                }
                let text = self.text[at..i].trim_end_matches(' ');
                let key = key(resolve_plain(text).ok()?, text)?;
                if text == "<<" {
                    return None;
                }
                (key, i)
            }
        };
        // libyaml's 1024-byte limit on implicit keys holds in flow mappings too.
        if colon + 1 >= end
            || b[colon] != b':'
            || b[colon + 1] != b' '
            || colon - at > MAX_KEY_BYTES
        {
            return None;
        }
        Some((key, colon + 1))
    }
}

/// Declines document markers (`---`, `...` at a line's start) except one `---` line before
/// any content, which `skip` then points past.
fn check_line(
    b: &[u8],
    start: usize,
    end: usize,
    seen_content: &mut bool,
    skip: &mut usize,
    li: usize,
) -> Option<()> {
    let line = &b[start..end];
    if line.len() >= 3 && (line.starts_with(b"---") || line.starts_with(b"...")) {
        let marker = line.len() == 3 || line[3] == b' ';
        if marker {
            let bare = line[3..].iter().all(|&c| c == b' ');
            if *seen_content || !bare || line[0] == b'.' {
                return None;
            }
            *skip = li + 1;
            *seen_content = true;
            return Some(());
        }
    }
    if !*seen_content {
        let first = line.iter().position(|&c| c != b' ');
        if first.is_some_and(|i| line[i] != b'#') {
            *seen_content = true;
        }
    }
    Some(())
}
