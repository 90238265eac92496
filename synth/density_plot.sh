#!/usr/bin/env bash
# Density plot of the area report (called by synth/report.sh):
#   synth/density_plot.sh DATFILE SVGFILE
# DATFILE columns (tab-separated): design precision mode config lanes cols
# x_mac mac_per_kge cycles_per_op.
# Left: density relative to the INT8 MAC baseline of every precision point at
# the common size (the most frequent LANES x COLS), one bar per report row.
# Right: density relative to the baseline of the same size against COLS, one
# line per fixed-precision point, LANES and cycles per op (>= 3 sizes), with
# the targets of synth/README.md (W2A8 4x, W1A8 8x) as dashed lines.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: synth/density_plot.sh DATFILE SVGFILE" >&2; exit 2; }
DAT=$1
SVG=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
size=$(awk -F'\t' '{ n[$5 "x" $6]++ } END { for (s in n) if (n[s] > best) { best = n[s]; b = s }; print b }' "$DAT")
# bars: index, label, x_mac, colour class (1 fixed, 2 run-time, 3 baseline)
awk -F'\t' -v s="$size" '$5 "x" $6 == s {
        c = ($4 == "fixed") ? 1 : ($4 == "runtime" ? 2 : 3)
        printf "%d\t%s\t%s\t%d\n", ++i, $1 " " $2, $7, c }' "$DAT" >"$tmp/bars.dat"
# sweep: one series per precision, mode, LANES and cycles/op of the fixed
# designs present at >= 3 sizes, each in its own file sorted by COLS
awk -F'\t' -v dir="$tmp" '$4 == "fixed" {
            k = $2 " " $3 ", " $5 " lanes, " $9 " cyc/op"; n[k]++; line[k, n[k]] = $6 "\t" $7 }
        END { for (k in n) if (n[k] >= 3) {
                  f = dir "/s" ++ns ".dat"; print k > (dir "/s" ns ".title")
                  for (i = 1; i <= n[k]; i++) print line[k, i] | ("sort -n > " f)
                  close("sort -n > " f) } }' "$DAT"
# bar series that have data: fixed, run-time configurable, baseline
bars=""
for c in "1:#1f77b4:fixed precision" "2:#ff7f0e:run-time configurable" "3:#7f7f7f:INT8 MAC baseline"; do
    IFS=: read -r n col title <<<"$c"
    awk -F'\t' -v n="$n" '$4 == n { f = 1 } END { exit !f }' "$tmp/bars.dat" || continue
    bars+="${bars:+, }'$tmp/bars.dat' using 1:(\$4==$n?\$3:1/0):xtic(2) with boxes lc rgb '$col' title '$title'"
done
plots=""
for t in "$tmp"/s*.title; do
    [ -e "$t" ] || continue
    plots+="${plots:+, }'${t%.title}.dat' using 1:2 with linespoints lw 2 pt 7 title '$(cat "$t")'"
done
{
    echo "set terminal svg size 1500,700 font 'sans,11' background rgb 'white'"
    echo "set output '$SVG'"
    echo "set termoption noenhanced"
    echo "set datafile separator \"\\t\""
    echo "set multiplot layout 1,2"
    echo "set title 'Compute density vs INT8 MAC baseline, ${size/x/ lanes x } columns'"
    echo "set style fill solid 0.8 border -1"
    echo "set boxwidth 0.7"
    echo "set ylabel 'MAC/cycle per GE relative to the INT8 MAC PE'"
    echo "set xtics rotate by -55 left font 'sans,9'"
    echo "set grid ytics"
    echo "set yrange [0:*]"
    echo "set xrange [0:*]"
    echo "set key top right"
    echo "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb 'black'"
    echo "plot $bars"
    echo "unset arrow"
    echo "set title 'Table sharing: density vs the same-size INT8 MAC baseline, against output columns'"
    echo "set xtics norotate font 'sans,10'"
    echo "set logscale x 2"
    echo "set xrange [*:*]"
    echo "set xlabel 'COLS (output columns sharing the tables)'"
    echo "set ylabel 'MAC/cycle per GE relative to the INT8 MAC PE of the same size'"
    echo "set key at graph 0.02, graph 0.76 left top font 'sans,9'"
    if [ -n "$plots" ]; then
        for t in "1:baseline" "4:W2A8 target" "8:W1A8 target"; do
            echo "set arrow from graph 0, first ${t%%:*} to graph 1, first ${t%%:*} nohead dt 2 lc rgb 'black'"
            echo "set label '${t#*:}' at graph 0.99, first ${t%%:*} right offset 0, 0.6 font 'sans,9'"
        done
        echo "plot $plots"
    else
        echo "set label 'no COLS sweep in this report' at graph 0.3, graph 0.5"
        echo "set xrange [1:64]; set yrange [0:1]"
        echo "plot NaN notitle"
    fi
    echo "unset multiplot"
} >"$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
