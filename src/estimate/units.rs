//! Byte and rate units. Bytes are `u64` everywhere; GB (10^9) and GiB (2^30) are only display.

/// 10^9 bytes.
pub const GB: u64 = 1_000_000_000;
/// 2^30 bytes.
pub const GIB: u64 = 1 << 30;
/// 2^20 bytes (llama.cpp logs in MiB).
pub const MIB: u64 = 1 << 20;

/// Formats bytes as decimal gigabytes, e.g. `4.92 GB`.
pub fn fmt_gb(bytes: u64) -> String {
    format!("{:.2} GB", bytes as f64 / GB as f64)
}

/// Formats bytes as binary gibibytes, e.g. `4.58 GiB`.
pub fn fmt_gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / GIB as f64)
}

/// Formats a signed byte count (headroom) as GiB with its sign.
pub fn fmt_gib_signed(bytes: i64) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    format!("{sign}{}", fmt_gib(bytes.unsigned_abs()))
}

/// "131072" → "131,072".
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A token count in K (1024) when it is a whole number of K, else in full: "32K", "40,960".
pub fn fmt_tokens(n: u32) -> String {
    if n >= 1024 && n.is_multiple_of(1024) {
        format!("{}K", n / 1024)
    } else {
        group_thousands(u64::from(n))
    }
}

/// An upper bound on tokens in whole K (1024) rounded down, for narrow cells: "60K" for 61,696
/// (so "≤60K" stays true), the count itself below 1K.
pub fn fmt_tokens_floor_k(n: u32) -> String {
    if n >= 1024 {
        format!("{}K", n / 1024)
    } else {
        n.to_string()
    }
}

/// A duration for people: "850 ms", "12.4 s", "3.5 min", "2.1 h"; "—" when unknown.
pub fn fmt_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        "—".into()
    } else if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1000.0)
    } else if seconds < 120.0 {
        format!("{seconds:.1} s")
    } else if seconds < 7200.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

/// A duration in at most 4 characters, for table cells: "0.9s", "6.1s", "68s", "12m", "2.1h".
pub fn fmt_duration_compact(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        "—".into()
    } else if seconds < 9.95 {
        format!("{seconds:.1}s")
    } else if seconds < 119.5 {
        format!("{seconds:.0}s")
    } else if seconds < 5970.0 {
        format!("{:.0}m", seconds / 60.0)
    } else {
        format!("{:.1}h", seconds / 3600.0)
    }
}

/// Rounds `n` up to a multiple of `to` (`to` > 0).
pub fn round_up(n: u64, to: u64) -> u64 {
    n.div_ceil(to) * to
}

/// Converts a floating byte count to `u64`, saturating and mapping NaN to 0.
pub fn bytes_from_f64(x: f64) -> u64 {
    if x.is_nan() || x <= 0.0 {
        0
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_in_k_round_down() {
        assert_eq!(fmt_tokens_floor_k(61_696), "60K");
        assert_eq!(fmt_tokens_floor_k(131_072), "128K");
        assert_eq!(fmt_tokens_floor_k(1023), "1023");
    }

    #[test]
    fn formats_both_unit_systems() {
        assert_eq!(fmt_gb(4_920_000_000), "4.92 GB");
        assert_eq!(fmt_gib(3 * GIB / 2), "1.50 GiB");
        assert_eq!(fmt_gib_signed(-(GIB as i64)), "-1.00 GiB");
    }

    #[test]
    fn compact_durations_fit_four_characters() {
        let cases = [
            (0.86, "0.9s"),
            (6.12, "6.1s"),
            (9.96, "10s"),
            (68.0, "68s"),
            (119.6, "2m"),
            (720.0, "12m"),
            (7560.0, "2.1h"),
            (f64::NAN, "—"),
            (-1.0, "—"),
        ];
        for (s, want) in cases {
            let got = fmt_duration_compact(s);
            assert_eq!(got, want, "{s} s");
            assert!(got.chars().count() <= 4, "{got}");
        }
    }

    #[test]
    fn rounds_up() {
        assert_eq!(round_up(1, 256), 256);
        assert_eq!(round_up(256, 256), 256);
        assert_eq!(round_up(8193, 256), 8448);
    }

    #[test]
    fn float_conversion_saturates() {
        assert_eq!(bytes_from_f64(f64::NAN), 0);
        assert_eq!(bytes_from_f64(-3.0), 0);
        assert_eq!(bytes_from_f64(1e30), u64::MAX);
        assert_eq!(bytes_from_f64(2.4), 2);
    }
}
