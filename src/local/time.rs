//! Timestamps: stored as Unix nanoseconds (so SQL can sort and filter them),
//! shown as RFC 3339 UTC strings like the real API.

use jiff::Timestamp;

/// Now, in nanoseconds since the Unix epoch.
pub fn now_ns() -> i64 {
    i64::try_from(Timestamp::now().as_nanosecond()).unwrap_or(i64::MAX)
}

/// `2025-04-18T20:34:17.153744602Z` (log lines carry nanoseconds).
pub fn rfc3339_nanos(ns: i64) -> String {
    let (seconds, nanos) = split(ns);
    format!("{seconds}.{nanos:09}Z")
}

/// `2025-04-19T01:20:27.564Z` (records carry milliseconds, like the API).
pub fn rfc3339_millis(ns: i64) -> String {
    let (seconds, nanos) = split(ns);
    format!("{seconds}.{:03}Z", nanos / 1_000_000)
}

fn split(ns: i64) -> (String, i64) {
    let ts = Timestamp::from_nanosecond(i128::from(ns)).unwrap_or(Timestamp::UNIX_EPOCH);
    let nanos = ns.rem_euclid(1_000_000_000);
    (ts.strftime("%Y-%m-%dT%H:%M:%S").to_string(), nanos)
}

/// Seconds between two nanosecond instants, as a float for JSON.
pub fn seconds_between(from_ns: i64, to_ns: i64) -> f64 {
    (to_ns.saturating_sub(from_ns)) as f64 / 1e9
}

/// Parses Unix seconds as given in a query (`1713472457` or
/// `1713472457.153744602`) into nanoseconds, exactly: a float would lose
/// the nanoseconds that log following relies on.
pub fn parse_unix_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    // At least one digit somewhere: "-", "." and "-." are not numbers.
    let digits = whole.trim_start_matches('-');
    if digits.is_empty() && fraction.is_empty() {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let negative = whole.starts_with('-');
    let seconds: i64 = if whole.is_empty() || whole == "-" {
        0
    } else {
        whole.parse().ok()?
    };
    let mut digits: String = fraction.chars().take(9).collect();
    while digits.len() < 9 {
        digits.push('0');
    }
    let nanos: i64 = digits.parse().ok()?;
    let nanos = if negative { -nanos } else { nanos };
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_or_a_dot_alone_is_not_a_time() {
        for text in ["-", ".", "-.", ""] {
            assert_eq!(parse_unix_seconds(text), None, "{text:?}");
        }
        assert_eq!(parse_unix_seconds("-.5"), Some(-500_000_000));
        assert_eq!(parse_unix_seconds(".5"), Some(500_000_000));
    }

    #[test]
    fn formats_with_fixed_precision() {
        let ns = 1_713_472_457_153_744_602;
        assert_eq!(rfc3339_nanos(ns), "2024-04-18T20:34:17.153744602Z");
        assert_eq!(rfc3339_millis(ns), "2024-04-18T20:34:17.153Z");
        assert_eq!(
            rfc3339_nanos(1_000_000_000),
            "1970-01-01T00:00:01.000000000Z"
        );
    }

    #[test]
    fn parses_unix_seconds_exactly() {
        assert_eq!(parse_unix_seconds("12"), Some(12_000_000_000));
        assert_eq!(parse_unix_seconds("1.5"), Some(1_500_000_000));
        assert_eq!(
            parse_unix_seconds("1713472457.153744602"),
            Some(1_713_472_457_153_744_602)
        );
        assert_eq!(parse_unix_seconds("abc"), None);
        assert_eq!(parse_unix_seconds("1.x"), None);
        assert_eq!(parse_unix_seconds(""), None);
    }
}
