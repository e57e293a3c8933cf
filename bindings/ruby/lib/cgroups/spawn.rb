# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # Starting programs inside a group (Group#spawn).
  module Spawn
    module_function

    # The pid of +command+ started in the group whose handle is +group_handle+; see Group#spawn.
    def start(group_handle, command)
      env = command.first.is_a?(Hash) ? command.shift : nil
      argv = arguments(command)
      Native.read(:cgroups_spawn, :pid_t, group_handle, Arguments.string("program", argv.first),
                  Arguments.string_array("argument", argv), environment(env))
    end

    # The program and its arguments, as Strings.
    def arguments(command)
      if command.last.is_a?(Hash)
        raise ArgumentError, "Group#spawn takes no options (#{command.last.keys.join(", ")}): the library starts " \
                             "the program with the caller's descriptors and directory"
      end
      Arguments.invalid("no program given") if command.empty?
      command.map { |argument| argument.respond_to?(:to_path) ? argument.to_path : argument }
    end

    # The envp of an env Hash, as Process.spawn reads it: the caller's environment with the
    # Hash's variables set (nil unsets one); nil without a Hash (NULL: inherited).
    def environment(env)
      return nil if env.nil?

      env.each_key do |name|
        Arguments.invalid("environment variable name #{name.inspect} is empty or contains '='") if
          !name.is_a?(String) || name.empty? || name.include?("=")
      end
      merged = ENV.to_h.merge(env).compact
      Arguments.string_array("environment entry", merged.map { |name, value| "#{name}=#{value}" })
    end
  end
end
