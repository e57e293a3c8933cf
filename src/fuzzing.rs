//! Entry points of the fuzz targets (`fuzz/`, cargo-fuzz): one function per parser, taking the
//! fuzzer's bytes, calling the crate-private parser and checking what its result promises. A
//! panic is a finding. Compiled with the `fuzzing` feature (for the fuzz crate) and for the unit
//! tests, which replay every committed seed; never part of a normal build, so the parsers stay
//! private to the crate.
//!
//! Adding a target: a function here and its line in [`TARGETS`], `cargo fuzz add NAME` with the
//! body `cgroups::fuzzing::NAME(data)`, and seeds in `fuzz/corpus/NAME/`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::controller::{cpu, memory};
use crate::group_dir::CoreEvents;
use crate::keyed;
use crate::layout::{self, Controller, Controllers, Layout, Version};
use crate::name;
use crate::pressure;
use crate::procfs;
use crate::stats::{self, StatKinds, Stats, Units};

/// A fuzz target: the fuzzer's bytes in, a panic when something the parser promises broke.
pub type Target = fn(&[u8]);

/// Every target, by the name of its directory in `fuzz/corpus/` and `fuzz/fuzz_targets/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("mountinfo", mountinfo),
    ("proc_cgroup", proc_cgroup),
    ("proc_status", proc_status),
    ("keyed_flat", keyed_flat),
    ("keyed_nested", keyed_nested),
    ("names", names),
    ("stat_files", stat_files),
    ("pressure", pressure),
    ("core_events", core_events),
    ("memory_limit", memory_limit),
    ("cpu_share", cpu_share),
    ("controller_list", controller_list),
];

/// `/proc/self/mountinfo`: parsed, then resolved at the default base and at each mount point
/// and its parent (as `Layout::at` would, with every v2 controller offered).
pub fn mountinfo(data: &[u8]) {
    let mounts = procfs::mountinfo::parse(data);
    assert!(mounts.len() <= data.split(|&b| b == b'\n').count());
    let mut bases: Vec<&Path> = mounts
        .iter()
        .flat_map(|m| [Some(m.mount_point.as_path()), m.mount_point.parent()])
        .flatten()
        .take(8)
        .collect();
    let default = layout::default_base(&mounts).ok();
    bases.extend(default.as_deref());
    for base in bases {
        let resolved = Layout::resolve(&mounts, base, &mut |_| Ok(Controllers::KNOWN));
        if let Ok(layout) = resolved {
            for h in layout.hierarchies() {
                assert!(!h.controllers.is_empty() || h.cpuacct, "{h:?}");
                assert!(h.dir.starts_with(&h.mount_point), "{h:?}");
                let _ = h.relative_dir();
            }
        }
    }
}

/// `/proc/<pid>/cgroup`: parsed, each line matched against a hybrid layout, and a layout
/// rooted at the cgroups it names (as `Context::new_self` does).
pub fn proc_cgroup(data: &[u8]) {
    let lines = procfs::cgroup::parse(data);
    for line in &lines {
        assert!(line.path.as_os_str().as_bytes().starts_with(b"/"));
        let _ = line.is_unified();
        let _ = line.carries("cpu");
        assert!(procfs::cgroup::is_within(line.path, Path::new("/")));
    }
    let hybrid = Layout::resolve(
        &procfs::mountinfo::parse(HYBRID_MOUNTINFO),
        Path::new("/sys/fs/cgroup"),
        &mut |_| Ok(Controllers::from(Controller::Pids)),
    );
    if let Ok(hybrid) = hybrid {
        for h in hybrid.hierarchies() {
            let _ = h.membership(&lines);
        }
        if let Ok(rooted) = hybrid.at_cgroups_of(data) {
            for h in rooted.hierarchies() {
                let normal = h.dir.components().all(|c| {
                    matches!(
                        c,
                        std::path::Component::RootDir | std::path::Component::Normal(_)
                    )
                });
                assert!(normal && h.dir.starts_with("/sys/fs/cgroup"), "{h:?}");
            }
        }
    }
}

