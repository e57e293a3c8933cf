//! The system calls the library makes on cgroup files, relative to directory descriptors.
//!
//! Every path below a held directory descriptor is resolved beneath it: `openat2` with
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV` (Linux 5.6+), or on older kernels one
//! `openat(O_NOFOLLOW)` per component with a check that the device stays the same. Single names
//! (interface files) are opened with `openat(O_NOFOLLOW)`. Each operation makes the minimum of
//! calls: one `open`, one `write` (or reads until a short one), one `close`.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::errno::Errno;
use nix::fcntl::{openat, openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{fstat, fstatat, mkdirat, Mode};
use nix::unistd::{fchownat, unlinkat, AccessFlags, UnlinkatFlags};

/// What the library needs to know of a directory or file from `fstat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stat {
    /// Owner.
    pub uid: u32,
    /// Device and inode: the identity of the object.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Link count (kernfs: 2 + the number of subdirectories).
    pub nlink: u64,
}

impl From<nix::sys::stat::FileStat> for Stat {
    fn from(st: nix::sys::stat::FileStat) -> Stat {
        Stat {
            uid: st.st_uid,
            dev: st.st_dev,
            ino: st.st_ino,
            nlink: st.st_nlink,
        }
    }
}

/// Set once `openat2` reported ENOSYS: the fallback is used from then on.
static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

const DIR_FLAGS: OFlag = OFlag::O_PATH
    .union(OFlag::O_DIRECTORY)
    .union(OFlag::O_NOFOLLOW)
    .union(OFlag::O_CLOEXEC);

/// Opens the directory `relative` (one or more normal components) beneath `dir`, without
/// following symlinks and without crossing into another mount, as an `O_PATH` descriptor.
pub(crate) fn open_dir_beneath(dir: BorrowedFd<'_>, relative: &Path) -> io::Result<OwnedFd> {
    if !NO_OPENAT2.load(Ordering::Relaxed) {
        let how = OpenHow::new().flags(DIR_FLAGS).resolve(
            ResolveFlag::RESOLVE_BENEATH
                | ResolveFlag::RESOLVE_NO_SYMLINKS
                | ResolveFlag::RESOLVE_NO_XDEV,
        );
        match openat2(dir, relative, how) {
            Err(Errno::ENOSYS) => NO_OPENAT2.store(true, Ordering::Relaxed),
            result => return result.map_err(io::Error::from),
        }
    }
    open_dir_by_components(dir, relative)
}

/// The fallback of [`open_dir_beneath`]: one `openat(O_NOFOLLOW)` per component, refusing `..`,
/// absolute paths and a change of device.
fn open_dir_by_components(dir: BorrowedFd<'_>, relative: &Path) -> io::Result<OwnedFd> {
    let device = stat(dir)?.dev;
    let mut current: Option<OwnedFd> = None;
    for component in relative.components() {
        let Component::Normal(name) = component else {
            return Err(io::Error::from_raw_os_error(libc::EXDEV));
        };
        let parent = current.as_ref().map_or(dir, |fd| fd.as_fd());
        let next = openat(parent, name, DIR_FLAGS, Mode::empty())?;
        if stat(next.as_fd())?.dev != device {
            return Err(io::Error::from_raw_os_error(libc::EXDEV));
        }
        current = Some(next);
    }
    match current {
        Some(fd) => Ok(fd),
        None => reopen_dir(dir),
    }
}

/// Opens an absolute directory path as an `O_PATH` descriptor, refusing symlinks on the way
/// (mount points from mountinfo are canonical: a symlink there means someone swapped a
/// component).
pub(crate) fn open_dir_path(path: &Path) -> io::Result<OwnedFd> {
    let root = openat(nix::fcntl::AT_FDCWD, "/", DIR_FLAGS, Mode::empty())?;
    let relative = path
        .strip_prefix("/")
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    if relative.as_os_str().is_empty() {
        return Ok(root);
    }
    if !NO_OPENAT2.load(Ordering::Relaxed) {
        let how = OpenHow::new()
            .flags(DIR_FLAGS)
            .resolve(ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_BENEATH);
        match openat2(root.as_fd(), relative, how) {
            Err(Errno::ENOSYS) => NO_OPENAT2.store(true, Ordering::Relaxed),
            result => return result.map_err(io::Error::from),
        }
    }
    let mut current = root;
    for component in relative.components() {
        let Component::Normal(name) = component else {
            return Err(io::Error::from_raw_os_error(libc::EINVAL));
        };
        current = openat(current.as_fd(), name, DIR_FLAGS, Mode::empty())?;
    }
    Ok(current)
}

/// A new `O_PATH` descriptor of the same directory.
pub(crate) fn reopen_dir(dir: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    Ok(openat(dir, ".", DIR_FLAGS, Mode::empty())?)
}

