// SPDX-License-Identifier: MIT OR Apache-2.0
module github.com/libcgroups-rs/cgroups-go

go 1.19
