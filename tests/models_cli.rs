//! `thinkbench models` and `models sync` through the real binary: the listing with its
//! figures and their origins, a sync from the stored models.dev sample (a file, and a server
//! on 127.0.0.1), what it reports, and that a failed or partial download changes nothing.
//! Offline: every proxy variable points at a dead port, and loopback goes direct.

mod offline;

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

const SAMPLE: &str = "tests/fixtures/models.dev/api.json";

/// `thinkbench ARGS` in `home`, offline.
fn tb(home: &Path, args: &[&str]) -> Output {
    offline::tb(home, args, &[])
}

fn out(o: &Output) -> String {
    offline::stdout(o)
}

fn err(o: &Output) -> String {
    offline::stderr(o)
}

fn json(home: &Path, args: &[&str]) -> Value {
    let o = tb(home, args);
    assert!(o.status.success(), "{args:?}: {}", err(&o));
    serde_json::from_str(&out(&o)).unwrap()
}

fn model<'a>(v: &'a Value, provider: &str, id: &str) -> &'a Value {
    v["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["provider"] == provider && m["id"] == id)
        .unwrap_or_else(|| panic!("{provider}/{id} not listed"))
}

/// Serve `reply` (raw HTTP bytes) to each of `n` connections on 127.0.0.1.
fn serve(reply: Vec<u8>, n: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(&reply);
        }
    });
    format!("http://{addr}/api.json")
}

fn http(status: &str, body: &[u8], length: usize) -> Vec<u8> {
    let mut reply = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    reply.extend_from_slice(body);
    reply
}

