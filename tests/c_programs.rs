//! The C programs (tests/c, examples-c) built against the staged install with pkg-config, run
//! under valgrind on a base that holds only this run's test prefix, plus checks of the shared
//! library file. `make c-programs` builds them; these tests call it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{run_on_test_base, TestTree};

const VALGRIND: &[&str] = &[
    "valgrind",
    "--quiet",
    "--leak-check=full",
    "--show-leak-kinds=definite,indirect",
    "--errors-for-leak-kinds=definite,indirect",
    "--error-exitcode=99",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Inside the VM matrix (tests/vm) the programs come prebuilt and valgrind is not in the image.
fn in_vm() -> bool {
    std::env::var_os("CGROUPS_TEST_IN_VM").is_some()
}

/// `make check-asan` runs the C tests built with AddressSanitizer (`make c-programs-asan`, in
/// build/asan) instead of under valgrind, which cannot run them.
fn asan() -> bool {
    std::env::var_os("CGROUPS_TEST_C_ASAN").is_some()
}

/// The C program `program` under valgrind, except in the VM, where the host run covers valgrind,
/// and in the AddressSanitizer run.
fn checked(program: &str) -> Vec<&str> {
    if in_vm() {
        common::skip("valgrind is not in the VM image; the host run checks memory");
        return vec![program];
    }
    if asan() {
        return vec![program];
    }
    [VALGRIND, &[program]].concat()
}

/// Builds the C programs once per test binary (prebuilt in the VM, by `make check-asan`, and
/// where `CGROUPS_TEST_C_PREBUILT` is set).
fn built() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        if asan() {
            return root().join("build/asan");
        }
        if in_vm() || std::env::var_os("CGROUPS_TEST_C_PREBUILT").is_some() {
            return root().join("build/c");
        }
        let output = Command::new("make")
            .args(["-s", "c-programs"])
            .current_dir(root())
            .output()
            .expect("run make");
        assert!(
            output.status.success(),
            "make c-programs failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        root().join("build/c")
    })
}

fn program(name: &str) -> String {
    built().join(name).display().to_string()
}

#[test]
fn c_api_tests_pass_under_valgrind() {
    let tree = TestTree::new();
    let test_api = program("test_api");
    let output = run_on_test_base(&tree, &checked(&test_api));
    assert!(
        output.status.success(),
        "test_api failed: {:?}",
        output.status
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(" 0 failed"));
}

#[test]
fn c_spawn_tests_pass_under_valgrind() {
    let tree = TestTree::new();
    let test_spawn = program("test_spawn");
    let output = run_on_test_base(&tree, &checked(&test_spawn));
    assert!(
        output.status.success(),
        "test_spawn failed: {:?}",
        output.status
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(" 0 failed"));
}

#[test]
fn c_api_tests_pass_when_linked_statically() {
    let tree = TestTree::new();
    let output = run_on_test_base(&tree, &[program("test_api_static").as_str()]);
    assert!(
        output.status.success(),
        "test_api_static failed: {:?}",
        output.status
    );
}

#[test]
fn the_quick_start_runs_under_valgrind() {
    let tree = TestTree::new();
    let quickstart = program("quickstart");
    let output = run_on_test_base(&tree, &checked(&quickstart));
    assert!(
        output.status.success(),
        "quickstart failed: {:?}",
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("members (3)") && stdout.contains("cpu 80 %") && stdout.ends_with("done\n"),
        "{stdout}"
    );
}

#[test]
fn c_controls_tests_pass_under_valgrind() {
    let tree = TestTree::new();
    let test_controls = program("test_controls");
    let output = run_on_test_base(&tree, &checked(&test_controls));
    assert!(
        output.status.success(),
        "test_controls failed: {:?}",
        output.status
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(" 0 failed"));
}

#[test]
fn the_sandbox_example_caps_limits_and_kills_under_valgrind() {
    let tree = TestTree::new();
    let sandbox = program("sandbox");
    let output = run_on_test_base(&tree, &checked(&sandbox));
    assert!(
        output.status.success(),
        "sandbox failed: {:?}",
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("cap 1.50 CPUs, at most 64 processes")
            && stdout.contains("forked up to the limit")
            && stdout.contains("members after kill: 0")
            && stdout.ends_with("done\n"),
        "{stdout}"
    );
}

#[test]
fn c_api_monitoring_tests_pass_under_valgrind() {
    let tree = TestTree::new();
    let test = program("test_monitoring");
    let output = run_on_test_base(&tree, &checked(&test));
    assert!(
        output.status.success(),
        "test_monitoring failed: {:?}",
        output.status
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(" 0 failed"));
}

