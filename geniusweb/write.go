package geniusweb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/lossy"
	"github.com/parleyhq/parley/internal/naming"
)

// ReservationLost is the warning (after "party %q: ") written when no
// outcome has the party's reservation value as its utility.
const ReservationLost = "no outcome has utility %v, its reservation value; GeniusWeb profiles give a reservation bid, so the reservation is lost (without a reservationBid GeniusWeb accepts any agreement; the importer reads 0)"

// searchBudget bounds the search for a reservation bid (nodes visited).
const searchBudget = 2_000_000

// Write exports s as GeniusWeb JSON into dir (created if needed): a domain
// file <id>.json and one LinearAdditiveUtilitySpace profile per party,
// <party>.json, each embedding the domain (GeniusWeb requires it). It
// returns the files written, in that order, and warnings for everything the
// format cannot express. s must compile.
//
// Each party becomes one profile with its compiled additive utility: issue
// weights are the party's normalised weights (written so that their
// decimal sum is exactly 1, as GeniusWeb requires), issue utilities the
// per-option values. A delegation is exported as its factions'
// weighted-mean utility (the utility parley's analysis uses), with a
// warning: factions, their weights and the ratification rule are lost.
//
// Numeric issues are written as ranges with "numberutils" when their
// options are exactly low, low+step, ..., and every party's utility is
// linear on them; otherwise as discrete values (their labels), with a
// warning. GeniusWeb profiles have no reservation value, only a
// reservation bid: Write looks for an outcome whose utility equals the
// party's reservation value (within one quantum per issue) and writes it
// as the reservationBid; a reservation value of 0 is written as no
// reservationBid (which the importer reads as 0); otherwise, when there is
// no such outcome, the reservation is lost, with a warning. Hyper-rectangle constraints, red lines, roles, variants,
// sources, estimate ranges and discount factors cannot be expressed and
// are reported in warnings.
func Write(dir string, s *parley.Scenario) (files []string, warnings []string, err error) {
	m, err := s.Compile()
	if err != nil {
		return nil, nil, err
	}
	warnings = lossy.Features(s)
	pus := partyUtils(s)
	for _, pu := range pus {
		if pu.rects > 0 {
			warnings = append(warnings, fmt.Sprintf("party %q: %d hyper-rectangle constraints are not exported (GeniusWeb linear additive profiles have none); its utility loses them", pu.name, pu.rects))
		}
		if pu.disc {
			warnings = append(warnings, fmt.Sprintf("party %q: the discount factor is not exported (GeniusWeb profiles have none)", pu.name))
		}
	}
	// Issues: ranges when exact and linear for every party.
	ranges := make([]*rangeSpec, len(s.Issues))
	for i := range s.Issues {
		ranges[i] = numberRange(&s.Issues[i], pus, i)
		if s.Issues[i].Kind != parley.Categorical && ranges[i] == nil {
			warnings = append(warnings, fmt.Sprintf("issue %q (%s) is exported as discrete values (its option labels): its options are not an exact decimal range or some party's utility is not linear on it", s.Issues[i].Name, s.Issues[i].Kind))
		}
	}
	domName := simpleName(s.ID, "domain")
	if domName != s.ID {
		warnings = append(warnings, fmt.Sprintf("scenario id %q is written as domain name %q (GeniusWeb names are letters and digits)", s.ID, domName))
	}
	dom := domainJSON(s, ranges, domName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, warnings, &parley.Error{Code: parley.EINTERNAL, Message: "geniusweb: creating " + dir, Err: err}
	}
	used := map[string]bool{}
	write := func(base string, v *obj) error {
		fn := filepath.Join(dir, naming.Unique(fileName(base), used)+".json")
		var buf bytes.Buffer
		v.write(&buf, 0)
		buf.WriteByte('\n')
		if err := os.WriteFile(fn, buf.Bytes(), 0o644); err != nil {
			return &parley.Error{Code: parley.EINTERNAL, Message: "geniusweb: writing " + fn, Err: err}
		}
		files = append(files, fn)
		return nil
	}
	if err := write(s.ID, dom); err != nil {
		return files, warnings, err
	}
	names := map[string]bool{}
	for pi, pu := range pus {
		name := naming.Unique(simpleName(pu.name, fmt.Sprintf("party%d", pi+1)), names)
		if name != pu.name {
			warnings = append(warnings, fmt.Sprintf("party %q is written as profile name %q (GeniusWeb names are letters and digits)", pu.name, name))
		}
		if err := write(pu.name, profileJSON(s, m, pi, pu, name, dom, ranges, &warnings)); err != nil {
			return files, warnings, err
		}
	}
	return files, warnings, nil
}

