// SPDX-License-Identifier: MIT OR Apache-2.0
//! The values the command takes: sizes with K/M/G suffixes, CPU shares with `%`, CPU counts,
//! signals.

/// A size in bytes from `500M`, `1G`, `512K`, `4096` or `4096B` (×1024 steps, case-insensitive).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    if digits.is_empty() {
        return Err(format!("{text:?} is not a size (like 500M, 2G, 4096)"));
    }
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is too large"))?;
    let unit: u64 = match suffix.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        _ => {
            return Err(format!(
                "{text:?}: unknown size suffix {suffix:?} (use K, M, G or T)"
            ))
        }
    };
    number
        .checked_mul(unit)
        .ok_or_else(|| format!("{text:?} overflows 64 bits"))
}

/// A CPU share in percent of the default from `50%` or `50`.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().strip_suffix('%').unwrap_or(text.trim());
    let percent: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a percentage (like 50%)"))?;
    if !(percent > 0.0 && percent <= 100.0) {
        return Err(format!("{text:?} is outside (0, 100] %"));
    }
    Ok(percent)
}

/// A number of CPUs from `1.5`, `0.25` or `2`.
pub fn parse_cpus(text: &str) -> Result<f64, String> {
    let cpus: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of CPUs (like 1.5)"))?;
    if !(cpus.is_finite() && cpus > 0.0) {
        return Err(format!("{text:?} is not a positive number of CPUs"));
    }
    Ok(cpus)
}

/// A positive number of seconds from `1`, `0.5` or `2.5`.
pub fn parse_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds.is_finite() && seconds > 0.0 && seconds < 1e6) {
        return Err(format!("{text:?} is not a positive number of seconds"));
    }
    Ok(seconds)
}

/// A signal from `TERM`, `SIGTERM`, `term` or `15`.
pub fn parse_signal(text: &str) -> Result<i32, String> {
    let name = text.trim().to_ascii_uppercase();
    let name = name.strip_prefix("SIG").unwrap_or(&name);
    if let Ok(number) = name.parse::<i32>() {
        return nix::sys::signal::Signal::try_from(number)
            .map(|signal| signal as i32)
            .map_err(|_| format!("{text:?} is not a signal number"));
    }
    format!("SIG{name}")
        .parse::<nix::sys::signal::Signal>()
        .map(|signal| signal as i32)
        .map_err(|_| format!("{text:?} is not a signal (like TERM, KILL, 9)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("500M"), Ok(500 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4096B"), Ok(4096));
    }

    #[test]
    fn bad_sizes_are_refused_with_a_reason() {
        for bad in [
            "",
            "M",
            "-1M",
            "1.5G",
            "10X",
            "99999999999999999999",
            "17179869184G",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn percentages_are_in_zero_to_a_hundred() {
        assert_eq!(parse_percent("50%"), Ok(50.0));
        assert_eq!(parse_percent("12.5"), Ok(12.5));
        for bad in ["0%", "101%", "x", "nan", "-5"] {
            assert!(parse_percent(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cpu_counts_are_positive_and_finite() {
        assert_eq!(parse_cpus("1.5"), Ok(1.5));
        for bad in ["0", "-1", "inf", "NaN", "one"] {
            assert!(parse_cpus(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn signals_by_name_or_number() {
        assert_eq!(parse_signal("TERM"), Ok(libc::SIGTERM));
        assert_eq!(parse_signal("sigkill"), Ok(libc::SIGKILL));
        assert_eq!(parse_signal("9"), Ok(9));
        for bad in ["NOPE", "0", "999", ""] {
            assert!(parse_signal(bad).is_err(), "{bad:?}");
        }
    }
}
