# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # A base and a user resolved once: opening groups through it reads neither
  # /proc/self/mountinfo nor the passwd database again. Groups outlive their context.
  class Context
    include Handle

    class << self
      # A context at the cgroup the calling process lives in, on +base+ (nil: the host's
      # cgroup mount): for a service started with systemd's Delegate=yes or a container with
      # its own cgroup namespace. Groups go directly below the caller's cgroup; on cgroup v2
      # the processes of the caller's cgroup (the caller included) first move into its leaf
      # "cgroups.user". Raises UnsupportedError in a root cgroup, PermissionError when the
      # cgroup was not delegated to the caller.
      def own_cgroup(base: nil)
        adopt(Native.new_handle(:cgroups_context_new_self, Arguments.string("base", base&.to_s)))
      end

      # A context at a new systemd transient scope with Delegate=yes: asks the +manager+
      # (+:system+, +:user+, or nil: system for root, user otherwise) for the scope +unit+
      # ("NAME.scope"; nil: a unique generated name) in +slice+ (nil: the manager's default)
      # holding process +pid+ (0: the caller), waits until the job is done, and returns a
      # context rooted at the scope's cgroup, as own_cgroup would from inside it. For a non-root
      # user on cgroup v2 this is the way that needs no root at all. Raises InvalidArgumentError
      # for a bad unit or slice name, manager or pid; UnsupportedError when PID 1 is not systemd
      # or its bus is unreachable (nothing is moved); PermissionError when the manager refuses.
      def scope(unit: nil, slice: nil, pid: 0, manager: nil)
        flags = Arguments::SCOPE_MANAGERS.fetch(manager) do
          Arguments.invalid("unknown manager #{manager.inspect} (known: :system, :user, or nil)")
        end
        adopt(Native.new_handle(:cgroups_context_new_scope, Arguments.string("unit", unit),
                                Arguments.string("slice", slice), Arguments.pid(pid, allow_self: true), flags))
      end

      private

      def adopt(pointer)
        allocate.tap { |context| context.send(:own, pointer, Native.method(:cgroups_context_free)) }
      end
    end

    # Resolves +base+ (nil: the host's cgroup mount) and +user+ (nil: the effective user).
    def initialize(base: nil, user: nil)
      pointer = Native.new_handle(:cgroups_context_new, Arguments.string("base", base&.to_s),
                                  Arguments.string("user", user))
      own(pointer, Native.method(:cgroups_context_free))
    end

    # Group.open in this context's base and user subtree, with or without a block.
    def open(name, controllers: :all, &block)
      pointer = Native.new_handle(:cgroups_context_open, handle, Arguments.string("name", name),
                                  Arguments.controllers(controllers))
      Group.adopt(pointer, name, &block)
    end
  end
end
