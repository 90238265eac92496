# ---- accelerator top: Verilator harness, program-level co-simulation,
# RTL backend of `mpe run`, benchmark. Included by the top-level Makefile.
#   make rtl-sim                  build $(BUILD)/sim/accel/mpe-rtl (the RTL backend)
#   make cosim-accel              quick program-level co-simulation (part of make test)
#   make cosim-accel-long N=2000 SEED=7 SHARD=0/4   longer, shardable run
#   make bench-rtl                512^3 GEMM per mode: utilization, C-model and RTL speed
#   make rtl-lint-top             verilator --lint-only -Wall of the top (+ Yosys check)
# ACCEL_ARCH=CONFIG builds the model for another architecture file.

ACCEL_ARCH ?= arch/default.cfg
ACCEL_BUILD := $(BUILD)/sim/accel
ACCEL_BIN := $(ACCEL_BUILD)/mpe-rtl
ACCEL_OBJ := $(ACCEL_BUILD)/obj
ACCEL_CPP := sim/accel_main.cpp sim/accel_rtl.cpp sim/accel_cosim.cpp sim/accel_run.cpp
ACCEL_RTL := $(filter-out rtl/mpe_pe_mac.v,$(sort $(wildcard rtl/*.v))) rtl/mpe_pe_mac.v
# key value lines of the architecture file -> -GKEY=value and -DRTL_KEY=value
ACCEL_KV := $(shell awk '!/^[ \t]*\#/ && NF >= 2 {print toupper($$1) "=" $$2}' $(ACCEL_ARCH))
ACCEL_G := $(addprefix -G,$(ACCEL_KV))
ACCEL_D := $(addprefix -DRTL_,$(ACCEL_KV))
ACCEL_CXXFLAGS := -std=c++17 -O2 -Wall -Wextra -Werror $(addprefix -I$(abspath .)/,$(MPE_INCLUDES:-I%=%)) \
	-I$(abspath sim) $(ACCEL_D)
N_ACCEL ?= 300
# the simulator's C side: the server half of the RTL backend's protocol
# (sim/rtl_serve.c, compiled as C), the program generator, the runtime, libmpe
ACCEL_LIBS := $(BUILD)/obj/sim/rtl_serve.o $(LIBGEN) $(LIBRT) $(LIBMPE)
$(BUILD)/obj/sim/rtl_serve.o: CPPFLAGS += -Iruntime

.PHONY: rtl-sim cosim-accel cosim-accel-long bench-rtl rtl-lint-top

$(ACCEL_BIN): $(ACCEL_RTL) rtl/mpe_defs.vh rtl/mpe_isa.vh rtl/mpe_arch.vh rtl/mpe_acc_pkg.vh \
		$(ACCEL_CPP) sim/accel_rtl.h $(ACCEL_ARCH) $(ACCEL_LIBS)
	@mkdir -p $(ACCEL_BUILD)
	@rm -f $@  # Verilator's own make does not see libmpe.a change: force the link
	$(VERILATOR) --cc --exe --build $(VL_FLAGS) --trace-fst --top-module mpe_top $(ACCEL_G) \
		$(ACCEL_RTL) $(abspath $(ACCEL_CPP)) -CFLAGS "$(ACCEL_CXXFLAGS)" \
		-LDFLAGS "$(abspath $(ACCEL_LIBS)) -lz -lm" --Mdir $(ACCEL_OBJ) -o $(abspath $@)

rtl-sim: $(ACCEL_BIN)

# Quick run: random programs of every style, GEMMs in every mode, mutants,
# the examples (tests/suites/cosim_accel.sh runs the same).
cosim-accel: $(ACCEL_BIN)
	$(ACCEL_BIN) cosim --seed $(SEED) --n $(N_ACCEL) --gemm 40 --mutants 100 \
		--fst-dir $(ACCEL_BUILD) $(addprefix --asm ,$(wildcard examples/asm/*.s))

# Long run: make cosim-accel-long N=5000 SEED=7 SHARD=3/8
cosim-accel-long: $(ACCEL_BIN)
	$(ACCEL_BIN) cosim --seed $(SEED) --n $(N) --gemm $$(( $(N) / 5 )) --mutants $$(( $(N) / 2 )) \
		--shard $(SHARD) --fst-dir $(ACCEL_BUILD)

# The 512x512x512 GEMM of every mode of `mpe bench-accel` (double-buffered
# token schedule): cycles, PE-array utilization and C-model speed of every
# mode (outputs checked), then the RTL's speed (simulated cycles/s) on one
# mode per PE datapath, in the same run as the C model on the same binary
# (the two cycle counts must be equal). BENCH_RTL_MODES selects the modes.
BENCH_RTL_MODES ?= mac_int8 lut_w2a8 shiftadd_int4_g32 bfp_mxfp8 bitserial_a4w4
bench-rtl: $(ACCEL_BIN) $(MPE)
	@echo "machine: $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	@$(MPE) bench-accel --mode all --check
	@mkdir -p $(ACCEL_BUILD)/bench
	@for m in $(BENCH_RTL_MODES); do \
		$(MPE) bench-accel --mode $$m -o $(ACCEL_BUILD)/bench/$$m.mpeb > /dev/null || exit 1; \
		$(ACCEL_BIN) run --cmodel $(ACCEL_BUILD)/bench/$$m.mpeb > $(ACCEL_BUILD)/bench/$$m.txt || exit 1; \
		cat $(ACCEL_BUILD)/bench/$$m.txt; \
		[ $$(awk '{ print $$3 }' $(ACCEL_BUILD)/bench/$$m.txt | sort -u | wc -l) = 1 ] || \
			{ echo "bench-rtl: $$m: RTL and C-model cycle counts differ"; exit 1; }; \
	done

rtl-lint-top:
	$(VERILATOR) --lint-only -Wall -Irtl $(sort $(wildcard rtl/*.v)) --top-module mpe_top

# the output stage alone against cmodel/pe/outstage.c
ACCEL_OS_RTL := rtl/mpe_outstage.v rtl/mpe_rq_round.v rtl/mpe_fp32_mul.v rtl/mpe_fp32_round.v \
	rtl/mpe_fp32_add.v
$(ACCEL_BUILD)/tb_outstage: $(ACCEL_OS_RTL) rtl/mpe_isa.vh sim/accel_tb_outstage.cpp $(LIBMPE)
	@mkdir -p $(ACCEL_BUILD)
	@rm -f $@
	$(VERILATOR) --cc --exe --build $(VL_FLAGS) --top-module mpe_outstage $(ACCEL_OS_RTL) \
		$(abspath sim/accel_tb_outstage.cpp) -CFLAGS "$(ACCEL_CXXFLAGS)" \
		-LDFLAGS "$(abspath $(LIBMPE))" --Mdir $(ACCEL_BUILD)/obj_outstage -o $(abspath $@)
