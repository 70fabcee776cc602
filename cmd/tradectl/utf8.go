package main

import (
	"fmt"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// checkUTF8 refuses flag values and arguments that are not valid UTF-8:
// protobuf strings must be, so gRPC would fail to marshal the request, and
// that failure reads as an internal error of tradingd (exit 8, "see
// tradingd's log") although the mistake is on the command line.
func checkUTF8(cmd *cobra.Command, args []string) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err == nil && !utf8.ValidString(f.Value.String()) {
			err = fmt.Errorf("--%s is not valid UTF-8", f.Name)
		}
	})
	for i, arg := range args {
		if err == nil && !utf8.ValidString(arg) {
			err = fmt.Errorf("argument %d is not valid UTF-8", i+1)
		}
	}
	return err
}
