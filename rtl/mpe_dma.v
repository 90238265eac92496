// A DMA unit (docs/isa.md 5): IS_STORE = 0 is the load unit (external
// memory -> ASP/WSP/PSP), IS_STORE = 1 the store unit (OSP -> memory). Both
// walk the 2-D region beat by beat in row-major order; beat b is requested
// in the first cycle in which beat b-1 has been granted.
//   load:  requests from its start cycle t_s; the data of a read granted in
//          t arrives (rsp_valid_i) in t + mem_latency and is written to the
//          scratchpad in that cycle; t_e = the last arrival.
//   store: reads beat b from the OSP in the cycle in which beat b-1 is
//          granted (t_s for beat 0), requests it from the next cycle on;
//          t_e = the cycle in which the last write is granted.
module mpe_dma #(
  parameter IS_STORE   = 0,
  parameter BEAT_BYTES = 16
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  // start (the head of the queue, taken in this cycle)
  input  wire                    start_i,
  input  wire [127:0]            insn_i,
  input  wire [31:0]             addr_i,     // R[rbase] + mem, resolved at dispatch
  output wire                    busy_o,
  // memory port
  output wire                    req_o,
  output wire [31:0]             req_addr_o,
  output wire [BEAT_BYTES*8-1:0] req_wdata_o,
  input  wire                    grant_i,
  input  wire                    rsp_valid_i,
  input  wire [BEAT_BYTES*8-1:0] rsp_data_i,
  // load: scratchpad write
  output wire                    sp_we_o,
  output wire [1:0]              sp_sel_o,
  output wire [31:0]             sp_addr_o,
  output wire [BEAT_BYTES*8-1:0] sp_wdata_o,
  // store: OSP read (this cycle's address, data of the start-of-cycle state)
  output wire [31:0]             osp_raddr_o,
  input  wire [BEAT_BYTES*8-1:0] osp_rdata_i,
  // t_e of the current instruction
  output wire                    done_o
);
  // verilator lint_off UNUSEDPARAM
  `include "mpe_isa.vh"
  // verilator lint_on UNUSEDPARAM
  localparam        LB   = $clog2(BEAT_BYTES);

  // fields of the starting instruction (load and store layouts)
  wire [1:0]  f_sp     = IS_STORE ? MPE_SP_OSP : insn_i[MPE_F_LOAD_SP_LSB +: MPE_F_LOAD_SP_W];
  wire [19:0] f_spaddr = IS_STORE ? insn_i[MPE_F_STORE_SPADDR_LSB +: MPE_F_STORE_SPADDR_W]
                                  : insn_i[MPE_F_LOAD_SPADDR_LSB +: MPE_F_LOAD_SPADDR_W];
  wire [15:0] f_rows   = IS_STORE ? insn_i[MPE_F_STORE_ROWS_LSB +: MPE_F_STORE_ROWS_W]
                                  : insn_i[MPE_F_LOAD_ROWS_LSB +: MPE_F_LOAD_ROWS_W];
  wire [15:0] f_rowb   = IS_STORE ? insn_i[MPE_F_STORE_ROWBYTES_LSB +: MPE_F_STORE_ROWBYTES_W]
                                  : insn_i[MPE_F_LOAD_ROWBYTES_LSB +: MPE_F_LOAD_ROWBYTES_W];
  wire [28:0] f_stride = IS_STORE ? insn_i[MPE_F_STORE_STRIDE_LSB +: MPE_F_STORE_STRIDE_W]
                                  : insn_i[MPE_F_LOAD_STRIDE_LSB +: MPE_F_LOAD_STRIDE_W];
  wire [15:0] f_bpr    = f_rowb >> LB;
  wire unused_insn = ^insn_i;

  reg         busy_q, busy_d;
  reg [1:0]   sp_q, sp_d;
  reg [31:0]  spaddr_q, spaddr_d;
  reg [15:0]  rows_q, rows_d, bpr_q, bpr_d, row_q, row_d, col_q, col_d;
  reg [28:0]  stride_q, stride_d;
  reg [31:0]  rowaddr_q, rowaddr_d;
  reg         reqdone_q, reqdone_d;
  reg [31:0]  granted_q, granted_d;   // beats granted
  reg [31:0]  arr_q, arr_d;           // beats arrived (load)
  reg [31:0]  nbeats_q, nbeats_d;
  reg [BEAT_BYTES*8-1:0] sbuf_q, sbuf_d;
  reg         done;

  // the request of this cycle (a load also requests in its start cycle)
  wire        cur_busy   = busy_q;
  wire [31:0] cur_rowadr = (start_i && !IS_STORE) ? addr_i : rowaddr_q;
  wire [15:0] cur_col    = (start_i && !IS_STORE) ? 16'd0 : col_q;
  wire        req        = IS_STORE ? (busy_q && !reqdone_q) : (start_i || (busy_q && !reqdone_q));
  assign req_o       = req;
  assign req_addr_o  = cur_rowadr + ({16'd0, cur_col} << LB);
  assign req_wdata_o = sbuf_q;
  assign busy_o      = cur_busy;

  always @* begin
    busy_d    = busy_q;
    sp_d      = sp_q;
    spaddr_d  = spaddr_q;
    rows_d    = rows_q;
    bpr_d     = bpr_q;
    row_d     = row_q;
    col_d     = col_q;
    stride_d  = stride_q;
    rowaddr_d = rowaddr_q;
    reqdone_d = reqdone_q;
    granted_d = granted_q;
    arr_d     = arr_q;
    nbeats_d  = nbeats_q;
    sbuf_d    = sbuf_q;
    done      = 1'b0;
    if (start_i) begin
      busy_d    = 1'b1;
      sp_d      = f_sp;
      spaddr_d  = {12'd0, f_spaddr};
      rows_d    = f_rows;
      bpr_d     = f_bpr;
      row_d     = 16'd0;
      col_d     = 16'd0;
      stride_d  = f_stride;
      rowaddr_d = addr_i;
      reqdone_d = 1'b0;
      granted_d = 32'd0;
      arr_d     = 32'd0;
      nbeats_d  = {16'd0, f_rows} * {16'd0, f_bpr};
      if (IS_STORE) sbuf_d = osp_rdata_i;   // OSP read of beat 0 in t_s
    end
    if (req && grant_i) begin
      granted_d = granted_d + 32'd1;
      if (col_d + 16'd1 == bpr_d) begin
        col_d     = 16'd0;
        row_d     = row_d + 16'd1;
        rowaddr_d = rowaddr_d + {3'd0, stride_d};
        if (row_d == rows_d) reqdone_d = 1'b1;
      end else begin
        col_d = col_d + 16'd1;
      end
      if (IS_STORE) begin
        if (granted_d == nbeats_d) begin
          done   = 1'b1;                    // t_e: the last write is granted
          busy_d = 1'b0;
        end else begin
          sbuf_d    = osp_rdata_i;     // OSP read of the next beat
        end
      end
    end
    if (!IS_STORE && rsp_valid_i) begin
      arr_d = arr_q + 32'd1;
      if (arr_d == nbeats_q) begin
        done   = 1'b1;                      // t_e: the last beat's data arrives
        busy_d = 1'b0;
      end
    end
  end

  assign sp_we_o     = !IS_STORE && rsp_valid_i;
  assign sp_sel_o    = sp_q;
  assign sp_addr_o   = spaddr_q + (arr_q << LB);
  assign sp_wdata_o  = rsp_data_i;
  // the OSP beat read in this cycle: beat 0 in t_s, beat b+1 when b is granted
  assign osp_raddr_o = start_i ? {12'd0, f_spaddr} : spaddr_q + ((granted_q + 32'd1) << LB);
  assign done_o      = done;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q    <= 1'b0;
      sp_q      <= 2'd0;
      spaddr_q  <= 32'd0;
      rows_q    <= 16'd0;
      bpr_q     <= 16'd0;
      row_q     <= 16'd0;
      col_q     <= 16'd0;
      stride_q  <= 29'd0;
      rowaddr_q <= 32'd0;
      reqdone_q <= 1'b0;
      granted_q <= 32'd0;
      arr_q     <= 32'd0;
      nbeats_q  <= 32'd0;
      sbuf_q    <= {(BEAT_BYTES*8){1'b0}};
    end else begin
      busy_q    <= busy_d;
      sp_q      <= sp_d;
      spaddr_q  <= spaddr_d;
      rows_q    <= rows_d;
      bpr_q     <= bpr_d;
      row_q     <= row_d;
      col_q     <= col_d;
      stride_q  <= stride_d;
      rowaddr_q <= rowaddr_d;
      reqdone_q <= reqdone_d;
      granted_q <= granted_d;
      arr_q     <= arr_d;
      nbeats_q  <= nbeats_d;
      sbuf_q    <= sbuf_d;
    end
  end
endmodule
