package parsers

import "testing"

func TestMessageShape(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"no digits":                 "no digits",
		"spid 51, retry 3":          "spid ##, retry #",
		"10.0.0.5:5022 ü 7":         "##.#.#.#:#### ü #",
		"Login failed for user 'x'": "Login failed for user 'x'",
	} {
		if got := MessageShape(in); got != want {
			t.Errorf("MessageShape(%q) = %q, want %q", in, got, want)
		}
	}
}
