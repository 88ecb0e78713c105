package parley

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They classify what went wrong so that edges (CLI exit codes,
// HTTP statuses) can translate them once.
const (
	EINVALID  = "invalid"  // bad input: a file, flag or request that breaks the rules
	ENOTFOUND = "notfound" // a named thing (scenario, variant, party, issue) does not exist
	ECONFLICT = "conflict" // input contradicts itself (duplicate names, clashing overrides)
	ELIMIT    = "limit"    // a computation would exceed a configured budget
	EINTERNAL = "internal" // a bug or an unexpected failure
	// EUNAUTHORIZED: no valid credential (a missing, forged or foreign
	// seat token); EFORBIDDEN: a valid one that does not allow this.
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
)

// Error is parley's domain error: a code, a human-readable message and,
// optionally, the wrapped cause.
type Error struct {
	Code    string
	Message string
	Err     error
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		if e.Message == "" {
			return e.Err.Error()
		}
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the wrapped cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// error and EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or
// "Internal error." for other errors.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Error()
	}
	return "Internal error."
}

// PosError is an error at a position in an input file, in the shape of
// encoding/csv's ParseError: file:line:column, the field path, and why.
type PosError struct {
	File   string // file name as given by the caller; may be empty
	Line   int    // 1-based; 0 if unknown
	Column int    // 1-based; 0 if unknown
	Path   string // field path such as "parties[1].factions[0].weight"; may be empty
	Err    error
}

// Error formats the error as "file:line:col: path: message".
func (e *PosError) Error() string {
	s := e.File
	if s == "" {
		s = "<input>"
	}
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			s += fmt.Sprintf(":%d", e.Column)
		}
	}
	if e.Path != "" {
		s += ": " + e.Path
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PosError) Unwrap() error { return e.Err }

// PosErrors is a list of problems found in one input, each with its
// position, for loaders that report every problem at once (a scenario file,
// a tournament file). errors.As finds the first *PosError, and ErrorCode
// the code of the first problem.
type PosErrors []*PosError

// Error lists the problems, one a line.
func (e PosErrors) Error() string {
	var b strings.Builder
	for i, pe := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pe.Error())
	}
	return b.String()
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e PosErrors) Unwrap() []error {
	out := make([]error, len(e))
	for i, pe := range e {
		out[i] = pe
	}
	return out
}
