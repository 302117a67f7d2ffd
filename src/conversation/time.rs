//! Timestamps as conversations carry them: RFC 3339 with an offset, or epoch milliseconds.
//!
//! Platform windows (8:00–23:00) are in the shop's local time, so a timestamp keeps its UTC
//! offset next to the instant.

use std::fmt;

/// An instant with the UTC offset it is read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timestamp {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    pub millis: i64,
    /// The local offset from UTC in minutes (+480 for China).
    pub offset_minutes: i32,
}

const MS_PER_DAY: i64 = 86_400_000;

impl Timestamp {
    /// Parses `2026-11-02T10:00:00+08:00`, `…Z`, with optional fractional seconds, and a space
    /// instead of `T`. Without an offset, `default_offset` (minutes) applies.
    pub fn parse(s: &str, default_offset: i32) -> Result<Timestamp, String> {
        let bad = || format!("not an RFC 3339 timestamp: {s:?}");
        let b = s.trim().as_bytes();
        let num = |from: usize, len: usize| -> Result<i64, String> {
            let digits = b.get(from..from + len).ok_or_else(bad)?;
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            Ok(digits
                .iter()
                .fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        };
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad());
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(bad());
        }
        let mut i = 19;
        let mut millis = 0i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                if i - start < 3 {
                    millis = millis * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
            for _ in (i - start)..3 {
                millis *= 10;
            }
        }
        let offset = match b.get(i) {
            None => default_offset,
            Some(b'Z' | b'z') if i + 1 == b.len() => 0,
            Some(&sign @ (b'+' | b'-')) if b.len() == i + 6 && b[i + 3] == b':' => {
                let minutes = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
                if minutes > 18 * 60 {
                    return Err(bad());
                }
                let minutes = i32::try_from(minutes).map_err(|_| bad())?;
                if sign == b'-' {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => return Err(bad()),
        };
        let days = days_from_civil(year, month, day);
        let local = days * MS_PER_DAY + (hour * 3600 + minute * 60 + second) * 1000 + millis;
        Ok(Timestamp {
            millis: local - i64::from(offset) * 60_000,
            offset_minutes: offset,
        })
    }

    /// Milliseconds since the epoch, read in `offset_minutes`.
    pub fn from_millis(millis: i64, offset_minutes: i32) -> Timestamp {
        Timestamp {
            millis,
            offset_minutes,
        }
    }

    fn local_millis(self) -> i64 {
        self.millis + i64::from(self.offset_minutes) * 60_000
    }

    /// Seconds since local midnight (0..86400).
    pub fn local_second_of_day(self) -> u32 {
        // rem_euclid keeps times before 1970 in range; the value is < 86400.
        (self.local_millis().rem_euclid(MS_PER_DAY) / 1000) as u32
    }

    /// The local date.
    pub fn local_date(self) -> Date {
        let (year, month, day) = civil_from_days(self.local_millis().div_euclid(MS_PER_DAY));
        Date { year, month, day }
    }

    /// Seconds from `self` to `later` (negative if `later` is earlier).
    pub fn seconds_until(self, later: Timestamp) -> f64 {
        later.millis.saturating_sub(self.millis) as f64 / 1000.0
    }

    /// This instant plus `seconds`.
    pub fn plus_seconds(self, seconds: f64) -> Timestamp {
        Timestamp {
            // `as` saturates on overflow and NaN; the sum must not wrap either.
            millis: self
                .millis
                .saturating_add((seconds * 1000.0).round() as i64),
            offset_minutes: self.offset_minutes,
        }
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in the timestamp's own offset, to the second (milliseconds when not zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.local_millis();
        let date = self.local_date();
        let second_of_day = self.local_second_of_day();
        write!(
            f,
            "{date}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        let ms = local.rem_euclid(1000);
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        if self.offset_minutes == 0 {
            return f.write_str("Z");
        }
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let m = self.offset_minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i64,
    pub month: i64,
    pub day: i64,
}

impl Date {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, String> {
        let t = Timestamp::parse(&format!("{}T00:00:00Z", s.trim()), 0)
            .map_err(|_| format!("not a date (YYYY-MM-DD): {s:?}"))?;
        Ok(t.local_date())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A time of day as `HH:MM` in seconds, with `24:00` for the end of the day.
pub fn parse_clock(s: &str) -> Result<u32, String> {
    let bad = || format!("not a time of day (HH:MM): {s:?}");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

/// Parses `+08:00` / `-05:30` / `Z` into minutes.
pub fn parse_offset(s: &str) -> Result<i32, String> {
    if s == "Z" {
        return Ok(0);
    }
    Timestamp::parse(&format!("2000-01-01T00:00:00{s}"), 0)
        .map(|t| t.offset_minutes)
        .map_err(|_| format!("not a UTC offset (+HH:MM): {s:?}"))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date: count whole years in 400-year eras starting in March,
/// so that the leap day falls at the end of the counted year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_fractions() {
        let t = Timestamp::parse("2026-11-02T10:00:00+08:00", 0).unwrap();
        assert_eq!(t.millis, 1_793_613_600_000 - 8 * 3_600_000);
        assert_eq!(t.local_second_of_day(), 10 * 3600);
        assert_eq!(t.to_string(), "2026-11-02T10:00:00+08:00");
        let z = Timestamp::parse("2026-11-02T02:00:00.25Z", 480).unwrap();
        assert_eq!(z.millis, t.millis + 250);
        assert_eq!(z.to_string(), "2026-11-02T02:00:00.250Z");
        let naive = Timestamp::parse("2026-11-02 10:00:00", 480).unwrap();
        assert_eq!(naive, t);
    }

    #[test]
    fn dates_round_trip_across_eras() {
        for days in [-800_000, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for s in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-02T10:00",
            "yesterday",
            "2026-11-02T10:00:00+8",
            "2026-11-02T10:00:00+08:00x",
        ] {
            assert!(Timestamp::parse(s, 0).is_err(), "{s}");
        }
        assert!(Date::parse("2026-02-29").is_err());
    }

    #[test]
    fn clocks_and_offsets() {
        assert_eq!(parse_clock("08:00"), Ok(8 * 3600));
        assert_eq!(parse_clock("24:00"), Ok(86_400));
        assert!(parse_clock("24:01").is_err());
        assert_eq!(parse_offset("+08:00"), Ok(480));
        assert_eq!(parse_offset("-05:30"), Ok(-330));
    }
}
