# The README's two commands. Every target does its own set-up on a fresh machine.
# Each area owns one script under tests/ or examples/; this file only wires them together.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
BIN := target/release/ossbridge

.PHONY: demo test bench build test-rust test-sign test-interop test-node test-python test-cse test-c

build:
	$(CARGO) build --release --locked --bin ossbridge

demo: build
	bash examples/demo.sh

test: build test-rust test-sign test-node test-python test-cse test-c test-interop
	@echo "make test: all suites passed"

test-rust: build
	$(CARGO) test --locked --workspace

# Differential signing test against oss2 and alibabacloud-oss-v2 (creates its own venv).
test-sign: build
	bash tests/signing/run.sh

# The official SDKs (oss2, alibabacloud-oss-v2, ali-oss, Go v2) against `ossbridge serve`.
test-interop: build
	bash tests/interop/run.sh

# Node addon (napi-rs): npm ci, napi build, tsc --noEmit, node:test against `ossbridge serve`.
test-node: build
	bash bindings/node/run-tests.sh

# Python binding (pyo3/maturin abi3): venv, maturin develop, pytest against `ossbridge serve`,
# mypy.stubtest and mypy --strict.
test-python: build
	bash bindings/python/run-tests.sh

# Client-side encryption interop: oss2 CryptoBucket / alibabacloud-oss-v2 EncryptionClient
# against ossbridge's EncryptionClient, both directions (creates .venv-cse).
test-cse: build
	bash tests/cse-interop/run.sh

# C ABI and C++ wrapper: header freshness, C tests (static; shared under valgrind), GoogleTest
# via CMake find_package, pkg-config, against `ossbridge serve`.
test-c: build
	bash tests/c/run.sh

bench: build
	bash bench/run.sh
