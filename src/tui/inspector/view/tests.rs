use super::*;

#[test]
fn sections_share_out_any_height() {
    for h in 0..80 {
        for n in [0, 1, 6, 100] {
            let s = sections(h, n, 3);
            let sum =
                s.title + s.table + s.gap_chart + s.chart + s.gap_totals + s.totals + s.footer;
            assert!(sum <= h, "{h} {n} {s:?}");
        }
    }
    let s = sections(40, 6, 3);
    assert_eq!((s.table, s.chart, s.totals), (7, 7, 5));
    assert_eq!((s.gap_chart, s.gap_totals), (1, 1));
}

#[test]
fn bars_keep_small_parts_visible() {
    assert_eq!(bar_split(10_000, 100, 20, 10_100), (19, 1));
    assert_eq!(bar_split(0, 500, 20, 10_000), (0, 1));
    assert_eq!(bar_split(5_000, 5_000, 20, 10_000), (10, 10));
    assert_eq!(bar_split(1, 1, 0, 2), (0, 0));
    assert_eq!(bar_split(0, 0, 20, 0), (0, 0));
}
