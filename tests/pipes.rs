//! A closed stdout or stderr never makes pcstack panic (exit 101): `pcstack list | head -0`,
//! `pcstack schema | true`, help text into a closed pipe. The pipe's reading end is closed
//! before pcstack starts, so every write it makes fails with EPIPE.
// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Clone, Copy)]
enum Closed {
    Stdout,
    Stderr,
}

/// Runs pcstack with one stream a pipe nobody reads; returns the exit code and the other
/// stream's text.
fn run_closed(args: &[&str], dir: &Path, closed: Closed) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pcstack"));
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1");
    match closed {
        Closed::Stdout => cmd.stdout(writer).stderr(Stdio::piped()),
        Closed::Stderr => cmd.stderr(writer).stdout(Stdio::piped()),
    };
    let out = cmd.output().unwrap();
    let other = match closed {
        Closed::Stdout => out.stderr,
        Closed::Stderr => out.stdout,
    };
    (
        out.status.code(),
        String::from_utf8_lossy(&other).into_owned(),
    )
}

#[test]
fn closed_pipes_end_quietly_with_the_command_s_own_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.yaml"), "lustre:\n  capacity: 3600\n").unwrap();
    let cases: &[(&[&str], Closed, i32)] = &[
        (&["list"], Closed::Stdout, 0),
        (&["schema"], Closed::Stdout, 0),
        (&["synth", "--out", "o"], Closed::Stdout, 0),
        (&["synth", "--out", "o"], Closed::Stderr, 0),
        (
            &["synth", "--format", "json", "--out", "o"],
            Closed::Stdout,
            0,
        ),
        (&["init", "--output", "p.yaml"], Closed::Stdout, 0),
        (&["--help"], Closed::Stdout, 0),
        (&["deploy", "--help"], Closed::Stdout, 0),
        (&["--version"], Closed::Stdout, 0),
        (&["synth", "--config", "bad.yaml"], Closed::Stderr, 2),
        (&["synth", "--colour"], Closed::Stderr, 2),
        (&["deploy", "--stack-name", "s"], Closed::Stderr, 2),
    ];
    let mut failures = Vec::new();
    for (args, closed, want) in cases {
        let (code, other) = run_closed(args, dir.path(), *closed);
        if code != Some(*want) || other.contains("panicked") {
            failures.push(format!("{args:?}: exit {code:?}, want {want}\n{other}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // init still wrote its file whole.
    assert!(std::fs::read_to_string(dir.path().join("p.yaml"))
        .unwrap()
        .contains("lustre"));
}
