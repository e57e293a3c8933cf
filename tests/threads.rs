// SPDX-License-Identifier: MIT OR Apache-2.0
//! Handles used from several threads at once: one shared handle, and many handles.

mod common;

use std::sync::Arc;
use std::thread;

use cgroups::{Controller, Controllers, Selection, Unit};
use common::{Proc, TestTree};

fn cpu_and_memory() -> Selection {
    Selection::Only(Controllers::from(Controller::Cpu).with(Controller::Memory))
}

#[test]
fn several_threads_share_one_handle() {
    let tree = TestTree::new();
    let group = Arc::new(tree.open("shared", cpu_and_memory()));
    let sleepers: Vec<Proc> = (0..8).map(|_| Proc::sleeper()).collect();
    let pids: Vec<i32> = sleepers.iter().map(Proc::pid).collect();
    let workers: Vec<_> = pids
        .iter()
        .enumerate()
        .map(|(i, &pid)| {
            let group = Arc::clone(&group);
            thread::spawn(move || {
                for round in 0..20 {
                    group.add(pid).unwrap();
                    group
                        .set_cpu_share_percent(10.0 + (i * 10 + round) as f64 % 90.0)
                        .unwrap();
                    group
                        .set_memory_limit(64 + round as u64, Unit::Megabytes)
                        .unwrap();
                    assert!(group.pids().unwrap().contains(&pid));
                    assert!(group.cpu_share_percent().unwrap() > 0.0);
                    group.remove(pid).unwrap();
                }
                group.add(pid).unwrap();
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let mut expected = pids.clone();
    expected.sort_unstable();
    assert_eq!(group.pids().unwrap(), expected);
    group.delete().unwrap();
}

#[test]
fn many_threads_each_with_their_own_handles() {
    let tree = Arc::new(TestTree::new());
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let tree = Arc::clone(&tree);
            thread::spawn(move || {
                let sleeper = Proc::sleeper();
                for round in 0..10 {
                    let group = tree.open(&format!("t{t}-{round}"), cpu_and_memory());
                    group.add(sleeper.pid()).unwrap();
                    group.set_cpu_share_percent(50.0).unwrap();
                    group.set_memory_limit(100, Unit::Megabytes).unwrap();
                    assert_eq!(group.memory_limit_bytes().unwrap(), Some(100 << 20));
                    group.delete().unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}
