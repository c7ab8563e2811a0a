package keygen

// osMachineID reads the systemd machine id, or the D-Bus one on systems without systemd.
func osMachineID() (string, error) {
	return readMachineIDFile("/etc/machine-id", "/var/lib/dbus/machine-id")
}
