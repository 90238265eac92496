#!/usr/bin/env bash
# RTL static checks (sim/rtl_check.sh --quick): Verilator -Wall lint of every
# named configuration, Yosys latch and $mul checks, synthesis of the small
# configuration. `make rtl-lint` runs the full set.
SUITE_NO_MPE=1
. "$(dirname "$0")/../suite_lib.sh"
# rtl_check.sh prints the closing line (not exec, so that the temp dir is removed)
sim/rtl_check.sh --quick
exit
