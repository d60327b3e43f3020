package xevent

import "github.com/agtriage/agtriage/parsers"

// Interpret fills Kind, AG, replica, states, error fields, Server and Message
// of an event whose Name, Time and Fields are set, exactly as the XML reader
// does. Other readers of Extended Events data (the binary .xel reader) call it
// so that an event gives the same parsers.Event whatever file it was read from.
//
// Fields must follow the XML reader's convention: a map field holds its label
// (the <text>) under the field name and, when the number differs from the
// label, the number (the <value>) under name+"_value".
func Interpret(ev *parsers.Event) { interpret(ev) }
