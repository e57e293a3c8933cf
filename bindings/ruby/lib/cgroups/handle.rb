# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # What every object that owns one of the library's handles shares: +close+ frees it, and the
  # garbage collector frees a handle nobody closed (FFI::AutoPointer).
  module Handle
    # Returns +object+; with a block, yields it and closes it afterwards (also when the block
    # raises), returning the block's value.
    def self.block_form(object)
      return object unless block_given?

      begin
        yield object
      ensure
        object.close
      end
    end

    # Frees the handle. Calling it again does nothing.
    def close
      @handle&.free
      @handle = nil
    end

    # Whether +close+ was called.
    def closed?
      @handle.nil?
    end

    def inspect
      "#<#{self.class}#{closed? ? " (closed)" : ""}>"
    end

    private

    def own(pointer, free)
      @handle = FFI::AutoPointer.new(pointer, free)
    end

    def handle
      @handle or raise ClosedError, "operation on a closed #{inspect}"
    end
  end
end
