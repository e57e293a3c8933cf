# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require_relative "test_helper"

# The binding's declarations of the C library's calls and structs match the installed header
# (found through pkg-config): every function of the header is declared, with its number of
# arguments, and the structs have the header's fields in its order and types.
class TestDeclarations < Minitest::Test
  C_TYPES = { "uint32_t" => :uint32, "uint64_t" => :uint64, "double" => :double }.freeze

  def header
    includedir = IO.popen(%w[pkg-config --variable=includedir cgroups], err: File::NULL, &:read).strip
    File.read(File.join(includedir, "cgroups.h")).gsub(%r{/\*.*?\*/}m, "")
  rescue SystemCallError
    skip "no pkg-config here"
  end

  def test_every_function_of_the_header_is_declared_with_its_arity
    in_header = header.scan(/\b(cgroups_\w+)\(([^)]*)\);/).to_h do |name, parameters|
      [name.to_sym, ["", "void"].include?(parameters.strip) ? 0 : parameters.count(",") + 1]
    end
    native = Cgroups::Native
    declared = native::STATUS_CALLS.merge(native::ERRNO_ONLY_CALLS).transform_values(&:size)
    native::PLAIN_CALLS.each { |name, (args, _)| declared[name] = args.size }
    assert_equal in_header.sort.to_h, declared.sort.to_h
  end

  def test_structs_have_the_headers_fields
    structs = { Cgroups::Native::Stats => "cgroups_stats", Cgroups::Native::Pressure => "cgroups_pressure" }
    structs.each do |struct, name|
      body = header[/typedef struct #{name} \{(.*?)\} #{name};/m, 1]
      fields = body.scan(/(\w+) (\w+);/).map { |kind, field| [field.to_sym, FFI.find_type(C_TYPES.fetch(kind))] }
      layout = struct.new.layout
      assert_equal fields, struct.members.map { |field| [field, layout[field].type] }, name
    end
  end
end
