//! A fake OpenAI-compatible HTTP server on 127.0.0.1, for integration tests and manual runs.
//!
//! It speaks just enough HTTP/1.1, with the offline demo's reader and response head
//! (`thinkbench::demo::http`): it reads the request line, the headers and a
//! `Content-Length` body, records the request, and answers with `Connection: close` (SSE
//! bodies end when the connection closes, written piece by piece with a flush after each).
//! Invariants: every request to a non-`/models` path consumes the next [`Reply`] of one
//! script, and the last reply of a script repeats; `GET …/models` answers a fixed list and
//! consumes nothing; every request is recorded before its answer is written, so a test that
//! got an answer can always see the request; nothing here panics on what a client sends.
//!
//! Routing (for comparisons, whose arms reach the server in any order): a script added with
//! [`FakeServer::route`] for `MODEL@EFFORT` answers the requests whose body names that
//! `model` and that effort (`reasoning_effort`, or `reasoning.effort`); one for `MODEL`
//! answers that model at any effort not routed on its own; anything else falls back to the
//! shared script given to [`FakeServer::start`]. Each script has its own position, so the
//! order in which concurrent requests arrive never changes which reply a route gives.
//!
//! Tokenizer endpoints (`POST /tokenize`, `/apply-template`, `/extras/tokenize/count`, see
//! `tokenizer.rs`) consume no reply: they answer as the tokenizer set with
//! [`FakeServer::tokenizer`] would, 404 when none is, and are recorded apart
//! ([`FakeServer::tokenizer_requests`]), so [`FakeServer::requests`] stays the turns' requests.
#![allow(dead_code)]

#[path = "replies.rs"]
mod replies;
#[path = "shapes.rs"]
pub mod shapes;
#[path = "tokenizer.rs"]
mod tokenizer;

#[allow(unused_imports)] // not every user needs every builder
pub use replies::{MODEL, ReasoningField, Reply, chunk, fixtures_dir, huge_text, pieces};
#[allow(unused_imports)]
pub use tokenizer::{FakeTokenizer, render, tokens};

use replies::plan;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    pub raw_body: String,
    /// When the request's head and body had been read.
    pub received: Instant,
    /// The route that answered it (`o3-mini@high`, `gpt-4o`), `None` for the shared script
    /// and `/models`.
    pub route: Option<String>,
}

impl Request {
    /// The `model` of the body (empty when there is none).
    pub fn model(&self) -> &str {
        self.body["model"].as_str().unwrap_or_default()
    }

    /// The reasoning effort of the body: `reasoning_effort` (Chat Completions) or
    /// `reasoning.effort` (Responses, OpenRouter).
    pub fn effort(&self) -> Option<&str> {
        self.body["reasoning_effort"]
            .as_str()
            .or_else(|| self.body["reasoning"]["effort"].as_str())
    }

