//! The real binary run offline (`mod offline;` in the tests that run it): a cleared
//! environment (no key, no base URL) whose proxy variables all point at a port nothing listens
//! on, so an answer proves nothing left the machine and nothing went through a proxy (loopback
//! goes direct). The demo runs instantly.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A proxy that refuses every connection (the discard port of 127.0.0.1).
pub const DEAD_PROXY: &str = "http://127.0.0.1:9";

/// `thinkbench ARGS` in `home` with a cleared environment (`vars` added).
pub fn tb(home: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thinkbench"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("THINKBENCH_HOME", home)
        .env("THINKBENCH_DEMO_PACE", "0")
        .env("HTTP_PROXY", DEAD_PROXY)
        .env("HTTPS_PROXY", DEAD_PROXY)
        .env("ALL_PROXY", DEAD_PROXY)
        .env("http_proxy", DEAD_PROXY)
        .envs(vars.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