/// `/proc/<pid>/status` (and `stat`, whose flags tell kernel threads).
pub fn proc_status(data: &[u8]) {
    if let Some(status) = procfs::process::parse_status(data) {
        let exited = status.has_exited();
        assert!(!exited || matches!(status.state, b'Z' | b'X'));
    }
    let _ = procfs::process::is_kernel_thread(data);
}

/// Flat keyed files (`memory.stat`, `cpu.stat`, `*.events`).
pub fn keyed_flat(data: &[u8]) {
    for (key, _) in keyed::flat(data) {
        assert!(!key.is_empty() && !key.contains(|c: char| c.is_ascii_whitespace()));
        let first = keyed::flat(data).find(|(k, _)| *k == key).map(|(_, v)| v);
        assert_eq!(keyed::flat_value(data, key), first);
    }
}

/// Nested keyed files (`io.stat`, `io.max`, `*.pressure`).
pub fn keyed_nested(data: &[u8]) {
    for line in keyed::nested(data) {
        assert!(!line.key.is_empty());
        for (sub, value) in &line.pairs {
            assert!(
                !sub.contains(|c: char| c.is_ascii_whitespace())
                    && !value.contains(|c: char| c.is_ascii_whitespace())
            );
            assert!(line.get(sub).is_some());
        }
    }
}

/// Group names and user names: what is accepted can only name directories below the user's
/// subtree.
pub fn names(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(components) = name::group_components(text) {
        assert_eq!(components.join("/"), text);
        for component in components {
            check_component(component);
        }
    }
    if name::check_user_name(text).is_ok() {
        check_component(text);
    }
}

fn check_component(component: &str) {
    assert!(!component.is_empty() && component.len() <= 255);
    assert!(component != "." && component != "..");
    assert!(!component.contains(['/', '\0', '\n']));
    assert!(component != name::USER_LEAF);
    let path = Path::new(OsStr::new(component));
    assert_eq!(path.components().count(), 1, "{component:?}");
}

/// Memory limits: the size and unit of a call (8 bytes of limit, 1 of unit, 1 of page size
/// shift), and the text of a limit file.
pub fn memory_limit(data: &[u8]) {
    let Some((head, text)) = data.split_at_checked(10) else {
        return;
    };
    let limit = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
    let unit = [
        memory::Unit::Bytes,
        memory::Unit::Kilobytes,
        memory::Unit::Megabytes,
        memory::Unit::Gigabytes,
    ][usize::from(head[8] % 4)];
    let page_size = 1u64 << (12 + head[9] % 5);
    if let Ok(bytes) = memory::limit_bytes(limit, unit, page_size) {
        assert!(bytes >= page_size);
        assert_eq!(Some(bytes), limit.checked_mul(unit.bytes()));
    }
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    for version in [Version::V1, Version::V2] {
        if let Ok(Some(bytes)) = memory::parse_limit(version, text, page_size) {
            assert!(version == Version::V2 || bytes < i64::MAX as u64);
        }
    }
}

/// CPU share percentages (8 bytes of an `f64`) and the values read back.
pub fn cpu_share(data: &[u8]) {
    let Some(bytes) = data.get(..8) else {
        return;
    };
    let percent = f64::from_le_bytes(bytes.try_into().unwrap_or_default());
    for version in [Version::V1, Version::V2] {
        if let Ok(share) = cpu::percent_to_share(version, percent) {
            assert!(percent > 0.0 && percent <= 100.0);
            let back = cpu::share_to_percent(version, share);
            assert!(
                back > 0.0 && back <= 100.0 + 1e-9,
                "{percent} -> {share} -> {back}"
            );
        }
        let _ = cpu::share_to_percent(
            version,
            u64::from_le_bytes(bytes.try_into().unwrap_or_default()),
        );
    }
}

