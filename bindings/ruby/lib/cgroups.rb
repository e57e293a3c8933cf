# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require_relative "cgroups/version"
require_relative "cgroups/errors"
require_relative "cgroups/native"
require_relative "cgroups/arguments"
require_relative "cgroups/handle"
require_relative "cgroups/stats"
require_relative "cgroups/pressure"
require_relative "cgroups/watch"
require_relative "cgroups/spawn"
require_relative "cgroups/group"
require_relative "cgroups/context"

# Linux control groups on cgroup v2, v1 and hybrid hosts, over libcgroups-rs's C library.
#
#   Cgroups::Group.open("job", controllers: %i[cpu memory]) do |job|
#     job.cpu_limit = 50                       # half the default CPU share
#     job.set_memory_limit(256, :megabytes)
#     job.add(pid)
#   end                                        # deleted here; its members move back
#
# Beyond the share and the memory limit, a Group has the whole C library's calls: CPU caps,
# cpusets, memory throttling, swap, pids and I/O limits, freezing, killing, statistics
# (Group#stats), pressure and event watches (Group#watch, usable with IO.select). Contexts open
# groups below a user's subtree, a delegated cgroup or a systemd scope. Every failure raises a
# Cgroups::Error subclass with the library's message, +status+ and +errno+.
module Cgroups
  # What the library reads for "no limit" (Group#memory_limit gives nil instead).
  UNLIMITED = Arguments::UNLIMITED

  module_function

  # Prepares +user+'s subtree on +base+ (nil: the host's cgroup mount) so that the user can
  # manage their own groups without root, as the user_cgroups command does. Needs root
  # (PermissionError otherwise); NoSuchUserError for an unknown user. Idempotent.
  def user_setup(user, base: nil)
    Native.call(:cgroups_user_setup, Arguments.string("base", base&.to_s), Arguments.string("user", user))
  end

  # The version of the loaded C library, "MAJOR.MINOR.PATCH".
  def library_version
    Native.cgroups_version
  end
end
