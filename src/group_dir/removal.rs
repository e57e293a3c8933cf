// SPDX-License-Identifier: MIT OR Apache-2.0
//! Removing a group's directory: moving its processes out until none is left (members may
//! fork), then `rmdir`, retried while exiting tasks are still attached.

use std::thread::sleep;
use std::time::{Duration, Instant};

use super::GroupDir;
use crate::error::{Error, Result};
use crate::layout::Version;
use crate::procfs;
use crate::sys;

/// How long a removal keeps emptying a group whose members keep forking.
const MIGRATION_TIMEOUT: Duration = Duration::from_secs(10);
/// Backoff of `rmdir` while exiting tasks are still attached (EBUSY): 1, 2, 4 … 256 ms.
const RMDIR_RETRIES: u32 = 9;

impl GroupDir {
    /// Fails with [`Error::Busy`] when the directory has child groups: kernfs keeps a
    /// directory's link count at 2 + its subdirectories, so one `fstat` answers.
    pub(crate) fn refuse_child_groups(&self) -> Result<()> {
        let children = sys::stat(self.fd())
            .map_err(|e| Error::from_io("stat", self.path(), e))?
            .nlink
            .saturating_sub(2);
        if children > 0 {
            return Err(Error::Busy {
                path: self.path().to_path_buf(),
                reason: format!("the group has {children} child group(s); delete them first"),
            });
        }
        Ok(())
    }

    /// Removes the directory; returns false when it was already gone. While `rmdir` reports
    /// EBUSY, refuses child groups, moves the processes out (until none is left) and tries again;
    /// with none left, waits for exiting tasks with a bounded backoff. With `check_identity`
    /// (someone else may rename entries of the parent), the directory at the group's name is
    /// first checked to be the group's own.
    ///
    /// Fails with [`Error::Busy`] for child groups, members that cannot be moved from this pid
    /// namespace or keep coming, and a directory at the group's name that is not the group's.
    pub(crate) fn remove(&self, check_identity: bool) -> Result<bool> {
        let deadline = Instant::now() + MIGRATION_TIMEOUT;
        let mut delay = Duration::from_millis(1);
        for _ in 0..=RMDIR_RETRIES {
            if check_identity && !self.is_at_its_name()? {
                return Ok(false);
            }
            match sys::rmdir_at(self.subtree().base(), &self.relative) {
                Ok(()) => return Ok(true),
                Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(false),
                Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {}
                Err(e) => return Err(Error::from_io("rmdir", self.path(), e)),
            }
            self.refuse_child_groups()?;
            if !self.migrate_all_out(deadline)? {
                sleep(delay);
                delay *= 2;
            }
        }
        let reason = if procfs::in_child_pid_namespace() {
            "the group stayed busy with no process left that can be seen from here: it may hold \
             processes outside the caller's pid namespace (cgroup v1 does not list them), which \
             can be neither named nor moved from here"
        } else {
            "the group stayed busy after all its processes were moved out"
        };
        Err(Error::Busy {
            path: self.path().to_path_buf(),
            reason: reason.into(),
        })
    }

    /// Whether the directory at the group's name is the group's own. `Ok(false)` when the group
    /// is gone; [`Error::Busy`] when another directory took its name.
    fn is_at_its_name(&self) -> Result<bool> {
        let own = match sys::stat(self.fd()) {
            Ok(own) if self.exists()? => own,
            Ok(_) => return Ok(false),
            Err(e) => return Err(Error::from_io("stat", self.path(), e)),
        };
        match sys::stat_at(self.subtree().base(), &self.relative) {
            Ok(named) if (named.dev, named.ino) == (own.dev, own.ino) => Ok(true),
            Ok(_) | Err(_) => Err(Error::Busy {
                path: self.path().to_path_buf(),
                reason: "the group was renamed or replaced by someone else since it was opened: \
                         the directory at its name is not the group, so nothing was removed"
                    .into(),
            }),
        }
    }

    /// On v2, the threads of the group whose processes `cgroup.procs` does not list: a process
    /// whose leader exited (a zombie) while other threads run stays listed where its leader
    /// died, but its live threads can be here. Writing any of their ids to `cgroup.procs` moves
    /// the whole process. Empty on v1, whose `cgroup.procs` lists every process of a thread.
    fn threads_of_unlisted_processes(&self) -> Result<Vec<libc::pid_t>> {
        if self.version() != Version::V2 {
            return Ok(Vec::new());
        }
        let text = match self.read("cgroup.threads") {
            Ok(text) => text,
            Err(Error::NotFound { .. }) => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        Ok(text
            .split(u8::is_ascii_whitespace)
            .filter_map(|t| std::str::from_utf8(t).ok()?.parse::<libc::pid_t>().ok())
            .filter(|&tid| tid > 0)
            .collect())
    }

    /// Moves the group's processes to the user's group until none is left. Returns whether
    /// there were any.
    fn migrate_all_out(&self, deadline: Instant) -> Result<bool> {
        let mut found = false;
        loop {
            let members = match self.members() {
                Ok(members) => members,
                Err(Error::NotFound { .. }) => return Ok(found),
                Err(err) => return Err(err),
            };
            let mut movable = members.visible;
            if movable.is_empty() {
                movable = self.threads_of_unlisted_processes()?;
            }
            if movable.is_empty() {
                if members.hidden > 0 {
                    return Err(Error::Busy {
                        path: self.path().to_path_buf(),
                        reason: format!(
                            "{} process(es) of the group live outside the caller's pid namespace \
                             and can be neither named nor moved from here",
                            members.hidden
                        ),
                    });
                }
                return Ok(found);
            }
            found = true;
            self.subtree().move_to_user_group(&movable)?;
            if Instant::now() > deadline {
                return Err(Error::Busy {
                    path: self.path().to_path_buf(),
                    reason: "processes kept entering the group while it was being emptied".into(),
                });
            }
        }
    }
}
