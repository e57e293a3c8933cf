# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require "ffi"

module Cgroups
  # The C library: where it is found, and the signature of every call this binding makes. A
  # call is added by adding its line to one of the tables below.
  module Native
    extend FFI::Library

    SONAME = "libcgroups.so.0"

    # Loads CGROUPS_LIBRARY (a path) if set; else the library on the loader's path, else the
    # one in pkg-config's libdir.
    def self.load_library
      override = ENV.fetch("CGROUPS_LIBRARY", "")
      ffi_lib(override.empty? ? SONAME : override)
    rescue LoadError => e
      libdir = override.empty? ? pkg_config_libdir : ""
      if libdir.empty?
        raise LoadError, "cannot load the libcgroups C library (#{e.message}): install it (make install), " \
                         "put its directory on LD_LIBRARY_PATH or pkg-config's path, or name the file in " \
                         "CGROUPS_LIBRARY"
      end

      ffi_lib File.join(libdir, SONAME)
    end

    def self.pkg_config_libdir
      IO.popen(%w[pkg-config --variable=libdir cgroups], err: File::NULL, &:read).strip
    rescue SystemCallError
      ""
    end

    load_library

    typedef :pointer, :cgroup
    typedef :pointer, :context
    typedef :pointer, :stats_reader
    typedef :pointer, :watch

    # cgroups_stats, field for field (the struct only ever grows at its end).
    class Stats < FFI::Struct
      layout :size, :uint32, :present, :uint64,
             *%i[memory_current memory_peak memory_swap_current memory_anon memory_file
                 memory_oom_events memory_oom_kills memory_high_events cpu_usage_usec cpu_user_usec
                 cpu_system_usec cpu_periods cpu_throttled_periods cpu_throttled_usec pids_current
                 pids_max_events io_read_bytes io_write_bytes io_read_ios io_write_ios].flat_map { |f| [f, :uint64] }
    end

    # cgroups_pressure, field for field (the struct only ever grows at its end).
    class Pressure < FFI::Struct
      layout :size, :uint32,
             :some_avg10, :double, :some_avg60, :double, :some_avg300, :double, :some_total_usec, :uint64,
             :full_avg10, :double, :full_avg60, :double, :full_avg300, :double, :full_total_usec, :uint64
    end

    # Calls that return a cgroups_status: name => argument types.
    STATUS_CALLS = {
      cgroups_open: %i[string uint32 string pointer],
      cgroups_open_at: %i[string string uint32 string pointer],
      cgroups_add: %i[cgroup pid_t],
      cgroups_remove: %i[cgroup pid_t],
      cgroups_pids: %i[cgroup pointer pointer],
      cgroups_set_cpu_limit: %i[cgroup double],
      cgroups_reset_cpu_limit: %i[cgroup],
      cgroups_cpu_limit: %i[cgroup pointer],
      cgroups_set_memory_limit: %i[cgroup uint64 uint32],
      cgroups_reset_memory_limit: %i[cgroup],
      cgroups_memory_limit: %i[cgroup pointer],
      cgroups_delete: %i[cgroup],
      cgroups_context_new: %i[string string pointer],
      cgroups_context_new_self: %i[string pointer],
      cgroups_context_open: %i[context string uint32 pointer],
      cgroups_user_setup: %i[string string],
      cgroups_context_new_scope: %i[string string pid_t uint32 pointer],
      cgroups_set_cpu_max: %i[cgroup double],
      cgroups_reset_cpu_max: %i[cgroup],
      cgroups_cpu_max: %i[cgroup pointer],
      cgroups_set_cpuset: %i[cgroup string string],
      cgroups_cpuset: %i[cgroup pointer pointer],
      cgroups_set_memory_high: %i[cgroup uint64 uint32],
      cgroups_reset_memory_high: %i[cgroup],
      cgroups_memory_high: %i[cgroup pointer],
      cgroups_set_swap_limit: %i[cgroup uint64 uint32],
      cgroups_reset_swap_limit: %i[cgroup],
      cgroups_swap_limit: %i[cgroup pointer],
      cgroups_set_pids_limit: %i[cgroup uint64],
      cgroups_reset_pids_limit: %i[cgroup],
      cgroups_pids_limit: %i[cgroup pointer],
      cgroups_set_io_max: %i[cgroup string uint64 uint64 uint64 uint64],
      cgroups_io_max: %i[cgroup string pointer pointer pointer pointer],
      cgroups_freeze: %i[cgroup],
      cgroups_thaw: %i[cgroup],
      cgroups_frozen: %i[cgroup pointer],
      cgroups_kill: %i[cgroup int],
      cgroups_wait_empty: %i[cgroup int],
      cgroups_stats_read: [:cgroup, :uint64, Stats.by_ref],
      cgroups_stats_reader_new: %i[cgroup uint64 pointer],
      cgroups_stats_reader_read: [:stats_reader, Stats.by_ref],
      cgroups_pressure_read: [:cgroup, :uint32, Pressure.by_ref],
      cgroups_pressure_trigger: %i[cgroup uint32 int uint64 uint64 pointer],
      cgroups_watch_new: %i[cgroup uint32 pointer],
      cgroups_watch_read: %i[watch pointer],
      cgroups_watch_wait: %i[watch int pointer],
      cgroups_spawn: %i[cgroup string pointer pointer pointer],
      cgroups_dir_fd: %i[cgroup uint32 pointer]
    }.freeze

    # Async-signal-safe calls that return a status but set only cgroups_last_errno().
    ERRNO_ONLY_CALLS = {
      cgroups_attach_self: %i[cgroup]
    }.freeze

    # Every other call: name => [argument types, result type].
    PLAIN_CALLS = {
      cgroups_free: [%i[cgroup], :void],
      cgroups_pids_free: [%i[pointer size_t], :void],
      cgroups_context_free: [%i[context], :void],
      cgroups_string_free: [%i[pointer], :void],
      cgroups_stats_reader_free: [%i[stats_reader], :void],
      cgroups_watch_fd: [%i[watch], :int],
      cgroups_watch_free: [%i[watch], :void],
      cgroups_last_error: [[], :string],
      cgroups_last_errno: [[], :int],
      cgroups_strerror: [%i[int], :string],
      cgroups_version: [[], :string]
    }.freeze

    # Calls that may wait (for the kernel, the service manager, or a timeout): they run without
    # the interpreter's lock, so that other threads go on meanwhile.
    BLOCKING_CALLS = %i[cgroups_delete cgroups_freeze cgroups_thaw cgroups_kill cgroups_wait_empty
                        cgroups_watch_wait cgroups_context_new_scope cgroups_spawn].freeze

    STATUS_CALLS.merge(ERRNO_ONLY_CALLS).each do |name, args|
      attach_function name, args, :int, blocking: BLOCKING_CALLS.include?(name)
    end
    PLAIN_CALLS.each { |name, (args, result)| attach_function name, args, result }

    # Runs a call from STATUS_CALLS and raises the Error for its status on failure. The last
    # error is per thread, and a Ruby thread stays on its native thread.
    def self.call(name, *args)
      status = public_send(name, *args)
      return if status.zero?

      raise Error.for_code(status, cgroups_last_error.dup.force_encoding(Encoding::UTF_8),
                           cgroups_last_errno)
    end

    # Runs a call from STATUS_CALLS whose last argument is a handle's out-parameter, and
    # returns the new handle.
    def self.new_handle(name, *args)
      out = FFI::MemoryPointer.new(:pointer)
      call(name, *args, out)
      out.read_pointer
    end

    # Runs a call from STATUS_CALLS whose last argument is one out-parameter of +type+, and
    # returns its value.
    def self.read(name, type, *args)
      out = FFI::MemoryPointer.new(type)
      call(name, *args, out)
      out.read(type)
    end

    # Runs a call from ERRNO_ONLY_CALLS, which leave the last error's message alone.
    def self.call_errno_only(name, *args)
      status = public_send(name, *args)
      return if status.zero?

      errno = cgroups_last_errno
      reason = errno.zero? ? "unknown reason" : SystemCallError.new(nil, errno).message
      raise Error.for_code(status, "cannot move this process into the group: #{reason}", errno)
    end
  end
end
