// SPDX-License-Identifier: MIT OR Apache-2.0
//! Users: whose subtree a group lives in. A user is named by its passwd name or its numeric uid;
//! "current" (or nothing) is the effective user.

use nix::errno::Errno;
use nix::unistd::{geteuid, Uid};

use crate::error::{Error, Result};
use crate::name;

/// The word that means "the effective user" where a user name is expected.
pub const CURRENT: &str = "current";

/// A user whose subtree groups live in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The name of the user's directory: the passwd name, or the uid for a user named by uid
    /// or without a passwd entry.
    pub dir: String,
    /// The user id.
    pub uid: u32,
    /// The user's primary group (the uid for a user without a passwd entry).
    pub gid: u32,
}

impl User {
    /// Resolves `user`: `None` or `"current"` is the effective user (named by its passwd name, or
    /// by its uid when it has no passwd entry or no passwd database exists, as in minimal
    /// containers); an all-digit name is a uid, taken as is; any other name must have a passwd
    /// entry.
    ///
    /// Fails with [`Error::InvalidArgument`] for a malformed name (also a passwd name that could
    /// not name a directory, such as one with `/`) or the uid 4294967295 (`(uid_t)-1`, which
    /// the kernel reads as "no change"), [`Error::NoSuchUser`] for an unknown name, and
    /// [`Error::Os`] when the passwd database cannot be read.
    pub fn resolve(user: Option<&str>) -> Result<User> {
        match user {
            None | Some(CURRENT) => {
                let uid = geteuid().as_raw();
                match lookup_uid(uid)? {
                    Some(entry) => {
                        name::check_user_name(&entry.name).map_err(|_| {
                            Error::InvalidArgument(format!(
                                "the passwd name {:?} of the current user (uid {uid}) cannot name \
                                 a directory; name the user explicitly (by uid)",
                                entry.name
                            ))
                        })?;
                        Ok(User {
                            dir: entry.name,
                            uid,
                            gid: entry.gid.as_raw(),
                        })
                    }
                    None => Ok(User {
                        dir: uid.to_string(),
                        uid,
                        gid: uid,
                    }),
                }
            }
            Some(name) => User::named(name),
        }
    }

    fn named(user: &str) -> Result<User> {
        name::check_user_name(user)?;
        if user.bytes().all(|b| b.is_ascii_digit()) {
            let uid: u32 = user
                .parse()
                .ok()
                .filter(|&uid| uid != u32::MAX)
                .ok_or_else(|| Error::InvalidArgument(format!("uid {user} is out of range")))?;
            let gid = lookup_uid(uid)?.map_or(uid, |entry| entry.gid.as_raw());
            return Ok(User {
                dir: user.to_string(),
                uid,
                gid,
            });
        }
        match nix::unistd::User::from_name(user) {
            Ok(Some(entry)) => Ok(User {
                dir: user.to_string(),
                uid: entry.uid.as_raw(),
                gid: entry.gid.as_raw(),
            }),
            Ok(None) => Err(Error::NoSuchUser(user.to_string())),
            Err(errno) if means_no_entry(errno) => Err(Error::NoSuchUser(user.to_string())),
            Err(errno) => Err(Error::from_io(
                "look up user",
                "the passwd database",
                errno.into(),
            )),
        }
    }
}

fn lookup_uid(uid: u32) -> Result<Option<nix::unistd::User>> {
    match nix::unistd::User::from_uid(Uid::from_raw(uid)) {
        Ok(entry) => Ok(entry),
        Err(errno) if means_no_entry(errno) => Ok(None),
        Err(errno) => Err(Error::from_io(
            "look up uid in",
            "the passwd database",
            errno.into(),
        )),
    }
}

/// getpwuid_r(3) reports "not found" as 0 or as one of these (ENOENT when there is no
/// /etc/passwd at all).
fn means_no_entry(errno: Errno) -> bool {
    matches!(
        errno,
        Errno::ENOENT | Errno::ESRCH | Errno::EBADF | Errno::EPERM
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_user_resolves_to_a_valid_directory_name() {
        let current = User::resolve(None).unwrap();
        assert_eq!(User::resolve(Some(CURRENT)).unwrap(), current);
        assert!(name::check_user_name(&current.dir).is_ok());
        assert_eq!(current.uid, geteuid().as_raw());
    }

    #[test]
    fn unknown_users_are_reported_as_such() {
        assert!(matches!(
            User::resolve(Some("no-such-user-cgroups-rs")),
            Err(Error::NoSuchUser(_))
        ));
    }

    #[test]
    fn numeric_users_are_accepted_as_uids_but_not_the_no_change_uid() {
        let user = User::resolve(Some("4242")).unwrap();
        assert_eq!((user.dir.as_str(), user.uid), ("4242", 4242));
        for bad in ["4294967295", "4294967296", "99999999999999"] {
            assert!(
                matches!(User::resolve(Some(bad)), Err(Error::InvalidArgument(_))),
                "{bad}"
            );
        }
    }
}
