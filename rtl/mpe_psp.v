// The parameter scratchpad (PSP): words of WB bytes (one memory beat), one
// beat write per cycle (load unit), and NPORT byte-granular read windows of
// N bytes at any byte address, all reading the state at the start of the
// cycle. The compute unit uses four: A block scales, W block scales, W zero
// points (operand-fetch cycle) and the C output-parameter records (first
// drain cycle). Addresses wrap at the scratchpad size (window bytes past the
// end are never used: the dispatch range checks keep every read inside).
module mpe_psp #(
  parameter BYTES = 16384,
  parameter WB    = 16,
  parameter N     = 128,
  parameter NPORT = 4
) (
  input  wire                  clk_i,
  input  wire                  we_i,
  input  wire [31:0]           waddr_i,   // byte address, multiple of WB
  input  wire [WB*8-1:0]       wdata_i,
  input  wire [NPORT*32-1:0]   raddr_i,   // port p at [32p +: 32]
  output wire [NPORT*N*8-1:0]  rdata_o    // port p at [8Np +: 8N]
);
  localparam DEPTH = BYTES / WB;
  localparam DW    = $clog2(DEPTH);
  localparam LWB   = $clog2(WB);
  localparam NWD   = N / WB + 1;          // words covering N bytes at any offset

  reg [WB*8-1:0] mem [0:DEPTH-1];
  always @(posedge clk_i) begin
    if (we_i) mem[waddr_i[LWB +: DW]] <= wdata_i;
  end
  wire unused_w = ^{waddr_i[31:LWB+DW], waddr_i[LWB-1:0]};

  genvar p;
  generate
    for (p = 0; p < NPORT; p = p + 1) begin : g_port
      wire [31:0]         a = raddr_i[32*p +: 32];
      wire [DW-1:0]       w0 = a[LWB +: DW];
      reg  [NWD*WB*8-1:0] cat;
      integer i;
      always @* begin
        for (i = 0; i < NWD; i = i + 1)
          cat[i*WB*8 +: WB*8] = mem[w0 + i[DW-1:0]];
      end
      wire [NWD*WB*8-1:0] sh = cat >> {a[LWB-1:0], 3'b000};
      assign rdata_o[8*N*p +: 8*N] = sh[N*8-1:0];
      wire unused_r = ^{sh[NWD*WB*8-1:N*8], a[31:LWB+DW]};
    end
  endgenerate
endmodule
