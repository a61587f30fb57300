//! Limits on what pcstack reads, checked before any parser sees the text, and the one place
//! that cuts user values echoed in messages to a readable length.
//!
//! The YAML parser takes time quadratic in nesting depth (a 500 KB config nested 100,000
//! levels deep took 8 minutes), so depth is measured by a cheap linear scan first.

/// CloudFormation's largest template body (from S3): larger ones are refused before upload.
/// Source: CloudFormation quotas, "Template body size in an Amazon S3 object"
/// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>).
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

/// Largest config or parameters file: 1 MiB. The built-in stack's full config is about 3 KB
/// and a parameters file holds at most CloudFormation's 200 parameters of 4 KB each (800 KB),
/// so a real file never comes near it.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Deepest nesting in a config or parameters file. The config schema is 4 levels deep; 64
/// leaves room for any hand-written YAML style while keeping the parser fast.
pub const MAX_FILE_DEPTH: usize = 64;

/// Deepest nesting in a template: the recursion limit serde_json applies to JSON templates
/// (128), so YAML and JSON templates face the same bound. Real templates nest about 15 deep
/// (policies inside intrinsics inside properties).
pub const MAX_TEMPLATE_DEPTH: usize = 128;

/// Characters of a user value echoed in a message; the rest is counted, not shown. Two lines
/// of an 80-column terminal: every valid AWS name fits whole, with a rule's explanation such
/// as a bucket name's longest form, while a pasted file or a 1 MB value stays one line or two.
pub const MAX_ECHO_CHARS: usize = 160;

/// Checks `text` against a size and a nesting depth limit, naming `what` (e.g. `config file`)
/// and the limit in the message.
pub fn check_limits(
    text: &str,
    what: &str,
    max_bytes: usize,
    max_depth: usize,
) -> Result<(), String> {
    check_size(text, what, max_bytes)?;
    let depth = nesting_depth(text, max_depth);
    if depth > max_depth {
        return Err(format!(
            "{what} must nest at most {max_depth} levels deep, got more than {max_depth}"
        ));
    }
    Ok(())
}

/// Checks `text` against a size limit, naming `what` and the limit in the message.
fn check_size(text: &str, what: &str, max_bytes: usize) -> Result<(), String> {
    if text.len() > max_bytes {
        return Err(format!(
            "{what} must be at most {max_bytes} bytes, got {} bytes",
            text.len()
        ));
    }
    Ok(())
}

/// An upper estimate of the nesting depth of a YAML or JSON text, in one pass; stops counting
/// once past `stop`. Counts open flow brackets (`[`, `{`) outside quotes and comments, plus
/// block nesting: the indentation levels open above a line and the `- ` markers that start it.
/// Block scalar contents (after `|` or `>`) are skipped.
pub fn nesting_depth(text: &str, stop: usize) -> usize {
    let mut deepest = 0usize;
    let mut flow = 0usize; // open [ and { across lines
    let mut indents: Vec<usize> = Vec::new(); // block indentation levels open
    let mut quote: Option<u8> = None; // inside a quoted scalar spanning lines
    let mut block_scalar: Option<usize> = None; // skip lines indented more than this
    for line in text.lines() {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let rest = &line[indent..];
        if let Some(parent) = block_scalar {
            if indent > parent || rest.trim().is_empty() {
                continue;
            }
            block_scalar = None;
        }
        let mut depth = flow;
        if flow == 0 && quote.is_none() {
            if rest.starts_with('#') || rest.trim().is_empty() {
                continue;
            }
            while indents.last().is_some_and(|&top| top >= indent) {
                indents.pop();
            }
            indents.push(indent);
            let dashes = rest
                .as_bytes()
                .chunks(2)
                .take_while(|c| *c == b"- " || *c == b"-")
                .count();
            depth = indents.len() + dashes;
        }
        let bytes = rest.as_bytes();
        depth = depth.max(scan_line(bytes, &mut quote, &mut flow, indents.len()));
        // A block scalar's indicator (`|`, `>-`, ...) ends the line.
        let marks = bytes
            .iter()
            .fold(false, |m, &b| m | (b == b'|') | (b == b'>'));
        if flow == 0 && quote.is_none() && marks {
            let end = rest.split(" #").next().unwrap_or(rest).trim_end();
            let indicator = end.rsplit(' ').next().unwrap_or(end);
            if indicator.starts_with(['|', '>'])
                && indicator[1..]
                    .chars()
                    .all(|c| c == '-' || c == '+' || c.is_ascii_digit())
            {
                block_scalar = Some(indent);
            }
        }
        deepest = deepest.max(depth);
        if deepest > stop {
            break;
        }
    }
    deepest
}

