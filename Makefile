# Mixed-precision PE accelerator: C model, RTL, co-simulation, compiler, synthesis.
# `make help` lists the targets. Everything builds into $(BUILD) (build/, or
# build/san/ with SAN=1 for AddressSanitizer + UndefinedBehaviorSanitizer).

.DEFAULT_GOAL := all
SHELL := /bin/bash

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD ?= build
SANFLAGS :=
endif

CC ?= cc
CXX ?= c++
OPT ?= -O2
WARN := -Wall -Wextra -Werror
# public headers of the libraries (cmodel/README.md, runtime/, sim/progen/)
MPE_INCLUDES := -Icmodel/include -Iruntime/include -Isim/progen/include
CPPFLAGS := $(MPE_INCLUDES) -Icompiler -I$(BUILD)/gen -MMD -MP
CFLAGS := -std=c11 $(OPT) -g $(WARN) -D_POSIX_C_SOURCE=200809L $(SANFLAGS)
CXXFLAGS := -std=c++17 $(OPT) -g $(WARN) $(SANFLAGS)
LDFLAGS := $(SANFLAGS)
LDLIBS := -lprotobuf-c -lz -lm

# ---- C model library (libmpe): cmodel/<subsystem>/ and the ISA code in isa/ --
LIBMPE_SRC := $(wildcard cmodel/*/*.c isa/*.c)
LIBMPE_OBJ := $(LIBMPE_SRC:%.c=$(BUILD)/obj/%.o)
LIBMPE := $(BUILD)/lib/libmpe.a

# ---- runtime (libmperun): backends, backend lookup, run with host tensors --
LIBRT_SRC := $(wildcard runtime/*.c)
LIBRT_OBJ := $(LIBRT_SRC:%.c=$(BUILD)/obj/%.o)
LIBRT := $(BUILD)/lib/libmperun.a

# ---- random program generator (libmpegen), on the verification side --------
LIBGEN_SRC := $(wildcard sim/progen/*.c)
LIBGEN_OBJ := $(LIBGEN_SRC:%.c=$(BUILD)/obj/%.o)
LIBGEN := $(BUILD)/lib/libmpegen.a

# ---- ONNX protobuf (generated from Debian's onnx.proto at build time) -----
ONNX_PROTO_DIR := /usr/include/onnx
ONNX_GEN_C := $(BUILD)/gen/onnx.pb-c.c
ONNX_GEN_H := $(BUILD)/gen/onnx.pb-c.h
ONNX_GEN_OBJ := $(BUILD)/obj/gen/onnx.pb-c.o

# ---- compiler library (ONNX import, passes, emit) ---------------------------
LIBCOMP_SRC := $(wildcard compiler/*.c)
LIBCOMP_OBJ := $(LIBCOMP_SRC:%.c=$(BUILD)/obj/%.o) $(ONNX_GEN_OBJ)
LIBCOMP := $(BUILD)/lib/libmpecomp.a

# ---- tools ----------------------------------------------------------------
TOOL_SRC := $(wildcard tools/*.c)
TOOL_OBJ := $(TOOL_SRC:%.c=$(BUILD)/obj/%.o)
MPE := $(BUILD)/bin/mpe

# ---- tests and benchmarks ---------------------------------------------------
TEST_SRC := $(wildcard tests/*.cc)
TEST_OBJ := $(TEST_SRC:%.cc=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/bin/mpe-tests
BENCH_SRC := $(wildcard bench/*.c)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_BIN := $(BUILD)/bin/mpe-bench

.PHONY: all deps test bench demo clean help lib tools tests
all: $(MPE) $(TEST_BIN) $(if $(BENCH_SRC),$(BENCH_BIN))

help:
	@echo "Targets:"
	@echo "  make all        build the C model library, the mpe tool and the tests"
	@echo "  make test       install missing packages, build, run every test suite;"
	@echo "                  ends with one line 'N passed, N failed'"
	@echo "  make test SAN=1 the same under AddressSanitizer + UBSan (build/san/)"
	@echo "  make bench      benchmarks: C-model PE throughput per mode, co-simulation speed,"
	@echo "                  accelerator RTL/C-model speed and utilization, compile time"
	@echo "  make demo       compile and run the bundled example model"
	@echo "  make deps       install the Debian packages the project needs"
	@echo "  make clean      remove build/"
	@echo "RTL and co-simulation (sim/README.md, rtl/top.md):"
	@echo "  make rtl-lint   Verilator --lint-only -Wall of every configuration, Yosys checks"
	@echo "  make cosim      quick PE co-simulation (100k vectors, part of make test)"
	@echo "  make cosim-long N=... SEED=... [SHARD=i/n]   long PE regression, shardable"
	@echo "  make cosim-accel [cosim-accel-long N=... SEED=... SHARD=i/n]   program-level"
	@echo "  make mutate     fault injection: how many RTL mutants the quick regression catches"
	@echo "  make tlm-run PROG=x.mpeb   run a binary on the SystemC/TLM-2.0 platform"
	@echo "Synthesis (synth/README.md):"
	@echo "  make synth -j2  every design of synth/designs.txt -> synth/reports/area.*"
	@echo "  make synth-report   regenerate the reports from build/synth/"

deps:
	@scripts/install-deps.sh

lib: $(LIBMPE)
tools: $(MPE)
tests: $(TEST_BIN)

$(BUILD)/obj/%.o: %.c | $(ONNX_GEN_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cc | $(ONNX_GEN_H)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

# The fast GEMM path is the one place that asks for the vectorizer.
$(BUILD)/obj/cmodel/pe/gemm_fast.o: CFLAGS += -O3

$(ONNX_GEN_C) $(ONNX_GEN_H) &: $(ONNX_PROTO_DIR)/onnx.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=$(ONNX_PROTO_DIR) --c_out=$(BUILD)/gen onnx.proto

# Generated code is not ours to lint.
$(ONNX_GEN_OBJ): $(ONNX_GEN_C) $(ONNX_GEN_H)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(OPT) -g -w $(SANFLAGS) -I$(BUILD)/gen -c $< -o $@

$(LIBMPE): $(LIBMPE_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBCOMP): $(LIBCOMP_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBRT): $(LIBRT_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBGEN): $(LIBGEN_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(MPE): $(TOOL_OBJ) $(LIBCOMP) $(LIBRT) $(LIBGEN) $(LIBMPE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(TEST_BIN): $(TEST_OBJ) $(LIBCOMP) $(LIBRT) $(LIBGEN) $(LIBMPE)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $^ -lgtest -lgtest_main -pthread $(LDLIBS) -o $@

$(BENCH_BIN): $(BENCH_OBJ) $(LIBMPE)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

test: deps
	@$(MAKE) --no-print-directory all
	@MPE_SAN=$(SAN) scripts/run-tests.sh $(BUILD)

bench: $(BENCH_BIN) $(MPE) $(BUILD)/bin/mpe-gen-onnx
	@scripts/bench.sh $(BUILD)

# like test: packages first, then what the demo runs (demo-tools)
demo: deps
	@$(MAKE) --no-print-directory demo-tools
	@scripts/demo.sh $(BUILD)

.PHONY: demo-tools
demo-tools: $(MPE)
	@:

# ---- ONNX compiler: the model generator (tests/onnx, demo, benchmark) -------
GEN_SRC := $(wildcard onnxgen/*.c)
GEN_OBJ := $(GEN_SRC:%.c=$(BUILD)/obj/%.o)
GEN_BIN := $(BUILD)/bin/mpe-gen-onnx
all: $(GEN_BIN)
demo-tools: $(GEN_BIN)

$(GEN_BIN): $(GEN_OBJ) $(ONNX_GEN_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) $^ -lprotobuf-c -lm -o $@
# ---- end of the compiler block ----------------------------------------------

clean:
	rm -rf build

include sim/sim.mk
include sim/accel.mk
include sim/tlm.mk
include synth/synth.mk
include tests/fuzz/fuzz.mk

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d $(BUILD)/obj/*/*/*/*.d)
