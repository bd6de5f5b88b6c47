//! Credentials out of every URL that is shown or stored: [`urls`] rewrites each URL in a text
//! with its userinfo (`user:token@`) replaced by `***@` and the value of every query or
//! fragment parameter whose name looks like a credential (`key`, `api-key`, `token`,
//! `access_token`, `secret`, `password`, `sig`, `auth` …) replaced by `***`.
//!
//! Invariants: the rest of the text is kept byte for byte (a text without such a URL comes
//! back borrowed); nothing here panics on any text. Every error the API layer hands out
//! passes through `types::redacted_event` (see `api::run_turn`) or `types::redacted_error`
//! (the model listing), so a secret in a base URL, a redirect's target or a server's own
//! message never reaches a screen, the store or an export. Layering: imports nothing of
//! the project (`types` imports it, for its `Debug` and the two functions above).

use std::borrow::Cow;

/// What a secret is replaced with.
pub const MASK: &str = "***";

/// `text` with the credentials of every URL in it masked (see the module docs).
pub fn urls(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        // The scheme: letters, digits, `+`, `-`, `.` before `://`.
        let scheme_len = rest[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .count();
        let body_start = at + 3;
        let end = body_start + url_len(&rest[body_start..]);
        out.push_str(&rest[..body_start]);
        let body = &rest[body_start..end];
        let clean = if scheme_len == 0 {
            body.into()
        } else {
            url_body(body)
        };
        changed |= matches!(clean, Cow::Owned(_));
        out.push_str(&clean);
        rest = &rest[end..];
    }
    out.push_str(rest);
    if changed { out.into() } else { text.into() }
}

/// Bytes of `text` that belong to the URL it starts with (after `scheme://`): up to
/// whitespace, a quote, a bracket or a control character, without trailing punctuation.
fn url_len(text: &str) -> usize {
    let end = text
        .find(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '`')
        })
        .unwrap_or(text.len());
    text[..end]
        .trim_end_matches(['.', ',', ';', ':', ')', ']', '}', '!', '?'])
        .len()
}

/// The part of a URL after `scheme://`, with its credentials masked.
fn url_body(body: &str) -> Cow<'_, str> {
    let authority_end = body.find(['/', '?', '#']).unwrap_or(body.len());
    let (authority, tail) = body.split_at(authority_end);
    let authority: Cow<str> = match authority.rfind('@') {
        Some(at) => format!("{MASK}{}", &authority[at..]).into(),
        None => authority.into(),
    };
    let (path, params) = match tail.find(['?', '#']) {
        Some(at) => tail.split_at(at),
        None => (tail, ""),
    };
    let params = masked_params(params);
    if matches!((&authority, &params), (Cow::Borrowed(_), Cow::Borrowed(_))) {
        return body.into();
    }
    format!("{authority}{path}{params}").into()
}

/// `?a=1&key=x#token=y` with every credential-like value masked.
fn masked_params(params: &str) -> Cow<'_, str> {
    let mut out = String::with_capacity(params.len());
    let mut changed = false;
    // Each piece starts after a `?`, `&`, `;` or `#`, which is kept.
    let mut piece_start = 0;
    let bytes = params.as_bytes();
    for i in 0..=bytes.len() {
        let at_sep = i == bytes.len() || matches!(bytes[i], b'?' | b'&' | b';' | b'#');
        if !at_sep {
            continue;
        }
        let piece = &params[piece_start..i];
        match piece.split_once('=') {
            Some((name, value)) if !value.is_empty() && secret_name(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(MASK);
                changed = true;
            }
            _ => out.push_str(piece),
        }
        if i < bytes.len() {
            out.push(bytes[i] as char);
        }
        piece_start = i + 1;
    }
    if changed { out.into() } else { params.into() }
}

/// Whether a parameter called `name` probably carries a credential.
pub(crate) fn secret_name(name: &str) -> bool {
    let name: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "pwd",
        "sig",
        "auth",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_and_secret_parameters_are_masked() {
        let cases = [
            (
                "could not connect to https://user:tok3n@api.example.com/v1: refused",
                "could not connect to https://***@api.example.com/v1: refused",
            ),
            (
                "see http://h:8080/p?api-key=abc&x=1&access_token=zz#sig=q (now)",
                "see http://h:8080/p?api-key=***&x=1&access_token=***#sig=*** (now)",
            ),
            (
                "\"https://a@b.c?Key=1.\" and wss://u:p@x/y?X-Amz-Signature=9",
                "\"https://***@b.c?Key=***.\" and wss://***@x/y?X-Amz-Signature=***",
            ),
            (
                "redirected to https://x.example/?code=1&page=2.",
                "redirected to https://x.example/?code=1&page=2.",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(urls(text), want, "{text}");
        }
    }

    #[test]
    fn text_without_secrets_is_borrowed_and_odd_text_does_not_panic() {
        for text in [
            "plain",
            "http://127.0.0.1:8080/v1",
            "://",
            "a://@",
            "x://?&=#",
            "é://é@é?é=é",
        ] {
            let _ = urls(text);
        }
        assert!(matches!(
            urls("at http://127.0.0.1:1/v1/models"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            urls("://user:pw@host"),
            "://user:pw@host",
            "no scheme, no URL"
        );
    }
}
