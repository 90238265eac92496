// An instruction queue of one unit: DEPTH entries, one push (controller) and
// one pop (unit start) per cycle; count_o and head_o show the state at the
// start of the cycle (docs/isa.md 5: a pushed instruction is visible from
// the next cycle).
module mpe_queue #(
  parameter W     = 192,
  parameter DEPTH = 8,
  parameter QW    = 4
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          push_i,
  input  wire [W-1:0]  data_i,
  input  wire          pop_i,
  output wire [W-1:0]  head_o,
  output wire [QW-1:0] count_o
);
  localparam AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam [AW:0] LAST = DEPTH - 1;

  reg [W-1:0]  mem [0:DEPTH-1];
  reg [AW-1:0] rd_q, wr_q;
  reg [QW-1:0] cnt_q;

  function [AW-1:0] inc;
    input [AW-1:0] p;
    begin
      inc = ({1'b0, p} == LAST) ? {AW{1'b0}} : p + {{(AW-1){1'b0}}, 1'b1};
    end
  endfunction

  assign head_o  = mem[rd_q];
  assign count_o = cnt_q;

  always @(posedge clk_i) begin
    if (push_i) mem[wr_q] <= data_i;
  end
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_q  <= {AW{1'b0}};
      wr_q  <= {AW{1'b0}};
      cnt_q <= {QW{1'b0}};
    end else begin
      if (push_i) wr_q <= inc(wr_q);
      if (pop_i) rd_q <= inc(rd_q);
      cnt_q <= cnt_q + {{(QW-1){1'b0}}, push_i} - {{(QW-1){1'b0}}, pop_i};
    end
  end
endmodule
