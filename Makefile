# SPDX-License-Identifier: MIT OR Apache-2.0
# libcgroups-rs: build, install, example and tests.
# GNU conventions: make install PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu DESTDIR=/tmp/pkg

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
CARGO      ?= cargo
CC         ?= cc
CFLAGS     ?= -O2 -g
NM         ?= nm
OBJCOPY    ?= objcopy
SCDOC      ?= scdoc
WARNINGS   := -Wall -Wextra -Wpedantic -Werror -std=c11
# Cargo features of the build: systemd's transient scopes over D-Bus (needs libdbus-1-dev).
FEATURES   ?= systemd

# Cargo's profile and output directory, as distribution build macros set them: PROFILE (release,
# dev, or one of Cargo.toml's), CARGO_TARGET_DIR and CARGO_BUILD_TARGET.
PROFILE    ?= release
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
OUT        := $(TARGET_DIR)/$(if $(CARGO_BUILD_TARGET),$(CARGO_BUILD_TARGET)/)$(if $(filter dev test,$(PROFILE)),debug,$(PROFILE))
# The same library with debug information, which libabigail reads the ABI from.
ABI_LIB    := $(TARGET_DIR)/$(if $(CARGO_BUILD_TARGET),$(CARGO_BUILD_TARGET)/)abi/libcgroups.so

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
MAJOR   := $(firstword $(subst ., ,$(VERSION)))
ABI_BASELINE := abi/libcgroups.so.$(MAJOR).abi
STAGE   := $(CURDIR)/build/stage
STAGE_PC := PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig
C_TESTS := build/c/test_api build/c/test_api_static build/c/quickstart build/c/header_cpp \
           build/c/test_controls build/c/sandbox build/c/test_monitoring build/c/monitor \
           build/c/test_spawn
# Helpers of tests/hardening.rs.
C_TESTS += build/c/test_attach_nomalloc build/c/test_attach_dlopen build/c/libmalloc_guard.so \
  build/c/zombie_leader build/c/fault_cycle
