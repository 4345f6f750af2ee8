//! kubectl's AGE column: apimachinery's `duration.HumanDuration`, reproduced exactly.

use jiff::Timestamp;

/// Formats the time elapsed from `created` to `now` the way `kubectl get` prints AGE.
///
/// The thresholds mirror apimachinery's `HumanDuration` so that the tables read the same
/// as a terminal next to them: seconds below 2m, `XmYs` below 10m, minutes below 3h,
/// `XhYm` below 8h, hours below 48h, `XdYh` below 8d, days below 2y, `XyYd` below 8y.
pub fn format_age(created: Timestamp, now: Timestamp) -> String {
    let elapsed = now.duration_since(created);
    format_duration_secs(elapsed.as_secs())
}

/// The same rules over a whole-second count (truncated toward zero, as Go's `int(d.Seconds())`).
pub fn format_duration_secs(seconds: i64) -> String {
    // A clock up to one second ahead of the server still reads as "just now".
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{days}d")
        } else {
            format!("{days}d{h}h")
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 24 * 365 * 8 {
        let d = days % 365;
        return if d == 0 {
            format!("{years}y")
        } else {
            format!("{years}y{d}d")
        };
    }
    format!("{years}y")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60;
    const HOUR: i64 = 60 * MIN;
    const DAY: i64 = 24 * HOUR;
    const YEAR: i64 = 365 * DAY;

    #[test]
    fn matches_human_duration_table() {
        let cases: &[(i64, &str)] = &[
            (-5, "<invalid>"),
            (-2, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (29, "29s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (2 * MIN, "2m"),
            (2 * MIN + 41, "2m41s"),
            (9 * MIN + 59, "9m59s"),
            (10 * MIN, "10m"),
            (10 * MIN + 59, "10m"),
            (25 * MIN, "25m"),
            (179 * MIN + 59, "179m"),
            (3 * HOUR, "3h"),
            (2 * HOUR + 5 * MIN, "125m"),
            (3 * HOUR + 5 * MIN, "3h5m"),
            (7 * HOUR + 59 * MIN, "7h59m"),
            (8 * HOUR, "8h"),
            (8 * HOUR + 30 * MIN, "8h"),
            (17 * HOUR, "17h"),
            (47 * HOUR + 59 * MIN, "47h"),
            (2 * DAY, "2d"),
            (3 * DAY, "3d"),
            (3 * DAY + 4 * HOUR, "3d4h"),
            (7 * DAY + 23 * HOUR, "7d23h"),
            (8 * DAY, "8d"),
            (8 * DAY + 5 * HOUR, "8d"),
            (400 * DAY, "400d"),
            (2 * YEAR - 1, "729d"),
            (2 * YEAR, "2y"),
            (2 * YEAR + 40 * DAY, "2y40d"),
            (8 * YEAR - DAY, "7y364d"),
            (8 * YEAR, "8y"),
            (12 * YEAR + 100 * DAY, "12y"),
        ];
        for (secs, want) in cases {
            assert_eq!(format_duration_secs(*secs), *want, "for {secs}s");
        }
    }

    #[test]
    fn age_truncates_sub_second_parts() {
        let created: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let now: Timestamp = "2026-01-01T00:02:41.999Z".parse().unwrap();
        assert_eq!(format_age(created, now), "2m41s");
    }

    #[test]
    fn future_creation_beyond_tolerance_is_invalid() {
        let created: Timestamp = "2026-01-01T00:00:10Z".parse().unwrap();
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(format_age(created, now), "<invalid>");
    }
}
