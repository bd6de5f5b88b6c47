//! Work the runtime starts off the UI thread: one task per request (a turn or an arm), and
//! the blocking or slow jobs (resolving a comparison's arms, switching model, fetching a
//! model list, counting a turn with the server's tokenizer) whose answers come back as
//! events.
//!
//! Invariant: whatever waits on a task hears back exactly once, even if the task panics: a
//! panic becomes the error of the turn, arm, switch or list it was working for (the panic
//! hook prints nothing for threads other than the UI's).

use super::app::{Event, StreamQueue};
use crate::api;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Run one turn's request (or one arm's: `arm`) in its own task, sending its events back to
/// the loop. A panic in the wire code ends the turn with an error instead of leaving it
/// streaming forever.
pub fn spawn_turn(
    tx: &mpsc::UnboundedSender<Event>,
    client: &reqwest::Client,
    endpoint: &api::Endpoint,
    turn_id: u64,
    arm: Option<u32>,
    request: api::ChatRequest,
) -> JoinHandle<()> {
    use futures_util::FutureExt;
    let tx = tx.clone();
    let client = client.clone();
    let endpoint = endpoint.clone();
    let event = move |event: api::StreamEvent| match arm {
        Some(arm) => Event::ArmStream {
            turn_id,
            arm,
            event,
            at: Instant::now(),
        },
        None => Event::Stream {
            turn_id,
            event,
            at: Instant::now(),
        },
    };
    // Events wait in a queue, runs of text folded, and the loop hears when it turns
    // non-empty: a backlog behind a slow screen costs its text, not an event per delta.
    let queue = StreamQueue::default();
    let send = move |e: api::StreamEvent| {
        if queue.push(event(e)) {
            let _ = tx.send(Event::Queued(queue.clone()));
        }
    };
    tokio::spawn(async move {
        let mut emit = send.clone();
        let run = api::run_turn(&client, &endpoint, &request, &mut emit);
        if let Err(payload) = std::panic::AssertUnwindSafe(run).catch_unwind().await {
            let what = panic_text(payload.as_ref());
            let error =
                api::ApiError::message(format!("internal error while reading the answer: {what}"));
            send(api::StreamEvent::Failed(error));
        }
    })
}

/// What a panic said (its `&str` or `String` payload), for an error message.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// `work()`'s result, or an error naming `what` and the panic when it panicked.
pub fn guarded<T>(what: &str, work: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        Err(format!(
            "internal error while {what}: {}",
            panic_text(payload.as_ref())
        ))
    })
}

/// Run blocking `work` off the loop; its result, or its panic as an error named by `what`,
/// goes back as the event `answer` makes of it.
pub fn spawn_blocking<T: Send + 'static>(
    tx: &mpsc::UnboundedSender<Event>,
    what: &'static str,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
    answer: impl FnOnce(Result<T, String>) -> Event + Send + 'static,
) {
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let _ = tx.send(answer(guarded(what, work)));
    });
}

/// Fetch `endpoint`'s model list in a task; the list, or why there is none (also a panic),
/// comes back as [`Event::ModelsFetched`].
pub fn fetch_models(
    tx: &mpsc::UnboundedSender<Event>,
    client: &reqwest::Client,
    endpoint: api::Endpoint,
) {
    use futures_util::FutureExt;
    let (tx, client) = (tx.clone(), client.clone());
    tokio::spawn(async move {
        let list = api::models::list_models(&client, &endpoint);
        let models = match std::panic::AssertUnwindSafe(list).catch_unwind().await {
            Ok(models) => models.map_err(|e| e.to_string()),
            Err(payload) => Err(format!(
                "internal error while listing models: {}",
                panic_text(payload.as_ref())
            )),
        };
        let _ = tx.send(Event::ModelsFetched {
            provider: endpoint.provider.clone(),
            models,
        });
    });
}

/// Count turn `turn_id`'s `texts` with `endpoint`'s tokenizer in a task; a count comes back
/// as [`Event::TokensCounted`]. A failure, or a panic, sends nothing: the estimate stays, and
/// nothing waits for it.
pub fn count_tokens(
    tx: &mpsc::UnboundedSender<Event>,
    client: &reqwest::Client,
    endpoint: api::Endpoint,
    turn_id: u64,
    texts: api::tokenize::Texts,
) {
    use futures_util::FutureExt;
    let (tx, client) = (tx.clone(), client.clone());
    tokio::spawn(async move {
        let count = api::tokenize::count(&client, &endpoint, &texts);
        if let Ok(Some(count)) = std::panic::AssertUnwindSafe(count).catch_unwind().await {
            let _ = tx.send(Event::TokensCounted { turn_id, count });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_in_background_work_becomes_its_error() {
        let ok: Result<u32, String> = guarded("switching model", || Ok(7));
        assert_eq!(ok, Ok(7));
        let failed: Result<u32, String> = guarded("switching model", || panic!("boom {}", 1));
        assert_eq!(
            failed,
            Err("internal error while switching model: boom 1".into())
        );
        let failed: Result<u32, String> = guarded("resolving arms", || panic!("static"));
        assert_eq!(
            failed,
            Err("internal error while resolving arms: static".into())
        );
    }

    #[tokio::test]
    async fn a_panicking_job_still_answers() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        spawn_blocking(
            &tx,
            "switching model",
            || -> Result<(), String> { panic!("no key") },
            |result| Event::ModelSwitched(result.map(|()| unreachable!())),
        );
        match rx.recv().await {
            Some(Event::ModelSwitched(Err(why))) => {
                assert_eq!(why, "internal error while switching model: no key")
            }
            other => panic!("expected the switch's error, got {other:?}"),
        }
    }
}
