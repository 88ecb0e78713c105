package pareto_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/pareto"
)

func ExampleFrontier() {
	q := func(us ...float64) []int64 {
		out := make([]int64, len(us))
		for i, u := range us {
			out[i] = parley.Q(u)
		}
		return out
	}
	// Price and delivery: the buyer and the seller value them in opposite
	// ways, and delivery option 2 is worse for both. Neither cares about
	// the venue, so each frontier vector is attained by two outcomes.
	m := &parley.Model{
		Sizes: []int{3, 3, 2},
		Parties: []parley.PartyModel{
			{Name: "buyer", Utility: parley.UtilityFn{Values: [][]int64{q(0.6, 0.3, 0), q(0.4, 0.2, 0), q(0, 0)}}},
			{Name: "seller", Utility: parley.UtilityFn{Values: [][]int64{q(0, 0.3, 0.6), q(0, 0.1, 0), q(0, 0)}}},
		},
	}
	res, err := pareto.Frontier(m, pareto.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Method)
	for _, p := range res.Points {
		fmt.Printf("buyer %.1f seller %.1f  outcome %v  count %v\n", parley.F(p.U[0]), parley.F(p.U[1]), p.Outcome, p.Count)
	}
	// Output:
	// issue-merge (2 parties)
	// buyer 1.0 seller 0.0  outcome [0 0 0]  count 2
	// buyer 0.8 seller 0.1  outcome [0 1 0]  count 2
	// buyer 0.7 seller 0.3  outcome [1 0 0]  count 2
	// buyer 0.5 seller 0.4  outcome [1 1 0]  count 2
	// buyer 0.4 seller 0.6  outcome [2 0 0]  count 2
	// buyer 0.2 seller 0.7  outcome [2 1 0]  count 2
}
