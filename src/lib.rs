//! # libcgroups-rs
//!
//! Create Linux control groups, put processes in them, limit their CPU share and memory, and
//! clean up — on cgroup v2 (unified), v1 (legacy) and hybrid hosts, detected at run time.
//!
//! Groups live in a per-user subtree: `<hierarchy>/<user>/<name>` in each hierarchy that serves a
//! chosen controller. The same model is exported as a C ABI (`include/cgroups.h`).
//!
//! ```no_run
//! use cgroups::{Cgroup, Layout, Selection, Unit};
//!
//! let layout = Layout::discover()?;
//! let group = Cgroup::open(&layout, "charlie", Selection::All, None)?;
//! // Many groups: resolve the layout and the user once.
//! let context = cgroups::Context::new(layout, None)?;
//! let job = context.open("jobs/42", Selection::All)?;
//! job.delete()?;
//! group.set_cpu_limit(50.0)?;
//! group.set_memory_limit(500, Unit::Megabytes)?;
//! group.add(std::process::id() as i32)?;
//! group.remove(std::process::id() as i32)?;
//! group.delete()?;
//! # Ok::<(), cgroups::Error>(())
//! ```

mod cgroup;
mod context;
pub mod controller;
mod create;
pub mod error;
pub mod ffi;
mod fsio;
mod migrate;
pub mod mounts;
pub mod name;
mod proc_cgroup;
#[cfg(feature = "systemd")]
#[doc(hidden)]
pub mod systemd;
pub mod user;

pub use cgroup::{Cgroup, Selection};
pub use context::Context;
pub use controller::memory::Unit;
pub use controller::{Controller, Controllers};
pub use error::{Error, Result};
pub use mounts::{Hierarchy, Layout, LayoutKind, Version};
