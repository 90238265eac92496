// Shared constants of the accelerator top (rtl/mpe_top.v and its units).
// Trap causes are numbered as mpe_trap_cause (cmodel/include/mpe/accel.h);
// the Verilator harness checks every value against the C enum at compile
// time (sim/accel_rtl.cpp), so a reordering fails the build.
// Include inside a module.
localparam [3:0] TRAP_NONE     = 4'd0;
localparam [3:0] TRAP_ENCODING = 4'd1;
localparam [3:0] TRAP_PC       = 4'd2;
localparam [3:0] TRAP_FLAGS    = 4'd3;
localparam [3:0] TRAP_OPERAND  = 4'd4;
localparam [3:0] TRAP_ALIGN    = 4'd5;
localparam [3:0] TRAP_RANGE    = 4'd6;
localparam [3:0] TRAP_PECFG    = 4'd7;
localparam [3:0] TRAP_OUTCFG   = 4'd8;
localparam [3:0] TRAP_NOCFG    = 4'd9;
localparam [3:0] TRAP_TOKEN    = 4'd10;
localparam [3:0] TRAP_DEADLOCK = 4'd11;
