//! Logging in and AWS failures, end to end: each profile kind of `~/.aws/config` against moto's
//! STS (temporary config files, HOME pointed at a temporary directory), and the failures a user
//! meets (no credentials, unknown profile, expired SSO session, refused or stalled endpoint,
//! a mistyped region), each printed as one or two lines; and what a slow call is named after a
//! Ctrl-C abandoned another. No test reaches beyond 127.0.0.1.

// Tests: a failed unwrap is a failed test, with the value in its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{text, Moto};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A temporary HOME with its own `~/.aws/config` and `~/.aws/credentials`.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new(config: &str, credentials: &str) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".aws/sso/cache")).unwrap();
        std::fs::write(dir.path().join(".aws/config"), config).unwrap();
        std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
        Home { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// pcstack with only this HOME's files and the given environment: no inherited AWS_*
    /// variable, instance metadata off unless a test points it at its own listener.
    fn command(&self, endpoint: &str, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pcstack"));
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path())
            .env("AWS_CONFIG_FILE", self.path().join(".aws/config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.path().join(".aws/credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, endpoint: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.command(endpoint, args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// An AWS failure is one line, two at most, and never the SDK's debug structure. (A call that
/// takes more than 5 s is named meanwhile, `still waiting for ...`: not part of the failure.)
fn assert_short(o: &Output) {
    let err = stderr(o);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("still waiting for "))
        .collect();
    assert!(
        (1..=2).contains(&lines.len()),
        "one or two lines:\n{}",
        text(o)
    );
    for noise in [
        "DispatchFailure",
        "ConstructionFailure",
        "ConnectorError",
        "headers",
    ] {
        assert!(!err.contains(noise), "{noise} printed:\n{}", text(o));
    }
}

const KEYS: &str = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";

/// `--debug` prints the identity pcstack logged in as (GetCallerIdentity), from moto's STS.
fn identity(o: &Output) -> String {
    stderr(o)
        .lines()
        .find(|l| l.starts_with("debug: region"))
        .unwrap_or_else(|| panic!("no identity line:\n{}", text(o)))
        .to_string()
}

#[test]
fn assume_role_with_source_profile_uses_the_role() {
    let moto = Moto::start();
    let home = Home::new(
        "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\nregion = us-east-1\n\n[profile base]\nregion = us-east-1\n",
        &format!("[base]\n{KEYS}"),
    );
    let o = home.run(
        &moto.endpoint,
        &[
            "outputs",
            "--stack-name",
            "missing",
            "--profile",
            "deployer",
            "--debug",
        ],
        &[],
    );
    let who = identity(&o);
    assert!(who.contains("assumed-role/deployer/"), "{}", text(&o));
    assert!(who.contains("profile deployer (AssumeRole)"), "{who}");
    // Past the login: CloudFormation answered that the stack does not exist.
    assert!(stderr(&o).contains("missing"), "{}", text(&o));
}

#[test]
fn profile_wins_over_environment_keys() {
    let moto = Moto::start();
    let home = Home::new(
        "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n\n[profile base]\n",
        &format!("[base]\n{KEYS}"),
    );
    let o = home.run(
        &moto.endpoint,
        &[
            "outputs",
            "--stack-name",
            "missing",
            "--profile",
            "deployer",
            "--debug",
        ],
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "AKIAENVENVENVENVENV1"),
            ("AWS_SECRET_ACCESS_KEY", "x"),
        ],
    );
    assert!(
        identity(&o).contains("assumed-role/deployer/"),
        "{}",
        text(&o)
    );
}

#[test]
fn web_identity_profile_assumes_its_role() {
    let moto = Moto::start();
    let home = Home::new("", "");
    let token = home.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl").unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci-deploy\nweb_identity_token_file = {}\nregion = us-east-1\n",
            token.display()
        ),
    )
    .unwrap();
    let o = home.run(
        &moto.endpoint,
        &[
            "outputs",
            "--stack-name",
            "missing",
            "--profile",
            "ci",
            "--debug",
        ],
        &[],
    );
    let who = identity(&o);
    assert!(who.contains("assumed-role/ci-deploy/"), "{}", text(&o));
    assert!(who.contains("(WebIdentity)"), "{who}");

    // The CI form: environment variables only, no profile.
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "missing", "--debug"],
        &[
            ("AWS_CONFIG_FILE", "/dev/null"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/gha"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.to_str().unwrap()),
        ],
    );
    assert!(identity(&o).contains("assumed-role/gha/"), "{}", text(&o));
}

