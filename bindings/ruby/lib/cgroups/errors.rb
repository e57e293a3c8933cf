# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # A failed call of the library. The message is the library's description, a complete
  # sentence that names the category, the path and the OS error. Each status has its own
  # subclass; +status+ names it (+:not_found+ …), +code+ is its number, +errno+ the OS error
  # behind the failure (0 when there was none).
  class Error < StandardError
    # The subclass of each status code.
    BY_CODE = {} # rubocop:disable Style/MutableConstant -- filled by the subclasses below

    class << self
      # The status this class stands for, as a Symbol (nil for Error itself).
      attr_reader :status

      # The status's number in the C library.
      attr_reader :code

      # The exception for a failed call's status code, message and errno.
      def for_code(code, message, errno)
        BY_CODE.fetch(code, Error).new(message, code: code, errno: errno)
      end

      private

      def stands_for(status, code)
        @status = status
        @code = code
        BY_CODE[code] = self
      end
    end

    # The status as a Symbol (+:unknown+ for a status newer than this binding).
    attr_reader :status

    # The status's number.
    attr_reader :code

    # The OS error number behind the failure, or 0.
    attr_reader :errno

    def initialize(message, code: self.class.code, errno: 0)
      super(message)
      @code = code
      @status = self.class.status || :unknown
      @errno = errno
    end
  end

  # A required argument reached the library as NULL (a bug in this binding).
  class NullArgumentError < Error
    stands_for :null_argument, 1
  end

  # A malformed or out-of-range argument: a name, percentage, size, unit, pid, controller.
  class InvalidArgumentError < Error
    stands_for :invalid_argument, 2
  end

  # No cgroup filesystem at the base.
  class NotMountedError < Error
    stands_for :not_mounted, 3
  end

  # The host, or the group, lacks a requested controller.
  class ControllerUnavailableError < Error
    stands_for :controller_unavailable, 4
  end

  # The kernel refused for lack of privilege; the message says what to do instead.
  class PermissionError < Error
    stands_for :permission, 5
  end

  # The process does not exist.
  class NoSuchProcessError < Error
    stands_for :no_such_process, 6
  end

  # The user has no passwd entry.
  class NoSuchUserError < Error
    stands_for :no_such_user, 7
  end

  # The group does not exist (any more).
  class NotFoundError < Error
    stands_for :not_found, 8
  end

  # Child groups, a memory limit below usage (v1), or processes where v2 forbids them.
  class BusyError < Error
    stands_for :busy, 9
  end

  # The running kernel lacks the interface.
  class UnsupportedError < Error
    stands_for :unsupported, 10
  end

  # Another operating-system error; see +errno+.
  class OSError < Error
    stands_for :os, 11
  end

  # A bug in the library (a caught panic); please report it.
  class InternalError < Error
    stands_for :internal, 12
  end

  # A bounded wait ended first: the group did not freeze, thaw or empty in time.
  class TimedOutError < Error
    stands_for :timed_out, 13
  end

  # A call on a Group, Context, StatsReader or Watch after +close+.
  class ClosedError < StandardError; end
end
