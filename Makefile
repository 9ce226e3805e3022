# SPDX-License-Identifier: LGPL-2.1-or-later
# cpusel: thin wrapper over meson + ninja.
#   make          build build/cpusel, build/cpusel-bench and the library
#   make run      install missing build dependencies (as root), build, decode this host
#   make check    same setup, then the whole test suite (plain and ASan+UBSan builds,
#                 and with clang, when installed, a clang ASan+UBSan build and the
#                 ThreadSanitizer test)
#   make fuzz     every parser's libFuzzer target for FUZZ_SECONDS (60) each; installs
#                 clang if missing (as root); fails on any finding
#   make tsan     the thread test under ThreadSanitizer (installs clang if missing)
#   make fuzz-coverage   line coverage of each parser by its fuzz corpus
#   make install  build and install under PREFIX (default /usr/local), staged
#                 under DESTDIR when given: make install PREFIX=/usr DESTDIR=/tmp/x

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= cpuid-r cpudata-xml cpu-map cpu-def cpu-stream qmp
MESON      ?= meson
NINJA      ?= ninja
PREFIX     ?= /usr/local
DESTDIR    ?=

BUILD_DEPS = meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libxml2-dev \
             libjson-glib-dev python3
# libvirt0 brings libvirt 9.0's cpu_map (conformance reference) and the
# library the test oracle runs; valgrind checks for leaks.
TEST_DEPS  = libvirt0 libxml2-dev valgrind

.PHONY: all run check install deps test-deps clean fuzz fuzz-coverage tsan

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)
	@ln -sf src/cli/cpusel $(BUILD)/cpusel
	@if [ -e $(BUILD)/bench/cpusel-bench ]; then ln -sf bench/cpusel-bench $(BUILD)/cpusel-bench; fi

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized -Dwerror=true

$(ASAN_BUILD)/build.ninja:
	$(MESON) setup $(ASAN_BUILD) --buildtype=debug -Dwerror=true \
		-Db_sanitize=address,undefined -Db_lundef=false

# Installs what is missing (only as root; otherwise says what to install).
deps:
	@sh tools/install-deps.sh $(BUILD_DEPS)

test-deps:
	@sh tools/install-deps.sh $(BUILD_DEPS) $(TEST_DEPS)

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/cpusel host

check: test-deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(ASAN_BUILD)/build.ninja
	$(NINJA) -C $(ASAN_BUILD)
	@clang_builds=$$(sh tools/clang-builds.sh check $(FUZZ_BUILD) $(TSAN_BUILD)) || exit 1; \
	 sh tools/run-tests.sh $(BUILD) $(ASAN_BUILD) $$clang_builds

fuzz: deps
	@sh tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-coverage: deps
	@sh tools/clang-builds.sh ensure
	@sh tools/fuzz-coverage.sh

tsan: deps
	@sh tools/clang-builds.sh ensure
	@sh tools/clang-builds.sh tsan $(TSAN_BUILD)
	@sh tools/run-tests.sh $(TSAN_BUILD)@threads

# The build directory is set up (or reconfigured) for PREFIX, then meson
# installs: PREFIX/bin/cpusel, the library (libcpusel.so.0) in meson's libdir
# (lib/<multiarch> on Debian), the headers in PREFIX/include/libcpusel,
# libcpusel.pc, the man page cpusel(1) and the bash completion.
install:
	@if [ -f $(BUILD)/build.ninja ]; then \
		$(MESON) configure $(BUILD) --prefix=$(PREFIX); \
	else \
		$(MESON) setup $(BUILD) --buildtype=debugoptimized -Dwerror=true --prefix=$(PREFIX); \
	fi
	$(MESON) install -C $(BUILD) $(if $(DESTDIR),--destdir "$(abspath $(DESTDIR))")

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(TSAN_BUILD) build-cov
