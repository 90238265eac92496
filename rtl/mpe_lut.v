`include "mpe_defs.vh"
// LUT mode datapath (docs/numerics.md 5.1). Lanes form groups of four
// activations; each group's 8-entry half table
//   H[k] = s0 x0 + s1 x1 + s2 x2 - x3,  s_j = 2 b_j - 1,  k = b0 + 2 b1 + 4 b2
// is built from two pair tables out of the PE's activation register (stable
// during an op, so the tables need no register of their own) and is shared
// by every column. Each cycle one weight bit-plane forms, per column and
// group, the 4-bit index idx from the four lanes' plane bits and looks the
// table up through an 8:1 multiplexer:
//   T(idx) = idx[3] ? -H[~idx[2:0]] : H[idx[2:0]],
// the negation done by inversion (-H = ~H + 1, the +1s counted per column).
// The column's plane sum P is shifted by the plane (and negated for the MSB
// plane of intB, again by inversion with the +1 moved into the shared term).
// Every cycle adds its exact half to the int48 accumulator:
//   inc = (P' + cterm) / 2,  P' = (P ^ neg) << plane,
// with the column-independent cterm holding the correction (plane 0 of
// uintB: (S << B) - S, of intB: -S; ternary: +-parity of S on its two
// planes; S = -sum_g H_g[0]) and the negation's 2^plane. Each cycle's
// P' + cterm is even, so the halving is exact; the sum over the planes of
// an op is the exact dot product.
//
// PPC (planes per cycle, 1, 2 or 4) looks up PPC consecutive planes
// plane_i .. plane_i + PPC - 1 in the same cycle: the tables are shared,
// each column has PPC index/multiplexer/adder-tree sets, and the cycle adds
// (sum over the valid planes q of P'_q + cterm_q) / 2. Planes at or beyond
// the weight's plane count contribute nothing. With PPC = 2 a 2-bit (or
// ternary) weight takes one cycle per op instead of two.
module mpe_lut #(
  parameter LANES = 16,
  parameter COLS  = 4,
  parameter A_W   = 16,
  parameter W_W   = 16,
  parameter PPC   = 1
) (
  input  wire [3:0]                  plane_i,   // first weight bit-plane of this cycle
  input  wire                        a_signed_i,
  input  wire [4:0]                  a_bits_i,
  input  wire [`MPE_DT_W-1:0]        w_kind_i,
  input  wire [4:0]                  w_bits_i,
  input  wire [LANES*A_W-1:0]        a_i,
  input  wire [COLS*LANES*W_W-1:0]   w_i,
  output wire [COLS*48-1:0]          inc_o      // this cycle's increment of each accumulator
);
  localparam G    = LANES / 4;
  localparam XW   = A_W + 1;                          // signed activation
  localparam HW   = XW + 2;                           // table entry
  localparam PLW  = HW + ((G > 1) ? $clog2(G) : 0);   // plane sum
  localparam SW   = XW + $clog2(LANES);               // activation sum
  localparam TD_W = SW + 8;                           // shifted plane sum + correction
  localparam NW   = $clog2(G + 1);                    // count of negated lookups

  wire [LANES*XW-1:0] x;
  genvar k, g, c;
  generate
    for (k = 0; k < LANES; k = k + 1) begin : g_dec
      mpe_int_dec #(.W(A_W)) u_dec (
        .code_i   (a_i[A_W*k +: A_W]),
        .bits_i   (a_bits_i),
        .signed_i (a_signed_i),
        .val_o    (x[XW*k +: XW])
      );
    end
  endgenerate

  // ---- half tables (combinational from the registered activations)
  wire [G*8*HW-1:0] h_use;

  generate
    for (g = 0; g < G; g = g + 1) begin : g_tab
      wire signed [HW-1:0] x0 = {{2{x[XW*(4*g+0)+XW-1]}}, x[XW*(4*g+0) +: XW]};
      wire signed [HW-1:0] x1 = {{2{x[XW*(4*g+1)+XW-1]}}, x[XW*(4*g+1) +: XW]};
      wire signed [HW-1:0] x2 = {{2{x[XW*(4*g+2)+XW-1]}}, x[XW*(4*g+2) +: XW]};
      wire signed [HW-1:0] x3 = {{2{x[XW*(4*g+3)+XW-1]}}, x[XW*(4*g+3) +: XW]};
      // pair tables: p01[b0 + 2 b1], p23[b2] (b3 = 0, so x3 is always negative)
      wire signed [HW-1:0] p01_0 = -x0 - x1;
      wire signed [HW-1:0] p01_1 =  x0 - x1;
      wire signed [HW-1:0] p01_2 = -x0 + x1;
      wire signed [HW-1:0] p01_3 =  x0 + x1;
      wire signed [HW-1:0] p23_0 = -x2 - x3;
      wire signed [HW-1:0] p23_1 =  x2 - x3;
      assign h_use[HW*(8*g+0) +: HW] = p01_0 + p23_0;
      assign h_use[HW*(8*g+1) +: HW] = p01_1 + p23_0;
      assign h_use[HW*(8*g+2) +: HW] = p01_2 + p23_0;
      assign h_use[HW*(8*g+3) +: HW] = p01_3 + p23_0;
      assign h_use[HW*(8*g+4) +: HW] = p01_0 + p23_1;
      assign h_use[HW*(8*g+5) +: HW] = p01_1 + p23_1;
      assign h_use[HW*(8*g+6) +: HW] = p01_2 + p23_1;
      assign h_use[HW*(8*g+7) +: HW] = p01_3 + p23_1;
    end
  endgenerate

  // ---- activation sum S = -sum_g H_g[0] (H[0] = -(x0 + x1 + x2 + x3))
  reg signed [SW-1:0] s_sum;
  integer gi;
  always @* begin
    s_sum = {SW{1'b0}};
    for (gi = 0; gi < G; gi = gi + 1)
      s_sum = s_sum - {{(SW-HW){h_use[HW*(8*gi)+HW-1]}}, h_use[HW*(8*gi) +: HW]};
  end

  // ---- plane handling by weight kind
  wire is_uint = (w_kind_i == `MPE_DT_UINT);
  wire is_int  = (w_kind_i == `MPE_DT_INT);
  wire is_bin  = (w_kind_i == `MPE_DT_BINARY);
  wire is_ter  = (w_kind_i == `MPE_DT_TERNARY);
  wire [4:0] nplanes = is_bin ? 5'd1 : (is_ter ? 5'd2 : w_bits_i);
  // correction: uintB (S << B) - S, intB -S
  wire signed [TD_W-1:0] s_ext = {{(TD_W-SW){s_sum[SW-1]}}, s_sum};
  wire signed [TD_W-1:0] corr  = is_uint ? ((s_ext <<< w_bits_i) - s_ext)
                               : (is_int ? -s_ext : {TD_W{1'b0}});
  wire signed [TD_W-1:0] par   = {{(TD_W-1){1'b0}}, s_sum[0]};
  wire signed [TD_W-1:0] one   = {{(TD_W-1){1'b0}}, 1'b1};

  // ---- per plane q of this cycle: shift, negation and the column-independent
  // term (correction + the negation's 2^plane)
  wire [PPC*4-1:0]      pl_v;
  wire [PPC-1:0]        valid_v, neg_v;
  wire [PPC*4-1:0]      shamt_v;
  wire [PPC*TD_W-1:0]   cterm_v;
  genvar q;
  generate
    for (q = 0; q < PPC; q = q + 1) begin : g_plane
      localparam [4:0] QV = q;
      wire [4:0] pl5 = {1'b0, plane_i} + QV;
      wire [3:0] pl  = pl5[3:0];
      wire       neg_plane = is_int && (pl5 == w_bits_i - 5'd1);
      wire [3:0] shamt = is_bin ? 4'd1 : (is_ter ? 4'd0 : pl);
      wire       plane0 = (pl5 == 5'd0);
      wire signed [TD_W-1:0] ccorr = is_ter ? (plane0 ? par : -par) : (plane0 ? corr : {TD_W{1'b0}});
      assign pl_v[4*q +: 4]          = pl;
      assign valid_v[q]              = (pl5 < nplanes);
      assign neg_v[q]                = neg_plane;
      assign shamt_v[4*q +: 4]       = shamt;
      assign cterm_v[TD_W*q +: TD_W] = ccorr + (neg_plane ? (one <<< shamt) : {TD_W{1'b0}});
    end
  endgenerate

  localparam TS_W = TD_W + 2;                        // sum over up to 4 planes
  generate
    for (c = 0; c < COLS; c = c + 1) begin : g_col
      wire [PPC*TS_W-1:0] tq;
      for (q = 0; q < PPC; q = q + 1) begin : g_cp
        reg signed [PLW-1:0]  psum;
        reg [3:0]             idx;
        reg [W_W-1:0]         code;
        reg signed [HW-1:0]   ent, tv;
        reg [2:0]             sel;
        reg [NW-1:0]          nneg;
        integer               gj, j, e;
        always @* begin
          psum = {PLW{1'b0}};
          nneg = {NW{1'b0}};
          idx  = 4'd0;
          code = {W_W{1'b0}};
          ent  = {HW{1'b0}};
          tv   = {HW{1'b0}};
          sel  = 3'd0;
          for (gj = 0; gj < G; gj = gj + 1) begin
            for (j = 0; j < 4; j = j + 1) begin
              code = w_i[W_W*(c*LANES + 4*gj + j) +: W_W];
              if (is_bin)
                idx[j] = code[0];
              else if (is_ter)
                idx[j] = (pl_v[4*q +: 4] == 4'd0) ? ~code[1] : (~code[1] & code[0]);
              else
                idx[j] = |(code & ({{(W_W-1){1'b0}}, 1'b1} << pl_v[4*q +: 4]));
            end
            // symmetrized lookup: the top index bit inverts the index and the entry
            sel  = idx[3] ? ~idx[2:0] : idx[2:0];
            ent  = {HW{1'b0}};
            for (e = 0; e < 8; e = e + 1)      // 8:1 entry multiplexer
              if (sel == e[2:0]) ent = h_use[HW*(8*gj + e) +: HW];
            tv   = ent ^ {HW{idx[3]}};
            psum = psum + {{(PLW-HW){tv[HW-1]}}, tv};
            nneg = nneg + {{(NW-1){1'b0}}, idx[3]};
          end
          psum = psum + {{(PLW-NW){1'b0}}, nneg};
        end
        wire signed [TD_W-1:0] pext = {{(TD_W-PLW){psum[PLW-1]}}, psum};
        wire signed [TD_W-1:0] t    = ((pext ^ {TD_W{neg_v[q]}}) <<< shamt_v[4*q +: 4])
                                      + cterm_v[TD_W*q +: TD_W];
        assign tq[TS_W*q +: TS_W] = valid_v[q] ? {{2{t[TD_W-1]}}, t} : {TS_W{1'b0}};
      end
      // the planes' sum (even: every plane's term is), halved exactly
      reg signed [TS_W-1:0] tsum;
      integer qi;
      always @* begin
        tsum = {TS_W{1'b0}};
        for (qi = 0; qi < PPC; qi = qi + 1)
          tsum = tsum + tq[TS_W*qi +: TS_W];
      end
      assign inc_o[48*c +: 48] = {{(48-TS_W+1){tsum[TS_W-1]}}, tsum[TS_W-1:1]};
      wire unused_half = tsum[0];
    end
  endgenerate
endmodule
