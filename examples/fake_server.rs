//! A fake OpenAI-compatible server for trying the client by hand (in tmux, say):
//!
//! ```text
//! cargo run --example fake_server -- [--port N] SCENARIO
//! ```
//!
//! It prints its base URL (`http://127.0.0.1:PORT/v1`) on stdout and serves every chat
//! request with the scenario until killed; `GET /v1/models` lists two fake models.
//! Scenarios: `markdown`, `hidden`, `think-tags`, `error401`, `error429`, `cut`, `slow`,
//! `nousage`, `huge`, `short`, `short-nousage` (a ~50-token answer at once, with and without
//! usage: what `scripts/ask_cost.sh` measures), and `shape:NAME:BYTES` (one answer shape of
//! that size in 8-byte deltas, as fast as the client reads: `mixed`, `code`, `table`,
//! `paragraph`, `list`).

#[path = "../tests/support/fake_server.rs"]
mod fake_server;

use fake_server::{FakeServer, ReasoningField, Reply, chunk, pieces};
use serde_json::json;
use std::io::Write;
use thinkbench::usage::Usage;

const SCENARIOS: &[(&str, &str)] = &[
    (
        "markdown",
        "shared reasoning, then a long markdown answer at ~30 chunks/s, with usage",
    ),
    (
        "hidden",
        "3 s of silence, then an answer; usage counts hidden reasoning tokens (o-series)",
    ),
    (
        "think-tags",
        "reasoning inside <think>…</think> in the content (local servers)",
    ),
    ("error401", "401 with OpenAI's invalid_api_key body"),
    (
        "error429",
        "429 rate limit with retry-after and x-ratelimit-* headers",
    ),
    ("cut", "a few words, then the connection drops"),
    ("slow", "one word every 300 ms"),
    (
        "nousage",
        "an answer with no usage chunk (like many local servers)",
    ),
    ("huge", "a 2 MB answer as fast as possible"),
    (
        "short",
        "a ~50-token answer at once, with usage (for measuring a whole `ask`)",
    ),
    (
        "short-nousage",
        "the same ~50-token answer at once, without usage",
    ),
    (
        "shape:NAME:BYTES",
        "one answer shape (mixed, code, table, paragraph, list) in 8-byte deltas, fast",
    ),
    (
        "retry",
        "a 429 asking to wait 3 s, a 503, then the markdown answer",
    ),
    (
        "responses",
        "the recorded OpenAI Responses stream (gpt-5: reasoning summary, a tool call)",
    ),
    (
        "anthropic",
        "the recorded Anthropic stream (Claude: thinking, a tool call)",
    ),
];

const SHORT: &str = "Mexico City is the capital of Mexico. It lies in the Valley of Mexico at \
about 2,240 metres, more than nine million people live in the city itself, and it was built on \
the ruins of Tenochtitlan, founded in 1325.";

const REASONING: &str = "The user wants a tour of the config format. I should show a heading, \
a nested list, a table of the options, and one example in Rust and one in TOML. Keep the \
prose short; the code carries the weight.";

const MARKDOWN: &str = r#"# Configuring the client

Everything lives in **one file**; flags override it, and `--help` lists them.

## What you can set

- Providers
  - a base URL and an API key variable
  - extra headers, e.g. `X-Title`
- Models
  1. the context window
  2. prices per million tokens
