# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # One line of a pressure file: the percent of the last 10, 60 and 300 s in which tasks were
  # stalled, and the total stalled time in microseconds.
  PressureStall = Struct.new(:avg10, :avg60, :avg300, :total_usec, keyword_init: true)

  # The pressure of one resource in a group: +some+ tasks stalled, and +full+, all non-idle
  # tasks stalled at once (all 0 where the kernel has no such line), each a PressureStall.
  Pressure = Struct.new(:some, :full, keyword_init: true)

  # Reading pressure and making triggers (Group#pressure, Group#pressure_trigger).
  class Pressure
    class << self
      # The pressure of +resource+ in the group whose handle is +group_handle+.
      def read(group_handle, resource)
        struct = Native::Pressure.new
        struct[:size] = Native::Pressure.size
        Native.call(:cgroups_pressure_read, group_handle, Arguments.pressure_resource(resource), struct)
        lines = %i[some full].to_h do |line|
          [line, PressureStall.new(**%i[avg10 avg60 avg300 total_usec].to_h { |f| [f, struct[:"#{line}_#{f}"]] })]
        end
        new(**lines)
      end

      # A trigger's IO (see Group#pressure_trigger).
      def trigger(group_handle, resource, stall, window, full, &block)
        fd = Native.read(:cgroups_pressure_trigger, :int, group_handle, Arguments.pressure_resource(resource),
                         full ? 1 : 0, Arguments.microseconds("stall", stall), Arguments.microseconds("window", window))
        Handle.block_form(IO.for_fd(fd, autoclose: true), &block)
      end
    end
  end
end
