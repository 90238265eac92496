# SystemC/TLM-2.0 model of the accelerator (sim/tlm/README.md): the C model
# as an SC_MODULE with a register target socket and a memory initiator
# socket, and a platform example (host thread, bus, memory).
# Included by the top-level Makefile; builds under $(BUILD)/sim/tlm/.
#   make tlm                         build $(BUILD)/sim/tlm/mpe-tlm
#   make tlm-run PROG=x.mpeb         run a binary on the platform

TLM_BUILD := $(BUILD)/sim/tlm
TLM_BIN := $(TLM_BUILD)/mpe-tlm
TLM_C_SRC := sim/tlm/accel_ext.c
TLM_CXX_SRC := sim/tlm/mpe_accel_tlm.cpp sim/tlm/platform.cpp
TLM_OBJ := $(TLM_C_SRC:sim/tlm/%.c=$(TLM_BUILD)/%.o) $(TLM_CXX_SRC:sim/tlm/%.cpp=$(TLM_BUILD)/%.o)
# Debian's SystemC lives in /usr/include, a system directory, so its headers'
# warnings are not reported; -isystem does the same for another install
# (not for /usr itself: -isystem /usr/include breaks libstdc++'s include_next).
TLM_SYSTEMC ?= /usr
TLM_CPPFLAGS := $(MPE_INCLUDES) -Isim/tlm -MMD -MP \
	$(if $(filter /usr,$(TLM_SYSTEMC)),,-isystem $(TLM_SYSTEMC)/include)
TLM_LDLIBS := -lsystemc -pthread $(LDLIBS)

.PHONY: tlm tlm-run
tlm: $(TLM_BIN)

$(TLM_BUILD)/%.o: sim/tlm/%.c
	@mkdir -p $(@D)
	$(CC) $(TLM_CPPFLAGS) $(CFLAGS) -c $< -o $@

$(TLM_BUILD)/%.o: sim/tlm/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(TLM_CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(TLM_BIN): $(TLM_OBJ) $(LIBMPE)
	$(CXX) $(LDFLAGS) $^ $(TLM_LDLIBS) -o $@

tlm-run: $(TLM_BIN)
	$(TLM_BIN) $(PROG)

-include $(wildcard $(TLM_BUILD)/*.d)
