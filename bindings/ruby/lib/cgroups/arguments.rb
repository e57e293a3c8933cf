# SPDX-License-Identifier: MIT OR Apache-2.0
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
    # The resources that have pressure files.
    PRESSURE_RESOURCES = %i[cpu memory io].freeze
    # The managers a scope context can ask (CGROUPS_SCOPE_*); nil: the library's default.
    SCOPE_MANAGERS = { nil => 0, system: 1, user: 2 }.freeze
    # The longest timeout the library takes, in milliseconds.
    TIMEOUT_MAX_MS = (2**31) - 1

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

    # The bits of +names+ (Symbols of +table+), or of every name for +:all+.
    def flags(names, table, what)
      return table.values.sum if names == [:all]

      invalid("no #{what} given") if names.empty?
      names.sum do |name|
        table.fetch(name) { invalid("unknown #{what} #{name.inspect} (known: #{table.keys.join(", ")})") }
      end
    end

    # The names of the +bits+ set, as Symbols of +table+.
    def names(bits, table)
      table.select { |_, bit| bits.anybits?(bit) }.keys
    end

    # The controller bit of a pressure resource: +:cpu+, +:memory+ or +:io+.
    def pressure_resource(resource)
      unless PRESSURE_RESOURCES.include?(resource)
        invalid("no pressure for #{resource.inspect} (known: #{PRESSURE_RESOURCES.join(", ")})")
      end
      CONTROLLERS.fetch(resource)
    end

    # A signal number: an Integer, or a name such as +:TERM+ or "SIGTERM".
    def signal(value)
      return value if value.is_a?(Integer)
      unless value.is_a?(Symbol) || value.is_a?(String)
        raise TypeError, "signal must be an Integer or a name, not #{value.class}"
      end

      Signal.list.fetch(value.to_s.delete_prefix("SIG")) { invalid("unknown signal #{value.inspect}") }
    end

    # A timeout in seconds as the library's milliseconds: nil waits forever (-1); a fraction of
    # a millisecond counts as a whole one.
    def timeout_ms(seconds)
      return -1 if seconds.nil?
      raise TypeError, "timeout must be a number of seconds, not #{seconds.class}" unless seconds.is_a?(Numeric)

      milliseconds = (seconds * 1000).ceil
      invalid("timeout #{seconds} s is out of range (0 to 24 days; nil waits forever)") unless
        milliseconds.between?(0, TIMEOUT_MAX_MS)
      milliseconds
    end

    # A duration in seconds as whole microseconds.
    def microseconds(what, seconds)
      raise TypeError, "#{what} must be a number of seconds, not #{seconds.class}" unless seconds.is_a?(Numeric)

      invalid("#{what} #{seconds} s is out of range") unless seconds.between?(0, 2**32)
      (seconds * 1_000_000).round
    end

    # A cap for C: nil means none (UNLIMITED).
    def cap(what, value)
      value.nil? ? UNLIMITED : integer(what, value)
    end

    # A value read from C: UNLIMITED means none (nil).
    def unlimited_to_nil(value)
      value == UNLIMITED ? nil : value
    end

    # A NULL-terminated array of C strings (argv, envp), kept alive by the returned pointer.
    def string_array(what, values)
      strings = values.map { |value| FFI::MemoryPointer.from_string(string(what, value)) }
      array = FFI::MemoryPointer.new(:pointer, strings.size + 1)
      array.write_array_of_pointer(strings + [nil])
      array.instance_variable_set(:@strings, strings) # freed with the array, not before
      array
    end

    # A string for C: UTF-8 without NUL; nil stays NULL.
    def string(what, value)
      return nil if value.nil?
      raise TypeError, "#{what} must be a String, not #{value.class}" unless value.is_a?(String)

      text = value.encode(Encoding::UTF_8)
      invalid("#{what} #{value.inspect} contains a NUL character") if text.include?("\0")
      text
    end

    # A process id that fits pid_t; 0 (the caller) only where +allow_self+.
    def pid(value, allow_self: false)
      raise TypeError, "pid must be an Integer, not #{value.class}" unless value.is_a?(Integer)

      invalid("pid #{value} is not a process id") unless value.between?(allow_self ? 0 : 1, (2**31) - 1)
      value
    end

    # An Integer that fits uint64_t.
    def integer(what, value)
      raise TypeError, "#{what} must be an Integer, not #{value.class}" unless value.is_a?(Integer)

      invalid("#{what} #{value} is out of range") unless value.between?(0, UNLIMITED)
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
