package protocol

import "testing"

// TestClock places rounds on the calendar of the 2025 Istanbul round (days
// of 19, 11, 18 and 10 hours of session; the figures are the scenario's,
// not derived here) at 2 hours a round, and beyond it.
func TestClock(t *testing.T) {
	t.Parallel()
	c := MediatedConfig{Calendar: []float64{19, 11, 18, 10}, HoursPerRound: 2}
	for _, tc := range []struct {
		round, day int
		hour       float64
	}{
		{0, 0, 0}, {9, 0, 18}, {10, 1, 1}, {15, 2, 0}, {23, 2, 16}, {24, 3, 0}, {28, 3, 8}, {29, 4, 0}, {34, 5, 0}, {36, 5, 4},
	} {
		d, h := c.clock(tc.round)
		if d != tc.day || h != tc.hour {
			t.Errorf("round %d: day %d hour %v, want day %d hour %v", tc.round, d, h, tc.day, tc.hour)
		}
	}
	c = MediatedConfig{HoursPerRound: 0.1}
	if d, h := c.clock(250); d != 1 || h != 1 {
		t.Errorf("24-hour days, round 250 at 0.1h: day %d hour %v, want 1, 1", d, h)
	}
	c = MediatedConfig{HoursPerRound: 1e6, Calendar: []float64{1e-6}}
	if d, _ := c.clock(MaxRounds); d <= 0 {
		t.Errorf("huge calendars must not overflow: day %d", d)
	}
}

// TestCalendar: the exported calendar fills in the mediated protocol's
// default of one hour a round, and counts alternating offers at one hour a
// round in days of 24 hours.
func TestCalendar(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg        Config
		round, day int
		hour       float64
	}{
		{MediatedConfig{Calendar: []float64{19, 11}, HoursPerRound: 2}, 10, 1, 1},
		{MediatedConfig{}, 25, 1, 1},
		{MediatedConfig{}, -3, 0, 0},
		{SAOConfig{}, 0, 0, 0},
		{SAOConfig{}, 23, 0, 23},
		{SAOConfig{}, 50, 2, 2},
	} {
		d, h := Calendar(tc.cfg, tc.round)
		if d != tc.day || h != tc.hour {
			t.Errorf("%T round %d: day %d hour %v, want day %d hour %v", tc.cfg, tc.round, d, h, tc.day, tc.hour)
		}
	}
}
