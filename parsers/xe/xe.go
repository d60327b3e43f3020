// Package xe says what an Extended Events event means. It takes a
// parsers.Event whose Name, Time and Fields a reader of XE data has filled
// (the XML reader parsers/xevent, the binary .xel reader parsers/xel) and
// gives the same event with Kind, availability group, replica, states, error
// fields, Server and a one-line Message set, so that an event means the same
// whatever file it was read from. It also holds the limits every XE reader
// applies to one event.
package xe

import "github.com/agtriage/agtriage/parsers"

// Limits on what one event can make an XE reader hold.
const (
	// MaxValue is the longest field value kept; longer values are cut with a warning.
	MaxValue = 1 << 20
	// MaxFields is the most data and action fields kept per event.
	MaxFields = 4096
)

// Interpret fills Kind, AG, replica, states, error fields, Server and Message
// of an event whose Name, Time and Fields are set. Every reader of Extended
// Events data calls it, so that an event gives the same parsers.Event
// whatever file it was read from.
//
// Fields must follow the XML convention: a map field holds its label
// (the <text>) under the field name and, when the number differs from the
// label, the number (the <value>) under name+"_value".
func Interpret(ev *parsers.Event) { interpret(ev) }
