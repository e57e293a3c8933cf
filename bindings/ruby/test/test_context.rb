# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require "etc"
require_relative "test_helper"

class TestContext < Minitest::Test
  include KernelTest

  def test_a_context_opens_groups_that_outlive_it
    context = Cgroups::Context.new(base: BASE, user: "root")
    group = context.open("via-context", controllers: :cpu)
    context.close
    context.close
    assert context.closed?
    assert_raises(Cgroups::ClosedError) { context.open("too-late") }
    group.cpu_limit = 20
    refute_empty group_dirs("via-context")
    group.delete
    group.close
  end

  def test_the_block_form_of_a_context_open_deletes_the_group
    context = Cgroups::Context.new(base: BASE)
    context.open("context-block", controllers: :cpu) { |group| group.cpu_limit = 30 }
    assert_empty group_dirs("context-block")
  ensure
    context&.close
  end

  def test_an_unknown_user_raises_no_such_user
    error = assert_raises(Cgroups::NoSuchUserError) do
      Cgroups::Context.new(base: BASE, user: "no-such-user-cgroups-rs")
    end
    assert_equal :no_such_user, error.status
  end

  def test_own_cgroup_makes_groups_below_the_callers_cgroup
    service = open_group("service")
    reader, writer = IO.pipe
    go_reader, go_writer = IO.pipe
    pid = fork do
      reader.close
      go_writer.close
      go_reader.read # EOF once the parent moved this process into the service group
      result = Cgroups::Context.own_cgroup(base: BASE).open("job", controllers: :cpu) do |job|
        job.cpu_limit = 40
        job.cpu_limit.round
      end
      writer.puts result
      exit! 0
    rescue StandardError => e
      writer.puts e.message
      exit! 1
    end
    writer.close
    go_reader.close
    service.add(pid)
    go_writer.close
    output = reader.read
    _, status = Process.wait2(pid)
    assert_equal ["40\n", 0], [output, status.exitstatus]
  ensure
    # On v2 the library leaves the leaf it made for the service's processes behind, and delete
    # refuses a group with a child group.
    leaf = File.join(BASE, "root", "service", "cgroups.user")
    Dir.rmdir(leaf) if pure_v2? && File.directory?(leaf)
  end

  def test_a_scope_context_checks_its_arguments_before_asking_systemd
    [{ unit: "no-suffix" }, { slice: "not-a-slice" }, { pid: -1 }, { manager: :session }].each do |arguments|
      assert_raises(Cgroups::InvalidArgumentError, arguments.inspect) { Cgroups::Context.scope(**arguments) }
    end
  end

  def test_a_scope_context_needs_systemd_as_init
    skip "systemd is init here: a scope would be made" if File.directory?("/run/systemd/system")
    member = sleeper
    before = File.read("/proc/#{member}/cgroup")
    error = assert_raises(Cgroups::UnsupportedError) { Cgroups::Context.scope(pid: member, manager: :system) }
    assert_match(/systemd/, error.message)
    assert_equal before, File.read("/proc/#{member}/cgroup"), "nothing is moved"
  end

  def test_user_setup_prepares_a_user_and_refuses_unknown_ones
    name = ENV.fetch("CGROUPS_TEST_USER", "nobody")
    Cgroups.user_setup(name, base: BASE)
    uid = Etc.getpwnam(name).uid
    user_dirs = pure_v2? ? [File.join(BASE, name)] : Dir.glob(File.join(BASE, "*", name))
    refute_empty user_dirs
    user_dirs.each { |dir| assert_equal uid, File.stat(dir).uid, dir }
    assert_raises(Cgroups::NoSuchUserError) { Cgroups.user_setup("no-such-user-cgroups-rs", base: BASE) }
  end
end
