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
      cgroups_user_setup: %i[string string]
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
      cgroups_last_error: [[], :string],
      cgroups_last_errno: [[], :int],
      cgroups_strerror: [%i[int], :string],
      cgroups_version: [[], :string]
    }.freeze

    STATUS_CALLS.merge(ERRNO_ONLY_CALLS).each { |name, args| attach_function name, args, :int }
    PLAIN_CALLS.each { |name, (args, result)| attach_function name, args, result }

    # Runs a call from STATUS_CALLS and raises the Error for its status on failure. The last
    # error is per thread, and a Ruby thread stays on its native thread.
    def self.call(name, *args)
      status = public_send(name, *args)
      return if status.zero?

      raise Error.for_code(status, cgroups_last_error.dup.force_encoding(Encoding::UTF_8),
                           cgroups_last_errno)
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
