use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn row(provider: &str, id: &str, current: bool) -> PickerRow {
    PickerRow {
        provider: provider.into(),
        id: id.into(),
        info: None,
        current,
        local: false,
        no_key: false,
        unverified: false,
    }
}

fn picker(rows: Vec<PickerRow>) -> Picker {
    let mut p = Picker {
        rows,
        ..Picker::default()
    };
    p.refilter();
    p.select_current();
    p
}

fn ids(p: &Picker) -> Vec<&str> {
    p.filtered.iter().map(|&i| p.rows[i].id.as_str()).collect()
}

#[test]
fn fuzzy_matching_prefers_contiguous_and_prefix_matches() {
    assert_eq!(fuzzy_score("", "openai/o3"), Some(0));
    assert_eq!(fuzzy_score("o3x", "openai/o3"), None);
    assert!(fuzzy_score("O3", "openai/o3").is_some());
    let s = |q: &str, c: &str| fuzzy_score(q, c).unwrap();
    // Exact id beats a longer id, which beats a scattered match.
    assert!(s("o3", "openai/o3") > s("o3", "openai/o3-mini"));
    assert!(s("o3", "openai/o3-mini") > s("o3", "openrouter/x/foo3"));
    // Contiguous beats scattered; a word start beats the middle of a word.
    assert!(s("mini", "openai/o4-mini") > s("mini", "openai/my-inline-name"));
    assert!(s("son", "anthropic/claude-sonnet-4") > s("son", "openai/gpt-4o-season"));
    // The provider is part of the name.
    assert!(fuzzy_score("anthsonnet", "anthropic/claude-sonnet-4").is_some());
    assert!(fuzzy_score("gpt5", "openai/gpt-5.2").is_some());
    // Greedy from a later start still finds a match the first start misses.
    assert!(fuzzy_score("ab", "a-xb").is_some());
}

#[test]
fn typing_filters_and_enter_selects() {
    let mut p = picker(vec![
        row("openai", "o1", false),
        row("openai", "o3-mini", true),
        row("openai", "o3", false),
        row("deepseek", "deepseek-chat", false),
    ]);
    assert_eq!(p.selected, 1, "the current model is selected");
    assert_eq!(ids(&p), ["o1", "o3-mini", "o3", "deepseek-chat"]);
    p.on_key(key(KeyCode::Char('o')));
    p.on_key(key(KeyCode::Char('3')));
    assert_eq!(ids(&p), ["o3", "o3-mini"]);
    assert_eq!(p.selected, 0);
    assert_eq!(
        p.on_key(key(KeyCode::Enter)),
        PickerAction::Select {
            provider: "openai".into(),
            model: "o3".into()
        }
    );
    p.on_key(key(KeyCode::Char('z')));
    assert!(p.filtered.is_empty());
    assert_eq!(p.on_key(key(KeyCode::Enter)), PickerAction::None);
    assert_eq!(p.on_key(key(KeyCode::Down)), PickerAction::None);
    for _ in 0..3 {
        p.on_key(key(KeyCode::Backspace));
    }
    assert_eq!(p.query, "");
    assert_eq!(p.filtered.len(), 4);
    assert_eq!(p.selected, 1, "back on the current model");
    assert_eq!(p.on_key(key(KeyCode::Esc)), PickerAction::Close);
}

#[test]
fn navigation_keys_stay_in_bounds() {
    let rows = (0..25)
        .map(|i| row("p", &format!("m{i}"), i == 0))
        .collect();
    let mut p = picker(rows);
    p.on_key(key(KeyCode::Up));
    assert_eq!(p.selected, 0);
    p.on_key(key(KeyCode::PageDown));
    assert_eq!(p.selected, 10);
    p.on_key(key(KeyCode::End));
    assert_eq!(p.selected, 24);
    p.on_key(key(KeyCode::Down));
    p.on_key(key(KeyCode::PageDown));
    assert_eq!(p.selected, 24);
    p.on_key(key(KeyCode::PageUp));
    assert_eq!(p.selected, 14);
    p.on_key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL));
    assert_eq!(p.selected, 13);
    p.on_key(key(KeyCode::Home));
    assert_eq!(p.selected, 0);
    p.on_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL));
    assert_eq!((p.selected, p.query.as_str()), (1, ""));
}

#[test]
fn non_chat_models_are_left_out() {
    for id in [
        "text-embedding-3-small",
        "whisper-1",
        "tts-1-hd",
        "dall-e-3",
    ] {
        assert!(!is_chat_model(id), "{id}");
    }
    for id in ["gpt-4o", "llama3.2:latest", "o3-mini-2025-01-31"] {
        assert!(is_chat_model(id), "{id}");
    }
}
