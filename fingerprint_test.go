package keygen

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMachineFingerprint(t *testing.T) {
	_, err := MachineFingerprint("")
	require.ErrorIs(t, err, ErrInvalidArgument)
	_, err = MachineFingerprint("  ")
	require.ErrorIs(t, err, ErrInvalidArgument)

	id, idErr := osMachineID()
	fp, err := MachineFingerprint("com.example.app")
	if idErr != nil {
		// A container or an OS without a machine id: the error says so.
		require.Error(t, err)
		assert.Contains(t, err.Error(), "MachineFingerprint")
		t.Skipf("no machine id here: %v", err)
	}
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}$`), fp)
	again, err := MachineFingerprint("com.example.app")
	require.NoError(t, err)
	assert.Equal(t, fp, again, "stable")
	other, err := MachineFingerprint("com.example.other")
	require.NoError(t, err)
	assert.NotEqual(t, fp, other, "app-scoped")
	clean, err := cleanMachineID(id)
	require.NoError(t, err)
	assert.NotContains(t, fp, clean, "the raw id never appears")
	assert.Equal(t, appFingerprint(clean, "com.example.app"), fp)
}

func TestAppFingerprint(t *testing.T) {
	// HMAC-SHA256 keyed by the machine id over the app id, computed independently:
	// printf %s com.example.app | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef
	a := appFingerprint("0123456789abcdef0123456789abcdef", "com.example.app")
	assert.Equal(t, "b27d137611d97167adda1edc50745803d57b70aded284f920341a448c96d4e6d", a)
	assert.NotEqual(t, a, appFingerprint("0123456789abcdef0123456789abcdee", "com.example.app"), "another machine")
	assert.NotEqual(t, a, appFingerprint("0123456789abcdef0123456789abcdef", "com.example.ap"), "another app")
}

func TestReadMachineIDFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	good := write("machine-id", "3D1219C7C4C5404AAA1F6D2A48ADFDA4\n")
	empty := write("empty", "\n")
	uninit := write("uninit", "uninitialized\n")
	zeros := write("zeros", "00000000000000000000000000000000\n")
	missing := filepath.Join(dir, "missing")

	id, err := readMachineIDFile(good)
	require.NoError(t, err)
	assert.Equal(t, "3d1219c7c4c5404aaa1f6d2a48adfda4", id)
	id, err = readMachineIDFile(missing, empty, uninit, zeros, good)
	require.NoError(t, err, "falls back to the next file")
	assert.Equal(t, "3d1219c7c4c5404aaa1f6d2a48adfda4", id)
	_, err = readMachineIDFile(missing, empty, uninit, zeros)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no readable machine id")
	_, err = readMachineIDFile()
	require.Error(t, err)
}

func TestParseIOPlatformUUID(t *testing.T) {
	out := `+-o J314sAP  <class IOPlatformExpertDevice, id 0x100000237, registered, matched, active, busy 0 (47 ms), retain 36>
    {
      "IOPolledInterface" = "AppleARMWatchdogTimerHibernateHandler is not serializable"
      "IOPlatformSerialNumber" = "C02XXXXXXX"
      "IOPlatformUUID" = "8A3C6E1F-2B4D-5E6F-7A8B-9C0D1E2F3A4B"
      "manufacturer" = <"Apple Inc.">
    }
`
	id, err := parseIOPlatformUUID(out)
	require.NoError(t, err)
	assert.Equal(t, "8a3c6e1f-2b4d-5e6f-7a8b-9c0d1e2f3a4b", id)
	for _, bad := range []string{"", "garbage", `"IOPlatformUUID" = `, `"IOPlatformUUID" = "`, `"IOPlatformUUID" = ""`, `"IOPlatformUUID" = "00000000-0000-0000-0000-000000000000"`, `"IOPlatformUUIDs" = "X"`} {
		_, err := parseIOPlatformUUID(bad)
		require.Error(t, err, "%q", bad)
	}
}

func TestOSMachineIDSource(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Linux source")
	}
	b, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		t.Skip("no /etc/machine-id here")
	}
	id, err := osMachineID()
	require.NoError(t, err)
	assert.Equal(t, strings.ToLower(strings.TrimSpace(string(b))), id)
}
