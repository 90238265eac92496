#!/usr/bin/env bash
# Collects the per-design results of synth/flow.sh into the area reports
# (synth/README.md):
#
#   synth/report.sh [--list FILE] [--no-plot] [--fresh] BUILDDIR OUTDIR
#
# writes OUTDIR/area.csv, area.json, area.md (one row per `row` line of the
# design list; a design without row lines gets one row) and OUTDIR/density.svg.
# density = macs_per_cycle / area_ge; density_vs_int8_mac divides it by the
# density of the baseline (a `mac` design) with the same LANES and COLS.
# A figure that BUILDDIR does not hold (a design, or one of its steps, not
# synthesized there) is kept from the existing OUTDIR/area.csv, so a partial
# run only adds to the reports; area.md lists the designs whose figures were
# kept. --fresh ignores the existing reports.
set -euo pipefail
cd "$(dirname "$0")/.."
LIST=synth/designs.txt
PLOT=1
FRESH=0
while [ $# -gt 0 ]; do
    case "$1" in
        --list) LIST=$2; shift 2 ;;
        --no-plot) PLOT=0; shift ;;
        --fresh) FRESH=1; shift ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        -*) echo "report.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "usage: synth/report.sh [--list FILE] [--no-plot] [--fresh] BUILDDIR OUTDIR" >&2; exit 2; }
BUILD=$1
OUT=$2
mkdir -p "$OUT"
# the reports are written into a directory of our own beside them and moved
# into place only when all were written: a failed run leaves the old ones
STAGE=$(mktemp -d "$OUT/.report.XXXXXX") || exit 1
trap 'rm -rf "$STAGE"' EXIT
PRIOR=
if [ "$FRESH" -eq 0 ] && [ -f "$OUT/area.csv" ]; then
    PRIOR=$(mktemp)
    cp "$OUT/area.csv" "$PRIOR"
fi

