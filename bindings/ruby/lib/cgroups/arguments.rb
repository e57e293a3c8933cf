# frozen_string_literal: true

module Cgroups
  # Checks and conversions of arguments before they reach C.
  module Arguments
    # Controller bits, by name (+:io+ is blkio on cgroup v1).
    CONTROLLERS = { cpu: 1, memory: 2, pids: 4, cpuset: 8, io: 16, freezer: 32 }.freeze
    # Every controller the host offers; an existing group is loaded where it exists.
    ALL = 0xFFFF_FFFF
    # Units of a memory size, in steps of 1024.
    UNITS = { bytes: 0, kilobytes: 1, megabytes: 2, gigabytes: 3 }.freeze
    # What the library reads for "no limit".
    UNLIMITED = (2**64) - 1

    module_function

    # The controller bits of +:all+, a controller name, or an Array of names.
    def controllers(selection)
      return ALL if selection == :all

      names = Array(selection)
      invalid("no controller given") if names.empty?
      names.sum do |name|
        CONTROLLERS.fetch(name) do
          invalid("unknown controller #{name.inspect} (known: #{CONTROLLERS.keys.join(", ")}, or :all)")
        end
      end
    end

    # A string for C: UTF-8 without NUL; nil stays NULL.
    def string(what, value)
      return nil if value.nil?
      raise TypeError, "#{what} must be a String, not #{value.class}" unless value.is_a?(String)

      text = value.encode(Encoding::UTF_8)
      invalid("#{what} #{value.inspect} contains a NUL character") if text.include?("\0")
      text
    end

    # A process id that fits pid_t.
    def pid(value)
      raise TypeError, "pid must be an Integer, not #{value.class}" unless value.is_a?(Integer)

      invalid("pid #{value} is not a process id") unless value.positive? && value < 2**31

      value
    end

    # A size that fits uint64_t.
    def size(value)
      raise TypeError, "limit must be an Integer, not #{value.class}" unless value.is_a?(Integer)

      invalid("memory limit #{value} is out of range") unless value >= 0 && value <= UNLIMITED

      value
    end

    # The unit's number.
    def unit(name)
      UNITS.fetch(name) { invalid("unknown unit #{name.inspect} (known: #{UNITS.keys.join(", ")})") }
    end

    def invalid(reason)
      raise InvalidArgumentError.new("invalid argument: #{reason}", errno: 0)
    end
  end
end
