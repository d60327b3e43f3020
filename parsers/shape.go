package parsers

// MessageShape returns s with every ASCII digit replaced by '#', so that
// messages differing only in numbers (a session id, a retry count, an
// address) compare equal: the key that folds a storm of repeats into one
// counted event. It allocates only when s has a digit.
func MessageShape(s string) string {
	i := 0
	for i < len(s) && (s[i] < '0' || s[i] > '9') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = '#'
		}
	}
	return string(b)
}
