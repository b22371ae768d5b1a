//! The platform's rules for names and ids the client sends and the local
//! cloud receives, one definition each: the client refuses a bad one before
//! sending anything, and the local cloud answers it with a 400. Each check
//! returns the message to show.

use super::limits::{MAX_AGENT_NAME_CHARS, MAX_SECRET_KEY_CHARS, SECRET_SET_NAME_CHARS};

/// The label rule the platform's names share: lowercase letters, digits
/// and hyphens, starting and ending with a letter or digit
/// (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`).
fn is_label(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-')
}

/// Agent names are one label (`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) of at
/// most [`MAX_AGENT_NAME_CHARS`] characters.
pub fn check_agent_name(name: &str) -> Result<(), String> {
    if name.len() <= MAX_AGENT_NAME_CHARS && is_label(name) {
        Ok(())
    } else {
        Err(format!(
            "invalid agent name {name:?}: use 1 to {MAX_AGENT_NAME_CHARS} lowercase letters, \
             digits and hyphens, starting and ending with a letter or digit"
        ))
    }
}

/// A session id in the form the platform hands out (lowercase, with
/// hyphens). Session ids are UUIDs, and every spelling of one (uppercase,
/// braces, `urn:uuid:`, no hyphens) names the same session; anything else
/// is not a session id.
pub fn session_id(id: &str) -> Result<String, String> {
    uuid::Uuid::parse_str(id)
        .map(|uuid| uuid.hyphenated().to_string())
        .map_err(|_| format!("invalid session id {id:?}: expected a UUID"))
}

/// A build id as the platform hands it out: a UUID, lowercase with
/// hyphens (any spelling of the same UUID names the same build).
pub fn build_id(id: &str) -> Result<String, String> {
    uuid::Uuid::parse_str(id)
        .map(|uuid| uuid.hyphenated().to_string())
        .map_err(|_| format!("invalid build id {id:?}: expected a UUID"))
}

/// A secret set name is a DNS subdomain, as the API document says:
/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`,
/// 3 to 63 characters.
pub fn check_secret_set_name(name: &str) -> Result<(), String> {
    if SECRET_SET_NAME_CHARS.contains(&name.len()) && name.split('.').all(is_label) {
        Ok(())
    } else {
        Err(format!(
            "invalid secret set name {name:?}: use {} to {} lowercase letters, digits, hyphens and dots, \
             starting and ending with a letter or digit",
            SECRET_SET_NAME_CHARS.start(),
            SECRET_SET_NAME_CHARS.end()
        ))
    }
}

/// A secret key becomes an environment variable name: letters, digits,
/// `_` and `-`, at most [`MAX_SECRET_KEY_CHARS`].
pub fn check_secret_key(key: &str) -> Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !key.is_empty() && key.len() <= MAX_SECRET_KEY_CHARS && key.chars().all(allowed) {
        Ok(())
    } else {
        Err(format!(
            "invalid secret key {key:?}: use 1 to {MAX_SECRET_KEY_CHARS} letters, digits, `_` and `-`"
        ))
    }
}

/// A region code (`us-west`, `local`): one label of 1 to 63 characters.
pub fn check_region_code(code: &str) -> Result<(), String> {
    if code.len() <= 63 && is_label(code) {
        Ok(())
    } else {
        Err(format!(
            "invalid region {code:?}: use 1 to 63 lowercase letters, digits and hyphens"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_names_follow_the_platform_rule() {
        for ok in ["a", "my-first-agent", "a1", &"x".repeat(54)] {
            assert!(check_agent_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a.b",
            "../x",
            "a b",
            "é",
            &"x".repeat(55),
        ] {
            let err = check_agent_name(bad).unwrap_err();
            assert!(err.starts_with("invalid agent name"), "{err}");
        }
    }

    #[test]
    fn every_spelling_of_a_session_id_becomes_the_platforms() {
        let canonical = "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b";
        for spelling in [
            canonical,
            "0F8E2A3C-5B1D-4E6F-9A7B-1C2D3E4F5A6B",
            "{0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b}",
            "urn:uuid:0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b",
            "0f8e2a3c5b1d4e6f9a7b1c2d3e4f5a6b",
        ] {
            assert_eq!(session_id(spelling).unwrap(), canonical, "{spelling}");
        }
        for bad in ["", "s-1", "not-a-uuid", "0f8e2a3c-5b1d-4e6f-9a7b", "../x"] {
            let err = session_id(bad).unwrap_err();
            assert!(err.contains("expected a UUID"), "{err}");
        }
    }

    #[test]
    fn secret_set_names_follow_the_api_document() {
        for ok in ["abc", "my-agent-secrets", "a.b.c", "x1y", &"a".repeat(63)] {
            assert!(check_secret_set_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "",
            "-abc",
            "abc-",
            "ABC",
            "a_b_c",
            "a..b",
            "a b c",
            &"a".repeat(64),
        ] {
            assert!(check_secret_set_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secret_keys_are_environment_names() {
        for ok in ["OPENAI_API_KEY", "a", "key-1", &"K".repeat(64)] {
            assert!(check_secret_key(ok).is_ok(), "{ok}");
        }
        for bad in ["", "A B", "A=B", "é", "export FOO", &"K".repeat(65)] {
            assert!(check_secret_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn region_codes_are_lowercase_words() {
        assert!(check_region_code("us-west").is_ok());
        assert!(check_region_code("local").is_ok());
        for bad in ["", "US", "-x", "x-", "a_b", &"a".repeat(64)] {
            assert!(check_region_code(bad).is_err(), "{bad}");
        }
    }
}
