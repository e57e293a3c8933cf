//! The per-user subtree: whose directory a group lives under.

use nix::unistd::{geteuid, User};

use crate::error::{Error, Result};
use crate::name;

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
        Some(name) => {
            name::check_user_name(name)?;
            if name.bytes().all(|b| b.is_ascii_digit()) {
                return Ok(name.to_string());
            }
            match User::from_name(name) {
                Ok(Some(entry)) => Ok(entry.name),
                Ok(None) => Err(Error::NoSuchUser(name.to_string())),
                Err(errno) => Err(Error::from_io("getpwnam", "/etc/passwd", errno.into())),
            }
        }
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
