# libcgroups-rs: build, install, example and tests.
# GNU conventions: make install PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu DESTDIR=/tmp/pkg

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR    ?=
CARGO      ?= cargo
CC         ?= cc
CFLAGS     ?= -O2 -g
WARNINGS   := -Wall -Wextra -Wpedantic -Werror -std=c11 -D_GNU_SOURCE

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
MAJOR   := $(firstword $(subst ., ,$(VERSION)))
RELEASE := target/release
STAGE   := $(CURDIR)/build/stage
STAGE_PC := PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig
C_TESTS := build/c/test_api build/c/test_api_static build/c/quickstart build/c/header_cpp build/c/test_spawn

.PHONY: all lib header check-header install stage example c-programs check check-vm bench bench-vm lint clean

all: lib build/native-static-libs

# The libraries and the user_cgroups command.
lib:
	$(CARGO) build --release

# Libs.private: the system libraries the static library needs, as rustc reports them.
build/native-static-libs: Cargo.toml Cargo.lock
	@mkdir -p build
	$(CARGO) rustc --release --lib --crate-type staticlib -- --print native-static-libs 2>&1 \
	  | sed -n 's/.*native-static-libs: //p' | tail -n 1 > $@.tmp
	@test -s $@.tmp && mv $@.tmp $@

# Regenerates include/cgroups.h with cbindgen (needs the `header` feature's build dependency).
header:
	$(CARGO) build --release --lib --features header
	cp "$$(ls -t $(RELEASE)/build/libcgroups-rs-*/out/cgroups.h | head -n 1)" include/cgroups.h

# Fails when the committed header differs from what the sources generate.
check-header:
	$(CARGO) build --release --lib --features header
	diff -u include/cgroups.h "$$(ls -t $(RELEASE)/build/libcgroups-rs-*/out/cgroups.h | head -n 1)"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(RELEASE)/user_cgroups $(DESTDIR)$(BINDIR)/user_cgroups
	install -m 755 $(RELEASE)/libcgroups.so $(DESTDIR)$(LIBDIR)/libcgroups.so.$(VERSION)
	ln -sf libcgroups.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcgroups.so.$(MAJOR)
	ln -sf libcgroups.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/libcgroups.so
	install -m 644 $(RELEASE)/libcgroups.a $(DESTDIR)$(LIBDIR)/libcgroups.a
	install -m 644 include/cgroups.h $(DESTDIR)$(INCLUDEDIR)/cgroups.h
	# Written here, for the prefix being installed: a file made earlier could name another.
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e "s|@LIBS_PRIVATE@|$$(cat build/native-static-libs)|" \
	    pkgconfig/cgroups.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/cgroups.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/cgroups.pc

# An installation inside the tree, for the example and the C tests.
stage:
	$(MAKE) --no-print-directory install PREFIX=$(STAGE) BINDIR=$(STAGE)/bin LIBDIR=$(STAGE)/lib \
	  INCLUDEDIR=$(STAGE)/include DESTDIR=

build/c/%: tests/c/%.c stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) \
	  -Wl,-rpath,$(STAGE)/lib -lpthread -lm

build/c/test_api_static: tests/c/test_api.c stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) $< -o $@ $$($(STAGE_PC) pkg-config --cflags cgroups) \
	  $(STAGE)/lib/libcgroups.a $$($(STAGE_PC) pkg-config --static --libs-only-l cgroups | sed 's/-lcgroups//') -lm

build/c/header_cpp: tests/c/header_cpp.cpp stage
	@mkdir -p build/c
	$(CXX) -Wall -Wextra -Wpedantic -Werror -std=c++17 $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) -Wl,-rpath,$(STAGE)/lib

build/c/quickstart: examples-c/quickstart.c stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) -Wl,-rpath,$(STAGE)/lib

# Builds the C programs that `cargo test` (tests/c_programs.rs) runs under valgrind.
c-programs: $(C_TESTS)

# The C quick start, on the host's default cgroup mount (root).
example: build/c/quickstart
	./build/c/quickstart

# Benchmarks against the raw-syscall floor and libcgroup (root; on demand, never in `check`).
bench:
	benches/run host

# The same inside the pure-v2 VM of tests/vm (emulated: compare ratios only).
bench-vm:
	benches/run vm

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# The layout matrix: the kernel-facing tests on this host and in pure v2 and pure v1 VMs (root).
check-vm:
	tests/vm/run

# Every test: lint, header drift, Rust unit and kernel tests, C programs under valgrind, and the
# layout matrix (root).
check: lint check-header
	$(CARGO) test --release
	$(MAKE) --no-print-directory check-vm

clean:
	$(CARGO) clean
	rm -rf build