/// `cgroup.controllers` and `cgroup.subtree_control` lists.
pub fn controller_list(data: &[u8]) {
    let controllers = Controllers::from_v2_list(data);
    assert!(controllers.difference(Controllers::KNOWN).is_empty());
    let rendered: Vec<&str> = controllers.iter().filter_map(Controller::v2_name).collect();
    assert_eq!(
        Controllers::from_v2_list(rendered.join(" ").as_bytes()),
        controllers
            .iter()
            .filter(|c| c.v2_name().is_some())
            .collect()
    );
}

const HYBRID_MOUNTINFO: &[u8] = b"\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
";

/// The statistics files, as the first byte of the input picks one (and the layout): the rest
/// is the file's content. An empty file gives no field, but the I/O sums (no line: no I/O).
pub fn stat_files(data: &[u8]) {
    const FILES: &[(Version, &str)] = &[
        (Version::V1, "memory.usage_in_bytes"),
        (Version::V1, "memory.max_usage_in_bytes"),
        (Version::V1, "memory.stat"),
        (Version::V1, "memory.oom_control"),
        (Version::V1, "cpuacct.usage"),
        (Version::V1, "cpuacct.stat"),
        (Version::V1, "cpu.stat"),
        (Version::V1, "pids.current"),
        (Version::V1, "pids.events"),
        (Version::V1, "blkio.throttle.io_service_bytes_recursive"),
        (Version::V1, "blkio.throttle.io_serviced_recursive"),
        (Version::V2, "memory.current"),
        (Version::V2, "memory.peak"),
        (Version::V2, "memory.swap.current"),
        (Version::V2, "memory.stat"),
        (Version::V2, "memory.events"),
        (Version::V2, "cpu.stat"),
        (Version::V2, "pids.current"),
        (Version::V2, "pids.events"),
        (Version::V2, "io.stat"),
    ];
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let (version, file) = FILES[usize::from(pick) % FILES.len()];
    let mut stats = Stats::default();
    stats::apply(
        StatKinds::ALL,
        version,
        file,
        content,
        Units { clock_ticks: 100 },
        &mut stats,
    );
    if content.is_empty() {
        let without_io = Stats {
            io_read_bytes: None,
            io_write_bytes: None,
            io_read_ios: None,
            io_write_ios: None,
            ..stats
        };
        assert_eq!(
            without_io,
            Stats::default(),
            "{file}: an empty file gives nothing"
        );
    }
}

/// A `*.pressure` file: when it parses, every share is a percentage.
pub fn pressure(data: &[u8]) {
    if let Some(parsed) = pressure::parse(data) {
        for line in std::iter::once(parsed.some).chain(parsed.full) {
            for share in [line.avg10, line.avg60, line.avg300] {
                assert!((0.0..=100.0).contains(&share), "{share}");
            }
        }
    }
}

/// `cgroup.events`: a frozen line that is not 0 or 1 reads as frozen; nothing panics.
pub fn core_events(data: &[u8]) {
    let events = CoreEvents::parse(data);
    if !data.windows(9).any(|w| w == b"populated") {
        assert!(!events.populated);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_committed_seed_passes_its_target() {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        let Ok(entries) = std::fs::read_dir(&corpus) else {
            // The VM matrix runs the unit tests without the checkout; the host run replays.
            assert!(
                std::env::var_os("CGROUPS_TEST_IN_VM").is_some(),
                "no {}",
                corpus.display()
            );
            return;
        };
        let mut directories: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        directories.sort();
        // The command's target includes its parsers itself (fuzz/fuzz_targets/command_units.rs).
        let mut names: Vec<String> = TARGETS
            .iter()
            .map(|(n, _)| n.to_string())
            .chain(["command_units".to_string()])
            .collect();
        names.sort();
        assert_eq!(directories, names, "one seed directory per target");
        for (name, target) in TARGETS {
            let seeds: Vec<_> = std::fs::read_dir(corpus.join(name))
                .unwrap()
                .flatten()
                .collect();
            assert!(!seeds.is_empty(), "{name} has no seeds");
            for seed in seeds {
                target(&std::fs::read(seed.path()).unwrap());
            }
        }
    }
}
