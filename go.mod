module github.com/agtriage/agtriage

go 1.26.0

require (
	github.com/spf13/pflag v1.1.0
	golang.org/x/text v0.44.0
)