/// Profile `name` in `home`'s AWS config (Region us-east-1) whose `credential_process` is a
/// shell script with `body`.
fn credential_process_profile(home: &Home, name: &str, body: &str) {
    let script = home.path().join("creds.sh");
    std::fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
    make_executable(&script);
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile {name}]\ncredential_process = {}\nregion = us-east-1\n",
            script.display()
        ),
    )
    .unwrap();
}

#[test]
fn credential_process_profile_runs_the_process() {
    let moto = Moto::start();
    let home = Home::new("", "");
    let marker = home.path().join("ran");
    credential_process_profile(
        &home,
        "proc",
        &format!(
            "touch '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESSPROCESS01\", \"SecretAccessKey\": \"secret\"}}'",
            marker.display()
        ),
    );
    let o = home.run(
        &moto.endpoint,
        &[
            "outputs",
            "--stack-name",
            "missing",
            "--profile",
            "proc",
            "--debug",
        ],
        &[],
    );
    assert!(marker.exists(), "the process did not run:\n{}", text(&o));
    assert!(identity(&o).contains("(Process)"), "{}", text(&o));

    // A failing process: its message, and the profile named.
    credential_process_profile(&home, "proc", "echo 'token broker down' >&2\nexit 3");
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "missing", "--profile", "proc"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_short(&o);
    assert!(
        stderr(&o).contains("DescribeStacks missing failed"),
        "{}",
        text(&o)
    );
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The SHA-1 of a string as hex, the SSO cache file name (computed by `sha1sum`, no crate).
fn sha1_hex(s: &str) -> String {
    let mut child = Command::new("sha1sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn expired_sso_session_says_to_log_in() {
    let moto = Moto::start();
    // The sso_session form (what `aws configure sso` writes today) and the legacy form.
    let home = Home::new(
        "[profile ml]\nsso_session = team\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n\n[sso-session team]\nsso_start_url = https://team.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n",
        "",
    );
    let expired = |start_url: &str| {
        format!(
            "{{\"startUrl\": \"{start_url}\", \"region\": \"us-east-1\", \"accessToken\": \"old\", \"expiresAt\": \"2020-01-01T00:00:00Z\"}}"
        )
    };
    let cache = home.path().join(".aws/sso/cache");
    std::fs::write(
        cache.join(format!("{}.json", sha1_hex("team"))),
        expired("https://team.awsapps.com/start"),
    )
    .unwrap();
    std::fs::write(
        cache.join(format!(
            "{}.json",
            sha1_hex("https://legacy.awsapps.com/start")
        )),
        expired("https://legacy.awsapps.com/start"),
    )
    .unwrap();
    for profile in ["ml", "legacy"] {
        let o = home.run(
            &moto.endpoint,
            &["outputs", "--stack-name", "s", "--profile", profile],
            &[],
        );
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        assert_short(&o);
        assert!(
            stderr(&o).contains(&format!("run `aws sso login --profile {profile}`")),
            "{}",
            text(&o)
        );
        // From AWS_PROFILE the same.
        let o = home.run(
            &moto.endpoint,
            &["outputs", "--stack-name", "s"],
            &[("AWS_PROFILE", profile)],
        );
        assert!(
            stderr(&o).contains(&format!("aws sso login --profile {profile}")),
            "{}",
            text(&o)
        );
    }
    // The default profile, used when nothing else is named.
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        config.replace("[profile ml]", "[default]"),
    )
    .unwrap();
    let o = home.run(&moto.endpoint, &["outputs", "--stack-name", "s"], &[]);
    assert!(
        stderr(&o).contains("run `aws sso login --profile default`"),
        "{}",
        text(&o)
    );
    assert_eq!(moto.aws_requests(), 0, "nothing reached AWS");
    // Access keys in the environment come first in the chain: the SSO profile is not used.
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s"],
        &[("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")],
    );
    assert!(
        stderr(&o).contains("stack s does not exist"),
        "{}",
        text(&o)
    );
}

#[test]
fn mfa_profile_without_a_terminal_says_what_to_do() {
    let moto = Moto::start();
    let home = Home::new(
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\nregion = us-east-1\n",
        &format!("[base]\n{KEYS}"),
    );
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s", "--profile", "admin"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = stderr(&o);
    assert!(
        err.contains("reads the MFA code only from a terminal"),
        "{err}"
    );
    assert!(
        err.contains("--serial-number arn:aws:iam::123456789012:mfa/me"),
        "{err}"
    );
    assert_eq!(moto.aws_requests(), 0);
}

