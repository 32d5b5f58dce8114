package sandbox_test

import (
	"strconv"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func cliofakeMatter(desc string) cliofake.MatterInput {
	return cliofake.MatterInput{Description: desc}
}
