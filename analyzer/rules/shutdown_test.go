package rules

import (
	"testing"
	"time"

	"github.com/agtriage/agtriage/parsers"
)

func TestCrashTime(t *testing.T) {
	boot := time.Date(2025, 6, 3, 7, 16, 30, 0, time.UTC)
	msg := func(tm, date string) *parsers.Event {
		return &parsers.Event{Time: boot, Message: "The previous system shutdown at " + tm + " on " + date + " was unexpected."}
	}
	want := time.Date(2025, 6, 3, 7, 10, 1, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		ev       *parsers.Event
		offset   string
		want     time.Time
		parsable bool
	}{
		{"en-US with direction marks", msg("\u200e2:10:01 AM", "\u200e6/\u200e3/\u200e2025"), "-05:00", want, true},
		{"en-GB day first", msg("02:10:01", "03/06/2025"), "-05:00", want, true},
		{"ISO date", msg("08:10:01", "2025-06-03"), "+01:00", want, true},
		{"German", msg("08:10:01", "03.06.2025"), "+01:00", want, true},
		{"a day that is later than the boot in one order", msg("2:10:01 AM", "6/3/2025"), "-05:00", want, true},
		{"offset unknown", msg("2:10:01 AM", "6/3/2025"), "", time.Time{}, false},
		{"after the boot", msg("11:10:01 PM", "6/3/2025"), "-05:00", time.Time{}, false},
		{"not a 6008", &parsers.Event{Time: boot, Message: "The system has rebooted without cleanly shutting down first."}, "-05:00", time.Time{}, false},
		{"garbage", msg("soon", "someday"), "-05:00", time.Time{}, false},
	} {
		got, ok := crashTime(tc.ev, tc.offset)
		if ok != tc.parsable || !got.Equal(tc.want) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got, ok, tc.want, tc.parsable)
		}
	}
}

// FuzzCrashTime: the text of a 6008 comes from the log; no message, time,
// date or offset makes crashTime panic or return a time after the boot.
func FuzzCrashTime(f *testing.F) {
	f.Add("\u200e2:10:01 AM", "\u200e6/\u200e3/\u200e2025", "-05:00")
	f.Add("02:10:01", "03.06.2025", "+01:00")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, tm, date, offset string) {
		boot := time.Date(2025, 6, 3, 7, 16, 30, 0, time.UTC)
		ev := &parsers.Event{Time: boot, Message: "The previous system shutdown at " + tm + " on " + date + " was unexpected."}
		if got, ok := crashTime(ev, offset); ok && (got.After(boot) || boot.Sub(got) > 7*24*time.Hour) {
			t.Errorf("crash at %v for a boot at %v", got, boot)
		}
	})
}
