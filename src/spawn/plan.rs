//! Everything the child of a spawn needs, prepared before the clone: the paths to try (the PATH
//! search), and the argument and environment arrays as NUL-terminated strings with their
//! NULL-terminated pointer arrays. After the clone the child only reads these.

use std::ffi::{c_char, CString, OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use crate::error::{Error, Result};

/// glibc's PATH when none is set (`confstr(_CS_PATH)`), which `execvp` uses too.
const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// Owned C strings and the NULL-terminated array of pointers to them that `execve` takes.
#[derive(Debug)]
pub(super) struct CStringArray {
    /// Owns what `pointers` points to; never changed once the pointers are taken.
    _strings: Vec<CString>,
    pointers: Vec<*const c_char>,
}

impl CStringArray {
    /// The array of `strings`, each checked for NUL bytes (`what` names them in the error).
    pub(super) fn new(strings: Vec<OsString>, what: &str) -> Result<CStringArray> {
        let strings = strings
            .into_iter()
            .map(|s| c_string(s, what))
            .collect::<Result<Vec<CString>>>()?;
        let pointers = strings
            .iter()
            .map(|s| s.as_ptr())
            .chain(std::iter::once(std::ptr::null()))
            .collect();
        Ok(CStringArray {
            _strings: strings,
            pointers,
        })
    }

    /// The NULL-terminated pointer array, valid while `self` lives.
    pub(super) fn as_ptr(&self) -> *const *const c_char {
        self.pointers.as_ptr()
    }
}

/// A string for the kernel: refused if it holds a NUL byte.
fn c_string(s: OsString, what: &str) -> Result<CString> {
    CString::new(s.into_vec()).map_err(|e| {
        Error::InvalidArgument(format!(
            "{what} {:?} contains a NUL byte",
            OsStr::from_bytes(&e.into_vec())
        ))
    })
}

/// The files to try `execve` on, in order: `program` itself when it contains a `/`, else
/// `program` in each directory of the PATH `path` returns (asked only then: the caller's PATH;
/// `/bin:/usr/bin` for none), as `execvp` builds them. An empty PATH entry is the current
/// directory; an entry that would make the path longer than `PATH_MAX` is skipped. Empty for
/// an empty `program`.
pub(super) fn candidates(
    program: &OsStr,
    path: impl FnOnce() -> Option<OsString>,
) -> Result<Vec<CString>> {
    let program = c_string(program.to_owned(), "program")?;
    let name = program.as_bytes();
    if name.is_empty() {
        return Ok(Vec::new());
    }
    if name.contains(&b'/') {
        return Ok(vec![program]);
    }
    let path = path();
    let path = path.as_deref().map_or(DEFAULT_PATH, OsStr::as_bytes);
    let max = libc::PATH_MAX as usize;
    path.split(|&b| b == b':')
        .filter(|dir| dir.len() + 1 + name.len() < max)
        .map(|dir| {
            let mut full = Vec::with_capacity(dir.len() + 1 + name.len());
            if !dir.is_empty() {
                full.extend_from_slice(dir);
                full.push(b'/');
            }
            full.extend_from_slice(name);
            CString::new(full)
                .map_err(|_| Error::InvalidArgument("PATH contains a NUL byte".into()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[CString]) -> Vec<&str> {
        list.iter().map(|c| c.to_str().unwrap()).collect()
    }

    #[test]
    fn a_name_with_a_slash_is_tried_as_is() {
        let found = candidates(OsStr::new("./run"), || Some("/bin".into())).unwrap();
        assert_eq!(strings(&found), ["./run"]);
    }

    #[test]
    fn a_bare_name_is_tried_in_each_path_directory_in_order() {
        let found = candidates(OsStr::new("ls"), || Some("/usr/bin::/bin".into())).unwrap();
        assert_eq!(strings(&found), ["/usr/bin/ls", "ls", "/bin/ls"]);
    }

    #[test]
    fn without_path_the_default_directories_are_searched() {
        let found = candidates(OsStr::new("ls"), || None).unwrap();
        assert_eq!(strings(&found), ["/bin/ls", "/usr/bin/ls"]);
    }

    #[test]
    fn an_empty_program_has_nothing_to_try_and_a_nul_is_refused() {
        assert!(candidates(OsStr::new(""), || None).unwrap().is_empty());
        for bad in ["a\0b", "/a\0b"] {
            let err = candidates(OsStr::new(bad), || None).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        }
    }

    #[test]
    fn directories_too_long_for_path_max_are_skipped() {
        let long = format!("/{}", "d".repeat(libc::PATH_MAX as usize));
        let path = format!("{long}:/bin");
        let found = candidates(OsStr::new("ls"), || Some(path.into())).unwrap();
        assert_eq!(strings(&found), ["/bin/ls"]);
    }

    #[test]
    fn arrays_end_with_null_and_refuse_nul_bytes() {
        let array = CStringArray::new(vec!["a".into(), "bc".into()], "argument").unwrap();
        // SAFETY: the array holds two valid pointers and a NULL.
        let third = unsafe { *array.as_ptr().add(2) };
        assert!(third.is_null());
        let err = CStringArray::new(vec!["a\0".into()], "argument").unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
    }
}
