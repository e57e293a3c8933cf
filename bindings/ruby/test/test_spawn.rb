# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require "pathname"
require "tmpdir"
require_relative "test_helper"

class TestSpawn < Minitest::Test
  include KernelTest

  def test_a_spawned_program_is_a_member_and_is_reaped_with_process_wait
    group = open_group("spawned", controllers: %i[cpu memory])
    pid = group.spawn("sleep", "600")
    assert_equal [pid], group.pids
    Process.kill(:KILL, pid)
    _, status = Process.wait2(pid)
    assert_equal Signal.list["KILL"], status.termsig
    _, status = Process.wait2(group.spawn("sh", "-c", "exit 3"))
    assert_equal 3, status.exitstatus
  end

  def test_the_program_sees_its_group_and_gets_the_environment_as_process_spawn_gives_it
    group = open_group("spawn-env", controllers: %i[cpu memory])
    Dir.mktmpdir do |dir|
      out = File.join(dir, "out")
      ENV["CGROUPS_TEST_UNSET"] = "set"
      script = 'cat /proc/self/cgroup > "$OUT"; echo "$GREETING${CGROUPS_TEST_UNSET:-unset}" >> "$OUT"'
      pid = group.spawn({ "OUT" => out, "GREETING" => "hello-", "CGROUPS_TEST_UNSET" => nil },
                        Pathname("/bin/sh"), "-c", script)
      Process.wait(pid)
      lines = File.readlines(out, chomp: true)
      assert_equal "hello-unset", lines.last
      assert(lines[0...-1].any? { |line| line.end_with?("/root/spawn-env") }, lines.inspect)
    ensure
      ENV.delete("CGROUPS_TEST_UNSET")
    end
  end

  def test_a_program_that_cannot_run_raises_with_execs_errno
    group = open_group("spawn-errors", controllers: :cpu)
    ["/nonexistent/program", "no-such-program-cgroups-rs"].each do |program|
      error = assert_raises(Cgroups::OSError) { group.spawn(program) }
      assert_equal Errno::ENOENT::Errno, error.errno
    end
    assert_raises(Cgroups::InvalidArgumentError) { group.spawn }
    assert_raises(Cgroups::InvalidArgumentError) { group.spawn({ "A=B" => "x" }, "true") }
    assert_raises(ArgumentError) { group.spawn("true", chdir: "/") }
    assert_raises(TypeError) { group.spawn(1) }
    assert_empty group.pids
  end

  def test_a_directory_descriptor_reaches_the_groups_files
    group = open_group("dir-fd", controllers: :cpu)
    io = group.dir_fd(:cpu) do |dir|
      assert File.exist?("/proc/self/fd/#{dir.fileno}/cgroup.procs")
      dir
    end
    assert io.closed?
    assert_raises(Cgroups::InvalidArgumentError) { group.dir_fd(:bogus) }
    assert_raises(Cgroups::ControllerUnavailableError) { group.dir_fd(:memory) } unless pure_v2?
  end
end
