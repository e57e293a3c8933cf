# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # The CPUs and memory nodes of a group, in the kernel's list syntax ("0-3,6"); on cgroup v2
  # "" means the parent's.
  Cpuset = Struct.new(:cpus, :mems)

  # A group's I/O caps on one device, per second; nil means no cap.
  IoMax = Struct.new(:read_bps, :write_bps, :read_iops, :write_iops, keyword_init: true)

  # An open group. A Group may be used from several threads at once; +close+ frees the handle
  # (the group itself stays), and the garbage collector frees a handle nobody closed. Calls on
  # a controller the group lacks raise ControllerUnavailableError; calls the kernel has no
  # interface for raise UnsupportedError naming what is missing; every call on a group removed
  # meanwhile raises NotFoundError.
  class Group
    include Handle

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
        pointer = if base.nil?
                    Native.new_handle(:cgroups_open, c_name, bits, c_user)
                  else
                    Native.new_handle(:cgroups_open_at, Arguments.string("base", base.to_s), c_name, bits, c_user)
                  end
        adopt(pointer, name, &block)
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
      own(pointer, Native.method(:cgroups_free))
      @name = name
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

    # Starts a program inside the group, as Process.spawn does, and returns its pid (reap it
    # with Process.wait): +spawn([env,] program, *args)+. +program+ is searched in PATH when it
    # has no '/'; no shell runs. +env+ (a Hash) sets variables on top of the caller's
    # environment, nil values unsetting them. On cgroup v2 the program is a member from its first
    # instruction (clone3 into the group); in v1 hierarchies it joins before exec. It gets the
    # caller's descriptors that are not close-on-exec (its standard streams among them) and
    # directory: Process.spawn's options (+chdir:+, redirections) raise ArgumentError. Raises
    # OSError with +errno+ set to exec's (ENOENT, EACCES …) when the program cannot run, nothing
    # left running.
    def spawn(*command)
      Spawn.start(handle, command)
    end

    # The group's directory in the hierarchy of +controller+ (+:cpu+, +:memory+ …; on cgroup v2
    # each names the one directory), as an IO on a new descriptor (O_DIRECTORY, close-on-exec):
    # for openat() or clone3. With a block, yields it and closes it afterwards. Raises
    # ControllerUnavailableError when the group was opened without +controller+.
    def dir_fd(controller, &block)
      bit = Arguments::CONTROLLERS.fetch(controller) { Arguments.invalid("unknown controller #{controller.inspect}") }
      Handle.block_form(IO.for_fd(Native.read(:cgroups_dir_fd, :int, handle, bit), autoclose: true), &block)
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

    # The CPU share in percent of the default (100.0 unless set).
    def cpu_limit
      Native.read(:cgroups_cpu_limit, :double, handle)
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

    # The CPU cap in CPUs, or nil when there is none.
    def cpu_max
      cpus = Native.read(:cgroups_cpu_max, :double, handle)
      cpus.infinite? ? nil : cpus
    end

    # Caps the group's CPU time at +cpus+ CPUs (1.5 = one and a half CPUs' worth of time per
    # 100 ms period): a hard cap, unlike the share. nil lifts it. Raises InvalidArgumentError
    # below 0.01 CPUs (the kernel's minimum) and (v1) above the parent's cap, UnsupportedError
    # when the kernel has no CPU bandwidth control.
    def cpu_max=(cpus)
      if cpus.nil?
        Native.call(:cgroups_reset_cpu_max, handle)
      else
        Native.call(:cgroups_set_cpu_max, handle, Float(cpus))
      end
    end

    # The group's CPUs and memory nodes as set (normalized by the kernel), a Cpuset.
    def cpuset
      cpus = FFI::MemoryPointer.new(:pointer)
      mems = FFI::MemoryPointer.new(:pointer)
      Native.call(:cgroups_cpuset, handle, cpus, mems)
      strings = [cpus, mems].map(&:read_pointer)
      begin
        Cpuset.new(*strings.map { |string| string.read_string.force_encoding(Encoding::UTF_8) })
      ensure
        strings.each { |string| Native.cgroups_string_free(string) }
      end
    end

    # Pins the group to CPUs +cpus+ and memory nodes +mems+ in the kernel's list syntax
    # ("0-3,6"); nil leaves that half unchanged, "" means the parent's (cgroup v2 only). Raises
    # InvalidArgumentError for a malformed list or one the kernel refuses (offline, not among the
    # parent's; the other half is then restored).
    def set_cpuset(cpus: nil, mems: nil)
      Native.call(:cgroups_set_cpuset, handle, Arguments.string("cpus", cpus), Arguments.string("mems", mems))
    end

    # The memory limit in bytes, or nil when there is none.
    def memory_limit
      read_limit(:cgroups_memory_limit)
    end

    # Limits the group's memory (page cache included, swap not) to +bytes+; nil removes it.
    def memory_limit=(bytes)
      bytes.nil? ? Native.call(:cgroups_reset_memory_limit, handle) : set_memory_limit(bytes, :bytes)
    end

    # Limits the group's memory to +limit+ +unit+s (+:bytes+, +:kilobytes+, +:megabytes+,
    # +:gigabytes+; steps of 1024). Raises InvalidArgumentError for 0 or an overflowing size,
    # BusyError when (v1) the limit is below the group's usage.
    def set_memory_limit(limit, unit)
      set_size(:cgroups_set_memory_limit, "memory limit", limit, unit)
    end

    # The throttling threshold (cgroup v2 memory.high) in bytes, or nil when there is none.
    # Raises UnsupportedError on cgroup v1, which has no such threshold.
    def memory_high
      read_limit(:cgroups_memory_high)
    end

    # Sets the throttling threshold to +bytes+: above it the group is slowed down and reclaimed
    # hard, never OOM-killed for it. nil removes it.
    def memory_high=(bytes)
      bytes.nil? ? Native.call(:cgroups_reset_memory_high, handle) : set_memory_high(bytes, :bytes)
    end

    # Sets the throttling threshold to +limit+ +unit+s (as for set_memory_limit).
    def set_memory_high(limit, unit)
      set_size(:cgroups_set_memory_high, "memory.high", limit, unit)
    end

    # The swap limit in bytes, or nil when there is none. Raises UnsupportedError when the
    # kernel does not account swap.
    def swap_limit
      read_limit(:cgroups_swap_limit)
    end

    # Limits the swap the group may use on top of its memory to +bytes+ (0: no swap); nil
    # removes the limit. On cgroup v1 the group needs a memory limit first
    # (InvalidArgumentError), and a later memory limit keeps the swap amount.
    def swap_limit=(bytes)
      bytes.nil? ? Native.call(:cgroups_reset_swap_limit, handle) : set_swap_limit(bytes, :bytes)
    end

    # Limits the swap to +limit+ +unit+s (as for set_memory_limit).
    def set_swap_limit(limit, unit)
      set_size(:cgroups_set_swap_limit, "swap limit", limit, unit)
    end

    # The limit on the number of tasks, or nil when there is none.
    def pids_limit
      read_limit(:cgroups_pids_limit)
    end

    # Limits the number of tasks (processes and threads) in the group and its child groups; 0
    # allows no new process; nil removes the limit. Raises InvalidArgumentError above 4194304.
    def pids_limit=(max)
      if max.nil?
        Native.call(:cgroups_reset_pids_limit, handle)
      else
        Native.call(:cgroups_set_pids_limit, handle, Arguments.integer("pids limit", max))
      end
    end

    # The group's I/O caps on +device+ (as for set_io_max), an IoMax whose fields are nil
    # where there is no cap.
    def io_max(device)
      caps = Array.new(4) { FFI::MemoryPointer.new(:uint64) }
      Native.call(:cgroups_io_max, handle, Arguments.string("device", device.to_s), *caps)
      IoMax.new(**IoMax.members.zip(caps.map { |cap| Arguments.unlimited_to_nil(cap.read(:uint64)) }).to_h)
    end

    # Caps the group's I/O on +device+ ("MAJ:MIN" or a path such as "/dev/sda": a whole disk)
    # per second; every call sets all four, and a cap left out (nil) is lifted. Raises
    # InvalidArgumentError for a malformed, unknown or non-block device, a partition or a cap
    # below 2; UnsupportedError when the kernel cannot throttle that device.
    def set_io_max(device, read_bps: nil, write_bps: nil, read_iops: nil, write_iops: nil)
      caps = { read_bps: read_bps, write_bps: write_bps, read_iops: read_iops, write_iops: write_iops }
      Native.call(:cgroups_set_io_max, handle, Arguments.string("device", device.to_s),
                  *caps.map { |what, cap| Arguments.cap(what.to_s, cap) })
    end

    # Freezes every process of the group and of its child groups, and returns once the kernel
    # reports the group frozen. Raises TimedOutError after 10 s without (the group is thawed
    # again). (Not +freeze+: that is Object#freeze, which makes a Ruby object immutable.)
    def freeze_processes
      Native.call(:cgroups_freeze, handle)
    end

    # Thaws the group, and returns once the kernel reports it thawed.
    def thaw_processes
      Native.call(:cgroups_thaw, handle)
    end

    # Whether the kernel reports the group frozen (also by an ancestor); a group still freezing
    # is not frozen yet.
    def processes_frozen?
      Native.read(:cgroups_frozen, :int, handle) != 0
    end

    # Sends +signal+ (an Integer, or a name such as +:TERM+) to every process of the group and
    # of its child groups, including ones forked meanwhile, and returns once all were
    # signalled. Raises ControllerUnavailableError (v1) for a signal other than +:KILL+ without
    # the freezer. delete never kills.
    def kill(signal = :KILL)
      Native.call(:cgroups_kill, handle, Arguments.signal(signal))
    end

    # Waits until no process is left in the group or its child groups, for at most +timeout+
    # seconds (nil: without limit; 0 checks once). Raises TimedOutError when processes are
    # left at the timeout. The wait runs in the library, outside the interpreter's lock.
    def wait_empty(timeout = nil)
      Native.call(:cgroups_wait_empty, handle, Arguments.timeout_ms(timeout))
    end

    # The group's statistics of +kinds+ (Symbols of Stats::KINDS, or none for all), reading only
    # the files they need: a Stats whose fields are nil where the host could not give them.
    def stats(*kinds)
      Stats.read(handle, kinds)
    end

    # A StatsReader of +kinds+ (as for stats), for reading this group repeatedly. With a block,
    # yields it and closes it afterwards.
    def stats_reader(*kinds, &block)
      StatsReader.open(handle, kinds, &block)
    end

    # The pressure of +resource+ (+:cpu+, +:memory+ or +:io+) in the group, a Pressure. Raises
    # UnsupportedError where the group has no cgroup2 directory (v1 hosts; hybrid hosts whose
    # cgroup2 tree serves none of its controllers) or PSI is off.
    def pressure(resource)
      Pressure.read(handle, resource)
    end

    # A PSI trigger: an IO whose descriptor polls priority data (IO#wait_priority) each time the
    # stall time of +resource+ ("some" tasks, or all with +full+) within +window+ seconds
    # exceeds +stall+ seconds. Closing the IO removes the trigger; with a block, yields it and
    # closes it afterwards. Raises InvalidArgumentError for a window not within 0.5 and 10 s
    # (as a non-root user on Linux 6.5+: a multiple of 2 s) or a stall not in (0, window].
    def pressure_trigger(resource, stall:, window:, full: false, &block)
      Pressure.trigger(handle, resource, stall, window, full, &block)
    end

    # A Watch of +events+ (Symbols of Watch::EVENTS) in this group. With a block, yields it and
    # closes it afterwards.
    def watch(*events, &block)
      Watch.open(handle, events, &block)
    end

    private

    def read_limit(getter)
      Arguments.unlimited_to_nil(Native.read(getter, :uint64, handle))
    end

    def set_size(setter, what, limit, unit)
      Native.call(setter, handle, Arguments.integer(what, limit), Arguments.unit(unit))
    end
  end
end