// profileJSON returns the profile file of party pi, named name, over the
// domain object dom: its issue utilities, weights and, when its reservation
// is not 0, the reservation bid that carries it (or a warning that it is
// lost).
func profileJSON(s *parley.Scenario, m *parley.Model, pi int, pu partyUtil, name string, dom *obj, ranges []*rangeSpec, warnings *[]string) *obj {
	prof := &obj{}
	prof.add("name", str(name))
	prof.add("domain", dom)
	iu := &obj{}
	for i := range s.Issues {
		iu.add(s.Issues[i].Name, issueUtilityJSON(&s.Issues[i], ranges[i], pu, i, warnings))
	}
	prof.add("issueUtilities", iu)
	prof.add("issueWeights", weightsJSON(s, pu))
	if m.Parties[pi].Reservation != 0 {
		// Without a reservation bid the importer reads 0.
		if bid := reservationBid(m, pi, pu); bid != nil {
			prof.add("reservationBid", bidJSON(s, ranges, bid))
		} else {
			*warnings = append(*warnings, fmt.Sprintf("party %q: "+ReservationLost, pu.name, pu.res))
		}
	}
	root := &obj{}
	root.add("LinearAdditiveUtilitySpace", prof)
	return root
}

// bidJSON returns the bid object of outcome bid: a number for an issue
// written as a range, the option label otherwise.
func bidJSON(s *parley.Scenario, ranges []*rangeSpec, bid parley.Outcome) *obj {
	ivs := &obj{}
	for i, k := range bid {
		is := &s.Issues[i]
		if ranges[i] != nil {
			ivs.add(is.Name, raw(ranges[i].values[k]))
		} else {
			ivs.add(is.Name, str(is.Options[k].Label))
		}
	}
	b := &obj{}
	b.add("issuevalues", ivs)
	return b
}

// rangeSpec is a numeric issue written as a GeniusWeb range.
type rangeSpec struct {
	low, high, step string
	values          []string // each option's number, as written in bids
}

// decimal writes x in plain decimal notation, exactly (the shortest
// representation that reads back as x).
func decimal(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func numberRange(is *parley.Issue, pus []partyUtil, i int) *rangeSpec {
	if is.Kind == parley.Categorical || len(is.Options) < 2 {
		return nil
	}
	for _, o := range is.Options {
		if o.NotAddressed || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
			return nil
		}
	}
	n := len(is.Options)
	low := is.Options[0].Value
	stepF := is.Options[1].Value - is.Options[0].Value
	if is.Kind == parley.Real && is.Step > 0 {
		stepF = is.Step
	}
	if is.Kind == parley.Integer {
		stepF = 1
	}
	if !(stepF > 0) {
		return nil
	}
	lowR, _ := new(big.Rat).SetString(decimal(low))
	stepR, _ := new(big.Rat).SetString(decimal(stepF))
	rs := &rangeSpec{low: decimal(low), step: decimal(stepF)}
	for k, o := range is.Options {
		x := new(big.Rat).Mul(stepR, new(big.Rat).SetInt64(int64(k)))
		x.Add(x, lowR)
		f, _ := x.Float64()
		if f != o.Value || numberLabel(x) != o.Label {
			return nil
		}
		rs.values = append(rs.values, decimal(f))
	}
	rs.high = rs.values[n-1]
	// Linear for every party?
	x0, xn := is.Options[0].Value, is.Options[n-1].Value
	for _, pu := range pus {
		c := pu.c[i]
		scale := math.Max(math.Abs(c[0]), math.Abs(c[n-1]))
		for k, o := range is.Options {
			lin := c[0] + (c[n-1]-c[0])*(o.Value-x0)/(xn-x0)
			if math.Abs(lin-c[k]) > 1e-12*math.Max(scale, 1) {
				return nil
			}
		}
	}
	return rs
}

func domainJSON(s *parley.Scenario, ranges []*rangeSpec, name string) *obj {
	iv := &obj{}
	for i := range s.Issues {
		is := &s.Issues[i]
		o := &obj{}
		if r := ranges[i]; r != nil {
			rg := &obj{}
			rg.add("low", raw(r.low))
			rg.add("high", raw(r.high))
			rg.add("step", raw(r.step))
			o.add("range", rg)
		} else {
			var vs arr
			for _, op := range is.Options {
				vs = append(vs, str(op.Label))
			}
			o.add("values", vs)
		}
		iv.add(is.Name, o)
	}
	d := &obj{}
	d.add("name", str(name))
	d.add("issuesValues", iv)
	return d
}

// utilityOf returns a party's issue utility of option k: its contribution
// divided by the issue weight.
func utilityOf(pu partyUtil, i, k int) float64 {
	if pu.w[i] <= 0 {
		return 0
	}
	return pu.c[i][k] / pu.w[i]
}

