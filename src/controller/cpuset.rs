//! cpuset placement. On v1 a new group starts with empty `cpuset.cpus`/`cpuset.mems`, and
//! attaching a process to it then fails with ENOSPC; the library copies the parent's values into
//! every group it creates (rather than flipping the parent's `cgroup.clone_children`, which is not
//! its to change). v2 groups inherit the effective values and need nothing.

/// The v1 files a new group copies from its parent, in the order the kernel needs them.
pub const V1_INHERITED_FILES: [&str; 2] = ["cpuset.cpus", "cpuset.mems"];
