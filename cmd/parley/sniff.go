package main

import (
	"bytes"
	"errors"
	"io"
	"os"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/limit"
)

// Formats a file's first bytes reveal, for messages about a file given in
// the wrong place.
const (
	fmtUnknown    = ""
	fmtXML        = "Genius XML"
	fmtGeniusWeb  = "GeniusWeb JSON"
	fmtJSON       = "JSON"
	fmtTranscript = "a parley transcript"
	fmtYAML       = "a parley scenario (YAML)"
)

// sniff guesses the format of a text file from its first 4 kB.
func sniff(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return fmtUnknown
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmtUnknown
	}
	head = head[:n]
	if bytes.IndexByte(head, 0) >= 0 {
		return fmtUnknown
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(t) == 0:
		return fmtUnknown
	case t[0] == '<':
		return fmtXML
	case t[0] == '{' && bytes.Contains(t, []byte(`"parley.transcript/`)):
		return fmtTranscript
	case t[0] == '{' && (bytes.Contains(t, []byte("UtilitySpace")) || bytes.Contains(t, []byte(`"issuesValues"`))):
		return fmtGeniusWeb
	case t[0] == '{' || t[0] == '[':
		return fmtJSON
	case bytes.Contains(t, []byte("issues:")) || bytes.Contains(t, []byte("parties:")) || bytes.HasPrefix(t, []byte("id:")):
		return fmtYAML
	}
	return fmtUnknown
}

// wrongFormat explains a load error when a file is not in the format its
// flag says (or, without a flag, not a scenario): "FILE is not Genius XML:
// it is a parley scenario (YAML); give it without --genius". want is the
// format expected; it returns err unchanged when the files look right.
func wrongFormat(err error, want string, files []string) error {
	if err == nil || errors.Is(err, limit.ErrTooLarge) || errors.Is(err, limit.ErrNotText) || parley.ErrorCode(err) == parley.ENOTFOUND {
		return err
	}
	for _, f := range files {
		got := sniff(f)
		if got == fmtUnknown || got == want || (want == fmtGeniusWeb && got == fmtJSON) {
			continue
		}
		var how string
		switch got {
		case fmtXML:
			how = "use --genius DOMAIN.xml PROFILE.xml PROFILE.xml ..."
		case fmtGeniusWeb:
			how = "use --geniusweb [DOMAIN.json] PROFILE.json PROFILE.json ..."
		case fmtTranscript:
			how = "'parley replay FILE' reads transcripts"
		case fmtYAML:
			how = "give it without --genius or --geniusweb"
			if want == fmtTranscript {
				how = "'parley analyze FILE' and 'parley simulate FILE' read scenarios"
			}
		case fmtJSON:
			if want == fmtXML {
				how = "GeniusWeb files go with --geniusweb"
			}
		}
		what := "not " + want
		if want == fmtYAML {
			what = "not a parley scenario"
		}
		msg := f + " is " + what + ": it looks like " + got
		if how != "" {
			msg += "; " + how
		}
		return &parley.Error{Code: parley.EINVALID, Message: msg}
	}
	return err
}
