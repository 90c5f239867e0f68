# The README's two commands. Every target does its own set-up on a fresh machine.
# Each area owns one script under tests/ or examples/; this file only wires them together.
SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
BIN := target/release/ossbridge

.PHONY: demo test bench build test-rust test-sign

build:
	$(CARGO) build --release --locked --bin ossbridge

demo: build
	bash examples/demo.sh

test: build test-rust test-sign
	@echo "make test: all suites passed"

test-rust:
	$(CARGO) test --locked --workspace

# Differential signing test against oss2 and alibabacloud-oss-v2 (creates its own venv).
test-sign: build
	bash tests/signing/run.sh

bench: build
	bash bench/run.sh
