// SPDX-License-Identifier: MIT OR Apache-2.0
//! Unit names, checked by systemd's own rules before any bus traffic, and generated scope names.

use std::fs::File;
use std::io::Read;

use super::ScopeError;

/// Longest unit name systemd accepts (`UNIT_NAME_MAX` − 1).
const MAX_UNIT_NAME_BYTES: usize = 255;

/// Whether `c` may appear in a unit name's prefix (systemd's `VALID_CHARS` plus `@`).
fn is_unit_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_' | '.' | '\\' | '@')
}

/// Checks `name` as a plain or instance unit name with the suffix `.{kind}`, as systemd's
/// `unit_name_is_valid(name, UNIT_NAME_PLAIN|UNIT_NAME_INSTANCE)` does (templates are refused),
/// and returns its prefix (the part before the suffix).
fn check_unit_name<'a>(what: &str, name: &'a str, kind: &str) -> Result<&'a str, ScopeError> {
    let invalid = |reason: &str| {
        Err(ScopeError::InvalidArgument(format!(
            "{what} {name:?} {reason}"
        )))
    };
    if name.len() > MAX_UNIT_NAME_BYTES {
        return invalid("is longer than 255 bytes");
    }
    let Some(prefix) = name
        .strip_suffix(kind)
        .and_then(|rest| rest.strip_suffix('.'))
    else {
        return invalid(&format!("does not end with .{kind}"));
    };
    if prefix.is_empty() {
        return invalid("has nothing before the suffix");
    }
    if let Some(bad) = prefix.chars().find(|&c| !is_unit_name_char(c)) {
        return invalid(&format!(
            "contains {bad:?}: a unit name has only ASCII letters, digits and :-_.\\@"
        ));
    }
    match prefix.find('@') {
        Some(0) => invalid("starts with @"),
        Some(at) if at + 1 == prefix.len() => invalid("is a template (nothing after @)"),
        _ => Ok(prefix),
    }
}

/// Checks a scope's unit name ("NAME.scope").
pub(super) fn check_scope_name(name: &str) -> Result<(), ScopeError> {
    check_unit_name("scope unit name", name, "scope").map(drop)
}

/// Checks a slice name as systemd's `slice_name_is_valid` does: a plain unit name ending in
/// `.slice` whose dashes separate non-empty parent names (`a-b.slice` lies in `a.slice`), or the
/// root slice `-.slice`.
pub(super) fn check_slice_name(name: &str) -> Result<(), ScopeError> {
    if name == "-.slice" {
        return Ok(());
    }
    let prefix = check_unit_name("slice name", name, "slice")?;
    let invalid = |reason: &str| {
        Err(ScopeError::InvalidArgument(format!(
            "slice name {name:?} {reason}"
        )))
    };
    if prefix.contains('@') {
        return invalid("cannot be an instance (contains @)");
    }
    if prefix.split('-').any(str::is_empty) {
        return invalid("has an empty part between dashes (a leading, trailing or double -)");
    }
    Ok(())
}

/// A unique unit name for a scope holding `pid`: `cgroups-<pid>-<16 random hex digits>.scope`.
pub(super) fn generated_scope_name(pid: u32) -> Result<String, ScopeError> {
    let mut random = [0u8; 8];
    File::open("/dev/urandom")
        .and_then(|mut urandom| urandom.read_exact(&mut random))
        .map_err(|e| ScopeError::Unsupported(format!("cannot read /dev/urandom: {e}")))?;
    Ok(format!(
        "cgroups-{pid}-{:016x}.scope",
        u64::from_ne_bytes(random)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(result: Result<(), ScopeError>) -> String {
        match result {
            Err(ScopeError::InvalidArgument(message)) => message,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn scope_names_systemd_accepts_are_accepted() {
        for name in [
            "a.scope",
            "run-u42.scope",
            "job:1_x.y\\x2d.scope",
            "build@42.scope",
            &format!("{}.scope", "x".repeat(249)),
        ] {
            check_scope_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn a_scope_name_needs_the_scope_suffix() {
        for name in [
            "job",
            "job.service",
            "job.slice",
            "jobscope",
            "job.scope.d",
            ".scope",
        ] {
            refused(check_scope_name(name));
        }
        assert!(refused(check_scope_name("job.service")).contains("does not end with .scope"));
    }

    #[test]
    fn a_scope_name_with_a_slash_or_other_odd_characters_is_refused() {
        for name in [
            "a/b.scope",
            "../x.scope",
            "/x.scope",
            "a b.scope",
            "a\n.scope",
            "ä.scope",
            "a\0.scope",
        ] {
            refused(check_scope_name(name));
        }
        assert!(refused(check_scope_name("a/b.scope")).contains("'/'"));
    }

    #[test]
    fn scope_templates_and_overlong_names_are_refused() {
        refused(check_scope_name("build@.scope"));
        refused(check_scope_name("@x.scope"));
        refused(check_scope_name(""));
        let long = format!("{}.scope", "x".repeat(250));
        assert!(refused(check_scope_name(&long)).contains("255"));
    }

    #[test]
    fn slice_names_follow_systemds_dash_rules() {
        for name in ["-.slice", "system.slice", "a-b-c.slice", "user-1000.slice"] {
            check_slice_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        for name in [
            "system",
            "system.scope",
            "-a.slice",
            "a-.slice",
            "a--b.slice",
            "a/b.slice",
            "a@b.slice",
            ".slice",
            "",
        ] {
            refused(check_slice_name(name));
        }
    }

    #[test]
    fn generated_names_are_valid_unique_scope_names() {
        let first = generated_scope_name(42).unwrap();
        let second = generated_scope_name(42).unwrap();
        assert!(first.starts_with("cgroups-42-"), "{first}");
        assert_eq!(first.len(), "cgroups-42-.scope".len() + 16);
        assert_ne!(first, second);
        check_scope_name(&first).unwrap();
    }
}
