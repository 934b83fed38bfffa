//! When a log line says it happened: the first RFC 3339 / ISO 8601 date-time in it
//! (`2026-11-02T10:00:00Z`, `2026-11-02 10:00:00.123+01:00`; no zone is read as UTC), else a
//! JSON `"ts"` in Unix seconds (Zeek's JSON logs).

use crate::stix::Timestamp;

pub fn of_line(line: &[u8]) -> Option<Timestamp> {
    date_time(line).or_else(|| unix_ts(line))
}

fn date_time(line: &[u8]) -> Option<Timestamp> {
    for dash in memchr::memchr_iter(b'-', line) {
        let Some(start) = dash.checked_sub(4) else { continue };
        let text = line.get(start..start + 19)?;
        let shape = text.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            10 => *b == b'T' || *b == b' ',
            13 | 16 => *b == b':',
            _ => b.is_ascii_digit(),
        });
        if !shape || (start > 0 && line[start - 1].is_ascii_digit()) {
            continue;
        }
        let mut utc = String::from_utf8_lossy(text).into_owned();
        utc.replace_range(10..11, "T");
        let mut rest = &line[start + 19..];
        if rest.first() == Some(&b'.') {
            let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            utc.push_str(&String::from_utf8_lossy(&rest[..(1 + digits).min(10)]));
            rest = &rest[1 + digits..];
        }
        utc.push('Z');
        let Ok(time) = Timestamp::parse(&utc) else { continue };
        return Some(match offset(rest) {
            Some(seconds) => Timestamp::from_unix_seconds(time.instant().0 - seconds),
            None => time,
        });
    }
    None
}

/// `+01:00` / `-0530` after the time, in seconds.
fn offset(rest: &[u8]) -> Option<i64> {
    let sign = match rest.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<i64> = rest[1..].iter().filter(|b| **b != b':').take(4).map(|b| i64::from(*b) - 48).collect();
    if digits.len() < 4 || digits.iter().any(|d| !(0..=9).contains(d)) {
        return None;
    }
    Some(sign * ((digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60))
}

fn unix_ts(line: &[u8]) -> Option<Timestamp> {
    let at = memchr::memmem::find(line, b"\"ts\":")? + 5;
    let rest = line[at..].trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let seconds: i64 = std::str::from_utf8(&rest[..digits.min(12)]).ok()?.parse().ok()?;
    Some(Timestamp::from_unix_seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &str) -> Option<String> {
        of_line(line.as_bytes()).map(|t| t.to_seconds_text())
    }

    #[test]
    fn times_in_lines() {
        assert_eq!(text("2026-11-02T10:00:00Z GET /"), Some("2026-11-02T10:00:00Z".into()));
        assert_eq!(text("<1> 2026-11-02 10:00:00.5+01:00 x"), Some("2026-11-02T09:00:00Z".into()));
        assert_eq!(text("{\"ts\":1700000000.25,\"q\":\"a\"}"), Some("2023-11-14T22:13:20Z".into()));
        assert_eq!(text("no time 12-3"), None);
        assert_eq!(text("2026-13-02T10:00:00"), None);
    }
}
