use super::*;
use crate::catalog::SyncedFile;

const SAMPLE: &str = include_str!("../../../tests/fixtures/models.dev/api.json");

fn read() -> Read {
    read_models_dev(SAMPLE, &Catalog::builtin()).unwrap()
}

fn find<'a>(r: &'a Read, provider: &str, id: &str) -> Option<&'a ModelEntry> {
    r.entries
        .iter()
        .find(|e| e.provider == provider && e.id == id)
}

#[test]
fn the_sample_maps_prices_limits_vision_and_tiers() {
    let r = read();
    let o3 = find(&r, "openai", "o3").unwrap();
    let p = o3.price.unwrap();
    assert_eq!(
        (p.input, p.cached_input, p.output, p.cache_write),
        (1.5, Some(0.375), 6.0, None)
    );
    assert_eq!(
        (o3.context_window, o3.max_output_tokens),
        (Some(200000), Some(100000))
    );
    assert_eq!(o3.vision, Some(true));
    // A known model keeps the catalog's reasoning and efforts: none are written.
    assert_eq!((o3.reasoning, o3.efforts.as_ref()), (None, None));
    // A new one takes the published reasoning flag.
    assert_eq!(find(&r, "openai", "o3-pro").unwrap().reasoning, Some(true));
    assert_eq!(find(&r, "openai", "o3-mini").unwrap().vision, Some(false));
    let tier = find(&r, "anthropic", "claude-sonnet-4-5")
        .unwrap()
        .price
        .unwrap()
        .tier
        .unwrap();
    assert_eq!(
        (
            tier.above_input,
            tier.input,
            tier.cached_input,
            tier.output,
            tier.cache_write
        ),
        (200_000, 6.0, Some(0.6), 22.5, Some(7.5))
    );
    assert!(find(&r, "deepseek", "deepseek-reasoner").is_some());
    // Not read: another provider, a deprecated unknown model, an image model.
    assert!(r.entries.iter().all(|e| e.provider != "google"));
    assert!(find(&r, "openai", "gpt-4-turbo").is_none());
    assert_eq!(r.deprecated, 1);
    assert!(find(&r, "openai", "gpt-image-1").is_none());
}

