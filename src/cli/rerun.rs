//! The command the user ran, for every hint that says "re-run `...`": each argument
//! shell-quoted, so pasting the hint runs the same command with the same flags (config,
//! endpoint, profile, region), not the defaults.

/// Single-quotes a word for sh unless it is made only of safe characters.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:,@%+=".contains(c));
    if safe {
        s.to_string()
    } else if s.chars().any(char::is_control) {
        // Single quotes would keep the bytes, but print them raw where the line is shown;
        // ANSI-C quoting (bash, zsh, ksh, POSIX.1-2024 sh) reads back the same bytes.
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => {
                    let mut bytes = [0; 4];
                    for b in c.encode_utf8(&mut bytes).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// This process's command line as `pcstack ARG...`, quoted, without the flags in `drop`
/// (one-shot flags such as `--recreate`, which a hint adds back only where it means to).
pub fn command_line(drop: &[&str]) -> String {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    quoted("pcstack", &args, drop)
}

fn quoted(program: &str, args: &[String], drop: &[&str]) -> String {
    std::iter::once(program.to_string())
        .chain(
            args.iter()
                .filter(|a| !drop.contains(&a.as_str()))
                .map(|a| shell_quote(a)),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_is_quoted_word_by_word_without_dropped_flags() {
        let args: Vec<String> = [
            "deploy",
            "--config",
            "my lab.yaml",
            "--endpoint-url",
            "http://127.0.0.1:5000",
            "--parameter",
            "VPCName=it's",
            "--recreate",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            quoted("pcstack", &args, &["--recreate"]),
            r"pcstack deploy --config 'my lab.yaml' --endpoint-url http://127.0.0.1:5000 --parameter 'VPCName=it'\''s'"
        );
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$(rm -rf ~)"), "'$(rm -rf ~)'");
    }
}
