# frozen_string_literal: true

module Cgroups
  # A base and a user resolved once: opening groups through it reads neither
  # /proc/self/mountinfo nor the passwd database again. Groups outlive their context.
  class Context
    class << self
      # A context at the cgroup the calling process lives in, on +base+ (nil: the host's
      # cgroup mount): for a service started with systemd's Delegate=yes or a container with
      # its own cgroup namespace. Groups go directly below the caller's cgroup; on cgroup v2
      # the processes of the caller's cgroup (the caller included) first move into its leaf
      # "cgroups.user". Raises UnsupportedError in a root cgroup, PermissionError when the
      # cgroup was not delegated to the caller.
      def own_cgroup(base: nil)
        out = FFI::MemoryPointer.new(:pointer)
        Native.call(:cgroups_context_new_self, Arguments.string("base", base&.to_s), out)
        allocate.tap { |context| context.send(:adopt, out.read_pointer) }
      end
    end

    # Resolves +base+ (nil: the host's cgroup mount) and +user+ (nil: the effective user).
    def initialize(base: nil, user: nil)
      out = FFI::MemoryPointer.new(:pointer)
      Native.call(:cgroups_context_new, Arguments.string("base", base&.to_s),
                  Arguments.string("user", user), out)
      adopt(out.read_pointer)
    end

    # Group.open in this context's base and user subtree, with or without a block.
    def open(name, controllers: :all, &block)
      context = @handle or raise ClosedError, "operation on a closed context"
      out = FFI::MemoryPointer.new(:pointer)
      Native.call(:cgroups_context_open, context, Arguments.string("name", name),
                  Arguments.controllers(controllers), out)
      Group.adopt(out.read_pointer, name, &block)
    end

    # Frees the context; groups opened through it stay usable. Calling it again does nothing.
    def close
      @handle&.free
      @handle = nil
    end

    # Whether +close+ was called.
    def closed?
      @handle.nil?
    end

    private

    def adopt(pointer)
      @handle = FFI::AutoPointer.new(pointer, Native.method(:cgroups_context_free))
    end
  end
end
