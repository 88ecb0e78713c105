package parley

// DatePrecision says how exactly an incident's date is known.
type DatePrecision int

// Date precisions, from exact to vague (ACLED time_precision 1–3; UCDP GED
// date_prec 1–5).
const (
	PrecisionUnknown DatePrecision = iota
	PrecisionDay                   // the exact day
	PrecisionDays                  // within a span of two to six days
	PrecisionWeek                  // within a week
	PrecisionMonth                 // within a month
	PrecisionYear                  // within a year
)

// String returns the precision's name.
func (p DatePrecision) String() string {
	switch p {
	case PrecisionUnknown:
		return "unknown"
	case PrecisionDay:
		return "day"
	case PrecisionDays:
		return "days"
	case PrecisionWeek:
		return "week"
	case PrecisionMonth:
		return "month"
	case PrecisionYear:
		return "year"
	}
	return "invalid"
}

// MarshalText writes the precision's name.
func (p DatePrecision) MarshalText() ([]byte, error) { return marshalEnum(p, 6) }

// UnmarshalText reads a precision's name.
func (p *DatePrecision) UnmarshalText(b []byte) error {
	return unmarshalEnum(p, 6, "date precision", b)
}

// An Incident is a reported event that monitors may allege breaks a
// commitment: when and how exactly, where, who was involved, what happened,
// the casualties, the sources and who reported it. Key identifies it
// across imports ("acled:PAK1234", "ucdp:456789").
type Incident struct {
	Key     string `json:"key"`
	Dataset string `json:"dataset"` // "acled", "ucdp", or who filed it by hand
	ID      string `json:"id"`      // the dataset's own id
	// Date is the (first) day, YYYY-MM-DD; DateEnd the last when the
	// source gives a span.
	Date      string        `json:"date"`
	DateEnd   string        `json:"date_end,omitempty"`
	Precision DatePrecision `json:"precision"`
	Country   string        `json:"country,omitempty"`
	Admin1    string        `json:"admin1,omitempty"`
	Admin2    string        `json:"admin2,omitempty"`
	Location  string        `json:"location,omitempty"`
	// Latitude and Longitude in degrees (WGS 84); nil when not given.
	Latitude  *float64 `json:"latitude,omitempty"`
	Longitude *float64 `json:"longitude,omitempty"`
	// GeoPrecision is the dataset's own location precision code (ACLED
	// geo_precision 1–3, UCDP where_prec 1–7); 0 when not given.
	GeoPrecision int    `json:"geo_precision,omitempty"`
	EventType    string `json:"event_type,omitempty"`
	SubEventType string `json:"sub_event_type,omitempty"`
	Actor1       string `json:"actor1,omitempty"`
	Actor2       string `json:"actor2,omitempty"`
	// Fatalities is the best estimate (ACLED fatalities, UCDP best);
	// FatalitiesLow and FatalitiesHigh bound it when the source does.
	Fatalities     int      `json:"fatalities"`
	FatalitiesLow  *int     `json:"fatalities_low,omitempty"`
	FatalitiesHigh *int     `json:"fatalities_high,omitempty"`
	Sources        []string `json:"sources,omitempty"`
	Notes          string   `json:"notes,omitempty"`
	// Confidence is the source's own word on how sure it is ("high" or
	// "low" from UCDP event_clarity); empty when it gives none.
	Confidence string `json:"confidence,omitempty"`
	// ReportedBy is who put the incident in the register.
	ReportedBy string `json:"reported_by,omitempty"`
}
