package genius

import (
	"os"
	"path/filepath"
	"testing"
)

func seeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("<a b=c d='e'/>"))
	f.Add([]byte("<!-- x --><?xml?><!DOCTYPE a [<!ELEMENT a ANY>]><a><![CDATA[<]]></a>"))
}

func FuzzReadDomain(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadDomain("f.xml", data)
		if err == nil {
			if _, err := Build(d, nil, nil, Options{}); err != nil {
				t.Fatalf("Build of a read domain failed: %v", err)
			}
		}
	})
}

func FuzzReadProfile(f *testing.F) {
	seeds(f)
	doms := map[string]*Domain{}
	for _, n := range []string{"car-domain.xml", "int-domain.xml", "real-domain.xml", "nl-domain.xml", "latin1-domain.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		d, err := ReadDomain(n, data)
		if err != nil {
			f.Fatal(err)
		}
		doms[n] = d
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range doms {
			p, err := ReadProfile("f.xml", data, d)
			if err != nil {
				continue
			}
			s, err := Build(d, []*Profile{p, p}, []string{"a", "b"}, Options{RealSteps: 3})
			if err != nil {
				t.Fatalf("Build: %v", err)
			}
			_, _ = s.Compile() // may reject (say, negative values); must not panic
		}
	})
}