#[test]
fn figures_that_make_no_sense_skip_their_model_and_say_why() {
    let r = read();
    assert!(find(&r, "openai", "gpt-4.1-nano").is_none());
    assert!(find(&r, "openai", "gpt-4o-mini").is_none());
    assert_eq!(r.skipped.len(), 2, "{:?}", r.skipped);
    assert!(
        r.skipped
            .iter()
            .any(|s| s.starts_with("openai/gpt-4.1-nano: price `input`"))
    );
    assert!(
        r.skipped
            .iter()
            .any(|s| s.starts_with("openai/gpt-4o-mini: `limit.context`"))
    );
    let absurd = |cost: &str, limit: &str| {
        let text = format!(
            r#"{{"openai":{{"models":{{"x":{{"cost":{cost},"limit":{limit}}}, "o3":{{"cost":{{"input":2,"output":8}}}}}}}}}}"#
        );
        read_models_dev(&text, &Catalog::builtin()).unwrap().skipped
    };
    assert_eq!(absurd(r#"{"input":1e300,"output":1}"#, "{}").len(), 1);
    assert_eq!(absurd(r#"{"input":"cheap","output":1}"#, "{}").len(), 1);
    assert_eq!(absurd("{}", r#"{"context":1e12}"#).len(), 1);
    assert_eq!(absurd("{}", r#"{"context":-5}"#).len(), 1);
    assert_eq!(absurd("[]", "{}").len(), 1);
    assert_eq!(
        absurd(r#"{"input":1,"output":2}"#, r#"{"context":1000}"#).len(),
        0
    );
    let bad_id = r#"{"openai":{"models":{"a b":{"cost":{"input":1,"output":1}},"o3":{"cost":{"input":2,"output":8}}}}}"#;
    let r = read_models_dev(bad_id, &Catalog::builtin()).unwrap();
    assert_eq!(r.skipped.len(), 1);
    assert!(r.skipped[0].contains("spaces"), "{:?}", r.skipped);
}

#[test]
fn a_broken_or_foreign_document_is_an_error() {
    let known = Catalog::builtin();
    // Truncated anywhere: never a partial catalog.
    for cut in [1, SAMPLE.len() / 3, SAMPLE.len() / 2, SAMPLE.len() - 2] {
        let err = read_models_dev(&SAMPLE[..cut], &known).unwrap_err();
        assert!(err.contains("nothing was changed"), "{cut}: {err}");
    }
    assert!(
        read_models_dev("[1,2]", &known)
            .unwrap_err()
            .contains("not a models.dev")
    );
    assert!(
        read_models_dev(r#"{"google":{"models":{}}}"#, &known)
            .unwrap_err()
            .contains("no `models`")
    );
    assert!(
        read_models_dev(r#"{"openai":{"models":{}}}"#, &known)
            .unwrap_err()
            .contains("no usable model")
    );
    // The documented wrapper shape reads the same.
    let wrapped = format!(r#"{{"providers":{SAMPLE}}}"#);
    assert_eq!(read_models_dev(&wrapped, &known).unwrap(), read());
}

#[test]
fn the_entries_make_an_overlay_and_the_changes_are_reported() {
    let before = Catalog::builtin();
    let file = SyncedFile {
        synced_at: "2026-12-03".into(),
        source: "sample".into(),
        models: read().entries,
    };
    // The overlay round-trips through its file format.
    let again = SyncedFile::parse(&file.to_toml().unwrap()).unwrap();
    assert_eq!(again, file);
    let mut after = Catalog::builtin();
    after.apply_synced(again).unwrap();
    let c = changes(&before, &after);
    let new: Vec<_> = c
        .new
        .iter()
        .map(|m| format!("{}/{}", m.provider, m.id))
        .collect();
    assert_eq!(
        new,
        ["openai/o3-pro", "anthropic/claude-3-5-haiku-20241022"]
    );
    let priced: Vec<_> = c.prices.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(priced, ["o3"]);
    assert_eq!(c.prices[0].before.unwrap().input, 2.0);
    assert_eq!(c.prices[0].after.unwrap().input, 1.5);
    let limits: Vec<_> = c.limits.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(limits, ["claude-opus-4-1"]);
    assert_eq!(c.limits[0].limits[1], (Some(32000), Some(64000)));
    assert!(c.gone.is_empty());
    // o3-mini, claude-sonnet-4-5, deepseek-chat and deepseek-reasoner: read, the same.
    assert_eq!(c.unchanged, 4);
    // A known model keeps its rules and efforts; o3 is still o3.
    let o3 = after.lookup_exact("openai", "o3").unwrap();
    let builtin_o3 = before.lookup_exact("openai", "o3").unwrap();
    assert_eq!((o3.api, &o3.efforts), (builtin_o3.api, &builtin_o3.efforts));
    assert_eq!(o3.origins.price, Origin::Synced);
    assert_eq!(after.prices_as_of(), Some("2026-12-03"));
    // Syncing again from the same figures changes nothing; a model an earlier sync added
    // and the new one lacks is reported as gone.
    assert_eq!(changes(&after, &after).prices, []);
    let gone = changes(&after, &before).gone;
    assert_eq!(
        gone,
        ["openai/o3-pro", "anthropic/claude-3-5-haiku-20241022"]
    );
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text reads to an error or to entries that build; it never panics.
        #[test]
        fn any_text_reads_without_panic(text in ".{0,400}") {
            if let Ok(r) = read_models_dev(&text, &Catalog::builtin()) {
                prop_assert!(!r.entries.is_empty());
            }
        }

        /// The sample with one byte changed: whatever reads must apply as an overlay.
        #[test]
        fn a_damaged_sample_never_makes_a_bad_overlay(at in 0usize..SAMPLE.len(), byte in any::<u8>()) {
            let mut bytes = SAMPLE.as_bytes().to_vec();
            bytes[at] = byte;
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(r) = read_models_dev(&text, &Catalog::builtin()) {
                let file = SyncedFile { synced_at: "2026-12-03".into(), source: "x".into(), models: r.entries };
                let mut c = Catalog::builtin();
                prop_assert!(c.apply_synced(SyncedFile::parse(&file.to_toml().unwrap()).unwrap()).is_ok());
            }
        }
    }
}