MAN_PAGES := $(patsubst man/%.scd,build/man/%,$(wildcard man/*.scd))

# What each command needs (COMMAND or COMMAND:DEBIAN-PACKAGE): build-aux/require installs what
# is missing when run as root on Debian, and otherwise stops with the command that would.
# A need written :PACKAGE is a Debian package without a command of its own (a library).
NEEDS_BUILD := cargo cc:gcc pkg-config scdoc ld:binutils :libdbus-1-dev
NEEDS_CHECK := $(NEEDS_BUILD) rustfmt clippy c++:g++ valgrind unshare:util-linux \
	setpriv:util-linux xz:xz-utils python3 abidiff:abigail-tools groff:groff-base man:man-db \
	dpkg-buildpackage:dpkg-dev dh:debhelper lintian mmdebstrap go:golang-go ruby :ruby-ffi \
	:python3-venv :python3-pytest :python3-setuptools strace

.PHONY: all lib man header check-header check-msrv install stage example c-programs check check-vm \
	check-bindings check-abi abi-lib abi-baseline check-packaging deps-build deps-check deps-nightly deps-cargo-c \
	bench bench-vm lint clean fuzz fuzz-smoke c-programs-asan check-asan

all: lib build/native-static-libs build/lib/libcgroups.a man

# The libraries and the commands (cgroups, user_cgroups).
lib: deps-build
	$(CARGO) build --profile $(PROFILE) --features "$(FEATURES)"

deps-build:
	@build-aux/require $(NEEDS_BUILD)

deps-check:
	@build-aux/require $(NEEDS_CHECK)

# Libs.private: the system libraries the static library needs, as rustc reports them, less
# -lgcc_s: the compiler driver links the unwinder by itself (libgcc_s, or libgcc_eh with
# -static, where naming -lgcc_s fails).
build/native-static-libs: Cargo.toml Cargo.lock
	@mkdir -p build
	$(CARGO) rustc --profile $(PROFILE) --features "$(FEATURES)" --lib --crate-type staticlib -- --print native-static-libs 2>&1 \
	  | sed -n 's/.*native-static-libs: //p' | tail -n 1 | sed 's/-lgcc_s\( \|$$\)//g' > $@.tmp
	@test -s $@.tmp && mv $@.tmp $@

# The static library as installed: its objects linked into one (`ld -r`) that keeps only what
# the cgroups_* functions reach, with every other symbol made local and no debug or bitcode
# sections, so that it neither clashes with another Rust static library in the same program
# nor weighs 22 MB.
build/lib/libcgroups.a: lib
	@mkdir -p build/lib
	$(LD) -r --gc-sections -o build/lib/libcgroups.o \
	  $$($(NM) -g --defined-only $(OUT)/libcgroups.a 2>/dev/null | awk '$$3 ~ /^cgroups_/ { print "-u", $$3 }') \
	  --whole-archive $(OUT)/libcgroups.a
	$(OBJCOPY) --wildcard --keep-global-symbol='cgroups_*' --strip-debug \
	  --remove-section=.llvmbc --remove-section=.llvmcmd build/lib/libcgroups.o
	rm -f $@ && $(AR) rcs $@ build/lib/libcgroups.o

# Manual pages, from their scdoc sources.
man: $(MAN_PAGES)

build/man/%: man/%.scd | deps-build
	@mkdir -p build/man
	$(SCDOC) < $< > $@.tmp && mv $@.tmp $@

# Regenerates include/cgroups.h with cbindgen (needs the `header` feature's build dependency).
header:
	$(CARGO) build --profile $(PROFILE) --lib --features "header $(FEATURES)"
	cp "$$(ls -t $(OUT)/build/libcgroups-rs-*/out/cgroups.h | head -n 1)" include/cgroups.h

# Fails when the committed header differs from what the sources generate.
check-header:
	$(CARGO) build --profile $(PROFILE) --lib --features "header $(FEATURES)"
	diff -u include/cgroups.h "$$(ls -t $(OUT)/build/libcgroups-rs-*/out/cgroups.h | head -n 1)"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(OUT)/cgroups $(DESTDIR)$(BINDIR)/cgroups
	install -m 755 $(OUT)/user_cgroups $(DESTDIR)$(SBINDIR)/user_cgroups
	install -m 644 $(OUT)/libcgroups.so $(DESTDIR)$(LIBDIR)/libcgroups.so.$(VERSION)
	ln -sf libcgroups.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcgroups.so.$(MAJOR)
	ln -sf libcgroups.so.$(MAJOR) $(DESTDIR)$(LIBDIR)/libcgroups.so
	install -m 644 build/lib/libcgroups.a $(DESTDIR)$(LIBDIR)/libcgroups.a
	install -m 644 include/cgroups.h $(DESTDIR)$(INCLUDEDIR)/cgroups.h
	# Written here, for the prefix being installed: a file made earlier could name another.
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e "s|@LIBS_PRIVATE@|$$(cat build/native-static-libs)|" \
	    pkgconfig/cgroups.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/cgroups.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/cgroups.pc
	@for page in $(MAN_PAGES); do install -m 644 $$page $(DESTDIR)$(MANDIR)/man$${page##*.}/; done
	# Every function a page's NAME line lists gets its own name, a link to that page.
	@for page in $(filter %.3,$(MAN_PAGES)); do \
	  for name in $$(build-aux/man-names man/$${page##*/}.scd); do \
	    [ $$name.3 = $${page##*/} ] || ln -sf $${page##*/} $(DESTDIR)$(MANDIR)/man3/$$name.3; \
	  done; \
	done

# An installation inside the tree, for the example and the C tests.
stage:
	$(MAKE) --no-print-directory install PREFIX=$(STAGE) BINDIR=$(STAGE)/bin SBINDIR=$(STAGE)/sbin LIBDIR=$(STAGE)/lib \
	  INCLUDEDIR=$(STAGE)/include MANDIR=$(STAGE)/share/man DESTDIR=

# The C tests use POSIX and GNU calls, hence _GNU_SOURCE; the quick start defines what it uses
# itself, so it is built as README shows.
build/c/%: tests/c/%.c tests/c/check.h stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) -D_GNU_SOURCE $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) \
	  -Wl,-rpath,$(STAGE)/lib -lpthread -lm

build/c/test_api_static: tests/c/test_api.c tests/c/check.h stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) -D_GNU_SOURCE $< -o $@ $$($(STAGE_PC) pkg-config --cflags cgroups) \
	  $(STAGE)/lib/libcgroups.a $$($(STAGE_PC) pkg-config --static --libs-only-l cgroups | sed 's/-lcgroups//') -lm

# The same test, loading the library with dlopen() instead of linking it.
build/c/test_attach_dlopen: tests/c/test_attach_nomalloc.c stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) -DUSE_DLOPEN $< -o $@ $$($(STAGE_PC) pkg-config --cflags cgroups) \
	  -Wl,-rpath,$(STAGE)/lib -lpthread -ldl

# An LD_PRELOAD library that aborts on allocation after fork (see the file).
build/c/libmalloc_guard.so: tests/c/malloc_guard.c
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) -shared -fPIC $< -o $@

build/c/header_cpp: tests/c/header_cpp.cpp stage
	@mkdir -p build/c
	$(CXX) -Wall -Wextra -Wpedantic -Werror -std=c++17 $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) -Wl,-rpath,$(STAGE)/lib