- The theme, see the [themes folder](https://example.com/themes)

| option      | default | meaning                         |
|-------------|---------|---------------------------------|
| `effort`    | medium  | reasoning effort, when accepted |
| `max_out`   | none    | output budget, reasoning included |
| `stream`    | true    | stream the answer               |

## In code

```rust
fn cost(input: u64, output: u64, price: (f64, f64)) -> f64 {
    (input as f64 * price.0 + output as f64 * price.1) / 1_000_000.0
}
```

## In the file

```toml
[providers.local]
base_url = "http://127.0.0.1:8089/v1"
api = "chat"

[models."o3-mini"]
effort = "high"
```

That is all there is to it.
"#;

fn paced(reply: Reply, delay_ms: u64) -> Reply {
    match reply {
        Reply::Sse { events, .. } => Reply::Sse { events, delay_ms },
        other => other,
    }
}

fn scenario(name: &str) -> Option<Reply> {
    let usage = |input, output, reasoning| Usage {
        input,
        output,
        reasoning,
        ..Default::default()
    };
    Some(match name {
        "markdown" => paced(Reply::reasoning_answer(REASONING, MARKDOWN, usage(412, 980, 310)), 33),
        "hidden" => Reply::reasoning_answer(
            "",
            "After some thought: **1009 is prime**; no divisor up to 31 divides it.",
            usage(18, 842, 768),
        )
        .delayed(3000),
        "think-tags" => paced(
            Reply::reasoning_answer_as(
                ReasoningField::ThinkTags,
                "Odd, not divisible by 3, 7, 11, 13, 17, 19, 23, 29 or 31.",
                "Yes, 1009 is prime.",
                usage(20, 60, 0),
            ),
            33,
        ),
        "error401" => Reply::Json {
            status: 401,
            body: json!({"error": {"message": "Incorrect API key provided: sk-fake. You can find your API key at https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
        },
        "error429" => Reply::Json {
            status: 429,
            body: json!({"error": {"message": "Rate limit reached for o3-mini in organization org-fake on tokens per min (TPM): Limit 200000, Used 170633, Requested 180002. Please try again in 45.19s.",
                "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}),
        }
        .with_headers(&[
            ("retry-after", "46"),
            ("x-ratelimit-remaining-requests", "499"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "45.19s"),
        ]),
        "cut" => {
            let mut events = vec![chunk::role()];
            events.extend(pieces("The answer starts well and then the line goes").iter().map(|p| chunk::content(p)));
            let n = events.len();
            Reply::CutAfter { events, n }
        }
        "slow" => Reply::SlowDrip {
            text: "Slowly, one word at a time, the answer arrives, so you can watch it stream.".into(),
            per_token_ms: 300,
        },
        "nousage" => {
            let mut events = vec![chunk::role()];
            events.extend(pieces("An answer without any usage: the client must estimate it.").iter().map(|p| chunk::content(p)));
            events.push(chunk::finish("stop"));
            Reply::Sse { events, delay_ms: 33 }
        }
        "huge" => Reply::Huge { bytes: 2_000_000 },
        "short" => Reply::reasoning_answer("", SHORT, usage(14, 52, 0)),
        "short-nousage" => {
            let mut events = vec![chunk::role()];
            events.extend(pieces(SHORT).iter().map(|p| chunk::content(p)));
            events.push(chunk::finish("stop"));
            Reply::Sse { events, delay_ms: 0 }
        }
        shape if shape.starts_with("shape:") => {
            let mut parts = shape.splitn(3, ':').skip(1);
            let (name, bytes) = (parts.next()?, parts.next()?.parse().ok()?);
            Reply::Flood {
                text: fake_server::shapes::shape_text(name, bytes)?,
                delta: 8,
            }
        }
        "responses" => Reply::fixture_in_pieces("openai-responses-gpt5-summary.sse", 64).delayed(800),
        "anthropic" => Reply::fixture_in_pieces("anthropic-sonnet4-thinking.sse", 64).delayed(800),
        _ => return None,
    })
}

fn usage_text() -> String {
    let mut text = String::from(
        "usage: cargo run --example fake_server -- [--port N] SCENARIO\n\nscenarios:\n",
    );
    for (name, about) in SCENARIOS {
        text.push_str(&format!("  {name:<11} {about}\n"));
    }
    text
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut port = 0u16;
    let mut name = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => {
                    eprintln!("--port needs a number\n\n{}", usage_text());
                    return std::process::ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                print!("{}", usage_text());
                return std::process::ExitCode::SUCCESS;
            }
            other => name = Some(other.to_string()),
        }
    }
    let script = match name.as_deref() {
        // The first turn is rate limited, then meets a server error, then gets the answer.
        Some("retry") => {
            let limited = Reply::Json {
                status: 429,
                body: json!({"error": {"message": "Rate limit reached for requests per min (RPM): Limit 3.",
                    "type": "requests", "param": null, "code": "rate_limit_exceeded"}}),
            }
            .with_headers(&[("retry-after", "3")]);
            let unavailable = Reply::Json {
                status: 503,
                body: json!({"error": {"message": "The server is overloaded.", "type": "server_error", "param": null, "code": null}}),
            };
            scenario("markdown").map(|answer| vec![limited, unavailable, answer])
        }
        other => other.and_then(scenario).map(|reply| vec![reply]),
    };
    let Some(script) = script else {
        eprintln!("{}", usage_text());
        return std::process::ExitCode::from(2);
    };
    let server = match FakeServer::start_on(&format!("127.0.0.1:{port}"), script).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", server.base_url());
    let _ = std::io::stdout().flush();
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
