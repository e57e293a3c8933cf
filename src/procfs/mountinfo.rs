// SPDX-License-Identifier: MIT OR Apache-2.0
//! `/proc/<pid>/mountinfo`: the cgroup and cgroup2 mounts, with the identity fields that tell
//! two mounts of one hierarchy apart.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::lines;

/// One cgroup or cgroup2 mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CgroupMount {
    /// mountinfo's mount id (what `statx(STATX_MNT_ID)` reports for a file on the mount).
    pub mount_id: u64,
    /// The device of the superblock (`major:minor`): one per hierarchy; bind mounts share it.
    pub device: (u32, u32),
    /// The directory of the hierarchy at the top of the mount, as `/proc/<pid>/cgroup` names it
    /// (`/` for a whole hierarchy; begins with `/..` when mounted outside the reader's cgroup
    /// namespace).
    pub root: PathBuf,
    /// Where it is mounted in this mount namespace.
    pub mount_point: PathBuf,
    /// `true` for `cgroup2`, `false` for a v1 `cgroup` hierarchy.
    pub unified: bool,
    /// The super options (for v1: the controllers the hierarchy carries, `name=...`, ...).
    pub super_options: Vec<String>,
}

/// Parses mountinfo text and returns its cgroup and cgroup2 mounts, in mount order. Lines that
/// are not cgroup mounts, or are malformed, are skipped.
pub fn parse(text: &[u8]) -> Vec<CgroupMount> {
    lines(text).filter_map(parse_line).collect()
}

fn parse_line(line: &[u8]) -> Option<CgroupMount> {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    let separator = line.windows(3).position(|w| w == b" - ")?;
    let (head, tail) = (&line[..separator], &line[separator + 3..]);
    let mut head = head.split(|&b| b == b' ');
    let mount_id = number(head.next()?)?;
    let _parent = head.next()?;
    let (major, minor) = split_once(head.next()?, b':')?;
    let device = (number(major)? as u32, number(minor)? as u32);
    let root = unescape(head.next()?);
    let mount_point = unescape(head.next()?);
    let mut tail = tail.split(|&b| b == b' ');
    let unified = match tail.next()? {
        b"cgroup" => false,
        b"cgroup2" => true,
        _ => return None,
    };
    let _source = tail.next()?;
    let super_options = tail
        .next()?
        .split(|&b| b == b',')
        .map(|o| String::from_utf8_lossy(o).into_owned())
        .collect();
    Some(CgroupMount {
        mount_id,
        device,
        root: PathBuf::from(OsStr::from_bytes(&root)),
        mount_point: PathBuf::from(OsStr::from_bytes(&mount_point)),
        unified,
        super_options,
    })
}

fn number(field: &[u8]) -> Option<u64> {
    std::str::from_utf8(field).ok()?.parse().ok()
}

fn split_once(field: &[u8], at: u8) -> Option<(&[u8], &[u8])> {
    let i = field.iter().position(|&b| b == at)?;
    Some((&field[..i], &field[i + 1..]))
}

/// Undoes mountinfo's octal escapes (`\040` for a space, `\134` for a backslash, ...).
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| field[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(digits) => {
                out.push(
                    digits
                        .iter()
                        .fold(0u8, |acc, d| acc.wrapping_mul(8).wrapping_add(d - b'0')),
                );
                i += 4;
            }
            None => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const HYBRID: &[u8] = b"\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
";

    #[test]
    fn only_cgroup_mounts_are_kept_with_their_identity() {
        let mounts = parse(HYBRID);
        assert_eq!(mounts.len(), 3);
        assert_eq!(mounts[0].mount_id, 32);
        assert_eq!(mounts[0].device, (0, 29));
        assert_eq!(mounts[0].super_options, ["rw", "cpu", "cpuacct"]);
        assert!(!mounts[0].unified);
        assert!(
            mounts[2].unified,
            "optional fields before ' - ' are skipped"
        );
        assert_eq!(mounts[2].mount_point, Path::new("/sys/fs/cgroup/unified"));
    }

    #[test]
    fn escaped_and_non_utf8_mount_points_are_decoded_as_bytes() {
        let text = b"50 31 0:29 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n\
                     51 31 0:30 / /mnt/\xff\\134x rw - cgroup2 cgroup2 rw\n";
        let mounts = parse(text);
        assert_eq!(mounts[0].mount_point, Path::new("/mnt/my cgroups"));
        assert_eq!(
            mounts[1].mount_point.as_os_str().as_bytes(),
            b"/mnt/\xff\\x"
        );
    }

    #[test]
    fn malformed_and_truncated_lines_are_skipped() {
        let text = b"garbage\n12 1 0:1 / /x rw - cgroup2\n13 1 zz / /y rw - cgroup2 c rw\n\
                     14 1 0:2 / /z rw - cgroup2 cgroup2 rw\n";
        let mounts = parse(text);
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].mount_point, Path::new("/z"));
    }
}
