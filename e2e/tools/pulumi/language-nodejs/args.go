package main

import (
	"errors"
	"strings"
)

// splitArgs splits the `nodeargs` runtime option into arguments roughly the way a POSIX shell splits
// words, without any expansion:
//
//   - unquoted blanks (space, tab, newline) separate arguments;
//   - 'single quotes' keep everything up to the next single quote literally;
//   - "double quotes" keep blanks; inside them a backslash escapes only " and \ (and is kept otherwise);
//   - outside quotes a backslash makes the next character literal;
//   - quotes join with what is next to them (--a="b c"d is one argument) and "" is an empty argument.
func splitArgs(s string) ([]string, error) {
	var (
		args    []string
		cur     strings.Builder
		inWord  bool // cur holds an argument, possibly empty ("")
		escaped bool // the previous character was an unquoted backslash
		quote   rune // the open quote, or 0
	)
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\':
				quote = '\\' // a backslash inside double quotes; see the next case
			default:
				cur.WriteRune(r)
			}
		case quote == '\\':
			// The character after a backslash inside double quotes.
			if r != '"' && r != '\\' {
				cur.WriteRune('\\')
			}
			cur.WriteRune(r)
			quote = '"'
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	switch {
	case escaped:
		return nil, errors.New("ends with an unescaped backslash")
	case quote != 0:
		return nil, errors.New("has an unterminated quote")
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}
