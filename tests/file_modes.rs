//! Private files on Unix: whatever the umask, the data directory thinkbench creates is 0700,
//! and the session database, its WAL and shared-memory files and an export written with
//! `-o FILE` are 0600. Each command runs under `umask 000`, the most permissive, so that
//! only thinkbench's own choice of mode can make them private.
#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use support::fake_server::{FakeServer, Reply};

/// `thinkbench ARGS` under `umask 000`, with `THINKBENCH_HOME=home`.
fn command(home: &Path, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("sh");
    cmd.arg("-c")
        .arg("umask 000 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_thinkbench"))
        .args(args)
        .env_clear()
        .env("THINKBENCH_HOME", home)
        .env("OPENAI_API_KEY", "sk-test")
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

async fn run(home: &Path, args: &[&str]) -> Output {
    let out = command(home, args).output().await.unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn db(home: &Path) -> PathBuf {
    home.join("thinkbench.db")
}

/// The database with `suffix` (`-wal`, `-shm`), once it exists (while a process has it open).
async fn appears(path: PathBuf) -> PathBuf {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    path
}

#[tokio::test]
async fn the_data_dir_and_every_database_file_are_private() {
    let server = FakeServer::start(vec![Reply::answer("later").delayed(1500)]).await;
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("made").join("home");
    let url = server.base_url();
    // While the answer is awaited the database is open: its WAL and shm files exist.
    let child = command(&home, &["ask", "--base-url", &url, "hi"])
        .spawn()
        .unwrap();
    let wal = appears(PathBuf::from(format!("{}-wal", db(&home).display()))).await;
    let shm = appears(PathBuf::from(format!("{}-shm", db(&home).display()))).await;
    let (wal_mode, shm_mode) = (mode(&wal), mode(&shm));
    let out = child.wait_with_output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mode(&home), 0o700, "the data directory");
    assert_eq!(
        mode(&tmp.path().join("made")),
        0o700,
        "every directory made for it"
    );
    assert_eq!(mode(&db(&home)), 0o600, "the database");
    assert_eq!(wal_mode, 0o600, "the WAL");
    assert_eq!(shm_mode, 0o600, "the shared memory");
}

#[tokio::test]
async fn a_database_made_before_is_made_private_and_its_directory_is_left_alone() {
    let server = FakeServer::start(vec![Reply::answer("ok")]).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(db(home.path()), b"").unwrap();
    std::fs::set_permissions(db(home.path()), std::fs::Permissions::from_mode(0o644)).unwrap();
    run(
        home.path(),
        &["ask", "--base-url", &server.base_url(), "hi"],
    )
    .await;
    assert_eq!(mode(&db(home.path())), 0o600);
    assert_eq!(
        mode(home.path()),
        0o755,
        "a directory it did not make keeps its mode"
    );
}

#[tokio::test]
async fn an_export_to_a_file_is_private() {
    let server = FakeServer::start(vec![Reply::answer("ok")]).await;
    let home = tempfile::tempdir().unwrap();
    run(
        home.path(),
        &["ask", "--base-url", &server.base_url(), "hi"],
    )
    .await;
    let file = home.path().join("out.md");
    let path = file.to_str().unwrap();
    run(home.path(), &["sessions", "export", "1", "-o", path]).await;
    assert_eq!(mode(&file), 0o600);
    // Replacing a file that was readable by everyone leaves a private one.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    run(
        home.path(),
        &["sessions", "export", "1", "-o", path, "--format", "json"],
    )
    .await;
    assert_eq!(mode(&file), 0o600);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("\"thinkbench_export\"")
    );
}
