# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # A watch on a group's events (Group#watch). It is readable when something may have fired:
  # IO.select([watch]) works (it has +to_io+), then call +read+; or block in +wait+. +:empty+ and
  # +:frozen+ are reported when the group is found empty (frozen) after being seen otherwise;
  # +:oom+, +:memory_high+ and +:pids_max+ when the kernel's counter grew. The first read reports
  # what is already so when the watch is made, so make it once the job's first process is in the
  # group. It stays usable after the group's handle is closed; use it from one thread at a time.
  class Watch
    include Handle

    # The events (CGROUPS_EVENT_*), by name.
    EVENTS = { empty: 1, oom: 2, memory_high: 4, pids_max: 8, frozen: 16 }.freeze

    # Watches the group whose handle is +group_handle+ for +events+ (Symbols of EVENTS); with a
    # block, yields the watch and closes it afterwards. Raises ControllerUnavailableError for +:oom+ or
    # +:memory_high+ without memory, +:pids_max+ without pids, +:frozen+ without the freezer;
    # UnsupportedError for +:memory_high+ on cgroup v1.
    def self.open(group_handle, events, &block)
      bits = Arguments.flags(events, EVENTS, "event")
      Handle.block_form(new(Native.new_handle(:cgroups_watch_new, group_handle, bits)), &block)
    end

    private_class_method :new

    def initialize(pointer)
      own(pointer, Native.method(:cgroups_watch_free))
    end

    # The descriptor to wait on for reading (owned by the watch: do not close it).
    def fileno
      Native.cgroups_watch_fd(handle)
    end

    # An IO on the descriptor (which stays the watch's), for IO.select.
    def to_io
      @to_io ||= IO.for_fd(fileno, autoclose: false)
    end

    # The events that fired since the last read, without blocking: an Array of Symbols, empty
    # when none did. Raises NotFoundError once the group was removed.
    def read
      Arguments.names(Native.read(:cgroups_watch_read, :uint32, handle), EVENTS)
    end

    # Waits up to +timeout+ seconds (nil: without limit) for events and returns them, as +read+
    # does; empty when the time passed with none. The wait runs in the library, outside the
    # interpreter's lock.
    def wait(timeout = nil)
      Arguments.names(Native.read(:cgroups_watch_wait, :uint32, handle, Arguments.timeout_ms(timeout)), EVENTS)
    end

    # Frees the watch and closes its descriptors. Calling it again does nothing.
    def close
      @to_io&.close
      @to_io = nil
      super
    end
  end
end
