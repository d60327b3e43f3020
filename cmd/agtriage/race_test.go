//go:build race

package main

// raceEnabled: under the race detector code runs 5 to 10 times slower;
// the long property and scale tests shrink or skip.
const raceEnabled = true
