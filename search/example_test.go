package search_test

import (
	"fmt"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/search"
)

func ExampleFrontier() {
	f := func(v float64) *float64 { return &v }
	s := &parley.Scenario{
		ID: "lease",
		Issues: []parley.Issue{
			{Name: "rent", Kind: parley.Integer, Options: parley.NumericOptions(parley.Integer, 0, 3, 0)},
			{Name: "term", Kind: parley.Integer, Options: parley.NumericOptions(parley.Integer, 0, 3, 0)},
		},
		Parties: []parley.Party{
			{Name: "tenant", Preferences: &parley.Preferences{
				Scale: 10,
				Constraints: []parley.Rect{
					{Utility: parley.Estimate{Value: 6}, Conditions: []parley.Condition{{Issue: "rent", Max: f(1)}}},
					{Utility: parley.Estimate{Value: 4}, Conditions: []parley.Condition{{Issue: "term", Min: f(2)}}},
				},
				Reservation: parley.Estimate{Value: 0.3},
			}},
			{Name: "landlord", Preferences: &parley.Preferences{
				Scale: 10,
				Constraints: []parley.Rect{
					{Utility: parley.Estimate{Value: 7}, Conditions: []parley.Condition{{Issue: "rent", Min: f(2)}}},
					{Utility: parley.Estimate{Value: 3}, Conditions: []parley.Condition{{Issue: "rent", Min: f(1)}, {Issue: "term", Min: f(3)}}},
				},
				RedLines:    []parley.RedLine{{Name: "no free rent", Conditions: []parley.Condition{{Issue: "rent", Max: f(0)}}}},
				Reservation: parley.Estimate{Value: 0.2},
			}},
		},
	}
	m, err := s.Compile()
	if err != nil {
		panic(err)
	}
	res, err := search.Frontier(m, true, search.Options{})
	if err != nil {
		panic(err)
	}
	for _, p := range res.Points {
		fmt.Printf("tenant %.1f landlord %.1f  rent %d term %d  (%v outcomes)\n",
			m.Parties[0].Utility.F(p.U[0]), m.Parties[1].Utility.F(p.U[1]), p.Outcome[0], p.Outcome[1], p.Count)
	}
	z, _ := search.Zone(m, search.Options{})
	fmt.Println("zone size:", z.Size, "exact:", z.Exact)
	// Output:
	// tenant 1.0 landlord 0.3  rent 1 term 3  (1 outcomes)
	// tenant 0.4 landlord 1.0  rent 2 term 3  (2 outcomes)
	// zone size: 5 exact: true
}
