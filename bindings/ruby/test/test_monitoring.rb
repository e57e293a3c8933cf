# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require "io/wait"
require_relative "test_helper"

class TestMonitoring < Minitest::Test
  include KernelTest

  # Runs a short busy loop inside +group+.
  def busy_in(group)
    pid = fork do
      group.attach_self
      counter = 0
      200_000.times { counter += 1 }
      exit! 0
    end
    Process.wait(pid)
  end

  def test_stats_give_what_the_group_has_and_nil_for_the_rest
    group = open_group("stats", controllers: %i[cpu memory])
    sleeper(group)
    busy_in(group)
    stats = group.stats
    assert_empty %i[memory_current memory_stat cpu_usage] - stats.present, stats.present.inspect
    assert_operator stats.memory_current, :>, 0
    assert_operator stats.cpu_usage_usec, :>, 0
    refute_includes stats.present, :pids
    assert_nil stats.pids_current
    only = group.stats(:memory_current)
    assert_equal [:memory_current], only.present
    assert_nil only.cpu_usage_usec
    assert_raises(Cgroups::InvalidArgumentError) { group.stats(:bogus) }
  end

  def test_a_stats_reader_reads_again_and_outlives_the_handle
    group = Cgroups::Group.open("reader", controllers: %i[cpu memory], base: BASE)
    kept = group.stats_reader(:memory_current, :cpu_usage) do |reader|
      2.times { assert_equal %i[memory_current cpu_usage], reader.read.present }
      group.delete
      group.close
      assert_raises(Cgroups::NotFoundError) { reader.read }
      reader
    end
    assert kept.closed?
    assert_raises(Cgroups::ClosedError) { kept.read }
  end

  def test_pressure_reads_where_the_group_has_a_cgroup2_directory
    group = open_group("pressure", controllers: %i[cpu memory])
    assert_raises(Cgroups::InvalidArgumentError) { group.pressure(:pids) }
    [[0.15, 0.1], [0, 1], [1, 20]].each do |stall, window|
      assert_raises(Cgroups::InvalidArgumentError) { group.pressure_trigger(:memory, stall: stall, window: window) }
    end
    unless pure_v2?
      assert_raises(Cgroups::UnsupportedError) { group.pressure(:memory) }
      assert_raises(Cgroups::UnsupportedError) { group.pressure_trigger(:memory, stall: 0.1, window: 2) }
      return
    end
    pressure = group.pressure(:memory)
    assert_operator pressure.some.avg10, :>=, 0
    assert_operator pressure.full.total_usec, :>=, 0
    io = group.pressure_trigger(:memory, stall: 0.1, window: 2) { |trigger| refute trigger.wait_priority(0) && trigger }
    assert io.closed?
  end

  def test_a_watch_reports_empty_through_io_select
    group = open_group("watched", controllers: %i[cpu memory])
    member = sleeper(group, reap: false)
    group.watch(:empty) do |watch|
      assert_empty watch.read, "the group is not empty yet"
      assert_empty watch.wait(0.05)
      Process.kill(:KILL, member)
      Process.wait(member)
      fired = []
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 10
      while fired.empty? && (left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)).positive?
        # IO.select takes the watch itself (through to_io), as it takes sockets and pipes.
        fired = watch.read if IO.select([watch], nil, nil, left) # rubocop:disable Lint/IncompatibleIoSelectWithFiberScheduler
      end
      assert_equal [:empty], fired
    end
  end

  def test_a_watch_reports_a_freeze
    group = open_group("watched-freeze", controllers: :freezer)
    sleeper(group)
    watch = group.watch(:frozen, :empty)
    assert_empty watch.read
    group.freeze_processes
    assert_equal [:frozen], watch.wait(10)
    group.thaw_processes
    watch.close
    assert watch.closed?
    assert_raises(Cgroups::ClosedError) { watch.fileno }
  end

  def test_a_watch_of_a_removed_group_raises_not_found
    group = open_group("watched-then-deleted", controllers: :cpu)
    group.watch(:empty) do |watch|
      assert_equal [:empty], watch.read, "the first read reports the group already empty"
      group.delete
      assert_raises(Cgroups::NotFoundError) { watch.wait(5) }
    end
  end

  def test_watches_need_an_event_and_its_controller
    group = open_group("watch-arguments", controllers: :cpu)
    assert_raises(Cgroups::InvalidArgumentError) { group.watch }
    assert_raises(Cgroups::InvalidArgumentError) { group.watch(:bogus) }
    assert_raises(Cgroups::ControllerUnavailableError) { group.watch(:oom) }
  end
end
