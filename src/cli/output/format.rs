//! How values read in tables and key/value views: timestamps and
//! durations.
//!
//! Times are shown in the local time zone unless `--utc` says otherwise,
//! and always say which zone they are in: a table names it in the title
//! of each time column, a key/value view after each time, plain output
//! writes RFC 3339 with the offset. JSON keeps the API's own text.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The zone times are shown in, and the moment "today" is judged from.
#[derive(Debug, Clone)]
pub struct Clock {
    zone: TimeZone,
    /// `None`: the real time, read when asked.
    fixed_now: Option<Timestamp>,
}

impl Clock {
    /// UTC with `--utc`, else the system's zone (`TZ`, else
    /// `/etc/localtime`; UTC when neither says).
    pub fn new(utc: bool) -> Clock {
        Clock {
            zone: if utc {
                TimeZone::UTC
            } else {
                TimeZone::system()
            },
            fixed_now: None,
        }
    }

    /// A clock in `zone` whose "now" is always `now` (for tests).
    #[cfg(test)]
    pub fn fixed(zone: TimeZone, now: Timestamp) -> Clock {
        Clock {
            zone,
            fixed_now: Some(now),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.fixed_now.unwrap_or_else(Timestamp::now)
    }

    /// The zone's name as shown: its abbreviation now (`CET`, `UTC`).
    pub fn zone_label(&self) -> String {
        self.label_at(self.now())
    }

    fn label_at(&self, at: Timestamp) -> String {
        let info = self.zone.to_offset_info(at);
        let abbreviation = info.abbreviation();
        if abbreviation.is_empty() {
            format!("UTC{}", info.offset())
        } else {
            abbreviation.to_string()
        }
    }

    /// A time in a table cell, as short as reads unambiguously next to
    /// the zone in the column's title: `08:39:26` today, `Oct 22 08:39`
    /// this year, `2024-10-22 08:39` before. A time in another offset
    /// than now's (across a daylight saving change) names its zone.
    /// Text that is not an RFC 3339 timestamp is shown as it is.
    pub fn short(&self, raw: &str) -> String {
        let Ok(ts) = raw.parse::<Timestamp>() else {
            return raw.to_string();
        };
        let now = self.now();
        let at = ts.to_zoned_datetime(self.zone.clone());
        let today = now.to_zoned_datetime(self.zone.clone());
        let text = if at.date() == today.date() {
            at.strftime("%H:%M:%S").to_string()
        } else if at.year() == today.year() {
            at.strftime("%b %d %H:%M").to_string()
        } else {
            at.strftime("%Y-%m-%d %H:%M").to_string()
        };
        if at.offset() == today.offset() {
            text
        } else {
            format!("{text} {}", self.label_at(ts))
        }
    }

    /// A time in full with its zone, for a person: `2025-10-22 10:39:26
    /// CEST`. Text that is not an RFC 3339 timestamp is shown as it is.
    pub fn full(&self, raw: &str) -> String {
        match raw.parse::<Timestamp>() {
            Ok(ts) => format!(
                "{} {}",
                ts.to_zoned_datetime(self.zone.clone())
                    .strftime("%Y-%m-%d %H:%M:%S"),
                self.label_at(ts)
            ),
            Err(_) => raw.to_string(),
        }
    }

    /// A time for a script: RFC 3339 with the offset, to the second
    /// (`2025-10-22T10:39:26+02:00`, or `...Z` in UTC). Text that is not
    /// an RFC 3339 timestamp is left as it is.
    pub fn machine(&self, raw: &str) -> String {
        let Ok(ts) = raw.parse::<Timestamp>() else {
            return raw.to_string();
        };
        let at = ts.to_zoned_datetime(self.zone.clone());
        if at.offset() == jiff::tz::Offset::UTC && self.zone == TimeZone::UTC {
            at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            at.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        }
    }
}

/// A count with its noun: `1 agent`, `2 agents`, `0 agents`.
pub fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// A size for a person: `913 B`, `1.2 KiB`, `21.4 MiB`, `1.1 GiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    format!("{size:.1} {}", UNITS[unit])
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

/// A wait's length for a person: `45s`, `5m`, `3m 05s`, `1h`, `1h 02m`.
pub fn format_elapsed(elapsed: std::time::Duration) -> String {
    let total = elapsed.as_secs_f64().round() as u64;
    let (big, small) = match total {
        0..60 => return format!("{total}s"),
        60..3600 => ((total / 60, "m"), (total % 60, "s")),
        _ => ((total / 3600, "h"), ((total % 3600) / 60, "m")),
    };
    match small {
        (0, _) => format!("{}{}", big.0, big.1),
        (n, unit) => format!("{}{} {n:02}{unit}", big.0, big.1),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counted_says_one_noun_or_many() {
        assert_eq!(super::counted(1, "agent"), "1 agent");
        assert_eq!(super::counted(0, "agent"), "0 agents");
        assert_eq!(super::counted(3, "active session"), "3 active sessions");
    }

    use super::*;

    fn paris() -> TimeZone {
        // A POSIX rule, so the test needs no time zone database.
        TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap()
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn sizes_read_as_a_person_writes_them() {
        assert_eq!(format_bytes(913), "913 B");
        assert_eq!(format_bytes(1024), "1.0 KiB");
        assert_eq!(format_bytes(22_397_046), "21.4 MiB");
        assert_eq!(format_bytes(500 * 1024 * 1024 * 1024 * 3), "1500.0 GiB");
    }

    #[test]
    fn table_times_drop_what_today_makes_obvious() {
        let clock = Clock::fixed(paris(), at("2025-10-22T12:00:00Z"));
        assert_eq!(clock.zone_label(), "CEST");
        assert_eq!(clock.short("2025-10-22T08:39:26.123Z"), "10:39:26");
        assert_eq!(clock.short("2025-10-01T08:39:26Z"), "Oct 01 10:39");
        assert_eq!(clock.short("2024-10-01T08:39:26Z"), "2024-10-01 10:39");
        // Across the change to winter time, the cell names its zone.
        assert_eq!(clock.short("2025-01-05T08:39:26Z"), "Jan 05 09:39 CET");
        assert_eq!(clock.short("-"), "-");
        // "Today" is the zone's day, not UTC's.
        let late = Clock::fixed(paris(), at("2025-10-22T22:30:00Z"));
        assert_eq!(late.short("2025-10-22T22:10:00Z"), "00:10:00");
        assert_eq!(late.short("2025-10-22T21:50:00Z"), "Oct 22 23:50");
    }

    #[test]
    fn full_and_machine_times_carry_their_zone() {
        let clock = Clock::fixed(paris(), at("2025-10-22T12:00:00Z"));
        assert_eq!(
            clock.full("2025-10-22T08:39:26.5Z"),
            "2025-10-22 10:39:26 CEST"
        );
        assert_eq!(
            clock.machine("2025-10-22T08:39:26.5Z"),
            "2025-10-22T10:39:26+02:00"
        );
        let utc = Clock::fixed(TimeZone::UTC, at("2025-10-22T12:00:00Z"));
        assert_eq!(utc.full("2025-10-22T08:39:26Z"), "2025-10-22 08:39:26 UTC");
        assert_eq!(utc.machine("2025-10-22T08:39:26Z"), "2025-10-22T08:39:26Z");
        assert_eq!(utc.machine("yesterday"), "yesterday");
        let fixed = Clock::fixed(
            TimeZone::fixed(jiff::tz::offset(5)),
            at("2025-10-22T12:00:00Z"),
        );
        assert!(fixed.zone_label().contains("05"), "{}", fixed.zone_label());
    }

    #[test]
    fn durations_and_waits() {
        assert_eq!(format_duration(3725.4), "01:02:05");
        assert_eq!(format_duration(-3.0), "00:00:00");
        let secs = std::time::Duration::from_secs;
        assert_eq!(format_elapsed(secs(45)), "45s");
        assert_eq!(format_elapsed(secs(185)), "3m 05s");
        assert_eq!(format_elapsed(secs(300)), "5m");
        assert_eq!(format_elapsed(secs(3725)), "1h 02m");
        assert_eq!(format_elapsed(secs(7200)), "2h");
    }
}
