// SPDX-License-Identifier: MIT OR Apache-2.0
//! cpuset placement. On v1 a new group starts with empty `cpuset.cpus`/`cpuset.mems`, and
//! attaching a process to it then fails with ENOSPC; the library copies the parent's values into
//! every group it creates (rather than flipping the parent's `cgroup.clone_children`, which is not
//! its to change). v2 groups inherit the effective values and need nothing.
//!
//! The CPUs and memory nodes of a group are written in the kernel's list syntax (`0-3,6`,
//! `0-7:2/4` for every other pair), checked here before anything is written; the kernel then
//! checks them against the parent's and the online CPUs.

use std::os::fd::AsFd;
use std::path::Path;

use crate::cgroup::Cgroup;
use crate::error::{Error, Result};
use crate::layout::{Controller, Version};
use crate::subtree::Subtree;
use crate::sys;

/// The largest CPU or node number a list may name (the kernel's `NR_CPUS` limit is 8192).
const MAX_LIST_NUMBER: u32 = 8191;

/// Checks `list` against the kernel's list syntax: comma-separated numbers and ranges `N-M`
/// (N ≤ M), a range optionally with `:used/group` (0 < used ≤ group); empty means none.
///
/// Fails with [`Error::InvalidArgument`] naming `what` and the bad item.
pub(crate) fn check_list(list: &str, what: &str) -> Result<()> {
    let bad = |item: &str, why: &str| {
        Error::InvalidArgument(format!("{what} list {list:?}: {item:?} {why}"))
    };
    let number = |text: &str, item: &str| -> Result<u32> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(item, "is not a number or a range N-M"));
        }
        match text.parse() {
            Ok(n) if n <= MAX_LIST_NUMBER => Ok(n),
            _ => Err(bad(item, &format!("is above {MAX_LIST_NUMBER}"))),
        }
    };
    if list.is_empty() {
        return Ok(());
    }
    for item in list.split(',') {
        let (range, stride) = match item.split_once(':') {
            Some((range, stride)) => (range, Some(stride)),
            None => (item, None),
        };
        match range.split_once('-') {
            Some((first, last)) => {
                if number(first, item)? > number(last, item)? {
                    return Err(bad(item, "is a range whose end is below its start"));
                }
            }
            None if stride.is_some() => return Err(bad(item, "has a stride but is no range")),
            None => {
                number(range, item)?;
            }
        }
        if let Some(stride) = stride {
            let (used, group) = stride
                .split_once('/')
                .ok_or_else(|| bad(item, "has a stride that is not used/group"))?;
            let (used, group) = (number(used, item)?, number(group, item)?);
            if used == 0 || used > group {
                return Err(bad(
                    item,
                    "has a stride whose used part is 0 or above its group",
                ));
            }
        }
    }
    Ok(())
}

/// What to write for `list`: an empty list as a newline, since the kernel ignores a write of
/// nothing.
fn list_value(list: &str) -> &[u8] {
    if list.is_empty() {
        b"\n"
    } else {
        list.as_bytes()
    }
}

