package naming

import "strings"

// Closest returns the candidate within a small edit distance of s (case
// folded: at most 1 for names of up to 2 bytes, growing to 2 and at most 3
// for longer ones), or "" when none is that close. Ties go to the earlier
// candidate; an empty s has none.
func Closest(s string, candidates []string) string {
	if s == "" {
		return ""
	}
	best, bestD := "", min(len(s)/3+2, 3)
	for _, c := range candidates {
		if d := EditDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance of a and b, by bytes; inputs
// longer than 64 bytes are 0 apart when equal and 64 otherwise, so that
// hostile input stays cheap.
func EditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
