#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cgroups::fuzzing::core_events(data));
