#![no_main]
//! The `cgroups` command's argument parsers (sizes, percentages, CPU counts, seconds, signals):
//! whatever they accept is in range, and a size is its digits times its suffix.

#[path = "../../src/bin/cgroups/units.rs"]
mod units;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = units::parse_size(text) {
        let digits: String = text.trim().chars().take_while(char::is_ascii_digit).collect();
        let number: u64 = digits.parse().expect("a size starts with digits");
        assert!(number == 0 || bytes % number == 0, "{text:?} -> {bytes}");
    }
    if let Ok(percent) = units::parse_percent(text) {
        assert!(percent > 0.0 && percent <= 100.0, "{text:?} -> {percent}");
    }
    if let Ok(cpus) = units::parse_cpus(text) {
        assert!(cpus.is_finite() && cpus > 0.0, "{text:?} -> {cpus}");
    }
    if let Ok(seconds) = units::parse_seconds(text) {
        assert!(seconds.is_finite() && seconds > 0.0, "{text:?} -> {seconds}");
    }
    if let Ok(signal) = units::parse_signal(text) {
        assert!((1..=64).contains(&signal), "{text:?} -> {signal}");
    }
});
