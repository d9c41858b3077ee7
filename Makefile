# The two entry points of the README:
#   make demo   set-up, build the advseg command alone, then train source-only and adapted models
#               on the shapes domain pair (configs/shapes_adaptation.yaml) and print their metrics
#               side by side
#   make test   set-up, build, then every test through ctest
# and the reliability checks CI runs after them (docs/reliability.md):
#   make test-sanitize  the tests of the torch-free code (parsers, I/O, config,
#                       metrics, reports) again, built with AddressSanitizer and
#                       UBSan and without LibTorch's precompiled header
#   make fuzz           replay each parser's fuzz corpus, then fuzz it FUZZ_SECONDS
#   make format-check   every C++ file as clang-format (.clang-format) writes it
#   make check-layers   every #include follows the folder layers (README, Layout)
# and, not in CI (half an hour on 2 cores):
#   make check-includes every file compiles without the precompiled header,
#                       i.e. includes what it uses
# and the performance figures (docs/performance.md):
#   make bench  set-up (+ segmentation-models-pytorch), build, then
#               `advseg bench --twin $(BENCH_ARGS)`
# Each target installs only what it needs (scripts/setup.sh: a dpkg look-up,
# apt-get only for what is missing; PyTorch from PyPI into .venv once).
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
INCLUDES_BUILD ?= build-includes
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 20
BENCH_ARGS ?=

# ccache, once scripts/setup.sh has installed it: rebuilds, and CI on a machine
# that built before, compile only what changed. BASEDIR makes cache hits
# independent of the checkout's folder; the sloppiness lets sources that use
# the precompiled header be cached too. (Evaluated when a recipe runs, i.e.
# after set-up.)
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
# LibTorch 2.x objects are large: two builds (test, sanitize) outgrow ccache's 5 GB default.
export CCACHE_MAXSIZE ?= 20G
LAUNCHER = $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: setup setup-checks setup-format configure build demo test test-sanitize fuzz format-check
.PHONY: check-layers check-includes bench clean

setup:
	bash scripts/setup.sh

setup-checks:
	bash scripts/setup.sh --checks

setup-format:
	bash scripts/setup.sh --format

configure: setup
	cmake -S . -B $(BUILD) -G Ninja $(LAUNCHER) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The demo needs the command alone, not the test suite's targets.
demo: configure
	cmake --build $(BUILD) -j $(JOBS) --target advseg_cli
	bash scripts/demo.sh $(BUILD)/advseg

# `cd` rather than `ctest --test-dir`, which needs CMake 3.20 (we require 3.18).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The torch-free code (parsers, readers, config, metrics, reports) and its
# tests: LibTorch's compile time makes a sanitized build of the rest too slow
# for CI (docs/reliability.md).
test-sanitize: setup-checks
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DADVSEG_SANITIZE=ON -DADVSEG_WITH_TORCH=OFF $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

fuzz: setup-checks
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

format-check: setup-format
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

check-layers:
	bash scripts/check_layers.sh

check-includes: setup
	cmake -S . -B $(INCLUDES_BUILD) -G Ninja -DADVSEG_PCH=OFF -DADVSEG_UNITY=OFF -DADVSEG_WERROR=ON $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build $(INCLUDES_BUILD) -j $(JOBS)

# Never part of `make test`: timings belong on a quiet machine.
bench: build
	bash scripts/setup.sh --bench
	$(BUILD)/advseg bench --twin $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(INCLUDES_BUILD) build-fuzz
