//! Layout detection: which cgroup hierarchies serve which controllers, found from
//! `/proc/self/mountinfo` and confirmed with `statfs` magic, never guessed from directory names.

use std::path::{Component, Path, PathBuf};

use crate::controller::{Controller, Controllers};
use crate::error::{Error, Result};
use crate::fsio;
use crate::name;
use crate::proc_cgroup;

const CGROUP_SUPER_MAGIC: i64 = 0x0027_e0eb;
const CGROUP2_SUPER_MAGIC: i64 = 0x6367_7270;
const MOUNTINFO: &str = "/proc/self/mountinfo";

/// The cgroup interface version of a hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// Legacy cgroup v1: one hierarchy per controller (or per co-mounted set).
    V1,
    /// Unified cgroup v2: one tree for every controller.
    V2,
}

/// How the host arranges its hierarchies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutKind {
    /// Only cgroup2.
    Unified,
    /// Only v1 hierarchies.
    Legacy,
    /// v1 controller hierarchies plus a cgroup2 tree; each controller is served where it is attached.
    Hybrid,
}

/// One cgroup mount, as read from mountinfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountEntry {
    /// Where it is mounted in this mount namespace.
    pub mount_point: PathBuf,
    /// The cgroup at the top of the mount, as `/proc/<pid>/cgroup` names it.
    pub root: String,
    /// `V1` for `cgroup`, `V2` for `cgroup2`.
    pub version: Version,
    /// For v1: the controllers the hierarchy carries (known ones only).
    pub v1_controllers: Controllers,
}

/// A hierarchy the library uses: where groups are created and which controllers it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hierarchy {
    /// The interface version.
    pub version: Version,
    /// The known controllers this hierarchy serves.
    pub controllers: Controllers,
    /// The directory under which the users' subtrees live (the base in this hierarchy).
    pub dir: PathBuf,
    /// `dir` as `/proc/<pid>/cgroup` names it.
    pub cgroup_path: String,
    /// The top of the mount that holds `dir`.
    pub mount_point: PathBuf,
}

/// The hierarchies found under one base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    kind: LayoutKind,
    hierarchies: Vec<Hierarchy>,
}

/// Parses mountinfo text and returns its cgroup and cgroup2 mounts, in mount order.
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines().filter_map(parse_mountinfo_line).collect()
}

fn parse_mountinfo_line(line: &str) -> Option<MountEntry> {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    let (head, tail) = line.split_once(" - ")?;
    let head: Vec<&str> = head.split(' ').collect();
    let mut tail = tail.split(' ');
    let (fstype, _source, super_options) = (tail.next()?, tail.next()?, tail.next()?);
    let (root, mount_point) = (unescape(head.get(3)?), unescape(head.get(4)?));
    let version = match fstype {
        "cgroup" => Version::V1,
        "cgroup2" => Version::V2,
        _ => return None,
    };
    let v1_controllers = super_options
        .split(',')
        .filter_map(|option| Controller::ALL.into_iter().find(|c| c.v1_name() == option))
        .collect();
    Some(MountEntry {
        mount_point: PathBuf::from(mount_point),
        root,
        version,
        v1_controllers,
    })
}

