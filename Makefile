# The two entry points of the README:
#   make demo   set-up, build, then train source-only and adapted models on the shapes domain pair
#               (configs/shapes_adaptation.yaml) and print their metrics side by side
#   make test   set-up, build, then every test through ctest
# and the reliability checks CI runs after them (docs/reliability.md):
#   make test-sanitize  every test again, built with AddressSanitizer and UBSan
#                       (but the `heavy` ones: the whole model zoo in training,
#                       minutes of LibTorch's own compute that ASan slows down)
#   make fuzz           replay each parser's fuzz corpus, then fuzz it FUZZ_SECONDS
#   make format-check   every C++ file as clang-format (.clang-format) writes it
#   make check-layers   every #include follows the folder layers (README, Layout)
# and the performance figures (docs/performance.md):
#   make bench  set-up (+ python3-torch), build, then `advseg bench --twin $(BENCH_ARGS)`
# Each target installs only what it needs (scripts/setup.sh: a dpkg look-up,
# apt-get only for what is missing).
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
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
LAUNCHER = $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: setup setup-checks setup-format setup-bench build demo test test-sanitize fuzz format-check
.PHONY: check-layers bench clean

setup:
	bash scripts/setup.sh

setup-checks:
	bash scripts/setup.sh --checks

setup-format:
	bash scripts/setup.sh --format

setup-bench:
	bash scripts/setup.sh --bench

build: setup
	cmake -S . -B $(BUILD) -G Ninja $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)/advseg

# `cd` rather than `ctest --test-dir`, which needs CMake 3.20 (we require 3.18).
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-sanitize: setup
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DADVSEG_SANITIZE=ON $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS) -LE heavy

fuzz: setup-checks
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

format-check: setup-format
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

check-layers:
	bash scripts/check_layers.sh

# Never part of `make test`: timings belong on a quiet machine.
bench: build setup-bench
	$(BUILD)/advseg bench --twin $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) build-fuzz
