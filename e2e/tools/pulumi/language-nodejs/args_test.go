package main

import (
	"reflect"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "   \t\n ", want: nil},
		{in: "--inspect", want: []string{"--inspect"}},
		{in: "--require ./hook.js", want: []string{"--require", "./hook.js"}},
		{in: "  --a   --b\t--c\n", want: []string{"--a", "--b", "--c"}},
		{in: `--title="my program"`, want: []string{"--title=my program"}},
		{in: `--title='my "quoted" program'`, want: []string{`--title=my "quoted" program`}},
		{in: `'it''s'`, want: []string{"its"}},
		{in: `"a\"b"`, want: []string{`a"b`}},
		{in: `"a\\b"`, want: []string{`a\b`}},
		{in: `"a\nb"`, want: []string{`a\nb`}},
		{in: `'a\b'`, want: []string{`a\b`}},
		{in: `a\ b c`, want: []string{"a b", "c"}},
		{in: `a\\b`, want: []string{`a\b`}},
		{in: `\"x\"`, want: []string{`"x"`}},
		{in: `"" x ''`, want: []string{"", "x", ""}},
		{in: `pre"mid dle"post`, want: []string{"premid dlepost"}},
		{in: `--max-old-space-size=4096 --enable-source-maps`, want: []string{"--max-old-space-size=4096", "--enable-source-maps"}},
		{in: `"unterminated`, wantErr: true},
		{in: `'unterminated`, wantErr: true},
		{in: `"ends in escape\`, wantErr: true},
		{in: `trailing\`, wantErr: true},
	}
	for _, tt := range tests {
		got, err := splitArgs(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("splitArgs(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("splitArgs(%q): unexpected error %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
