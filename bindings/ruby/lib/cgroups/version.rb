# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

module Cgroups
  # The version of this binding.
  VERSION = "0.1.0"
end
