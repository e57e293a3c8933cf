# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require_relative "lib/cgroups/version"

Gem::Specification.new do |spec|
  spec.name = "libcgroups-rs"
  spec.version = Cgroups::VERSION
  spec.summary = "Linux cgroups (v2, v1, hybrid) for Ruby, over the libcgroups-rs C library"
  spec.description = "Create groups, put processes in them, set CPU shares and memory limits, " \
                     "and clean up, through the ffi gem and libcgroups.so.0."
  spec.authors = ["libcgroups-rs developers"]
  spec.licenses = ["MIT", "Apache-2.0"]
  spec.homepage = "https://crates.io/crates/libcgroups-rs"
  spec.files = Dir["lib/**/*.rb", "README.md"]
  spec.require_paths = ["lib"]
  spec.required_ruby_version = ">= 3.0"
  spec.add_dependency "ffi", ">= 1.15"
  spec.metadata["rubygems_mfa_required"] = "true"
end