/// Scans the text of one line after its indentation for quotes, comments and flow brackets,
/// carrying the open quote and the number of open brackets from line to line; returns the
/// deepest nesting the brackets reach on the line, `indents` block levels below.
///
/// Byte by byte: every byte that matters is ASCII, and no byte of a multi-byte character is.
/// Outside quotes, the byte before is the character before.
fn scan_line(bytes: &[u8], quote: &mut Option<u8>, flow: &mut usize, indents: usize) -> usize {
    let mut depth = 0;
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        match *quote {
            None => {
                while i < n && !SPECIAL[bytes[i] as usize] {
                    i += 1;
                }
                if i == n {
                    break;
                }
                let c = bytes[i];
                let after = |set: &[u8]| i == 0 || set.contains(&bytes[i - 1]);
                match c {
                    b'"' | b'\'' if after(b" \t[{,:") => *quote = Some(c),
                    b'#' if after(b" \t") => break,
                    b'[' | b'{' => {
                        *flow += 1;
                        depth = depth.max(indents + *flow);
                    }
                    b']' | b'}' => *flow = flow.saturating_sub(1),
                    _ => {}
                }
            }
            Some(q) => {
                while i < n && bytes[i] != q && bytes[i] != b'\\' {
                    i += 1;
                }
                if i == n {
                    break;
                }
                if bytes[i] == b'\\' {
                    if q == b'"' {
                        i += 1; // an escaped character
                    }
                } else if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 1; // '' is an escaped quote
                } else {
                    *quote = None;
                }
            }
        }
        i += 1;
    }
    depth
}

/// Bytes the depth scan stops at outside quotes: quotes, comments, flow brackets.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let set = b"\"'#[]{}";
    let mut i = 0;
    while i < set.len() {
        table[set[i] as usize] = true;
        i += 1;
    }
    table
};

/// A user value as echoed in a message: at most [`MAX_ECHO_CHARS`] characters, then
/// `…(N more)` saying how many were left out.
pub fn echo(value: &str) -> String {
    let total = value.chars().count();
    if total <= MAX_ECHO_CHARS {
        return value.to_string();
    }
    let kept: String = value.chars().take(MAX_ECHO_CHARS).collect();
    format!("{kept}…({} more)", total - MAX_ECHO_CHARS)
}

