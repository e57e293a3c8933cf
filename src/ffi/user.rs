// SPDX-License-Identifier: MIT OR Apache-2.0
//! Delegating a user's subtree (what `user_cgroups` does).

use std::ffi::{c_char, c_int};

use super::args::{optional_str, required_str};
use super::context::layout_at;
use super::guard::guard;

/// Prepares `user`'s subtree on `base` (NULL: the host's cgroup mount) so that the user can
/// manage their own groups without root; resource files stay root's. Idempotent. Must run as
/// root: CGROUPS_E_PERMISSION otherwise; CGROUPS_E_NO_SUCH_USER for an unknown user.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_user_setup(base: *const c_char, user: *const c_char) -> c_int {
    guard(|| {
        let user = required_str(user, "user")?;
        let layout = layout_at(optional_str(base, "base")?)?;
        Ok(crate::delegate_subtree(&layout, user)?)
    })
}