#[test]
fn mfa_profile_on_a_terminal_asks_and_assumes_the_role() {
    let moto = Moto::start();
    let home = Home::new(
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\nregion = us-east-1\n",
        &format!("[base]\n{KEYS}"),
    );
    // A pseudo-terminal from Python's pty module: answer the prompt, collect the output.
    let script = r#"
import os, pty, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
sent = False
deadline = time.time() + 60
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if b"(profile admin): " in out and not sent:
        os.write(fd, b"123456\n")
        sent = True
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
"#;
    let o = python(&home.command(&moto.endpoint, &[]), script)
        .args([
            env!("CARGO_BIN_EXE_pcstack"),
            "outputs",
            "--stack-name",
            "missing",
            "--profile",
            "admin",
            "--debug",
        ])
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        all.contains("MFA code for arn:aws:iam::123456789012:mfa/me (profile admin)"),
        "{all}"
    );
    assert!(all.contains("assumed-role/admin/"), "{all}");
}

/// Python's `-c script` with the environment `like` would run pcstack with.
fn python(like: &Command, script: &str) -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut c = Command::new(root.join(".venv/bin/python"));
    c.arg("-c").arg(script).env_clear().stdin(Stdio::null());
    for (k, v) in like.get_envs() {
        if let Some(v) = v {
            c.env(k, v);
        }
    }
    c
}

#[test]
fn unknown_profile_is_named_before_any_call() {
    let moto = Moto::start();
    let home = Home::new(
        "[profile dev]\nregion = us-east-1\n",
        &format!("[prod]\n{KEYS}"),
    );
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s", "--profile", "dvelopment"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        stderr(&o).trim(),
        "error: --profile: profile \"dvelopment\" is not in ~/.aws/config or ~/.aws/credentials (or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE; profiles there: dev, prod): check the name, or create it with `aws configure sso --profile dvelopment` or `aws configure --profile dvelopment`"
    );
    // A near miss of a profile that exists is named.
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s", "--profile", "prd"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains(
            "profiles there: dev, prod): check the name (did you mean prod?), or create it"
        ),
        "{}",
        text(&o)
    );
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s"],
        &[("AWS_PROFILE", "nope"), ("AWS_REGION", "us-east-1")],
    );
    assert!(
        stderr(&o).contains("AWS_PROFILE: profile \"nope\""),
        "{}",
        text(&o)
    );
    assert_eq!(moto.aws_requests(), 0);
}

#[test]
fn no_credentials_is_one_short_error() {
    let moto = Moto::start();
    let home = Home::new("", "");
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s"],
        &[("AWS_REGION", "us-east-1")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_short(&o);
    let err = stderr(&o);
    assert!(
        err.starts_with("error: DescribeStacks s failed: no credentials"),
        "{err}"
    );
    assert!(err.contains("aws sso login --profile NAME"), "{err}");
    // --debug adds the SDK's whole error.
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s", "--debug"],
        &[("AWS_REGION", "us-east-1")],
    );
    let err = stderr(&o);
    assert!(err.contains("debug: the SDK's error:"), "{err}");
    assert!(err.contains("CredentialsNotLoaded"), "{err}");
}

/// The container provider (ECS, EKS Pod Identity) and the instance provider (IMDSv2), each
/// served by a 127.0.0.1 listener that answers like the real one.
#[test]
fn container_and_instance_credentials() {
    let moto = Moto::start();
    let home = Home::new("", "");
    let creds = r#"{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "AKIACONTAINERCREDS01", "SecretAccessKey": "s", "Token": "t", "Expiration": "2099-01-01T00:00:00Z"}"#;
    let (port, seen) = serve(creds);
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "missing", "--debug"],
        &[
            ("AWS_REGION", "us-east-1"),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                &format!("http://127.0.0.1:{port}/creds"),
            ),
        ],
    );
    identity(&o);
    assert!(
        seen.lock().unwrap().iter().any(|p| p == "GET /creds"),
        "{:?}\n{}",
        seen.lock().unwrap(),
        text(&o)
    );

    let (port, seen) = serve(creds);
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "missing", "--debug"],
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_EC2_METADATA_DISABLED", "false"),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                &format!("http://127.0.0.1:{port}"),
            ),
        ],
    );
    identity(&o);
    let seen = seen.lock().unwrap();
    assert!(
        seen.iter().any(|p| p == "PUT /latest/api/token")
            && seen
                .iter()
                .any(|p| p == "GET /latest/meta-data/iam/security-credentials/pcstack-role"),
        "{seen:?}\n{}",
        text(&o)
    );
}

