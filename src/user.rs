//! The per-user subtree: whose directory a group lives under, and its preparation by root
//! (what `user_cgroups` does) so that the user can manage their own groups.

use std::io;
use std::os::unix::fs::lchown;
use std::path::Path;

use nix::unistd::{geteuid, User};

use crate::create::{self, Created};
use crate::error::{Error, Result};
use crate::mounts::{Hierarchy, Layout, Version};
use crate::name::{self, USER_LEAF};

/// The word that means "the effective user" where a user name is expected.
pub const CURRENT: &str = "current";

/// Resolves the directory name of a user's subtree.
///
/// `None` or `"current"` is the effective user's name, or the numeric uid when the uid has no
/// passwd entry (as in many containers). A name must have a passwd entry; an all-digit name is
/// taken as a uid and accepted as is.
///
/// Fails with [`Error::InvalidArgument`] for a malformed name and [`Error::NoSuchUser`] for an
/// unknown one.
pub fn resolve_user_dir(user: Option<&str>) -> Result<String> {
    match user {
        None | Some(CURRENT) => {
            let uid = geteuid();
            let entry = User::from_uid(uid)
                .map_err(|errno| Error::from_io("getpwuid", "/etc/passwd", errno.into()))?;
            Ok(entry.map(|u| u.name).unwrap_or_else(|| uid.to_string()))
        }
        Some(name) => Owner::find(name).map(|owner| owner.dir),
    }
}

/// The files of a user's directory that the kernel's delegation contract hands to the user, per
/// version (v1: moving processes; v2: moving processes and threads, enabling controllers).
const fn delegated_files(version: Version) -> &'static [&'static str] {
    match version {
        Version::V1 => &["cgroup.procs", "tasks"],
        Version::V2 => &["cgroup.procs", "cgroup.threads", "cgroup.subtree_control"],
    }
}

/// Prepares `user`'s subtree in every hierarchy of `layout` so that the user can create, limit
/// and delete their own groups and move their own processes without root.
///
/// v1: `<hierarchy>/<user>` owned by the user with its `cgroup.procs` and `tasks`. v2:
/// `<base>/<user>`, the controllers the layout serves enabled above it (only the missing ones),
/// the directory and its `cgroup.procs`, `cgroup.threads` and `cgroup.subtree_control` owned by
/// the user, and the user's leaf (`cgroups.user`) for processes outside any group. The resource
/// files stay root's, so limits root sets on the user's directory bind all the user's groups.
/// Idempotent. Nothing outside the layout's directories is changed; symlinks are not followed.
///
/// Fails with [`Error::Permission`] unless run as root, [`Error::NoSuchUser`] for an unknown
/// user, [`Error::InvalidArgument`] for a malformed name, and with the error of `mkdir`,
/// controller enabling or `chown`. A failure removes the directories it created.
pub fn setup(layout: &Layout, user: &str) -> Result<()> {
    let base = layout
        .hierarchies()
        .first()
        .map_or(Path::new("/"), |h| h.dir.as_path());
    if !geteuid().is_root() {
        return Err(Error::Permission {
            action: "prepare a user's subtree in",
            path: base.to_path_buf(),
            source: io::Error::from_raw_os_error(libc::EPERM),
            hint: " (only root can hand a subtree to a user)".into(),
        });
    }
    let owner = Owner::find(user)?;
    let mut created = Created::default();
    for hierarchy in layout.hierarchies() {
        if let Err(err) = owner.prepare(hierarchy, &mut created) {
            created.roll_back();
            return Err(err);
        }
    }
    Ok(())
}

/// The user a subtree is handed to.
struct Owner {
    dir: String,
    uid: u32,
    gid: u32,
}

impl Owner {
    fn find(user: &str) -> Result<Owner> {
        name::check_user_name(user)?;
        let entry = if user.bytes().all(|b| b.is_ascii_digit()) {
            let uid: u32 = user
                .parse()
                .map_err(|_| Error::InvalidArgument(format!("uid {user} is out of range")))?;
            User::from_uid(uid.into())
                .ok()
                .flatten()
                .map_or((uid, uid), |u| (uid, u.gid.as_raw()))
        } else {
            match User::from_name(user) {
                Ok(Some(entry)) => (entry.uid.as_raw(), entry.gid.as_raw()),
                Ok(None) => return Err(Error::NoSuchUser(user.to_string())),
                Err(errno) => return Err(Error::from_io("getpwnam", "/etc/passwd", errno.into())),
            }
        };
        Ok(Owner {
            dir: user.to_string(),
            uid: entry.0,
            gid: entry.1,
        })
    }

    fn prepare(&self, hierarchy: &Hierarchy, created: &mut Created) -> Result<()> {
        let user_dir = create::create_dirs(hierarchy, &[&self.dir], created)?;
        if hierarchy.version == Version::V2 {
            create::enable_v2_controllers(hierarchy, &user_dir, hierarchy.controllers)?;
        }
        self.hand_over(hierarchy, &user_dir, delegated_files(hierarchy.version))?;
        if hierarchy.version == Version::V2 {
            let leaf = create::create_dirs(hierarchy, &[&self.dir, USER_LEAF], created)?;
            self.hand_over(hierarchy, &leaf, &["cgroup.procs", "cgroup.threads"])?;
        }
        Ok(())
    }

    /// Gives `dir` and `files` in it to the user; refuses anything that is not strictly below the
    /// hierarchy's base, and never follows a symlink.
    fn hand_over(&self, hierarchy: &Hierarchy, dir: &Path, files: &[&str]) -> Result<()> {
        if !dir.starts_with(&hierarchy.dir) || dir == hierarchy.dir {
            return Err(Error::InvalidArgument(format!(
                "refusing to chown {} outside {}",
                dir.display(),
                hierarchy.dir.display()
            )));
        }
        let paths =
            std::iter::once(dir.to_path_buf()).chain(files.iter().map(|file| dir.join(file)));
        for path in paths {
            lchown(&path, Some(self.uid), Some(self.gid))
                .map_err(|e| Error::from_io("chown", &path, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_user_resolves_to_a_valid_directory_name() {
        let name = resolve_user_dir(None).unwrap();
        assert_eq!(resolve_user_dir(Some(CURRENT)).unwrap(), name);
        assert!(name::check_user_name(&name).is_ok());
    }

    #[test]
    fn unknown_users_are_reported_as_such() {
        assert!(matches!(
            resolve_user_dir(Some("no-such-user-cgroups-rs")),
            Err(Error::NoSuchUser(_))
        ));
    }

    #[test]
    fn numeric_users_are_accepted_as_uids() {
        assert_eq!(resolve_user_dir(Some("4242")).unwrap(), "4242");
    }
}
