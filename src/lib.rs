// SPDX-License-Identifier: MIT OR Apache-2.0
//! # libcgroups-rs
//!
//! Create Linux control groups, put processes in them, limit their CPU share and memory, cap
//! their CPU time, processes, swap and I/O, pin them to CPUs, freeze, kill, and clean up — on
//! cgroup v2 (unified), v1 (legacy) and hybrid hosts, detected at run time.
//!
//! Groups live in a per-user subtree: `<hierarchy>/<user>/<name>` in each hierarchy that serves a
//! chosen controller. A [`Layout`] says which hierarchies there are; a [`Context`] opens them once
//! for a user; a [`Cgroup`] is a group, held by descriptors of its directories. The same model
//! is exported as a C ABI (`include/cgroups.h`).
//!
//! ```no_run
//! use cgroups::{Cgroup, Context, Layout, Selection, Unit};
//!
//! let layout = Layout::discover()?;
//! let group = Cgroup::open(&layout, "charlie", Selection::All, None)?;
//! group.set_cpu_share_percent(50.0)?;
//! group.set_memory_limit(500, Unit::Megabytes)?;
//! group.add(std::process::id() as i32)?;
//! group.remove(std::process::id() as i32)?;
//! group.delete()?;
//!
//! // Many groups: resolve the layout and the user once.
//! let context = Context::new(layout, None)?;
//! let job = context.open("jobs/42", Selection::All)?;
//! job.set_cpu_max(1.5)?;
//! job.set_pids_limit(64)?;
//! job.kill(libc::SIGKILL)?;
//! job.wait_empty(Some(std::time::Duration::from_secs(10)))?;
//! job.delete()?;
//!
//! // Or one call per group, at the same cost: a context kept per process, checked against
//! // the mount table on every call.
//! let job = Cgroup::open_at(None, "jobs/43", Selection::All, None)?;
//! job.delete()?;
//! # Ok::<(), cgroups::Error>(())
//! ```
//!
//! Errors are [`Error`] values, one variant per category, each naming the path and the OS error.
//!
//! [`Cgroup::command`] starts a program inside a group (on cgroup v2 the kernel creates it
//! there, so it never runs outside): `group.command("make").arg("-j4").spawn()?.wait()`.
//! [`Cgroup::dir_fd`] gives the group's directory to callers that start processes themselves.
#![deny(missing_docs)]

mod cgroup;
mod context;
mod context_cache;
mod controller;
mod delegation;
pub mod error;
#[doc(hidden)]
pub mod ffi;
mod flag_set;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod group_dir;
mod keyed;
mod kill;
pub mod layout;
mod migrate;
pub mod name;
mod open;
mod pressure;
mod procfs;
#[cfg(feature = "systemd")]
mod scope;
mod spawn;
mod stats;
mod subtree;
mod sys;
#[cfg(feature = "systemd")]
#[doc(hidden)]
pub mod systemd;
pub mod user;
mod watch;

pub use cgroup::{Cgroup, Selection};
pub use context::Context;
pub use controller::io::IoMax;
pub use controller::memory::Unit;
pub use delegation::delegate_subtree;
pub use error::{Error, Result};
pub use layout::{Controller, Controllers, Hierarchy, Layout, LayoutKind, Version};
pub use open::create_subtree;
pub use pressure::{Pressure, PressureLine, Resource, Stall};
#[cfg(feature = "systemd")]
pub use scope::{ScopeManager, ScopeOptions};
pub use spawn::{Child, Command};
pub use stats::{StatKinds, Stats, StatsReader};
pub use user::User;
pub use watch::{Events, Watch};