type Seen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A tiny HTTP server on 127.0.0.1: the IMDS token and role name, and `creds` for anything
/// else. Returns its port and the request lines it saw.
fn serve(creds: &'static str) -> (u16, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Default::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { break };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_string();
            let line = req.lines().next().unwrap_or("").to_string();
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let method = line.split_whitespace().next().unwrap_or("").to_string();
            log.lock().unwrap().push(format!("{method} {path}"));
            let body = match path.as_str() {
                "/latest/api/token" => "imds-token",
                "/latest/meta-data/iam/security-credentials/"
                | "/latest/meta-data/iam/security-credentials" => "pcstack-role",
                _ => creds,
            };
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (port, seen)
}

#[test]
fn refused_endpoint_is_one_short_error() {
    // A port nothing listens on: bind, note it, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = Home::new("", "");
    let o = home.run(
        &format!("http://127.0.0.1:{port}"),
        &["outputs", "--stack-name", "s"],
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_short(&o);
    let err = stderr(&o);
    assert!(err.contains("DescribeStacks s failed:"), "{err}");
    assert!(err.contains("Connection refused"), "{err}");
    assert!(err.contains("the endpoint refused the connection"), "{err}");
}

#[test]
fn unresolvable_host_says_check_the_region() {
    let home = Home::new("", "");
    let started = Instant::now();
    // `.invalid` never resolves (RFC 6761).
    let o = home.run(
        "http://cloudformation.us-east-1.pcstack.invalid",
        &["outputs", "--stack-name", "s", "--connect-timeout", "3s"],
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_short(&o);
    let err = stderr(&o);
    assert!(
        err.contains("host name does not resolve") || err.contains("did not answer in time"),
        "{err}"
    );
}

/// Accepts connections and never answers; returns its endpoint.
fn stalling_listener() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for s in listener.incoming() {
            // Keep each connection open, read nothing, answer nothing.
            open.push(s);
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn a_server_that_never_answers_times_out() {
    let endpoint = stalling_listener();
    let home = Home::new("", "");
    let keys = [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "a"),
        ("AWS_SECRET_ACCESS_KEY", "b"),
    ];
    // The read timeout alone ends it (three attempts of 1 s, plus backoff).
    let started = Instant::now();
    let o = wait_bounded(
        home.command(
            &endpoint,
            &["outputs", "--stack-name", "s", "--read-timeout", "1s"],
        ),
        &keys,
        Duration::from_secs(60),
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_short(&o);
    assert!(
        stderr(&o).contains("did not answer in time"),
        "{}",
        text(&o)
    );

    // --timeout bounds the whole command, even with long HTTP timeouts: exit 4.
    let started = Instant::now();
    let o = wait_bounded(
        home.command(
            &endpoint,
            &[
                "deploy",
                "--template",
                &common::fixture("network.yaml"),
                "--stack-name",
                "s",
                "--timeout",
                "2s",
                "--read-timeout",
                "10m",
            ],
        ),
        &keys,
        Duration::from_secs(60),
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        stderr(&o).contains("timed out after 2s (--timeout)")
            && stderr(&o).contains("if a stack operation started, it goes on in CloudFormation"),
        "{}",
        text(&o)
    );

    // A command that changes nothing says so, not that a stack operation may go on; after 5 s
    // the EC2 call it waits for is named as the CloudFormation ones are.
    let o = wait_bounded(
        home.command(
            &endpoint,
            &["zones", "--instance-type", "g5.8xlarge", "--timeout", "6s"],
        ),
        &keys,
        Duration::from_secs(60),
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        stderr(&o).contains("timed out after 6s (--timeout) waiting for AWS; zones changes nothing: run it again, with a longer --timeout if AWS is slow")
            && !stderr(&o).contains("stack operation")
            && stderr(&o).contains("still waiting for AWS's answer to EC2 DescribeAvailabilityZones"),
        "{}",
        text(&o)
    );
}

/// Runs `c`, killing it after `limit` so a hang fails the test instead of stalling it.
fn wait_bounded(mut c: Command, env: &[(&str, &str)], limit: Duration) -> Output {
    for (k, v) in env {
        c.env(k, v);
    }
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let o = child.wait_with_output().unwrap();
            panic!("pcstack hung for {limit:?}:\n{}", text(&o));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn mistyped_region_fails_before_any_call() {
    let moto = Moto::start();
    let home = Home::new(
        "[profile typo]\nregion = eu-wset-1\n",
        &format!("[typo]\n{KEYS}"),
    );
    let keys = [("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")];
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s", "--region", "us-esat-1"],
        &keys,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        stderr(&o).trim(),
        "error: --region: region must be an AWS Region code (did you mean us-east-1?) for AWS, got \"us-esat-1\""
    );
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s"],
        &[keys[0], keys[1], ("AWS_REGION", "us-eest-1")],
    );
    assert!(
        stderr(&o).starts_with("error: AWS_REGION: region must be"),
        "{}",
        text(&o)
    );
    // The profile's region is checked the same way.
    let o = home.run(
        &moto.endpoint,
        &["outputs", "--stack-name", "s", "--profile", "typo"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("the region of profile typo: region must be an AWS Region code (did you mean eu-west-1?)"),
        "{}",
        text(&o)
    );
    assert_eq!(moto.aws_requests(), 0);
}

#[test]
fn config_region_is_the_default_and_a_conflict_is_an_error() {
    let moto = Moto::start();
    let home = Home::new("", "");
    let config = home.path().join("pcstack.yaml");
    std::fs::write(
        &config,
        "region: eu-west-1\nnetwork:\n  availability_zone: eu-west-1a\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let keys = [("AWS_ACCESS_KEY_ID", "a"), ("AWS_SECRET_ACCESS_KEY", "b")];
    let diff = |extra: &[&str], env: &[(&str, &str)]| {
        let mut args = vec!["diff", "--stack-name", "s", "--config", config];
        args.extend_from_slice(extra);
        let mut all = keys.to_vec();
        all.extend_from_slice(env);
        home.run(&moto.endpoint, &args, &all)
    };
    // No region anywhere else: the config's is used (the stack is looked up in eu-west-1).
    let o = diff(&[], &[]);
    assert!(
        stderr(&o).contains("stack s does not exist in eu-west-1"),
        "{}",
        text(&o)
    );
    // The same region again is fine.
    let o = diff(&["--region", "eu-west-1"], &[]);
    assert!(
        stderr(&o).contains("does not exist in eu-west-1"),
        "{}",
        text(&o)
    );
    let before = moto.aws_requests();
    let o = diff(&["--region", "us-east-1"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(
        stderr(&o).trim(),
        format!("error: --region us-east-1 conflicts with `region: eu-west-1` in {config}: the stack and its availability zone are in eu-west-1; use the same region in both, or remove one")
    );
    let o = diff(&[], &[("AWS_REGION", "us-west-2")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("AWS_REGION us-west-2 conflicts with `region: eu-west-1`"),
        "{}",
        text(&o)
    );
    assert_eq!(moto.aws_requests(), before, "no call on a conflict");

    // synth checks the config's region against the same list; nothing is written.
    let typo = home.path().join("typo.yaml");
    std::fs::write(&typo, "region: us-esat-1\n").unwrap();
    let out = home.path().join("out");
    let o = home.run(
        &moto.endpoint,
        &[
            "synth",
            "--config",
            typo.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("region must be an AWS Region code (did you mean us-east-1?) for AWS, got \"us-esat-1\""),
        "{}",
        text(&o)
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn bad_endpoint_and_retry_settings_are_named_not_panics() {
    let moto = Moto::start();
    let home = Home::new("[default]\nregion = us-east-1\nmax_attempts = 0\n", "");
    let base = ["outputs", "--stack-name", "s"];
    let keys = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ];
    let ok_profile = Home::new("[default]\nregion = us-east-1\n", "");
    type Case<'a> = (&'a Home, Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case> = vec![
        (
            &ok_profile,
            vec!["--endpoint-url", ""],
            vec![],
            "--endpoint-url must be an http:// or https:// URL",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_ENDPOINT_URL", "")],
            "AWS_ENDPOINT_URL must be an http:// or https:// URL",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_ENDPOINT_URL_CLOUDFORMATION", "")],
            "AWS_ENDPOINT_URL_CLOUDFORMATION must be an http:// or https:// URL",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_MAX_ATTEMPTS", "0")],
            "AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, got \"0\"",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_MAX_ATTEMPTS", "-1")],
            "AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, got \"-1\"",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_MAX_ATTEMPTS", "abc")],
            "AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, got \"abc\"",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_MAX_ATTEMPTS", "99999999999999999999")],
            "AWS_MAX_ATTEMPTS must be a whole number from 1 to 20",
        ),
        (
            &ok_profile,
            vec![],
            vec![("AWS_RETRY_MODE", "garbage")],
            "AWS_RETRY_MODE must be standard or adaptive, got \"garbage\"",
        ),
        (
            &home,
            vec![],
            vec![],
            "max_attempts of profile default must be a whole number from 1 to 20, got \"0\"",
        ),
    ];
    for (home, flags, env, want) in cases {
        let args = [&base[..], &flags[..]].concat();
        let env = [&keys[..], &env[..]].concat();
        let o = home.run(&moto.endpoint, &args, &env);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{}", text(&o));
        assert!(err.starts_with(&format!("error: {want}")), "{}", text(&o));
    }
    assert_eq!(moto.aws_requests(), 0);
}

#[test]
fn an_unreachable_sso_endpoint_is_not_an_expired_session() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = Home::new(
        "[profile ml]\nsso_session = team\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n\n[sso-session team]\nsso_start_url = https://team.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
        "",
    );
    // A session that is valid for a long while yet.
    std::fs::write(
        home.path().join(format!(".aws/sso/cache/{}.json", sha1_hex("team"))),
        "{\"startUrl\": \"https://team.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"valid\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}",
    )
    .unwrap();
    let o = home.run(
        &format!("http://127.0.0.1:{port}"),
        &["outputs", "--stack-name", "s", "--profile", "ml"],
        &[],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_short(&o);
    assert!(!stderr(&o).contains("sso login"), "{}", text(&o));
}

#[test]
fn an_empty_aws_region_is_named() {
    let home = Home::new("[default]\nregion = us-east-1\n", "");
    let o = home.run(
        "http://127.0.0.1:9",
        &["outputs", "--stack-name", "s"],
        &[
            ("AWS_REGION", ""),
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).starts_with("error: AWS_REGION: "),
        "{}",
        text(&o)
    );
    assert!(!stderr(&o).contains("default profile"), "{}", text(&o));
}

/// A FIFO (blocks a reader forever), an endless device and a random one: each file pcstack
/// reads, and each file aws-config reads, is refused as not a regular file, at once.
#[test]
fn hostile_files_are_refused_not_read() {
    let home = Home::new("[default]\nregion = us-east-1\n", "");
    let fifo = home.path().join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let fifo = fifo.display().to_string();
    let template = home.path().join("t.yaml");
    std::fs::write(
        &template,
        "Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.0.0.0/16}\n",
    )
    .unwrap();
    let template = template.display().to_string();
    let keys = [
        ("AWS_ACCESS_KEY_ID", "a"),
        ("AWS_SECRET_ACCESS_KEY", "b"),
        ("AWS_REGION", "us-east-1"),
    ];
    let limit = Duration::from_secs(20);
    let deploy = ["deploy", "--stack-name", "s"];
    for (args, what) in [
        (
            vec!["--template", fifo.as_str()],
            "template must be a regular file, got a FIFO",
        ),
        (
            vec!["parallelcluster-prerequisites", "--config", fifo.as_str()],
            // The config's one message, whichever command reads it.
            "config file must be a regular file, got a FIFO",
        ),
        (
            vec!["--template", &template, "--parameters-file", &fifo],
            "parameters file must be a regular file, got a FIFO",
        ),
        (
            vec!["--template", &template, "--stack-policy", &fifo],
            "stack policy must be a regular file, got a FIFO",
        ),
        (
            vec!["--template", "/dev/zero"],
            "template must be a regular file, got a device",
        ),
    ] {
        let c = home.command("http://127.0.0.1:9", &[&deploy[..], &args[..]].concat());
        let o = wait_bounded(c, &keys, limit);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(stderr(&o).contains(what), "{}", text(&o));
    }
    for (variable, file) in [
        ("AWS_CONFIG_FILE", "/dev/zero"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/urandom"),
        ("AWS_CONFIG_FILE", fifo.as_str()),
    ] {
        let c = home.command("http://127.0.0.1:9", &["outputs", "--stack-name", "s"]);
        let o = wait_bounded(c, &[&keys[..], &[(variable, file)]].concat(), limit);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            stderr(&o).starts_with(&format!(
                "error: {variable}: {file} must be a regular file, got not a regular file but a"
            )),
            "{}",
            text(&o)
        );
    }
    // Too large: a config file of 2 MiB.
    let big = home.path().join("big");
    std::fs::write(
        &big,
        format!("[default]\nregion = us-east-1\n#{}\n", "x".repeat(2 << 20)),
    )
    .unwrap();
    let c = home.command("http://127.0.0.1:9", &["outputs", "--stack-name", "s"]);
    let o = wait_bounded(
        c,
        &[&keys[..], &[("AWS_CONFIG_FILE", big.to_str().unwrap())]].concat(),
        limit,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        stderr(&o).contains("must be at most 1048576 bytes"),
        "{}",
        text(&o)
    );
}

/// Whether process `pid` still runs (a zombie waiting for its reaper counts as ended).
fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// Every AWS command is bounded (here `--timeout 8s`, the default being 10m for `outputs`),
/// names what it waits for after a few seconds, and ends the credential process it started.
#[test]
fn long_waits_are_named_bounded_and_end_the_credential_process() {
    let home = Home::new("", "");
    let pid_file = home.path().join("pid");
    credential_process_profile(
        &home,
        "hang",
        &format!("echo $$ > '{}'\nexec sleep 1000", pid_file.display()),
    );
    let started = Instant::now();
    let o = wait_bounded(
        home.command(
            "http://127.0.0.1:9",
            &[
                "outputs",
                "--stack-name",
                "s",
                "--profile",
                "hang",
                "--timeout",
                "8s",
            ],
        ),
        &[],
        Duration::from_secs(40),
    );
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        stderr(&o).contains("still waiting for credentials (the profile's login: a credential process, SSO or STS) to"),
        "{}",
        text(&o)
    );
    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_string();
    let gone = Instant::now();
    while running(&pid) && gone.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !running(&pid),
        "the credential process {pid} outlived pcstack"
    );

    // A server that never answers, with long HTTP timeouts: named, then bounded.
    let endpoint = stalling_listener();
    let o = wait_bounded(
        home.command(
            &endpoint,
            &[
                "outputs",
                "--stack-name",
                "s",
                "--timeout",
                "8s",
                "--read-timeout",
                "10m",
            ],
        ),
        &[
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "a"),
            ("AWS_SECRET_ACCESS_KEY", "b"),
        ],
        Duration::from_secs(40),
    );
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        stderr(&o).contains("still waiting for AWS's answer to"),
        "{}",
        text(&o)
    );
    assert!(stderr(&o).contains("DescribeStacks"), "{}", text(&o));
}

/// `--endpoint-url` alone (no AWS_ENDPOINT_URL) reaches the login's calls too: AssumeRole and
/// AssumeRoleWithWebIdentity go to the stand-in, never to AWS's STS.
#[test]
fn endpoint_url_reaches_the_credential_calls() {
    let moto = Moto::start();
    let token = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(token.path(), "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl").unwrap();
    let home = Home::new(
        &format!(
            "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\nregion = us-east-1\n\n[profile base]\nregion = us-east-1\n\n[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci-deploy\nweb_identity_token_file = {}\nregion = us-east-1\n",
            token.path().display()
        ),
        &format!("[base]\n{KEYS}"),
    );
    for (profile, role) in [
        ("deployer", "assumed-role/deployer/"),
        ("ci", "assumed-role/ci-deploy/"),
    ] {
        let mut c = home.command(
            &moto.endpoint,
            &[
                "outputs",
                "--stack-name",
                "missing",
                "--profile",
                profile,
                "--endpoint-url",
                &moto.endpoint,
                "--debug",
            ],
        );
        c.env_remove("AWS_ENDPOINT_URL");
        let o = c.output().unwrap();
        assert!(identity(&o).contains(role), "{}", text(&o));
    }
    assert!(!moto.calls("AssumeRole").is_empty());
    assert!(!moto.calls("AssumeRoleWithWebIdentity").is_empty());
}

/// A stand-in for CloudFormation (and STS's GetCallerIdentity), on its own thread: no stack
/// yet, CreateChangeSet answered,
/// DescribeChangeSet never answered (the `Action`s it was sent go to `seen` as they come), and
/// DeleteChangeSet answered after `delete_after`. Returns its endpoint.
fn stalled_change_set(seen: std::sync::mpsc::Sender<String>, delete_after: Duration) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = seen.clone();
            std::thread::spawn(move || answer_cloudformation(stream, &seen, delete_after));
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// One connection's requests (HTTP/1.1, kept alive) to [`stalled_change_set`].
fn answer_cloudformation(
    mut stream: std::net::TcpStream,
    seen: &std::sync::mpsc::Sender<String>,
    delete_after: Duration,
) {
    let xml = r#"xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/""#;
    let meta = "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>";
    let stack = "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1";
    let mut read = std::io::BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut head = String::new();
        let mut line = String::new();
        while std::io::BufRead::read_line(&mut read, &mut line).unwrap_or(0) > 2 {
            head.push_str(&line);
            line.clear();
        }
        if head.is_empty() {
            return;
        }
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        read.read_exact(&mut body).unwrap();
        let body = String::from_utf8_lossy(&body).to_string();
        let action = body
            .split('&')
            .find_map(|p| p.strip_prefix("Action="))
            .unwrap_or("?")
            .to_string();
        let _ = seen.send(action.clone());
        let (status, answer) = match action.as_str() {
            "DescribeStacks" => (400, "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id s does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>".to_string()),
            "GetCallerIdentity" => (200, "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>U</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>".to_string()),
            "CreateChangeSet" => (200, format!("<CreateChangeSetResponse {xml}><CreateChangeSetResult><Id>arn:aws:cloudformation:us-east-1:123456789012:changeSet/c/1</Id><StackId>{stack}</StackId></CreateChangeSetResult>{meta}</CreateChangeSetResponse>")),
            "DescribeChangeSet" => {
                // Keep the connection, answer nothing.
                std::thread::sleep(Duration::from_secs(600));
                return;
            }
            "DeleteChangeSet" => {
                std::thread::sleep(delete_after);
                (200, format!("<DeleteChangeSetResponse {xml}><DeleteChangeSetResult/>{meta}</DeleteChangeSetResponse>"))
            }
            "DeleteStack" => (200, format!("<DeleteStackResponse {xml}>{meta}</DeleteStackResponse>")),
            _ => (400, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>not in this stand-in</Message></Error><RequestId>r</RequestId></ErrorResponse>".to_string()),
        };
        let reason = if status == 200 { "OK" } else { "Bad Request" };
        let reply = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if stream.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// Ctrl-C while CloudFormation computes the change set: pcstack abandons the DescribeChangeSet
/// it was waiting on and deletes the change set and the stack under review. A slow deletion is
/// named as what pcstack waits for, never the abandoned call; exit 130.
#[test]
fn ctrl_c_while_a_change_set_is_computed_names_the_deletion() {
    let (seen, calls) = std::sync::mpsc::channel();
    let endpoint = stalled_change_set(seen, Duration::from_secs(12));
    let home = Home::new("", "");
    let mut c = home.command(
        &endpoint,
        &[
            "deploy",
            "--template",
            &common::fixture("network.yaml"),
            "--stack-name",
            "s",
        ],
    );
    c.envs([
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "a"),
        ("AWS_SECRET_ACCESS_KEY", "b"),
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut actions = Vec::new();
    while actions.last().map(String::as_str) != Some("DescribeChangeSet") {
        match calls.recv_timeout(Duration::from_secs(30)) {
            Ok(action) => actions.push(action),
            Err(e) => {
                let _ = child.kill();
                let o = child.wait_with_output().unwrap();
                panic!("{e} after {actions:?}:\n{}", text(&o));
            }
        }
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let o = child.wait_with_output().unwrap();
    actions.extend(calls.try_iter());
    assert_eq!(o.status.code(), Some(130), "{actions:?}\n{}", text(&o));
    let after = actions
        .iter()
        .position(|a| a == "DescribeChangeSet")
        .unwrap();
    assert_eq!(
        actions[after..],
        ["DescribeChangeSet", "DeleteChangeSet", "DeleteStack"],
        "{actions:?}\n{}",
        text(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("still waiting for AWS's answer to CloudFormation DeleteChangeSet (")
            && !err.contains("DescribeChangeSet"),
        "{}",
        text(&o)
    );
}