/// A new readable descriptor of the same directory (`O_RDONLY | O_DIRECTORY`, not `O_PATH`).
pub(crate) fn open_dir_readable(dir: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    Ok(openat(dir, ".", flags, Mode::empty())?)
}

/// Runs `call` again while it fails with EINTR (a signal arrived before it did anything): the
/// opens, reads and writes of files, which signal(7) lets be interrupted.
fn restarting<T>(mut call: impl FnMut() -> nix::Result<T>) -> nix::Result<T> {
    loop {
        match call() {
            Err(Errno::EINTR) => continue,
            result => return result,
        }
    }
}

/// Opens the file `name` in `dir` with `flags` (`O_CLOEXEC | O_NOFOLLOW` added).
pub(crate) fn open_file_at(dir: BorrowedFd<'_>, name: &str, flags: OFlag) -> io::Result<OwnedFd> {
    let flags = flags | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW;
    Ok(restarting(|| openat(dir, name, flags, Mode::empty()))?)
}

/// How the kernel hands out a file's content. Both `/proc` files and cgroup interface files are
/// seq_files, which return at most one buffer (a page at first) of whole records per `read`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Records {
    /// The content is one record (every value file, `/proc/<pid>/status`, `/proc/<pid>/cgroup`):
    /// the buffer grows until it holds all of it, so a short read is the end and small files
    /// cost one `read`.
    One,
    /// One record per line (`/proc/self/mountinfo`, `cgroup.procs`, `cgroup.threads`, v1
    /// `tasks`): a `read` stops at the last record that fits in a page, so only an empty read
    /// is the end.
    Many,
}

impl Records {
    /// The kind of the cgroup interface file `name`.
    pub(crate) fn of(name: &str) -> Records {
        match name {
            "cgroup.procs" | "cgroup.threads" | "tasks" => Records::Many,
            _ => Records::One,
        }
    }
}

/// Reads the whole interface file `name` of `dir`.
pub(crate) fn read_file_at(dir: BorrowedFd<'_>, name: &str) -> io::Result<Vec<u8>> {
    let file = open_file_at(dir, name, OFlag::O_RDONLY)?;
    read_to_end(file.as_fd(), Records::of(name))
}

/// Reads from the current position of `fd` to the end of a file made of `records`.
pub(crate) fn read_to_end(fd: BorrowedFd<'_>, records: Records) -> io::Result<Vec<u8>> {
    fill(records, |buffer, _| {
        // SAFETY: `buffer` is writable for its length (spare capacity of a Vec).
        let n = unsafe { libc::read(fd.as_raw_fd(), buffer.as_mut_ptr().cast(), buffer.len()) };
        byte_count(n)
    })
}

/// Reads a whole file through a descriptor kept open, from offset 0 (`pread`), so that the
/// descriptor can be read again later; seq_files regenerate their content at offset 0.
pub(crate) fn pread_to_end(fd: BorrowedFd<'_>, records: Records) -> io::Result<Vec<u8>> {
    fill(records, |buffer, offset| {
        let offset =
            libc::off_t::try_from(offset).map_err(|_| io::Error::from_raw_os_error(libc::EFBIG))?;
        // SAFETY: `buffer` is writable for its length (spare capacity of a Vec).
        let n = unsafe {
            libc::pread(
                fd.as_raw_fd(),
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                offset,
            )
        };
        byte_count(n)
    })
}

/// The result of a `read(2)`-like call: the bytes read, or the OS error.
fn byte_count(n: libc::ssize_t) -> io::Result<usize> {
    usize::try_from(n).map_err(|_| io::Error::last_os_error())
}

/// Calls `read(buffer, offset)` into the spare capacity of a growing buffer, without zeroing
/// it first, until the end of a file made of `records` (a short read for one record, an empty
/// read for many); EINTR is retried. A small value file costs one call and one allocation.
fn fill(
    records: Records,
    mut read: impl FnMut(&mut [std::mem::MaybeUninit<u8>], usize) -> io::Result<usize>,
) -> io::Result<Vec<u8>> {
    const CHUNK: usize = 4096;
    let mut content: Vec<u8> = Vec::with_capacity(CHUNK);
    loop {
        let offset = content.len();
        let spare = content.spare_capacity_mut();
        let wanted = spare.len();
        let n = match read(spare, offset) {
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
            result => result?.min(wanted),
        };
        // SAFETY: the call initialised the first `n` bytes of the spare capacity.
        unsafe { content.set_len(offset + n) };
        if n == 0 || (n < wanted && records == Records::One) {
            return Ok(content);
        }
        content.reserve(CHUNK);
    }
}

