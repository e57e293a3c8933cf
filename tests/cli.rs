// SPDX-License-Identifier: MIT OR Apache-2.0
//! The `cgroups` command, driven as a user would: each test runs a short shell script against a
//! base that holds only its test prefix (tests/common `run_on_test_base`: the base is `$0`).

mod common;

use std::process::Output;

use common::{run_on_test_base, TestTree};
use serde_json::Value;

/// Runs `script` (sh) with `$C` the command and `$0` the base; returns its output.
fn script(tree: &TestTree, script: &str) -> Output {
    let body = format!("C='{}'; set -u; {script}", env!("CARGO_BIN_EXE_cgroups"));
    run_on_test_base(tree, &["sh", "-c", &body])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn create_applies_limits_and_get_reads_them_back_as_text_and_json() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"$C --base "$0" create jobs/1 --cpu 50% --memory 100M && $C --base "$0" get jobs/1 &&
           $C --base "$0" --json get jobs/1"#,
    );
    assert!(output.status.success());
    let text = stdout(&output);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("name: jobs/1"));
    let json: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(json["name"], "jobs/1");
    assert_eq!(json["cpu_share_percent"], 50.0);
    assert_eq!(json["memory_limit_bytes"], 100 << 20);
    assert_eq!(json["pids"], Value::Array(vec![]));
}

#[test]
fn reading_a_missing_group_fails_on_one_line_and_creates_nothing() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"$C --base "$0" get ghost; echo "status $?"; $C --base "$0" set ghost --cpu 10%;
           echo "status $?"; $C --base "$0" --json list"#,
    );
    let text = stdout(&output);
    assert!(text.contains("status 1\nstatus 1\n[]"), "{text}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("cgroups: ghost: cgroup not found: ") && first.contains("ghost"),
        "{stderr}"
    );
}

#[test]
fn bad_sizes_and_percentages_are_usage_errors() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"for bad in "--memory 10X" "--memory -5M" "--cpu 0%" "--cpu 150%" "--bogus"; do
             $C --base "$0" create g $bad 2>/dev/null; echo "status $?"; done;
           $C --base "$0" list"#,
    );
    assert_eq!(
        stdout(&output),
        "status 2\n".repeat(5),
        "nothing was created"
    );
}

#[test]
fn add_exec_list_and_delete_manage_processes_without_killing_them() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"set -e; E=$(mktemp); $C --base "$0" create a/b; sleep 60 & S=$!;
           $C --base "$0" add a/b $S; $C --base "$0" --json get a/b;
           $C --base "$0" exec a/b -- sh -c 'echo "self $$"; cat /proc/self/cgroup' > "$E";
           $C --base "$0" list; $C --base "$0" delete a/b; $C --base "$0" delete a;
           $C --base "$0" list; kill -0 $S && echo alive; kill $S;
           set +e; $C --base "$0" create x; $C --base "$0" exec x -- /nonexistent/program;
           echo "status $?"; $C --base "$0" delete x; cat "$E"; rm "$E""#,
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let json: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(json["pids"].as_array().map(Vec::len), Some(1));
    assert!(text.contains("a\na/b\nalive\nstatus 127\n"), "{text}");
    let exec: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("self "))
        .collect();
    assert!(
        exec[1..].iter().any(|line| line.ends_with("/a/b")),
        "the command ran inside the group: {exec:?}"
    );
}

#[test]
fn controls_are_set_and_read_back_and_freeze_kill_and_delete_kill_act_on_every_process() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"set -e; $C --base "$0" create box --cpu-max 1.5 --pids 20 --memory 64M;
           $C --base "$0" --json get box;
           sleep 60 & S=$!; $C --base "$0" add box $S;
           $C --base "$0" freeze box; $C --base "$0" --json get box; $C --base "$0" thaw box;
           $C --base "$0" kill box --signal TERM; wait $S || echo "sleeper status $?";
           sleep 60 & T=$!; $C --base "$0" add box $T;
           $C --base "$0" delete box --kill; wait $T || echo "second status $?";
           $C --base "$0" list; set +e; $C --base "$0" kill ghost --signal NOPE; echo "status $?""#,
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let mut lines = text.lines();
    let limits: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(limits["cpu_max"], 1.5);
    assert_eq!(limits["pids_limit"], 20);
    assert_eq!(limits["memory_limit_bytes"], 64 << 20);
    let frozen: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    if frozen["frozen"] != Value::Null {
        assert_eq!(frozen["frozen"], true, "{frozen}");
    }
    let rest: Vec<&str> = lines.collect();
    assert_eq!(
        rest,
        ["sleeper status 143", "second status 137", "status 2"],
        "killed by TERM, then by delete --kill; the group is gone; a bad signal is a usage error"
    );
}

