package tournament

import (
	"cmp"
	"encoding/csv"
	"math"
	"math/big"
	"math/bits"
	"os"
	"slices"
	"strconv"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/fixed"
)

// acc sums fixed-point values (multiples of 1/parley.Quantum) and their
// squares exactly in 128 bits, so that a summary does not depend on the
// order of the rows (which depends on the worker count).
type acc struct {
	s          fixed.Sum // the sum
	sqHi, sqLo uint64    // unsigned 128-bit sum of squares
}

func (a *acc) add(x float64) {
	q := parley.Q(x)
	a.s.AddQ(q)
	u := uint64(q)
	if q < 0 {
		u = uint64(-q)
	}
	hi, lo := bits.Mul64(u, u)
	var c uint64
	a.sqLo, c = bits.Add64(a.sqLo, lo, 0)
	a.sqHi, _ = bits.Add64(a.sqHi, hi, c)
}

func (a *acc) sum() *big.Int { return a.s.Int() }

func (a *acc) sq() *big.Int {
	s := new(big.Int).SetUint64(a.sqHi)
	return s.Lsh(s, 64).Or(s, new(big.Int).SetUint64(a.sqLo))
}

// mean returns the mean of n values (fixed.Sum.Mean).
func (a *acc) mean(n int64) float64 { return a.s.Mean(n) }

// variance returns the sample variance (n−1 in the denominator) of n
// values: (n·Σq² − (Σq)²) / (n(n−1)) / Quantum², computed exactly.
func (a *acc) variance(n int64) float64 {
	if n < 2 {
		return math.NaN()
	}
	s := a.sum()
	num := new(big.Int).Mul(big.NewInt(n), a.sq())
	num.Sub(num, new(big.Int).Mul(s, s))
	den := new(big.Int).Mul(big.NewInt(n), big.NewInt(n-1))
	den.Mul(den, new(big.Int).Mul(big.NewInt(parley.Quantum), big.NewInt(parley.Quantum)))
	f, _ := new(big.Rat).SetFrac(num, den).Float64()
	return f
}

// tQuantile975 returns the 0.975 quantile of Student's t distribution with
// df degrees of freedom: from the table of Abramowitz & Stegun (Table
// 26.10) for df ≤ 30, else the Cornish–Fisher expansion around the normal
// quantile (A&S 26.7.5), whose error is below 1e-6 there.
func tQuantile975(df int64) float64 {
	table := [...]float64{0, 12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836,
		2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852,
		2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546,
		2.119905299, 2.109815578, 2.100922040, 2.093024054, 2.085963447,
		2.079613845, 2.073873068, 2.068657610, 2.063898562, 2.059538553,
		2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456}
	if df < 1 {
		return math.NaN()
	}
	if df < int64(len(table)) {
		return table[df]
	}
	z := 1.959963984540054
	n := float64(df)
	z3, z5, z7 := z*z*z, z*z*z*z*z, z*z*z*z*z*z*z
	return z + (z3+z)/(4*n) + (5*z5+16*z3+3*z)/(96*n*n) + (3*z7+19*z5+17*z3-15*z)/(384*n*n*n)
}

// agentStats are one agent's aggregates over its seats in negotiations.
type agentStats struct {
	agent                              string
	n, agreements                      int64
	utility, advantage, welfare, partW acc
	omN                                [2]int64 // seats with an opponent_model_pearson, _rmse
	om                                 [2]acc
}

// Summary aggregates results per agent: every seat an agent played counts
// once (in self-play, an agent counts once per seat it holds).
type Summary struct {
	stats map[string]*agentStats
	seats int
}

// NewSummary returns an empty summary for tables of the given seat count.
func NewSummary(seats int) *Summary { return &Summary{stats: map[string]*agentStats{}, seats: seats} }

