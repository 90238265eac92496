#!/usr/bin/env bash
# Density plot of the area report (called by synth/report.sh):
#   synth/density_plot.sh DATFILE SVGFILE
# DATFILE columns: design precision mode config lanes cols x_mac mac_per_kge.
# Left: density relative to the INT8 MAC baseline of every precision point at
# the common size (the most frequent LANES x COLS). Right: MAC/cycle per kGE
# against COLS for the designs of the COLS sweep (fixed configurations).
set -euo pipefail
DAT=$1
SVG=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
size=$(awk -F'\t' '{ n[$5 "x" $6]++ } END { for (s in n) if (n[s] > best) { best = n[s]; b = s }; print b }' "$DAT")
awk -F'\t' -v s="$size" '$5 "x" $6 == s {
        c = ($4 == "fixed") ? 1 : ($4 == "runtime" ? 2 : 3)
        printf "%d\t%s\t%s\t%d\n", NR, $2 " " $3 " (" $4 ")", $7, c }' "$DAT" >"$tmp/bars.dat"
# sweep: one series per precision+mode of the fixed/baseline designs present
# at >= 3 sizes, each in its own file sorted by COLS
awk -F'\t' -v dir="$tmp" '$4 != "runtime" { k = $2 " " $3 " (" $4 ")"; n[k]++; line[k, n[k]] = $6 "\t" $8 }
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
    echo "set terminal svg size 1400,620 font 'sans,11' background rgb 'white'"
    echo "set output '$SVG'"
    echo "set datafile separator \"\\t\""
    echo "set multiplot layout 1,2"
    echo "set title 'Compute density vs INT8 MAC baseline, ${size/x/ lanes x } columns'"
    echo "set style fill solid 0.8 border -1"
    echo "set boxwidth 0.7"
    echo "set ylabel 'MAC/cycle per GE relative to the INT8 MAC PE'"
    echo "set xtics rotate by -50 left font 'sans,9'"
    echo "set grid ytics"
    echo "set yrange [0:*]"
    echo "set key top left"
    echo "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb 'black'"
    echo "plot $bars"
    echo "unset arrow"
    echo "set title 'Table sharing: density against output columns (LANES fixed)'"
    echo "set xtics norotate font 'sans,10'"
    echo "set logscale x 2"
    echo "set xlabel 'COLS'"
    echo "set ylabel 'MAC/cycle per kGE'"
    echo "set key top left"
    if [ -n "$plots" ]; then
        echo "plot $plots"
    else
        echo "set label 'no COLS sweep in this report' at graph 0.3, graph 0.5"
        echo "set xrange [1:64]; set yrange [0:1]"
        echo "plot NaN notitle"
    fi
    echo "unset multiplot"
} >"$tmp/plot.gp"
gnuplot "$tmp/plot.gp"
