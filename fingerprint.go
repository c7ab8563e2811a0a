package keygen

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// MachineFingerprint returns a fingerprint of this machine for the app appID (a reverse-DNS
// name such as "com.example.app"): 64 hex characters, the same on every run on this
// machine, different for another app or another machine. It is the HMAC-SHA256 of appID
// keyed by the operating system's machine id, the derivation systemd recommends for
// app-specific ids (machine-id(5)), so the raw id, which is meant to stay confidential,
// never leaves the machine, and two vendors cannot correlate their users by it.
//
// The machine id is read from:
//   - Linux: /etc/machine-id, else /var/lib/dbus/machine-id (written at install or first
//     boot by systemd or dbus);
//   - macOS: the IOPlatformUUID of the IOPlatformExpertDevice, as printed by
//     /usr/sbin/ioreg -rd1 -c IOPlatformExpertDevice;
//   - Windows: the MachineGuid value of HKLM\SOFTWARE\Microsoft\Cryptography (the 64-bit
//     registry view, also from a 32-bit process), set when Windows is installed.
//
// An empty appID is ErrInvalidArgument; another operating system, or an id that cannot be
// read (a container without /etc/machine-id, say), is an error saying so. A disk image
// cloned without regenerating the id shares it: see the README's threat model.
func MachineFingerprint(appID string) (string, error) {
	if strings.TrimSpace(appID) == "" {
		return "", argErr("MachineFingerprint", "appID is required")
	}
	id, err := osMachineID()
	if err != nil {
		return "", fmt.Errorf("keygen: MachineFingerprint: %w", err)
	}
	id, err = cleanMachineID(id)
	if err != nil {
		return "", fmt.Errorf("keygen: MachineFingerprint: %w", err)
	}
	return appFingerprint(id, appID), nil
}

// appFingerprint is HMAC-SHA256(key = machine id, message = appID), in hex.
func appFingerprint(machineID, appID string) string {
	mac := hmac.New(sha256.New, []byte(machineID))
	mac.Write([]byte(appID))
	return hex.EncodeToString(mac.Sum(nil))
}

// cleanMachineID trims and lowercases an id (macOS prints its UUID in capitals, Windows
// in lower case) and refuses one that identifies nothing.
func cleanMachineID(id string) (string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	switch strings.Trim(id, "0-") {
	case "", "uninitialized":
		// systemd writes "uninitialized" until first boot completes (machine-id(5)); an
		// all-zero id is what some broken images carry.
		return "", fmt.Errorf("the machine id is empty or not initialized (%q)", id)
	}
	return id, nil
}

// readMachineIDFile returns the first non-empty id among the files, in order.
func readMachineIDFile(paths ...string) (string, error) {
	var errs []error
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		id, err := cleanMachineID(string(b))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		return id, nil
	}
	return "", fmt.Errorf("no readable machine id: %w", errors.Join(errs...))
}

// parseIOPlatformUUID finds the IOPlatformUUID in the output of
// ioreg -rd1 -c IOPlatformExpertDevice, a line like
//
//	"IOPlatformUUID" = "8A3C6E1F-…"
func parseIOPlatformUUID(out string) (string, error) {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || strings.TrimSpace(k) != `"IOPlatformUUID"` {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			break
		}
		return cleanMachineID(v[1 : len(v)-1])
	}
	return "", errors.New("no IOPlatformUUID in the ioreg output")
}
