# libFuzzer harnesses (tests/fuzz/README.md), included from the Makefile.
#   make fuzz FUZZ_S=60     build the harnesses, run each for 60 s, fail on a crash
#   make fuzz-build         only build them (build/fuzz/lf/bin/fuzz_*)
#   make fuzz-replay        run every regression input of tests/fuzz/regress/
# Everything goes to $(FUZZ_BUILD) (build/fuzz/), whatever BUILD is: the C
# library sources are compiled again with clang, -fsanitize=fuzzer-no-link,
# address and undefined, into $(FUZZ_BUILD)/lf/. The seed corpora are made by
# an ordinary build of the mpe tool in $(FUZZ_BUILD) (bin/mpe, bin/mpe-gen-onnx).

FUZZ_BUILD ?= build/fuzz
FUZZ_S ?= 60
FUZZ_CC ?= clang
FUZZ_LF := $(FUZZ_BUILD)/lf
FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS := $(MPE_INCLUDES) -Icompiler -I$(FUZZ_LF)/gen -MMD -MP
FUZZ_CFLAGS := -std=c11 -O1 -g $(WARN) -D_POSIX_C_SOURCE=200809L \
	-fsanitize=fuzzer-no-link $(FUZZ_SANFLAGS)
FUZZ_HARNESSES := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_LF)/bin/fuzz_%)
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_LF)/obj/%.o,$(LIBMPE_SRC) $(LIBCOMP_SRC) $(LIBRT_SRC))
FUZZ_GEN_C := $(FUZZ_LF)/gen/onnx.pb-c.c
FUZZ_GEN_OBJ := $(FUZZ_LF)/obj/gen/onnx.pb-c.o
FUZZ_COMMON_OBJ := $(FUZZ_LF)/obj/tests/fuzz/common.o

.PHONY: fuzz fuzz-build fuzz-tools fuzz-replay
fuzz: fuzz-build fuzz-tools
	@tests/fuzz/run.sh --build $(FUZZ_BUILD) --tools $(FUZZ_BUILD) --seconds $(FUZZ_S)

fuzz-replay: fuzz-build
	@tests/fuzz/run.sh --build $(FUZZ_BUILD) --replay-only

fuzz-build: $(FUZZ_BINS)

# The ordinary (gcc) mpe tool that makes the seed corpora.
fuzz-tools:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) SAN=0 \
		$(FUZZ_BUILD)/bin/mpe $(FUZZ_BUILD)/bin/mpe-gen-onnx

$(FUZZ_GEN_C) $(FUZZ_LF)/gen/onnx.pb-c.h &: $(ONNX_PROTO_DIR)/onnx.proto
	@mkdir -p $(FUZZ_LF)/gen
	protoc-c --proto_path=$(ONNX_PROTO_DIR) --c_out=$(FUZZ_LF)/gen onnx.proto

$(FUZZ_LIB_OBJ) $(FUZZ_COMMON_OBJ) $(FUZZ_BINS:$(FUZZ_LF)/bin/%=$(FUZZ_LF)/obj/tests/fuzz/%.o): \
		$(FUZZ_LF)/obj/%.o: %.c | $(FUZZ_LF)/gen/onnx.pb-c.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

# Generated code is not ours to lint (as in the Makefile).
$(FUZZ_GEN_OBJ): $(FUZZ_GEN_C)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -O1 -g -w -fsanitize=fuzzer-no-link $(FUZZ_SANFLAGS) \
		-I$(FUZZ_LF)/gen -c $< -o $@

$(FUZZ_LF)/lib/libfuzzmpe.a: $(FUZZ_LIB_OBJ) $(FUZZ_GEN_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_LF)/bin/fuzz_%: $(FUZZ_LF)/obj/tests/fuzz/fuzz_%.o $(FUZZ_COMMON_OBJ) \
		$(FUZZ_LF)/lib/libfuzzmpe.a
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SANFLAGS) $^ -lprotobuf-c -lz -lm -o $@

-include $(wildcard $(FUZZ_LF)/obj/*/*.d $(FUZZ_LF)/obj/*/*/*.d)
