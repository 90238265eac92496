# RTL checks, Verilator/SystemC co-simulation of the PE against the C model.
# Included by the top-level Makefile; everything builds under $(BUILD)/sim/.
# sim/README.md documents the targets.

# The co-simulated configuration: moderate, so the quick run stays fast.
COSIM_LANES ?= 16
COSIM_COLS ?= 4
# LUT weight planes per cycle of the co-simulated PE (rtl/mpe_pe.v LUT_PPC)
COSIM_LUT_PPC ?= 1

SIM_BUILD := $(BUILD)/sim
VERILATOR ?= verilator
# sim/mutate.sh points RTL_DIR at a mutated copy (and SIM_BUILD elsewhere)
RTL_DIR ?= rtl
# the PE's files (rtl/ also holds the accelerator around it)
PE_RTL_FILES := $(shell cat rtl/mpe_pe.f)
RTL_SRC := $(addprefix $(RTL_DIR)/,$(PE_RTL_FILES))
RTL_DEFS := rtl/mpe_defs.vh
SIM_CXXFLAGS := -std=c++17 -O2 -Wall -Wextra -Werror $(addprefix -I$(abspath .)/,$(MPE_INCLUDES:-I%=%)) \
	-I$(abspath sim) -DCOSIM_LANES=$(COSIM_LANES) -DCOSIM_COLS=$(COSIM_COLS) \
	-DCOSIM_LUT_PPC=$(COSIM_LUT_PPC)
# Generated Verilator code is not ours to lint: only -O2 there.
# C++ optimisation of the model: -O1 builds twice as fast as -O2 and runs
# nearly as fast; the once-run initialisation code is not optimised.
VL_OPT ?= OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1
VL_FLAGS = -O2 -Wno-fatal -Wno-lint -Wno-style -I$(RTL_DIR) -j 2 --x-assign 0 --x-initial 0 \
	-MAKEFLAGS "$(VL_OPT)"
# FST tracing of failing cases (sim/mutate.sh builds without)
COSIM_TRACE ?= --trace-fst

# the C model the harnesses link (sim/mutate.sh may pin a snapshot)
COSIM_LIB ?= $(LIBMPE)
SEED ?= 1
N ?= 1000000
SHARD ?= 0/1

GEN_RTL_DEFS := $(SIM_BUILD)/gen-rtl-defs
COSIM_BIN := $(SIM_BUILD)/cosim_pe
COSIM_OBJ := $(SIM_BUILD)/obj_cosim
COSIM_SRC := sim/cosim_pe.cpp sim/stim.cpp
FPACC_BIN := $(SIM_BUILD)/tb_fpacc
SC_BIN := $(SIM_BUILD)/sc_pe
SC_SRC := sim/sc_tb.cpp sim/stim.cpp
SYSTEMC_HOME ?= /usr

.PHONY: cosim cosim-long cosim-build cosim-sc rtl-defs rtl-lint mutate bench-cosim

# ---- constants shared with the C model (one source of truth)
$(GEN_RTL_DEFS): scripts/gen_rtl_defs.c cmodel/include/mpe/pe.h cmodel/include/mpe/dtype.h \
		cmodel/include/mpe/format.h cmodel/include/mpe/formats.def
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 $(WARN) -Icmodel/include $< -o $@

rtl-defs: $(GEN_RTL_DEFS)
	$(GEN_RTL_DEFS) $(RTL_DEFS)

rtl-lint: $(GEN_RTL_DEFS)
	sim/rtl_check.sh

# ---- Verilator C++ lockstep co-simulation (lib from the top Makefile)
$(COSIM_BIN): $(RTL_SRC) $(RTL_DEFS) $(COSIM_SRC) sim/stim.h sim/cosim.vlt $(COSIM_LIB)
	@mkdir -p $(SIM_BUILD)
	@rm -f $@  # Verilator's own make does not see libmpe.a change: force the link
	$(VERILATOR) --cc --exe --build $(VL_FLAGS) $(COSIM_TRACE) --top-module mpe_pe \
		-GLANES=$(COSIM_LANES) -GCOLS=$(COSIM_COLS) -GLUT_PPC=$(COSIM_LUT_PPC) sim/cosim.vlt $(RTL_SRC) \
		$(abspath $(COSIM_SRC)) -CFLAGS "$(SIM_CXXFLAGS)" \
		-LDFLAGS "$(abspath $(COSIM_LIB))" --Mdir $(COSIM_OBJ) -o $(abspath $@)

FPACC_RTL := $(addprefix $(RTL_DIR)/,mpe_fpacc.v mpe_fp32_add.v mpe_fp32_round.v)
$(FPACC_BIN): $(FPACC_RTL) sim/tb_fpacc.cpp $(COSIM_LIB)
	@mkdir -p $(SIM_BUILD)
	@rm -f $@  # Verilator's own make does not see libmpe.a change: force the link
	$(VERILATOR) --cc --exe --build $(VL_FLAGS) --top-module mpe_fpacc -GVAL_W=90 \
		$(FPACC_RTL) $(abspath sim/tb_fpacc.cpp) \
		-CFLAGS "$(SIM_CXXFLAGS)" -LDFLAGS "$(abspath $(COSIM_LIB))" \
		--Mdir $(SIM_BUILD)/obj_fpacc -o $(abspath $@)

cosim-build: $(COSIM_BIN) $(FPACC_BIN)

# Quick regression: >= 100,000 vectors over all modes, every expected
# coverage bin must be hit.
cosim: $(COSIM_BIN) $(FPACC_BIN)
	$(FPACC_BIN) --seed $(SEED)
	$(COSIM_BIN) --seed $(SEED) --n 100000 --strict

# Long regression: make cosim-long N=10000000 SEED=7 SHARD=3/8
cosim-long: $(COSIM_BIN)
	$(COSIM_BIN) --seed $(SEED) --n $(N) --shard $(SHARD) \
		--cov-out $(SIM_BUILD)/cov-$(SEED)-$(subst /,of,$(SHARD)).txt \
		$(if $(filter 0/1,$(SHARD)),--strict)

# ---- SystemC testbench: Verilated PE (verilator --sc) and the C model in an
# SC_MODULE on one sc_clock, with a scoreboard
$(SC_BIN): $(RTL_SRC) $(RTL_DEFS) $(SC_SRC) sim/stim.h $(COSIM_LIB)
	@mkdir -p $(SIM_BUILD)
	@rm -f $@  # Verilator's own make does not see libmpe.a change: force the link
	SYSTEMC_INCLUDE=$(SYSTEMC_HOME)/include SYSTEMC_LIBDIR=$(SYSTEMC_HOME)/lib/x86_64-linux-gnu \
	$(VERILATOR) --sc --exe --build $(VL_FLAGS) --top-module mpe_pe \
		-GLANES=$(COSIM_LANES) -GCOLS=$(COSIM_COLS) -GLUT_PPC=$(COSIM_LUT_PPC) $(RTL_SRC) $(abspath $(SC_SRC)) \
		-CFLAGS "$(SIM_CXXFLAGS)" -LDFLAGS "$(abspath $(COSIM_LIB)) -lsystemc" \
		--Mdir $(SIM_BUILD)/obj_sc -o $(abspath $@)

cosim-sc: $(SC_BIN)
	$(SC_BIN) --seed $(SEED) --n 3000

# ---- regression strength and speed
mutate: $(LIBMPE) $(GEN_RTL_DEFS)
	sim/mutate.sh $(BUILD)

bench-cosim: $(COSIM_BIN)
	@echo "machine: $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	$(COSIM_BIN) --seed $(SEED) --bench 3
