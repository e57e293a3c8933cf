//! cpuset placement. On v1 a new group starts with empty `cpuset.cpus`/`cpuset.mems`, and
//! attaching a process to it then fails with ENOSPC; the library copies the parent's values into
//! every group it creates (rather than flipping the parent's `cgroup.clone_children`, which is not
//! its to change). v2 groups inherit the effective values and need nothing.

use std::os::fd::AsFd;
use std::path::Path;

use crate::error::{Error, Result};
use crate::subtree::Subtree;
use crate::sys;

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
