# The two entry points of the README:
#   make demo   set-up, build, then train a standard and an adversarial model
#               on the built-in shapes data and print their metrics side by side
#   make test   set-up, build, then every test through ctest
# and the reliability checks CI runs after them (docs/reliability.md):
#   make test-sanitize  every test again, built with AddressSanitizer and UBSan
#   make fuzz           replay each parser's fuzz corpus, then fuzz it FUZZ_SECONDS
#   make format-check   every C++ file as clang-format (.clang-format) writes it
# and the performance figures (docs/performance.md):
#   make bench  set-up (+ python3-torch), build, then `advseg bench --twin $(BENCH_ARGS)`
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 20
BENCH_ARGS ?=

.PHONY: setup setup-checks build demo test test-sanitize fuzz format-check clean
.PHONY: setup-bench bench

setup:
	bash scripts/setup.sh

setup-checks:
	bash scripts/setup.sh --checks

build: setup
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash scripts/demo.sh $(BUILD)/advseg

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-sanitize: setup
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DADVSEG_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir $(SANITIZE_BUILD) --output-on-failure -j $(JOBS)

fuzz: setup-checks
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

format-check: setup
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

setup-bench:
	bash scripts/setup.sh --bench

# Never part of `make test`: timings belong on a quiet machine.
bench: build setup-bench
	$(BUILD)/advseg bench --twin $(BENCH_ARGS)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) build-fuzz
