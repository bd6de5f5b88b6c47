//! thinkbench: a terminal workbench for chatting with reasoning models.
//!
//! Layout: `api` speaks the wire protocols and knows nothing of the UI; `catalog` knows the
//! models (limits, prices, request quirks); `config` resolves file + env + flags into one
//! `Settings`; `conversation` holds the provider-neutral history; `ask` is the headless mode and `compare` sends one prompt to several arms;
//! `demo` is the offline demo provider's server on 127.0.0.1 (canned answers, real wire shapes);
//! `store` keeps sessions in SQLite, `sessions_cli` and `export` show them; `models_cli` lists
//! the catalog and syncs its prices;
//! `tui` is the full-screen interface (state/update/view apart, effects as data);
//! `signals` and `stdout` are how every command stops on a signal or a closed stdout.

pub mod api;
pub mod ask;
pub mod attach;
pub mod catalog;
pub mod compare;
pub mod config;
pub mod conversation;
pub mod demo;
pub mod export;
pub mod models_cli;
pub mod session;
pub mod sessions_cli;
pub mod signals;
pub mod stdout;
pub mod store;
pub mod text;
pub mod timefmt;
pub mod totals;
pub mod tui;
pub mod usage;
