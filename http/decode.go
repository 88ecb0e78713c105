package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/parleyhq/parley"
)

// decodeJSON reads one JSON value of at most limit bytes from the body
// into v, refusing unknown fields and trailing data. Errors have code
// EINVALID (ELIMIT for a body over the limit) and say what is wrong in
// JSON's terms, never Go's.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, limit)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return jsonError(err, limit)
		}
		return parley.Errorf(parley.EINVALID, "request body: one JSON value expected, more follows it")
	}
	return nil
}

// jsonError words a decoding error for the client.
func jsonError(err error, limit int64) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return parley.Errorf(parley.ELIMIT, "request body over the limit of %d bytes", limit)
	case parley.ErrorCode(err) != parley.EINTERNAL:
		return err // a field's own check said why
	case errors.Is(err, io.EOF):
		return parley.Errorf(parley.EINVALID, "request body: a JSON object expected, got nothing")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return parley.Errorf(parley.EINVALID, "request body: the JSON ends too soon")
	case errors.As(err, &se):
		return parley.Errorf(parley.EINVALID, "request body: malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "request body"
		}
		return parley.Errorf(parley.EINVALID, "%s: expected %s, got a JSON %s", field, kindWords(te.Type), te.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return parley.Errorf(parley.EINVALID, "request body: unknown field %s", f)
	}
	return parley.Errorf(parley.EINVALID, "request body: malformed JSON")
}

// kindWords says what a Go type holds in JSON terms.
func kindWords(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return fmt.Sprintf("a %s", t.Kind())
}
