# SPDX-License-Identifier: MIT OR Apache-2.0
# frozen_string_literal: true

require_relative "test_helper"

# The Ruby examples of the READMEs run as they are, on the test base.
class TestReadme < Minitest::Test
  include KernelTest

  READMES = [File.expand_path("../README.md", __dir__), File.expand_path("../../../README.md", __dir__)].freeze

  def test_the_readme_examples_run
    examples = READMES.select { |path| File.exist?(path) }
                      .flat_map { |path| File.read(path).scan(/^```ruby\n(.*?)^```/m).flatten }
    refute_empty examples
    examples.each do |example|
      Object.new.instance_eval(example.gsub(/(Cgroups::Group\.open\("[^"]*")/, '\1, base: BASE'))
      assert_empty group_dirs("job")
    end
  end
end