build/c/quickstart: examples-c/quickstart.c stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) -Wl,-rpath,$(STAGE)/lib

build/c/sandbox build/c/monitor: build/c/%: examples-c/%.c stage
	@mkdir -p build/c
	$(CC) $(CFLAGS) $(WARNINGS) $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) -Wl,-rpath,$(STAGE)/lib

# Builds the C programs that `cargo test` (tests/c_programs.rs) runs under valgrind.
c-programs: $(C_TESTS)

# The C tests with AddressSanitizer and UBSan (gcc's; the library itself is not instrumented,
# but its allocations go through the sanitizer's malloc and free).
ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
build/asan/test_api: tests/c/test_api.c tests/c/check.h stage
	@mkdir -p build/asan
	$(CC) $(ASAN_CFLAGS) $(WARNINGS) -D_GNU_SOURCE $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) \
	  -Wl,-rpath,$(STAGE)/lib -lpthread -lm

build/asan/quickstart: examples-c/quickstart.c stage
	@mkdir -p build/asan
	$(CC) $(ASAN_CFLAGS) $(WARNINGS) $< -o $@ $$($(STAGE_PC) pkg-config --cflags --libs cgroups) \
	  -Wl,-rpath,$(STAGE)/lib

c-programs-asan: build/asan/test_api build/asan/quickstart

