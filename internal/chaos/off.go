//go:build !chaos

package chaos

// Enabled is false: this build injects nothing.
const Enabled = false

// Hit is a no-op outside chaos builds; the compiler inlines it away.
func Hit(string) {}

// Fail is always nil outside chaos builds.
func Fail(string) error { return nil }