#[test]
fn the_monitor_example_reports_a_finished_job_and_what_it_used() {
    let tree = TestTree::new();
    let monitor = program("monitor");
    let job = "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done";
    let output = run_on_test_base(
        &tree,
        &[checked(&monitor).as_slice(), &["64", job]].concat(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("event: EMPTY") && stdout.contains("exit: status 0"),
        "{stdout}"
    );
    assert!(!stdout.contains("event: OOM"), "{stdout}");
    assert!(
        stdout.contains("cpu: ") && stdout.ends_with("done\n"),
        "{stdout}"
    );
}

#[test]
fn the_monitor_example_reports_an_oom_kill() {
    let tree = TestTree::new();
    let monitor = program("monitor");
    let job = "exec dd if=/dev/zero of=/dev/null bs=64M count=1";
    let output = run_on_test_base(
        &tree,
        &[checked(&monitor).as_slice(), &["16", job]].concat(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    for expected in [
        "event: OOM",
        "event: EMPTY",
        "exit: killed by signal 9",
        "oom kills: 1",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing:\n{stdout}");
    }
}

#[test]
fn the_header_compiles_as_cpp() {
    let output = Command::new(program("header_cpp")).output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        env!("CARGO_PKG_VERSION")
    );
}

/// The version node of each function in the linker version script, abi/libcgroups.map.
fn symbol_versions() -> Vec<(String, String)> {
    let map = std::fs::read_to_string(root().join("abi/libcgroups.map")).unwrap();
    let mut node = String::new();
    let mut versions = Vec::new();
    for line in map.lines().map(str::trim) {
        if let Some(name) = line.strip_suffix(" {") {
            node = name.to_string();
        } else if let Some(function) = line.strip_suffix(';').filter(|l| l.starts_with("cgroups_"))
        {
            versions.push((function.to_string(), node.clone()));
        }
    }
    versions.sort();
    versions
}

#[test]
fn the_installed_library_exports_only_the_headers_functions_versioned_under_a_versioned_soname() {
    let lib = built().join("../stage/lib");
    let real = lib.join(format!("libcgroups.so.{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(
        std::fs::read_link(lib.join("libcgroups.so")).unwrap(),
        Path::new("libcgroups.so.0")
    );
    assert_eq!(
        std::fs::read_link(lib.join("libcgroups.so.0")).unwrap(),
        real.file_name().unwrap()
    );
    let readelf = Command::new("readelf")
        .arg("-d")
        .arg(&real)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&readelf.stdout).contains("Library soname: [libcgroups.so.0]"));
    let nm = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&real)
        .output()
        .unwrap();
    // nm prints a versioned symbol as name@@VERSION (the default version).
    let mut exported: Vec<(String, String)> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .map(|symbol| match symbol.split_once("@@") {
            Some((name, version)) => (name.to_string(), version.to_string()),
            None => (symbol.to_string(), "no version".to_string()),
        })
        .collect();
    exported.sort();
    let header = std::fs::read_to_string(root().join("include/cgroups.h")).unwrap();
    let mut declared: Vec<String> = header
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()) && l.contains('('))
        .filter_map(|l| {
            l.split('(')
                .next()?
                .rsplit([' ', '*'])
                .next()
                .map(String::from)
        })
        .filter(|name| name.starts_with("cgroups_"))
        .collect();
    declared.sort();
    let names: Vec<&String> = exported.iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        declared.iter().collect::<Vec<_>>(),
        "exported symbols differ from the header's functions"
    );
    assert_eq!(
        exported,
        symbol_versions(),
        "exported symbols differ from abi/libcgroups.map or lack its versions"
    );
}

#[test]
fn the_pkg_config_file_lists_the_static_librarys_dependencies() {
    built();
    let pc = std::fs::read_to_string(root().join("build/stage/lib/pkgconfig/cgroups.pc")).unwrap();
    let private = pc
        .lines()
        .find_map(|l| l.strip_prefix("Libs.private: "))
        .unwrap_or_default();
    for lib in ["-lpthread", "-lc"] {
        assert!(
            private.split_whitespace().any(|f| f == lib),
            "Libs.private lacks {lib}: {private:?}"
        );
    }
}

#[test]
fn a_packagers_install_writes_the_pc_file_for_its_own_prefix() {
    built();
    let destdir = std::env::temp_dir().join(format!("cgroups-test-destdir-{}", std::process::id()));
    let libdir = "/usr/lib/x86_64-linux-gnu";
    let output = Command::new("make")
        .args(["-s", "install", "PREFIX=/usr", &format!("LIBDIR={libdir}")])
        .arg(format!("DESTDIR={}", destdir.display()))
        .current_dir(root())
        .output()
        .unwrap();
    let pc = std::fs::read_to_string(destdir.join(&libdir[1..]).join("pkgconfig/cgroups.pc"));
    let installed = [
        "usr/sbin/user_cgroups",
        "usr/include/cgroups.h",
        &format!("{}/libcgroups.so.0", &libdir[1..]),
    ]
    .map(|f| destdir.join(f).exists());
    let _ = std::fs::remove_dir_all(&destdir);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pc = pc.unwrap();
    assert!(pc.lines().any(|l| l == format!("libdir={libdir}")), "{pc}");
    assert!(pc.lines().any(|l| l == "includedir=/usr/include"), "{pc}");
    assert_eq!(installed, [true; 3]);
}
