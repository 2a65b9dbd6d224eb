# The two commands a user needs: `make run` and `make test`. Everything else is a step of those.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
PORT       ?= 8080
ARGS       ?=

# ccache: paths relative to the checkout, so that a fresh clone elsewhere (CI) reuses what an
# earlier build of the same sources compiled.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps test-deps build run deb test test-steps test-build test-native test-asan node-deps fuzz fuzz-build fuzz-long test-under-load clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test

# make run's build configures no test: it needs no test tool (GoogleTest, nats-server, Node).
# `make test` turns the tests on in the same folder; a later `make run` builds wscam alone again.
$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target wscam

# Build, then serve the embedded default camera (the test pattern) on port $(PORT).
run: build
	$(BUILD)/wscam --port $(PORT) $(ARGS)

# A Debian package (CPack): the binary, the systemd unit, the example config as a conffile, docs.
deb: build
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/wscam_*.deb

# The Node peers (ws, playwright-core), installed again whenever the lock file changes.
node-deps: tests/node/node_modules/.package-lock.json
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error

# The fuzzers for a few seconds each; unit, integration and peer tests under ASan+UBSan; then every
# test (C++, Node peers, Chromium) on the normal build. Each step prints its time, and the end the total.
test:
	@start=$$(date +%s); $(MAKE) --no-print-directory test-steps; rc=$$?; \
	echo "make test: $$([ $$rc = 0 ] && echo passed || echo FAILED) in $$(( $$(date +%s) - start )) s"; exit $$rc

test-steps: test-deps node-deps fuzz test-asan test-native

# Timing-sensitive suites run alone (ctest RUN_SERIAL); the rest $(JOBS) at a time.
test-asan: test-deps
	@start=$$(date +%s); \
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWSCAM_TESTS=ON -DWSCAM_SANITIZE=ON -DWSCAM_BROWSER_TESTS=OFF >/dev/null && \
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target wscam_tests wscam && \
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS); \
	rc=$$?; echo "test-asan: $$(( $$(date +%s) - start )) s"; exit $$rc

# The normal build with its tests (test-native and test-under-load).
test-build: test-deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSCAM_TESTS=ON >/dev/null && \
	cmake --build $(BUILD) -j $(JOBS)

test-native:
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-build && \
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS); \
	rc=$$?; echo "test-native: $$(( $$(date +%s) - start )) s"; exit $$rc

# Not part of `make test`: the normal build's suite while stress-ng keeps LOAD_CPUS cores busy, to
# find the tests that fail on a busy machine (a timing check must compare with what the same run
# produced, never with a speed it assumes).
LOAD_CPUS ?= 1
test-under-load:
	@scripts/install-deps.sh load
	@$(MAKE) --no-print-directory test-build && \
	{ stress-ng --cpu $(LOAD_CPUS) --quiet & load=$$!; \
	  cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS); rc=$$?; kill $$load; exit $$rc; }

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# libFuzzer targets (needs clang): `make fuzz` runs each for FUZZ_SECONDS, JOBS at a time.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 5
FUZZ_TARGETS ?= parsers mjpeg_splitter multipart viewer_text publisher_text camera_status connection_front config_file announce cluster_node h264 segment_repair motion rtsp
# Not part of `make test`: every target for FUZZ_LONG_RUNS executions (docs/SECURITY.md has the last counts).
FUZZ_LONG_RUNS ?= 10000000

fuzz-build:
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWSCAM_FUZZ=ON >/dev/null && \
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))

# One recipe for both: `make fuzz` runs each target for FUZZ_SECONDS, JOBS at a time; `make
# fuzz-long` for FUZZ_LONG_RUNS executions, one at a time (each needs a core for an hour or so).
fuzz: FUZZ_LIMIT = -max_total_time=$(FUZZ_SECONDS)
fuzz: FUZZ_JOBS = $(JOBS)
fuzz-long: FUZZ_LIMIT = -runs=$(FUZZ_LONG_RUNS)
fuzz-long: FUZZ_JOBS = 1
fuzz fuzz-long:
	@command -v clang++ >/dev/null || { echo "$@: clang++ not installed, skipping"; exit 0; }; \
	start=$$(date +%s); $(MAKE) --no-print-directory fuzz-build && \
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_LIMIT) $(FUZZ_JOBS) $(FUZZ_TARGETS); \
	rc=$$?; echo "$@: $$(( $$(date +%s) - start )) s"; exit $$rc
