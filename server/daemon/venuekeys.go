package daemon

import (
	"bufio"
	"bytes"
	"fmt"

	"github.com/tradectl/tradectl/internal/binance"
	"github.com/tradectl/tradectl/server/internal/ownership"
)

// maxKeysFile bounds what is read of a keys file: it holds two lines.
const maxKeysFile = 64 << 10

// ReadVenueKeys reads the venue's keys from path: lines api_key=... and
// secret=... (blank lines and # comments allowed). The file must be the
// daemon's own as the token file must (not a symbolic link, owned by the
// daemon's user, open to nobody else: 0600). Errors name the path and the
// line, never a value.
func ReadVenueKeys(path string) (binance.Keys, error) {
	b, err := ownership.ReadFile(path, maxKeysFile)
	if err != nil {
		return binance.Keys{}, err
	}
	var k binance.Keys
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, value, ok := bytes.Cut(line, []byte("="))
		key := string(bytes.TrimSpace(name))
		value = bytes.TrimSpace(value)
		switch {
		case !ok:
			return binance.Keys{}, fmt.Errorf("%s line %d: want name=value", path, n)
		case key != "api_key" && key != "secret":
			return binance.Keys{}, fmt.Errorf("%s line %d: unknown name (want api_key or secret)", path, n)
		case seen[key]:
			return binance.Keys{}, fmt.Errorf("%s line %d: %s given twice", path, n, key)
		case len(value) == 0:
			return binance.Keys{}, fmt.Errorf("%s line %d: %s is empty", path, n, key)
		}
		seen[key] = true
		if key == "api_key" {
			k.APIKey = binance.NewSecret(string(value))
		} else {
			k.Secret = binance.NewSecret(string(value))
		}
	}
	if err := sc.Err(); err != nil {
		return binance.Keys{}, fmt.Errorf("%s: cannot read it", path)
	}
	if k.APIKey.IsZero() || k.Secret.IsZero() {
		return binance.Keys{}, fmt.Errorf("%s: want both api_key=... and secret=...", path)
	}
	return k, nil
}
