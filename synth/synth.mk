# Yosys synthesis and area reports (synth/README.md). Included by the
# top-level Makefile. Everything is built under build/synth/ (also with SAN=1:
# synthesis does not depend on the sanitizers); the reports that are checked
# in are written to synth/reports/.
#
#   make synth -j2                 every design of synth/designs.txt, then the reports
#   make synth SYNTH_DESIGNS="lut_w2a8 mac_w8a8"   only these (reports list what exists)
#   make synth SYNTH_STEPS=asic    skip the FPGA steps
#   make synth-report              regenerate the reports from build/synth/

SYNTH_OUT := build/synth
SYNTH_LIST := synth/designs.txt
SYNTH_STEPS ?= asic,xilinx,ice40
SYNTH_DESIGNS ?= $(shell awk '$$1 == "design" { print $$2 }' $(SYNTH_LIST))
# the PE sources (rtl/mpe_pe.f, the default file list of the flow); designs
# that name another list (FILES=) are not re-run when only those files change
SYNTH_SRC := rtl/mpe_pe.f $(addprefix rtl/,$(shell cat rtl/mpe_pe.f)) rtl/mpe_defs.vh \
	synth/cells.lib synth/mpe_synth_fixed.v synth/mpe_synth_mac.v synth/flow.sh

.PHONY: synth synth-report

# A design is re-synthesized when the RTL, the flow or its own line in the
# design list changes (spec.txt is only rewritten when the line changes).
ifneq ($(filter synth,$(MAKECMDGOALS)),)
$(shell mkdir -p $(SYNTH_OUT) && for d in $(SYNTH_DESIGNS); do \
	mkdir -p $(SYNTH_OUT)/$$d; \
	grep -E "^design[[:space:]]+$$d[[:space:]]" $(SYNTH_LIST) >$(SYNTH_OUT)/$$d/spec.new; \
	cmp -s $(SYNTH_OUT)/$$d/spec.new $(SYNTH_OUT)/$$d/spec.txt || mv $(SYNTH_OUT)/$$d/spec.new $(SYNTH_OUT)/$$d/spec.txt; \
	rm -f $(SYNTH_OUT)/$$d/spec.new; done)
endif

$(SYNTH_OUT)/%/done: $(SYNTH_OUT)/%/spec.txt $(SYNTH_SRC)
	@echo "synth: $* ($(SYNTH_STEPS))"
	@synth/flow.sh --steps $(SYNTH_STEPS) $* $(SYNTH_OUT)/$*
	@touch $@

synth: $(SYNTH_DESIGNS:%=$(SYNTH_OUT)/%/done)
	@$(MAKE) --no-print-directory synth-report
	@echo "synth: $$(cat $(SYNTH_DESIGNS:%=$(SYNTH_OUT)/%/*.txt) | \
		awk -F= '/_seconds=/ { s += $$2 } END { print s }') s of single-core synthesis time in total"

synth-report:
	synth/report.sh $(SYNTH_OUT) synth/reports
