#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cgroups::fuzzing::stat_files(data));
