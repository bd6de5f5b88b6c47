//! Files and images sent with `ask --attach`, end to end against the fake server on
//! 127.0.0.1: the request body of each API, the refusal for a model without vision, the
//! errors for files that cannot go, and the attachments stored with the turn (sent again as
//! history on `-c`, kept once per content).

mod support;

use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::cli::{answer, run, usage};
use support::fake_server::{FakeServer, Reply};
use support::files::png;

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "# Notes\nbuy milk\n").unwrap();
        std::fs::write(dir.path().join("pic.png"), png(1024, 1024)).unwrap();
        std::fs::write(dir.path().join("a.out"), [0x7f, b'E', b'L', b'F', 0, 0]).unwrap();
        Files { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// `ask MODEL_ARGS --attach notes.md --attach pic.png "what is in these?"`, which must
    /// succeed.
    async fn ask_both(&self, home: &Path, server: &FakeServer, model_args: &[&str]) {
        let (notes, pic) = (self.arg("notes.md"), self.arg("pic.png"));
        let mut args = model_args.to_vec();
        args.extend(["--attach", &notes, "--attach", &pic, "what is in these?"]);
        let o = ask(home, server, &args).await;
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

async fn ask(home: &Path, server: &FakeServer, args: &[&str]) -> Output {
    let url = server.base_url();
    let mut all = vec!["ask", "--base-url", url.as_str()];
    all.extend_from_slice(args);
    run(home, &all, &[("ANTHROPIC_API_KEY", "sk-ant-test")], None).await
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn data_url() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(png(1024, 1024));
    format!("data:image/png;base64,{b64}")
}

const SENT_TEXT: &str = "notes.md:\n```md\n# Notes\nbuy milk\n```\n\nwhat is in these?";

#[tokio::test]
async fn chat_completions_get_text_then_image_url_parts() {
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![answer("A list.", usage(900, 5, 0))]).await;
    f.ask_both(home.path(), &server, &["-m", "gpt-4o"]).await;
    let body = &server.requests()[0].body;
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "text", "text": SENT_TEXT},
            {"type": "image_url", "image_url": {"url": data_url()}}
        ])
    );
}

#[tokio::test]
async fn responses_get_input_text_and_input_image() {
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![Reply::fixture_in_pieces(
        "openai-responses-gpt5-summary.sse",
        64,
    )])
    .await;
    f.ask_both(home.path(), &server, &["--api", "responses", "-m", "gpt-5"])
        .await;
    let body = &server.requests()[0].body;
    assert_eq!(
        body["input"][0]["content"],
        json!([
            {"type": "input_text", "text": SENT_TEXT},
            {"type": "input_image", "image_url": data_url(), "detail": "auto"}
        ])
    );
}

#[tokio::test]
async fn anthropic_gets_base64_image_blocks_before_the_text() {
    use support::anthropic;
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let events = anthropic::answer("", "A list.", 1400, 5);
    let server = FakeServer::start(vec![anthropic::stream(&events)]).await;
    f.ask_both(home.path(), &server, &["-m", "anthropic/claude-sonnet-4-5"])
        .await;
    let body = &server.requests()[0].body;
    let b64 = data_url().split_once(',').unwrap().1.to_string();
    assert_eq!(
        body["messages"][0]["content"],
        json!([
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64}},
            {"type": "text", "text": SENT_TEXT}
        ])
    );
}

