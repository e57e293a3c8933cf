// SPDX-License-Identifier: MIT OR Apache-2.0
//! The formats of cgroup interface files, parsed as bytes: flat keyed (`key value` per line:
//! `memory.stat`, `cpu.stat`, `memory.events`, `cgroup.events`, ...), nested keyed (`key
//! sub=value sub=value` per line: `io.stat`, `io.max`, the `*.pressure` files), single values
//! (`memory.current`, `cpuacct.usage`) and v1 blkio's per-device operation counts (`MAJ:MIN Read
//! 4096` per line). Unknown keys are the caller's to ignore; malformed and truncated lines are
//! skipped, never an error.

/// The `key value` pairs of a flat keyed file whose value is an unsigned number; lines with
/// another value (`max`, text) or malformed ones are skipped.
pub(crate) fn flat(text: &[u8]) -> impl Iterator<Item = (&str, u64)> {
    text.split(|&b| b == b'\n').filter_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let mut fields = line.split_ascii_whitespace();
        let (key, value) = (fields.next()?, fields.next()?);
        if fields.next().is_some() {
            return None;
        }
        Some((key, value.parse().ok()?))
    })
}

/// The value of `key` in a flat keyed file.
pub(crate) fn flat_value(text: &[u8], key: &str) -> Option<u64> {
    flat(text).find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The value of a file holding one unsigned number (`memory.current`, `pids.current`); `None`
/// for anything else (`max`, text, several fields, nothing).
pub(crate) fn single(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let mut fields = text.split_ascii_whitespace();
    let value = fields.next()?.parse().ok()?;
    fields.next().is_none().then_some(value)
}

/// The `(device, operation, value)` lines of a v1 blkio statistics file
/// (`blkio.throttle.io_service_bytes`, `..._serviced`, and their `_recursive` forms): `8:0 Read
/// 4096`. The device-less `Total` line and malformed lines are skipped.
pub(crate) fn device_ops(text: &[u8]) -> impl Iterator<Item = (&str, &str, u64)> {
    text.split(|&b| b == b'\n').filter_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let mut fields = line.split_ascii_whitespace();
        let (device, operation, value) = (fields.next()?, fields.next()?, fields.next()?);
        if fields.next().is_some() || !device.contains(':') {
            return None;
        }
        Some((device, operation, value.parse().ok()?))
    })
}

/// One line of a nested keyed file: its key and its `sub=value` pairs (values as text: a number,
/// a decimal, or `max`). Pairs without `=` are skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NestedLine<'a> {
    /// The first field (a device `MAJ:MIN`, or `some`/`full`).
    pub key: &'a str,
    /// The `sub=value` pairs, in file order.
    pub pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> NestedLine<'a> {
    /// The value of `sub`, as text.
    pub(crate) fn get(&self, sub: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| *k == sub).map(|(_, v)| *v)
    }
}

/// The lines of a nested keyed file.
pub(crate) fn nested(text: &[u8]) -> impl Iterator<Item = NestedLine<'_>> {
    text.split(|&b| b == b'\n').filter_map(|line| {
        let line = std::str::from_utf8(line).ok()?;
        let mut fields = line.split_ascii_whitespace();
        let key = fields.next()?;
        let pairs = fields.filter_map(|field| field.split_once('=')).collect();
        Some(NestedLine { key, pairs })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_files_give_their_numeric_pairs() {
        let text = b"anon 1024\nfile 4096\nunknown_key 7\nmax_thing max\nbroken\nextra 1 2\n\n";
        let pairs: Vec<_> = flat(text).collect();
        assert_eq!(pairs, [("anon", 1024), ("file", 4096), ("unknown_key", 7)]);
        assert_eq!(flat_value(text, "file"), Some(4096));
        assert_eq!(flat_value(text, "missing"), None);
    }

    #[test]
    fn truncated_flat_files_keep_their_complete_lines() {
        assert_eq!(flat_value(b"populated 1\nfrozen", "frozen"), None);
        assert_eq!(flat_value(b"populated 1\nfrozen", "populated"), Some(1));
        assert_eq!(flat(b"\xff\xfe 12\n").count(), 0);
    }

    #[test]
    fn nested_files_give_their_pairs() {
        let text = b"8:0 rbytes=90112 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n\
                     some avg10=0.12 avg60=1.50 avg300=0.00 total=12345\n\
                     259:0 rbps=max wbps=1048576 riops=max wiops=max\nbare\n";
        let lines: Vec<_> = nested(text).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].key, "8:0");
        assert_eq!(lines[0].get("rbytes"), Some("90112"));
        assert_eq!(lines[1].get("avg60"), Some("1.50"));
        assert_eq!(lines[2].get("rbps"), Some("max"));
        assert!(lines[3].pairs.is_empty());
    }

    #[test]
    fn single_values_are_one_number_and_nothing_else() {
        assert_eq!(single(b"761856\n"), Some(761856));
        assert_eq!(single(b"max\n"), None);
        assert_eq!(single(b""), None);
        assert_eq!(single(b"1 2\n"), None);
        assert_eq!(single(b"-1\n"), None);
    }

    #[test]
    fn v1_device_operation_lines_skip_the_total_and_broken_lines() {
        let text = b"254:0 Read 8388608\n254:0 Write 8388608\n254:0 Total 16777216\n\
                     Total 16777216\n8:0 Read\n8:0 Read x\n8:16 Write 5 6\n";
        let ops: Vec<_> = device_ops(text).collect();
        assert_eq!(
            ops,
            [
                ("254:0", "Read", 8388608),
                ("254:0", "Write", 8388608),
                ("254:0", "Total", 16777216)
            ]
        );
    }
}
