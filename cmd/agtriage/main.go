package main

import (
	_ "github.com/antchfx/xmlquery"
	_ "github.com/spf13/pflag"
	_ "golang.org/x/text/encoding/charmap"
)

func main() {}
