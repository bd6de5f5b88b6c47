//! The demo server: plain HTTP on 127.0.0.1 at a port the system picks, on a thread and an
//! async runtime of its own (so it serves whichever runtime, or none, the caller has), started
//! once per process, when the demo is first used.
//!
//! Routes: `POST …/chat/completions` (see `chat`), `POST …/messages` (see `anthropic`),
//! `GET …/models` (the demo models); anything else is a 404. Each piece of a reply is written
//! after its delay times the request's pace ([`super::PACE_HEADER`]: 0 is instant), and
//! flushed, so a stream arrives as a real one does.
//!
//! Invariants: it listens on 127.0.0.1 only; nothing here panics on what a client sends (a
//! body that is not JSON is a 400); a client that goes away ends only its own connection.

use super::http::{self, Request};
use super::reply::Reply;
use super::{anthropic, chat, script};
use serde_json::{Value, json};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// The server's base URL (`http://127.0.0.1:PORT/v1`), starting it on first use; or why it
/// could not start.
pub fn base_url() -> Result<String, String> {
    static SERVER: OnceLock<Result<String, String>> = OnceLock::new();
    SERVER.get_or_init(start).clone()
}

fn start() -> Result<String, String> {
    let failed = |e: std::io::Error| format!("cannot start the offline demo: {e}");
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(failed)?;
    let addr = listener.local_addr().map_err(failed)?;
    listener.set_nonblocking(true).map_err(failed)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(failed)?;
    std::thread::Builder::new()
        .name("demo-server".to_string())
        .spawn(move || runtime.block_on(serve_forever(listener)))
        .map_err(failed)?;
    Ok(format!("http://{addr}/v1"))
}

async fn serve_forever(listener: std::net::TcpListener) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(serve(socket));
            }
            // Out of file descriptors, say: try again shortly rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn serve(mut socket: TcpStream) {
    let _ = socket.set_nodelay(true);
    let Ok(Some(request)) = http::read_request(&mut socket).await else {
        return;
    };
    let pace = super::parse_pace(request.header(super::PACE_HEADER).unwrap_or("1")).unwrap_or(1.0);
    let _ = write(&mut socket, answer(&request), pace).await;
    let _ = socket.shutdown().await;
}

/// The reply to `request` (see the routes in the module docs).
pub fn answer(request: &Request) -> Reply {
    let path = request.path.split('?').next().unwrap_or_default();
    let path = path.trim_end_matches('/');
    if request.method == "GET" && path.ends_with("/models") {
        let data: Vec<Value> = (script::MODELS.iter())
            .map(
                |(id, _, _)| json!({"id": id, "object": "model", "created": 0, "owned_by": "demo"}),
            )
            .collect();
        return Reply::json(200, &json!({"object": "list", "data": data}), 0);
    }
    let body: Result<Value, _> = serde_json::from_slice(&request.body);
    match (request.method.as_str(), body) {
        ("POST", Ok(body)) if path.ends_with("/chat/completions") => chat::reply(&body),
        ("POST", Ok(body)) if path.ends_with("/messages") => anthropic::reply(&body),
        ("POST", Err(e)) => error(400, &format!("the body is not JSON: {e}")),
        _ => error(
            404,
            &format!("the offline demo has no {} {path}", request.method),
        ),
    }
}

fn error(status: u16, message: &str) -> Reply {
    let body = json!({"error": {"message": message, "type": "invalid_request_error",
        "param": null, "code": null}});
    Reply::json(status, &body, 0)
}

async fn write(socket: &mut TcpStream, reply: Reply, pace: f64) -> std::io::Result<()> {
    let streamed = reply.content_type == "text/event-stream";
    let length = (!streamed).then(|| reply.pieces.iter().map(|(_, p)| p.len()).sum());
    // A whole body waits for all of its time before the head, as a real server does.
    let before: u64 = if streamed {
        0
    } else {
        reply.pieces.iter().map(|(d, _)| *d).sum()
    };
    sleep(before, pace).await;
    let head = http::head(reply.status, Some(reply.content_type), length, &[]);
    socket.write_all(head.as_bytes()).await?;
    socket.flush().await?;
    for (delay, piece) in reply.pieces {
        if streamed {
            sleep(delay, pace).await;
        }
        socket.write_all(&piece).await?;
        socket.flush().await?;
    }
    Ok(())
}

async fn sleep(ms: u64, pace: f64) {
    let scaled = ms as f64 * pace;
    if scaled >= 1.0 {
        tokio::time::sleep(Duration::from_secs_f64(scaled / 1000.0)).await;
    }
}
