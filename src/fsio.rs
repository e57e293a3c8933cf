//! The few file operations cgroup interface files need, each with the minimum of system calls:
//! one `open`, one `write` (or reads until a short one), one `close`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::controller::{Controller, Controllers};
use crate::error::{Error, Result};

/// Writes `value` to an existing interface file in a single `write`.
///
/// The kernel applies one value per `write`; a partial write is reported as `WriteZero`.
pub fn write_value(path: &Path, value: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).open(path)?;
    let written = file.write(value)?;
    if written != value.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "short write to a cgroup file",
        ));
    }
    Ok(())
}

/// Reads a whole interface file.
///
/// cgroup files are seq_files, which fill the buffer until the end of the content: a short read
/// is the end, so small files cost one `read`.
pub fn read_text(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut content = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = file.read(&mut chunk)?;
        content.extend_from_slice(&chunk[..n]);
        if n < chunk.len() {
            break;
        }
    }
    String::from_utf8(content).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Parses a list of pids, one per line (`cgroup.procs`).
pub fn parse_pids(text: &str) -> Vec<i32> {
    text.split_ascii_whitespace()
        .filter_map(|pid| pid.parse().ok())
        .collect()
}

/// Parses a v2 controller list (`cgroup.controllers`, `cgroup.subtree_control`) into the known
/// controllers it names.
pub fn parse_v2_controllers(text: &str) -> Controllers {
    text.split_ascii_whitespace()
        .filter_map(|token| {
            Controller::ALL
                .into_iter()
                .find(|c| c.v2_name() == Some(token))
        })
        .collect()
}

/// Reads the controllers a cgroup2 directory offers (`cgroup.controllers`).
pub fn read_v2_controllers(dir: &Path) -> Result<Controllers> {
    let path = dir.join("cgroup.controllers");
    read_text(&path)
        .map(|text| parse_v2_controllers(&text))
        .map_err(|e| Error::from_io("read", path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_lists_ignore_blank_lines() {
        assert_eq!(parse_pids("12\n345\n\n"), vec![12, 345]);
        assert!(parse_pids("").is_empty());
    }

    #[test]
    fn v2_controller_lists_keep_known_controllers() {
        let set = parse_v2_controllers("cpuset cpu io memory hugetlb pids rdma misc\n");
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [
                Controller::Cpu,
                Controller::Memory,
                Controller::Pids,
                Controller::Cpuset,
                Controller::Io
            ]
        );
    }
}
