package mdreport

import (
	"strings"
	"testing"
)

func TestMarkdownEscape(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a | b", "a \\| b"},
		{`C:\path`, `C:\\path`},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a & b", "a &amp; b"},
		{"`code` *b* _i_ [l] ~s~", "\\`code\\` \\*b\\* \\_i\\_ \\[l\\] \\~s\\~"},
		{"line1\r\nline2\nline3", "line1 ⏎ line2 ⏎ line3"},
		{"# head", "\\# head"},
		{"  - item", "\\- item"},
		{"+ item", "\\+ item"},
		{"12. x", "12\\. x"},
		{"Error 12. x", "Error 12. x"},
		{"x # y", "x # y"},
		{"tab\there\x00nul", "tab here nul"},
		{long, strings.Repeat("é", mdMaxCell) + "…"},
	}
	for _, tt := range tests {
		if got := mdCell(tt.in); got != tt.want {
			t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := mdHeading("a # b #"); got != "a \\# b \\#" {
		t.Errorf("mdHeading = %q", got)
	}
	for in, want := range map[string]string{
		"file:1":   "`file:1`",
		"a`b":      "``a`b``",
		"`a":       "`` `a ``",
		"a|b\nc":   "`a¦b c`",
		"":         "``",
		"x``y`":    "``` x``y` ```",
		"plain.go": "`plain.go`",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}