// addRecord adds one results.csv record (columns as columns(seats)).
func (s *Summary) addRecord(rec []string) error {
	nf := len(fixedColumns)
	agreed := rec[8] == "true"
	welfare, err := strconv.ParseFloat(rec[13], 64)
	if err != nil {
		return parley.Errorf(parley.EINVALID, "welfare %q: %v", rec[13], err)
	}
	for i := range s.seats {
		base := nf + i*len(seatColumns)
		name := rec[base]
		if name == "" {
			continue
		}
		var v [3]float64
		for j, col := range summedCols {
			if v[j], err = strconv.ParseFloat(rec[base+col], 64); err != nil {
				return parley.Errorf(parley.EINVALID, "%s: %q: %v", seatColumns[col].name, rec[base+col], err)
			}
		}
		st := s.stats[name]
		if st == nil {
			st = &agentStats{agent: name}
			s.stats[name] = st
		}
		st.n++
		if agreed {
			st.agreements++
		}
		st.utility.add(v[0])
		st.advantage.add(v[1])
		st.partW.add(v[2])
		st.welfare.add(welfare)
		for j, col := range modelCols { // empty without a model
			if rec[base+col] == "" {
				continue
			}
			x, err := strconv.ParseFloat(rec[base+col], 64)
			if err != nil {
				return parley.Errorf(parley.EINVALID, "%s: %q: %v", seatColumns[col].name, rec[base+col], err)
			}
			st.om[j].add(x)
			st.omN[j]++
		}
	}
	return nil
}

// SummaryColumns are the columns of summary.csv.
var SummaryColumns = []string{"rank", "agent", "n", "utility_mean", "utility_ci95_low", "utility_ci95_high", "utility_std",
	"agreement_rate", "advantage_mean", "welfare_mean", "partner_welfare_mean",
	"opponent_model_pearson_mean", "opponent_model_rmse_mean"}

// Rows returns the summary table: agents ranked by mean utility (highest
// first; ties by name), with the 95% confidence interval of the mean,
// mean ± t(0.975, n−1)·s/√n (empty for n < 2).
func (s *Summary) Rows() [][]string {
	sts := make([]*agentStats, 0, len(s.stats))
	for _, st := range s.stats {
		sts = append(sts, st)
	}
	means := map[*agentStats]float64{}
	for _, st := range sts {
		means[st] = st.utility.mean(st.n)
	}
	slices.SortFunc(sts, func(a, b *agentStats) int {
		return cmp.Or(cmp.Compare(means[b], means[a]), cmp.Compare(a.agent, b.agent))
	})
	out := [][]string{SummaryColumns}
	for k, st := range sts {
		mean := means[st]
		sd := math.Sqrt(st.utility.variance(st.n))
		half := tQuantile975(st.n-1) * sd / math.Sqrt(float64(st.n))
		out = append(out, []string{
			strconv.Itoa(k + 1), st.agent, strconv.FormatInt(st.n, 10),
			fmtFloat(mean), fmtFloat(mean - half), fmtFloat(mean + half), fmtFloat(sd),
			fmtFloat(float64(st.agreements) / float64(st.n)),
			fmtFloat(st.advantage.mean(st.n)), fmtFloat(st.welfare.mean(st.n)), fmtFloat(st.partW.mean(st.n)),
			fmtFloat(st.om[0].mean(st.omN[0])), fmtFloat(st.om[1].mean(st.omN[1])),
		})
	}
	return out
}

// writeSummary reads results.csv and writes summary.csv beside it.
func writeSummary(resultsPath, summaryPath string, cols []column) error {
	seats := (len(cols) - len(fixedColumns)) / len(seatColumns)
	s := NewSummary(seats)
	err := scanCSV(resultsPath, header(cols), func(line int, rec []string) error {
		if err := s.addRecord(rec); err != nil {
			return &parley.Error{Code: parley.EINVALID, Message: resultsPath + ":" + strconv.Itoa(line), Err: err}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return writeCSVFile(summaryPath, s.Rows())
}

// writeCSVFile writes records to path atomically (a temporary file renamed
// into place after fsync).
func writeCSVFile(path string, recs [][]string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: creating " + tmp, Err: err}
	}
	w := csv.NewWriter(f)
	_ = w.WriteAll(recs) // the error is w.Error, checked below
	if err := w.Error(); err != nil {
		f.Close()
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + path, Err: err}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + path, Err: err}
	}
	if err := f.Close(); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + path, Err: err}
	}
	if err := os.Rename(tmp, path); err != nil {
		return &parley.Error{Code: parley.EINTERNAL, Message: "tournament: writing " + path, Err: err}
	}
	return nil
}
