//go:build !linux && !darwin && !windows

package keygen

import (
	"errors"
	"fmt"
	"runtime"
)

// osMachineID has no source on this operating system.
func osMachineID() (string, error) {
	return "", fmt.Errorf("no machine id source on %s: %w", runtime.GOOS, errors.ErrUnsupported)
}
