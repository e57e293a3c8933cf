# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require "English"
require "tmpdir"
require_relative "test_helper"

class TestGroup < Minitest::Test
  include KernelTest

  def test_a_group_lives_in_the_users_subtree_of_each_hierarchy
    group = open_group("created", controllers: %i[cpu memory])
    assert_equal "created", group.name
    dirs = group_dirs("created")
    refute_empty dirs
    # v1: one directory in cpu's, one in memory's, and one in cpuacct's where it is a hierarchy
    # apart from cpu's (for CPU usage)
    companion = File.directory?(File.join(BASE, "cpuacct")) ? 1 : 0
    assert_equal 2 + companion, dirs.size, dirs.inspect unless pure_v2?
  end

  def test_cpu_limit_is_a_share_in_percent_and_nil_resets_it
    group = open_group("cpu-limit", controllers: :cpu)
    assert_equal 100.0, group.cpu_limit
    group.cpu_limit = 50
    assert_equal 50.0, group.cpu_limit
    group.cpu_limit = 80 # v1 keeps 1/1024ths of the default, v2 whole percents
    assert_in_delta 80.0, group.cpu_limit, 0.1
    group.cpu_limit = nil
    assert_equal 100.0, group.cpu_limit
    error = assert_raises(Cgroups::InvalidArgumentError) { group.cpu_limit = 0 }
    assert_equal [:invalid_argument, 2, 0], [error.status, error.code, error.errno]
    assert_match(/\Ainvalid argument: /, error.message)
    assert_equal 1, error.message.scan("invalid argument").size, "the category is not repeated"
  end

  def test_memory_limit_in_units_and_nil_when_unlimited
    group = open_group("memory-limit", controllers: :memory)
    assert_nil group.memory_limit
    group.set_memory_limit(500, :megabytes)
    assert_equal 500 * (2**20), group.memory_limit
    group.set_memory_limit(1536, :kilobytes)
    assert_equal 1536 * (2**10), group.memory_limit
    group.set_memory_limit(1, :gigabytes)
    assert_equal 2**30, group.memory_limit
    group.memory_limit = 64 * (2**20)
    assert_equal 64 * (2**20), group.memory_limit
    group.memory_limit = nil
    assert_nil group.memory_limit
  end

  def test_bad_memory_limits_raise_and_change_nothing
    group = open_group("bad-memory-limits", controllers: :memory)
    group.set_memory_limit(100, :megabytes)
    [[0, :megabytes], [-1, :bytes], [2**64, :bytes], [2**60, :gigabytes], [10, :pages]].each do |limit, unit|
      assert_raises(Cgroups::InvalidArgumentError, "#{limit} #{unit}") { group.set_memory_limit(limit, unit) }
    end
    assert_raises(TypeError) { group.set_memory_limit(1.5, :megabytes) }
    assert_equal 100 * (2**20), group.memory_limit
  end

  def test_add_remove_and_pids
    group = open_group("members", controllers: %i[cpu memory])
    first = sleeper
    second = sleeper
    assert_empty group.pids
    [first, first, second].each { |pid| group.add(pid) }
    assert_equal [first, second].sort, group.pids
    2.times { group.remove(second) }
    assert_equal [first], group.pids
  end

  def test_a_child_joins_before_exec_with_attach_self
    group = open_group("attached")
    child = sleeper(group)
    assert_equal [child], group.pids
  end

  def test_a_dead_process_raises_no_such_process_with_its_errno
    group = open_group("dead-process", controllers: :cpu)
    pid = dead_pid
    error = assert_raises(Cgroups::NoSuchProcessError) { group.add(pid) }
    assert_equal Errno::ESRCH::Errno, error.errno
    assert_includes error.message, pid.to_s
    assert_raises(Cgroups::InvalidArgumentError) { group.add(0) }
    assert_raises(Cgroups::InvalidArgumentError) { group.add(2**40) }
    assert_raises(TypeError) { group.add("1") }
  end

  def test_names_the_library_refuses_raise_its_message
    ["..", "a/../b", "cpu.heavy", ""].each do |name|
      error = assert_raises(Cgroups::InvalidArgumentError) { Cgroups::Group.open(name, base: BASE) }
      assert_match(/\Ainvalid argument: /, error.message)
    end
    assert_raises(Cgroups::InvalidArgumentError) { Cgroups::Group.open("a\0b", base: BASE) }
    assert_raises(Cgroups::InvalidArgumentError) { Cgroups::Group.open("x", controllers: %i[cpu bogus], base: BASE) }
    assert_empty group_dirs("a")
    assert_empty group_dirs("x")
  end

  def test_a_base_without_cgroups_is_not_mounted
    Dir.mktmpdir do |dir|
      assert_raises(Cgroups::NotMountedError) { Cgroups::Group.open("elsewhere", base: dir) }
    end
  end

  def test_a_group_without_a_controller_says_so
    group = open_group("cpu-only", controllers: [:cpu])
    error = assert_raises(Cgroups::ControllerUnavailableError) { group.memory_limit }
    assert_equal :controller_unavailable, error.status
  end

  def test_delete_moves_members_back_and_kills_nobody
    group = open_group("deleted")
    member = sleeper(group)
    group.delete
    assert_equal 1, Process.kill(0, member), "delete must not kill"
    assert_empty group_dirs("deleted")
    assert_raises(Cgroups::NotFoundError) { group.pids }
  end

  def test_delete_refuses_a_group_with_child_groups
    parent = open_group("parent", controllers: :cpu)
    child = open_group("parent/child", controllers: :cpu)
    assert_raises(Cgroups::BusyError) { parent.delete }
    child.delete
    parent.delete
    assert_empty group_dirs("parent")
  end

  def test_the_block_form_deletes_and_closes_also_when_the_block_raises
    member = sleeper
    kept = nil
    value = Cgroups::Group.open("scoped", base: BASE) do |group|
      kept = group
      group.add(member)
      refute_empty group_dirs("scoped")
      :done
    end
    assert_equal :done, value
    assert kept.closed?
    assert_empty group_dirs("scoped")
    assert_equal 1, Process.kill(0, member)
    assert_raises(Cgroups::ClosedError) { kept.pids }
    assert_raises(RuntimeError) { Cgroups::Group.open("failing", base: BASE) { raise "the job failed" } }
    assert_empty group_dirs("failing")
    Cgroups::Group.open("deleted-inside", base: BASE, &:delete)
  end

  def test_closed_groups_raise_closed_error
    group = open_group("closed-early", controllers: :cpu)
    group.close
    group.close
    assert group.closed?
    assert_match(/closed/, group.inspect)
    assert_raises(Cgroups::ClosedError) { group.cpu_limit = 10 }
  end

  def test_unknown_statuses_still_raise_a_cgroups_error
    error = Cgroups::Error.for_code(9999, "something new: details", 5)
    assert_equal [Cgroups::Error, :unknown, 9999, 5, "something new: details"],
                 [error.class, error.status, error.code, error.errno, error.message]
  end

  def test_a_missing_library_is_a_clear_load_error
    lib = File.expand_path("../lib", __dir__)
    output = IO.popen({ "CGROUPS_LIBRARY" => "/nonexistent/libcgroups.so.0" },
                      [RbConfig.ruby, "-I", lib, "-e", "require 'cgroups'"], err: %i[child out], &:read)
    refute $CHILD_STATUS.success?
    assert_includes output, "cannot load the libcgroups C library"
  end

  def test_the_library_is_found_through_pkg_configs_libdir
    skip "no pkg-config here" unless system("pkg-config --version", out: File::NULL)
    mapped = File.readlines("/proc/self/maps").map { |line| line.split.last }
    libdir = File.dirname(mapped.find { |path| path.include?("libcgroups.so") })
    Dir.mktmpdir do |dir|
      File.write(File.join(dir, "cgroups.pc"), "libdir=#{libdir}\nName: cgroups\nDescription: test\n" \
                                               "Version: 0.1.0\nLibs: -L${libdir} -lcgroups\n")
      env = { "PKG_CONFIG_PATH" => dir, "LD_LIBRARY_PATH" => nil, "CGROUPS_LIBRARY" => nil }
      lib = File.expand_path("../lib", __dir__)
      version = IO.popen(env, [RbConfig.ruby, "-I", lib, "-e", "require 'cgroups'; print Cgroups.library_version"],
                         &:read)
      assert_equal Cgroups.library_version, version
    end
  end

  def test_the_library_version_is_major_minor_patch
    assert_match(/\A\d+\.\d+\.\d+\z/, Cgroups.library_version)
  end
end