/// Writes `value` to the existing file `name` of `dir` in a single `write`: the kernel applies
/// one value per `write`.
pub(crate) fn write_file_at(dir: BorrowedFd<'_>, name: &str, value: &[u8]) -> io::Result<()> {
    let file = open_file_at(dir, name, OFlag::O_WRONLY)?;
    write_once(file.as_fd(), value)
}

/// One `write` of the whole value; a partial write is reported as `WriteZero`.
pub(crate) fn write_once(fd: BorrowedFd<'_>, value: &[u8]) -> io::Result<()> {
    let written = restarting(|| nix::unistd::write(fd, value))?;
    if written != value.len() {
        return Err(io::Error::new(
            io::ErrorKind::WriteZero,
            "short write to a cgroup file",
        ));
    }
    Ok(())
}

/// Creates the directory `relative` in `dir` (its parent must exist).
pub(crate) fn mkdir_at(dir: BorrowedFd<'_>, relative: &Path) -> io::Result<()> {
    Ok(mkdirat(dir, relative, Mode::from_bits_truncate(0o755))?)
}

/// Removes the empty directory `relative` of `dir`.
pub(crate) fn rmdir_at(dir: BorrowedFd<'_>, relative: &Path) -> io::Result<()> {
    Ok(unlinkat(dir, relative, UnlinkatFlags::RemoveDir)?)
}

/// Whether `name` exists in `dir` (a file of a removed group does not).
pub(crate) fn exists_at(dir: BorrowedFd<'_>, name: &str) -> io::Result<bool> {
    match nix::unistd::faccessat(
        dir,
        name,
        AccessFlags::F_OK,
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    ) {
        Ok(()) => Ok(true),
        Err(Errno::ENOENT) | Err(Errno::ENODEV) => Ok(false),
        Err(errno) => Err(errno.into()),
    }
}

/// `fstat` of a descriptor.
pub(crate) fn stat(fd: BorrowedFd<'_>) -> io::Result<Stat> {
    Ok(fstat(fd)?.into())
}

/// `fstatat` of `relative` in `dir`, not following a final symlink.
pub(crate) fn stat_at(dir: BorrowedFd<'_>, relative: &Path) -> io::Result<Stat> {
    Ok(fstatat(dir, relative, nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW)?.into())
}

/// The filesystem magic of the filesystem holding `fd`.
pub(crate) fn fs_magic(fd: BorrowedFd<'_>) -> io::Result<i64> {
    Ok(nix::sys::statfs::fstatfs(fd)?.filesystem_type().0 as i64)
}

/// The id of the mount holding `fd` (mountinfo's first field), where the kernel tells it
/// (`statx` with `STATX_MNT_ID`, Linux 5.8+); `None` on older kernels.
pub(crate) fn mount_id(fd: BorrowedFd<'_>) -> io::Result<Option<u64>> {
    use std::os::fd::AsRawFd;
    statx_mount_id(
        fd.as_raw_fd(),
        c"",
        libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW,
    )
}

/// The id of the mount of the calling thread's root directory (see [`mount_id`]): it changes
/// with the mount namespace (`unshare`, `setns`) and with `chroot`.
pub(crate) fn root_mount_id() -> io::Result<Option<u64>> {
    statx_mount_id(libc::AT_FDCWD, c"/", 0)
}

fn statx_mount_id(
    dir: libc::c_int,
    path: &std::ffi::CStr,
    flags: libc::c_int,
) -> io::Result<Option<u64>> {
    let mut buf = std::mem::MaybeUninit::<libc::statx>::zeroed();
    // SAFETY: a valid directory descriptor (or AT_FDCWD), a NUL-terminated path, and a buffer
    // of the right type that the kernel fills.
    let rc = unsafe {
        libc::statx(
            dir,
            path.as_ptr(),
            flags,
            libc::STATX_MNT_ID,
            buf.as_mut_ptr(),
        )
    };
    if rc != 0 {
        let err = io::Error::last_os_error();
        return match err.raw_os_error() {
            Some(libc::ENOSYS) => Ok(None),
            _ => Err(err),
        };
    }
    // SAFETY: statx succeeded and initialised the buffer.
    let buf = unsafe { buf.assume_init() };
    Ok((buf.stx_mask & libc::STATX_MNT_ID != 0).then_some(buf.stx_mnt_id))
}

/// Gives `name` in `dir` (or `dir` itself for `None`) to `uid:gid`, never following a symlink.
pub(crate) fn chown_at(
    dir: BorrowedFd<'_>,
    name: Option<&str>,
    uid: u32,
    gid: u32,
) -> io::Result<()> {
    let (path, flags) = match name {
        Some(name) => (name, nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW),
        None => ("", nix::fcntl::AtFlags::AT_EMPTY_PATH),
    };
    Ok(fchownat(
        dir,
        path,
        Some(uid.into()),
        Some(gid.into()),
        flags,
    )?)
}

