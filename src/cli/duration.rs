//! One parser for every duration flag (`--timeout`, `--interval`,
//! `--wait-timeout`, `--wait-for-capacity`, `--token-ttl`, and the ages of
//! `--since` and `--until`), so each accepts the same forms: seconds (`90`, `2.5`), or
//! units (`30s`, `500ms`, `5m`, `1h30m`, `1h 30m`, `1.5h`, `1d`; a day is
//! 24 hours). Each flag keeps its own bounds, applied here too.

use std::time::Duration;

/// The forms, for error messages.
const FORMS: &str = "seconds (90, 2.5) or a duration with units (30s, 5m, 1h30m)";

const DAY: Duration = Duration::from_secs(86_400);
const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// The range a flag accepts.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// The least accepted; zero means zero is (waiting zero time means
    /// "try once").
    min: Duration,
    max: Duration,
    /// How the maximum reads in an error ("1 day").
    max_text: &'static str,
}

/// `--timeout` (each request): at least 100 ms (less cannot even connect),
/// at most a day.
pub fn timeout(text: &str) -> Result<Duration, String> {
    parse_within(text, TIMEOUT)
}

/// `--interval` (between two polls of `--follow` or `--watch`): at least
/// 200 ms (less would only busy the API), at most a day.
pub fn interval(text: &str) -> Result<Duration, String> {
    parse_within(text, INTERVAL)
}

/// `--wait-timeout` and `--wait-for-capacity` (how long to keep trying):
/// 0 (try once) up to a week.
pub fn wait(text: &str) -> Result<Duration, String> {
    parse_within(text, WAIT)
}

/// `serve --token-ttl` (how long a login's access token lives): more than
/// 0 (at least 1 ms), at most a week.
pub fn lifetime(text: &str) -> Result<Duration, String> {
    parse_within(text, LIFETIME)
}

const TIMEOUT: Bounds = Bounds {
    min: Duration::from_millis(100),
    max: DAY,
    max_text: "1 day",
};
const INTERVAL: Bounds = Bounds {
    min: Duration::from_millis(200),
    ..TIMEOUT
};
const WAIT: Bounds = Bounds {
    min: Duration::ZERO,
    max: WEEK,
    max_text: "1 week",
};
const LIFETIME: Bounds = Bounds {
    min: Duration::from_millis(1),
    ..WAIT
};

/// An age for `--since`/`--until` (`10m`, `2h`, `1d 12h`): a duration with
/// units, since a bare number there is a point in time (Unix seconds).
pub fn age(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.parse::<f64>().is_ok() {
        return None;
    }
    parse(text).ok()
}

fn parse_within(text: &str, bounds: Bounds) -> Result<Duration, String> {
    let duration = parse(text)?;
    if duration < bounds.min {
        return Err(format!("must be at least {:?}", bounds.min));
    }
    if duration > bounds.max {
        return Err(format!("must be at most {}", bounds.max_text));
    }
    Ok(duration)
}

/// Any duration of zero or more, in one of the forms above.
fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let seconds = match text.parse::<f64>() {
        Ok(seconds) => seconds,
        Err(_) => text
            .parse::<jiff::Span>()
            .ok()
            .and_then(|span| {
                span.total((
                    jiff::Unit::Second,
                    jiff::SpanRelativeTo::days_are_24_hours(),
                ))
                .ok()
            })
            .ok_or_else(|| format!("{text:?} is not a duration: use {FORMS}"))?,
    };
    if seconds < 0.0 {
        return Err("must not be negative".into());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("{text:?} is too long a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn every_form_is_accepted_by_every_flag() {
        for parse in [timeout, interval, wait, lifetime] {
            assert_eq!(parse("90"), Ok(secs(90.0)));
            assert_eq!(parse(" 2.5 "), Ok(secs(2.5)));
            assert_eq!(parse("30s"), Ok(secs(30.0)));
            assert_eq!(parse("500ms"), Ok(secs(0.5)));
            assert_eq!(parse("5m"), Ok(secs(300.0)));
            assert_eq!(parse("1h30m"), Ok(secs(5400.0)));
            assert_eq!(parse("1h 30m"), Ok(secs(5400.0)));
            assert_eq!(parse("1.5h"), Ok(secs(5400.0)));
            assert_eq!(parse("1d"), Ok(secs(86_400.0)));
        }
    }

    #[test]
    fn wrong_text_names_the_forms() {
        for parse in [timeout, interval, wait] {
            let err = parse("soon").unwrap_err();
            assert!(err.contains("1h30m") && err.contains("\"soon\""), "{err}");
            assert!(parse("10x").is_err());
            assert!(parse("").is_err());
            assert_eq!(parse("-5").unwrap_err(), "must not be negative");
            assert_eq!(parse("-5m").unwrap_err(), "must not be negative");
        }
    }

    #[test]
    fn each_flag_keeps_its_bounds() {
        assert_eq!(timeout("0").unwrap_err(), "must be at least 100ms");
        assert_eq!(timeout("1e-300").unwrap_err(), "must be at least 100ms");
        assert_eq!(timeout("0.1"), Ok(secs(0.1)));
        assert_eq!(interval("0s").unwrap_err(), "must be at least 200ms");
        assert_eq!(interval("1e-9").unwrap_err(), "must be at least 200ms");
        assert_eq!(interval("199ms").unwrap_err(), "must be at least 200ms");
        assert_eq!(interval("200ms"), Ok(secs(0.2)));
        assert_eq!(wait("1e-9"), Ok(Duration::from_nanos(1)));
        assert_eq!(wait("0"), Ok(Duration::ZERO));
        assert_eq!(timeout("1d"), Ok(DAY));
        assert_eq!(timeout("24h1s").unwrap_err(), "must be at most 1 day");
        assert_eq!(interval("2d").unwrap_err(), "must be at most 1 day");
        assert_eq!(wait("7d"), Ok(WEEK));
        assert_eq!(wait("8d").unwrap_err(), "must be at most 1 week");
        assert!(wait("99999999999999999999999h").is_err());
        assert_eq!(lifetime("0").unwrap_err(), "must be at least 1ms");
        assert_eq!(lifetime("7d"), Ok(WEEK));
        assert_eq!(lifetime("8d").unwrap_err(), "must be at most 1 week");
    }

    #[test]
    fn ages_need_a_unit() {
        assert_eq!(age("10m"), Some(secs(600.0)));
        assert_eq!(age("1d 12h"), Some(secs(129_600.0)));
        assert_eq!(age("1700000000"), None);
        assert_eq!(age("2.5"), None);
        assert_eq!(age("yesterday"), None);
    }
}