impl Cgroup {
    /// Pins the group to CPUs `cpus` and memory nodes `mems`, in the kernel's list syntax
    /// (`"0-3,6"`); `None` leaves that half unchanged. On v2 an empty list means "the parent's";
    /// on v1 a group needs at least one of each, so an empty list is refused.
    ///
    /// Fails with [`Error::InvalidArgument`] for a malformed list (nothing is written) or one
    /// the kernel refuses (CPUs or nodes that are offline or not the parent's: what was
    /// written before is restored), [`Error::ControllerUnavailable`] when the group was opened
    /// without cpuset, and [`Error::NotFound`] when it was deleted.
    pub fn set_cpuset(&self, cpus: Option<&str>, mems: Option<&str>) -> Result<()> {
        let dir = self.dir(Controller::Cpuset)?;
        let wanted = [
            ("cpuset.cpus", cpus, "CPU"),
            ("cpuset.mems", mems, "memory node"),
        ];
        for (_, list, what) in wanted {
            if let Some(list) = list {
                check_list(list, what)?;
                if list.is_empty() && dir.version() == Version::V1 {
                    return Err(Error::InvalidArgument(format!(
                        "an empty {what} list: a cgroup v1 cpuset group needs at least one to \
                         hold processes"
                    )));
                }
            }
        }
        let mut written: Vec<(&'static str, String)> = Vec::new();
        for (file, list, what) in wanted {
            let Some(list) = list else { continue };
            let previous = dir.read_text(file)?;
            if let Err(err) = dir.write(file, list_value(list)) {
                for (file, previous) in &written {
                    let _ = dir.write(file, list_value(previous.trim()));
                }
                return Err(match err {
                    Error::Os { ref source, .. }
                        if matches!(
                            source.raw_os_error(),
                            Some(libc::EINVAL | libc::ENOSPC | libc::ERANGE)
                        ) =>
                    {
                        Error::InvalidArgument(format!(
                            "the kernel refused {what}s {list:?} for {}: {source} (they must be \
                             online and among the parent's)",
                            dir.path().display()
                        ))
                    }
                    other => other,
                });
            }
            written.push((file, previous));
        }
        Ok(())
    }

    /// Reads the group's CPUs and memory nodes as set (in the kernel's normalized list
    /// syntax, `"0-3,6"`). On v2 an empty list means the group uses its parent's.
    ///
    /// Fails with [`Error::ControllerUnavailable`] and [`Error::NotFound`].
    pub fn cpuset(&self) -> Result<(String, String)> {
        let dir = self.dir(Controller::Cpuset)?;
        let cpus = dir.read_text("cpuset.cpus")?.trim().to_string();
        let mems = dir.read_text("cpuset.mems")?.trim().to_string();
        Ok((cpus, mems))
    }
}

/// The v1 files a new group copies from its parent, in the order the kernel needs them.
const V1_INHERITED_FILES: [&str; 2] = ["cpuset.cpus", "cpuset.mems"];

/// Copies the v1 cpuset values of `parent` into the new group `child` (both relative to the
/// subtree's base; `parent` empty for the base itself).
///
/// Fails with the classified OS error; an EINVAL (a sibling holds every CPU exclusively) is
/// explained.
pub(crate) fn copy_from_parent(subtree: &Subtree, parent: &Path, child: &Path) -> Result<()> {
    let parent_dir = if parent.as_os_str().is_empty() {
        sys::reopen_dir(subtree.base())
    } else {
        sys::open_dir_beneath(subtree.base(), parent)
    }
    .map_err(|e| Error::from_io("open", subtree.path_of(parent), e))?;
    let child_dir = sys::open_dir_beneath(subtree.base(), child)
        .map_err(|e| Error::from_io("open", subtree.path_of(child), e))?;
    for file in V1_INHERITED_FILES {
        let value = sys::read_file_at(parent_dir.as_fd(), file)
            .map_err(|e| Error::from_io("read", subtree.path_of(parent).join(file), e))?;
        let value = value.trim_ascii();
        if value.is_empty() {
            continue;
        }
        let target = subtree.path_of(child).join(file);
        sys::write_file_at(child_dir.as_fd(), file, value).map_err(|e| {
            if e.raw_os_error() == Some(libc::EINVAL) {
                Error::Busy {
                    path: target.clone(),
                    reason: format!(
                        "the kernel refused the parent's value {:?}: a sibling group probably \
                         holds those CPUs or memory nodes exclusively (cpuset.cpu_exclusive)",
                        String::from_utf8_lossy(value)
                    ),
                }
            } else {
                Error::from_io("write", &target, e)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_list_syntax_is_accepted() {
        for good in ["", "0", "0-3", "0-3,6", "1,3,5-7", "0-15:2/4", "8191"] {
            assert!(check_list(good, "CPU").is_ok(), "{good:?}");
        }
    }

    #[test]
    fn malformed_lists_are_refused() {
        for bad in [
            "a",
            "0-",
            "-3",
            "3-1",
            "0,,1",
            "0 1",
            "1,",
            "0-3:0/4",
            "0-3:5/4",
            "3:1/2",
            "8192",
            "99999999999",
            "0x1",
            "+1",
        ] {
            assert!(check_list(bad, "CPU").is_err(), "{bad:?}");
        }
    }
}
