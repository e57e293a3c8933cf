//! # libcgroups-rs
//!
//! Create Linux control groups, put processes in them, limit their CPU share and memory, and
//! clean up — on cgroup v2 (unified), v1 (legacy) and hybrid hosts, detected at run time.
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
mod controller;
mod delegation;
pub mod error;
#[doc(hidden)]
pub mod ffi;
mod group_dir;
#[allow(dead_code)] // transitional: the controls and statistics (issues 9, 10) build on it
mod keyed;
pub mod layout;
mod migrate;
pub mod name;
mod open;
mod procfs;
mod spawn;
mod subtree;
mod sys;
pub mod user;

pub use cgroup::{Cgroup, Selection};
pub use context::Context;
pub use controller::memory::Unit;
pub use delegation::delegate_subtree;
pub use error::{Error, Result};
pub use layout::{Controller, Controllers, Hierarchy, Layout, LayoutKind, Version};
pub use open::create_subtree;
pub use spawn::{Child, Command};
pub use user::User;