# AddressSanitizer: the C tests (gcc), then the Rust unit and kernel tests built with nightly
# -Zsanitizer=address (in target/asan; std itself is not instrumented). tests/c_programs.rs is
# left to the C run: it builds and installs with cargo, which would inherit the flags. Root.
HOST_TRIPLE := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
ASAN_RUST_TESTS := --lib $(patsubst tests/%.rs,--test %,$(filter-out tests/c_programs.rs,$(wildcard tests/*.rs)))
check-asan: deps-nightly c-programs c-programs-asan
	CGROUPS_TEST_C_ASAN=1 $(CARGO) test --release --features "$(FEATURES)" --test c_programs -- --exact \
	  c_api_tests_pass_under_valgrind the_quick_start_runs_under_valgrind
	CGROUPS_TEST_C_PREBUILT=1 RUSTFLAGS="-Zsanitizer=address" CARGO_TARGET_DIR=target/asan \
	  $(CARGO) +nightly test --release --features "$(FEATURES)" --target $(HOST_TRIPLE) $(ASAN_RUST_TESTS)

# The C quick start, on the host's default cgroup mount (root).
example: build/c/quickstart
	./build/c/quickstart

# Benchmarks against the raw-syscall floor and libcgroup (root; on demand, never in `check`).
bench:
	benches/run host

# The same inside the pure-v2 VM of tests/vm (emulated: compare ratios only).
bench-vm:
	benches/run vm

# Fuzzing (cargo-fuzz, libFuzzer, nightly): every target for FUZZ_SECONDS each, from the seeds in
# fuzz/corpus; new inputs and crashes go to build/fuzz. `fuzz-smoke` is the short run of `check` (20 s each).
FUZZ_SECONDS ?= 300
fuzz: deps-nightly
	fuzz/run $(FUZZ_SECONDS)

fuzz-smoke: deps-nightly
	fuzz/run 20

# The nightly toolchain of the fuzzers and sanitizers, and cargo-fuzz.
deps-nightly:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

# cargo-c, for the check that `cargo cinstall` installs what `make install` does. Pinned: its
# newer releases need a newer rustc than a stable toolchain of the day may be.
CARGO_C_VERSION ?= 0.10.24
deps-cargo-c:
	@cargo cinstall --version >/dev/null 2>&1 || cargo install cargo-c --version $(CARGO_C_VERSION) --locked

lint: check-msrv
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --features "$(FEATURES)" -- -D warnings
	$(CARGO) clippy --all-targets --no-default-features -- -D warnings

# The oldest Rust that builds the crate: Cargo.toml's rust-version, checked with that toolchain.
MSRV := $(shell sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
check-msrv:
	rustup toolchain list | grep -q "^$(MSRV)" || rustup toolchain install $(MSRV) --profile minimal
	$(CARGO) +$(MSRV) check --all-targets --features "$(FEATURES)"

# The layout matrix: the kernel-facing tests on this host and in VMs with pure v2, pure v1,
# hybrid and systemd as PID 1 (root).
check-vm:
	FEATURES="$(FEATURES)" tests/vm/run

# The Python, Go and Ruby bindings' suites against the staged install, on this host and (Python)
# in the pure v2 VM (root).
check-bindings: stage
	bindings/check

# The shared library with debug information (profile `abi`), for libabigail.
abi-lib:
	$(CARGO) rustc --profile abi --features "$(FEATURES)" --lib --crate-type cdylib

# Fails when the library's ABI breaks the baseline's (removed or changed functions or types)
# while the soname stays; additions pass (docs/releasing.md).
check-abi: deps-check abi-lib
	abi/check $(ABI_LIB) $(ABI_BASELINE) include/cgroups.h

# Rewrites the baseline from the current library: a release step (docs/releasing.md).
abi-baseline: abi-lib
	abi/check --update $(ABI_LIB) $(ABI_BASELINE)

# Packaging: header dialects, static linking, manual pages, the ABI check's own failure modes,
# `cargo package`, the Debian packages and lintian (tests/packaging/run).
check-packaging: deps-check deps-cargo-c stage abi-lib
	tests/packaging/run

# Every test: lint, header drift, ABI, Rust unit and kernel tests (fault injection included), C
# programs under valgrind, the AddressSanitizer runs, a fuzzing smoke, the bindings, the layout
# matrix and packaging (root).
check: deps-check lint check-header check-abi
	$(CARGO) test --profile $(PROFILE) --features "$(FEATURES)"
	$(MAKE) --no-print-directory check-asan fuzz-smoke
	$(MAKE) --no-print-directory check-bindings
	$(MAKE) --no-print-directory check-vm
	$(MAKE) --no-print-directory check-packaging

clean:
	$(CARGO) clean
	rm -rf build
