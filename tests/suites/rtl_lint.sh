#!/usr/bin/env bash
# RTL static checks (sim/rtl_check.sh --quick): Verilator -Wall lint of every
# named configuration, Yosys latch and $mul checks, synthesis of the small
# configuration. `make rtl-lint` runs the full set.
cd "$(dirname "$0")/../.." || exit 2
exec sim/rtl_check.sh --quick