# results as "R design key value" lines, then the design list
{
    for d in $(awk '$1 == "design" { print $2 }' "$LIST"); do
        for f in meta asic xilinx ice40; do
            [ -f "$BUILD/$d/$f.txt" ] || continue
            sed -E "s/^([a-z0-9_]+)=(.*)$/R $d \1 \2/" "$BUILD/$d/$f.txt"
        done
    done
    grep -E '^(design|row)[[:space:]]' "$LIST"
} | awk -v out="$STAGE" -v prior="$PRIOR" '
# one CSV line into F[1..n] (fields quoted with "" escapes as written below)
function csvsplit(line, F,    n, i, c, q, f) {
    n = 0; f = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"") {
                if (substr(line, i + 1, 1) == "\"") { f = f c; i++ } else q = 0
            } else f = f c
        } else if (c == "\"") q = 1
        else if (c == ",") { F[++n] = f; f = "" }
        else f = f c
    }
    F[++n] = f
    return n
}
BEGIN {
    # the figures measured per design (kept from the prior report when absent)
    nmk = split("lanes,cols,area_ge,area_um2,ff_count,cells,depth,fraig_conflicts,sram_bits,xc7_lut,xc7_ff,xc7_dsp,xc7_bram,xc7_lutram,ice40_device,ice40_lc,fmax_mhz,ice40_note", MK, ",")
    for (j = 1; j <= nmk; j++) measured[MK[j]] = 1
    if (prior != "") {
        nh = 0
        while ((getline line < prior) > 0) {
            m = csvsplit(line, F)
            if (!nh) { for (j = 1; j <= m; j++) H[j] = F[j]; nh = m; continue }
            if ((F[1] SUBSEP "lanes") in P) continue    # first row of a design
            for (j = 1; j <= m && j <= nh; j++)
                if ((H[j] in measured) && F[j] != "")
                    P[F[1], H[j]] = F[j]
        }
        close(prior)
    }
}
function get(d, k) {
    if ((d SUBSEP k) in V) return V[d, k]
    if ((d SUBSEP k) in P) { kept[d] = 1; return P[d, k] }
    return ""
}
function num(x) { return x ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
function jval(s) { return num(s) ? s : (s == "" ? "null" : jstr(s)) }
$1 == "R" { k = $3; v = $0; sub(/^R [^ ]+ [^ ]+ /, "", v); V[$2, k] = v; next }
$1 == "design" {
    D[++nd] = $2; kind[$2] = $3; rows[$2] = 1
    for (f = 4; f <= NF; f++) if ($f ~ /^ROWS=[0-9]+$/) rows[$2] = substr($f, 6) + 0
    next
}
$1 == "row" {
    n = ++nr; rd[n] = $2; rl[n] = $3; rm[n] = $4; rw[n] = $5; ra[n] = $6; rc[n] = $7
    has[$2] = 1; next
}
END {
    for (i = 1; i <= nd; i++) if (!has[D[i]]) { n = ++nr; rd[n] = D[i]; rl[n] = "-"; rm[n] = "-"; rw[n] = ""; ra[n] = ""; rc[n] = "" }
    # baseline density per (lanes, cols)
    for (i = 1; i <= nd; i++) {
        d = D[i]
        if (kind[d] == "mac" && num(get(d, "area_ge")) && get(d, "area_ge") > 0)
        {
            base[get(d, "lanes"), get(d, "cols")] = get(d, "lanes") * get(d, "cols") / get(d, "area_ge")
            basefc[get(d, "lanes"), get(d, "cols")] = get(d, "fraig_conflicts")
        }
    }
    ncol = split("design,precision,mode,config,weight_bits,act_bits,rows,lanes,cols,cycles_per_op,macs_per_cycle,area_ge,area_um2,ff_count,cells,depth,macs_per_cycle_per_kge,density_vs_int8_mac,sram_bits,xc7_lut,xc7_ff,xc7_dsp,xc7_bram,xc7_lutram,ice40_device,ice40_lc,fmax_mhz,ice40_note,fraig_conflicts", C, ",")
    csv = out "/area.csv"; js = out "/area.json"; md = out "/area.md"; dat = out "/density.dat"
    line = C[1]; for (j = 2; j <= ncol; j++) line = line "," C[j]; print line > csv
    print "[" > js
    print "# Area report (generated by synth/report.sh; discussion in synth/README.md)" > md
    print "" > md
    print "Area in NAND2 equivalents (GE) of the NanGate FreePDK45 X1 cells (synth/cells.lib); density = MAC/cycle per kGE;" > md
    print "x MAC = density / density of the INT8 MAC baseline with the same LANES and COLS; depth = cells on the longest" > md
    print "combinational path; fixed = configuration tied to one precision, runtime = run-time configurable PE evaluated at the point;" > md
    print "ABC C = conflict limit of the SAT sweeping (&fraig -x) the design was mapped with." > md
    print "" > md
    print "| design | precision | mode | config | W | A | R x K x C | cyc/op | MAC/cyc | area GE | FFs | cells | depth | MAC/cyc/kGE | x MAC | SRAM bits | xc7 LUT | FF | DSP | BRAM | LUTRAM | iCE40 LC | Fmax MHz | ABC C |" > md
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|" > md
    for (n = 1; n <= nr; n++) {
        d = rd[n]
        for (j = 1; j <= nmk; j++) R[MK[j]] = get(d, MK[j])
        L = R["lanes"]; K = R["cols"]
        R["design"] = d; R["precision"] = rl[n]; R["mode"] = rm[n]
        R["config"] = (kind[d] == "rtl") ? "runtime" : (kind[d] == "mac" ? "baseline" : "fixed")
        R["weight_bits"] = rw[n]; R["act_bits"] = ra[n]; R["rows"] = rows[d]
        R["cycles_per_op"] = rc[n]
        mpc = (num(L) && num(K) && num(rc[n]) && rc[n] > 0) ? rows[d] * L * K / rc[n] : ""
        R["macs_per_cycle"] = mpc
        ge = R["area_ge"]
        # a ratio whose two designs were mapped with different ABC settings
        if (rows[d] == 1 && ((L, K) in base) && num(ge) && R["fraig_conflicts"] != basefc[L, K] && !mixed[d]++)
            ml = ml (nm++ ? ", " : "") d " (" R["fraig_conflicts"] " vs " basefc[L, K] ")"
        dens = (mpc != "" && num(ge) && ge > 0) ? mpc / ge : ""
        R["macs_per_cycle_per_kge"] = (dens != "") ? sprintf("%.4f", dens * 1000) : ""
        R["density_vs_int8_mac"] = (dens != "" && rows[d] == 1 && ((L, K) in base)) ? sprintf("%.3f", dens / base[L, K]) : ""
        line = ""; obj = "  {"
        for (j = 1; j <= ncol; j++) {
            v = R[C[j]]; cv = v
            if (cv ~ /[,"]/) { gsub(/"/, "\"\"", cv); cv = "\"" cv "\"" }
            line = line (j > 1 ? "," : "") cv
            obj = obj (j > 1 ? ", " : "") jstr(C[j]) ": " jval(v)
        }
        print line > csv
        print obj (n < nr ? "}," : "}") > js
        ff = R["fmax_mhz"] != "" ? R["fmax_mhz"] : (R["ice40_note"] != "" ? "n/a" : "")
        printf "| %s | %s | %s | %s | %s | %s | %s x %s x %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
            d, rl[n], rm[n], R["config"], rw[n], ra[n], rows[d], L, K, rc[n], mpc, ge, R["ff_count"], R["cells"], R["depth"], \
            R["macs_per_cycle_per_kge"], R["density_vs_int8_mac"], R["sram_bits"], R["xc7_lut"], R["xc7_ff"], R["xc7_dsp"], R["xc7_bram"], R["xc7_lutram"], \
            R["ice40_lc"], ff, R["fraig_conflicts"] > md
        if (R["density_vs_int8_mac"] != "")
            printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d, rl[n], rm[n], R["config"], L, K, R["density_vs_int8_mac"], R["macs_per_cycle_per_kge"], rc[n] > dat
    }
    print "]" > js
    nk = 0; kl = ""
    for (i = 1; i <= nd; i++) if (kept[D[i]]) { nk++; kl = kl (nk > 1 ? ", " : "") D[i] }
    if (nk) {
        print "" > md
        print "Figures kept from the previous report (not synthesized in this build directory, or only some of their steps): " kl "." > md
    }
    if (nm) {
        print "" > md
        print "Ratios between designs mapped with different ABC SAT-sweeping conflict limits (fraig_conflicts: design vs baseline; synth/README.md, \"ABC script\"): " ml "." > md
    }
    notes = 0
    for (n = 1; n <= nr; n++) {
        d = rd[n]
        if (get(d, "ice40_note") != "" && !seen[d]++) {
            if (!notes++) { print "" > md; print "iCE40 (" get(d, "ice40_device") "):" > md; print "" > md }
            print "* " d ": " get(d, "ice40_note") > md
        }
    }
}' || { echo "report.sh: collecting the results failed; $OUT is unchanged" >&2; exit 1; }

outs="area.csv area.json area.md"
if [ "$PLOT" -eq 1 ]; then
    if ! command -v gnuplot >/dev/null 2>&1; then
        echo "report.sh: gnuplot not found, no density plot" >&2
    elif synth/density_plot.sh "$STAGE/density.dat" "$STAGE/density.svg"; then
        outs="$outs density.svg"
    else
        echo "report.sh: the density plot failed; $OUT is unchanged" >&2
        exit 1
    fi
fi
for f in $outs; do
    mv -f "$STAGE/$f" "$OUT/$f" || { echo "report.sh: cannot move $f into $OUT" >&2; exit 1; }
done
[ -z "$PRIOR" ] || rm -f "$PRIOR"
echo "report.sh: wrote $OUT/area.csv area.json area.md$([ "$PLOT" -eq 1 ] && echo ' density.svg')"
