//! Tests of the meter's session totals.

use super::*;

use crate::tui::meter::family::tests::turn;

#[test]
fn totals_group_by_model_and_flag_unknown_prices() {
    let turns = vec![turn("a", "x", 10), turn("b", "x", 20), turn("a", "x", 30)];
    let totals = Totals::of(&turns);
    assert_eq!(totals.per_model.len(), 2);
    assert_eq!(totals.per_model[0].turns, 2);
    assert_eq!(totals.per_model[0].usage.input, 40);
    assert!(totals.overall.cost_unknown && totals.overall.usage.estimated);
    assert_eq!(totals.overall.usage.input, 60);
}