#[test]
fn stats_events_and_top_report_on_live_groups() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"set -e; EV=$(mktemp); $C --base "$0" create busy; $C --base "$0" create idle --memory 64M;
           $C --base "$0" --json stats idle;
           sleep 60 & H=$!; $C --base "$0" add busy $H;
           timeout 60 $C --base "$0" events busy > "$EV" 2>&1 & E=$!;
           sleep 2 & B=$!; $C --base "$0" add busy $B; kill $H;
           COLUMNS=70 LINES=10 $C --base "$0" top --batch --iterations 2 --delay 0.5;
           $C --base "$0" --json top -n 1;
           wait $B; sleep 1; kill $E; wait $E || true;
           $C --base "$0" delete busy; $C --base "$0" delete idle; cat "$EV"; rm -f "$EV""#,
    );
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    let mut lines = text.lines();
    let stats: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(stats["name"], "idle");
    assert_eq!(stats["pids_current"].as_u64().unwrap_or(0), 0);
    assert!(stats["memory_current"].is_u64(), "{stats}");
    let tables: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with('[')).collect();
    let headers = tables.iter().filter(|l| l.starts_with("Group")).count();
    assert_eq!(headers, 2, "two refreshes: {tables:?}");
    assert!(tables.iter().all(|l| l.chars().count() <= 70), "{tables:?}");
    let busy: Vec<&&str> = tables.iter().filter(|l| l.starts_with("busy ")).collect();
    assert_eq!(busy.len(), 2, "{tables:?}");
    assert!(
        busy[1]
            .split_whitespace()
            .nth(2)
            .is_some_and(|cpu| cpu != "-"),
        "the second refresh shows busy's CPU share: {busy:?}"
    );
    assert!(
        text.contains("busy empty"),
        "the events of the finished job: {text}"
    );
}

#[test]
fn run_exits_with_its_commands_status_and_cleans_up_after_it() {
    let tree = TestTree::new();
    let output = script(
        &tree,
        r#"R() { $C --base "$0" run --no-scope "$@"; echo "status $?"; };
           R --memory 64M --pids 50 -- sh -c 'grep -c "/run-" /proc/self/cgroup; exit 7';
           R -- sh -c 'kill -TERM $$';
           L=$(mktemp); R -- sh -c "sleep 300 & echo \$! > $L";
           gone() { ! kill -0 "$1" 2>/dev/null || grep -q ') Z' "/proc/$1/stat" 2>/dev/null; };
           gone "$(cat "$L")" && echo "left killed" || echo "left alive"; rm -f "$L";
           R --keep --name kept --memory 32M -- true; $C --base "$0" --json get kept;
           $C --base "$0" delete kept;
           R --stats --json -- true 2>&1 | grep -c '"cpu_usage_usec"';
           R -- /nonexistent/program 2>/dev/null;
           F=$(mktemp -u); $C --base "$0" run --no-scope -- sh -c \
             "trap 'echo got TERM; exit 3' TERM; sleep 30 & touch $F; wait" & P=$!;
           while [ ! -e "$F" ]; do sleep 0.1; done; rm -f "$F";
           kill -TERM $P; wait $P; echo "status $?";
           $C --base "$0" --json list"#,
    );
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 11, "{text}");
    assert!(
        lines[0].parse::<u32>().unwrap() >= 1,
        "the command ran in its group: {text}"
    );
    assert_eq!(lines[1], "status 7", "{text}");
    assert_eq!(lines[2], "status 143", "killed by SIGTERM: {text}");
    assert_eq!(lines[3], "status 0");
    assert_eq!(
        lines[4], "left killed",
        "what the command left behind goes: {text}"
    );
    assert_eq!(lines[5], "status 0");
    let kept: Value = serde_json::from_str(lines[6]).unwrap();
    assert_eq!(kept["memory_limit_bytes"], 32 << 20, "{kept}");
    assert_eq!(lines[7], "1", "--stats prints one JSON record: {text}");
    assert_eq!(lines[8], "status 127", "a command not found: {text}");
    assert_eq!(lines[9], "got TERM", "SIGTERM is forwarded: {text}");
    assert_eq!(lines[10], "status 3", "{text}");
    assert_eq!(lines.last(), Some(&"[]"), "no group is left: {text}");
}
