//go:build !race

package xevent

const raceEnabled = false
