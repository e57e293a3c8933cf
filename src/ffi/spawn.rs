//! Starting a program inside a group, and the group's directory descriptor.
//!
//! The program, its arguments and its environment are passed to the kernel as bytes: unlike the
//! library's other strings they need not be UTF-8.

use std::ffi::{c_char, c_int, CStr, OsStr};
use std::os::fd::IntoRawFd;
use std::os::unix::ffi::OsStrExt;

use super::args::{required_ref, Out};
use super::group::cgroups_cgroup;
use super::guard::{guard, Failure};
use crate::layout::Controller;

/// The strings of a NULL-terminated array; `None` for a NULL array.
fn string_array<'a>(array: *const *mut c_char) -> Option<Vec<&'a OsStr>> {
    if array.is_null() {
        return None;
    }
    let mut strings = Vec::new();
    for index in 0.. {
        // SAFETY: the caller passes a NULL-terminated array of NUL-terminated strings that
        // outlive the call; `index` stops at the terminating NULL.
        let entry = unsafe { *array.add(index) };
        if entry.is_null() {
            break;
        }
        // SAFETY: as above.
        strings.push(OsStr::from_bytes(
            unsafe { CStr::from_ptr(entry) }.to_bytes(),
        ));
    }
    Some(strings)
}

/// Starts the program `file` with arguments `argv` (argv[0] first, NULL-terminated; at least
/// argv[0]) inside the group, and stores its pid in `*pid_out` once it runs. Where the group has
/// a cgroup v2 directory the child is created in it (clone3 CLONE_INTO_CGROUP, Linux 5.7+), so
/// it is a member from its first instruction; in v1 hierarchies (and on older kernels) it joins
/// before exec. `file` without '/' is searched in the caller's PATH, as execvp does (also when
/// `envp` sets another PATH). `envp`: the program's environment (NULL-terminated "NAME=value"
/// strings), or NULL to inherit the caller's. The child gets the caller's descriptors that are
/// not close-on-exec, an empty signal mask, and every caught signal and every standard signal
/// (1-31) at its default, even where the caller ignores it (ignored real-time signals stay
/// ignored).
///
/// The caller must reap the child with waitpid(). When the program cannot be executed the
/// result is CGROUPS_E_OS with cgroups_last_errno() set to the exec error (ENOENT, EACCES, …),
/// the child already reaped and `*pid_out` untouched. CGROUPS_E_NOT_FOUND when the group was
/// removed; CGROUPS_E_INVALID_ARGUMENT for an empty `argv` or an `envp` entry without '='.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_spawn(
    cg: *const cgroups_cgroup,
    file: *const c_char,
    argv: *const *mut c_char,
    envp: *const *mut c_char,
    pid_out: *mut libc::pid_t,
) -> c_int {
    guard(|| {
        let pid_out = Out::new(pid_out, "pid_out")?;
        let group = &required_ref(cg, "cg")?.0;
        if file.is_null() {
            return Err(Failure::null("file"));
        }
        // SAFETY: a non-NULL `file` is a NUL-terminated string that outlives the call.
        let file = OsStr::from_bytes(unsafe { CStr::from_ptr(file) }.to_bytes());
        let argv = string_array(argv).ok_or_else(|| Failure::null("argv"))?;
        let (arg0, args) = argv.split_first().ok_or_else(|| {
            Failure::invalid("argv is empty: it must hold at least argv[0]".into())
        })?;
        let mut command = group.command(file);
        command.arg0(arg0).args(args);
        if let Some(envp) = string_array(envp) {
            command.env_clear();
            for entry in envp {
                let bytes = entry.as_bytes();
                let split = bytes
                    .iter()
                    .position(|&b| b == b'=')
                    .ok_or_else(|| Failure::invalid(format!("envp entry {entry:?} has no '='")))?;
                let (key, value) = bytes.split_at(split);
                command.env(OsStr::from_bytes(key), OsStr::from_bytes(&value[1..]));
            }
        }
        let child = command.spawn()?;
        pid_out.write(child.id() as libc::pid_t);
        Ok(())
    })
}

/// Stores in `*fd_out` a new O_RDONLY|O_DIRECTORY|O_CLOEXEC descriptor (not O_PATH) of the
/// group's directory in the hierarchy serving `controller` (one CGROUPS_* controller bit; on
/// cgroup v2 every bit names the same directory): for clone3's CLONE_INTO_CGROUP and Go's
/// SysProcAttr.CgroupFD (both cgroup v2 only), or openat(). The caller must close() it.
/// CGROUPS_E_INVALID_ARGUMENT for 0, an unknown bit or several bits;
/// CGROUPS_E_CONTROLLER_UNAVAILABLE when the group was opened without `controller`;
/// CGROUPS_E_NOT_FOUND when the group was removed.
#[no_mangle]
#[must_use]
pub extern "C" fn cgroups_dir_fd(
    cg: *const cgroups_cgroup,
    controller: u32,
    fd_out: *mut c_int,
) -> c_int {
    guard(|| {
        let fd_out = Out::new(fd_out, "fd_out")?;
        let group = &required_ref(cg, "cg")?.0;
        let controller = Controller::ALL
            .iter()
            .copied()
            .find(|c| c.bit() == controller)
            .ok_or_else(|| {
                Failure::invalid(format!(
                    "controller {controller:#x} is not one CGROUPS_* controller bit"
                ))
            })?;
        fd_out.write(group.dir_fd(controller)?.into_raw_fd());
        Ok(())
    })
}
