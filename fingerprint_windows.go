package keygen

import (
	"fmt"
	"syscall"
	"unsafe"
)

// osMachineID reads HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid with the standard
// library's registry calls. KEY_WOW64_64KEY reads the 64-bit view: a 32-bit process would
// otherwise be redirected to WOW6432Node, which has no MachineGuid.
func osMachineID() (string, error) {
	subkey, err := syscall.UTF16PtrFromString(`SOFTWARE\Microsoft\Cryptography`)
	if err != nil {
		return "", err
	}
	var k syscall.Handle
	if err := syscall.RegOpenKeyEx(syscall.HKEY_LOCAL_MACHINE, subkey, 0, syscall.KEY_READ|syscall.KEY_WOW64_64KEY, &k); err != nil {
		return "", fmt.Errorf(`opening HKLM\SOFTWARE\Microsoft\Cryptography: %w`, err)
	}
	defer syscall.RegCloseKey(k)
	name, err := syscall.UTF16PtrFromString("MachineGuid")
	if err != nil {
		return "", err
	}
	buf := make([]uint16, 256)
	var typ uint32
	n := uint32(len(buf) * 2)
	if err := syscall.RegQueryValueEx(k, name, nil, &typ, (*byte)(unsafe.Pointer(&buf[0])), &n); err != nil {
		return "", fmt.Errorf("reading MachineGuid: %w", err)
	}
	if typ != syscall.REG_SZ {
		return "", fmt.Errorf("MachineGuid is not a string (registry type %d)", typ)
	}
	return syscall.UTF16ToString(buf[:n/2]), nil
}
