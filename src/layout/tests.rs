// SPDX-License-Identifier: MIT OR Apache-2.0
use std::path::Path;

use super::resolve::{default_base, normalize_base};
use super::*;
use crate::procfs::mountinfo::parse;

const HYBRID: &[u8] = b"\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
";
const UNIFIED: &[u8] = b"\
22 1 0:21 / /proc rw - proc proc rw
30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";

fn v2_offers(controllers: &[Controller]) -> impl FnMut(&Path) -> Result<Controllers> + '_ {
    move |_| Ok(controllers.iter().copied().collect())
}

fn at(text: &[u8], base: &str, v2: &[Controller]) -> Result<Layout> {
    Layout::resolve(&parse(text), Path::new(base), &mut v2_offers(v2))
}

#[test]
fn hybrid_serves_each_controller_where_it_is_attached() {
    let layout = at(
        HYBRID,
        "/sys/fs/cgroup",
        &[Controller::Pids, Controller::Cpu],
    )
    .unwrap();
    assert_eq!(layout.kind(), LayoutKind::Hybrid);
    let unified = layout
        .hierarchies()
        .iter()
        .find(|h| h.version == Version::V2)
        .unwrap();
    assert_eq!(
        unified.controllers.iter().collect::<Vec<_>>(),
        [Controller::Pids, Controller::Freezer]
    );
    assert_eq!(layout.hierarchies().len(), 4, "name=systemd serves nothing");
    let cpu = layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(Controller::Cpu))
        .unwrap();
    assert_eq!(cpu.version, Version::V1);
    assert_eq!(cpu.dir, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
    assert_eq!(cpu.cgroup_path, Path::new("/"));
    assert_eq!((cpu.mount_id, cpu.device), (32, (0, 29)));
}

#[test]
fn unified_mount_is_its_own_base() {
    let mounts = parse(UNIFIED);
    let layout = at(
        UNIFIED,
        "/sys/fs/cgroup",
        &[Controller::Cpu, Controller::Memory],
    )
    .unwrap();
    assert_eq!(layout.kind(), LayoutKind::Unified);
    assert_eq!(layout.hierarchies().len(), 1);
    assert!(layout.controllers().contains(Controller::Memory));
    assert_eq!(default_base(&mounts).unwrap(), Path::new("/sys/fs/cgroup"));
}

#[test]
fn legacy_default_base_is_the_parent_of_the_v1_mounts() {
    let legacy: Vec<u8> = HYBRID
        .split(|&b| b == b'\n')
        .filter(|l| !l.windows(7).any(|w| w == b"cgroup2"))
        .flat_map(|l| l.iter().copied().chain([b'\n']))
        .collect();
    assert_eq!(
        default_base(&parse(&legacy)).unwrap(),
        Path::new("/sys/fs/cgroup")
    );
    let layout = at(&legacy, "/sys/fs/cgroup", &[]).unwrap();
    assert_eq!(layout.kind(), LayoutKind::Legacy);
    assert!(!layout.controllers().contains(Controller::Freezer));
}

#[test]
fn a_directory_inside_a_cgroup_mount_is_a_subtree_base() {
    let layout = at(
        UNIFIED,
        "/sys/fs/cgroup/system.slice/job.service",
        &[Controller::Cpu],
    )
    .unwrap();
    let h = &layout.hierarchies()[0];
    assert_eq!(h.cgroup_path, Path::new("/system.slice/job.service"));
    assert_eq!(h.mount_point, Path::new("/sys/fs/cgroup"));
    assert_eq!(h.relative_dir(), Path::new("system.slice/job.service"));
}

#[test]
fn bind_mounted_subtrees_keep_their_cgroup_path() {
    let layout = at(
        b"50 31 0:29 /jobs /srv/cg/cpu rw - cgroup cgroup rw,cpu\n",
        "/srv/cg",
        &[],
    )
    .unwrap();
    assert_eq!(layout.hierarchies()[0].cgroup_path, Path::new("/jobs"));
    assert_eq!(
        layout.subtree("a/b").unwrap().hierarchies()[0].cgroup_path,
        Path::new("/jobs/a/b")
    );
}

#[test]
fn a_hierarchy_mounted_twice_under_one_base_is_used_once() {
    let text = b"\
50 31 0:29 /sub /srv/cg/cpu2 rw - cgroup cgroup rw,cpu
51 31 0:29 / /srv/cg/cpu rw - cgroup cgroup rw,cpu
52 31 0:30 / /srv/cg/memory rw - cgroup cgroup rw,memory
";
    let layout = at(text, "/srv/cg", &[]).unwrap();
    let cpu: Vec<_> = layout
        .hierarchies()
        .iter()
        .filter(|h| h.controllers.contains(Controller::Cpu))
        .collect();
    assert_eq!(cpu.len(), 1);
    assert_eq!(
        cpu[0].dir,
        Path::new("/srv/cg/cpu"),
        "the whole hierarchy wins"
    );
    assert_eq!(layout.hierarchies().len(), 2);
}

