package parley

import "strings"

// Audiences is a union of audiences: an event that any of them may see.
// The verification mechanism of an agreement needs it (a joint body's
// members are several parties and the mediators' chair, a narrower set
// than everyone and wider than one caucus). Its text form joins the
// audiences' with "+" ("delegation:0+delegation:1+mediator"); "nobody" is
// the empty union. A single audience is a union of one, so that every
// stored audience reads as Audiences.
type Audiences []Audience

// nobody is the text form of the empty union.
const nobody = "nobody"

// Includes reports whether seat s may see an event with this audience:
// whether one of the audiences includes it.
func (as Audiences) Includes(s Seat) bool {
	for _, a := range as {
		if a.Includes(s) {
			return true
		}
	}
	return false
}

// String writes the union as ParseAudiences reads it.
func (as Audiences) String() string {
	if len(as) == 0 {
		return nobody
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.String()
	}
	return strings.Join(parts, "+")
}

// ParseAudiences reads a union written by Audiences.String, or a single
// audience written by Audience.String ("" is the unset audience, which
// everyone sees). Errors have code EINVALID.
func ParseAudiences(text string) (Audiences, error) {
	if text == nobody {
		return Audiences{}, nil
	}
	if !strings.Contains(text, "+") {
		a, err := ParseAudience(text)
		if err != nil {
			return nil, err
		}
		return Audiences{a}, nil
	}
	parts := strings.Split(text, "+")
	out := make(Audiences, 0, len(parts))
	for _, p := range parts {
		if p == "" || p == nobody {
			return nil, Errorf(EINVALID, "audience %q: an empty or \"nobody\" part in a union", text)
		}
		a, err := ParseAudience(p)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
