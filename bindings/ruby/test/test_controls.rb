# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require_relative "test_helper"

class TestControls < Minitest::Test
  include KernelTest

  def test_cpu_max_caps_in_cpus_and_nil_is_no_cap
    group = open_group("cpu-max", controllers: :cpu)
    assert_nil group.cpu_max
    group.cpu_max = 1.5
    assert_in_delta 1.5, group.cpu_max
    [0, -1, 0.001, Float::NAN, Float::INFINITY].each do |bad|
      assert_raises(Cgroups::InvalidArgumentError, bad.to_s) { group.cpu_max = bad }
    end
    group.cpu_max = nil
    assert_nil group.cpu_max
  end

  def test_a_cpuset_is_set_per_half_and_read_back
    group = open_group("cpuset", controllers: :cpuset)
    cpu = File.read("/sys/devices/system/cpu/online")[/\d+/]
    group.set_cpuset(cpus: cpu, mems: "0")
    assert_equal Cgroups::Cpuset.new(cpu, "0"), group.cpuset
    group.set_cpuset(mems: "0")
    assert_equal cpu, group.cpuset.cpus, "nil leaves a half unchanged"
    assert_raises(Cgroups::InvalidArgumentError) { group.set_cpuset(cpus: "x") }
    assert_raises(TypeError) { group.set_cpuset(cpus: 0) }
    assert_equal cpu, group.cpuset.cpus
  end

  def test_memory_high_is_v2_only
    group = open_group("memory-high", controllers: :memory)
    unless pure_v2?
      assert_raises(Cgroups::UnsupportedError) { group.set_memory_high(100, :megabytes) }
      assert_raises(Cgroups::UnsupportedError) { group.memory_high }
      return
    end
    assert_nil group.memory_high
    group.set_memory_high(100, :megabytes)
    assert_equal 100 * (2**20), group.memory_high
    group.memory_high = nil
    assert_nil group.memory_high
  end

  def test_swap_limit_on_top_of_memory_and_zero_allowed
    group = open_group("swap-limit", controllers: :memory)
    begin
      assert_nil group.swap_limit
    rescue Cgroups::UnsupportedError
      assert_raises(Cgroups::UnsupportedError) { group.swap_limit = 0 }
      return
    end
    group.set_memory_limit(100, :megabytes)
    group.set_swap_limit(50, :megabytes)
    assert_equal 50 * (2**20), group.swap_limit
    group.swap_limit = 0
    assert_equal 0, group.swap_limit
    group.swap_limit = nil
    assert_nil group.swap_limit
  end

  def test_pids_limit_refuses_forks_and_zero_is_allowed
    group = open_group("pids-limit", controllers: :pids)
    assert_nil group.pids_limit
    group.pids_limit = 0
    assert_equal 0, group.pids_limit
    group.pids_limit = 1
    pid = fork do
      group.attach_self
      exec "sh", "-c", "true & wait", err: File::NULL
    end
    _, status = Process.wait2(pid)
    refute status.success?, "the shell's fork was refused"
    assert_raises(Cgroups::InvalidArgumentError) { group.pids_limit = 4_194_305 }
    assert_raises(TypeError) { group.pids_limit = "10" }
    group.pids_limit = nil
    assert_nil group.pids_limit
  end

  def test_io_caps_are_set_per_device_and_nil_lifts_them
    group = open_group("io-max", controllers: :io)
    assert_raises(Cgroups::InvalidArgumentError) { group.io_max("/dev/null") }
    disk = Dir.glob("/sys/block/*/dev").min
    skip "no block device on this system: only the bad-device branch ran" unless disk
    device = File.read(disk).strip
    assert_equal Cgroups::IoMax.new, group.io_max(device)
    group.set_io_max(device, read_bps: 2**20, write_iops: 300)
    assert_equal Cgroups::IoMax.new(read_bps: 2**20, write_iops: 300), group.io_max(device)
    assert_raises(Cgroups::InvalidArgumentError) { group.set_io_max(device, write_bps: 1) }
    group.set_io_max(device)
    assert_equal Cgroups::IoMax.new, group.io_max(device)
  end

  def test_a_frozen_group_reports_frozen_until_thawed
    group = open_group("freezer", controllers: :freezer)
    sleeper(group)
    refute group.processes_frozen?
    group.freeze_processes
    assert group.processes_frozen?
    refute group.frozen?, "the Ruby object is not frozen"
    group.thaw_processes
    refute group.processes_frozen?
  end

  def test_kill_signals_every_member_and_wait_empty_waits_for_them
    group = open_group("killed")
    members = [sleeper(group, reap: false), sleeper(group, reap: false)]
    error = assert_raises(Cgroups::TimedOutError) { group.wait_empty(0) }
    assert_equal [:timed_out, 13], [error.status, error.code]
    group.kill(:TERM)
    group.wait_empty(10)
    statuses = members.map { |pid| Process.wait2(pid).last }
    assert_equal [Signal.list["TERM"]] * 2, statuses.map(&:termsig)
    assert_empty group.pids
    assert_raises(Cgroups::InvalidArgumentError) { group.kill(0) }
    assert_raises(Cgroups::InvalidArgumentError) { group.kill(:NOSUCH) }
    assert_raises(Cgroups::InvalidArgumentError) { group.wait_empty(-1) }
  end
end