#[test]
fn a_mount_from_outside_the_cgroup_namespace_is_refused() {
    let text = b"60 31 0:26 /../../job /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    let err = at(text, "/sys/fs/cgroup", &[]).unwrap_err();
    assert!(
        matches!(&err, Error::NotMounted { reason, .. } if reason.contains("namespace")),
        "{err}"
    );
}

#[test]
fn a_layout_at_the_processs_own_cgroups_follows_proc_self_cgroup() {
    let layout = at(HYBRID, "/sys/fs/cgroup", &[Controller::Pids]).unwrap();
    let own = b"7:cpu,cpuacct:/svc/job\n5:cpuset:/\n4:memory:/svc/job/cgroups.user\n0::/svc/job\n";
    let rooted = layout.at_cgroups_of(own).unwrap();
    let dirs: Vec<_> = rooted
        .hierarchies()
        .iter()
        .map(|h| h.dir.display().to_string())
        .collect();
    assert_eq!(
        dirs,
        [
            "/sys/fs/cgroup/cpu,cpuacct/svc/job",
            "/sys/fs/cgroup/cpuset",
            "/sys/fs/cgroup/memory/svc/job",
            "/sys/fs/cgroup/unified/svc/job"
        ]
    );
    assert_eq!(rooted.hierarchies()[0].cgroup_path, Path::new("/svc/job"));
    assert!(matches!(
        layout.at_cgroups_of(b"7:cpu,cpuacct:/svc\n"),
        Err(Error::NotMounted { .. })
    ));
}

/// Found by the proc_cgroup fuzz target: a cgroup outside the caller's cgroup namespace
/// (`/../sibling`) rooted the layout above its base.
#[test]
fn own_cgroups_outside_the_cgroup_namespace_are_not_visible() {
    let layout = at(HYBRID, "/sys/fs/cgroup", &[Controller::Pids]).unwrap();
    let own = b"7:cpu,cpuacct:/svc\n5:cpuset:/../sibling\n4:memory:/\n0::/\n";
    let err = layout.at_cgroups_of(own).unwrap_err();
    assert!(
        matches!(&err, Error::NotMounted { reason, .. } if reason.contains("namespace")),
        "{err}"
    );
}

#[test]
fn a_path_outside_any_cgroup_mount_is_not_mounted() {
    let err = at(UNIFIED, "/tmp", &[]).unwrap_err();
    assert!(matches!(err, Error::NotMounted { .. }));
    assert!(default_base(&[]).is_err());
}

#[test]
fn relative_and_traversing_bases_are_refused() {
    assert!(matches!(
        normalize_base(Path::new("sys/fs/cgroup")),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        normalize_base(Path::new("/sys/fs/cgroup/../..")),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        normalize_base(Path::new("/sys/fs/cgroup/")).unwrap(),
        Path::new("/sys/fs/cgroup")
    );
}

#[test]
fn cpuacct_mounted_apart_from_cpu_is_kept_as_its_companion() {
    let text = b"\
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
";
    let layout = at(text, "/sys/fs/cgroup", &[]).unwrap();
    assert_eq!(layout.hierarchies().len(), 3);
    let cpuacct = &layout.hierarchies()[1];
    assert!(cpuacct.cpuacct && cpuacct.controllers.is_empty());
    assert!(cpuacct.used_for(Controller::Cpu.into()));
    assert!(!cpuacct.used_for(Controller::Memory.into()));
    assert!(!layout.hierarchies()[0].cpuacct);
    let own = b"3:memory:/a\n2:cpuacct:/job\n1:cpu:/job\n";
    let rooted = layout.at_cgroups_of(own).unwrap();
    assert_eq!(rooted.hierarchies()[1].cgroup_path, Path::new("/job"));
}

#[test]
fn cpuacct_is_not_kept_where_cpu_carries_it_or_no_v1_cpu_exists() {
    let layout = at(HYBRID, "/sys/fs/cgroup", &[]).unwrap();
    let cpu = layout
        .hierarchies()
        .iter()
        .find(|h| h.controllers.contains(Controller::Cpu))
        .unwrap();
    assert!(
        cpu.cpuacct,
        "co-mounted cpu,cpuacct carries the usage itself"
    );
    let alone = b"33 31 0:30 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct\n\
                  41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
    let layout = at(alone, "/sys/fs/cgroup", &[Controller::Cpu]).unwrap();
    assert!(layout.hierarchies().iter().all(|h| !h.cpuacct));
}