    /// `model@effort`, or `model` when the body names no effort.
    pub fn arm(&self) -> String {
        match self.effort() {
            Some(effort) => format!("{}@{effort}", self.model()),
            None => self.model().to_string(),
        }
    }

    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A script and how far into it the requests have got.
#[derive(Default)]
struct Script {
    replies: Vec<Reply>,
    next: usize,
}

impl Script {
    /// The next reply; the last one repeats. `None` for an empty script.
    fn take(&mut self) -> Option<Reply> {
        let last = self.replies.len().checked_sub(1)?;
        let at = self.next.min(last);
        self.next += 1;
        Some(self.replies[at].clone())
    }
}

#[derive(Default)]
struct Shared {
    script: Script,
    /// Per-model (`MODEL`) and per-arm (`MODEL@EFFORT`) scripts.
    routes: Vec<(String, Script)>,
    requests: Vec<Request>,
    tokenizer: Option<FakeTokenizer>,
    tokenizer_requests: Vec<Request>,
}

impl Shared {
    /// The route that answers `request`: its `model@effort`, else its `model`.
    fn route_for(&self, request: &Request) -> Option<usize> {
        let by_arm = request.effort().map(|_| request.arm());
        let find = |key: &str| self.routes.iter().position(|(k, _)| k == key);
        by_arm
            .as_deref()
            .and_then(find)
            .or_else(|| find(request.model()))
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running fake server; it stops accepting when dropped.
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: JoinHandle<()>,
}

impl FakeServer {
    /// Start on a free port of 127.0.0.1, answering with `script`.
    pub async fn start(script: Vec<Reply>) -> FakeServer {
        match FakeServer::start_on("127.0.0.1:0", script).await {
            Ok(server) => server,
            Err(e) => panic!("cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Start on `addr` (e.g. `127.0.0.1:8090`).
    pub async fn start_on(addr: &str, script: Vec<Reply>) -> std::io::Result<FakeServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Mutex::new(Shared {
            script: Script {
                replies: script,
                next: 0,
            },
            ..Shared::default()
        }));
        let state = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, state.clone()));
            }
        });
        Ok(FakeServer { addr, shared, task })
    }

    /// `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answer the requests for `key` — `MODEL@EFFORT` or `MODEL` — with `script`, in order
    /// and independently of any other route (the last reply repeats). Replaces an earlier
    /// route for the same key.
    pub fn route(&self, key: &str, script: Vec<Reply>) -> &FakeServer {
        let mut state = lock(&self.shared);
        state.routes.retain(|(k, _)| k != key);
        state.routes.push((
            key.to_string(),
            Script {
                replies: script,
                next: 0,
            },
        ));
        self
    }

    /// The requests that reached route `key` (see [`FakeServer::route`]), oldest first.
    pub fn requests_to(&self, key: &str) -> Vec<Request> {
        (self.requests().into_iter())
            .filter(|r| r.route.as_deref() == Some(key))
            .collect()
    }

    /// Every request received so far, oldest first (tokenizer requests apart).
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared).requests.clone()
    }

    /// Serve the tokenizer endpoints of `kind` (see `tokenizer.rs`).
    pub fn tokenizer(&self, kind: FakeTokenizer) -> &FakeServer {
        lock(&self.shared).tokenizer = Some(kind);
        self
    }

    /// The requests to tokenizer endpoints, oldest first.
    pub fn tokenizer_requests(&self) -> Vec<Request> {
        lock(&self.shared).tokenizer_requests.clone()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut socket: TcpStream, shared: Arc<Mutex<Shared>>) {
    let _ = socket.set_nodelay(true);
    let Ok(Some(mut request)) = read_request(&mut socket).await else {
        return;
    };
    if request.method == "POST" && tokenizer::is_tokenizer_path(&request.path) {
        let (status, body, ms) = {
            let mut state = lock(&shared);
            let (status, body) = tokenizer::answer(state.tokenizer, &request.path, &request.body);
            state.tokenizer_requests.push(request);
            (status, body, tokenizer::delay_ms(state.tokenizer))
        };
        let reply = Reply::Json { status, body };
        let reply = Reply::Delayed {
            ms,
            reply: Box::new(reply),
        };
        let _ = write_reply(&mut socket, reply, Vec::new()).await;
        let _ = socket.shutdown().await;
        return;
    }
    let reply = {
        let mut state = lock(&shared);
        let is_models =
            request.method == "GET" && request.path.trim_end_matches('/').ends_with("/models");
        let route = if is_models {
            None
        } else {
            state.route_for(&request)
        };
        let reply = if is_models {
            Some(models_reply())
        } else if let Some(at) = route {
            let (key, script) = &mut state.routes[at];
            request.route = Some(key.clone());
            script.take()
        } else {
            state.script.take()
        };
        state.requests.push(request);
        reply.unwrap_or_else(|| Reply::Http {
            status: 500,
            headers: Vec::new(),
            body: "the fake server has no reply scripted".into(),
        })
    };
    let _ = write_reply(&mut socket, reply, Vec::new()).await;
    let _ = socket.shutdown().await;
}

fn models_reply() -> Reply {
    let model = |id: &str| json!({"id": id, "object": "model", "created": 1_700_000_000, "owned_by": "fake"});
    Reply::Json {
        status: 200,
        body: json!({"object": "list", "data": [model(MODEL), model("fake-chat")]}),
    }
}

/// Read one request (with the demo server's reader); `None` when the client closed or sent
/// something that is not HTTP.
async fn read_request(socket: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let Some(read) = thinkbench::demo::http::read_request(socket).await? else {
        return Ok(None);
    };
    let raw_body = String::from_utf8_lossy(&read.body).into_owned();
    let body = serde_json::from_str(&raw_body).unwrap_or(Value::Null);
    Ok(Some(Request {
        method: read.method,
        path: read.path,
        headers: read.headers,
        body,
        raw_body,
        received: Instant::now(),
        route: None,
    }))
}

async fn write_reply(
    socket: &mut TcpStream,
    reply: Reply,
    mut headers: Vec<(String, String)>,
) -> std::io::Result<()> {
    match reply {
        Reply::Delayed { ms, reply } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            return Box::pin(write_reply(socket, *reply, headers)).await;
        }
        Reply::WithHeaders {
            headers: extra,
            reply,
        } => {
            headers.extend(extra);
            return Box::pin(write_reply(socket, *reply, headers)).await;
        }
        Reply::Http {
            headers: ref extra, ..
        } => headers.extend(extra.iter().cloned()),
        _ => {}
    }
    let plan = plan(reply);
    let typed = (headers.iter()).any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    let length = (plan.sized).then(|| plan.pieces.iter().map(|(_, p)| p.len()).sum());
    let content_type = (!typed).then_some(plan.content_type);
    let head = thinkbench::demo::http::head(plan.status, content_type, length, &headers);
    socket.write_all(head.as_bytes()).await?;
    socket.flush().await?;
    for (delay, piece) in plan.pieces {
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        socket.write_all(&piece).await?;
        socket.flush().await?;
        tokio::task::yield_now().await;
    }
    if let Some(piece) = plan.endless.filter(|p| !p.is_empty()) {
        loop {
            socket.write_all(&piece).await?;
            tokio::task::yield_now().await;
        }
    }
    Ok(())
}
