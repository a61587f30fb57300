//! Shared by the moto tests: the moto server launcher (scripts/moto-server) and pcstack run
//! against it. Needs `.venv`: run scripts/python-tools once.
#![allow(dead_code)] // each test crate uses its own part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub port: u16,
}

/// Starts scripts/moto-server on a free port of 127.0.0.1 (port 0: the launcher binds one and
/// prints it); `Err` holds what it printed when it exits without a port.
fn launch(root: &Path, options: &[&str]) -> Result<(Child, u16), String> {
    let log = tempfile::NamedTempFile::new().expect("launcher log");
    let mut child = Command::new(root.join(".venv/bin/python"))
        .arg(root.join("scripts/moto-server"))
        .args(["--port", "0"])
        .args(options)
        .stdout(Stdio::piped())
        .stderr(log.reopen().expect("launcher log"))
        .spawn()
        .expect("start scripts/moto-server");
    let stdout = child.stdout.take().expect("launcher stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("launcher prints its port");
    let port = line.trim().rsplit(':').next().and_then(|p| p.parse().ok());
    match port {
        Some(port) => Ok((child, port)),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = std::fs::read_to_string(log.path()).unwrap_or_default();
            Err(format!(
                "unexpected launcher output {line:?}; stderr:\n{stderr}"
            ))
        }
    }
}

impl Moto {
    pub fn start() -> Moto {
        Moto::start_with(&[])
    }

    /// A server started with more launcher options (`--change-set-delay 3`, ...).
    pub fn start_with(options: &[&str]) -> Moto {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(
            root.join(".venv/bin/moto_server").exists(),
            "moto server not installed: run scripts/python-tools to create .venv (these tests never pass silently without it)"
        );
        // A launcher that exits before printing its port (seen once with two starting at the
        // same moment on a loaded machine) is started once more; its stderr is in the panic.
        let (child, port) = match launch(root, options) {
            Ok(started) => started,
            Err(first) => {
                eprintln!("scripts/moto-server failed to start once, starting again: {first}");
                launch(root, options).unwrap_or_else(|again| {
                    panic!("scripts/moto-server did not start, twice:\n{first}\n---\n{again}")
                })
            }
        };
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
        };
        for _ in 0..100 {
            if moto.get("/moto-api/").is_some() {
                return moto;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("moto server did not answer on port {port}");
    }

    /// `pcstack deploy` of the built-in stack with `config` as `stack`, progress as log lines,
    /// then `extra` flags.
    pub fn deploy_builtin(&self, config: &str, stack: &str, extra: &[&str]) -> Output {
        let base = [
            "deploy",
            "parallelcluster-prerequisites",
            "--config",
            config,
            "--stack-name",
            stack,
            "--progress",
            "log",
        ];
        self.pcstack(&[&base[..], extra].concat())
    }

    /// Plain HTTP GET on the moto server (no client dependency needed).
    pub fn get(&self, path: &str) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
        let mut body = String::new();
        s.read_to_string(&mut body).ok()?;
        body.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
    }

    /// One raw HTTP/1.0 request (`head`: the request line and headers, each ending in CRLF,
    /// without Content-Length); the answer's status and body.
    fn send(&self, head: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect to moto");
        write!(s, "{head}Content-Length: {}\r\n\r\n{body}", body.len()).expect("send");
        let mut answer = String::new();
        s.read_to_string(&mut answer).expect("read");
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {answer:?}"));
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// A raw S3 request as `account` (moto's `x-moto-account-id`), path-style: for setting up
    /// what another account (or someone else in ours) did. Returns the HTTP status.
    pub fn s3_as(&self, account: &str, method: &str, path: &str, body: &str) -> u16 {
        self.s3_answer_as(account, method, path, body).0
    }

    /// [`Moto::s3_as`] with the answer's body.
    pub fn s3_answer_as(
        &self,
        account: &str,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, String) {
        self.send(
            &format!(
                "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nx-moto-account-id: {account}\r\n\
                 Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0\r\n"
            ),
            body,
        )
    }

    /// A JSON-protocol request in us-east-1 (e.g. ECR's `AmazonEC2ContainerRegistry_V20150921.
    /// CreateRepository`, `service` `ecr`), for setting up what a test needs; status and body.
    pub fn json(&self, service: &str, target: &str, body: &str) -> (u16, String) {
        self.send(
            &format!(
                "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\n\
                 Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\n\
                 Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n"
            ),
            body,
        )
    }

    /// What every `action` request the server received carried, oldest first (recorded by
    /// scripts/moto-server): form parameters (query protocol: CloudFormation), the JSON body
    /// (JSON protocol: ECR), `{"Bucket"}` for `HeadBucket`.
    pub fn calls(&self, action: &str) -> Vec<serde_json::Map<String, serde_json::Value>> {
        let body = self
            .get(&format!("/_pcstack/calls/{action}"))
            .expect("recorded calls");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("calls JSON {body:?}: {e}"))
    }

    /// A query-protocol request to `service` in us-east-1 (e.g. SNS `Action=CreateTopic&Name=t`),
    /// for setting up what a test needs; returns the HTTP status.
    pub fn query(&self, service: &str, form: &str) -> u16 {
        self.query_answer(service, form).0
    }

    /// [`Moto::query`] with the answer's body.
    pub fn query_answer(&self, service: &str, form: &str) -> (u16, String) {
        self.send(
            &format!(
                "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\
                 Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n"
            ),
            form,
        )
    }

    /// When each `action` request arrived (server clock, seconds since the epoch), oldest first.
    pub fn times(&self, action: &str) -> Vec<f64> {
        let body = self
            .get(&format!("/_pcstack/times/{action}"))
            .expect("recorded times");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("times JSON {body:?}: {e}"))
    }

    /// With delays: when each change set became ready and each stack operation finished, and
    /// when an answer first showed it (`GET /_pcstack/ready`, scripts/moto-server's Delays).
    pub fn timeline(&self) -> serde_json::Value {
        let body = self.get("/_pcstack/ready").expect("timeline");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("timeline JSON {body:?}: {e}"))
    }

    /// How many requests signed for `service` (`cloudformation`, `ec2` ...) reached the server.
    pub fn requests_to(&self, service: &str) -> u64 {
        self.get(&format!("/_pcstack/requests/{service}"))
            .and_then(|b| b.trim().parse().ok())
            .expect("request count")
    }

    pub fn aws_requests(&self) -> u64 {
        self.get("/_pcstack/requests")
            .and_then(|b| b.trim().parse().ok())
            .expect("request count")
    }

    pub fn pcstack(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run pcstack")
    }

    /// pcstack against this server, not started: for a test that spawns it (to kill it, or
    /// to give it a terminal).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pcstack"));
        command
            .args(args)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("NO_COLOR", "1");
        command
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

pub fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}