/// A message of the form `<field> must <rule> for <context>, got <value>` with its value cut by
/// [`echo`] (and a field longer than [`MAX_ECHO_CHARS`], which can hold a user's key, too).
/// Diagnostics and violations display through this, so no rule has to cut its own values.
pub fn cut_message(message: &str) -> String {
    let (head, value) = match message.split_once(", got ") {
        Some((head, value)) => (head, Some(value)),
        None => (message, None),
    };
    let head = match head.split_once(" must ") {
        Some((field, rule)) => format!("{} must {rule}", echo(field)),
        None => head.to_string(),
    };
    match value {
        Some(value) => format!("{head}, got {}", echo(value)),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts where the estimate could go wrong, with the depth it gives: CR line ends,
    /// block sequences, brackets across lines and inside quotes (escaped, doubled, spanning
    /// lines, multi-byte), comments after a space or a tab, apostrophes in plain scalars,
    /// block scalars (with Unicode whitespace lines) and their indicator's quirks.
    const DEPTHS: &[(&str, usize)] = &[
        ("a: 1\r\nb:\r\n  c: [1]\r\n", 3),
        ("a: [1]\r", 2),
        ("a: [1]\rb: [[2]]\n", 3),
        ("a:\n  - - - x\n", 5),
        ("a:\n- x\n", 2),
        ("- - - - [x]\n", 5),
        ("a: [1,\n  [2,\n    {b: [3]}]]\nc: 1\n", 5),
        ("a: \"[[[\n  [[[\" \nb: [x]\n", 2),
        ("a: 'it''s [[[ ''['\nb: {c: d}\n", 2),
        ("a: \"esc \\\" [[ \\\\\" [x]\n", 2),
        ("a: \"\\é [\" [y]\n", 2),
        ("a: b # [[[\nc: d\t# [[[\ne: f#[[[\n", 4),
        ("#[[[[\n  # [[[\nx: 1\n", 1),
        ("a: don't [x]\nb: x'[y'\nc: x\"[y\"\n", 3),
        (
            "run: |\n  if [[ -f x ]]; then\n    {{{{\n\n  fi\nb: [1]\n",
            2,
        ),
        ("run: >-\n  [[[\n   \u{3000}\n  [[[\nb: 1\n", 1),
        ("run: |\n\u{a0}\n  [[[\nb: 1\n", 1),
        ("run: |2+\n  [[[[\nb: 1\n", 1),
        ("a: \"x | #\"\n  [[[[\n", 1),
        ("a: b\t# >\n  [[[[\nc: 1\n", 1),
        ("a: '|'\n  [[[[\n", 6),
        ("{\"a\": {\"b\": [1, {\"c\": \"[[[\"}]}}", 5),
        ("[[[[[[[[[[", 11),
        ("]]]]}}}} [[", 3),
    ];

    #[test]
    fn tricky_texts_give_their_estimate() {
        for (text, depth) in DEPTHS {
            assert_eq!(nesting_depth(text, 100), *depth, "{text:?}");
        }
    }

    #[test]
    fn depth_of_block_flow_and_mixed_yaml() {
        assert_eq!(nesting_depth("a: 1\n", 100), 1);
        assert_eq!(nesting_depth("a:\n  b:\n    c: 1\nd: 2\n", 100), 3);
        assert_eq!(nesting_depth("a: [[1, 2], {b: [3]}]\n", 100), 4);
        assert_eq!(nesting_depth("a:\n  - - - x\n", 100), 5);
        assert_eq!(nesting_depth("{\"a\": {\"b\": [1]}}", 100), 4);
    }

    #[test]
    fn quotes_comments_and_block_scalars_are_not_brackets() {
        assert_eq!(nesting_depth("a: \"[[[[\" # {{{{\nb: '[[''[['\n", 100), 1);
        assert_eq!(nesting_depth("a: don't [x]\n", 100), 2);
        let script = "UserData: |\n  if [[ -f x\n  {{{{\nb: 1\n";
        assert_eq!(nesting_depth(script, 100), 1);
    }

    #[test]
    fn the_scan_stops_past_the_limit() {
        let deep = "[".repeat(100_000);
        assert!(nesting_depth(&deep, 64) > 64);
        assert_eq!(
            check_limits(&deep, "config file", MAX_FILE_BYTES, MAX_FILE_DEPTH).unwrap_err(),
            "config file must nest at most 64 levels deep, got more than 64"
        );
    }

    #[test]
    fn size_is_checked_first() {
        let big = "a".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(
            check_limits(&big, "config file", MAX_FILE_BYTES, MAX_FILE_DEPTH).unwrap_err(),
            "config file must be at most 1048576 bytes, got 1048577 bytes"
        );
    }

    #[test]
    fn echo_cuts_long_values() {
        assert_eq!(echo("short"), "short");
        let long = "x".repeat(180);
        assert_eq!(echo(&long), format!("{}…(20 more)", "x".repeat(160)));
        let message = format!("tags.{long} must be short for a tag, got {long:?}");
        assert_eq!(
            cut_message(&message),
            format!(
                "tags.{}…(25 more) must be short for a tag, got \"{}…(22 more)",
                "x".repeat(155),
                "x".repeat(159)
            )
        );
        assert_eq!(
            cut_message("a must b for c, got 1"),
            "a must b for c, got 1"
        );
    }
}