#[tokio::test]
async fn a_model_without_vision_refuses_images_before_sending() {
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![answer("x", usage(1, 1, 0))]).await;
    let pic = f.arg("pic.png");
    let o = ask(
        home.path(),
        &server,
        &["-m", "o3-mini", "--attach", &pic, "what is it?"],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("o3-mini takes no images (pic.png not sent; models that take them: o1, o1-pro, o3, o4-mini)"),
        "{err}"
    );
    assert!(server.requests().is_empty());
    // A text file goes to it; a model nothing knows gets the image and the server decides.
    let notes = f.arg("notes.md");
    let o = ask(
        home.path(),
        &server,
        &["-m", "o3-mini", "--attach", &notes, "hi"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    let server = FakeServer::start(vec![answer("x", usage(1, 1, 0))]).await;
    let o = ask(
        home.path(),
        &server,
        &["-m", "llava-13b", "--attach", &pic, "hi"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        server.requests()[0].body["messages"][0]["content"][1]["type"],
        "image_url"
    );
}

#[tokio::test]
async fn files_that_cannot_go_are_named_with_the_reason() {
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![]).await;
    let cases = [
        (f.arg("missing.txt"), "missing.txt: no such file"),
        (
            f.arg("a.out"),
            "a.out: a binary file that is not an image (PNG, JPEG, WebP or GIF)",
        ),
        (
            f.dir.path().display().to_string(),
            "is a directory, not a file",
        ),
    ];
    for (path, want) in cases {
        let o = ask(
            home.path(),
            &server,
            &["-m", "gpt-4o", "--attach", &path, "hi"],
        )
        .await;
        assert_eq!(o.status.code(), Some(2), "{path}");
        assert!(stderr(&o).contains(want), "{want}: {}", stderr(&o));
    }
    // The size limit comes from the config file.
    std::fs::write(
        home.path().join("config.toml"),
        "attach_max_text_bytes = 1024\n",
    )
    .unwrap();
    std::fs::write(f.path("big.txt"), "x".repeat(2000)).unwrap();
    let big = f.arg("big.txt");
    let o = ask(
        home.path(),
        &server,
        &["-m", "gpt-4o", "--attach", &big, "hi"],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("2 KB is larger than the 1 KB limit for text files"),
        "{}",
        stderr(&o)
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn attachments_are_stored_once_and_sent_again_as_history() {
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![
        answer("A list.", usage(900, 5, 0)),
        answer("Milk.", usage(950, 5, 0)),
        answer("Again.", usage(950, 5, 0)),
    ])
    .await;
    f.ask_both(home.path(), &server, &["-m", "gpt-4o"]).await;
    // The files may change or go: the stored copies are what is sent again.
    std::fs::remove_file(f.path("pic.png")).unwrap();
    let o = ask(
        home.path(),
        &server,
        &["-c", "-m", "gpt-4o", "and the list?"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    let body = &server.requests()[1].body;
    assert_eq!(body["messages"][0]["content"][0]["text"], SENT_TEXT);
    assert_eq!(
        body["messages"][0]["content"][1]["image_url"]["url"],
        data_url()
    );
    assert_eq!(body["messages"][2]["content"], "and the list?");
    // The same files in a new session are stored once.
    std::fs::write(f.path("pic.png"), png(1024, 1024)).unwrap();
    f.ask_both(home.path(), &server, &["-m", "gpt-4o"]).await;
    let db = rusqlite::Connection::open(home.path().join("thinkbench.db")).unwrap();
    let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM attachment_blobs"), 2);
    assert_eq!(count("SELECT COUNT(*) FROM turn_attachments"), 4);
    drop(db);
    // Deleting one session keeps the other's files; deleting both removes them.
    let rm = ["sessions", "rm", "1"];
    assert!(run(home.path(), &rm, &[], None).await.status.success());
    let db = rusqlite::Connection::open(home.path().join("thinkbench.db")).unwrap();
    let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT COUNT(*) FROM attachment_blobs"), 2);
    drop(db);
    let rm = ["sessions", "rm", "2"];
    assert!(run(home.path(), &rm, &[], None).await.status.success());
    let db = rusqlite::Connection::open(home.path().join("thinkbench.db")).unwrap();
    assert_eq!(
        db.query_row("SELECT COUNT(*) FROM attachment_blobs", [], |r| r
            .get::<_, i64>(0))
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn exports_list_attachments_and_carry_their_bytes_only_when_asked() {
    let f = Files::new();
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::start(vec![answer("A list.", usage(900, 5, 0))]).await;
    f.ask_both(home.path(), &server, &["-m", "gpt-4o"]).await;
    let md = run(home.path(), &["sessions", "export", "1"], &[], None).await;
    let md = String::from_utf8_lossy(&md.stdout).into_owned();
    assert!(
        md.contains(
            "**Attached**\n\n- `notes.md` (text, 17 B)\n- `pic.png` (image 1024x1024, 29 B)\n\nnotes.md:\n```md\n# Notes\nbuy milk\n```\n"
        ),
        "{md}"
    );
    let export = |args: &'static [&'static str]| run(home.path(), args, &[], None);
    let plain = export(&["sessions", "export", "1", "--format", "json"]).await;
    let v: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    let listed = &v["turns"][0]["attachments"];
    assert_eq!(listed[1]["name"], "pic.png");
    assert_eq!(
        (listed[1]["width"].clone(), listed[1]["mime"].clone()),
        (json!(1024), json!("image/png"))
    );
    assert!(listed[1].get("data_base64").is_none());
    let full = export(&[
        "sessions",
        "export",
        "1",
        "--format",
        "json",
        "--with-attachments",
    ])
    .await;
    let v: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap();
    let data = v["turns"][0]["attachments"][1]["data_base64"]
        .as_str()
        .unwrap();
    assert_eq!(format!("data:image/png;base64,{data}"), data_url());
}
