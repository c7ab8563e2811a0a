package keygen

import (
	"context"
	"fmt"
	"os/exec"
	"time"
)

// osMachineID asks IOKit for the platform UUID through ioreg, by absolute path so that a
// PATH entry cannot stand in for it.
func osMachineID() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "/usr/sbin/ioreg", "-rd1", "-c", "IOPlatformExpertDevice").Output()
	if err != nil {
		return "", fmt.Errorf("running ioreg: %w", err)
	}
	return parseIOPlatformUUID(string(out))
}
