package report

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// This file formats numbers for people, the same way in every report.

// num writes a utility with three decimals.
func num(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }

// signed writes a difference of utilities with three decimals and a sign.
func signed(x float64) string {
	s := strconv.FormatFloat(x, 'f', 3, 64)
	if x >= 0 {
		s = "+" + s
	}
	return s
}

// pct writes a share as a percentage with one decimal.
func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

// count writes a count with thousands separators.
func count(n int) string { return group(strconv.Itoa(n)) }

// bigCount writes a big count with thousands separators ("" for nil).
func bigCount(n *big.Int) string {
	if n == nil {
		return ""
	}
	return group(n.String())
}

// group writes a decimal integer with thousands separators; past 24
// digits, in scientific notation.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if len(s) > 24 {
		fmt.Fprintf(&b, "%s.%s·10^%d", s[:1], s[1:3], len(s)-1)
		return b.String()
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// approx writes an estimated count to three significant digits, with
// thousands separators.
func approx(x float64) string {
	if x >= 1e21 || math.IsInf(x, 0) || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
	if x >= 1000 {
		p := math.Pow(10, math.Floor(math.Log10(x))-2)
		x = math.Round(x/p) * p
	}
	return group(strconv.FormatFloat(math.Round(x), 'f', 0, 64))
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
