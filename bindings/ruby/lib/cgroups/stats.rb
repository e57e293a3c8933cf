# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # A group's statistics, its child groups included. A field is nil when the host could not give
  # it (a hierarchy the group lacks, a file the kernel lacks) or it was not asked for: absent is
  # never 0. +present+ lists the kinds given (Symbols of Stats::KINDS). Sizes are bytes, times
  # microseconds. On cgroup v1, +memory_oom_events+ and +memory_high_events+ read 0 (v1 counts
  # only OOM kills).
  Stats = Struct.new(:present, :memory_current, :memory_peak, :memory_swap_current, :memory_anon, :memory_file,
                     :memory_oom_events, :memory_oom_kills, :memory_high_events, :cpu_usage_usec, :cpu_user_usec,
                     :cpu_system_usec, :cpu_periods, :cpu_throttled_periods, :cpu_throttled_usec, :pids_current,
                     :pids_max_events, :io_read_bytes, :io_write_bytes, :io_read_ios, :io_write_ios,
                     keyword_init: true)

  # Reading statistics (Group#stats).
  class Stats
    # The kinds of statistics (CGROUPS_STAT_*), by name.
    KINDS = { memory_current: 1, memory_peak: 2, memory_swap: 4, memory_stat: 8, memory_events: 16,
              cpu_usage: 32, cpu_throttling: 64, pids: 128, io: 256 }.freeze

    # The fields of each kind.
    FIELDS = {
      memory_current: %i[memory_current], memory_peak: %i[memory_peak], memory_swap: %i[memory_swap_current],
      memory_stat: %i[memory_anon memory_file],
      memory_events: %i[memory_oom_events memory_oom_kills memory_high_events],
      cpu_usage: %i[cpu_usage_usec cpu_user_usec cpu_system_usec],
      cpu_throttling: %i[cpu_periods cpu_throttled_periods cpu_throttled_usec],
      pids: %i[pids_current pids_max_events],
      io: %i[io_read_bytes io_write_bytes io_read_ios io_write_ios]
    }.freeze

    class << self
      # One read of the statistics +kinds+ (none: all) of the group whose handle is +group_handle+.
      def read(group_handle, kinds)
        struct = new_struct
        Native.call(:cgroups_stats_read, group_handle, want(kinds), struct)
        from_struct(struct)
      end

      # The bits of +kinds+.
      def want(kinds)
        Arguments.flags(kinds.empty? ? [:all] : kinds, KINDS, "statistic")
      end

      # A cgroups_stats with its size set.
      def new_struct
        Native::Stats.new.tap { |struct| struct[:size] = Native::Stats.size }
      end

      # The kinds that are present, with their fields.
      def from_struct(struct)
        present = Arguments.names(struct[:present], KINDS)
        new(present: present, **FIELDS.slice(*present).values.flatten.to_h { |field| [field, struct[field]] })
      end
    end
  end

  # Reads the same group's statistics again and again with the files it needs kept open (one
  # pread per file and read): for monitors. It holds up to three descriptors per group, stays
  # usable after the group's handle is closed, and may be used from several threads at once.
  class StatsReader
    include Handle

    # Opens the files the statistics +kinds+ need (Group#stats_reader); with a block, yields the
    # reader and closes it afterwards.
    def self.open(group_handle, kinds, &block)
      Handle.block_form(new(Native.new_handle(:cgroups_stats_reader_new, group_handle, Stats.want(kinds))), &block)
    end

    private_class_method :new

    def initialize(pointer)
      own(pointer, Native.method(:cgroups_stats_reader_free))
    end

    # The statistics now, a Stats. Raises NotFoundError once the group was removed.
    def read
      struct = Stats.new_struct
      Native.call(:cgroups_stats_reader_read, handle, struct)
      Stats.from_struct(struct)
    end
  end
end
