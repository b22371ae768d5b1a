//! Names and ids as the platform spells them, one definition each: the
//! client refuses a bad one before sending anything, and the local cloud
//! answers it with a 400.

/// Longest agent name the platform accepts, in characters.
pub const MAX_AGENT_NAME_CHARS: usize = 54;

/// A name or id that breaks the platform's rule; says which rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidName(String);

/// Agent names follow the platform rule `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`,
/// at most [`MAX_AGENT_NAME_CHARS`] characters.
pub fn check_agent_name(name: &str) -> Result<(), InvalidName> {
    let bytes = name.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let valid = !bytes.is_empty()
        && bytes.len() <= MAX_AGENT_NAME_CHARS
        && bytes.iter().all(allowed)
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-');
    if valid {
        Ok(())
    } else {
        Err(InvalidName(format!(
            "invalid agent name {name:?}: use 1 to {MAX_AGENT_NAME_CHARS} lowercase letters, \
             digits and hyphens, starting and ending with a letter or digit"
        )))
    }
}

/// A session id in the form the platform hands out (lowercase, with
/// hyphens). Session ids are UUIDs, and every spelling of one (uppercase,
/// braces, `urn:uuid:`, no hyphens) names the same session; anything else
/// is not a session id.
pub fn session_id(id: &str) -> Result<String, InvalidName> {
    uuid::Uuid::parse_str(id)
        .map(|uuid| uuid.hyphenated().to_string())
        .map_err(|_| InvalidName(format!("invalid session id {id:?}: expected a UUID")))
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
            assert!(err.to_string().starts_with("invalid agent name"), "{err}");
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
            assert!(err.to_string().contains("expected a UUID"), "{err}");
        }
    }
}
