//! The C ABI: argument checks, handle ownership, status codes and the panic boundary. Every
//! function here converts and calls the Rust API; none holds cgroup logic of its own.

mod args;
pub mod cgroup;
pub mod constants;
pub mod context;
mod guard;
pub mod last_error;
pub mod status;
pub mod user;
pub mod version;
