//! Names and ids that requests carry, checked in one place.

use super::error::CloudError;

/// Agent names follow the platform rule: `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`,
/// at most 54 characters.
pub fn validate_agent_name(name: &str) -> Result<(), CloudError> {
    let bytes = name.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-';
    let valid = !bytes.is_empty()
        && bytes.len() <= 54
        && bytes.iter().all(allowed)
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-');
    if valid {
        Ok(())
    } else {
        Err(CloudError::InvalidInput(format!(
            "Invalid agent name {name:?}: use 1 to 54 lowercase letters, digits and hyphens, starting and ending with a letter or digit"
        )))
    }
}

/// A session id in its canonical form (lowercase, hyphenated), the form
/// the server hands out and stores. Every spelling of a UUID is accepted
/// (uppercase, braces, `urn:uuid:`, no hyphens) because it names the same
/// session; anything else is not a session id.
pub fn session_id(id: &str) -> Result<String, CloudError> {
    uuid::Uuid::parse_str(id)
        .map(|uuid| uuid.hyphenated().to_string())
        .map_err(|_| {
            CloudError::InvalidInput(format!("Invalid session id {id:?}: expected a UUID"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_names_follow_the_platform_rule() {
        for ok in ["a", "my-first-agent", "a1", &"x".repeat(54)] {
            assert!(validate_agent_name(ok).is_ok(), "{ok}");
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
            &"x".repeat(55),
        ] {
            assert!(validate_agent_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_spelling_of_a_session_id_becomes_the_canonical_one() {
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
        for bad in ["", "not-a-uuid", "0f8e2a3c-5b1d-4e6f-9a7b", "../x"] {
            assert!(session_id(bad).is_err(), "{bad}");
        }
    }
}
