//! The cgroup2 core files every v2 group has, whatever its controllers: `cgroup.events`
//! (populated, frozen). Freezing, killing and pressure build on the same directory.

use super::GroupDir;
use crate::error::{Error, Result};
use crate::keyed;
use crate::layout::Version;

/// What `cgroup.events` says of a v2 group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CoreEvents {
    /// Whether the group or a descendant has a live process.
    pub populated: bool,
    /// Whether the group is frozen (`None` before Linux 5.2, which has no freezer in v2).
    pub frozen: Option<bool>,
}

impl CoreEvents {
    /// Parses the content of `cgroup.events`.
    pub(crate) fn parse(text: &[u8]) -> CoreEvents {
        CoreEvents {
            populated: keyed::flat_value(text, "populated").is_some_and(|v| v != 0),
            frozen: keyed::flat_value(text, "frozen").map(|v| v != 0),
        }
    }
}

impl GroupDir {
    /// Reads `cgroup.events` of a v2 group.
    ///
    /// Fails with [`Error::Unsupported`] on a v1 hierarchy, [`Error::NotFound`] when the group was
    /// removed.
    #[allow(dead_code)] // transitional: freezing and killing (issue 9) build on it
    pub(crate) fn core_events(&self) -> Result<CoreEvents> {
        if self.version() != Version::V2 {
            return Err(Error::Unsupported(format!(
                "{} is on a cgroup v1 hierarchy, which has no cgroup.events",
                self.path().display()
            )));
        }
        Ok(CoreEvents::parse(&self.read("cgroup.events")?))
    }
}