#[test]
fn the_listing_shows_every_figure_and_where_it_came_from() {
    let home = tempfile::tempdir().unwrap();
    let o = tb(home.path(), &["models"]);
    assert!(o.status.success(), "{}", err(&o));
    let text = out(&o);
    let line = |id: &str| {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(id))
            .unwrap_or_else(|| panic!("{id}: {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("o3-mini"),
        [
            "openai",
            "o3-mini",
            "200k",
            "100k",
            "$1.10",
            "$0.55",
            "-",
            "$4.40",
            "low·medium*·high",
            "no",
            "yes",
            "built-in"
        ]
    );
    assert_eq!(line("o1-pro")[10], "no", "o1-pro does not stream");
    assert!(
        text.contains("prompts over 200k: input $6.00, cached $0.60, write $7.50, output $22.50")
    );
    assert!(
        text.contains("prices as of 2026-07-01 (built-in table)"),
        "{text}"
    );
    assert!(
        text.contains("No catalog entries of their own: openrouter"),
        "{text}"
    );

    let v = json(home.path(), &["models", "--json"]);
    assert_eq!(v["prices_as_of"], "2026-07-01");
    assert_eq!(v["synced"], Value::Null);
    let m = model(&v, "openai", "o3-mini");
    assert_eq!(m["price"]["input"], 1.1);
    assert_eq!(m["price"]["cache_write"], Value::Null);
    assert_eq!(m["efforts"], serde_json::json!(["low", "medium", "high"]));
    assert_eq!(m["default_effort"], "medium");
    assert_eq!(
        (m["vision"].clone(), m["streaming"].clone()),
        (false.into(), true.into())
    );
    assert_eq!(m["origins"]["price"], "built-in");
    let sonnet = model(&v, "anthropic", "claude-sonnet-4-5");
    assert_eq!(sonnet["price"]["tier"]["above_input"], 200000);

    // One provider; an unknown one is a usage error that names those there are.
    let only = json(home.path(), &["models", "--json", "--provider", "deepseek"]);
    assert!(
        only["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["provider"] == "deepseek")
    );
    let o = tb(home.path(), &["models", "--provider", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("no provider `nope` (there are: openai,"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_config_entry_is_marked_as_config_and_a_local_one_is_free() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        r#"
[[models]]
id = "o3"
provider = "openai"
price = { input = 1.0, output = 4.0 }

[[models]]
id = "qwq"
provider = "ollama"
efforts = ["low", "high"]
"#,
    )
    .unwrap();
    let v = json(home.path(), &["models", "--json"]);
    let o3 = model(&v, "openai", "o3");
    assert_eq!(o3["price"]["input"], 1.0);
    assert_eq!(o3["origins"]["price"], "config");
    assert_eq!(o3["origins"]["limits"], "built-in");
    let qwq = model(&v, "ollama", "qwq");
    assert_eq!(
        (qwq["local"].clone(), qwq["price"]["input"].clone()),
        (true.into(), 0.0.into())
    );
    let text = out(&tb(home.path(), &["models", "--provider", "openai"]));
    assert!(
        text.contains("price config, limits built-in, capabilities built-in"),
        "{text}"
    );
}

#[test]
fn sync_from_the_sample_writes_the_overlay_and_says_what_changed() {
    let home = tempfile::tempdir().unwrap();
    let overlay = home.path().join("models.synced.toml");
    // A dry run says the same and writes nothing.
    let dry = tb(
        home.path(),
        &["models", "sync", "--from", SAMPLE, "--dry-run"],
    );
    assert!(dry.status.success(), "{}", err(&dry));
    assert!(out(&dry).contains("nothing written (--dry-run)"));
    assert!(!overlay.exists());

    let o = tb(home.path(), &["models", "sync", "--from", SAMPLE]);
    assert!(o.status.success(), "{}", err(&o));
    let report = out(&o);
    for want in [
        "tests/fixtures/models.dev/api.json\n",
        "new (2):",
        "openai/o3-pro  $20.00 in / $80.00 out, context 200k",
        "anthropic/claude-3-5-haiku-20241022",
        "price changed (1):",
        "openai/o3  input $2.00 → $1.50, cached $0.50 → $0.375, output $8.00 → $6.00",
        "limits changed (1):",
        "anthropic/claude-opus-4-1  max output 32k → 64k",
        "skipped, figures that make no sense (2):",
        "openai/gpt-4.1-nano: price `input` = -0.1 is not a plausible price",
        "left out: 1 deprecated model the",
        "unchanged: 4\n",
        "wrote ",
    ] {
        assert!(report.contains(want), "{want:?} in:\n{report}");
    }
    assert_eq!(out(&dry).lines().count(), report.lines().count());
    assert!(overlay.exists());

    let v = json(home.path(), &["models", "--json"]);
    let o3 = model(&v, "openai", "o3");
    assert_eq!(o3["price"]["input"], 1.5);
    assert_eq!(o3["origins"]["price"], "synced");
    // Its rules and efforts stay the built-in table's; its vision is the synced figure.
    assert_eq!(o3["origins"]["capabilities"], "synced");
    assert_eq!(o3["api"], "responses");
    assert_eq!(o3["efforts"], serde_json::json!(["low", "medium", "high"]));
    assert_eq!(model(&v, "openai", "o3-pro")["reasoning"], true);
    let source = v["synced"]["source"].as_str().unwrap();
    assert!(
        Path::new(source).is_absolute() && source.ends_with("tests/fixtures/models.dev/api.json"),
        "{source}"
    );
    assert_eq!(v["prices_as_of"], v["synced"]["at"]);
    // Unchanged figures stay where they were; a second sync finds nothing new.
    assert_eq!(model(&v, "openai", "o3-mini")["price"]["input"], 1.1);
    let again = out(&tb(home.path(), &["models", "sync", "--from", SAMPLE]));
    assert!(
        !again.contains("new (") && !again.contains("price changed"),
        "{again}"
    );
}

#[test]
fn a_failed_or_partial_download_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let overlay = home.path().join("models.synced.toml");
    let o = tb(home.path(), &["models", "sync", "--from", SAMPLE]);
    assert!(o.status.success(), "{}", err(&o));
    let before = std::fs::read(&overlay).unwrap();
    let body = std::fs::read(SAMPLE).unwrap();
    let half = &body[..body.len() / 2];
    for (what, reply) in [
        ("a 500", http("500 Internal Server Error", b"{}", 2)),
        ("cut short of its length", http("200 OK", half, body.len())),
        ("half a document", http("200 OK", half, half.len())),
        ("not a catalog", http("200 OK", b"{\"openai\":1}", 12)),
    ] {
        let url = serve(reply, 1);
        let o = tb(home.path(), &["models", "sync", "--from", &url]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", out(&o));
        assert!(
            err(&o).contains("nothing was changed") || err(&o).contains("not a models.dev"),
            "{what}: {}",
            err(&o)
        );
        assert_eq!(std::fs::read(&overlay).unwrap(), before, "{what}");
    }
    // A whole download from a server works like the file.
    let url = serve(http("200 OK", &body, body.len()), 1);
    let o = tb(home.path(), &["models", "sync", "--from", &url]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains(&format!("read from {url}")));
    // By default the published catalog is fetched; here every way out is a dead proxy, so
    // nothing leaves the machine, and the failure changes nothing.
    let o = tb(home.path(), &["models", "sync"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("cannot download https://models.dev/api.json"),
        "{}",
        err(&o)
    );
    assert!(
        std::fs::read(&overlay).unwrap() != before,
        "the server's sync was written"
    );
    // A file that does not exist says so.
    let o = tb(
        home.path(),
        &["models", "sync", "--from", "no/such/file.json"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("cannot read no/such/file.json"),
        "{}",
        err(&o)
    );
}

#[test]
fn sync_replaces_a_broken_overlay_that_stops_the_listing() {
    let home = tempfile::tempdir().unwrap();
    let overlay = home.path().join("models.synced.toml");
    std::fs::write(
        &overlay,
        "synced_at = \"2026-01-01\"\nsource = \"x\"\n[[models]]\nid = 3\n",
    )
    .unwrap();
    let o = tb(home.path(), &["models"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("models sync"), "{}", err(&o));
    let o = tb(home.path(), &["models", "sync", "--from", SAMPLE]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("the old overlay did not read"),
        "{}",
        out(&o)
    );
    assert!(tb(home.path(), &["models"]).status.success());
}

#[test]
fn listing_runs_no_key_command() {
    let home = tempfile::tempdir().unwrap();
    let marker = home.path().join("key-command-ran");
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "model = \"lab/some-model\"\n\n[providers.lab]\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key_cmd = \"touch '{}' && echo sk-lab\"\n",
            marker.display()
        ),
    )
    .unwrap();
    let o = tb(home.path(), &["models", "--provider", "lab"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("No catalog entries of their own: lab"),
        "{}",
        out(&o)
    );
    assert!(!marker.exists(), "the key command ran");
}