/// Undoes mountinfo's octal escapes (`\040` for a space, `\134` for a backslash, ...).
fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(digits) => {
                out.push(
                    digits
                        .iter()
                        .fold(0u8, |acc, d| acc.wrapping_mul(8).wrapping_add(d - b'0')),
                );
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Layout {
    /// Discovers the layout at the default base: the directory holding the v1 hierarchies (and a
    /// hybrid's cgroup2 tree), or the cgroup2 mount, normally `/sys/fs/cgroup`.
    ///
    /// Fails with [`Error::NotMounted`] when no cgroup filesystem is mounted.
    pub fn discover() -> Result<Layout> {
        let mounts = read_mountinfo()?;
        let base = default_base(&mounts)?;
        Layout::resolve(&mounts, &base, &mut fsio::read_v2_controllers)?.verified()
    }

    /// Discovers the layout at an explicit base: a directory holding cgroup mounts (v1/hybrid), a
    /// cgroup2 mount, or a directory inside a cgroup filesystem.
    ///
    /// Fails with [`Error::InvalidArgument`] for a relative or `..`-containing path and with
    /// [`Error::NotMounted`] when the base is not a cgroup filesystem.
    pub fn at(base: impl AsRef<Path>) -> Result<Layout> {
        let base = normalize_base(base.as_ref())?;
        let mounts = read_mountinfo()?;
        Layout::resolve(&mounts, &base, &mut fsio::read_v2_controllers)?.verified()
    }

    /// Resolves the layout at `base` from already-parsed mounts, without touching the filesystem
    /// except through `v2_controllers`, which returns the controllers a cgroup2 directory offers.
    /// Meant for tests on fixtures; [`Layout::at`] is the checked entry point.
    pub fn resolve(
        mounts: &[MountEntry],
        base: &Path,
        v2_controllers: &mut dyn FnMut(&Path) -> Result<Controllers>,
    ) -> Result<Layout> {
        let not_mounted = |reason: &str| Error::NotMounted {
            path: base.to_path_buf(),
            reason: reason.into(),
        };
        // A later mount on the same point hides an earlier one.
        let visible = |entry: &&MountEntry| {
            mounts
                .iter()
                .rev()
                .find(|m| m.mount_point == entry.mount_point)
                == Some(*entry)
        };
        let mut chosen: Vec<(&MountEntry, PathBuf)> = Vec::new();
        if let Some(entry) = mounts
            .iter()
            .filter(visible)
            .find(|m| m.mount_point == base)
        {
            chosen.push((entry, base.to_path_buf()));
        } else {
            chosen.extend(
                mounts
                    .iter()
                    .filter(visible)
                    .filter(|m| m.mount_point.parent() == Some(base))
                    .map(|m| (m, m.mount_point.clone())),
            );
        }
        if chosen.is_empty() {
            let enclosing = mounts
                .iter()
                .filter(visible)
                .filter(|m| base.starts_with(&m.mount_point))
                .max_by_key(|m| m.mount_point.as_os_str().len());
            match enclosing {
                Some(entry) => chosen.push((entry, base.to_path_buf())),
                None => {
                    return Err(not_mounted(
                        "not a cgroup mount, nor a directory holding cgroup mounts",
                    ))
                }
            }
        }
        let mut hierarchies = Vec::with_capacity(chosen.len());
        for (entry, dir) in chosen {
            let relative = dir
                .strip_prefix(&entry.mount_point)
                .unwrap_or(Path::new(""));
            let cgroup_path = join_cgroup_path(&entry.root, relative);
            let controllers = match entry.version {
                Version::V1 => entry.v1_controllers,
                Version::V2 => v2_controllers(&entry.mount_point)?,
            };
            hierarchies.push(Hierarchy {
                version: entry.version,
                controllers,
                dir,
                cgroup_path,
                mount_point: entry.mount_point.clone(),
            });
        }
        let served_by_v1: Controllers = hierarchies
            .iter()
            .filter(|h| h.version == Version::V1)
            .fold(Controllers::NONE, |acc, h| acc.union(h.controllers));
        for h in hierarchies.iter_mut().filter(|h| h.version == Version::V2) {
            // A controller bound to a v1 hierarchy cannot serve v2; the freezer is built into v2.
            h.controllers = h.controllers.difference(served_by_v1);
            if !served_by_v1.contains(Controller::Freezer) {
                h.controllers = h.controllers.with(Controller::Freezer);
            }
        }
        let has = |v: Version| hierarchies.iter().any(|h| h.version == v);
        let kind = match (has(Version::V1), has(Version::V2)) {
            (true, true) => LayoutKind::Hybrid,
            (true, false) => LayoutKind::Legacy,
            _ => LayoutKind::Unified,
        };
        // Hierarchies without a supported controller (name=systemd, devices, ...) are not ours.
        hierarchies.retain(|h| !h.controllers.is_empty());
        Ok(Layout { kind, hierarchies })
    }

    /// Confirms with `statfs` that every hierarchy directory is on a cgroup filesystem.
    fn verified(self) -> Result<Layout> {
        for h in &self.hierarchies {
            let magic = nix::sys::statfs::statfs(&h.dir)
                .map_err(|errno| Error::from_io("statfs", &h.dir, std::io::Error::from(errno)))?
                .filesystem_type()
                .0 as i64;
            let expected = match h.version {
                Version::V1 => CGROUP_SUPER_MAGIC,
                Version::V2 => CGROUP2_SUPER_MAGIC,
            };
            if magic != expected {
                return Err(Error::NotMounted {
                    path: h.dir.clone(),
                    reason: format!("filesystem magic {magic:#x} is not cgroup's"),
                });
            }
        }
        Ok(self)
    }

    /// The same layout rooted, in each hierarchy, at the cgroup that `proc_self_cgroup` (the
    /// content of `/proc/self/cgroup`) names for it: for a process managing the subtree it was
    /// delegated. A process already in that cgroup's leaf `cgroups.user` counts as in the cgroup.
    ///
    /// Fails with [`Error::NotMounted`] when the process's cgroup in a hierarchy is missing or
    /// not visible below this layout's base.
    pub fn at_cgroups_of(&self, proc_self_cgroup: &str) -> Result<Layout> {
        let leaf_suffix = format!("/{}", name::USER_LEAF);
        let mut hierarchies = Vec::with_capacity(self.hierarchies.len());
        for h in &self.hierarchies {
            let not_visible = |reason: String| Error::NotMounted {
                path: h.dir.clone(),
                reason,
            };
            let own = proc_cgroup::path_in(proc_self_cgroup, h)
                .ok_or_else(|| not_visible("the process has no cgroup in this hierarchy".into()))?;
            let own = own.strip_suffix(&leaf_suffix).unwrap_or(own);
            if !proc_cgroup::is_within(own, &h.cgroup_path) {
                return Err(not_visible(format!(
                    "the process's cgroup {own} is outside {}",
                    h.cgroup_path
                )));
            }
            let relative = own[h.cgroup_path.trim_end_matches('/').len()..].trim_start_matches('/');
            let mut rooted = h.clone();
            if !relative.is_empty() {
                rooted.dir.push(relative);
            }
            rooted.cgroup_path = own.to_string();
            hierarchies.push(rooted);
        }
        Ok(Layout {
            kind: self.kind,
            hierarchies,
        })
    }

    /// The same layout rooted at `relative` (one or more validated components) in every
    /// hierarchy: for groups inside a delegated subtree or a test prefix. The directories are
    /// not created; see [`Layout::create_subtree`].
    ///
    /// Fails with [`Error::InvalidArgument`] for a name that fails [`crate::name::group_components`].
    pub fn subtree(&self, relative: &str) -> Result<Layout> {
        let components = name::group_components(relative)?;
        let hierarchies = self
            .hierarchies
            .iter()
            .map(|h| {
                let mut sub = h.clone();
                for component in &components {
                    sub.dir.push(component);
                    sub.cgroup_path = join_cgroup_path(&sub.cgroup_path, Path::new(component));
                }
                sub
            })
            .collect();
        Ok(Layout {
            kind: self.kind,
            hierarchies,
        })
    }

    /// Whether the host is unified, legacy or hybrid.
    pub fn kind(&self) -> LayoutKind {
        self.kind
    }

    /// The hierarchies that serve a supported controller, in mount order.
    pub fn hierarchies(&self) -> &[Hierarchy] {
        &self.hierarchies
    }

    /// Every known controller some hierarchy serves.
    pub fn controllers(&self) -> Controllers {
        self.hierarchies
            .iter()
            .fold(Controllers::NONE, |acc, h| acc.union(h.controllers))
    }
}

fn read_mountinfo() -> Result<Vec<MountEntry>> {
    let text =
        std::fs::read_to_string(MOUNTINFO).map_err(|e| Error::from_io("read", MOUNTINFO, e))?;
    Ok(parse_mountinfo(&text))
}

/// The default base: the parent of the v1 mounts when there are any (v1 and hybrid hosts),
/// otherwise the cgroup2 mount.
fn default_base(mounts: &[MountEntry]) -> Result<PathBuf> {
    let preferred = mounts
        .iter()
        .find(|m| m.version == Version::V1)
        .and_then(|m| m.mount_point.parent().map(Path::to_path_buf));
    preferred
        .or_else(|| {
            mounts
                .iter()
                .find(|m| m.version == Version::V2)
                .map(|m| m.mount_point.clone())
        })
        .ok_or_else(|| Error::NotMounted {
            path: PathBuf::from(MOUNTINFO),
            reason: "no cgroup or cgroup2 filesystem is mounted".into(),
        })
}

fn normalize_base(base: &Path) -> Result<PathBuf> {
    if !base.is_absolute() || base.components().any(|c| c == Component::ParentDir) {
        return Err(Error::InvalidArgument(format!(
            "base {} must be an absolute path without '..'",
            base.display()
        )));
    }
    Ok(base.components().collect())
}

fn join_cgroup_path(root: &str, relative: &Path) -> String {
    let mut path = root.trim_end_matches('/').to_string();
    for component in relative.components() {
        path.push('/');
        path.push_str(&component.as_os_str().to_string_lossy());
    }
    if path.is_empty() {
        path.push('/');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    const HYBRID: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
";
    const UNIFIED: &str = "\
22 1 0:21 / /proc rw - proc proc rw
30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";

    fn v2_offers(controllers: &[Controller]) -> impl FnMut(&Path) -> Result<Controllers> + '_ {
        move |_| Ok(controllers.iter().copied().collect())
    }

    #[test]
    fn only_cgroup_mounts_are_kept_with_their_controllers() {
        let mounts = parse_mountinfo(HYBRID);
        assert_eq!(mounts.len(), 5);
        assert_eq!(mounts[0].v1_controllers, Controllers::from(Controller::Cpu));
        assert_eq!(
            mounts[3].v1_controllers,
            Controllers::NONE,
            "name=systemd carries no controller"
        );
        assert_eq!(mounts[4].version, Version::V2);
    }

    #[test]
    fn hybrid_serves_each_controller_where_it_is_attached() {
        let mounts = parse_mountinfo(HYBRID);
        let layout = Layout::resolve(
            &mounts,
            Path::new("/sys/fs/cgroup"),
            &mut v2_offers(&[Controller::Pids, Controller::Cpu]),
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
        assert_eq!(
            layout.hierarchies().len(),
            4,
            "name=systemd serves no supported controller"
        );
        let cpu = layout
            .hierarchies()
            .iter()
            .find(|h| h.controllers.contains(Controller::Cpu))
            .unwrap();
        assert_eq!(cpu.version, Version::V1);
        assert_eq!(cpu.dir, Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert_eq!(cpu.cgroup_path, "/");
    }

    #[test]
    fn unified_mount_is_its_own_base() {
        let mounts = parse_mountinfo(UNIFIED);
        let layout = Layout::resolve(
            &mounts,
            Path::new("/sys/fs/cgroup"),
            &mut v2_offers(&[Controller::Cpu, Controller::Memory]),
        )
        .unwrap();
        assert_eq!(layout.kind(), LayoutKind::Unified);
        assert_eq!(layout.hierarchies().len(), 1);
        assert!(layout.controllers().contains(Controller::Memory));
        assert_eq!(default_base(&mounts).unwrap(), Path::new("/sys/fs/cgroup"));
    }

    #[test]
    fn legacy_default_base_is_the_parent_of_the_v1_mounts() {
        let legacy: String = HYBRID
            .lines()
            .filter(|l| !l.contains("cgroup2"))
            .map(|l| format!("{l}\n"))
            .collect();
        let mounts = parse_mountinfo(&legacy);
        assert_eq!(default_base(&mounts).unwrap(), Path::new("/sys/fs/cgroup"));
        let layout =
            Layout::resolve(&mounts, Path::new("/sys/fs/cgroup"), &mut v2_offers(&[])).unwrap();
        assert_eq!(layout.kind(), LayoutKind::Legacy);
        assert!(!layout.controllers().contains(Controller::Freezer));
    }

    #[test]
    fn a_directory_inside_a_cgroup_mount_is_a_subtree_base() {
        let mounts = parse_mountinfo(UNIFIED);
        let layout = Layout::resolve(
            &mounts,
            Path::new("/sys/fs/cgroup/system.slice/job.service"),
            &mut v2_offers(&[Controller::Cpu]),
        )
        .unwrap();
        let h = &layout.hierarchies()[0];
        assert_eq!(h.cgroup_path, "/system.slice/job.service");
        assert_eq!(h.mount_point, Path::new("/sys/fs/cgroup"));
    }

    #[test]
    fn bind_mounted_subtrees_keep_their_cgroup_path() {
        let text = "50 31 0:29 /jobs /srv/cg/cpu rw - cgroup cgroup rw,cpu\n";
        let layout = Layout::resolve(
            &parse_mountinfo(text),
            Path::new("/srv/cg"),
            &mut v2_offers(&[]),
        )
        .unwrap();
        assert_eq!(layout.hierarchies()[0].cgroup_path, "/jobs");
        assert_eq!(
            layout.subtree("a/b").unwrap().hierarchies()[0].cgroup_path,
            "/jobs/a/b"
        );
    }

    #[test]
    fn a_layout_at_the_processs_own_cgroups_follows_proc_self_cgroup() {
        let mounts = parse_mountinfo(HYBRID);
        let layout = Layout::resolve(
            &mounts,
            Path::new("/sys/fs/cgroup"),
            &mut v2_offers(&[Controller::Pids]),
        )
        .unwrap();
        let own =
            "7:cpu,cpuacct:/svc/job\n5:cpuset:/\n4:memory:/svc/job/cgroups.user\n0::/svc/job\n";
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
        assert_eq!(rooted.hierarchies()[0].cgroup_path, "/svc/job");
        let missing = "7:cpu,cpuacct:/svc\n";
        assert!(matches!(
            layout.at_cgroups_of(missing),
            Err(Error::NotMounted { .. })
        ));
    }

    #[test]
    fn escaped_mount_points_are_decoded() {
        let text = "50 31 0:29 / /mnt/my\\040cgroups rw - cgroup2 cgroup2 rw\n";
        assert_eq!(
            parse_mountinfo(text)[0].mount_point,
            Path::new("/mnt/my cgroups")
        );
    }

    #[test]
    fn a_path_outside_any_cgroup_mount_is_not_mounted() {
        let mounts = parse_mountinfo(UNIFIED);
        let err = Layout::resolve(&mounts, Path::new("/tmp"), &mut v2_offers(&[])).unwrap_err();
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
}
