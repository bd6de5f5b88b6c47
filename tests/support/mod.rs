//! Test support shared by the integration tests (`mod support;`): a fake OpenAI-compatible
//! server on 127.0.0.1 that speaks the real wire format and misbehaves on request, and
//! helpers that run a turn and check what came back, and the real binary in a clean
//! environment.

pub mod anthropic;
pub mod app;
pub mod cli;
pub mod fake_server;
pub mod files;
pub mod pty;
pub mod responses;
pub mod turn;
