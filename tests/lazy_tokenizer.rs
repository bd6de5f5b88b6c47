//! The tokenizer is loaded only when an estimate is needed: a whole `ask` turn whose server
//! reports usage (session, store, streaming, the usage line, the JSON) never loads it; a turn
//! without usage counts its estimate when it ends, with the numbers of counting its texts; the
//! TUI's meter, told not to wait, puts its counts off until the tokenizer is loaded.
//! One test, in its own process: the probe (`usage::tokenizer_loaded`) is process-wide.

mod support;

use support::app::settings;
use support::fake_server::{FakeServer, Reply, chunk, pieces};
use thinkbench::ask::{self, AskOptions};
use thinkbench::config::CommonArgs;
use thinkbench::conversation::estimate_request_tokens;
use thinkbench::session::Session;
use thinkbench::store::SessionChoice;
use thinkbench::tui::meter::Meter;
use thinkbench::usage::{self, Usage};

const ANSWER: &str = "Mexico City is the capital of Mexico, high in the Valley of Mexico.";

fn without_usage() -> Reply {
    let mut events = vec![chunk::role()];
    events.extend(pieces(ANSWER).iter().map(|p| chunk::content(p)));
    events.push(chunk::finish("stop"));
    Reply::Sse {
        events,
        delay_ms: 0,
    }
}

/// One `ask` turn against `server` (stored in the settings' home), and the session after it.
async fn ask_once(server: &FakeServer, system: Option<&str>) -> (i32, Session) {
    let args = CommonArgs {
        model: Some("gpt-4o".into()),
        base_url: Some(server.base_url()),
        system: system.map(str::to_string),
        ..Default::default()
    };
    let (settings, home) = settings(&[("OPENAI_API_KEY", "sk-test")], args);
    let db = home.path().join("sessions.db");
    let (recorder, turns) = ask::open_session(&db, SessionChoice::New).unwrap();
    assert!(recorder.is_some(), "the store opens");
    assert!(turns.is_empty());
    let session = Session::new(settings.clone());
    let opts = AskOptions {
        json: true,
        ..Default::default()
    };
    let status = ask::run(session, "Capital of Mexico?".into(), vec![], opts, recorder).await;
    // The turn as stored, read back from the same file.
    let (_, stored) = ask::open_session(&db, SessionChoice::Latest).unwrap();
    let mut session = Session::new(settings);
    session.conversation = thinkbench::conversation::Conversation::restored(stored);
    drop(home);
    (status, session)
}

#[tokio::test]
async fn only_a_turn_without_usage_loads_the_tokenizer() {
    let reported = Usage {
        input: 14,
        output: 17,
        ..Default::default()
    };
    let with_usage = FakeServer::start(vec![Reply::reasoning_answer("", ANSWER, reported)]).await;
    let (status, session) = ask_once(&with_usage, Some("Be brief.")).await;
    assert_eq!(status, 0);
    let turn = &session.conversation.turns[0];
    assert_eq!(turn.answer, ANSWER);
    assert_eq!(turn.usage(), reported);
    assert!(turn.usage_line().contains("in 14"), "{}", turn.usage_line());
    assert!(
        !usage::tokenizer_loaded(),
        "a turn whose server reported usage loaded the tokenizer"
    );

    // The TUI's meter, told not to wait, puts off what needs the tokenizer (the system
    // prompt, the history, the draft) instead of loading it.
    let mut meter = Meter::new();
    meter.defer_until_loaded = true;
    meter.update(&session, "");
    meter.update(&session, "How high is it?");
    assert!(meter.waiting());
    // (The empty draft needs no tokenizer: it was counted.)
    assert_eq!((meter.history_counts(), meter.draft_counts()), (0, 1));
    assert!(!usage::tokenizer_loaded(), "the meter loaded the tokenizer");
    // Once it is loaded (the runtime does so on a thread of its own), it counts.
    usage::load_tokenizer();
    meter.update(&session, "How high is it?");
    assert!(!meter.waiting());
    assert_eq!((meter.history_counts(), meter.draft_counts()), (1, 2));
    let request = session.request_for("How high is it?");
    assert_eq!(
        meter.raw_request_tokens(),
        estimate_request_tokens(&request)
    );

    let silent = FakeServer::start(vec![without_usage()]).await;
    let (status, session) = ask_once(&silent, Some("Be brief.")).await;
    assert_eq!(status, 0);
    let turn = &session.conversation.turns[0];
    let u = turn.usage();
    assert!(u.estimated);
    // The stored estimate is the count of the request and of the answer.
    let request = Session::new(session.settings.clone()).request_for("Capital of Mexico?");
    assert_eq!(u.input, estimate_request_tokens(&request));
    assert_eq!(u.output, usage::estimate_tokens(ANSWER));
}
