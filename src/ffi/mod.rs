//! The C ABI: argument checks, handle ownership, status codes and the panic boundary. Every
//! function here converts and calls the public Rust API; none holds cgroup logic of its own.
//! One file per family of calls.

mod args;
pub mod constants;
mod context;
mod cpu;
mod cpuset;
mod freezer;
mod group;
mod guard;
mod io;
mod kill;
mod last_error;
mod memory;
mod pids;
mod pressure;
mod spawn;
mod stats;
mod status;
mod user;
pub mod version;
mod watch;
