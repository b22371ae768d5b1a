//! The platform's rules for names the client sends and the local cloud
//! receives, defined once. Each check returns the message to show.

use super::limits::{MAX_SECRET_KEY_CHARS, SECRET_SET_NAME_CHARS};

/// A secret set name is a DNS subdomain, as the API document says:
/// `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`,
/// 3 to 63 characters.
pub fn check_secret_set_name(name: &str) -> Result<(), String> {
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes.first() != Some(&b'-')
            && bytes.last() != Some(&b'-')
    };
    if SECRET_SET_NAME_CHARS.contains(&name.len()) && name.split('.').all(label_ok) {
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

/// A region code (`us-west`, `local`): lowercase letters, digits and
/// hyphens, 1 to 63 characters, starting and ending with a letter or digit.
pub fn check_region_code(code: &str) -> Result<(), String> {
    let bytes = code.as_bytes();
    let valid = (1..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes.first() != Some(&b'-')
        && bytes.last() != Some(&b'-');
    if valid {
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
        for bad in ["", "US", "-x", "x-", "a_b"] {
            assert!(check_region_code(bad).is_err(), "{bad}");
        }
    }
}
