module github.com/libcgroups-rs/cgroups-go

go 1.19
