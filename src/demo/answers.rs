//! The canned texts of the demo (the Markdown files in `answers/`): a few answers that
//! between them show headings, lists, tables and code blocks, and the reasoning a demo model
//! thinks through, paragraph by paragraph.
//!
//! Invariants: every answer says, in its last line, that it is a canned demo answer; the
//! choice of answer depends only on the prompt and the number of user turns.

const TOUR: &str = include_str!("answers/tour.md");
const CODE: &str = include_str!("answers/code.md");
const NUMBERS: &str = include_str!("answers/numbers.md");
const REASONING: &str = include_str!("answers/reasoning.md");

/// Every canned answer.
pub const ANSWERS: &[&str] = &[TOUR, CODE, NUMBERS];

/// Most characters of the prompt quoted in the reasoning.
const QUOTE_CHARS: usize = 80;

/// The answer to `prompt`: one on code or on numbers when the prompt is about them, else
/// the tour for the first turn and the others in turn after it.
pub fn answer(prompt: &str, user_turns: usize) -> &'static str {
    let p = prompt.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| p.contains(w));
    if has(&[
        "code", "rust", "python", "function", "program", "stream", "sse",
    ]) {
        CODE
    } else if has(&["prime", "number", "math", "1009", "divis"]) {
        NUMBERS
    } else {
        ANSWERS[user_turns.saturating_sub(1) % ANSWERS.len()]
    }
}

/// The first `paragraphs` paragraphs of the canned reasoning (all of them at most), the
/// prompt quoted on one line in the first.
pub fn reasoning(prompt: &str, paragraphs: usize) -> String {
    let quote: String = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    let quote = match quote.char_indices().nth(QUOTE_CHARS) {
        Some((at, _)) => format!("{}…", &quote[..at]),
        None => quote,
    };
    let paras: Vec<&str> = REASONING.trim().split("\n\n").take(paragraphs).collect();
    paras.join("\n\n").replace("{prompt}", &quote)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_says_it_is_a_demo_and_together_they_show_tables_and_code() {
        for a in ANSWERS {
            let last = a.trim_end().lines().last().unwrap_or_default();
            assert!(last.contains("offline demo"), "{last}");
            assert!(a.contains("\n# ") || a.starts_with("# "));
            assert!(a.contains("|---") || a.contains("|--:"), "a table");
            assert!(a.matches("```").count() >= 4, "two code blocks");
        }
    }

    #[test]
    fn the_prompt_picks_the_answer() {
        assert_eq!(answer("Show me some Rust code", 1), CODE);
        assert_eq!(answer("is 1009 prime?", 1), NUMBERS);
        assert_eq!(answer("hello", 1), TOUR);
        assert_eq!(answer("hello", 2), CODE);
    }

    #[test]
    fn reasoning_quotes_the_prompt_on_one_line_and_grows_by_paragraphs() {
        let one = reasoning("why\nis the sky\tblue?", 1);
        assert!(one.contains("“why is the sky blue?”"), "{one}");
        assert!(!one.contains("\n\n"));
        let long = "x".repeat(500);
        assert!(reasoning(&long, 1).contains(&format!("{}…", "x".repeat(80))));
        let all = reasoning("q", usize::MAX);
        assert!(all.len() > reasoning("q", 3).len());
        assert!(all.starts_with(&reasoning("q", 3)));
    }
}
