//! How values read in tables and key/value views: timestamps and
//! durations.

/// `YYYY-MM-DD HH:MM:SS` in UTC, as the official CLI shows times; the raw
/// text when it is not an RFC 3339 timestamp.
pub fn format_timestamp(raw: &str) -> String {
    match raw.parse::<jiff::Timestamp>() {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => raw.to_string(),
    }
}

/// `HH:MM:SS` for a number of seconds (hours grow past 99 if need be).
pub fn format_duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}",
        total / 3600,
        (total % 3600) / 60,
        total % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_durations() {
        assert_eq!(
            format_timestamp("2025-10-22T08:39:26.123456789Z"),
            "2025-10-22 08:39:26"
        );
        assert_eq!(format_timestamp("yesterday"), "yesterday");
        assert_eq!(format_duration(3725.4), "01:02:05");
        assert_eq!(format_duration(-3.0), "00:00:00");
    }
}
