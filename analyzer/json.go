package analyzer

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the report as indented JSON with the field names
// documented in the README.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
