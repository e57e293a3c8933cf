# frozen_string_literal: true

module Cgroups
  # An open group. A Group may be used from several threads at once; +close+ frees the handle
  # (the group itself stays), and the garbage collector frees a handle nobody closed.
  class Group
    # The group's name, as given.
    attr_reader :name

    class << self
      # Creates the group +name+ ("job" or "jobs/job") of +user+ (nil: the effective user), or
      # loads it if it exists (then where it exists), in the hierarchies of +controllers+
      # (+:all+, +:cpu+, or an Array such as +%i[cpu memory]+), on +base+ (nil: the host's
      # cgroup mount).
      #
      # With a block, yields the group, then deletes it (members move back to the user's
      # group; nobody is killed) and closes the handle, also when the block raises; returns the
      # block's value.
      def open(name, controllers: :all, user: nil, base: nil, &block)
        bits = Arguments.controllers(controllers)
        c_name = Arguments.string("name", name)
        c_user = Arguments.string("user", user)
        out = FFI::MemoryPointer.new(:pointer)
        if base.nil?
          Native.call(:cgroups_open, c_name, bits, c_user, out)
        else
          Native.call(:cgroups_open_at, Arguments.string("base", base.to_s), c_name, bits, c_user, out)
        end
        adopt(out.read_pointer, name, &block)
      end

      # Wraps a new handle; with a block, as +open+ does. For Group.open and Context#open.
      def adopt(pointer, name)
        group = new(pointer, name)
        return group unless block_given?

        begin
          yield group
        ensure
          group.delete_and_close
        end
      end

      private :new
    end

    def initialize(pointer, name)
      @handle = FFI::AutoPointer.new(pointer, Native.method(:cgroups_free))
      @name = name
    end

    # Frees the handle; the group stays. Calling it again does nothing.
    def close
      @handle&.free
      @handle = nil
    end

    # Whether +close+ was called.
    def closed?
      @handle.nil?
    end

    # Moves the whole process +pid+ into the group; nothing to do if it is there. Raises
    # NoSuchProcessError, or PermissionError for another user's process or (cgroup v2,
    # non-root) one outside the user's subtree.
    def add(pid)
      Native.call(:cgroups_add, handle, Arguments.pid(pid))
    end

    # Moves +pid+ back to the user's own group if it is in this group; else nothing.
    def remove(pid)
      Native.call(:cgroups_remove, handle, Arguments.pid(pid))
    end

    # Moves the calling process into the group: for a child between fork and exec
    # (async-signal-safe in the library).
    def attach_self
      Native.call_errno_only(:cgroups_attach_self, handle)
    end

    # The group's processes (in every hierarchy), sorted.
    def pids
      array = FFI::MemoryPointer.new(:pointer)
      count = FFI::MemoryPointer.new(:size_t)
      Native.call(:cgroups_pids, handle, array, count)
      length = count.read(:size_t)
      pointer = array.read_pointer
      begin
        length.zero? ? [] : pointer.get_array_of_int32(0, length) # pid_t: int on every Linux ABI
      ensure
        Native.cgroups_pids_free(pointer, length)
      end
    end

    # The CPU share in percent of the default (100.0 unless set).
    def cpu_limit
      percent = FFI::MemoryPointer.new(:double)
      Native.call(:cgroups_cpu_limit, handle, percent)
      percent.read_double
    end

    # Sets the CPU share in percent of the default, (0, 100]: a relative weight when the CPU is
    # contended, not a cap. nil resets it to the default.
    def cpu_limit=(percent)
      if percent.nil?
        Native.call(:cgroups_reset_cpu_limit, handle)
      else
        Native.call(:cgroups_set_cpu_limit, handle, Float(percent))
      end
    end

    # The memory limit in bytes, or nil when there is none.
    def memory_limit
      bytes = FFI::MemoryPointer.new(:uint64)
      Native.call(:cgroups_memory_limit, handle, bytes)
      limit = bytes.read_uint64
      limit == Arguments::UNLIMITED ? nil : limit
    end

    # Limits the group's memory (page cache included, swap not) to +bytes+; nil removes it.
    def memory_limit=(bytes)
      if bytes.nil?
        Native.call(:cgroups_reset_memory_limit, handle)
      else
        set_memory_limit(bytes, :bytes)
      end
    end

    # Limits the group's memory to +limit+ +unit+s (+:bytes+, +:kilobytes+, +:megabytes+,
    # +:gigabytes+; steps of 1024). Raises InvalidArgumentError for 0 or an overflowing size,
    # BusyError when (v1) the limit is below the group's usage.
    def set_memory_limit(limit, unit)
      Native.call(:cgroups_set_memory_limit, handle, Arguments.size(limit), Arguments.unit(unit))
    end

    # Deletes the group: its processes move back to the user's group (nobody is killed), then
    # its directories are removed. Raises BusyError if it has child groups; later calls raise
    # NotFoundError.
    def delete
      Native.call(:cgroups_delete, handle)
    end

    # The end of a block of Group.open: delete (unless gone already), then close.
    def delete_and_close
      delete
    rescue NotFoundError
      nil
    ensure
      close
    end

    def inspect
      "#<#{self.class} #{@name.inspect}#{closed? ? " (closed)" : ""}>"
    end

    private

    def handle
      @handle or raise ClosedError, "operation on a closed group #{@name.inspect}"
    end
  end
end