func issueUtilityJSON(is *parley.Issue, r *rangeSpec, pu partyUtil, i int, warnings *[]string) value {
	out := &obj{}
	bad := false
	check := func(u float64) float64 {
		if u < 0 || u > 1 {
			bad = true
		}
		return u
	}
	if r != nil {
		n := len(is.Options)
		nu := &obj{}
		nu.add("lowValue", raw(r.low))
		nu.add("lowUtility", num(check(utilityOf(pu, i, 0))))
		nu.add("highValue", raw(r.high))
		nu.add("highUtility", num(check(utilityOf(pu, i, n-1))))
		out.add("numberutils", nu)
	} else {
		vu := &obj{}
		for k, o := range is.Options {
			vu.add(o.Label, num(check(utilityOf(pu, i, k))))
		}
		du := &obj{}
		du.add("valueUtilities", vu)
		out.add("discreteutils", du)
	}
	if bad {
		*warnings = append(*warnings, fmt.Sprintf("party %q, issue %q: utilities outside [0, 1] are written as they are; GeniusWeb rejects them", pu.name, is.Name))
	}
	return out
}

// weightsJSON writes the weights so that their decimal sum is exactly 1:
// the largest weight takes the rest.
func weightsJSON(s *parley.Scenario, pu partyUtil) *obj {
	n := len(s.Issues)
	ws := make([]string, n)
	big1 := 0
	for i := range pu.w {
		if pu.w[i] > pu.w[big1] {
			big1 = i
		}
	}
	if pu.w[big1] <= 0 {
		// No weights at all: the utility is 0 everywhere whatever they are.
		for i := range ws {
			ws[i] = "0"
		}
		ws[0] = "1"
	} else {
		rest := big.NewRat(1, 1)
		places := 0
		for i := range pu.w {
			if i == big1 {
				continue
			}
			ws[i] = decimal(pu.w[i])
			x, _ := new(big.Rat).SetString(ws[i])
			rest.Sub(rest, x)
			if j := strings.IndexByte(ws[i], '.'); j >= 0 {
				places = max(places, len(ws[i])-j-1)
			}
		}
		f, _ := rest.Float64()
		if d := decimal(f); func() bool { x, _ := new(big.Rat).SetString(d); return x.Cmp(rest) == 0 }() {
			ws[big1] = d
		} else {
			ws[big1] = strings.TrimRight(strings.TrimRight(rest.FloatString(places), "0"), ".")
		}
	}
	o := &obj{}
	for i := range s.Issues {
		o.add(s.Issues[i].Name, raw(ws[i]))
	}
	return o
}

// reservationBid looks for an outcome whose additive utility for party pi
// equals its reservation value within one quantum per issue, by a
// depth-first search pruned with each issue's utility range.
func reservationBid(m *parley.Model, pi int, pu partyUtil) parley.Outcome {
	vals := m.Parties[pi].Utility.Values
	target := m.Parties[pi].Reservation
	tol := int64(len(vals))
	n := len(vals)
	lo, hi := make([]int64, n+1), make([]int64, n+1)
	for i := n - 1; i >= 0; i-- {
		mn, mx := vals[i][0], vals[i][0]
		for _, v := range vals[i] {
			mn, mx = min(mn, v), max(mx, v)
		}
		lo[i], hi[i] = lo[i+1]+mn, hi[i+1]+mx
	}
	o := make(parley.Outcome, n)
	budget := searchBudget
	var dfs func(i int, sum int64) bool
	dfs = func(i int, sum int64) bool {
		budget--
		if budget < 0 {
			return false
		}
		if sum+lo[i] > target+tol || sum+hi[i] < target-tol {
			return false
		}
		if i == n {
			return true
		}
		for k, v := range vals[i] {
			o[i] = k
			if dfs(i+1, sum+v) {
				return true
			}
		}
		return false
	}
	if dfs(0, 0) {
		return o
	}
	return nil
}

// simpleName keeps the letters and digits of s (GeniusWeb names match
// [a-zA-Z0-9]+); def when none are left.
func simpleName(s, def string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return def
	}
	return b.String()
}

// fileName makes s safe as a file name.
func fileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 || strings.Trim(b.String(), ".") == "" {
		return "x"
	}
	return b.String()
}

// A tiny ordered JSON writer: GeniusWeb issue order is the key order.
type value interface{ write(*bytes.Buffer, int) }

type obj struct {
	keys []string
	vals []value
}

func (o *obj) add(k string, v value) { o.keys = append(o.keys, k); o.vals = append(o.vals, v) }

type arr []value
type raw string

func str(s string) raw {
	b, _ := json.Marshal(s)
	return raw(b)
}

func num(x float64) raw { return raw(strconv.FormatFloat(x, 'g', -1, 64)) }

func (r raw) write(b *bytes.Buffer, _ int) { b.WriteString(string(r)) }

func indent(b *bytes.Buffer, d int) {
	b.WriteByte('\n')
	for range d {
		b.WriteByte('\t')
	}
}

func (o *obj) write(b *bytes.Buffer, d int) {
	if len(o.keys) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		indent(b, d+1)
		str(k).write(b, 0)
		b.WriteString(": ")
		o.vals[i].write(b, d+1)
	}
	indent(b, d)
	b.WriteByte('}')
}

func (a arr) write(b *bytes.Buffer, d int) {
	b.WriteByte('[')
	for i, v := range a {
		if i > 0 {
			b.WriteString(", ")
		}
		v.write(b, d+1)
	}
	b.WriteByte(']')
}
