//! Names and ids that requests carry, checked in one place by the
//! platform's rules (shared with the client in [`crate::api::names`]).

use super::error::CloudError;
use crate::api::names;

/// Agent names follow the platform rule ([`names::check_agent_name`]).
pub fn validate_agent_name(name: &str) -> Result<(), CloudError> {
    names::check_agent_name(name).map_err(CloudError::InvalidInput)
}

/// A session id in its canonical form (lowercase, hyphenated), the form
/// the server hands out and stores; every spelling of a UUID names the
/// same session ([`names::session_id`]).
pub fn session_id(id: &str) -> Result<String, CloudError> {
    names::session_id(id).map_err(CloudError::InvalidInput)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_names_and_ids_are_invalid_input() {
        assert!(validate_agent_name("my-agent").is_ok());
        assert!(matches!(
            validate_agent_name("My_Agent"),
            Err(CloudError::InvalidInput(message)) if message.starts_with("invalid agent name")
        ));
        assert_eq!(
            session_id("0F8E2A3C5B1D4E6F9A7B1C2D3E4F5A6B").unwrap(),
            "0f8e2a3c-5b1d-4e6f-9a7b-1c2d3e4f5a6b"
        );
        assert!(matches!(
            session_id("../x"),
            Err(CloudError::InvalidInput(message)) if message.contains("expected a UUID")
        ));
    }
}
