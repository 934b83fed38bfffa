//! STIX timestamps: RFC 3339, UTC, with a mandatory `Z` (`YYYY-MM-DDTHH:mm:ss[.s+]Z`).

use std::fmt;

/// A parsed timestamp, ordered by time. Fractions longer than nanoseconds are truncated for
/// ordering only; the original text is what gets published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (a leap second counts as the next second's start).
    pub seconds: i64,
    pub nanos: u32,
    /// How many fractional digits were written (millisecond precision means at least 3).
    pub fraction_digits: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampProblem {
    Shape,
    NotUtc,
    OutOfRange,
}

impl fmt::Display for TimestampProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimestampProblem::Shape => "not an RFC 3339 timestamp of the form YYYY-MM-DDTHH:mm:ss[.s+]Z",
            TimestampProblem::NotUtc => "STIX timestamps must be in UTC and end with `Z`",
            TimestampProblem::OutOfRange => "a date or time field is out of range",
        })
    }
}

impl Timestamp {
    pub fn parse(s: &str) -> Result<Timestamp, TimestampProblem> {
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(TimestampProblem::Shape);
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        let (nanos, fraction_digits, rest) = fraction(&b[19..])?;
        match rest {
            b"Z" => {}
            b"z" | b"+00:00" | b"-00:00" | [b'+' | b'-', ..] => return Err(TimestampProblem::NotUtc),
            _ => return Err(TimestampProblem::Shape),
        }
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(TimestampProblem::OutOfRange);
        }
        let days = days_from_civil(year as i64, month, day);
        let seconds = days * 86_400 + hour as i64 * 3600 + minute as i64 * 60 + second as i64;
        Ok(Timestamp { seconds, nanos, fraction_digits })
    }

    /// The instant, ignoring how many fraction digits were written.
    pub fn instant(&self) -> (i64, u32) {
        (self.seconds, self.nanos)
    }

    /// The timestamp with exactly millisecond precision (`2024-05-01T10:00:00.000Z`), the form
    /// TAXII servers give `date_added` in (finer digits are dropped, not rounded).
    pub fn to_millis_text(&self) -> String {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            self.nanos / 1_000_000
        )
    }

    /// The system clock's time, to the nanosecond it gives.
    pub fn now() -> Timestamp {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp { seconds: since.as_secs() as i64, nanos: since.subsec_nanos(), fraction_digits: 9 }
    }

    /// The instant `seconds` after 1970-01-01T00:00:00Z (the build clock, `SOURCE_DATE_EPOCH`).
    pub fn from_unix_seconds(seconds: i64) -> Timestamp {
        Timestamp { seconds, nanos: 0, fraction_digits: 0 }
    }

    /// The day, as `YYYY-MM-DD`.
    pub fn date_text(&self) -> String {
        let (year, month, day) = civil_from_days(self.seconds.div_euclid(86_400));
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// RFC 3339 to the second (`2024-05-01T10:00:00Z`), the form Atom and MISP readers expect.
    pub fn to_seconds_text(&self) -> String {
        let secs = self.seconds.rem_euclid(86_400);
        format!("{}T{:02}:{:02}:{:02}Z", self.date_text(), secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// The calendar month, as `YYYY-MM`, for charts.
    pub fn year_month(text: &str) -> Option<&str> {
        text.get(0..7)
    }
}

fn digits(b: &[u8]) -> Result<u32, TimestampProblem> {
    b.iter().try_fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + (c - b'0') as u32)
        } else {
            Err(TimestampProblem::Shape)
        }
    })
}

/// Parses `.ddd…` if present; returns nanoseconds, digit count and what follows.
fn fraction(b: &[u8]) -> Result<(u32, u8, &[u8]), TimestampProblem> {
    let Some(rest) = b.strip_prefix(b".") else {
        return Ok((0, 0, b));
    };
    let count = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    if count == 0 {
        return Err(TimestampProblem::Shape);
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        nanos = nanos * 10 + rest.get(i).filter(|_| i < count).map_or(0, |c| (c - b'0') as u32);
    }
    Ok((nanos, count.min(255) as u8, &rest[count..]))
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (the inverse of `days_from_civil`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let a = Timestamp::parse("2017-05-31T21:30:19.735Z").unwrap();
        let b = Timestamp::parse("2017-05-31T21:30:19.74Z").unwrap();
        assert!(a < b);
        assert_eq!(a.fraction_digits, 3);
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z").unwrap().seconds, 0);
        assert_eq!(Timestamp::parse("2000-03-01T00:00:00Z").unwrap().seconds, 951_868_800);
    }

    #[test]
    fn prints_with_milliseconds() {
        for (text, millis) in [
            ("2017-05-31T21:30:19.735Z", "2017-05-31T21:30:19.735Z"),
            ("2016-02-29T23:59:59Z", "2016-02-29T23:59:59.000Z"),
            ("1970-01-01T00:00:00.123456Z", "1970-01-01T00:00:00.123Z"),
            ("2000-12-31T00:00:00.9Z", "2000-12-31T00:00:00.900Z"),
            ("1901-03-01T01:02:03Z", "1901-03-01T01:02:03.000Z"),
        ] {
            assert_eq!(Timestamp::parse(text).unwrap().to_millis_text(), millis);
        }
    }

    #[test]
    fn prints_dates_and_seconds_from_unix_time() {
        let t = Timestamp::from_unix_seconds(951_868_800 + 3_723);
        assert_eq!(t.date_text(), "2000-03-01");
        assert_eq!(t.to_seconds_text(), "2000-03-01T01:02:03Z");
        assert_eq!(Timestamp::parse(&t.to_seconds_text()).unwrap(), t);
    }

    #[test]
    fn rejects_what_stix_forbids() {
        assert_eq!(Timestamp::parse("2017-05-31T21:30:19+01:00"), Err(TimestampProblem::NotUtc));
        assert_eq!(Timestamp::parse("2017-05-31 21:30:19Z"), Err(TimestampProblem::Shape));
        assert_eq!(Timestamp::parse("2017-02-29T00:00:00Z"), Err(TimestampProblem::OutOfRange));
        assert_eq!(Timestamp::parse("2017-05-31T21:30:19.Z"), Err(TimestampProblem::Shape));
        assert_eq!(Timestamp::parse("2017-05-31"), Err(TimestampProblem::Shape));
        assert!(Timestamp::parse("2016-02-29T23:59:60.123456789123Z").is_ok());
    }
}