/// Waits until `fd` reports a priority event (a kernfs file such as `cgroup.events` was
/// modified, or the mount table changed for `/proc/self/mountinfo`), for at most `timeout`
/// (`Duration::ZERO`: only checks). Returns whether one was reported; an interrupted wait
/// reports none.
pub(crate) fn poll_priority(fd: BorrowedFd<'_>, timeout: std::time::Duration) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    let mut pollfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLPRI,
        revents: 0,
    };
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd for the duration of the call.
    match unsafe { libc::poll(&mut pollfd, 1, millis) } {
        n if n > 0 => Ok(pollfd.revents & (libc::POLLPRI | libc::POLLERR) != 0),
        0 => Ok(false),
        _ => match io::Error::last_os_error() {
            e if e.raw_os_error() == Some(libc::EINTR) => Ok(false),
            e => Err(e),
        },
    }
}

/// The names of the subdirectories of `dir` (child groups, in a cgroup directory).
pub(crate) fn subdirectories(dir: BorrowedFd<'_>) -> io::Result<Vec<std::ffi::CString>> {
    let mut listing = nix::dir::Dir::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    for entry in listing.iter() {
        let entry = entry?;
        let name = entry.file_name();
        if entry.file_type() == Some(nix::dir::Type::Directory) && name != c"." && name != c".." {
            names.push(name.to_owned());
        }
    }
    Ok(names)
}

/// Reads a whole file made of `records` by path (for `/proc`), as bytes.
pub(crate) fn read_path(path: &Path, records: Records) -> io::Result<Vec<u8>> {
    let flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC;
    let file = restarting(|| openat(nix::fcntl::AT_FDCWD, path, flags, Mode::empty()))?;
    read_to_end(file.as_fd(), records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_leaving_the_directory_are_refused_by_both_resolvers() {
        let own = format!("/proc/{}", std::process::id());
        let root = open_dir_path(Path::new(&own)).unwrap();
        for bad in ["..", "task/../..", "/etc"] {
            assert!(
                open_dir_beneath(root.as_fd(), Path::new(bad)).is_err(),
                "{bad}"
            );
            assert!(
                open_dir_by_components(root.as_fd(), Path::new(bad)).is_err(),
                "{bad}"
            );
        }
        assert!(open_dir_by_components(root.as_fd(), Path::new("task")).is_ok());
    }

    #[test]
    fn files_longer_than_one_chunk_are_read_whole_and_again_from_the_start() {
        let path = std::env::temp_dir().join(format!("cgroups-sys-test-{}", std::process::id()));
        let content: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &content).unwrap();
        let file = openat(nix::fcntl::AT_FDCWD, &path, OFlag::O_RDONLY, Mode::empty()).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(read_to_end(file.as_fd(), Records::One).unwrap(), content);
        assert!(
            read_to_end(file.as_fd(), Records::One).unwrap().is_empty(),
            "at the end now"
        );
        assert_eq!(pread_to_end(file.as_fd(), Records::One).unwrap(), content);
        assert_eq!(pread_to_end(file.as_fd(), Records::One).unwrap(), content);
    }

    #[test]
    fn files_of_many_records_are_read_to_an_empty_read() {
        let mut fds = [0; 2];
        // SAFETY: a valid array of two descriptors for socketpair to fill.
        let rc =
            unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_SEQPACKET, 0, fds.as_mut_ptr()) };
        assert_eq!(rc, 0);
        // SAFETY: socketpair returned two open descriptors that nothing else owns.
        let (reader, writer) = unsafe {
            use std::os::fd::FromRawFd;
            (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
        };
        // Each packet comes out in one read, like a page of seq_file records.
        for packet in [&b"line 1\n"[..], b"line 2\n", b"line 3\n"] {
            write_once(writer.as_fd(), packet).unwrap();
        }
        assert_eq!(
            read_to_end(reader.as_fd(), Records::One).unwrap(),
            b"line 1\n"
        );
        drop(writer);
        assert_eq!(
            read_to_end(reader.as_fd(), Records::Many).unwrap(),
            b"line 2\nline 3\n"
        );
        assert_eq!(Records::of("cgroup.procs"), Records::Many);
        assert_eq!(Records::of("memory.max"), Records::One);
    }

    #[test]
    fn symlinks_are_not_followed() {
        // /proc/self is a symlink to the pid's directory.
        assert!(open_dir_path(Path::new("/proc/self")).is_err());
        let proc = open_dir_path(Path::new("/proc")).unwrap();
        assert!(open_dir_beneath(proc.as_fd(), Path::new("self")).is_err());
        assert!(open_dir_by_components(proc.as_fd(), Path::new("self")).is_err());
    }
}
