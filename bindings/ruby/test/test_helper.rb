# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

# Tests on the real kernel, as root, through bindings/with-test-base (make check-bindings):
# every group lives on the base it names in CGROUPS_TEST_BASE, a private test prefix that is
# removed after the run.

require "minitest/autorun"
require "cgroups"

BASE = ENV.fetch("CGROUPS_TEST_BASE") do
  abort "CGROUPS_TEST_BASE is not set: run the tests through bindings/with-test-base (make check-bindings)"
end

# Helpers for tests that create groups and processes, all undone in teardown.
module KernelTest
  def setup
    @cleanups = []
  end

  def teardown
    @cleanups.reverse_each(&:call)
  end

  # Whether the base is one cgroup2 tree (else one directory per hierarchy).
  def pure_v2?
    File.exist?(File.join(BASE, "cgroup.controllers"))
  end

  # The directories of root's group +name+ that exist, in every hierarchy.
  def group_dirs(name)
    roots = pure_v2? ? [BASE] : Dir.children(BASE).map { |h| File.join(BASE, h) }
    roots.map { |root| File.join(root, "root", name) }.select { |dir| File.directory?(dir) }
  end

  # Opens root's group +name+ on the test base, deleted and closed in teardown.
  def open_group(name, controllers: :all)
    group = Cgroups::Group.open(name, controllers: controllers, base: BASE)
    @cleanups << -> { group.delete_and_close unless group.closed? }
    group
  end

  # Starts `sleep 600` (in +group+ from before exec, when given), killed in teardown (unless
  # the test reaps it: +reap: false+).
  def sleeper(group = nil, reap: true)
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      group&.attach_self
      writer.close
      exec "sleep", "600"
    rescue StandardError => e
      warn e.message
      exit! 127 # not exit: the child must not run the tests' at_exit hooks
    end
    writer.close
    reader.read # EOF once the child joined the group (or failed and exited)
    reader.close
    if reap
      @cleanups << lambda {
        Process.kill(:KILL, pid)
        Process.wait(pid)
      }
    end
    pid
  end

  # Waits for a short-lived process and returns its pid, no longer in use.
  def dead_pid
    pid = spawn("true")
    Process.wait(pid)
    pid
  end
end
